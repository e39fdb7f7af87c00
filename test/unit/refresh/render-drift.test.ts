import { describe, expect, it } from "vitest";
import { renderDriftText } from "../../../src/refresh/render-drift.js";

describe("drift text of hostile values", () => {
  it("prints RuangKerja's and the state's values escaped, so that none starts a line", () => {
    const text = renderDriftText(
      {
        checked: 2,
        users: [
          {
            kind: "changed",
            employeeID: "E1",
            name: "Budi\n::error::forged",
            changes: [{ field: "name", before: "Budi\n::error::forged", after: "##[error]x\u202e" }],
          },
          { kind: "missing", employeeID: "E2", name: "\r::warning::w", changes: [] },
        ],
      },
      { color: false },
    );
    const lines = text.split(/\r\n|\r|\n/);
    expect(lines.filter((line) => line.trimStart().startsWith("::") || line.includes("##["))).toEqual([]);
    expect(text).toContain('  ~ E1 "Budi\\n::error::forged" changed in RuangKerja');
    expect(text).toContain('name  "Budi\\n::error::forged" → "#\\u0023[error]x\\u202e"');
    expect(text).toContain('  ! E2 "\\r::warning::w" missing from RuangKerja');
  });
});
