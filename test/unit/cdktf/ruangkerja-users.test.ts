/** Synthesis of the construct with cdktf's Testing helpers: resource shapes, escaping of hostile values, validation at synth. */
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Testing, TerraformStack } from "cdktf";
import { describe, expect, it } from "vitest";
import { RuangkerjaUsers, type RuangkerjaUsersLoadedProps } from "../../../src/cdktf/index.js";
import { buildShardMaps } from "../../../src/cdktf/ruangkerja-users.js";
import { InvalidInputError } from "../../../src/errors.js";
import type { DesiredUser } from "../../../src/model.js";
import { shardIndex } from "../../../src/tf-sync/records.js";
import { desired } from "../../builders.js";

const FIXTURES = join(fileURLToPath(new URL(".", import.meta.url)), "../../fixtures/declarations");

interface Synthesized {
  locals: Record<string, Record<string, Record<string, unknown>>>;
  resource: { terraform_data: Record<string, { triggers_replace: string; provisioner: { "local-exec": Record<string, unknown> }[] }> };
}

function synth(users: DesiredUser[], props: Partial<RuangkerjaUsersLoadedProps> = {}): { text: string; json: Synthesized } {
  const text = Testing.synthScope((scope) => {
    new RuangkerjaUsers(scope, "ruangkerja", { declarations: { users, diagnostics: [] }, engine: "terraform_data", ...props });
  });
  return { text, json: JSON.parse(text) as Synthesized };
}

/** What Terraform makes of an escaped string: `$${` and `%%{` are escapes, and `${"$"}` (the one template used) is "$". */
function terraformReads(text: string): string {
  return text
    .replaceAll('${"$"}', "\u0000")
    .replace(/\$\$\{/g, "${")
    .replace(/%%\{/g, "%{")
    .replaceAll("\u0000", "$");
}

describe("RuangkerjaUsers synthesis", () => {
  it("makes 8 terraform_data resources with explicit names, each fed by a local map keyed by employeeID", () => {
    const users = [desired("EMP001"), desired("EMP002", { tagSerials: ["T1", "T2"], organizationSerial: "ORG1" })];
    const { text, json } = synth(users);
    const names = Object.keys(json.resource.terraform_data);
    expect(names).toHaveLength(8);
    expect(names[0]).toBe("ruangkerja_0");
    expect(names[7]).toBe("ruangkerja_7");
    const shard = `ruangkerja_${shardIndex("EMP002", 8)}`;
    expect(Testing.toHaveResourceWithProperties(text, "terraform_data", { triggers_replace: `\${local.${shard}}` })).toBe(true);
    expect(json.locals[shard]?.EMP002).toEqual({
      employeeID: "EMP002",
      name: "Name EMP002",
      email: "emp002@example.co.id",
      isActive: true,
      tagSerials: ["T1", "T2"],
      organizationSerial: "ORG1",
    });
    // The source line is not in Terraform: moving a user within the YAML is no change.
    expect(text).not.toContain("users/team.yaml");
  });

  it("gives each resource a create and a destroy provisioner whose data comes from self, and the destroy step the IDs declared now", () => {
    const { json } = synth([desired("EMP001")], { syncCommand: "sync-it", chunkSize: 50, removal: "keep" });
    const shard = `ruangkerja_${shardIndex("EMP001", 8)}`;
    const [create, destroy] = json.resource.terraform_data[shard]?.provisioner ?? [];
    // The map travels in pieces of 4,000 characters (one environment variable may not exceed 128 KiB).
    const pieces = Object.fromEntries(
      Array.from({ length: 64 }, (_, i) => [
        `RUANGKERJA_TF_USERS_${String(i).padStart(2, "0")}`,
        `\${substr(jsonencode(self.triggers_replace), ${i * 4000}, 4000)}`,
      ]),
    );
    expect(create?.["local-exec"]).toEqual({
      command: `sync-it create --shard ${shard} --chunk-size 50 --removal keep`,
      environment: pieces,
    });
    expect(destroy?.["local-exec"]).toEqual({
      when: "destroy",
      command: `sync-it destroy --shard ${shard} --chunk-size 50 --removal keep`,
      environment: { ...pieces, RUANGKERJA_TF_KEEP: '["EMP001"]' },
    });
    // An empty shard starts no process on create; its destroy step still deactivates.
    const empty = Object.entries(json.resource.terraform_data).find(([name]) => name !== shard)?.[1];
    expect(empty?.provisioner[0]?.["local-exec"].command).toBe(":");
    expect(empty?.provisioner[1]?.["local-exec"].command).toContain("destroy");
  });

  it("escapes every declared value, so Terraform reads back exactly what the YAML says and evaluates nothing", () => {
    const hostile = [
      '${file("/etc/passwd")}',
      "%{ for x in [1] }${x}%{ endfor }",
      "$${already}",
      "%%{also}",
      "$$${triple}",
      "${TfToken[TOKEN.1]}",
      "ends with $",
      "${",
    ];
    const users = hostile.map((name, i) =>
      desired(`EMP${i}`, { name, username: `u${i}`, phone: name, organizationSerial: name, tagSerials: [name] }),
    );
    const { json } = synth(users);
    const records = Object.values(json.locals).flatMap((map) => Object.values(map));
    expect(records).toHaveLength(hostile.length);
    for (const record of records) {
      const i = Number(String(record.employeeID).slice(3));
      for (const field of ["name", "phone", "organizationSerial"]) {
        const written = record[field] as string;
        // Every ${ and %{ is the tail of an escape ($${, %%{), bar the one template ${"$"}.
        expect(written.replaceAll('${"$"}', "")).not.toMatch(/(^|[^$])\$\{/);
        expect(written).not.toMatch(/(^|[^%])%\{/);
        expect(terraformReads(written)).toBe(hostile[i]);
      }
      expect(terraformReads((record.tagSerials as string[])[0] as string)).toBe(hostile[i]);
    }
  });

  it("leaves the old IDs of renamed users as markers in their own shards, so removing them reads as a rename", () => {
    const maps = buildShardMaps([desired("NEW1", { previousEmployeeIDs: ["OLD1", "OLD0"] })], 64);
    expect(maps[shardIndex("OLD1", 64)]?.OLD1).toEqual({ renamedTo: "NEW1" });
    expect(maps[shardIndex("OLD0", 64)]?.OLD0).toEqual({ renamedTo: "NEW1" });
    expect(maps[shardIndex("NEW1", 64)]?.NEW1).toMatchObject({ employeeID: "NEW1", previousEmployeeIDs: ["OLD1", "OLD0"] });
  });

  it("spreads users evenly and keeps a user's shard fixed for a shard count", () => {
    const counts = new Array(64).fill(0);
    for (let i = 0; i < 6400; i++) counts[shardIndex(`EMP${i}`, 64)]++;
    expect(Math.min(...counts)).toBeGreaterThan(50);
    expect(Math.max(...counts)).toBeLessThan(150);
    expect(shardIndex("EMPLY001", 64)).toBe(shardIndex("EMPLY001", 64));
  });

  it("honours shards and resourcePrefix, and refuses values that cannot work", () => {
    const { json } = synth([desired("EMP001")], { shards: 4, resourcePrefix: "people" });
    expect(Object.keys(json.resource.terraform_data)).toEqual(["people_0", "people_1", "people_2", "people_3"]);
    expect(() => synth([], { shards: 0 })).toThrow(/shards must be a whole number from 1 to 1000, got 0/);
    expect(() => synth([], { chunkSize: 1.5 })).toThrow(/chunkSize must be a whole number/);
    expect(() => synth([], { resourcePrefix: "9x" })).toThrow(/resourcePrefix must start with a letter/);
  });

  it("refuses a shard too large for the provisioner's environment, naming the shard and what to raise", () => {
    const users = Array.from({ length: 1300 }, (_, i) => desired(`EMP${i}`, { name: "x".repeat(200) }));
    expect(() => synth(users, { shards: 1 })).toThrow(
      /shard ruangkerja_0 holds 1300 users, more than 252000 characters .* raise `shards` \(now 1\)/,
    );
    expect(() => synth(users.slice(0, 800), { shards: 1 })).not.toThrow();
    // Characters of many bytes: fewer fit in one piece.
    const wide = Array.from({ length: 150 }, (_, i) => desired(`EMP${i}`, { name: `e${"\u0301".repeat(20)}`.repeat(50) }));
    expect(() => synth(wide, { shards: 1 })).toThrow(/a character of 41 bytes .* larger than 100 KiB: raise/);
    // The same text in a small shard is fine: the whole map fits in one piece.
    expect(() => synth(wide.slice(0, 2), { shards: 1 })).not.toThrow();
  });

  it("never reads the token: a token in the environment is not in the synthesized JSON", () => {
    const saved = process.env.RUANGKERJA_TOKEN;
    process.env.RUANGKERJA_TOKEN = "synth-marker-4411";
    try {
      expect(synth([desired("EMP001")]).text).not.toContain("synth-marker-4411");
    } finally {
      if (saved === undefined) delete process.env.RUANGKERJA_TOKEN;
      else process.env.RUANGKERJA_TOKEN = saved;
    }
  });
});

describe("RuangkerjaUsers.load", () => {
  it("loads and validates with the CLI's code", async () => {
    const app = Testing.app();
    const stack = new TerraformStack(app, "test");
    const construct = await RuangkerjaUsers.load(stack, "ruangkerja", { dir: "valid", cwd: FIXTURES, engine: "terraform_data" });
    expect(construct.users.map((u) => u.employeeID).length).toBeGreaterThan(0);
    expect(construct.shards).toHaveLength(8);
  });

  it("throws every diagnostic with its file:line:column when the declarations are invalid, and builds nothing", async () => {
    const app = Testing.app();
    const stack = new TerraformStack(app, "test");
    const error = await RuangkerjaUsers.load(stack, "ruangkerja", { dir: "invalid", cwd: FIXTURES }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidInputError);
    const { message, diagnostics } = error as InvalidInputError;
    expect(diagnostics.length).toBeGreaterThanOrEqual(2);
    expect(message).toMatch(/invalid\/sales\.yaml:5:\d+: error: .*phone/);
    expect(message).toMatch(/invalid\/sales\.yaml:\d+:\d+: error: .*email/i);
    expect(message).toMatch(/invalid\/finance\/accounting\.yaml:\d+:\d+: error/);
    for (const d of diagnostics) expect(message).toContain(`${d.location?.file}:${d.location?.line}:${d.location?.column}`);
    expect(stack.node.children).toHaveLength(0);
  });
});

const terraformOnPath =
  spawnSync("terraform", ["version"], { timeout: 30_000, env: { ...process.env, CHECKPOINT_DISABLE: "1" } }).status === 0;
if (!terraformOnPath) console.warn("Skipping toBeValidTerraform: terraform is not on PATH");

describe.skipIf(!terraformOnPath)("with terraform on PATH", () => {
  it("is valid Terraform (cdktf's toBeValidTerraform runs terraform validate on a full synth)", () => {
    const app = Testing.app();
    const stack = new TerraformStack(app, "test");
    new RuangkerjaUsers(stack, "ruangkerja", {
      declarations: { users: [desired("EMP001", { name: '${file("x")}' }), desired("EMP002")], diagnostics: [] },
      engine: "terraform_data",
      shards: 4,
    });
    process.env.CHECKPOINT_DISABLE = "1";
    expect(Testing.toBeValidTerraform(Testing.fullSynth(stack))).toBe(true);
  });
});
