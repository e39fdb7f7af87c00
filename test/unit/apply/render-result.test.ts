import { describe, expect, it } from "vitest";
import { renderApplyResult } from "../../../src/apply/render-result.js";

describe("apply result text of hostile values", () => {
  it("prints file names and what RuangKerja said escaped, one line per failure", () => {
    const text = renderApplyResult(
      {
        succeeded: 0,
        failed: 1,
        failures: [
          {
            action: "create",
            employeeID: "E1",
            errorCode: "USER_INVALID\n::error::code",
            message: 'name "Budi\n::error title=Forged::x" is invalid',
            detail: "##[error]detail\u001b[2J",
            source: { file: "users/\n::error::forged.yaml", line: 3, column: 5 },
          },
        ],
        requests: { "create-bulk": 1, "update-bulk": 0, update: 0 },
        stoppedBecause: "RuangKerja said\r::warning::stop",
      },
      { color: false },
    );
    const lines = text.split(/\r\n|\r|\n/);
    expect(lines.filter((line) => line.trimStart().startsWith("::") || line.includes("##["))).toEqual([]);
    expect(text).not.toContain("\u001b");
    expect(lines[0]).toBe(
      '"users/\\n::error::forged.yaml":3: failed: create E1: name "Budi\\n::error title=Forged::x" is invalid (USER_INVALID\\n::error::code): #\\u0023[error]detail\\u001b[2J',
    );
    expect(text).toContain("Apply stopped early: RuangKerja said\\r::warning::stop");
  });
});
