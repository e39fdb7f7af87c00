import { decode } from "@msgpack/msgpack";
import { X509Certificate } from "node:crypto";
import { describe, expect, it } from "vitest";
import { createServerCertificate } from "../../../../src/provider/protocol/certificate.js";
import { encodeMsgpack, objectType } from "../../../../src/provider/protocol/dynamic-value.js";
import { handshakeLine, MAGIC_COOKIE_VALUE, readHandshake } from "../../../../src/provider/protocol/handshake.js";
import { createLog } from "../../../../src/provider/protocol/log.js";
import { ProviderCalls } from "../../../../src/provider/protocol/provider-calls.js";
import { type ProviderDefinition, type ResourceType, type TfSchema, UNKNOWN } from "../../../../src/provider/provider-types.js";

const SCHEMA: TfSchema = {
  version: 2,
  description: "",
  attributes: [
    { name: "id", type: "string", description: "", computed: true },
    { name: "name", type: "string", description: "", required: true },
    { name: "password", type: "string", description: "", optional: true, writeOnly: true },
  ],
};
const TYPE = objectType(SCHEMA.attributes);
const dv = (value: unknown) => ({ msgpack: encodeMsgpack(value as never, TYPE) });
const value = (reply: Record<string, unknown>, field: string) => decode((reply[field] as { msgpack: Uint8Array }).msgpack);

function provider(resource: Partial<ResourceType>, configure?: ProviderDefinition["configure"]): ProviderCalls {
  const definition: ProviderDefinition = {
    name: "ruangkerja",
    schema: { version: 0, description: "", attributes: [{ name: "url", type: "string", description: "", optional: true }] },
    resources: [
      {
        name: "ruangkerja_thing",
        schema: SCHEMA,
        plan: () => Promise.reject(new Error("no plan")),
        apply: () => Promise.reject(new Error("no apply")),
        ...resource,
      },
    ],
    configure: configure ?? (async (config, environment) => ({ context: { config, environment }, diagnostics: [] })),
  };
  return new ProviderCalls(definition, createLog({}), () => undefined);
}

describe("the Provider calls", () => {
  it("refuses to plan before ConfigureProvider, and refuses an unknown provider configuration", async () => {
    const calls = provider({});
    const early = await calls.PlanResourceChange({
      type_name: "ruangkerja_thing",
      prior_state: dv(null),
      proposed_new_state: dv({ name: "a" }),
      config: dv({ name: "a" }),
    });
    expect(early.diagnostics?.[0]?.summary).toMatch(/not configured/);
    const unknown = await calls.ConfigureProvider({ config: { msgpack: encodeMsgpack({ url: UNKNOWN }, ["object", { url: "string" }]) } });
    expect(unknown.diagnostics?.[0]).toMatchObject({ severity: "ERROR", summary: expect.stringMatching(/not known yet/) });
  });

  it("passes prior, proposed and config to plan, nulls write-only attributes, and keeps destroy null", async () => {
    const seen: unknown[] = [];
    const calls = provider({
      plan: async (request) => {
        seen.push(request.prior, request.proposed, request.config);
        return { planned: request.proposed && { ...request.proposed, id: UNKNOWN }, diagnostics: [] };
      },
    });
    await calls.ConfigureProvider({ config: dv(null) });
    const created = await calls.PlanResourceChange({
      type_name: "ruangkerja_thing",
      prior_state: dv(null),
      proposed_new_state: dv({ name: "a", password: "p4ss" }),
      config: dv({ name: "a", password: "p4ss" }),
    });
    expect(seen[0]).toBeNull();
    expect(seen[2]).toEqual({ id: null, name: "a", password: "p4ss" });
    const planned = value(created, "planned_state") as Record<string, unknown>;
    expect(planned).toMatchObject({ name: "a", password: null });
    expect((planned.id as { type: number }).type).toBe(0);
    const destroyed = await calls.PlanResourceChange({
      type_name: "ruangkerja_thing",
      prior_state: dv({ id: "1", name: "a" }),
      proposed_new_state: dv(null),
      config: dv(null),
    });
    expect(value(destroyed, "planned_state")).toBeNull();
  });

  it("turns diagnostics into protocol diagnostics with attribute paths", async () => {
    const calls = provider({
      validate: () => [{ severity: "warning", summary: "odd", attribute: [{ attribute: "people" }, { key: "ND1" }, { index: 2 }] }],
    });
    const reply = await calls.ValidateResourceConfig({ type_name: "ruangkerja_thing", config: dv({ name: "a" }) });
    expect(reply.diagnostics).toEqual([
      {
        severity: "WARNING",
        summary: "odd",
        detail: "",
        attribute: { steps: [{ attribute_name: "people" }, { element_key_string: "ND1" }, { element_key_int: 2 }] },
      },
    ]);
  });

  it("returns the state unchanged from ReadResource without read, and upgrades a raw JSON state", async () => {
    const calls = provider({});
    const current = dv({ id: "1", name: "a" });
    expect((await calls.ReadResource({ type_name: "ruangkerja_thing", current_state: current })).new_state).toBe(current);
    const upgraded = await calls.UpgradeResourceState({
      type_name: "ruangkerja_thing",
      version: 2,
      raw_state: { json: Buffer.from('{"id":"1","name":"a"}') },
    });
    expect(value(upgraded, "upgraded_state")).toEqual({ id: "1", name: "a", password: null });
    const newer = await calls.UpgradeResourceState({ type_name: "ruangkerja_thing", version: 3, raw_state: { json: Buffer.from("{}") } });
    expect(newer.diagnostics?.[0]?.summary).toMatch(/newer provider/);
  });

  it("hands apply a signal that StopProvider aborts", async () => {
    let signal: AbortSignal | undefined;
    const calls = provider({
      apply: async (request) => {
        signal = request.stop;
        return { newState: request.planned, diagnostics: [] };
      },
    });
    await calls.ConfigureProvider({ config: dv(null) });
    await calls.ApplyResourceChange({
      type_name: "ruangkerja_thing",
      prior_state: dv(null),
      planned_state: dv({ name: "a" }),
      config: dv({ name: "a" }),
    });
    expect(signal?.aborted).toBe(false);
    expect(await calls.StopProvider()).toEqual({ Error: "" });
    expect(signal?.aborted).toBe(true);
  });

  it("answers ImportResourceState and unknown types with an error diagnostic", async () => {
    const calls = provider({});
    expect((await calls.ImportResourceState({ type_name: "ruangkerja_thing", id: "x" })).diagnostics?.[0]?.summary).toMatch(
      /not supported yet/,
    );
    expect((await calls.ValidateResourceConfig({ type_name: "ruangkerja_nope", config: dv(null) })).diagnostics?.[0]?.summary).toMatch(
      /Unknown resource type/,
    );
  });
});

describe("the handshake", () => {
  it("needs the magic cookie, protocol 6 and a client certificate, and honours the port range", () => {
    expect(readHandshake({})).toEqual({ notFromTerraform: true });
    const base = { TF_PLUGIN_MAGIC_COOKIE: MAGIC_COOKIE_VALUE, PLUGIN_CLIENT_CERT: "-----BEGIN CERTIFICATE-----\n" };
    expect(() => readHandshake({ ...base, PLUGIN_PROTOCOL_VERSIONS: "5" })).toThrow(/protocol 6/);
    expect(() => readHandshake({ ...base, PLUGIN_PROTOCOL_VERSIONS: "6", PLUGIN_CLIENT_CERT: "" })).toThrow(/mTLS/);
    expect(readHandshake({ ...base, PLUGIN_PROTOCOL_VERSIONS: "5,6", PLUGIN_MIN_PORT: "10000", PLUGIN_MAX_PORT: "10002" })).toMatchObject({
      ports: [10000, 10001, 10002],
    });
    expect(readHandshake({ ...base, PLUGIN_PROTOCOL_VERSIONS: "6" })).toMatchObject({ ports: [0] });
  });

  it("prints one line with a localhost CA certificate, base64 DER without padding", () => {
    const certificate = createServerCertificate();
    const x509 = new X509Certificate(certificate.der);
    expect(x509.checkHost("localhost")).toBe("localhost");
    expect(x509.ca).toBe(true);
    expect(x509.verify(x509.publicKey)).toBe(true);
    const line = handshakeLine(1234, certificate.der);
    expect(line).toMatch(/^1\|6\|tcp\|127\.0\.0\.1:1234\|grpc\|[A-Za-z0-9+/]+\n$/);
    expect(Buffer.from(line.split("|")[5] as string, "base64")).toEqual(certificate.der);
  });
});
