/**
 * AJV's errors, said in words an HR admin understands, with what to do, located at the YAML
 * node they are about. Runs only for files the schema refused.
 */
import type { ErrorObject } from "ajv";
import type { Diagnostic, SourceLocation } from "../diagnostics.js";
import { quoteText, showText } from "../text/untrusted-text.js";
import { declarationsKnownFields } from "./schema.js";
import { isPasswordField, suggestField } from "./suggest.js";
import { type Message, type Problem, typeMessage } from "./type-messages.js";
import { type DataPath, fieldName, fieldOf, findNode, keyStart, label, nodeStart, pathOfPointer, type YamlSource } from "./yaml-source.js";

const ID_FIELDS = new Set(["employeeID", "username", "previousEmployeeIDs"]);
/** Fields that name one person; `defaults:` applies to everybody in the file. */
const IDENTITY_FIELDS = new Set(["employeeID", "name", "username", "email", "phone", "previousEmployeeIDs"]);

const PASSWORD_DETAIL =
  "Passwords never go into git: everyone who can read the repository, now or later, could read them. " +
  "Remove the line. To give a new user an initial password, write passwordEnv: NAME and set the environment variable NAME when apply runs (e.g. from a CI secret); " +
  "without one, RuangKerja generates one and e-mails it to the person.";

function valueAt(data: unknown, path: DataPath): unknown {
  let value = data;
  for (const segment of path) {
    if (value === null || typeof value !== "object") return undefined;
    value = (value as Record<string | number, unknown>)[segment];
  }
  return value;
}

/** `user EMP003`, or `users[2]` when the item has no usable employeeID. */
function who(problem: Problem): string {
  const value = valueAt(problem.data, problem.path) as Record<string, unknown> | undefined;
  const id = value?.employeeID;
  if (typeof id === "string" && /^[A-Za-z0-9]+$/.test(id)) return `user ${id}`;
  const name = value?.name;
  return typeof name === "string" && name.trim() !== ""
    ? `${fieldOf(problem.path)} (${showText(name)})`
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
      detail: "Each person needs their own initial password: move passwordEnv: NAME to the users that need one.",
    };
  }
  if (isPasswordField(name)) return { summary: `${quoteText(name)} must not be written in a declaration file`, detail: PASSWORD_DETAIL };
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
    summary: `unknown field ${quoteText(name)} ${where}`,
    detail: suggestion
      ? `Did you mean "${suggestion}"?${caseOnly ? " Field names are case-sensitive." : ""}`
      : `Allowed ${level === "file" ? "at the top of the file" : level === "defaults" ? "in defaults" : "for a user"}: ${allowed.join(", ")}.`,
  };
}

/** Control, invisible and bidirectional characters are text-rules.ts's; what is left of a name's pattern is spaces. */
function nameMessage(name: string, text: string): Message {
  if (text.trim() === "") return { summary: `${name} is empty`, detail: "Write the person's full name." };
  return {
    summary: `${name} ${quoteText(text)} has a space at the start or end`,
    detail: `Remove it: ${quoteText(text.trim())}. RuangKerja would show the name with the space, and plans could keep seeing a change.`,
  };
}

function patternMessage(problem: Problem, value: unknown): Message {
  const name = label(problem.path);
  const field = fieldName(problem.path);
  const text = String(value);
  if (field === "name") return nameMessage(name, text);
  if (text === "") return { summary: `${name} is empty`, detail: "Fill it in, or remove the line." };
  if (field === "tagSerials" || field === "organizationSerial") {
    return {
      summary: `${name} ${quoteText(text)} may contain only letters, digits and dashes`,
      detail: `Copy the serial from RuangKerja as it is, e.g. ${field === "tagSerials" ? "RUKRTAG-9WHL0JGP" : "COMPFJLYTHWL"}.`,
    };
  }
  if (field === "phone") {
    const cleaned = (text.trim().startsWith("+") ? "+" : "") + text.replace(/[^0-9]/g, "");
    return {
      summary: `${name} ${quoteText(text)} may contain only digits, with an optional + at the start (no spaces, dashes or brackets)`,
      detail: `Write it with the country code and digits only, e.g. "${/[0-9]/.test(cleaned) ? cleaned : "6281122334455"}".`,
    };
  }
  if (ID_FIELDS.has(field)) {
    const cleaned = text.replace(/[^A-Za-z0-9]/g, "");
    const spaces = text.trim() !== text ? " It has a space at the start or end." : "";
    return {
      summary: `${name} ${quoteText(text)} may contain only letters A–Z, a–z and digits 0–9 (no spaces, dashes or dots)`,
      detail: `${spaces ? `${spaces.trim()} ` : ""}Remove the other characters${cleaned ? `, e.g. "${cleaned}"` : ""}: RuangKerja accepts only letters and digits here.`,
    };
  }
  return { summary: `${name} ${quoteText(text)} is not in the expected form` };
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
        summary: `${label(problem.path)} ${quoteText(String(error.data))} is not a valid e-mail address`,
        detail: "Write it as name@domain, without spaces, e.g. budi.santoso@contoh.co.id.",
      };
    case "maxLength":
      return {
        summary: `${label(problem.path)} is longer than ${String(params.limit)} characters`,
        detail: "An e-mail address has at most 254 characters; check that it was not pasted twice or joined with another.",
      };
    case "uniqueItems": {
      const repeated = valueAt(error.data, [Number(params.j)]);
      return {
        summary: `${label(problem.path)} lists ${typeof repeated === "string" ? quoteText(repeated) : JSON.stringify(repeated)} twice`,
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

export function schemaDiagnostics(source: YamlSource, errors: readonly ErrorObject[], data: unknown): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  for (const error of errors) {
    // The anyOf error itself says "email or phone" once; its branches would say it twice more.
    if (error.schemaPath.includes("/anyOf/")) continue;
    const problem: Problem = { source, error, path: pathOfPointer(error.instancePath, data), data };
    const { path, location } = target(problem);
    const { summary, detail } = describe(problem);
    const field = fieldOf(path);
    diagnostics.push({
      severity: "error",
      summary,
      ...(detail !== undefined && { detail }),
      ...(field !== undefined && { field }),
      location,
    });
  }
  return diagnostics;
}
