import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { chmod, mkdir, symlink, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { join, relative, resolve } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { loadDeclarations } from "../../../src/declarations/index.js";
import { readDeclarationFile } from "../../../src/declarations/load-declarations.js";
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

  it("reads a link to a file inside the folder, under the link's name", async () => {
    // A dot-folder is not walked, so the target is read once, through the link.
    root = await makeTree({ "users/a.yaml": lines("users:", user("E1")), "users/.archive/2024.yaml": lines("users:", user("E2")) });
    await writeFile(join(root, "users/.archive/2023.yaml"), lines("users:", user("E3")));
    await symlink(".archive/2024.yaml", join(root, "users/current.yaml"));
    await mkdir(join(root, "users/team"));
    await symlink(join(root, "users/.archive/2023.yaml"), join(root, "users/team/absolute.yml"));
    const result = await loadDeclarations({ dir: "users", cwd: root });
    expect(result.diagnostics).toEqual([]);
    expect(result.files).toEqual(["users/a.yaml", "users/current.yaml", "users/team/absolute.yml"]);
    expect(result.users.map((u) => [u.employeeID, u.source.file])).toEqual([
      ["E1", "users/a.yaml"],
      ["E2", "users/current.yaml"],
      ["E3", "users/team/absolute.yml"],
    ]);
  });

  it("refuses a link to a file outside the folder and reads nothing of it", async () => {
    const secret = "npm_8c0ffee5ecret";
    root = await makeTree({ "users/a.yaml": lines("users:", user("E1")), "home/.npmrc": `//registry.npmjs.org/:_authToken=${secret}\n` });
    await symlink("../home/.npmrc", join(root, "users/npm.yaml"));
    await symlink(join(root, "home/.npmrc"), join(root, "users/absolute.yml"));
    const result = await loadDeclarations({ dir: "users", cwd: root });
    for (const file of ["users/npm.yaml", "users/absolute.yml"]) {
      expectDiagnostic(result.diagnostics, { file, line: 1, column: 1, summary: "which leads outside the declarations folder users" });
    }
    expect(JSON.stringify(result.diagnostics)).not.toContain(secret);
    expect(result.files).toEqual(["users/a.yaml"]);
    expect(result.users.map((u) => u.employeeID)).toEqual(["E1"]);
  });

  it("refuses a link out of the folder even when it goes through links inside it", async () => {
    root = await makeTree({ "users/a.yaml": lines("users:", user("E1")), "outside/b.yaml": lines("users:", user("E2")) });
    await symlink("c.yaml", join(root, "users/b.yaml"));
    await symlink("../outside/b.yaml", join(root, "users/c.yaml"));
    const result = await loadDeclarations({ dir: "users", cwd: root });
    expectDiagnostic(result.diagnostics, { file: "users/b.yaml", summary: 'a symbolic link to "c.yaml", which leads outside' });
    expectDiagnostic(result.diagnostics, { file: "users/c.yaml", summary: 'a symbolic link to "../outside/b.yaml", which leads outside' });
    expect(result.users.map((u) => u.employeeID)).toEqual(["E1"]);
  });

  it("refuses links that lead nowhere: dangling, pointing out to nothing, in a loop", async () => {
    root = await makeTree({ "users/ok.yaml": lines("users:", user("E1")) });
    await mkdir(join(root, "users/sub"));
    await symlink("missing.yaml", join(root, "users/sub/dangling.yaml"));
    await symlink("/proc/self/fd/999999", join(root, "users/fd.yaml"));
    await symlink("loop.yaml", join(root, "users/loop.yaml"));
    const result = await loadDeclarations({ dir: "users", cwd: root });
    expectDiagnostic(result.diagnostics, {
      file: "users/sub/dangling.yaml",
      summary: 'symbolic link to "missing.yaml", which does not exist',
    });
    expectDiagnostic(result.diagnostics, { file: "users/fd.yaml", summary: "which leads outside the declarations folder" });
    expectDiagnostic(result.diagnostics, { file: "users/loop.yaml", summary: "(links that lead round in a loop)" });
    expect(result.users.map((u) => u.employeeID)).toEqual(["E1"]);
    // Refused entries have errors of their own: no "no declaration files" warning beside them.
    expect(result.diagnostics.filter((d) => d.severity === "warning")).toEqual([]);
  });

  it("refuses named pipes, sockets and folders named like declaration files, without opening them", async () => {
    root = await makeTree({ "users/ok.yaml": lines("users:", user("E1")), "users/team.yaml/inner.yaml": lines("users:", user("E2")) });
    execFileSync("mkfifo", [join(root, "users/pipe.yaml"), join(root, "users/pipe")]);
    await symlink("pipe", join(root, "users/piped.yml"));
    const server = createServer();
    await new Promise<void>((done) => server.listen(join(root as string, "users/agent.yaml"), done));
    try {
      const result = await loadDeclarations({ dir: "users", cwd: root });
      expectDiagnostic(result.diagnostics, { file: "users/pipe.yaml", summary: "the file is a named pipe (FIFO), not a regular file" });
      expectDiagnostic(result.diagnostics, { file: "users/piped.yml", summary: "a symbolic link to a named pipe (FIFO)" });
      expectDiagnostic(result.diagnostics, { file: "users/agent.yaml", summary: "the file is a socket, not a regular file" });
      expectDiagnostic(result.diagnostics, {
        summary: "users/team.yaml is a folder named like a declaration file",
        detail: "Rename the folder",
      });
      expect(result.users.map((u) => u.employeeID)).toEqual(["E1"]);
    } finally {
      await new Promise((done) => server.close(done));
    }
  });

  it("refuses a declarations folder in the working directory that leads out of it", async () => {
    root = await makeTree({ "repo/config/people/a.yaml": lines("users:", user("E1")), "elsewhere/b.yaml": lines("users:", user("E2")) });
    await symlink("../elsewhere", join(root, "repo/users"));
    await symlink("config/people", join(root, "repo/people"));
    const cwd = join(root, "repo");
    const refused = await loadDeclarations({ dir: "users", cwd });
    expect(refused.users).toEqual([]);
    expectDiagnostic(refused.diagnostics, {
      summary: /^the declarations folder users leads through a symbolic link to ".*elsewhere", outside the working directory/,
    });
    // Inside the working directory, a link is the repository's own business; outside it, --dir is the operator's choice.
    expect((await loadDeclarations({ dir: "people", cwd })).users.map((u) => u.employeeID)).toEqual(["E1"]);
    expect((await loadDeclarations({ dir: join(root, "elsewhere"), cwd })).users.map((u) => u.employeeID)).toEqual(["E2"]);
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
      summary: "more than the 10485760 bytes (10.0 MB)",
      detail: "Split the users",
    });
    expect(result.users.map((u) => u.employeeID)).toEqual(["E1"]);
  });

  it("takes a smaller size limit as an option", async () => {
    root = await makeTree({ "users/a.yaml": lines("users:", user("E1")) });
    const result = await loadDeclarations({ dir: "users", cwd: root, maxFileBytes: 10 });
    expectDiagnostic(result.diagnostics, { file: "users/a.yaml", summary: "a declaration file may have" });
  });

  it.skipIf(process.getuid?.() === 0)(
    "reports an unreadable file and goes on with the others (not as root, who reads any file)",
    async () => {
      root = await makeTree({ "users/ok.yaml": lines("users:", user("E1")), "users/locked.yaml": lines("users:", user("E2")) });
      await chmod(join(root, "users/locked.yaml"), 0o000);
      const result = await loadDeclarations({ dir: "users", cwd: root });
      const found = expectDiagnostic(result.diagnostics, {
        file: "users/locked.yaml",
        summary: "cannot be read (EACCES)",
        detail: "chmod a+r",
      });
      expect(found.detail).not.toContain(root);
      expect(result.users.map((u) => u.employeeID)).toEqual(["E1"]);
    },
  );

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

describe("readDeclarationFile", () => {
  let root: string | undefined;
  afterEach(async () => {
    await cleanup(root);
    root = undefined;
  });

  it("reads up to the limit, and refuses one byte more while reading", async () => {
    root = await makeTree({ "at.yaml": "x".repeat(100), "over.yaml": "x".repeat(101) });
    expect(await readDeclarationFile(join(root, "at.yaml"), "at.yaml", 100)).toEqual({ text: "x".repeat(100) });
    const over = await readDeclarationFile(join(root, "over.yaml"), "over.yaml", 100);
    expect(over).toEqual({
      diagnostic: expect.objectContaining({ summary: expect.stringContaining("101 bytes, more than the 100 bytes") }),
    });
  });

  // /proc files say size 0 in fstat and hold kilobytes: only a read that counts stops them.
  it.skipIf(!existsSync("/proc/self/environ"))("stops at the limit for a file whose size fstat does not know", async () => {
    const result = await readDeclarationFile("/proc/self/environ", "environ.yaml", 16);
    expect(result).toEqual({
      diagnostic: expect.objectContaining({ summary: "the file is more than 16 bytes, the most a declaration file may have" }),
    });
  });

  it("refuses, without waiting, a named pipe that replaced the file after the folder was listed", async () => {
    root = await makeTree({});
    execFileSync("mkfifo", [join(root, "pipe.yaml")]);
    const result = await readDeclarationFile(join(root, "pipe.yaml"), "pipe.yaml", 100);
    expect(result).toEqual({
      diagnostic: expect.objectContaining({ summary: expect.stringContaining("is a named pipe (FIFO), not a regular file") }),
    });
  });

  it("does not follow a link that replaced the file, and refuses a folder", async () => {
    root = await makeTree({ "secret.txt": "token=abc\n", "dir.yaml/a.yaml": "users: []\n" });
    await symlink(join(root, "secret.txt"), join(root, "link.yaml"));
    const link = await readDeclarationFile(join(root, "link.yaml"), "link.yaml", 100);
    expect(link).toEqual({ diagnostic: expect.objectContaining({ summary: "the file cannot be read (ELOOP)" }) });
    const folder = await readDeclarationFile(join(root, "dir.yaml"), "dir.yaml", 100);
    expect(folder).toEqual({
      diagnostic: expect.objectContaining({ summary: "dir.yaml is a folder named like a declaration file: it is not read" }),
    });
  });
});
