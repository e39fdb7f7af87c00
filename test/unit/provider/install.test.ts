import { describe, expect, it } from "vitest";
import { createHash } from "node:crypto";
import { launcherScript, lockFileWithProvider, packageHash, providerPath, terraformPlatform } from "../../../src/provider/install.js";

describe("the provider's installation", () => {
  it("names Terraform's platforms, and refuses one a shell script cannot serve", () => {
    expect(terraformPlatform("linux", "x64")).toBe("linux_amd64");
    expect(terraformPlatform("darwin", "arm64")).toBe("darwin_arm64");
    expect(() => terraformPlatform("win32", "x64")).toThrow(/POSIX shell script; win32\/x64 is not supported/);
  });

  it("uses the implied local mirror's unpacked layout", () => {
    expect(providerPath("0.1.0", "linux_amd64")).toBe(
      "registry.terraform.io/ruangkerja/ruangkerja/0.1.0/linux_amd64/terraform-provider-ruangkerja_v0.1.0",
    );
  });

  it("writes a launcher that depends on nothing but the version: no path, no single quote inside the sh string", () => {
    const script = launcherScript("0.1.0");
    expect(launcherScript("0.1.0")).toBe(script);
    expect(script.startsWith("#!/bin/sh\n")).toBe(true);
    const js = /^exec node --input-type=module -e '([^']*)'$/m.exec(script)?.[1];
    expect(js).toContain('import.meta.resolve("ruangkerja-users")');
    expect(js).toContain('"provider/main.js"');
    expect(script).not.toMatch(/\/(home|Users|tmp|work)\//);
  });

  it("hashes the unpacked package as Terraform's h1 (dirhash Hash1 of the launcher file), changing with the launcher", () => {
    const file = "terraform-provider-ruangkerja_v0.1.0";
    const line = `${createHash("sha256").update(launcherScript("0.1.0")).digest("hex")}  ${file}\n`;
    expect(packageHash("0.1.0")).toBe(`h1:${createHash("sha256").update(line).digest("base64")}`);
    expect(packageHash("0.1.0")).toMatch(/^h1:[A-Za-z0-9+/]{43}=$/);
    expect(packageHash("0.2.0")).not.toBe(packageHash("0.1.0"));
  });

  it("writes the provider's block of .terraform.lock.hcl, replacing an older one and keeping other providers'", () => {
    const fresh = lockFileWithProvider(undefined, "0.1.0");
    expect(fresh).toContain('provider "registry.terraform.io/ruangkerja/ruangkerja" {\n  version     = "0.1.0"\n');
    expect(fresh).toContain(`    "${packageHash("0.1.0")}",\n`);
    expect(lockFileWithProvider(fresh, "0.1.0")).toBe(fresh);
    const aws = 'provider "registry.terraform.io/hashicorp/aws" {\n  version = "5.0.0"\n  hashes = [\n    "h1:x",\n  ]\n}\n';
    const upgraded = lockFileWithProvider(`${lockFileWithProvider(undefined, "0.0.9")}\n${aws}`, "0.1.0");
    expect(upgraded).not.toContain("0.0.9");
    expect(upgraded.match(/ruangkerja\/ruangkerja/g)).toHaveLength(1);
    expect(upgraded).toContain(`    "${packageHash("0.1.0")}",`);
    expect(upgraded).toContain(aws);
    expect(lockFileWithProvider(aws, "0.1.0")).toBe(`${aws}\n${lockFileWithProvider(undefined, "0.1.0").split("\n\n")[1]}`);
  });
});
