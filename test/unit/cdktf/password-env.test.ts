/**
 * passwordEnv through the construct (docs/password-env.md): a name outside RUANGKERJA_PASSWORD_
 * fails synth with the declarations' located error; a good one is written into the shard as its
 * name alone, which tf-sync accepts, and the provisioner creates the user with the variable's value
 * from terraform apply's environment: through runTfSync, and, when terraform is on PATH, through a
 * real synth and `terraform apply` against the emulator on 127.0.0.1.
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { Testing, TerraformStack } from "cdktf";
import { afterEach, describe, expect, it } from "vitest";
import { RuangkerjaUsers } from "../../../src/cdktf/index.js";
import { buildShardMaps } from "../../../src/cdktf/ruangkerja-users.js";
import { runTfSync, TF_SYNC_DEFAULTS } from "../../../src/cli/commands/tf-sync.js";
import type { Output } from "../../../src/cli/output.js";
import { startEmulator } from "../../../src/emulator/index.js";
import { InvalidInputError } from "../../../src/errors.js";
import { parseShardMap, shardIndex } from "../../../src/tf-sync/records.js";
import { desired } from "../../builders.js";
import { startGateProxy } from "../../e2e/gate-proxy.js";
import { run, SYNTH, terraformEnv, terraformMissing } from "../../e2e/terraform-helpers.js";
import { cleanup, makeTree } from "../declarations/helpers.js";

const TOKEN = "cdktf-password-test-token";
const PASSWORD = "Sandi-Awal-31c9";

const team = (passwordEnv: string) =>
  `users:\n  - employeeID: EMP0042\n    name: Rina Wulandari\n    email: rina@contoh.co.id\n    passwordEnv: ${passwordEnv}\n`;

let root: string | undefined;
afterEach(async () => {
  await cleanup(root);
  root = undefined;
});

async function load(passwordEnv: string) {
  root = await makeTree({ "users/team.yaml": team(passwordEnv) });
  const stack = new TerraformStack(Testing.app(), "test");
  const result = await RuangkerjaUsers.load(stack, "ruangkerja", { dir: "users", cwd: root, engine: "terraform_data" }).catch(
    (e: unknown) => e,
  );
  return { result, stack };
}

function quietOutput(lines: string[]): Output {
  return { color: false, out: (t) => lines.push(t), err: (t) => lines.push(t), stdoutIsTTY: false, stderrIsTTY: false };
}

describe("passwordEnv at synth", () => {
  it.each(["RUANGKERJA_TOKEN", "RUANGKERJA_CLIENT_SECRET", "HOME", "rina_password"])(
    "refuses %s with the located error of the declarations, and builds nothing",
    async (name) => {
      const { result, stack } = await load(name);
      expect(result).toBeInstanceOf(InvalidInputError);
      const { message } = result as InvalidInputError;
      expect(message).toContain(`users/team.yaml:5:18: error: passwordEnv "${name}" is not a RUANGKERJA_PASSWORD_ variable`);
      expect(message).toContain("RUANGKERJA_PASSWORD_EMP0042");
      expect(stack.node.children).toHaveLength(0);
    },
  );

  it("writes a good one as its name alone (no file or line), in a map tf-sync reads back", async () => {
    const { result } = await load("RUANGKERJA_PASSWORD_EMP0042");
    expect(result).toBeInstanceOf(RuangkerjaUsers);
    const text = Testing.synthScope((scope) => {
      new RuangkerjaUsers(scope, "ruangkerja", {
        engine: "terraform_data",
        declarations: {
          users: [
            desired("EMP0042", {
              passwordEnv: { name: "RUANGKERJA_PASSWORD_EMP0042", source: { file: "users/x.yaml", line: 9, column: 5 } },
            }),
          ],
          diagnostics: [],
        },
      });
    });
    const locals = (JSON.parse(text) as { locals: Record<string, Record<string, unknown>> }).locals;
    const shard = locals[`ruangkerja_${shardIndex("EMP0042", 8)}`];
    expect(shard?.EMP0042).toMatchObject({ employeeID: "EMP0042", passwordEnv: "RUANGKERJA_PASSWORD_EMP0042" });
    expect(text).not.toContain("users/x.yaml");
    // What made terraform apply fail before: the record held { name, source }, an unknown shape to tf-sync.
    expect(() => parseShardMap(JSON.stringify(shard), "RUANGKERJA_TF_USERS")).not.toThrow();
  });
});

describe("passwordEnv at terraform apply (the provisioner's step, with terraform apply's environment)", () => {
  it("creates the user with the variable's value, and without it stops before any call, naming it", async () => {
    const emulator = await startEmulator({ host: "127.0.0.1", port: 0, token: TOKEN });
    const proxy = await startGateProxy(emulator.url, Number.MAX_SAFE_INTEGER);
    root = await makeTree({});
    try {
      const [map] = buildShardMaps(
        [desired("EMP0042", { passwordEnv: { name: "RUANGKERJA_PASSWORD_EMP0042", source: { file: "a", line: 1, column: 1 } } })],
        1,
      );
      const flags = { ...TF_SYNC_DEFAULTS, event: "create" as const, shard: "ruangkerja_0", spool: `${root}/spool` };
      const env = { RUANGKERJA_API_URL: proxy.url, RUANGKERJA_TOKEN: TOKEN, RUANGKERJA_TF_USERS: JSON.stringify(map) };

      const lines: string[] = [];
      await expect(runTfSync(flags, env, quietOutput(lines))).rejects.toThrow(
        /RUANGKERJA_PASSWORD_EMP0042 \(passwordEnv of EMP0042\)\. Nothing was changed/,
      );
      expect(proxy.sent()).toEqual([]);

      const code = await runTfSync(flags, { ...env, RUANGKERJA_PASSWORD_EMP0042: PASSWORD }, quietOutput(lines));
      expect(code, lines.join("\n")).toBe(0);
      const creates = proxy.sent().filter((r) => r.path.endsWith("/create-bulk"));
      expect(creates.map((r) => (JSON.parse(r.body) as { items: { employeeID: string; password?: string }[] }).items)).toEqual([
        [expect.objectContaining({ employeeID: "EMP0042", password: PASSWORD })],
      ]);
      expect(emulator.users().map((u) => u.employeeID)).toEqual(["EMP0042"]);
      expect(lines.join("\n")).not.toContain(PASSWORD);
    } finally {
      await proxy.close();
      await emulator.close();
    }
  });
});

const missing = terraformMissing();

describe.skipIf(missing !== undefined)("passwordEnv through synth and a real terraform apply", () => {
  it("fails the shard's step, naming the variable, until terraform apply's environment has it; then creates the user with it", async () => {
    const emulator = await startEmulator({ host: "127.0.0.1", port: 0, token: TOKEN });
    const proxy = await startGateProxy(emulator.url, Number.MAX_SAFE_INTEGER);
    root = await makeTree({ "users/team.yaml": team("RUANGKERJA_PASSWORD_EMP0042") });
    try {
      const work = root;
      const env = await terraformEnv(work, { RUANGKERJA_API_URL: proxy.url, RUANGKERJA_TOKEN: TOKEN });
      const synth = await run(process.execPath, [SYNTH, "--dir", "users", "--out", "cdktf.out", "--engine", "terraform_data"], {
        cwd: work,
        env,
        timeoutMs: 60_000,
      });
      expect(synth.code, synth.stderr).toBe(0);
      const stack = join(work, "cdktf.out/stacks/users");
      const terraform = (extra: Record<string, string>, ...args: string[]) =>
        run("terraform", args, { cwd: stack, env: { ...env, ...extra } });
      expect((await terraform({}, "init", "-input=false", "-no-color")).code).toBe(0);

      const without = await terraform({}, "apply", "-auto-approve", "-input=false", "-no-color");
      expect(without.code).not.toBe(0);
      expect(`${without.stdout}${without.stderr}`).toContain("RUANGKERJA_PASSWORD_EMP0042 (passwordEnv of EMP0042). Nothing was changed");
      expect(proxy.sent().filter((r) => r.path.startsWith("/ruangkerja"))).toEqual([]);

      const applied = await terraform({ RUANGKERJA_PASSWORD_EMP0042: PASSWORD }, "apply", "-auto-approve", "-input=false", "-no-color");
      expect(applied.code, applied.stderr).toBe(0);
      const bodies = proxy
        .sent()
        .filter((r) => r.path.endsWith("/create-bulk"))
        .map((r) => r.body);
      expect(bodies.join("\n")).toContain(`"password":"${PASSWORD}"`);
      expect(emulator.users().map((u) => u.employeeID)).toEqual(["EMP0042"]);
      // The value is in no file Terraform keeps, nor in its output.
      // Terraform's state is outside cdktf.out (the local backend's path is relative to the stack).
      for (const file of [join(stack, "cdk.tf.json"), join(work, "terraform.users.tfstate")]) {
        expect(await readFile(file, "utf8")).not.toContain(PASSWORD);
      }
      expect(`${applied.stdout}${applied.stderr}`).not.toContain(PASSWORD);
    } finally {
      await proxy.close();
      await emulator.close();
    }
  }, 180_000);
});
