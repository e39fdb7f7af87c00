/**
 * The floor for plan: what only reading and JSON.parse-ing the same data costs. Reads every
 * `*.json` file of the folder given (the declarations, converted to JSON by generate.ts: the same
 * documents, compact) and the state file, if one is given, each with readFileSync(…, "utf8") and
 * JSON.parse, in one process started like the CLI's; prints how many users it read. No
 * validation, no defaults, no plan, no output beyond that count.
 * Usage: node json-floor.js <declarations-json-folder> [state.json]
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

const [folder, statePath] = process.argv.slice(2);
if (!folder) throw new Error("usage: json-floor.js <declarations-json-folder> [state.json]");
let declared = 0;
for (const name of readdirSync(folder).sort()) {
  if (!name.endsWith(".json")) continue;
  const document = JSON.parse(readFileSync(join(folder, name), "utf8")) as { users: unknown[] };
  declared += document.users.length;
}
const state = statePath ? (JSON.parse(readFileSync(statePath, "utf8")) as { users: unknown[] }) : undefined;
process.stdout.write(`${JSON.stringify({ declared, stateUsers: state?.users.length ?? 0 })}\n`);
