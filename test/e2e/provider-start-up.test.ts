/**
 * What the provider's validate walk loads. Terraform starts the provider in a process of its own
 * for `terraform validate` and again for every plan and apply, and each of them validates the
 * whole `users` map: checking a valid map must not load `yaml` or the declarations' parser
 * (together ~50 ms per process), which only a map with a problem needs for its messages. Runs the
 * built module in a fresh Node with the preloaded module recorder.
 */
import { spawn } from "node:child_process";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { makeWorkdir, ROOT } from "./helpers.js";

const RECORDER = pathToFileURL(join(ROOT, "test/e2e/module-recorder.mjs")).href;
const VALIDATION = pathToFileURL(join(ROOT, "dist/provider/resources/users-validation.js")).href;

/** Validates `users` (a map of JSON records) with the built provider; the diagnostics' summaries and the modules loaded. */
async function validateRecorded(users: Record<string, string>): Promise<{ summaries: string[]; loaded: string[] }> {
  const work = await makeWorkdir();
  try {
    const record = join(work.dir, "modules.txt");
    const script = `const { validateUsersConfig } = await import(${JSON.stringify(VALIDATION)});
const diagnostics = await validateUsersConfig({ id: null, users: ${JSON.stringify(users)} });
process.stdout.write(JSON.stringify(diagnostics.map((d) => d.summary)));`;
    const stdout = await new Promise<string>((resolvePromise, reject) => {
      const child = spawn(process.execPath, ["--import", RECORDER, "--input-type=module", "-e", script], {
        cwd: work.dir,
        env: { PATH: process.env.PATH ?? "", MODULE_RECORD: record },
        stdio: ["ignore", "pipe", "inherit"],
      });
      let out = "";
      child.stdout.on("data", (d) => (out += d));
      const timer = setTimeout(() => child.kill("SIGKILL"), 30_000);
      child.on("error", reject);
      child.on("close", (code) => {
        clearTimeout(timer);
        if (code === 0) resolvePromise(out);
        else reject(new Error(`the validation process exited ${code}`));
      });
    });
    const loaded = (await readFile(record, "utf8")).split("\n").filter((line) => line !== "");
    return { summaries: JSON.parse(stdout) as string[], loaded };
  } finally {
    await work.cleanup();
  }
}

const yamlOrParser = (loaded: readonly string[]) =>
  loaded.filter((url) => /\/node_modules\/yaml\/|\/dist\/declarations\/(parse-file|yaml-source|yaml-messages)\.js$/.test(url));

const person = (n: number) => JSON.stringify({ name: `Karyawan ${n}`, email: `karyawan.${n}@contoh.co.id`, organization_serial: "COMP1" });

describe("the provider's validation (built)", () => {
  it("checks a valid map without loading yaml or the declarations' parser", async () => {
    const { summaries, loaded } = await validateRecorded({ EMP0001: person(1), EMP0002: person(2) });
    expect(summaries).toEqual([]);
    expect(loaded).toContain(VALIDATION);
    expect(yamlOrParser(loaded)).toEqual([]);
  });

  it("loads the parser for a map with a problem, and names the person and field as before", async () => {
    const { summaries, loaded } = await validateRecorded({
      EMP0001: person(1),
      EMP0002: JSON.stringify({ name: "Eko", phone: "0812 3456" }),
    });
    expect(summaries.length).toBeGreaterThan(0);
    expect(summaries[0]).toMatch(/^users\["EMP0002"\]\.phone: /);
    expect(yamlOrParser(loaded).length).toBeGreaterThan(0);
  });
});
