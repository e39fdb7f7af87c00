/**
 * The CDKTF construct, a separate entry point (`ruangkerja-users/cdktf`) so that the CLI and the
 * library's main entry never load cdktf. It wraps the declarations stage and the `tf-sync`
 * command; everything else lives in the other stages.
 */
export { RuangkerjaUsers, type RuangkerjaUsersLoadedProps, type RuangkerjaUsersProps } from "./ruangkerja-users.js";
export { escapeTemplate } from "./terraform-template.js";
