import { describe, expect, it } from "vitest";
import { launcherScript, providerPath, terraformPlatform } from "../../../src/provider/install.js";

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
});
