/**
 * The CDKTF construct, a separate entry point (`ruangkerja-users/cdktf`) so that the CLI and the
 * library's main entry never load cdktf. It wraps the declarations stage and the `tf-sync`
 * command; everything else lives in the other stages.
 */
import type * as Construct from "./ruangkerja-users.js";
import { missingPeerError } from "./missing-peer.js";

export type { RuangkerjaUsersLoadedProps, RuangkerjaUsersProps } from "./ruangkerja-users.js";
export { escapeTemplate } from "./terraform-template.js";

// Loaded dynamically: a static import of a missing cdktf fails before any code here could say why.
const construct: typeof Construct = await import("./ruangkerja-users.js").catch((error: unknown) => {
  throw missingPeerError(error);
});

/** The users of a declarations folder as Terraform resources; see ruangkerja-users.ts. */
export const RuangkerjaUsers = construct.RuangkerjaUsers;
export type RuangkerjaUsers = Construct.RuangkerjaUsers;
