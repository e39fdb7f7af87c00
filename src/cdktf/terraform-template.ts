/**
 * Terraform reads every string of its JSON configuration (and every object key) as a template:
 * `${…}` is evaluated and `%{…}` is a directive. A declared name such as `${file("secrets")}`
 * would be evaluated on the machine that runs terraform and its result sent to RuangKerja, so
 * every declared value is escaped before it reaches cdk.tf.json.
 */

/**
 * `${` → `$${` and `%{` → `%%{`: Terraform reads the result back as the exact text given. One
 * exception: cdktf itself resolves `${TfToken[…]}` anywhere in its output (and fails on an unknown
 * one), and `$${TfToken[` still holds that text, so there the `$` is written as the template
 * `${"$"}`, which Terraform evaluates to a plain "$".
 */
export function escapeTemplate(text: string): string {
  // Functions, not replacement strings: in those, "$$" means a single "$".
  return text
    .replaceAll("${", () => "$${")
    .replaceAll("%{", () => "%%{")
    .replaceAll("$${TfToken[", () => '${"$"}{TfToken[');
}

/** Escapes every string and every key of a JSON value. */
export function escapeTemplates(value: unknown): unknown {
  if (typeof value === "string") return escapeTemplate(value);
  if (Array.isArray(value)) return value.map(escapeTemplates);
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([key, v]) => [escapeTemplate(key), escapeTemplates(v)]));
  }
  return value;
}
