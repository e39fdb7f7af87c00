import { mkdir, symlink, writeFile } from "node:fs/promises";
import { join, relative, resolve } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { loadDeclarations } from "../../../src/declarations/index.js";
import { hasErrors } from "../../../src/diagnostics.js";
import { cleanup, errorsOf, expectDiagnostic, lines, makeTree } from "./helpers.js";

const REPO = resolve(import.meta.dirname, "../../..");
const FIXTURES = resolve(REPO, "test/fixtures/declarations");

const user = (id: string, extra = "") => `  - {employeeID: ${id}, name: Pegawai ${id}, phone: '6281${id.replace(/\D/g, "")}'${extra}}`;

describe("loadDeclarations", () => {
  let root: string | undefined;
  afterEach(async () => {
    await cleanup(root);
    root = undefined;
  });

  it("loads the valid fixture: recursive, .yml included, dot-folders and other files skipped, users sorted", async () => {
    const result = await loadDeclarations({ dir: "valid", cwd: FIXTURES });
    expect(result.diagnostics).toEqual([]);
    expect(result.files).toEqual(["valid/finance.yaml", "valid/operations/warehouse.yml"]);
    expect(result.users.map((u) => u.employeeID)).toEqual(["000731", "FN0001", "FN0002"]);
    expect(result.users[0]).toEqual({
      employeeID: "000731",
      name: "Slamet Riyadi",
      phone: "+6285600007310",
      isActive: false,
      previousEmployeeIDs: ["TMP0731"],
      source: { file: "valid/operations/warehouse.yml", line: 3, column: 5 },
    });
    expect(result.users[2]).toMatchObject({ tagSerials: ["RUKRTAG-ONBOARD1", "RUKRTAG-TAX00001"], organizationSerial: "COMPFINC0001" });
  });

  it("validates the sample declarations in users/ without errors or warnings", async () => {
    const result = await loadDeclarations({ dir: "users", cwd: REPO });
    expect(result.diagnostics).toEqual([]);
    expect(result.files).toEqual(["users/engineering.yaml", "users/people-ops/hr.yaml", "users/sales.yaml"]);
    expect(result.users.length).toBeGreaterThanOrEqual(8);
    expect(new Set(result.users.map((u) => u.employeeID)).size).toBe(result.users.length);
  });

  it("collects every error of every file, sorted by location, with cross-file rules on users that have errors elsewhere", async () => {
    const result = await loadDeclarations({ dir: "invalid", cwd: FIXTURES });
    const errors = errorsOf(result.diagnostics).map((d) => `${d.location?.file}:${d.location?.line}:${d.location?.column} ${d.field}`);
    expect(errors).toEqual([
      "invalid/finance/accounting.yaml:2:17 users[0].employeeID",
      "invalid/finance/accounting.yaml:5:15 users[0].isActive",
      "invalid/finance/accounting.yaml:6:5 users[1]",
      "invalid/finance/accounting.yaml:8:5 users[1].tags",
      "invalid/sales.yaml:2:17 users[0].employeeID",
      "invalid/sales.yaml:4:12 users[0].email",
      "invalid/sales.yaml:5:12 users[0].phone",
      "invalid/sales.yaml:8:12 users[1].email",
    ]);
    expectDiagnostic(result.diagnostics, {
      file: "invalid/sales.yaml",
      line: 2,
      summary: 'employeeID "SL0001" is also declared by user SL0001 (invalid/finance/accounting.yaml:2:5)',
    });
    expect(result.users.map((u) => u.employeeID)).toEqual(["SL0002"]);
    expect(result.files).toEqual(["invalid/finance/accounting.yaml", "invalid/sales.yaml"]);
  });

  it("reports a missing folder as an error without a location", async () => {
    root = await makeTree({});
    const result = await loadDeclarations({ dir: "nope", cwd: root });
    expect(result).toMatchObject({ users: [], files: [] });
    expect(result.diagnostics).toEqual([expect.objectContaining({ severity: "error", summary: "no declarations folder nope" })]);
    expect(result.diagnostics[0]?.location).toBeUndefined();
  });

  it("reports a file given as the folder", async () => {
    root = await makeTree({ "users.yaml": "users: []\n" });
    const result = await loadDeclarations({ dir: "users.yaml", cwd: root });
    expectDiagnostic(result.diagnostics, { summary: "users.yaml is not a folder" });
  });

  it("warns when the folder holds no YAML files", async () => {
    root = await makeTree({ "users/README.md": "# people\n", "users/.hidden/a.yaml": "users: []\n" });
    const result = await loadDeclarations({ dir: "users", cwd: root });
    expect(hasErrors(result.diagnostics)).toBe(false);
    expectDiagnostic(result.diagnostics, { severity: "warning", summary: "no declaration files (*.yaml, *.yml) in users" });
    expect(result.files).toEqual([]);
  });

  it("makes paths relative to cwd (default: the process's working directory)", async () => {
    root = await makeTree({ "company/users/a.yaml": lines("users:", user("E1")) });
    const fromRoot = await loadDeclarations({ dir: "company/users", cwd: root });
    expect(fromRoot.files).toEqual(["company/users/a.yaml"]);
    expect(fromRoot.users[0]?.source.file).toBe("company/users/a.yaml");
    const absolute = await loadDeclarations({ dir: join(root, "company/users") });
    expect(absolute.files).toEqual([relative(process.cwd(), join(root, "company/users/a.yaml"))]);
  });

  it("refuses a symlinked folder rather than skip its users", async () => {
    root = await makeTree({ "users/a.yaml": lines("users:", user("E1")), "elsewhere/b.yaml": lines("users:", user("E2")) });
    await symlink(join(root, "elsewhere"), join(root, "users/linked"), "dir");
    const result = await loadDeclarations({ dir: "users", cwd: root });
    expect(result.users.map((u) => u.employeeID)).toEqual(["E1"]);
    expectDiagnostic(result.diagnostics, { severity: "error", summary: "the symlinked folder users/linked is not read" });
  });

  it("reads a symlinked file", async () => {
    root = await makeTree({ "users/a.yaml": lines("users:", user("E1")), "shared/b.yaml": lines("users:", user("E2")) });
    await symlink(join(root, "shared/b.yaml"), join(root, "users/b.yaml"));
    const result = await loadDeclarations({ dir: "users", cwd: root });
    expect(result.users.map((u) => u.employeeID)).toEqual(["E1", "E2"]);
  });

  it("refuses invalid UTF-8 at the offending byte", async () => {
    const bytes = Buffer.concat([
      Buffer.from(lines("users:", "  - employeeID: E1", "    name: Jos").slice(0, -1)),
      Buffer.from([0xe9, 0x0a]),
    ]);
    root = await makeTree({ "users/latin1.yaml": bytes });
    const result = await loadDeclarations({ dir: "users", cwd: root });
    expectDiagnostic(result.diagnostics, { file: "users/latin1.yaml", line: 3, column: 14, summary: "not valid UTF-8", detail: "UTF-8" });
    expect(result.users).toEqual([]);
  });

  it("accepts a UTF-8 byte order mark and multi-byte names", async () => {
    root = await makeTree({
      "users/a.yaml": Buffer.concat([
        Buffer.from([0xef, 0xbb, 0xbf]),
        Buffer.from(lines("users:", user("E1", ", username: jose"), "  - {employeeID: E2, name: José Ñúñez, phone: '62'}")),
      ]),
    });
    const result = await loadDeclarations({ dir: "users", cwd: root });
    expect(result.diagnostics).toEqual([]);
    expect(result.users.map((u) => [u.name, u.source.line, u.source.column])).toEqual([
      ["Pegawai E1", 2, 5],
      ["José Ñúñez", 3, 5],
    ]);
  });

  it("refuses a file over 10 MB without parsing it", async () => {
    root = await makeTree({
      "users/huge.yaml": `users: []\n${"#".repeat(10 * 1024 * 1024)}\n`,
      "users/ok.yaml": lines("users:", user("E1")),
    });
    const result = await loadDeclarations({ dir: "users", cwd: root });
    expectDiagnostic(result.diagnostics, {
      file: "users/huge.yaml",
      line: 1,
      column: 1,
      summary: "more than the 10.0 MB",
      detail: "Split the users",
    });
    expect(result.users.map((u) => u.employeeID)).toEqual(["E1"]);
  });

  it("takes a smaller size limit as an option", async () => {
    root = await makeTree({ "users/a.yaml": lines("users:", user("E1")) });
    const result = await loadDeclarations({ dir: "users", cwd: root, maxFileBytes: 10 });
    expectDiagnostic(result.diagnostics, { file: "users/a.yaml", summary: "a declaration file may have" });
  });

  it("reports an unreadable file and goes on with the others", async () => {
    root = await makeTree({ "users/ok.yaml": lines("users:", user("E1")) });
    await mkdir(join(root, "users/sub"));
    await symlink(join(root, "missing.yaml"), join(root, "users/sub/dangling.yaml"));
    const result = await loadDeclarations({ dir: "users", cwd: root });
    expectDiagnostic(result.diagnostics, { file: "users/sub/dangling.yaml", summary: "cannot be read (ENOENT)" });
    expect(result.users.map((u) => u.employeeID)).toEqual(["E1"]);
  });

  it("collects errors from many files at once", async () => {
    root = await makeTree({});
    for (let i = 0; i < 20; i++) {
      await mkdir(join(root, `users/team${i % 4}`), { recursive: true });
      await writeFile(join(root, `users/team${i % 4}/f${i}.yaml`), lines("users:", `  - {employeeID: E${i}, name: N, phone: ${6280 + i}}`));
    }
    const result = await loadDeclarations({ dir: "users", cwd: root });
    expect(errorsOf(result.diagnostics)).toHaveLength(20);
    expect(new Set(errorsOf(result.diagnostics).map((d) => d.location?.file)).size).toBe(20);
  });
});
