import { describe, expect, it } from "vitest";
import type { AppliedUser } from "../../../src/model.js";
import type { StateDocument } from "../../../src/state/state-document.js";
import { foldJournal, journalHeaderLine, journalRecordLine, parseJournalText, type JournalBase } from "../../../src/state/state-journal.js";

const applied = (employeeID: string, name = `Name ${employeeID}`): AppliedUser => ({
  employeeID,
  name,
  isActive: true,
  email: `${employeeID.toLowerCase()}@example.com`,
  serial: `S-${employeeID}`,
});

const LINEAGE = "7f3c2a10-5b6e-4c1d-9a8b-0e1f2a3b4c5d";
const base: JournalBase = { lineage: LINEAGE, serial: 4, apiOrigin: "http://127.0.0.1:8080" };

function stateAt(serial: number, users: AppliedUser[], lineage = LINEAGE): StateDocument {
  return { formatVersion: 2, lineage, serial, users: new Map(users.map((u) => [u.employeeID, u])) };
}

function journalText(...records: Parameters<typeof journalRecordLine>[1][]): string {
  return journalHeaderLine(base) + records.map((changes, i) => journalRecordLine(i + 1, changes)).join("");
}

describe("parseJournalText", () => {
  it("reads the header and every record, in order", () => {
    const text = journalText([{ user: applied("A1") }], [{ from: "A1", user: applied("A2") }, { user: applied("B1") }]);
    const reading = parseJournalText("j", text);
    expect(reading.kind).toBe("journal");
    if (reading.kind !== "journal") return;
    expect(reading.journal.base).toEqual(base);
    expect(reading.journal.records.map((r) => r.changes.length)).toEqual([1, 2]);
    expect(reading.cutOff).toBe(false);
    expect(reading.wholeLength).toBe(text.length);
  });

  it("a journal killed before its header was whole holds nothing", () => {
    expect(parseJournalText("j", "")).toEqual({ kind: "none" });
    expect(parseJournalText("j", journalHeaderLine(base).slice(0, 20))).toEqual({ kind: "none" });
  });

  it("a last record cut off by a kill is left out, and where the whole records end is known", () => {
    const whole = journalText([{ user: applied("A1") }]);
    const cut = journalRecordLine(2, [{ user: applied("A2") }]).slice(0, 25);
    const reading = parseJournalText("j", whole + cut);
    expect(reading).toMatchObject({ kind: "journal", cutOff: true, wholeLength: whole.length });
    if (reading.kind === "journal") expect(reading.journal.records).toHaveLength(1);
  });

  it.each([
    ["a header that is not a journal's", '{"lineage":"x"}\n', 1, /does not start with a journal header/],
    [
      "a damaged record followed by others",
      `${journalHeaderLine(base)}{"seq":1,"chan\n${journalRecordLine(2, [{ user: applied("A") }])}`,
      2,
      /not valid JSON/,
    ],
    [
      "a record out of order",
      journalHeaderLine(base) + journalRecordLine(2, [{ user: applied("A") }]),
      2,
      /record 2 where record 1 belongs/,
    ],
    [
      "a user without a serial",
      `${journalHeaderLine(base)}{"seq":1,"changes":[{"user":{"employeeID":"A","name":"a","isActive":true}}]}\n`,
      2,
      /has no serial/,
    ],
    [
      "an id RuangKerja cannot hold",
      `${journalHeaderLine(base)}{"seq":1,"changes":[{"user":{"employeeID":"A-1","name":"a","isActive":true,"serial":"s"}}]}\n`,
      2,
      /letters and digits/,
    ],
    [
      "a rename from an unusable id",
      journalHeaderLine(base) + journalRecordLine(1, [{ from: "../x", user: applied("A") }]),
      2,
      /moved from an id/,
    ],
    ["a repeated key", `${journalHeaderLine(base)}{"seq":1,"seq":1,"changes":[]}\n`, 2, /repeats the key/],
  ])("refuses %s, at its line", (_what, text, line, message) => {
    const reading = parseJournalText("state.json.journal", text);
    expect(reading.kind).toBe("damaged");
    if (reading.kind !== "damaged") return;
    expect(reading.diagnostics[0]?.summary).toMatch(message);
    expect(reading.diagnostics[0]?.location).toEqual({ file: "state.json.journal", line, column: 1 });
  });

  it("keeps only the known fields of a journaled user (nothing else reaches the state)", () => {
    const text = `${journalHeaderLine(base)}{"seq":1,"changes":[{"user":{"employeeID":"A","name":"a","isActive":true,"serial":"s","password":"hunter2"}}]}\n`;
    const reading = parseJournalText("j", text);
    expect(reading.kind === "journal" && reading.journal.records[0]?.changes[0]?.user).toEqual({
      employeeID: "A",
      name: "a",
      isActive: true,
      serial: "s",
    });
  });
});

describe("foldJournal", () => {
  const journal = {
    base,
    records: [
      { seq: 1, changes: [{ user: applied("A1", "Changed") }, { user: applied("C1") }] },
      { seq: 2, changes: [{ from: "B1", user: applied("B2") }] },
    ],
  };

  it("applies puts and renames to the state it follows, and counts the records", () => {
    const folded = foldJournal(stateAt(4, [applied("A1"), applied("B1")]), journal, { file: "j" });
    expect(folded.diagnostics).toBeUndefined();
    expect([...(folded.state?.users.keys() ?? [])].sort()).toEqual(["A1", "B2", "C1"]);
    expect(folded.state?.users.get("A1")?.name).toBe("Changed");
    expect(folded.state).toMatchObject({ serial: 4, lineage: LINEAGE, journaled: 2, apiOrigin: base.apiOrigin });
  });

  it("a journal of an earlier serial was folded by a later write: the state stays as it is", () => {
    const state = stateAt(5, [applied("A1")]);
    expect(foldJournal(state, journal, { file: "j" }).state).toBe(state);
  });

  it("a first apply's journal makes the state when there is none", () => {
    const first = { ...journal, base: { ...base, serial: 0 } };
    const folded = foldJournal(undefined, { ...first, records: [journal.records[0] as (typeof journal.records)[0]] }, { file: "j" });
    expect(folded.state).toMatchObject({ serial: 0, lineage: LINEAGE, journaled: 1 });
    expect(folded.state?.users.size).toBe(2);
  });

  it.each([
    ["another lineage", stateAt(4, [], "00000000-0000-4000-8000-000000000000"), /lineage/],
    ["a state older than the journal (restored from a backup)", stateAt(3, []), /serial 4, but the state is at serial 3/],
    ["no state, and a journal after serial 4", undefined, /a state that is not there/],
  ])("refuses a journal that follows %s", (_what, state, message) => {
    const folded = foldJournal(state, journal, { file: "state.json.journal" });
    expect(folded.state).toBeUndefined();
    expect(folded.diagnostics?.[0]?.summary).toMatch(message);
    expect(folded.diagnostics?.[0]?.location?.file).toBe("state.json.journal");
  });
});
