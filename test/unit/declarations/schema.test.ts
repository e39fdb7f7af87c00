import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, isAbsolute, join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { DECLARATIONS_SCHEMA_PATH } from "../../../src/declarations/index.js";
import { createAjv, declarationsKnownFields, declarationsSchema } from "../../../src/declarations/schema.js";

const REPO = resolve(import.meta.dirname, "../../..");

interface SchemaNode {
  title?: string;
  description?: string;
  examples?: unknown[];
  properties?: Record<string, SchemaNode>;
  $ref?: string;
}

function yamlFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && /\.ya?ml$/.test(e.name))
    .map((e) => join(e.parentPath, e.name));
}

describe("schemas/users.schema.json", () => {
  it("is where DECLARATIONS_SCHEMA_PATH says, as an absolute path", () => {
    expect(isAbsolute(DECLARATIONS_SCHEMA_PATH)).toBe(true);
    expect(DECLARATIONS_SCHEMA_PATH).toBe(join(REPO, "schemas", "users.schema.json"));
    expect(existsSync(DECLARATIONS_SCHEMA_PATH)).toBe(true);
  });

  it("is a valid draft-07 JSON Schema that strict AJV compiles", () => {
    const schema = JSON.parse(readFileSync(DECLARATIONS_SCHEMA_PATH, "utf8"));
    const ajv = createAjv();
    expect(schema.$schema).toBe("http://json-schema.org/draft-07/schema#");
    expect(ajv.validateSchema(schema), JSON.stringify(ajv.errors)).toBe(true);
    expect(() => ajv.compile(schema)).not.toThrow();
  });

  it("gives editors a title or description for every field", () => {
    const schema = declarationsSchema() as SchemaNode & { definitions: Record<string, SchemaNode> };
    const defs = schema.definitions;
    const resolveRef = (node: SchemaNode) => (node.$ref ? (defs[node.$ref.replace("#/definitions/", "")] ?? node) : node);
    for (const [level, container] of [
      ["file", schema],
      ["user", defs.user],
      ["defaults", defs.defaults],
    ] as const) {
      for (const [name, property] of Object.entries(container?.properties ?? {})) {
        const node = resolveRef(property);
        expect(node.description, `${level}.${name}`).toBeTruthy();
      }
    }
  });

  it("has examples that its own rules accept", () => {
    const ajv = createAjv();
    ajv.addSchema(declarationsSchema(), "users");
    const examples: [string, unknown][] = [];
    const walk = (node: unknown, pointer: string) => {
      if (node === null || typeof node !== "object") return;
      for (const [key, child] of Object.entries(node)) {
        if (key === "examples" && Array.isArray(child)) for (const example of child) examples.push([pointer, example]);
        else if (key !== "defaultSnippets") walk(child, `${pointer}/${key}`);
      }
    };
    walk(declarationsSchema(), "");
    expect(examples.length).toBeGreaterThan(10);
    for (const [pointer, example] of examples) {
      expect(ajv.validate({ $ref: `users#${pointer}` }, example), `${pointer}: ${JSON.stringify(example)}`).toBe(true);
    }
  });

  it("names the fields the did-you-mean hints offer", () => {
    expect(declarationsKnownFields()).toEqual({
      file: ["defaults", "users"],
      user: [
        "employeeID",
        "name",
        "username",
        "email",
        "phone",
        "isActive",
        "tagSerials",
        "organizationSerial",
        "previousEmployeeIDs",
        "passwordEnv",
      ],
      defaults: ["isActive", "tagSerials", "organizationSerial"],
    });
  });

  it("is the schema every sample and fixture declaration points to in its modeline", () => {
    const files = [
      ...yamlFiles(join(REPO, "users")),
      ...yamlFiles(join(REPO, "test/fixtures/declarations/valid")).filter((f) => !f.includes("/.")),
    ];
    expect(files.length).toBeGreaterThanOrEqual(3);
    for (const file of files) {
      const first = readFileSync(file, "utf8").split("\n")[0] ?? "";
      const match = /^# yaml-language-server: \$schema=(\S+)$/.exec(first);
      expect(match, file).not.toBeNull();
      expect(resolve(dirname(file), match?.[1] ?? ""), file).toBe(DECLARATIONS_SCHEMA_PATH);
    }
  });
});
