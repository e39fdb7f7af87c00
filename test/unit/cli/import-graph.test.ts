/**
 * The CLI must not load cdktf (archived upstream, and heavy), and the entry Terraform's
 * provisioners start once per changed shard must stay lean. Read from the built files' static and
 * dynamic imports, followed through every relative module.
 */
import { readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT } from "../../e2e/helpers.js";

const IMPORT =
  /(?:^|[\s;])(?:import|export)\s[^"'`;]*?from\s*["']([^"']+)["']|(?:^|[\s;])import\s*["']([^"']+)["']|import\(\s*["']([^"']+)["']\s*\)/g;

/** Modules the entry can load: relative files (as paths under dist/) and packages (by name). */
function importGraph(entry: string): { files: Set<string>; packages: Set<string> } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const pending = [resolve(ROOT, entry)];
  while (pending.length > 0) {
    const file = pending.pop() as string;
    const name = relative(join(ROOT, "dist"), file);
    if (files.has(name)) continue;
    files.add(name);
    for (const match of readFileSync(file, "utf8").matchAll(IMPORT)) {
      const specifier = (match[1] ?? match[2] ?? match[3]) as string;
      if (specifier.startsWith(".")) pending.push(resolve(dirname(file), specifier));
      else if (!specifier.startsWith("node:"))
        packages.add(specifier.startsWith("@") ? specifier.split("/").slice(0, 2).join("/") : (specifier.split("/")[0] as string));
    }
  }
  return { files, packages };
}

describe("import graphs of the built entries", () => {
  it("the CLI (dist/cli/main.js) loads neither cdktf, constructs nor anything under dist/cdktf", () => {
    const { files, packages } = importGraph("dist/cli/main.js");
    expect(files.has("cli/commands/tf-sync.js")).toBe(true); // the graph is really followed
    expect(packages).toContain("commander");
    expect(packages).not.toContain("cdktf");
    expect(packages).not.toContain("constructs");
    expect([...files].filter((f) => f.startsWith("cdktf/"))).toEqual([]);
  });

  it("the library's main entry (dist/index.js) does not load cdktf either: the construct is the ./cdktf entry", () => {
    const { packages } = importGraph("dist/index.js");
    expect(packages).not.toContain("cdktf");
    expect(importGraph("dist/cdktf/index.js").packages).toContain("cdktf");
  });

  it("the provisioners' entry (dist/cli/tf-sync.js) loads only the client and the apply engine: no commander, YAML or JSON Schema", () => {
    const { files, packages } = importGraph("dist/cli/tf-sync.js");
    expect(files.has("apply/apply-plan.js")).toBe(true);
    expect([...packages].sort()).toEqual(["ky", "picocolors"]);
    expect([...files].filter((f) => f.startsWith("declarations/") || f.startsWith("cdktf/"))).toEqual([]);
  });
});
