import { describe, expect, it } from "vitest";
import { applyResultToJson, renderApplyResult } from "../../../src/apply/render-result.js";

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

describe("apply --json's requests and attempts", () => {
  const requests = { "create-bulk": 2, "update-bulk": 1, update: 0 };
  const attempts = { "create-bulk": 5, "update-bulk": 1, update: 0, "update-email-bulk": 0, get: 2, list: 0, token: 1 };

  it("keeps requests as they were and adds attempts beside them, every kind named", () => {
    const json = applyResultToJson({ succeeded: 3, failed: 0, failures: [], requests, attempts });
    expect(json.requests).toEqual(requests);
    expect(json.attempts).toEqual(attempts);
    expect(Object.keys(json).slice(0, 5)).toEqual(["succeeded", "failed", "failures", "requests", "attempts"]);
  });

  it("leaves attempts out when the result has none (a client that does not count them)", () => {
    expect(applyResultToJson({ succeeded: 0, failed: 0, failures: [], requests })).not.toHaveProperty("attempts");
  });
});
