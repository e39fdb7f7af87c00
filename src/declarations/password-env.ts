/**
 * Which environment variables `passwordEnv` may name (docs/password-env.md): only
 * `RUANGKERJA_PASSWORD_` followed by capital letters, digits and underscores. apply sends the
 * variable's value to RuangKerja as the new user's password, so a declaration that could name any
 * variable could make CI send the API token (RUANGKERJA_TOKEN), the client secret, or anything else
 * of the runner's environment to whoever reads that user's password. The prefix is a namespace the
 * tool keeps for initial passwords: none of its own variables is in it, so whatever is in it was put
 * there to be a password. Words after the prefix are not judged (RUANGKERJA_PASSWORD_SECRETARY1 is
 * someone's password); the prefix is what makes the rule.
 *
 * The schema (schemas/users.schema.json, passwordEnv's pattern) is the rule the declarations are
 * checked with; this module holds the same rule for the other readers (tf-sync, which checks the
 * names it is handed again) and the words of its message. No I/O, no yaml: tf-sync imports it.
 */

export const PASSWORD_ENV_PREFIX = "RUANGKERJA_PASSWORD_";

/** The pattern of schemas/users.schema.json's passwordEnv (a unit test keeps the two equal). */
export const PASSWORD_ENV_PATTERN = /^RUANGKERJA_PASSWORD_[A-Z0-9_]+$/;

/** The schema's maxLength of passwordEnv. */
export const PASSWORD_ENV_MAX_LENGTH = 100;

export function isPasswordEnvName(name: string): boolean {
  return name.length <= PASSWORD_ENV_MAX_LENGTH && PASSWORD_ENV_PATTERN.test(name);
}

/** The variables that would give the user RuangKerja's own access, and what each holds. */
const CREDENTIALS: Readonly<Record<string, string>> = {
  RUANGKERJA_TOKEN: "the RuangKerja API token",
  RUANGKERJA_CLIENT_ID: "the RuangKerja client ID",
  RUANGKERJA_CLIENT_SECRET: "the RuangKerja client secret",
};

/** Variables every runner has; naming one is a mistake, not an attack, but its value is no password either. */
const SYSTEM = new Set(["HOME", "PATH", "USER", "LOGNAME", "SHELL", "PWD", "TMPDIR", "HOSTNAME", "LANG", "CI"]);

/** Why the name is refused beyond its form, when there is more to say; "" otherwise. */
export function passwordEnvDanger(name: string): string {
  const upper = name.toUpperCase();
  const credential = CREDENTIALS[upper];
  if (credential) return `${upper} holds ${credential}: apply would have sent it to RuangKerja as this person's password.`;
  if (upper.startsWith("RUANGKERJA_") && !upper.startsWith(PASSWORD_ENV_PREFIX)) {
    return `${upper} is one of ruangkerja-users' own variables, not a password.`;
  }
  if (/TOKEN|SECRET|KEY|CREDENTIAL/.test(upper)) {
    return "The name looks like a credential's: apply would send its value to RuangKerja as this person's password.";
  }
  if (SYSTEM.has(upper) || /^(GITHUB|RUNNER|ACTIONS)_/.test(upper)) {
    return `${upper} is a variable of the machine that runs apply, not a password.`;
  }
  return "";
}

/**
 * Names to use instead: the name as written moved under the prefix (RINA_INITIAL_PASSWORD →
 * RUANGKERJA_PASSWORD_RINA_INITIAL_PASSWORD) unless it names a credential or a system variable,
 * whose value was never a password; and the one after the user's employeeID.
 */
export function suggestPasswordEnv(name: string, employeeID: string | undefined): string[] {
  const suggestions: string[] = [];
  const cleaned = name.toUpperCase().replace(/[^A-Z0-9_]+/g, "_");
  const moved = cleaned.startsWith(PASSWORD_ENV_PREFIX) ? cleaned : `${PASSWORD_ENV_PREFIX}${cleaned.replace(/^_+/, "")}`;
  if (passwordEnvDanger(name) === "" && isPasswordEnvName(moved) && moved !== name) suggestions.push(moved);
  const byID = employeeID === undefined ? undefined : `${PASSWORD_ENV_PREFIX}${employeeID.toUpperCase()}`;
  if (byID !== undefined && isPasswordEnvName(byID) && !suggestions.includes(byID)) suggestions.push(byID);
  if (suggestions.length === 0) suggestions.push(`${PASSWORD_ENV_PREFIX}<employeeID>`);
  return suggestions;
}
