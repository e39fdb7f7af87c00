/**
 * DynamicValue ↔ the plain values of provider-types.ts, driven by the schema's cty type
 * (docs/plugin-protocol/object-wire-format.md): MessagePack both ways, JSON on the way in (the
 * raw state of UpgradeResourceState, or a DynamicValue whose msgpack field is empty). Unknown is
 * any MessagePack extension in, extension 0 out; an object always carries every attribute of its
 * type (null when absent), since Terraform decodes the answer against the same schema.
 */
import { type CtyType, type TfAttribute, type TfObject, type TfValue, UNKNOWN } from "../provider-types.js";
import { Decoder, encode, ExtData } from "./vendor.js";

/** A cty type as the wire may also carry it inside a "dynamic" value (tuples included). */
type WireType = CtyType | readonly ["tuple", readonly WireType[]];

export class DynamicValueError extends Error {
  override readonly name = "DynamicValueError";
}

/**
 * Strings come out of MessagePack as bytes and are decoded here by TextDecoder: for a map of
 * thousands of short strings (the users' JSON records) that is twice as fast as the library's own
 * decoding. Map keys are still strings. Synchronous, so one decoder serves every call.
 */
const MSGPACK = new Decoder({ useBigInt64: false, rawStrings: true });
const UTF8 = new TextDecoder();

/** cty's unrefined unknown: fixext1 of extension type 0 (the payload is ignored). */
const UNKNOWN_WIRE = new ExtData(0, new Uint8Array([0]));

/** The cty object type of a block with these attributes. */
export function objectType(attributes: readonly TfAttribute[]): CtyType {
  return ["object", Object.fromEntries(attributes.map((a) => [a.name, a.type]))];
}

const isRecord = (raw: unknown): raw is Record<string, unknown> =>
  typeof raw === "object" && raw !== null && !Array.isArray(raw) && !(raw instanceof Uint8Array);

function fail(path: string, expected: string, raw: unknown): never {
  const got = raw === null ? "null" : Array.isArray(raw) ? "array" : typeof raw;
  throw new DynamicValueError(`${path || "value"}: expected ${expected}, got ${got}`);
}

function fromNumber(raw: unknown, path: string): number {
  if (typeof raw === "number") return raw;
  if (raw instanceof Uint8Array) return fromNumber(UTF8.decode(raw), path); // a number too large for a float64 comes as text
  if (typeof raw === "bigint") return Number(raw);
  if (typeof raw === "string" && raw.trim() !== "" && Number.isFinite(Number(raw))) return Number(raw);
  return fail(path, "a number", raw);
}

function entries(raw: unknown, path: string): [string, unknown][] {
  if (raw instanceof Map) return [...(raw as Map<unknown, unknown>)].map(([k, v]) => [String(k), v]);
  if (!isRecord(raw)) return fail(path, "a map", raw);
  return Object.entries(raw);
}

/** A decoded wire value (msgpack or parsed JSON) as a TfValue of `type`. */
function fromWire(raw: unknown, type: WireType, json: boolean, path: string): TfValue {
  if (raw === null || raw === undefined) return null;
  if (raw instanceof ExtData || raw instanceof Date) return UNKNOWN;
  if (type === "string") return typeof raw === "string" ? raw : raw instanceof Uint8Array ? UTF8.decode(raw) : fail(path, "a string", raw);
  if (type === "number") return fromNumber(raw, path);
  if (type === "bool") return typeof raw === "boolean" ? raw : fail(path, "a bool", raw);
  if (type === "dynamic") return fromDynamic(raw, json, path);
  const [kind, inner] = type;
  if (kind === "list" || kind === "set") {
    if (!Array.isArray(raw)) return fail(path, `a ${kind}`, raw);
    return raw.map((item, i) => fromWire(item, inner, json, `${path}[${i}]`));
  }
  if (kind === "tuple") {
    if (!Array.isArray(raw)) return fail(path, "a tuple", raw);
    return inner.map((itemType, i) => fromWire(raw[i], itemType, json, `${path}[${i}]`));
  }
  if (kind === "map") return Object.fromEntries(entries(raw, path).map(([k, v]) => [k, fromWire(v, inner, json, `${path}["${k}"]`)]));
  const given = new Map(entries(raw, path));
  return Object.fromEntries(
    Object.entries(inner as Readonly<Record<string, WireType>>).map(([name, attrType]) => [
      name,
      fromWire(given.get(name), attrType, json, path ? `${path}.${name}` : name),
    ]),
  );
}

function fromDynamic(raw: unknown, json: boolean, path: string): TfValue {
  if (json) {
    if (!isRecord(raw) || !("type" in raw)) return fail(path, 'a dynamic value {"value", "type"}', raw);
    return fromWire(raw.value, raw.type as WireType, json, path);
  }
  if (!Array.isArray(raw) || raw.length !== 2 || !(raw[0] instanceof Uint8Array)) return fail(path, "a dynamic value [type, value]", raw);
  return fromWire(raw[1], JSON.parse(Buffer.from(raw[0]).toString("utf8")) as WireType, json, path);
}

/** The cty type of a known value, for an attribute of type "dynamic". */
function typeOf(value: TfValue): WireType {
  if (typeof value === "string") return "string";
  if (typeof value === "number") return "number";
  if (typeof value === "boolean") return "bool";
  if (Array.isArray(value)) return ["tuple", (value as readonly TfValue[]).map(typeOf)];
  return ["object", Object.fromEntries(Object.entries(value as TfObject).map(([k, v]) => [k, typeOf(v) as CtyType]))];
}

/** A TfValue of `type` as a value @msgpack/msgpack encodes the way cty expects. */
function toWire(value: TfValue | undefined, type: WireType, path: string): unknown {
  if (value === null || value === undefined) return null;
  if (value === UNKNOWN) return UNKNOWN_WIRE;
  if (type === "string") return typeof value === "string" ? value : fail(path, "a string", value);
  if (type === "bool") return typeof value === "boolean" ? value : fail(path, "a bool", value);
  if (type === "number") {
    if (typeof value !== "number" || !Number.isFinite(value)) return fail(path, "a finite number", value);
    return value;
  }
  if (type === "dynamic") {
    const actual = typeOf(value);
    return [new TextEncoder().encode(JSON.stringify(actual)), toWire(value, actual, path)];
  }
  const [kind, inner] = type;
  if (kind === "list" || kind === "set" || kind === "tuple") {
    if (!Array.isArray(value)) return fail(path, `a ${kind}`, value);
    const items = value as readonly TfValue[];
    return items.map((item, i) => toWire(item, kind === "tuple" ? (inner[i] as WireType) : inner, `${path}[${i}]`));
  }
  if (typeof value !== "object" || Array.isArray(value)) return fail(path, kind === "map" ? "a map" : "an object", value);
  const object = value as TfObject;
  // Plain objects (Object.fromEntries defines own properties, "__proto__" included): the encoder writes a Map as {}.
  if (kind === "map") return Object.fromEntries(Object.entries(object).map(([k, v]) => [k, toWire(v, inner, `${path}["${k}"]`)]));
  return Object.fromEntries(
    Object.entries(inner as Readonly<Record<string, WireType>>).map(([name, attrType]) => [
      name,
      toWire(object[name], attrType, path ? `${path}.${name}` : name),
    ]),
  );
}

/** A DynamicValue (msgpack, else json; both empty: null) as a TfValue of `type`. */
export function decodeDynamicValue(value: { msgpack?: Uint8Array; json?: Uint8Array } | null | undefined, type: CtyType): TfValue {
  if (value?.msgpack && value.msgpack.length > 0) return fromWire(MSGPACK.decode(value.msgpack), type, false, "");
  if (value?.json && value.json.length > 0) return decodeJson(value.json, type);
  return null;
}

/** JSON-encoded values (a resource's raw state) as a TfValue of `type`; attributes not in `type` are dropped. */
export function decodeJson(json: Uint8Array | string, type: CtyType): TfValue {
  const text = typeof json === "string" ? json : Buffer.from(json).toString("utf8");
  return fromWire(JSON.parse(text) as unknown, type, true, "");
}

/** A TfValue of `type` as DynamicValue msgpack bytes. */
export function encodeMsgpack(value: TfValue, type: CtyType): Uint8Array {
  return encode(toWire(value, type, ""));
}

/** True when the value or anything inside it is unknown. */
export function containsUnknown(value: TfValue): boolean {
  if (value === UNKNOWN) return true;
  if (value === null || typeof value !== "object") return false;
  return (Array.isArray(value) ? (value as readonly TfValue[]) : Object.values(value as TfObject)).some(containsUnknown);
}
