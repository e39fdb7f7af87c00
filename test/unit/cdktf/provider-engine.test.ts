/**
 * The construct's default engine: our provider's block and one bulk `ruangkerja_users` resource,
 * synthesized with cdktf's Testing helpers and with a real App (which also writes the provider's
 * launcher into the stack's terraform.d/plugins).
 */
import { mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { App, Testing, TerraformStack } from "cdktf";
import { describe, expect, it } from "vitest";
import { RuangkerjaUsers, type RuangkerjaUsersLoadedProps } from "../../../src/cdktf/index.js";
import { TOOL_VERSION } from "../../../src/cli/tool-version.js";
import { ConfigError } from "../../../src/errors.js";
import type { DesiredUser } from "../../../src/model.js";
import { launcherScript, packageHash, providerPath, terraformPlatform } from "../../../src/provider/install.js";
import { desired } from "../../builders.js";

interface Synthesized {
  terraform: { required_providers: Record<string, { source: string; version: string }> };
  provider: { ruangkerja: Record<string, unknown>[] };
  resource: { ruangkerja_users: Record<string, { users: Record<string, string>; provider?: string }> };
}

function synth(users: DesiredUser[], props: Partial<RuangkerjaUsersLoadedProps> = {}): Synthesized {
  const text = Testing.synthScope((scope) => {
    new RuangkerjaUsers(scope, "ruangkerja", { declarations: { users, diagnostics: [] }, ...props });
  });
  return JSON.parse(text) as Synthesized;
}

describe("the construct's provider engine (the default)", () => {
  it("synthesizes required_providers at this version, the provider block, and one resource holding every user", () => {
    const json = synth([desired("EMP002"), desired("EMP001", { tagSerials: ["t2", "t1"], previousEmployeeIDs: ["OLD1"] })], {
      chunkSize: 50,
      allowMassDeactivation: true,
      maxDeactivate: "25",
    });
    expect(json.terraform.required_providers.ruangkerja).toEqual({ source: "ruangkerja/ruangkerja", version: TOOL_VERSION });
    expect(json.provider.ruangkerja).toEqual([{ chunk_size: 50, allow_mass_deactivation: true, max_deactivate: "25" }]);
    const resource = json.resource.ruangkerja_users.ruangkerja;
    expect(resource?.provider).toBe("ruangkerja");
    expect(Object.keys(resource?.users ?? {})).toEqual(["EMP001", "EMP002"]);
    // Canonical JSON: the fields in a fixed order, those not set left out.
    expect(resource?.users.EMP001).toBe(
      '{"name":"Name EMP001","email":"emp001@example.co.id","is_active":true,"tag_serials":["t2","t1"],"previous_employee_ids":["OLD1"]}',
    );
    expect(resource?.users.EMP002).toBe('{"name":"Name EMP002","email":"emp002@example.co.id","is_active":true}');
  });

  it("writes the password's variable by name only, and escapes what Terraform would read as a template", () => {
    const source = { file: "users/a.yaml", line: 4, column: 3 };
    const name = '${file("secret")} %{ if true } ${TfToken[TOKEN.1]}';
    const json = synth([desired("EMP001", { name, passwordEnv: { name: "RUANGKERJA_PASSWORD_EMP001", source } })]);
    const text = json.resource.ruangkerja_users.ruangkerja?.users.EMP001 ?? "";
    expect(text).toBe(
      '{"name":"$${file(\\"secret\\")} %%{ if true } ${"$"}{TfToken[TOKEN.1]}","email":"emp001@example.co.id","is_active":true,"password_env":"RUANGKERJA_PASSWORD_EMP001"}',
    );
    expect(JSON.stringify(json)).not.toContain("users/a.yaml");
  });

  it("synthesizes text that Terraform's template reading turns back into the JSON of the name as written", () => {
    const name = 'Budi ${file("secret")} %{ if true }x%{ endif } $${literal} ${TfToken[TOKEN.1]} "quoted" \\ back';
    const json = synth([desired("EMP001", { name })]);
    const text = json.resource.ruangkerja_users.ruangkerja?.users.EMP001 ?? "";
    // Terraform's reading of a JSON-syntax string: `$${` and `%%{` are the literal `${` and `%{`, `${"$"}` is `$`.
    const read = text.replaceAll('${"$"}', "$").replaceAll("$${", "${").replaceAll("%%{", "%{");
    expect((JSON.parse(read) as { name: string }).name).toBe(name);
  });

  it("adds one provider block for two constructs in a stack", () => {
    const text = Testing.synthScope((scope) => {
      new RuangkerjaUsers(scope, "staff", { declarations: { users: [desired("EMP001")], diagnostics: [] } });
      new RuangkerjaUsers(scope, "interns", { declarations: { users: [desired("INT001")], diagnostics: [] } });
    });
    const json = JSON.parse(text) as Synthesized;
    expect(json.provider.ruangkerja).toHaveLength(1);
    expect(Object.keys(json.resource.ruangkerja_users).sort()).toEqual(["interns", "staff"]);
  });

  it.each([
    [{ shards: 4 }, "shards"],
    [{ syncCommand: "x" }, "syncCommand"],
    [{ removal: "keep" as const }, 'removal: "keep"'],
    [{ apiUrl: "https://elsewhere.example" }, "apiUrl"],
  ])("refuses %o, which only the terraform_data engine takes", (props, named) => {
    expect(() => synth([desired("EMP001")], props)).toThrow(ConfigError);
    expect(() => synth([desired("EMP001")], props)).toThrow(`${named} apply to engine "terraform_data" only`);
  });

  it("writes the provider's launcher into the synthesized stack's terraform.d/plugins, with no path of this machine", async () => {
    const outdir = await mkdtemp(join(tmpdir(), "rk-provider-synth-"));
    try {
      const app = new App({ outdir, skipValidation: true });
      const stack = new TerraformStack(app, "users");
      new RuangkerjaUsers(stack, "ruangkerja", { declarations: { users: [desired("EMP001")], diagnostics: [] } });
      app.synth();
      for (const platform of ["linux_amd64", "linux_arm64", "darwin_amd64", "darwin_arm64", terraformPlatform()]) {
        const launcher = join(outdir, "stacks/users/terraform.d/plugins", providerPath(TOOL_VERSION, platform));
        const text = await readFile(launcher, "utf8");
        expect(text).toBe(launcherScript(TOOL_VERSION));
        expect(text).not.toContain(outdir);
        expect((await stat(launcher)).mode & 0o111).toBe(0o111);
      }
      // The lock file cdktf deploy needs to skip `terraform providers lock` (which asks the registry).
      const lock = await readFile(join(outdir, "stacks/users/.terraform.lock.hcl"), "utf8");
      expect(lock).toContain(`provider "registry.terraform.io/ruangkerja/ruangkerja" {\n  version     = "${TOOL_VERSION}"`);
      expect(lock).toContain(packageHash(TOOL_VERSION));
    } finally {
      await rm(outdir, { recursive: true, force: true });
    }
  });
});
