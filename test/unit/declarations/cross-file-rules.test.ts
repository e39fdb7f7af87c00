import { afterEach, describe, expect, it } from "vitest";
import { loadDeclarations } from "../../../src/declarations/index.js";
import { cleanup, errorsOf, expectDiagnostic, lines, makeTree } from "./helpers.js";

describe("rules across files", () => {
  let root: string | undefined;
  afterEach(async () => {
    await cleanup(root);
    root = undefined;
  });

  async function load(files: Record<string, string>) {
    root = await makeTree(files);
    return loadDeclarations({ dir: "users", cwd: root });
  }

  it("reports an employeeID declared in two files at both places, each naming the other", async () => {
    const { diagnostics } = await load({
      "users/a.yaml": lines("users:", "  - employeeID: ND0012", "    name: Budi Santoso", "    phone: '6281'"),
      "users/sub/b.yaml": lines(
        "users:",
        "  - employeeID: ND0099",
        "    name: Other",
        "    phone: '6282'",
        "  - employeeID: ND0012",
        "    name: Budi S.",
        "    phone: '6283'",
      ),
    });
    expect(errorsOf(diagnostics)).toHaveLength(2);
    expectDiagnostic(diagnostics, {
      file: "users/a.yaml",
      line: 2,
      column: 17,
      field: "users[0].employeeID",
      summary: 'employeeID "ND0012" is also declared by user ND0012 (users/sub/b.yaml:5:5)',
    });
    expectDiagnostic(diagnostics, {
      file: "users/sub/b.yaml",
      line: 5,
      column: 17,
      field: "users[1].employeeID",
      summary: 'employeeID "ND0012" is also declared by user ND0012 (users/a.yaml:2:5)',
    });
  });

  it("reports an employeeID declared twice in one file, and names all others when there are more", async () => {
    const { diagnostics } = await load({
      "users/a.yaml": lines(
        "users:",
        "  - {employeeID: E1, name: A, phone: '1'}",
        "  - {employeeID: E1, name: B, phone: '2'}",
        "  - {employeeID: E1, name: C, phone: '3'}",
      ),
    });
    expectDiagnostic(diagnostics, { line: 2, summary: "also declared by user E1 (users/a.yaml:3:5) and user E1 (users/a.yaml:4:5)" });
    expect(errorsOf(diagnostics)).toHaveLength(3);
  });

  it("compares employeeID case-sensitively", async () => {
    const { diagnostics } = await load({
      "users/a.yaml": lines("users:", "  - {employeeID: ab1, name: A, phone: '1'}", "  - {employeeID: AB1, name: B, phone: '2'}"),
    });
    expect(diagnostics).toEqual([]);
  });

  it("reports the same username in two files, ignoring case", async () => {
    const { diagnostics } = await load({
      "users/a.yaml": lines("users:", "  - {employeeID: E1, name: A, phone: '1', username: budi}"),
      "users/b.yaml": lines("users:", "  - {employeeID: E2, name: B, phone: '2', username: Budi}"),
    });
    expectDiagnostic(diagnostics, {
      file: "users/a.yaml",
      line: 2,
      column: 53,
      field: "users[0].username",
      summary: 'username "budi" is also used by user E2 (users/b.yaml:2:5) (upper and lower case count as the same)',
    });
    expectDiagnostic(diagnostics, {
      file: "users/b.yaml",
      field: "users[0].username",
      summary: "is also used by user E1 (users/a.yaml:2:5)",
    });
  });

  it("reports the same e-mail address in two files, ignoring case", async () => {
    const { diagnostics } = await load({
      "users/a.yaml": lines("users:", "  - employeeID: E1", "    name: A", "    email: budi@contoh.co.id"),
      "users/b.yaml": lines("users:", "  - employeeID: E2", "    name: B", "    email: BUDI@contoh.co.id"),
    });
    expectDiagnostic(diagnostics, {
      file: "users/a.yaml",
      line: 4,
      column: 12,
      field: "users[0].email",
      summary: "is also used by user E2 (users/b.yaml:2:5)",
    });
    expectDiagnostic(diagnostics, {
      file: "users/b.yaml",
      line: 4,
      column: 12,
      field: "users[0].email",
      summary: "is also used by user E1 (users/a.yaml:2:5)",
    });
  });

  it("refuses a previous employeeID that is still declared as a user", async () => {
    const { diagnostics } = await load({
      "users/a.yaml": lines(
        "users:",
        "  - employeeID: ND0105",
        "    name: I Made Wirawan",
        "    phone: '1'",
        "    previousEmployeeIDs: [CTR0031]",
      ),
      "users/b.yaml": lines("users:", "  - {employeeID: CTR0031, name: Made (contract), phone: '2'}"),
    });
    const d = expectDiagnostic(diagnostics, {
      file: "users/a.yaml",
      line: 5,
      column: 27,
      field: "users[0].previousEmployeeIDs[0]",
      summary: 'previousEmployeeIDs of user ND0105 lists "CTR0031", which is the employeeID of user CTR0031 (users/b.yaml:2:5)',
    });
    expect(d.detail).toContain("rename the user CTR0031 to ND0105");
    expect(errorsOf(diagnostics)).toHaveLength(1);
  });

  it("refuses one previous employeeID claimed by two users, at both claims", async () => {
    const { diagnostics } = await load({
      "users/a.yaml": lines("users:", "  - {employeeID: E1, name: A, phone: '1', previousEmployeeIDs: [OLD7]}"),
      "users/b.yaml": lines("users:", "  - {employeeID: E2, name: B, phone: '2', previousEmployeeIDs: [OLD1, OLD7]}"),
    });
    expectDiagnostic(diagnostics, {
      file: "users/a.yaml",
      field: "users[0].previousEmployeeIDs[0]",
      line: 2,
      column: 65,
      summary: '"OLD7" is listed in previousEmployeeIDs of user E1 and also of user E2 (users/b.yaml:2:5)',
    });
    expectDiagnostic(diagnostics, {
      file: "users/b.yaml",
      field: "users[0].previousEmployeeIDs[1]",
      line: 2,
      column: 71,
      summary: "also of user E1 (users/a.yaml:2:5)",
    });
    expect(errorsOf(diagnostics)).toHaveLength(2);
  });

  it("refuses a user listing its own employeeID in previousEmployeeIDs, once", async () => {
    const { diagnostics } = await load({
      "users/a.yaml": lines("users:", "  - {employeeID: E1, name: A, phone: '1', previousEmployeeIDs: [E1]}"),
    });
    expectDiagnostic(diagnostics, { line: 2, column: 65, field: "users[0].previousEmployeeIDs[0]", summary: "lists its own employeeID" });
    expect(errorsOf(diagnostics)).toHaveLength(1);
  });

  it("lets renames and distinct people pass", async () => {
    const { diagnostics, users } = await load({
      "users/a.yaml": lines("users:", "  - {employeeID: E2, name: A, email: a@contoh.co.id, username: a, previousEmployeeIDs: [E1]}"),
      "users/b.yaml": lines("users:", "  - {employeeID: E3, name: B, email: b@contoh.co.id, username: b, previousEmployeeIDs: [E0]}"),
    });
    expect(diagnostics).toEqual([]);
    expect(users.map((u) => u.employeeID)).toEqual(["E2", "E3"]);
  });
});
