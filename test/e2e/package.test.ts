/**
 * The package as npm users get it: `npm pack`, the tarball's file list, then installs of the
 * tarball into empty folders (dependencies from the npm registry) and the CLI and the construct
 * run from there. One test, one install per variant, because each install takes seconds to
 * minutes: CLI only (no cdktf), with cdktf and constructs, and as a registry install would be
 * (a lock file resolving the package to a registry-shaped URL on 127.0.0.1), which must print
 * no install-scripts warning. The emulator, started by the installed CLI, is on 127.0.0.1.
 */
import { type ChildProcess, execFileSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ROOT, runProcess } from "./helpers.js";

const manifest = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as {
  name: string;
  version: string;
  devDependencies: Record<string, string>;
};
const env: Record<string, string> = { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp", NO_COLOR: "1" };
const TEAM = `users:\n  - employeeID: EMP0001\n    name: Budi Santoso\n    email: budi@contoh.co.id\n  - employeeID: EMP0002\n    name: Siti Rahmawati\n    phone: "6281122334455"\n`;

let temp: string | undefined;
let emulator: ChildProcess | undefined;
afterAll(async () => {
  emulator?.kill("SIGKILL");
  if (temp) await rm(temp, { recursive: true, force: true });
});

async function run(cwd: string, command: string, args: string[], extra: Record<string, string> = {}, timeoutMs = 60_000) {
  const result = await runProcess(command, args, { cwd, env: { ...env, ...extra }, timeoutMs });
  return { ...result, all: `${result.stdout}${result.stderr}` };
}

async function npm(cwd: string, args: string[]) {
  const result = await run(cwd, "npm", [...args, "--no-audit", "--no-fund"], {}, 150_000);
  expect(result.code, result.all).toBe(0);
  return result;
}

/** A folder with an empty package.json and a tiny users/ folder. */
async function project(name: string): Promise<string> {
  const dir = join(temp as string, name);
  await mkdir(join(dir, "users"), { recursive: true });
  await writeFile(join(dir, "package.json"), JSON.stringify({ name, private: true, type: "module" }));
  await writeFile(join(dir, "users", "team.yaml"), TEAM);
  return dir;
}

const du = (dir: string): number =>
  readdirSync(dir, { withFileTypes: true }).reduce((sum, e) => {
    const path = join(dir, e.name);
    return sum + (e.isDirectory() ? du(path) : e.isFile() ? statSync(path).size : 0);
  }, 0);

/** Starts the installed CLI's emulator; resolves with its URL (its first stdout line). */
function startInstalledEmulator(cwd: string): Promise<string> {
  return new Promise((resolveUrl, reject) => {
    void runProcess(join(cwd, "node_modules/.bin/ruangkerja-users"), ["emulator", "--port", "0"], {
      cwd,
      env,
      timeoutMs: 120_000,
      onChild: (child) => {
        emulator = child;
        let out = "";
        child.stdout?.on("data", (d) => {
          out += d;
          if (out.includes("\n")) resolveUrl(out.split("\n")[0] as string);
        });
        child.on("exit", (code) => reject(new Error(`the emulator exited (${code}) before printing its URL`)));
      },
    });
  });
}

/** The CLI's commands from an install: --version, --help, validate, plan with no state, apply against the emulator. */
async function checkCli(dir: string): Promise<void> {
  const bin = join(dir, "node_modules/.bin/ruangkerja-users");
  expect((await run(dir, bin, ["--version"])).stdout.trim()).toBe(manifest.version);
  const help = await run(dir, bin, ["--help"]);
  expect(help.code, help.all).toBe(0);
  expect(help.stdout).toContain("validate");
  const validate = await run(dir, bin, ["validate"]);
  expect(validate.code, validate.all).toBe(0);
  const plan = await run(dir, bin, ["plan"]);
  expect(plan.code, plan.all).toBe(0);
  expect(plan.stdout).toContain("Plan: 2 to create, 0 to update, 0 to rename, 0 to deactivate.");
  const url = await startInstalledEmulator(dir);
  expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  const api = { RUANGKERJA_API_URL: url, RUANGKERJA_TOKEN: "emulator-token" };
  const apply = await run(dir, bin, ["apply", "--auto-approve"], api);
  expect(apply.code, apply.all).toBe(0);
  expect(apply.all).toContain("Apply complete: 2 succeeded, 0 failed");
  expect((await run(dir, bin, ["plan", "--detailed-exitcode"], api)).code).toBe(0);
  // init from the installed package writes the workflows it ships.
  const scaffold = join(dir, "scaffold");
  await mkdir(scaffold);
  const init = await run(scaffold, bin, ["init"]);
  expect(init.code, init.all).toBe(0);
  expect(existsSync(join(scaffold, ".github/ruangkerja-users/commit-state.sh"))).toBe(true);
  emulator?.kill("SIGTERM");
  emulator = undefined;
}

/** Serves `tarball` at the registry's path for it on 127.0.0.1; resolves with the URL and a close function. */
async function serveTarball(tarball: Buffer): Promise<{ url: string; close: () => void }> {
  const path = `/${manifest.name}/-/${manifest.name}-${manifest.version}.tgz`;
  const server = createServer((request, reply) => {
    reply.statusCode = request.url === path ? 200 : 404;
    reply.end(request.url === path ? tarball : undefined);
  });
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  const { port } = server.address() as { port: number };
  return { url: `http://127.0.0.1:${port}${path}`, close: () => server.close() };
}

const CONSTRUCT_APP = `import { App, TerraformStack } from "cdktf";
import { RuangkerjaUsers } from "ruangkerja-users/cdktf";
const app = new App({ outdir: "cdktf.out", skipValidation: true });
const stack = new TerraformStack(app, "users");
await RuangkerjaUsers.load(stack, "ruangkerja", { dir: "users" });
app.synth();
console.log("synthesized");
`;

describe("the packed package", () => {
  it("packs the right files, and installs from the tarball run the CLI without cdktf and the construct with it (slow: npm installs from the registry, up to 4 min)", async () => {
    temp = await mkdtemp(join(tmpdir(), "rk-package-"));
    // --ignore-scripts: pretest has just built dist/; packing would rebuild it under the other tests.
    const packed = await run(ROOT, "npm", ["pack", "--ignore-scripts", "--json", "--pack-destination", temp], {}, 120_000);
    expect(packed.code, packed.all).toBe(0);
    const [info] = JSON.parse(packed.stdout) as { filename: string; files: { path: string }[] }[];
    const files = (info?.files ?? []).map((f) => f.path);
    const tarball = join(temp, info?.filename as string);

    for (const wanted of ["LICENSE", "CHANGELOG.md", "README.md", "package.json", "docs/commands.md", "schemas/users.schema.json"])
      expect(files).toContain(wanted);
    for (const wanted of [
      "dist/cli/main.js",
      "dist/index.js",
      "dist/index.d.ts",
      "dist/cdktf/index.js",
      "dist/declarations/users-validator.cjs",
    ])
      expect(files).toContain(wanted);
    expect(files.filter((f) => f.endsWith(".map"))).toEqual([]);
    expect(files.filter((f) => /^(src|test|bench|scripts|dist\/bench)\//.test(f))).toEqual([]);
    // init copies the example workflows and their scripts: those ship, and no other example.
    expect(files).toContain("examples/github-actions/scripts/commit-state.sh");
    expect(files.filter((f) => f.startsWith("examples/") && !f.startsWith("examples/github-actions/"))).toEqual([]);
    // No shipped file names a source map: they would point at src/, which is not shipped.
    const unpacked = join(temp, "unpacked");
    await mkdir(unpacked);
    execFileSync("tar", ["-xzf", tarball, "-C", unpacked]);
    const withMap = files.filter(
      (f) => f.endsWith(".js") && readFileSync(join(unpacked, "package", f), "utf8").includes("sourceMappingURL"),
    );
    expect(withMap).toEqual([]);
    // Every relative link of the README reaches a shipped file.
    const readme = readFileSync(join(unpacked, "package", "README.md"), "utf8");
    const links = [...readme.matchAll(/\]\(((?:docs|schemas)\/[^)#\s]+)/g)].map((m) => m[1] as string);
    expect(links.length).toBeGreaterThan(0);
    expect(links.filter((link) => !files.includes(link))).toEqual([]);

    // 1. CLI only: no cdktf, and the construct's entry says what to install.
    const cliOnly = await project("cli-only");
    await npm(cliOnly, ["install", tarball]);
    expect(existsSync(join(cliOnly, "node_modules/cdktf"))).toBe(false);
    expect(existsSync(join(cliOnly, "node_modules/constructs"))).toBe(false);
    const cliOnlyBytes = du(join(cliOnly, "node_modules"));
    // 14.2 MB measured: the CLI's own dependencies and the Terraform provider's gRPC, protobufjs
    // and msgpack (about 10 MB); cdktf alone would add 18 MB.
    expect(cliOnlyBytes).toBeLessThan(18 * 1024 * 1024);
    await checkCli(cliOnly);
    await writeFile(join(cliOnly, "construct.mjs"), CONSTRUCT_APP.replace(/^import .* from "cdktf";\n/, ""));
    const noPeers = await run(cliOnly, process.execPath, ["construct.mjs"]);
    expect(noPeers.code).not.toBe(0);
    expect(noPeers.stderr).toContain("ruangkerja-users/cdktf needs the packages cdktf and constructs");
    expect(noPeers.stderr).toContain(`npm install cdktf@"^0.21.0" constructs@"^10.4.2"`);

    // 2. With cdktf and constructs of the versions this repository tests with: the construct synthesizes.
    const withCdktf = await project("with-cdktf");
    const peers = ["cdktf", "constructs"].map((name) => `${name}@${manifest.devDependencies[name]}`);
    await npm(withCdktf, ["install", tarball, ...peers]);
    await writeFile(join(withCdktf, "construct.mjs"), CONSTRUCT_APP);
    const synth = await run(withCdktf, process.execPath, ["construct.mjs"]);
    expect(synth.code, synth.all).toBe(0);
    const synthesized = await readFile(join(withCdktf, "cdktf.out/stacks/users/cdk.tf.json"), "utf8");
    expect(synthesized).toContain("EMP0001");
    expect(synthesized).toContain("EMP0002");

    // 3. As from the registry: no install-scripts warning (npm lists `prepare` only for git, file and link sources).
    const fromRegistry = await project("from-registry");
    const lock = JSON.parse(await readFile(join(cliOnly, "package-lock.json"), "utf8")) as {
      packages: Record<string, { dependencies?: Record<string, string>; resolved?: string }>;
    };
    const served = await serveTarball(await readFile(tarball));
    try {
      (lock.packages[""] as { dependencies: Record<string, string> }).dependencies[manifest.name] = manifest.version;
      (lock.packages[`node_modules/${manifest.name}`] as { resolved: string }).resolved = served.url;
      await writeFile(join(fromRegistry, "package-lock.json"), JSON.stringify(lock));
      await writeFile(
        join(fromRegistry, "package.json"),
        JSON.stringify({ name: "from-registry", private: true, dependencies: { [manifest.name]: manifest.version } }),
      );
      const ci = await npm(fromRegistry, ["ci"]);
      // npm 11 lists each package whose install scripts are not yet allowed. Never ours; protobufjs
      // (under @grpc/grpc-js) has a postinstall that only checks version schemes: the one name allowed.
      const scripted = [...ci.all.matchAll(/^npm warn install-scripts\s+(@?[^@\s]+)@\S+ \(/gm)].map((m) => m[1]);
      expect(
        scripted.filter((name) => name !== "protobufjs"),
        ci.all,
      ).toEqual([]);
      expect(ci.all).not.toContain(manifest.name);
    } finally {
      served.close();
    }
    const version = await run(fromRegistry, join(fromRegistry, "node_modules/.bin/ruangkerja-users"), ["--version"]);
    expect(version.stdout.trim()).toBe(manifest.version);
    expect(existsSync(join(fromRegistry, "node_modules", manifest.name, "dist/cli/main.js"))).toBe(true);
    console.log(
      `package test: CLI-only install ${(cliOnlyBytes / 1024 / 1024).toFixed(1)} MB, with cdktf ${(du(join(withCdktf, "node_modules")) / 1024 / 1024).toFixed(1)} MB`,
    );
  }, 240_000);
});
