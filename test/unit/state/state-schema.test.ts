/**
 * schemas/state.schema.json and schemas/state-journal.schema.json describe what the tool writes,
 * for other tools (and people) that read a state. They must agree with the code: everything the
 * writer produces is valid, format 1 files too, and whatever the reader refuses the schema
 * refuses as well (the reader, being code, may refuse more: a repeated employeeID, a repeated key).
 */
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { Ajv } from "ajv";
import { describe, expect, it } from "vitest";
import type { AppliedUser } from "../../../src/model.js";
import { parseStateJson, stateToJson, stateToText, type StateDocument } from "../../../src/state/state-document.js";
import { journalHeaderLine, journalRecordLine, parseJournalText } from "../../../src/state/state-journal.js";

const ROOT = resolve(import.meta.dirname, "../../..");
const schema = (name: string): object => JSON.parse(readFileSync(join(ROOT, "schemas", name), "utf8")) as object;
// Strict, as ajv-cli runs it: an unknown keyword in our schemas would fail here.
const ajv = new Ajv({ allErrors: true, strict: true });
ajv.addSchema(schema("state.schema.json"));
const validState = ajv.getSchema("https://ruangkerja-users.dev/schemas/state.schema.json");
const validJournalLine = ajv.compile(schema("state-journal.schema.json"));

const users: AppliedUser[] = [
  { employeeID: "A1", name: "Budi", isActive: true, serial: "S1" },
  {
    employeeID: "B2",
    name: 'Siti "Rahma" ✓',
    username: "siti",
    email: "siti@example.com",
    phone: "+62811",
    isActive: false,
    tagSerials: ["T1", "T2"],
    organizationSerial: "ORG1",
    serial: "S2",
  },
];

function state(withUsers: AppliedUser[], apiOrigin?: string): StateDocument {
  return {
    formatVersion: 2,
    lineage: "7f3c2a10-5b6e-4c1d-9a8b-0e1f2a3b4c5d",
    serial: 3,
    ...(apiOrigin !== undefined && { apiOrigin }),
    users: new Map(withUsers.map((u) => [u.employeeID, u])),
  };
}

describe("the state schema", () => {
  it.each([
    ["no users", state([])],
    ["every field", state(users, "https://api.ruangkerja.id")],
    ["a loopback API with a port", state(users.slice(0, 1), "http://127.0.0.1:8080")],
  ])("accepts what apply writes: %s", (_what, document) => {
    const written = JSON.parse(stateToText(document)) as unknown;
    expect(validState?.(written), JSON.stringify(validState?.errors)).toBe(true);
    // The line writer writes what stateToJson describes, key order included.
    expect(JSON.stringify(written)).toBe(JSON.stringify(stateToJson(document)));
  });

  it.each(["v1-state.json", "v1-state-without-api-origin.json"])("accepts %s, a file of format 1", (name) => {
    const text = readFileSync(join(ROOT, "test/fixtures/state", name), "utf8");
    expect(validState?.(JSON.parse(text)), JSON.stringify(validState?.errors)).toBe(true);
  });

  const good = JSON.parse(stateToText(state(users, "https://api.ruangkerja.id"))) as Record<string, unknown>;
  const withUser = (change: Record<string, unknown>) => ({ ...good, users: [{ ...(good.users as object[])[0], ...change }] });
  it.each([
    ["not an object", []],
    ["no formatVersion", { ...good, formatVersion: undefined }],
    ["a newer format", { ...good, formatVersion: 3 }],
    ["no lineage", { ...good, lineage: "" }],
    ["a negative serial", { ...good, serial: -1 }],
    ["a fractional serial", { ...good, serial: 1.5 }],
    ["an API that is not a URL", { ...good, apiOrigin: "not a url" }],
    ["an API with a query", { ...good, apiOrigin: "https://api.ruangkerja.id/?token=x" }],
    ["users that are not a list", { ...good, users: {} }],
    ["a user without a serial", withUser({ serial: undefined })],
    ["a user without a name", withUser({ name: undefined })],
    ["an employeeID RuangKerja cannot hold", withUser({ employeeID: "A-1" })],
    ["isActive as text", withUser({ isActive: "yes" })],
    ["a phone that is a number", withUser({ phone: 62811 })],
    ["tagSerials that are not text", withUser({ tagSerials: [1] })],
  ])("refuses, as the reader does, %s", (_what, document) => {
    const text = JSON.stringify(document);
    expect(parseStateJson("state.json", text).state).toBeUndefined();
    expect(validState?.(JSON.parse(text))).toBe(false);
  });
});

describe("the journal schema", () => {
  it("accepts every line apply writes", () => {
    const text =
      journalHeaderLine({ lineage: "l", serial: 3, apiOrigin: "https://api.ruangkerja.id" }) +
      journalRecordLine(1, [{ user: users[0] as AppliedUser }, { from: "B1", user: users[1] as AppliedUser }]);
    for (const line of text.trimEnd().split("\n")) {
      expect(validJournalLine(JSON.parse(line)), JSON.stringify(validJournalLine.errors)).toBe(true);
    }
  });

  it.each([
    ["a header of another format", '{"ruangkerjaStateJournal":2,"lineage":"l","baseSerial":0}'],
    ["a record numbered 0", '{"seq":0,"changes":[]}'],
    [
      "a change from an unusable id",
      '{"seq":1,"changes":[{"from":"../x","user":{"employeeID":"A","name":"a","isActive":true,"serial":"s"}}]}',
    ],
    ["a change whose user has no serial", '{"seq":1,"changes":[{"user":{"employeeID":"A","name":"a","isActive":true}}]}'],
  ])("refuses, as the reader does, %s", (_what, line) => {
    const header = journalHeaderLine({ lineage: "l", serial: 0 });
    const asRead = line.startsWith('{"ruangkerjaStateJournal"') ? `${line}\n` : `${header}${line}\n`;
    expect(parseJournalText("j", asRead).kind).toBe("damaged");
    expect(validJournalLine(JSON.parse(line))).toBe(false);
  });
});
