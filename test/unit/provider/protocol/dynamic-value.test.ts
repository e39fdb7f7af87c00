import { decode, encode, ExtData } from "@msgpack/msgpack";
import { describe, expect, it } from "vitest";
import {
  containsUnknown,
  decodeDynamicValue,
  decodeJson,
  DynamicValueError,
  encodeMsgpack,
  objectType,
} from "../../../../src/provider/protocol/dynamic-value.js";
import { type CtyType, UNKNOWN } from "../../../../src/provider/provider-types.js";

const PEOPLE: CtyType = [
  "object",
  {
    id: "string",
    count: "number",
    enabled: "bool",
    people: ["map", ["object", { name: "string", tags: ["set", "string"] }]],
    order: ["list", "number"],
  },
];

describe("DynamicValue codec", () => {
  it("round-trips nested objects, maps, lists, sets, numbers, bools and nulls through msgpack", () => {
    const value = {
      id: "x",
      count: 2.5,
      enabled: false,
      people: { ND1: { name: "Budi", tags: ["a", "b"] }, ND2: { name: "Siti", tags: null } },
      order: [1, -3, 1e300],
    };
    expect(decodeDynamicValue({ msgpack: encodeMsgpack(value, PEOPLE) }, PEOPLE)).toEqual(value);
  });

  it("round-trips text of every length and script (strings are decoded from their bytes), map keys included", () => {
    const long = "Ñ".repeat(300);
    const value = { id: "Dewi Lestari — 日本語 😀", people: { "Ñandú 😀": { name: long, tags: ["", "ü"] } } };
    const type: CtyType = ["object", { id: "string", people: ["map", ["object", { name: "string", tags: ["list", "string"] }]] }];
    expect(decodeDynamicValue({ msgpack: encodeMsgpack(value, type) }, type)).toEqual(value);
  });

  it("writes every attribute of an object, null when absent, and drops what the type lacks", () => {
    const wire = decode(encodeMsgpack({ id: "x", extra: "dropped" }, PEOPLE)) as Record<string, unknown>;
    expect(wire).toEqual({ id: "x", count: null, enabled: null, people: null, order: null });
  });

  it("encodes unknown as extension 0 and decodes any extension (refined unknowns: 12) as unknown", () => {
    const bytes = encodeMsgpack({ id: UNKNOWN, people: { ND1: { name: UNKNOWN, tags: UNKNOWN } } }, PEOPLE);
    const wire = decode(bytes) as Record<string, unknown>;
    expect(wire.id).toBeInstanceOf(ExtData);
    expect((wire.id as ExtData).type).toBe(0);
    const refined = encode({ id: new ExtData(12, encode({ 2: "pre" })), count: 1 });
    const decoded = decodeDynamicValue({ msgpack: refined }, PEOPLE) as Record<string, unknown>;
    expect(decoded.id).toBe(UNKNOWN);
    expect(decoded.count).toBe(1);
    expect(containsUnknown(decodeDynamicValue({ msgpack: bytes }, PEOPLE))).toBe(true);
    expect(containsUnknown({ a: [1, { b: null }] })).toBe(false);
  });

  it("reads numbers Terraform sends as strings or large integers, and refuses a wrong type with its path", () => {
    expect(decodeDynamicValue({ msgpack: encode({ count: "12345678901234567890" }) }, PEOPLE)).toMatchObject({
      count: Number("12345678901234567890"),
    });
    expect(decodeDynamicValue({ msgpack: encode({ count: 2 ** 40 }) }, PEOPLE)).toMatchObject({ count: 2 ** 40 });
    expect(() => decodeDynamicValue({ msgpack: encode({ people: { ND1: { name: 7 } } }) }, PEOPLE)).toThrow(
      new DynamicValueError('people["ND1"].name: expected a string, got number'),
    );
    expect(() => encodeMsgpack({ count: Number.NaN }, PEOPLE)).toThrow(DynamicValueError);
  });

  it("reads null from msgpack nil and from an empty DynamicValue, and JSON when msgpack is empty", () => {
    expect(decodeDynamicValue({ msgpack: encode(null) }, PEOPLE)).toBeNull();
    expect(decodeDynamicValue({ msgpack: new Uint8Array(), json: new Uint8Array() }, PEOPLE)).toBeNull();
    expect(decodeDynamicValue(undefined, PEOPLE)).toBeNull();
    expect(decodeDynamicValue({ json: Buffer.from('{"id":"j","order":[1]}') }, PEOPLE)).toMatchObject({ id: "j", order: [1], count: null });
  });

  it("decodes a raw JSON state against the schema: missing attributes null, unknown ones dropped", () => {
    const type = objectType([
      { name: "id", type: "string", description: "" },
      { name: "added_later", type: "bool", description: "" },
    ]);
    expect(decodeJson('{"id":"a","removed":1}', type)).toEqual({ id: "a", added_later: null });
  });

  it("encodes and decodes dynamic values with their type (msgpack [type, value]; JSON {value, type})", () => {
    const type: CtyType = ["object", { any: "dynamic" }];
    const value = { any: { a: "x", n: [1, true] } };
    const wire = decode(encodeMsgpack(value, type)) as { any: [Uint8Array, unknown] };
    expect(JSON.parse(Buffer.from(wire.any[0]).toString())).toEqual(["object", { a: "string", n: ["tuple", ["number", "bool"]] }]);
    expect(decodeDynamicValue({ msgpack: encodeMsgpack(value, type) }, type)).toEqual(value);
    expect(decodeJson('{"any":{"value":"s","type":"string"}}', type)).toEqual({ any: "s" });
  });

  it("refuses a map key named __proto__ instead of changing an object's prototype", () => {
    const bytes = encode({ b: "y" }).slice(); // {"b":"y"}: fixmap 1, fixstr 1 "b", fixstr 1 "y"
    const hostile = Buffer.concat([Buffer.from([0x81, 0xa9]), Buffer.from("__proto__"), Buffer.from(bytes.subarray(3))]);
    expect(() => decodeDynamicValue({ msgpack: hostile }, ["map", "string"])).toThrow(/__proto__/);
    expect(decodeDynamicValue({ msgpack: bytes }, ["map", "string"])).toEqual({ b: "y" });
  });
});
