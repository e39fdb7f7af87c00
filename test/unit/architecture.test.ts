/**
 * The shape docs/architecture.md describes, as tests: small files and functions, a pure planner,
 * an emulator that shares no code with the rest, and no import cycle (type imports count: a cycle
 * of types is still two modules that cannot be understood apart). Read from src/ itself.
 */
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import { ROOT } from "../e2e/helpers.js";

const SRC = join(ROOT, "src");
const FILES = readdirSync(SRC, { recursive: true, withFileTypes: true })
  .filter((e) => e.isFile() && e.name.endsWith(".ts"))
  .map((e) => join(e.parentPath, e.name))
  .sort();
const rel = (file: string) => relative(SRC, file).split(sep).join("/");

const IMPORT =
  /(?:^|[\s;])(?:import|export)\s[^"'`;]*?from\s*["']([^"']+)["']|(?:^|[\s;])import\s*["']([^"']+)["']|import\(\s*["']([^"']+)["']\s*\)/g;

/** Every module a file names: relative ones resolved to src/ paths (x.js → x.ts), the rest as written. */
function importsOf(file: string): { local: string[]; external: string[] } {
  const local: string[] = [];
  const external: string[] = [];
  for (const match of readFileSync(file, "utf8").matchAll(IMPORT)) {
    const specifier = (match[1] ?? match[2] ?? match[3]) as string;
    if (specifier.startsWith(".")) local.push(rel(resolve(dirname(file), specifier).replace(/\.js$/, ".ts")));
    else external.push(specifier);
  }
  return { local, external };
}

const GRAPH = new Map(FILES.map((file) => [rel(file), importsOf(file)]));

describe("the code's shape", () => {
  it("finds the source (the scan works)", () => {
    expect(GRAPH.size).toBeGreaterThan(50);
    expect(GRAPH.get("cli/main.ts")?.external).toContain("commander");
  });

  it("no file in src/ is over 400 lines", () => {
    const long = FILES.map((file) => [rel(file), readFileSync(file, "utf8").split("\n").length] as const).filter(([, n]) => n > 400);
    expect(long).toEqual([]);
  });

  it("no function in src/ is over 120 lines, its nested closures included", () => {
    const long: string[] = [];
    for (const file of FILES) {
      const source = ts.createSourceFile(file, readFileSync(file, "utf8"), ts.ScriptTarget.Latest, true);
      const visit = (node: ts.Node, inside: boolean): void => {
        const isFunction = ts.isFunctionLike(node) && "body" in node && node.body !== undefined;
        if (isFunction && !inside) {
          const start = source.getLineAndCharacterOfPosition(node.getStart()).line;
          const end = source.getLineAndCharacterOfPosition(node.getEnd()).line;
          if (end - start + 1 > 120) long.push(`${rel(file)}:${start + 1} (${end - start + 1} lines)`);
        }
        ts.forEachChild(node, (child) => visit(child, inside || isFunction));
      };
      visit(source, false);
    }
    expect(long).toEqual([]);
  });
});

describe("the layers", () => {
  it("the planner (src/plan) does no I/O: no file, network or process module, no state, API, apply or CLI code", () => {
    const io = /^(node:)?(fs|fs\/promises|http|https|net|child_process|os|dgram|tls|worker_threads)$/;
    const found: string[] = [];
    for (const [file, { local, external }] of GRAPH) {
      if (!file.startsWith("plan/")) continue;
      for (const name of external) if (io.test(name)) found.push(`${file} → ${name}`);
      for (const name of local)
        if (/^(state|api|apply|cli|emulator|cdktf|tf-sync|declarations)\//.test(name)) found.push(`${file} → ${name}`);
    }
    expect(found).toEqual([]);
  });

  it("the emulator imports nothing outside src/emulator: it is the other side of the wire", () => {
    const found: string[] = [];
    for (const [file, { local }] of GRAPH) {
      if (!file.startsWith("emulator/")) continue;
      for (const name of local) if (!name.startsWith("emulator/")) found.push(`${file} → ${name}`);
    }
    expect(found).toEqual([]);
  });

  // The other entry points (the construct, the Terraform provider's process) share the CLI's edge: its environment reading.
  it("nothing outside src/cli, src/cdktf and src/provider imports the CLI", () => {
    const found: string[] = [];
    for (const [file, { local }] of GRAPH) {
      if (file.startsWith("cli/") || file.startsWith("cdktf/") || file.startsWith("provider/")) continue;
      for (const name of local) if (name.startsWith("cli/")) found.push(`${file} → ${name}`);
    }
    expect(found).toEqual([]);
  });

  it("no import cycle, type imports included", () => {
    const cycles: string[] = [];
    const state = new Map<string, "open" | "done">();
    const stack: string[] = [];
    const visit = (file: string): void => {
      state.set(file, "open");
      stack.push(file);
      for (const next of GRAPH.get(file)?.local ?? []) {
        if (!GRAPH.has(next)) continue;
        if (state.get(next) === "open") cycles.push([...stack.slice(stack.indexOf(next)), next].join(" → "));
        else if (!state.has(next)) visit(next);
      }
      stack.pop();
      state.set(file, "done");
    };
    for (const file of GRAPH.keys()) if (!state.has(file)) visit(file);
    expect(cycles).toEqual([]);
  });
});
