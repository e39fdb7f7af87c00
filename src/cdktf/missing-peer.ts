/**
 * cdktf and constructs are optional peer dependencies: a CLI-only install has neither, so the
 * ./cdktf entry turns Node's "cannot find package" into a message that says what to install.
 */

/** The ranges of package.json's peerDependencies (a unit test keeps them equal). */
export const CDKTF_PEERS = { cdktf: "^0.21.0", constructs: "^10.4.2" } as const;

/** The error to throw instead of `error` when it says a peer is missing; otherwise `error` itself. */
export function missingPeerError(error: unknown): unknown {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  if (code !== "ERR_MODULE_NOT_FOUND" && code !== "MODULE_NOT_FOUND") return error;
  const missing = Object.keys(CDKTF_PEERS).filter((name) => typeof message === "string" && new RegExp(`'${name}'`).test(message));
  if (missing.length === 0) return error;
  const install = Object.entries(CDKTF_PEERS)
    .map(([name, range]) => `${name}@"${range}"`)
    .join(" ");
  return new Error(
    `ruangkerja-users/cdktf needs the packages cdktf and constructs, which are optional peer dependencies (the CLI does not use them), and ${missing.join(" and ")} cannot be found: npm install ${install}`,
    { cause: error },
  );
}
