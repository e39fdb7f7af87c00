/**
 * AJV's errors, said in words an HR admin understands, with what to do, located at the YAML
 * node they are about. Runs only for files the schema refused. What a message repeats of the file
 * (a value, a key) is a short excerpt (file-messages.ts), and of each kind of error only the first
 * are described and located (diagnostic-limit.ts): a file of 100,000 unknown keys, or a value of
 * 2 MB, gives a short report.
 */
import type { ErrorObject } from "ajv";
import type { Diagnostic, SourceLocation } from "../diagnostics.js";
import { showText } from "../text/untrusted-text.js";
import { DiagnosticLimit } from "../diagnostic-limit.js";
import { EXCERPT_CHARS, escapeExcerpt, quoteExcerpt } from "./file-messages.js";
import { declarationsKnownFields } from "./schema.js";
import { PASSWORD_ENV_PREFIX, passwordEnvDanger, suggestPasswordEnv } from "./password-env.js";
import { isPasswordField, suggestField } from "./suggest.js";
import { type Message, type Problem, typeMessage } from "./type-messages.js";
import { type DataPath, fieldName, fieldOf, findNode, keyStart, label, nodeStart, pathOfPointer, type YamlSource } from "./yaml-source.js";

const ID_FIELDS = new Set(["employeeID", "username", "previousEmployeeIDs"]);
/** Fields that name one person; `defaults:` applies to everybody in the file. */
const IDENTITY_FIELDS = new Set(["employeeID", "name", "username", "email", "phone", "previousEmployeeIDs"]);

const PASSWORD_DETAIL =
  "Passwords never go into git: everyone who can read the repository, now or later, could read them. " +
  "Remove the line. To give a new user an initial password, write passwordEnv: RUANGKERJA_PASSWORD_<NAME> and set that environment variable when apply runs (e.g. from a CI secret; see docs/password-env.md); " +
  "without one, RuangKerja generates one and e-mails it to the person.";

function valueAt(data: unknown, path: DataPath): unknown {
  let value = data;
  for (const segment of path) {
    if (value === null || typeof value !== "object") return undefined;
    value = (value as Record<string | number, unknown>)[segment];
  }
  return value;
}

/** A plain short text as it is (a name in parentheses), anything else as a quoted excerpt. */
function showExcerpt(text: string): string {
  return text.length <= EXCERPT_CHARS ? showText(text) : quoteExcerpt(text);
}

/** `user EMP003`, or `users[2]` when the item has no usable employeeID. */
function who(problem: Problem): string {
  const value = valueAt(problem.data, problem.path) as Record<string, unknown> | undefined;
  const id = value?.employeeID;
  if (typeof id === "string" && id.length <= EXCERPT_CHARS && /^[A-Za-z0-9]+$/.test(id)) return `user ${id}`;
  const name = value?.name;
  return typeof name === "string" && name.trim() !== ""
    ? `${fieldOf(problem.path)} (${showExcerpt(name)})`
    : (fieldOf(problem.path) ?? "the user");
}

function requiredMessage(problem: Problem, missing: string): Message {
  if (problem.path.length === 0) {
    return {
      summary: "the file has no users: list",
      detail: 'Add "users:" with one item per person (each starting with "- "), or "users: []" for a file without users.',
    };
  }
  if (missing === "employeeID") {
    return {
      summary: `${who(problem)} has no employeeID`,
      detail: 'Add employeeID: the person\'s employee ID from HR, letters and digits only, e.g. employeeID: "EMP001".',
    };
  }
  if (missing === "name") {
    return { summary: `${who(problem)} has no name`, detail: "Add name: the person's full name as RuangKerja should show it." };
  }
  return { summary: `${who(problem)} has no ${missing}`, detail: `Add ${missing}:.` };
}

function unknownFieldMessage(problem: Problem, name: string): Message {
  if (name === "passwordEnv") {
    return {
      summary: "passwordEnv is set per user, not in defaults",
      detail: "Each person needs their own initial password: move passwordEnv: RUANGKERJA_PASSWORD_<NAME> to the users that need one.",
    };
  }
  if (isPasswordField(name)) return { summary: `${quoteExcerpt(name)} must not be written in a declaration file`, detail: PASSWORD_DETAIL };
  if (name === "<<") {
    return {
      summary: "YAML merge keys (<<) are not supported in declaration files",
      detail:
        "To share values among the users of a file, put them under defaults: (isActive, tagSerials, organizationSerial); write every other field on each user.",
    };
  }
  const level = problem.path.length === 0 ? "file" : problem.path[0] === "defaults" ? "defaults" : "user";
  if (name === "") {
    // `~:`, `null:` or a bare `:`; "unknown field \"\"" would leave the reader guessing.
    const where = level === "file" ? "at the top of the file" : level === "defaults" ? "in defaults" : `in ${who(problem)}`;
    return {
      summary: `a key with no name ${where}`,
      detail: "A line such as `~: value`, `null: value` or `: value` names no field. Give the field a name or remove the line.",
    };
  }
  const known = declarationsKnownFields();
  if (level === "defaults") {
    const userField = known.user.includes(name) ? name : suggestField(name, known.user);
    if (userField && IDENTITY_FIELDS.has(userField)) {
      return {
        summary: `${userField} cannot be set in defaults`,
        detail:
          `defaults: applies to every user in the file, and ${userField} belongs to one person. Set it on each user instead. ` +
          `defaults may hold only ${known.defaults.join(", ")}.`,
      };
    }
  }
  const allowed = level === "file" ? known.file : level === "defaults" ? known.defaults : known.user;
  const suggestion = suggestField(name, allowed);
  const where = level === "file" ? "at the top of the file" : level === "defaults" ? "in defaults" : `in ${who(problem)}`;
  const caseOnly = suggestion !== undefined && suggestion.toLowerCase() === name.toLowerCase();
  return {
    summary: `unknown field ${quoteExcerpt(name)} ${where}`,
    detail: suggestion
      ? `Did you mean "${suggestion}"?${caseOnly ? " Field names are case-sensitive." : ""}`
      : `Allowed ${level === "file" ? "at the top of the file" : level === "defaults" ? "in defaults" : "for a user"}: ${allowed.join(", ")}.`,
  };
}

/** Control, invisible and bidirectional characters are text-rules.ts's; what is left of a name's pattern is spaces. */
function nameMessage(name: string, text: string): Message {
  if (text.trim() === "") return { summary: `${name} is empty`, detail: "Write the person's full name." };
  return {
    summary: `${name} ${quoteExcerpt(text)} has a space at the start or end`,
    detail: `Remove it: ${quoteExcerpt(text.trim())}. RuangKerja would show the name with the space, and plans could keep seeing a change.`,
  };
}

/** A passwordEnv outside RUANGKERJA_PASSWORD_: what it would have sent, and the names to use instead (docs/password-env.md). */
function passwordEnvMessage(problem: Problem, text: string): Message {
  const owner = valueAt(problem.data, problem.path.slice(0, -1)) as Record<string, unknown> | undefined;
  const id = owner?.employeeID;
  const employeeID = typeof id === "string" && /^[A-Za-z0-9]{1,64}$/.test(id) ? id : undefined;
  const [first, ...others] = suggestPasswordEnv(text, employeeID);
  const instead = others.length > 0 ? `${first} or ${others.join(" or ")}` : first;
  const danger = passwordEnvDanger(text);
  return {
    summary: `passwordEnv ${quoteExcerpt(text)} is not a ${PASSWORD_ENV_PREFIX} variable`,
    detail:
      `${danger ? `${danger} ` : ""}passwordEnv may name only a variable whose name is ${PASSWORD_ENV_PREFIX} followed by capital letters, digits and _, ` +
      "so that a declaration can never make apply send the API token, the client secret or another variable of the runner as a password. " +
      `Write passwordEnv: ${instead}, and give the CI secret that holds the password the same name (docs/password-env.md).`,
  };
}

function patternMessage(problem: Problem, value: unknown): Message {
  const name = label(problem.path);
  const field = fieldName(problem.path);
  const text = String(value);
  if (field === "name") return nameMessage(name, text);
  if (field === "passwordEnv") return passwordEnvMessage(problem, text);
  if (text === "") return { summary: `${name} is empty`, detail: "Fill it in, or remove the line." };
  if (field === "tagSerials" || field === "organizationSerial") {
    return {
      summary: `${name} ${quoteExcerpt(text)} may contain only letters, digits and dashes`,
      detail: `Copy the serial from RuangKerja as it is, e.g. ${field === "tagSerials" ? "RUKRTAG-9WHL0JGP" : "COMPFJLYTHWL"}.`,
    };
  }
  if (field === "phone") {
    const cleaned = (text.trim().startsWith("+") ? "+" : "") + text.replace(/[^0-9]/g, "");
    return {
      summary: `${name} ${quoteExcerpt(text)} may contain only digits, with an optional + at the start (no spaces, dashes or brackets)`,
      detail: `Write it with the country code and digits only, e.g. ${/[0-9]/.test(cleaned) ? quoteExcerpt(cleaned) : '"6281122334455"'}.`,
    };
  }
  if (ID_FIELDS.has(field)) {
    const cleaned = text.replace(/[^A-Za-z0-9]/g, "");
    const spaces = text.trim() !== text ? " It has a space at the start or end." : "";
    return {
      summary: `${name} ${quoteExcerpt(text)} may contain only letters A–Z, a–z and digits 0–9 (no spaces, dashes or dots)`,
      detail: `${spaces ? `${spaces.trim()} ` : ""}Remove the other characters${cleaned ? `, e.g. ${quoteExcerpt(cleaned)}` : ""}: RuangKerja accepts only letters and digits here.`,
    };
  }
  return { summary: `${name} ${quoteExcerpt(text)} is not in the expected form` };
}

/** Why each field has the length it has (docs/limits.md); the limit itself comes from the schema. */
const LENGTH_ADVICE: Readonly<Record<string, string>> = {
  name: "A name is one person's full name; check that no other column (an address, a note) was pasted into it.",
  email: "An e-mail address has at most 254 characters; check that it was not pasted twice or joined with another.",
  phone: "A phone number is the country code and the number, digits only.",
  employeeID: "An employee ID is a short code from HR; check that the field holds one ID.",
  previousEmployeeIDs: "An employee ID is a short code from HR; check that the item holds one ID.",
  username: "A username is a short sign-in name.",
  tagSerials: "A tag serial is a short code copied from RuangKerja, e.g. RUKRTAG-9WHL0JGP.",
  organizationSerial: "An organization serial is a short code copied from RuangKerja, e.g. COMPFJLYTHWL.",
  passwordEnv: "passwordEnv is the name of an environment variable, not the password itself.",
};

/** Characters as AJV counts them for maxLength: code points. */
function codePoints(text: string): number {
  let count = 0;
  for (const _ of text) count++;
  return count;
}

function tooLongMessage(problem: Problem, limit: number): Message {
  const value = problem.error.data;
  const length = typeof value === "string" ? ` (it has ${codePoints(value).toLocaleString("en-US")})` : "";
  const field = fieldName(problem.path);
  return {
    summary: `${label(problem.path)} is longer than ${limit} characters${length}`,
    detail: `${LENGTH_ADVICE[field] ?? "Check that the field holds only its own value."} The limits are listed in docs/limits.md.`,
  };
}

function tooManyMessage(problem: Problem, limit: number): Message {
  const value = problem.error.data;
  const count = Array.isArray(value) ? value.length.toLocaleString("en-US") : "more";
  const field = fieldName(problem.path);
  return {
    summary: `${label(problem.path)} lists ${count} items, more than the ${limit} allowed`,
    detail:
      field === "previousEmployeeIDs"
        ? "previousEmployeeIDs holds the few IDs a person had before the current one; keep those RuangKerja may still know the person by. The limits are listed in docs/limits.md."
        : `Check that the list holds only what belongs to this person. The limits are listed in docs/limits.md.`,
  };
}

function describe(problem: Problem): Message {
  const { error } = problem;
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case "required":
      return requiredMessage(problem, String(params.missingProperty));
    case "anyOf":
      return {
        summary: `${who(problem)} has neither email nor phone`,
        detail: "RuangKerja needs at least one of them to reach the person with their sign-in details. Add email: or phone:.",
      };
    case "additionalProperties":
      return unknownFieldMessage(problem, String(params.additionalProperty));
    case "not":
      return { summary: `"${label(problem.path)}" must not be written in a declaration file`, detail: PASSWORD_DETAIL };
    case "type":
      return typeMessage(problem, String(params.type), error.data);
    case "pattern":
      return patternMessage(problem, error.data);
    case "minLength":
      return {
        summary: `${label(problem.path)} is empty`,
        detail:
          fieldName(problem.path) === "organizationSerial"
            ? "Write the organization's serial (e.g. COMPFJLYTHWL), or remove the line to leave it unset."
            : "Write the value (e.g. RUKRTAG-9WHL0JGP), or remove the empty item.",
      };
    case "format":
      return {
        summary: `${label(problem.path)} ${quoteExcerpt(String(error.data))} is not a valid e-mail address`,
        detail: "Write it as name@domain, without spaces, e.g. budi.santoso@contoh.co.id.",
      };
    case "maxLength":
      return tooLongMessage(problem, Number(params.limit));
    case "maxItems":
      return tooManyMessage(problem, Number(params.limit));
    case "uniqueItems": {
      const repeated = valueAt(error.data, [Number(params.j)]);
      return {
        summary: `${label(problem.path)} lists ${quoteExcerpt(typeof repeated === "string" ? repeated : String(JSON.stringify(repeated)))} twice`,
        detail: "Each item counts once; remove the repeated one.",
      };
    }
    default:
      return { summary: `${fieldOf(problem.path) ?? "the file"} ${error.message ?? "is invalid"}` };
  }
}

/** The path the diagnostic names, and where it points: a missing field at its mapping, an unknown field at its key. */
function target(problem: Problem): { path: DataPath; location: SourceLocation } {
  const { error, source } = problem;
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case "additionalProperties": {
      const name = String(params.additionalProperty);
      const found = findNode(source, [...problem.path, name]);
      // A key with no name has no field path of its own (`users[0].`); name the mapping it is in.
      const path = name === "" ? problem.path : [...problem.path, name];
      return { path, location: found.exact && found.key ? keyStart(source, found.key) : nodeStart(source, found.node) };
    }
    case "not": {
      const found = findNode(source, problem.path);
      return { path: problem.path, location: nodeStart(source, found.key ?? found.node) };
    }
    case "required":
      return {
        path: problem.path.length > 0 ? [...problem.path, String(params.missingProperty)] : problem.path,
        location: nodeStart(source, findNode(source, problem.path).node),
      };
    case "uniqueItems": {
      const path = [...problem.path, Number(params.j)];
      return { path, location: nodeStart(source, findNode(source, path).node) };
    }
    default:
      return { path: problem.path, location: nodeStart(source, findNode(source, problem.path).node) };
  }
}

/** Keywords about what a text says: beside "too long", a second message about the same value would only repeat it. */
const FORM_KEYWORDS = new Set(["pattern", "format"]);

/**
 * What counts as the same kind of problem for the limit: the keyword, the place in the schema (so
 * one field of the user, or the user level for unknown fields) and, for an unknown field, whether
 * its name is one with a message of its own (a password!), which must not hide among typos.
 */
function kindOf(error: ErrorObject): string {
  const kind = `${error.keyword} ${error.schemaPath}`;
  if (error.keyword !== "additionalProperties") return kind;
  const name = String((error.params as Record<string, unknown>).additionalProperty);
  return `${kind} ${isPasswordField(name) ? "password" : name === "" || name === "<<" || name === "passwordEnv" ? name : "unknown"}`;
}

/** The field a diagnostic names, kept short: it holds the key itself for an unknown field. */
function fieldExcerpt(path: DataPath): string | undefined {
  const field = fieldOf(path);
  return field === undefined ? undefined : escapeExcerpt(field, 2 * EXCERPT_CHARS);
}

export function schemaDiagnostics(source: YamlSource, errors: readonly ErrorObject[], data: unknown): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  const limit = new DiagnosticLimit();
  const tooLong = new Set(errors.filter((e) => e.keyword === "maxLength").map((e) => e.instancePath));
  for (const error of errors) {
    // The anyOf error itself says "email or phone" once; its branches would say it twice more.
    if (error.schemaPath.includes("/anyOf/")) continue;
    if (FORM_KEYWORDS.has(error.keyword) && tooLong.has(error.instancePath)) continue;
    limit.add(diagnostics, kindOf(error), () => {
      const problem: Problem = { source, error, path: pathOfPointer(error.instancePath, data), data };
      const { path, location } = target(problem);
      const { summary, detail } = describe(problem);
      const field = fieldExcerpt(path);
      return {
        severity: "error",
        summary,
        ...(detail !== undefined && { detail }),
        ...(field !== undefined && { field }),
        location,
      };
    });
  }
  for (const d of limit.summaries()) diagnostics.push(d);
  return diagnostics;
}
