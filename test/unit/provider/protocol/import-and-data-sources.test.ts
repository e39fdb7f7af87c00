/**
 * ImportResourceState and the data source calls, on ProviderCalls directly with fakes of our own
 * contract; then the replies through the embedded descriptor, field numbers checked against
 * tfplugin6.8.proto (ImportResourceState.Response: imported_resources 1, diagnostics 2;
 * ImportedResource: type_name 1, state 2; ReadDataSource.Response: state 1, diagnostics 2;
 * GetMetadata.Response: data_sources 3, resources 4).
 */
import { decode } from "@msgpack/msgpack";
import protobuf from "protobufjs";
import { describe, expect, it } from "vitest";
import { PROTOCOL } from "../../../../src/provider/protocol/descriptor.js";
import { encodeMsgpack, objectType } from "../../../../src/provider/protocol/dynamic-value.js";
import { createLog } from "../../../../src/provider/protocol/log.js";
import { ProviderCalls } from "../../../../src/provider/protocol/provider-calls.js";
import {
  type DataSourceType,
  type ProviderDefinition,
  type ResourceType,
  type TfObject,
  type TfSchema,
  UNKNOWN,
} from "../../../../src/provider/provider-types.js";

const THING: TfSchema = {
  version: 1,
  description: "",
  attributes: [
    { name: "id", type: "string", description: "", computed: true },
    { name: "name", type: "string", description: "", required: true },
    { name: "password", type: "string", description: "", optional: true, writeOnly: true },
  ],
};
const LOOKUP: TfSchema = {
  version: 0,
  description: "",
  attributes: [
    { name: "query", type: "string", description: "", required: true },
    { name: "found", type: ["list", "string"], description: "", computed: true },
  ],
};
const dv = (schema: TfSchema, value: unknown) => ({ msgpack: encodeMsgpack(value as never, objectType(schema.attributes)) });
const msgpackOf = (value: unknown) => decode((value as { msgpack: Uint8Array }).msgpack);
const REMOTE: Readonly<Record<string, TfObject>> = { "t-1": { id: "t-1", name: "Budi", password: "leaked" } };

interface Fakes {
  readonly resource?: Partial<ResourceType>;
  readonly dataSource?: Partial<DataSourceType>;
}

function provider({ resource = {}, dataSource = {} }: Fakes = {}): ProviderCalls {
  const definition: ProviderDefinition = {
    name: "ruangkerja",
    schema: { version: 0, description: "", attributes: [{ name: "url", type: "string", description: "", optional: true }] },
    resources: [
      {
        name: "ruangkerja_thing",
        schema: THING,
        plan: () => Promise.reject(new Error("no plan")),
        apply: () => Promise.reject(new Error("no apply")),
        read: async ({ current }) => ({ newState: REMOTE[current.id as string] ?? null, diagnostics: [] }),
        importState: async ({ id, provider: context }) => {
          if (id === "t-bad")
            return { state: null, diagnostics: [{ severity: "error", summary: `no ${id} at ${context.config.url as string}` }] };
          return { state: REMOTE[id] ?? null, diagnostics: [] };
        },
        ...resource,
      },
      {
        name: "ruangkerja_plain",
        schema: THING,
        plan: () => Promise.reject(new Error("no")),
        apply: () => Promise.reject(new Error("no")),
      },
    ],
    dataSources: [
      {
        name: "ruangkerja_lookup",
        schema: LOOKUP,
        validate: (config) =>
          config.query === "" ? [{ severity: "error", summary: "query is empty", attribute: [{ attribute: "query" }] }] : [],
        read: async ({ config, provider: context }) => ({
          state: { ...config, found: [`${config.query as string}@${context.config.url as string}`] },
          diagnostics: [],
        }),
        ...dataSource,
      },
    ],
    configure: async (config, environment) => ({ context: { config, environment }, diagnostics: [] }),
  };
  return new ProviderCalls(definition, createLog({}), () => undefined);
}

async function configured(fakes?: Fakes): Promise<ProviderCalls> {
  const calls = provider(fakes);
  await calls.ConfigureProvider({ config: { msgpack: encodeMsgpack({ url: "http://127.0.0.1:1" }, ["object", { url: "string" }]) } });
  return calls;
}

describe("ImportResourceState", () => {
  it("refuses before ConfigureProvider, and refuses a resource without importState as before", async () => {
    const early = await provider().ImportResourceState({ type_name: "ruangkerja_thing", id: "t-1" });
    expect(early.diagnostics?.[0]?.summary).toMatch(/not configured/);
    expect(early.imported_resources).toBeUndefined();
    const calls = await configured();
    const plain = await calls.ImportResourceState({ type_name: "ruangkerja_plain", id: "t-1" });
    expect(plain.diagnostics?.[0]?.summary).toBe("Import is not supported yet by ruangkerja_plain");
    const unknown = await calls.ImportResourceState({ type_name: "ruangkerja_nope", id: "t-1" });
    expect(unknown.diagnostics?.[0]?.summary).toMatch(/Unknown resource type "ruangkerja_nope"/);
  });

  it("answers one imported resource of the same type, write-only attributes null, which ReadResource then refreshes", async () => {
    const calls = await configured();
    const reply = await calls.ImportResourceState({ type_name: "ruangkerja_thing", id: "t-1" });
    expect(reply.diagnostics).toEqual([]);
    const imported = reply.imported_resources as { type_name: string; state: unknown; private: Uint8Array }[];
    expect(imported).toHaveLength(1);
    expect(imported[0]?.type_name).toBe("ruangkerja_thing");
    expect(msgpackOf(imported[0]?.state)).toEqual({ id: "t-1", name: "Budi", password: null });
    const read = await calls.ReadResource({
      type_name: "ruangkerja_thing",
      current_state: imported[0]?.state,
      private: imported[0]?.private,
    });
    expect(msgpackOf(read.new_state)).toEqual({ id: "t-1", name: "Budi", password: null });
  });

  it("passes the resource's error diagnostics on, and turns a null state without one into an error", async () => {
    const calls = await configured();
    const bad = await calls.ImportResourceState({ type_name: "ruangkerja_thing", id: "t-bad" });
    expect(bad.diagnostics).toEqual([{ severity: "ERROR", summary: "no t-bad at http://127.0.0.1:1", detail: "" }]);
    expect(bad.imported_resources).toBeUndefined();
    const absent = await calls.ImportResourceState({ type_name: "ruangkerja_thing", id: "t-9" });
    expect(absent.diagnostics?.[0]).toMatchObject({ severity: "ERROR", summary: 'Nothing to import into ruangkerja_thing under "t-9"' });
    expect(absent.imported_resources).toBeUndefined();
  });
});

describe("data sources", () => {
  it("are listed by GetProviderSchema and GetMetadata", async () => {
    const calls = provider();
    const schema = await calls.GetProviderSchema();
    const schemas = schema.data_source_schemas as Record<string, { block: { attributes: { name: string; computed: boolean }[] } }>;
    expect(Object.keys(schemas)).toEqual(["ruangkerja_lookup"]);
    expect(schemas.ruangkerja_lookup?.block.attributes.map((a) => [a.name, a.computed])).toEqual([
      ["query", false],
      ["found", true],
    ]);
    expect((await calls.GetMetadata()).data_sources).toEqual([{ type_name: "ruangkerja_lookup" }]);
  });

  it("validate the config against the data source's schema, and name an unknown type", async () => {
    const calls = provider();
    const empty = await calls.ValidateDataResourceConfig({ type_name: "ruangkerja_lookup", config: dv(LOOKUP, { query: "" }) });
    expect(empty.diagnostics).toEqual([
      { severity: "ERROR", summary: "query is empty", detail: "", attribute: { steps: [{ attribute_name: "query" }] } },
    ]);
    // Validation runs before values are known: unknowns reach validate, which leaves them alone.
    const later = await calls.ValidateDataResourceConfig({ type_name: "ruangkerja_lookup", config: dv(LOOKUP, { query: UNKNOWN }) });
    expect(later.diagnostics).toEqual([]);
    const nope = await calls.ValidateDataResourceConfig({ type_name: "ruangkerja_nope", config: dv(LOOKUP, null) });
    expect(nope.diagnostics?.[0]?.summary).toBe('The ruangkerja provider has no data source "ruangkerja_nope"');
  });

  it("read with a configured provider and answer the state", async () => {
    expect(
      (await provider().ReadDataSource({ type_name: "ruangkerja_lookup", config: dv(LOOKUP, { query: "b" }) })).diagnostics?.[0]?.summary,
    ).toMatch(/not configured/);
    const calls = await configured();
    const reply = await calls.ReadDataSource({ type_name: "ruangkerja_lookup", config: dv(LOOKUP, { query: "budi" }) });
    expect(reply.diagnostics).toEqual([]);
    expect(msgpackOf(reply.state)).toEqual({ query: "budi", found: ["budi@http://127.0.0.1:1"] });
  });

  it("refuse a config with unknown values, and a read that answers null or unknown", async () => {
    let reads = 0;
    const calls = await configured({
      dataSource: {
        read: async ({ config }) => {
          reads += 1;
          return { state: config.query === "none" ? null : { ...config, found: UNKNOWN }, diagnostics: [] };
        },
      },
    });
    const unknown = await calls.ReadDataSource({ type_name: "ruangkerja_lookup", config: dv(LOOKUP, { query: UNKNOWN }) });
    expect(unknown.diagnostics?.[0]).toMatchObject({ severity: "ERROR", summary: expect.stringMatching(/not known yet/) });
    expect(reads).toBe(0);
    for (const query of ["none", "partly"]) {
      const reply = await calls.ReadDataSource({ type_name: "ruangkerja_lookup", config: dv(LOOKUP, { query }) });
      expect(reply.diagnostics?.[0]?.summary).toBe("Data source ruangkerja_lookup read no complete value");
      expect(reply.state).toBeUndefined();
    }
    const warned = await configured({
      dataSource: { read: async () => ({ state: null, diagnostics: [{ severity: "error", summary: "RuangKerja said no" }] }) },
    });
    const refused = await warned.ReadDataSource({ type_name: "ruangkerja_lookup", config: dv(LOOKUP, { query: "x" }) });
    expect(refused.diagnostics).toEqual([{ severity: "ERROR", summary: "RuangKerja said no", detail: "" }]);
  });
});

describe("the replies on the wire", () => {
  const root = protobuf.Root.fromJSON(PROTOCOL);
  const wire = (type: string, reply: Record<string, unknown>) => {
    const message = root.lookupType(`tfplugin6.${type}`);
    const bytes = message.encode(message.fromObject(reply)).finish();
    return { bytes, back: message.toObject(message.decode(bytes), { defaults: false }) };
  };
  /** The field numbers present at the top level of an encoded message, in order. */
  const fieldNumbers = (bytes: Uint8Array) => {
    const reader = protobuf.Reader.create(bytes);
    const numbers: number[] = [];
    while (reader.pos < reader.len) {
      const tag = reader.uint32();
      numbers.push(tag >>> 3);
      reader.skipType(tag & 7);
    }
    return numbers;
  };

  it("carry imported_resources, data_sources and a data source's state at tfplugin6.8's numbers", async () => {
    const calls = await configured();
    const imported = wire("ImportResourceState.Response", await calls.ImportResourceState({ type_name: "ruangkerja_thing", id: "t-1" }));
    expect(fieldNumbers(imported.bytes)).toEqual([1]);
    const resource = (imported.back.imported_resources as { type_name: string; state: { msgpack: Uint8Array } }[])[0];
    expect(resource?.type_name).toBe("ruangkerja_thing");
    expect(decode(resource?.state.msgpack ?? new Uint8Array())).toEqual({ id: "t-1", name: "Budi", password: null });
    const inner = root.lookupType("tfplugin6.ImportResourceState.ImportedResource");
    expect(fieldNumbers(inner.encode(inner.fromObject({ type_name: "x", state: { msgpack: [0xc0] } })).finish())).toEqual([1, 2]);

    const failed = wire("ImportResourceState.Response", await calls.ImportResourceState({ type_name: "ruangkerja_thing", id: "t-bad" }));
    expect(fieldNumbers(failed.bytes)).toEqual([2]);

    const read = wire(
      "ReadDataSource.Response",
      await calls.ReadDataSource({ type_name: "ruangkerja_lookup", config: dv(LOOKUP, { query: "q" }) }),
    );
    expect(fieldNumbers(read.bytes)).toEqual([1]);
    const metadata = wire("GetMetadata.Response", await calls.GetMetadata());
    expect(fieldNumbers(metadata.bytes)).toEqual([1, 3, 4, 4]);
    const schema = wire("GetProviderSchema.Response", await calls.GetProviderSchema());
    expect(Object.keys(schema.back.data_source_schemas as object)).toEqual(["ruangkerja_lookup"]);
  });
});
