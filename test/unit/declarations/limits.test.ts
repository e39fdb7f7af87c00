/**
 * Validation stays linear and its report bounded, whatever a file holds (docs/limits.md): inputs
 * that took minutes (100,000 unknown keys in one user, 100,000 users with unquoted phones, 200,000
 * previousEmployeeIDs) and values of megabytes are refused with located errors and a report of a
 * few kilobytes. No test here measures time: `npm run bench` does ("validate refuses …" rows).
 */
import fc from "fast-check";
import { parseDocument } from "yaml";
import { afterEach, describe, expect, it } from "vitest";
import { checkCrossFileRules } from "../../../src/declarations/cross-file-rules.js";
import { DiagnosticLimit, limitDiagnostics, MAX_DIAGNOSTICS_PER_KIND, problemsCounted } from "../../../src/diagnostic-limit.js";
import { loadDeclarations } from "../../../src/declarations/index.js";
import type { DeclaredUser } from "../../../src/declarations/declared-user.js";
import { suggestField } from "../../../src/declarations/suggest.js";
import { findNode, parseYamlSource } from "../../../src/declarations/yaml-source.js";
import { type Diagnostic, formatDiagnostics, formatGithubAnnotations, formatLocation, hasErrors } from "../../../src/diagnostics.js";
import { LIMIT_CASES } from "../../hostile/limit-cases.js";
import { cleanup, makeTree } from "./helpers.js";

const MB = 1024 * 1024;
/** What a run may print about one file, however broken: terminal text and GitHub annotations together. */
const MAX_REPORT_BYTES = 64 * 1024;
/** The largest inputs parse in seconds; a shared, busy machine gets room. */
const BIG = 180_000;

function lines(count: number, line: (i: number) => string): string {
  const out: string[] = new Array<string>(count);
  for (let i = 0; i < count; i++) out[i] = line(i);
  return `${out.join("\n")}\n`;
}

const oneUser = (extra: string) => `users:\n  - employeeID: A1\n    name: Budi\n    email: a1@contoh.co.id\n${extra}`;

/** Everything a CLI run prints of these diagnostics, as stderr would hold it (plain and under GitHub Actions). */
function report(diagnostics: readonly Diagnostic[]): string {
  return `${formatDiagnostics(diagnostics, { color: false })}\n${formatGithubAnnotations(diagnostics)}`;
}

let root: string | undefined;
afterEach(async () => {
  await cleanup(root);
  root = undefined;
});

async function load(files: Readonly<Record<string, string>>) {
  root = await makeTree(files);
  const result = await loadDeclarations({ dir: "users", cwd: root });
  const text = report(result.diagnostics);
  expect(hasErrors(result.diagnostics), text.slice(0, 2000)).toBe(true);
  expect(Buffer.byteLength(text), text.slice(0, 2000)).toBeLessThan(MAX_REPORT_BYTES);
  return { ...result, text };
}

const located = (d: Diagnostic) => formatLocation(d.location);

describe("the inputs of issue 13, at full size", () => {
  it(
    "100,000 unknown keys in one user: the first 100, then one line for the other 99,900",
    async () => {
      const { diagnostics } = await load({ "users/a.yaml": oneUser(lines(100_000, (i) => `    k${i}: v`)) });
      expect(diagnostics).toHaveLength(MAX_DIAGNOSTICS_PER_KIND + 1);
      expect(diagnostics[0]).toMatchObject({ summary: 'unknown field "k0" in user A1', field: "users[0].k0" });
      expect(located(diagnostics[0] as Diagnostic)).toBe("users/a.yaml:5:5");
      const last = diagnostics[MAX_DIAGNOSTICS_PER_KIND] as Diagnostic;
      expect(last.summary).toBe('…and 99,900 more like this, not shown; the next: unknown field "k100" in user A1');
      expect(located(last)).toBe("users/a.yaml:105:5");
    },
    BIG,
  );

  it(
    "100,000 users with unquoted phones",
    async () => {
      const file = `users:\n${lines(100_000, (i) => `  - employeeID: E${i}\n    name: Budi\n    phone: ${6281100000 + i}`)}`;
      const { diagnostics } = await load({ "users/a.yaml": file });
      expect(diagnostics).toHaveLength(MAX_DIAGNOSTICS_PER_KIND + 1);
      expect(diagnostics[0]?.summary).toBe("phone 6281100000 is read by YAML as a number, not as text");
      expect(diagnostics.at(-1)?.summary).toMatch(/^…and 99,900 more like this, not shown; the next: phone 6281100100 /);
      expect(located(diagnostics.at(-1) as Diagnostic)).toBe("users/a.yaml:304:12");
    },
    BIG,
  );

  it(
    "200,000 previousEmployeeIDs: refused by the list's bound, one error",
    async () => {
      const { diagnostics } = await load({
        "users/a.yaml": oneUser(`    previousEmployeeIDs:\n${lines(200_000, (i) => `      - P${i}`)}`),
      });
      expect(diagnostics.map((d) => [located(d), d.summary])).toEqual([
        ["users/a.yaml:6:7", "previousEmployeeIDs lists 200,000 items, more than the 100 allowed"],
      ]);
    },
    BIG,
  );

  it("a 2 MB one-line value, a 1 MB name, a 2 MB file of one line: refused by length or quoted as an excerpt", async () => {
    const { diagnostics } = await load({
      "users/a.yaml": `users: [{employeeID: A1, name: "${"x".repeat(2 * MB)}", email: a1@contoh.co.id}]\n`,
      "users/b.yaml": `users:\n  - employeeID: B1\n    name: ${"Budi ".repeat(MB / 5)}S\n    email: b1@contoh.co.id\n`,
      "users/c.yaml": `${"lorem ipsum ".repeat((2 * MB) / 12)}\n`,
      "users/d.yaml": `users:\n  - employeeID: D1\n    name: Budi\n    email: d1@contoh.co.id\n    isActive: "${"ya ".repeat(MB)}"\n    ${"k".repeat(1000)}: "${"v".repeat(MB)}"\n`,
    });
    const byFile = (file: string) => diagnostics.filter((d) => d.location?.file === file).map((d) => d.summary);
    expect(byFile("users/a.yaml")).toEqual(["name is longer than 200 characters (it has 2,097,152)"]);
    const nameLength = "Budi ".repeat(MB / 5).length + 1;
    expect(byFile("users/b.yaml")).toEqual([`name is longer than 200 characters (it has ${nameLength.toLocaleString("en-US")})`]);
    expect(byFile("users/c.yaml")).toEqual([
      `the file must be a mapping with a users: list, but it is text ("${"lorem ipsum ".repeat(7).slice(0, 80)}…")`,
    ]);
    expect(byFile("users/d.yaml")).toEqual([
      `isActive "${"ya ".repeat(27).slice(0, 80)}…" is text, not true or false`,
      `unknown field "${"k".repeat(80)}…" in user D1`,
    ]);
    expect(diagnostics.find((d) => d.summary.startsWith("unknown field"))?.field).toBe(`users[0].${"k".repeat(151)}…`);
    for (const d of diagnostics) expect(`${d.summary}${d.detail ?? ""}${d.field ?? ""}`.length, d.summary).toBeLessThan(1000);
  });

  it("custom tags: errors, and no user of the file is declared", async () => {
    const { diagnostics, users } = await load({
      "users/a.yaml": `users:\n  - employeeID: A1\n    name: !env BUDI_NAME\n    email: a1@contoh.co.id\n`,
      "users/b.yaml": `users:\n  - employeeID: B1\n    name: Budi\n    isActive: !!js/function "function () { return true }"\n    phone: '62811'\n`,
      "users/c.yaml": `users:\n  - employeeID: !<tag:example.com,2000:id> C1\n    name: Budi\n    phone: '62811'\n`,
    });
    expect(diagnostics.filter((d) => d.summary.startsWith("YAML: unresolved tag")).map((d) => [d.severity, located(d), d.summary])).toEqual(
      [
        ["error", "users/a.yaml:3:11", "YAML: unresolved tag: !env"],
        ["error", "users/b.yaml:4:15", "YAML: unresolved tag: !!js/function"],
        ["error", "users/c.yaml:2:17", "YAML: unresolved tag: !<tag:example.com,2000:id>"],
      ],
    );
    // What the tag left (a text where true or false belongs) is the schema's, as without the tag.
    expect(diagnostics.map((d) => d.summary)).toContain('isActive "function () { return true }" is text, not true or false');
    expect(users).toEqual([]);
  });
});

describe("the limit cases of the hostile corpus, in process", () => {
  it.each(LIMIT_CASES.map((c) => [c.id, c] as const))(
    "%s: refused where the corpus says, with a bounded report",
    async (_id, testCase) => {
      const { diagnostics, text } = await load(testCase.files as Record<string, string>);
      expect(
        diagnostics.some((d) => located(d).startsWith(testCase.at)),
        text.slice(0, 2000),
      ).toBe(true);
      expect(text).toMatch(testCase.says);
    },
    BIG,
  );
});

describe("DiagnosticLimit", () => {
  const problem = (kind: string, i: number): Diagnostic => ({
    severity: "error",
    summary: `${kind} ${i}`,
    field: `f${i}`,
    location: { file: "a.yaml", line: i + 1, column: 1 },
  });

  it("builds the first 100 of each kind and the first one past them, and counts the rest", () => {
    const limit = new DiagnosticLimit();
    const out: Diagnostic[] = [];
    let built = 0;
    for (let i = 0; i < 1000; i++) {
      for (const kind of ["a", "b"]) {
        limit.add(out, kind, () => {
          built++;
          return problem(kind, i);
        });
      }
    }
    limit.add(out, "c", () => problem("c", 0));
    expect(built).toBe(2 * 101);
    expect(out).toHaveLength(201);
    expect(limit.summaries()).toEqual([
      expect.objectContaining({ summary: "…and 900 more like this, not shown; the next: a 100", field: "f100" }),
      expect.objectContaining({ summary: "…and 900 more like this, not shown; the next: b 100", location: problem("b", 100).location }),
    ]);
  });

  it("limits across files: kinds add up, the files' summaries become one", () => {
    const perFile = (file: string) => {
      const limit = new DiagnosticLimit();
      const out: Diagnostic[] = [];
      for (let i = 0; i < 150; i++) limit.add(out, "typo", () => ({ ...problem("typo", i), location: { file, line: i + 1, column: 1 } }));
      return [...out, ...limit.summaries()];
    };
    const own: Diagnostic = { severity: "warning", summary: "not limited" };
    const all = limitDiagnostics([...perFile("a.yaml"), own, ...perFile("b.yaml")]);
    expect(all.filter((d) => d.summary.startsWith("typo"))).toHaveLength(100);
    expect(all).toContain(own);
    const summaries = all.filter((d) => d.summary.startsWith("…and"));
    expect(summaries.map((d) => [d.summary, located(d)])).toEqual([
      ["…and 200 more like this, not shown; the next: typo 100", "a.yaml:101:1"],
    ]);
    // What the output stands for: every problem, shown or counted.
    expect(all.filter((d) => d.summary.includes("typo")).reduce((n, d) => n + problemsCounted(d), 0)).toBe(300);
    expect(problemsCounted(own)).toBe(1);
  });
});

describe("keys written twice, found in one pass", () => {
  const OPTIONS = { prettyErrors: false, schema: "core", version: "1.2", logLevel: "error" } as const;
  const errorsOf = (errors: readonly { code: string; pos: [number, number] }[]) => errors.map((e) => `${e.code}@${e.pos[0]}`).sort();

  it("reports exactly the DUPLICATE_KEY errors of yaml's uniqueKeys, at the same places", () => {
    const name = fc.constantFrom("a", "b", "'a'", '"a"', "1", "1.0", "0x1", "~", "null", "", "true", "True", ".nan", "[a]", "{a: 1}");
    const props = fc.constantFrom("", "", "", "!!str ", "&x ", "!!null ");
    const key = fc.tuple(props, name).map(([p, n]) => `${p}${n}`);
    const value = fc.constantFrom("1", "x", "[1, 2]", "{a: 1, a: 2}");
    const comment = fc.constantFrom("", "", "", "# note");
    const block = fc.array(fc.tuple(comment, key, value), { minLength: 1, maxLength: 6 });
    const document = fc.oneof(
      block.map((pairs) => pairs.map(([c, k, v]) => `${c ? `${c}\n` : ""}${k}: ${v}`).join("\n")),
      block.map((pairs) => `{${pairs.map(([, k, v]) => `${k}: ${v}`).join(", ")}}`),
      fc
        .array(block, { minLength: 1, maxLength: 3 })
        .map((items) =>
          items
            .map((pairs) => pairs.map(([c, k, v], i) => `${c && i > 0 ? `  ${c}\n` : ""}${i === 0 ? "- " : "  "}${k}: ${v}`).join("\n"))
            .join("\n"),
        ),
      block.map((pairs) => `top:\n${pairs.map(([c, k, v]) => `${c ? `  ${c}\n` : ""}  ${k}: ${v}`).join("\n")}`),
    );
    fc.assert(
      fc.property(document, (text) => {
        const expected = parseDocument(text, { ...OPTIONS, uniqueKeys: true }).errors.filter((e) => e.code === "DUPLICATE_KEY");
        const found = parseYamlSource("a.yaml", text).doc.errors.filter((e) => e.code === "DUPLICATE_KEY");
        expect(errorsOf(found), text).toEqual(errorsOf(expected));
      }),
      { numRuns: 1000, seed: 13 },
    );
  });

  it("finds the first entry of a key in a mapping, as the data names it", () => {
    const source = parseYamlSource("a.yaml", "users:\n  - name: A\n    ~: n\n    name: B\n    1: one\n");
    expect(findNode(source, ["users", 0, "name"]).node?.range?.[0]).toBe(17);
    expect(findNode(source, ["users", 0, ""]).exact).toBe(true);
    expect(findNode(source, ["users", 0, 1]).exact).toBe(true);
    expect(findNode(source, ["users", 0, "nothing"]).exact).toBe(false);
  });
});

describe("what else used to grow faster than the input", () => {
  it("a did-you-mean for a key far longer than any field compares nothing", () => {
    expect(suggestField("e".repeat(MB), ["email", "employeeID"])).toBeUndefined();
    expect(suggestField("emial", ["email", "employeeID"])).toBe("email");
    expect(suggestField("employeeIDss", ["email", "employeeID"])).toBe("employeeID");
  });

  it("a previous ID held by many users is named with a count, and the rules report the first 100 of each kind", () => {
    const at = (line: number) => ({ file: "a.yaml", line, column: 5 });
    const users: DeclaredUser[] = [];
    for (let i = 0; i < 3000; i++) users.push({ index: i, source: at(i + 1), employeeID: "X", email: `x${i}@contoh.co.id` });
    for (let i = 0; i < 3000; i++) users.push({ index: 3000 + i, source: at(3001 + i), employeeID: `E${i}`, previousEmployeeIDs: ["X"] });
    const diagnostics = checkCrossFileRules(users, (d) => d.source);
    const renamed = diagnostics.filter((d) => d.summary.startsWith("previousEmployeeIDs of"));
    expect(renamed).toHaveLength(100);
    expect(renamed[0]?.summary).toBe(
      'previousEmployeeIDs of user E0 lists "X", which is the employeeID of user X (a.yaml:1:5), user X (a.yaml:2:5), user X (a.yaml:3:5) and 2997 more',
    );
    expect(diagnostics.filter((d) => d.summary.startsWith("…and")).map((d) => d.summary.slice(0, 40))).toEqual([
      "…and 2,900 more like this, not shown; th",
      "…and 2,900 more like this, not shown; th",
      "…and 2,900 more like this, not shown; th",
    ]);
    expect(diagnostics).toHaveLength(3 * 101);
  });
});
