/** The shard maps Terraform hands to tf-sync: what they may hold, passwordEnv names included (docs/password-env.md). */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { DECLARATIONS_SCHEMA_PATH } from "../../../src/declarations/schema.js";
import { isPasswordEnvName, PASSWORD_ENV_NAME, parseShardMap } from "../../../src/tf-sync/records.js";

const entry = (extra: Record<string, unknown> = {}) => ({ E1: { employeeID: "E1", name: "Budi", isActive: true, ...extra } });

describe("parseShardMap", () => {
  it("keeps a passwordEnv that names a RUANGKERJA_PASSWORD_ variable, and a null one (Terraform's absent)", () => {
    expect(parseShardMap(JSON.stringify(entry({ passwordEnv: "RUANGKERJA_PASSWORD_E1" })), "users").E1).toMatchObject({
      passwordEnv: "RUANGKERJA_PASSWORD_E1",
    });
    expect(() => parseShardMap(JSON.stringify(entry({ passwordEnv: null })), "users")).not.toThrow();
  });

  it.each([
    "RUANGKERJA_TOKEN",
    "RUANGKERJA_CLIENT_SECRET",
    "HOME",
    "ruangkerja_password_e1",
    "RUANGKERJA_PASSWORD_",
    `RUANGKERJA_PASSWORD_${"X".repeat(81)}`,
  ])("refuses a map whose passwordEnv is %s (a cdk.tf.json edited by hand): the provisioner's environment holds the token", (name) => {
    expect(() => parseShardMap(JSON.stringify(entry({ passwordEnv: name })), "RUANGKERJA_TF_USERS")).toThrow(
      'RUANGKERJA_TF_USERS: entry "E1" has a passwordEnv that is not a RUANGKERJA_PASSWORD_ variable (see docs/password-env.md)',
    );
  });

  it("refuses a passwordEnv that is not text, such as the { name, source } a construct once wrote", () => {
    const old = entry({ passwordEnv: { name: "RUANGKERJA_PASSWORD_E1", source: { file: "users/a.yaml", line: 5, column: 5 } } });
    expect(() => parseShardMap(JSON.stringify(old), "users")).toThrow(/passwordEnv that is not a RUANGKERJA_PASSWORD_ variable/);
  });

  it("checks the names with the schema's rule: the same pattern, and its 100 characters", () => {
    const schema = JSON.parse(readFileSync(DECLARATIONS_SCHEMA_PATH, "utf8")) as {
      definitions: { user: { properties: { passwordEnv: { pattern: string; maxLength: number } } } };
    };
    const { pattern, maxLength } = schema.definitions.user.properties.passwordEnv;
    expect(PASSWORD_ENV_NAME.source).toBe(pattern);
    expect(isPasswordEnvName(`RUANGKERJA_PASSWORD_${"X".repeat(maxLength - 20)}`)).toBe(true);
    expect(isPasswordEnvName(`RUANGKERJA_PASSWORD_${"X".repeat(maxLength - 19)}`)).toBe(false);
  });
});
