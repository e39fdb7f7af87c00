/**
 * Preloaded by start-up.test.ts (`node --import`): writes every module the CLI loads, one file URL a
 * line, to the file MODULE_RECORD names. ES modules as the loader hook sees them; CommonJS modules
 * (which require() loads out of the hook's sight) from the require cache when the process exits.
 */
import { appendFileSync, writeFileSync } from "node:fs";
import { createRequire, register } from "node:module";
import process from "node:process";
import { pathToFileURL } from "node:url";

const record = process.env.MODULE_RECORD;
if (record) {
  writeFileSync(record, "");
  const hook = `import { appendFileSync } from "node:fs";
export async function load(url, context, next) {
  appendFileSync(${JSON.stringify(record)}, url + "\\n");
  return next(url, context);
}`;
  register(`data:text/javascript,${encodeURIComponent(hook)}`);
  process.on("exit", () => {
    const files = Object.keys(createRequire(import.meta.url).cache);
    appendFileSync(record, files.map((file) => `${pathToFileURL(file).href}\n`).join(""));
  });
}
