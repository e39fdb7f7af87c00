import { describe, expect, it } from "vitest";
import type { AppliedUser } from "../../../src/model.js";
import { readCompactState } from "../../../src/state/compact-state.js";
import { parseStateJson, stateToText, type StateDocument } from "../../../src/state/state-document.js";

const users: AppliedUser[] = [
  { employeeID: "A1", name: "Budi ✓", isActive: true, serial: "S1", tagSerials: ["T1", "T2"] },
  { employeeID: "B2", name: 'Siti "R"', email: "s@example.com", isActive: false, serial: "S2" },
  { employeeID: "C3", name: "Joko", phone: "+62811", isActive: true, organizationSerial: "ORG", serial: "S3" },
];
const state: StateDocument = {
  formatVersion: 2,
  lineage: "7f3c2a10-5b6e-4c1d-9a8b-0e1f2a3b4c5d",
  serial: 4,
  apiOrigin: "https://api.ruangkerja.id",
  users: new Map(users.map((u) => [u.employeeID, u])),
};
const text = stateToText(state);
const bytes = (t: string) => Buffer.from(t, "utf8");

describe("readCompactState", () => {
  it("reads what stateToText writes, a line at a time, to the same state the whole reader gives", () => {
    const fast = readCompactState(bytes(text));
    expect(fast).toBeDefined();
    expect(fast).toEqual(parseStateJson("s", text).state);
  });

  it.each([
    ["format 1's pretty layout", JSON.stringify({ ...JSON.parse(text), formatVersion: 1 }, null, 2)],
    ["no users (one line)", stateToText({ ...state, users: new Map() })],
    ["a byte-order mark", `\uFEFF${text}`],
    ["a file cut short", text.slice(0, text.lastIndexOf("]}"))],
    ["text after the closing line", `${text}\n`],
    ["a missing comma between users", text.replace('"S1"},\n', '"S1"}\n')],
    ["a comma after the last user", text.replace('"S3"}\n]}', '"S3"},\n]}')],
    ["a repeated key in a user", text.replace('"name":"Joko"', '"name":"Joko","name":"Other"')],
    ["a repeated key in the header", text.replace('"serial":4,', '"serial":4,"serial":5,')],
    ["a user the reader refuses", text.replace('"isActive":false', '"isActive":"no"')],
    ["an employeeID twice", text.replace('"employeeID":"B2"', '"employeeID":"A1"')],
    ["two users on one line", text.replace('"S1"},\n', '"S1"},')],
  ])("leaves %s to the whole reader (undefined), which places any problem", (_what, laidOut) => {
    expect(readCompactState(bytes(laidOut))).toBeUndefined();
  });

  it("the whole reader then refuses the hostile ones at their line", () => {
    const repeated = text.replace('"name":"Joko"', '"name":"Joko","name":"Other"');
    const { state: refused, diagnostics } = parseStateJson("state.json", repeated);
    expect(refused).toBeUndefined();
    expect(diagnostics[0]?.summary).toMatch(/repeats the key "name"/);
    expect(diagnostics[0]?.location?.line).toBe(4);
  });
});
