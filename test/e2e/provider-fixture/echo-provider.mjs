// A tiny provider for the protocol's end-to-end test: one resource, ruangkerja_echo, that plans
// its config, fills a computed id on create, records each apply (no secret) in ECHO_LOG, and
// imports the echoes of REMOTE; one data source, ruangkerja_greeting, that greets a name with the
// provider's greeting. Run by Terraform through a launcher; imports the built protocol side from dist/.
import { appendFileSync } from "node:fs";
import process from "node:process";
import { serve } from "../../../dist/provider/protocol/serve.js";
import { UNKNOWN } from "../../../dist/provider/provider-types.js";

const record = (entry) => {
  if (process.env.ECHO_LOG) appendFileSync(process.env.ECHO_LOG, `${JSON.stringify(entry)}\n`);
};

/** What "RuangKerja" already has, for import. */
const REMOTE = {
  "echo-remote": {
    message: "from RuangKerja",
    size: 3,
    tags: { team: "ops" },
    people: { ND0042: { name: "Siti Rahayu", active: false } },
  },
};

const echo = {
  name: "ruangkerja_echo",
  schema: {
    version: 1,
    description: "Echoes its configuration (test fixture).",
    attributes: [
      { name: "id", type: "string", description: "set on create", computed: true },
      { name: "message", type: "string", description: "any text but empty", required: true },
      { name: "size", type: "number", description: "a number", optional: true },
      { name: "tags", type: ["map", "string"], description: "a map", optional: true },
      { name: "people", type: ["map", ["object", { name: "string", active: "bool" }]], description: "people", optional: true },
      { name: "secret", type: "string", description: "write-only", optional: true, writeOnly: true },
    ],
  },
  validate(config) {
    if (config.message === "")
      return [{ severity: "error", summary: "message is empty", detail: "Write some text.", attribute: [{ attribute: "message" }] }];
    return [];
  },
  async plan({ prior, proposed, config }) {
    if (proposed === null) return { planned: null, diagnostics: [] };
    // Careless on purpose: the write-only secret goes back in; the protocol side must null it.
    return { planned: { ...proposed, id: prior?.id ?? UNKNOWN, secret: config.secret }, diagnostics: [] };
  },
  async apply({ prior, planned, config, provider }) {
    record({
      action: planned === null ? "delete" : prior === null ? "create" : "update",
      secretGiven: typeof config?.secret === "string",
      greeting: provider.config.greeting,
    });
    if (planned === null) return { newState: null, diagnostics: [] };
    return { newState: { ...planned, id: prior?.id ?? `echo-${planned.message.length}`, secret: config.secret }, diagnostics: [] };
  },
  async importState({ id, provider }) {
    record({ action: "import", id, greeting: provider.config.greeting });
    const found = REMOTE[id];
    if (!found) return { state: null, diagnostics: [{ severity: "error", summary: `No echo ${id}`, detail: "Try echo-remote." }] };
    // Careless on purpose again: a secret comes back; Terraform refuses it unless the protocol side nulls it.
    return { state: { id, ...found, secret: "from-import" }, diagnostics: [] };
  },
};

const greeting = {
  name: "ruangkerja_greeting",
  schema: {
    version: 0,
    description: "Greets a name (test fixture).",
    attributes: [
      { name: "name", type: "string", description: "who to greet", required: true },
      { name: "text", type: "string", description: "the greeting", computed: true },
      { name: "letters", type: ["list", "string"], description: "the name's letters", computed: true },
    ],
  },
  validate(config) {
    if (config.name === "") return [{ severity: "error", summary: "name is empty", attribute: [{ attribute: "name" }] }];
    return [];
  },
  async read({ config, provider }) {
    return {
      state: { ...config, text: `${provider.config.greeting ?? "hello"}, ${config.name}`, letters: [...config.name] },
      diagnostics: [],
    };
  },
};

await serve({
  name: "ruangkerja",
  schema: {
    version: 0,
    description: "test",
    attributes: [{ name: "greeting", type: "string", description: "a greeting", optional: true }],
  },
  resources: [echo],
  dataSources: [greeting],
  async configure(config) {
    if (config.greeting === "fail")
      return { diagnostics: [{ severity: "error", summary: "greeting refused", attribute: [{ attribute: "greeting" }] }] };
    return { diagnostics: [] };
  },
});
