import { describe, expect, it } from "vitest";
import { lineColumn, offsetOfPath, parseStrictJson } from "../../../src/json/strict-json.js";

const refused = (text: string) => {
  const result = parseStrictJson(text);
  if (result.ok) throw new Error("expected a refusal");
  return result;
};

describe("parseStrictJson", () => {
  it("accepts what JSON.parse accepts when no object repeats a key", () => {
    const text = '{"a": [1, -2.5e3, true, null, {"a": "x\\"y"}], "b": {"c": {}}}';
    expect(parseStrictJson(text)).toEqual({ ok: true, value: JSON.parse(text) });
  });

  it("refuses a repeated key at the second one, in small and in large objects, escaped or not", () => {
    expect(refused('{"a": 1, "b": 2, "a": 3}')).toMatchObject({ offset: 17, path: ["a"] });
    const many = Array.from({ length: 40 }, (_, i) => `"k${i}": ${i}`).join(", ");
    expect(refused(`{"o": {${many}, "k7": 0}}`)).toMatchObject({ path: ["o", "k7"] });
    expect(refused('[{"x": 1}, {"\\u0078": 2, "x": 3}]').summary).toContain('repeats the key "x"');
  });

  it("finds a repeated key however the keys are spelt or nested (the key count comes first, then the scan)", () => {
    expect(refused('{"a": {"__proto__": 1, "__proto__": 2}}').summary).toContain('repeats the key "__proto__"');
    expect(refused('{"k\\"x": 1, "k\\"x": 2}').summary).toContain("repeats the key");
    expect(refused('{"users": [{"a": 1}, {"b": [{"c": 1, "c": {"d": 1}}]}]}')).toMatchObject({ path: ["users", 1, "b", 0, "c"] });
    expect(refused('{"a": "}", "b": "{", "a": 1}')).toMatchObject({ path: ["a"] });
    // The same key in sibling objects, or a key that looks like another key's value, is no repeat.
    for (const text of ['[{"a": 1}, {"a": 1}]', '{"a": "a", "b": {"a": "b"}}', '{"a": [{}, [], "\\\\"], "b": {}}']) {
      expect(parseStrictJson(text)).toEqual({ ok: true, value: JSON.parse(text) });
    }
  });

  it("quotes nothing of a file that is not JSON", () => {
    const result = refused("RUANGKERJA_TOKEN=s3cret");
    expect(result.summary).toBe("is not valid JSON (unexpected character)");
  });

  it("places a path's value, and turns offsets into lines and columns", () => {
    const text = '{\n  "a": [\n    1,\n    {"b": "c"}\n  ]\n}';
    const at = offsetOfPath(text, ["a", 1, "b"]);
    expect(at).toBeDefined();
    expect(lineColumn(text, at as number)).toEqual({ line: 4, column: 11 });
    expect(offsetOfPath(text, ["a", 5])).toBeUndefined();
  });
});
