/**
 * Where Terraform keeps the state of a synthesized stack. Not in cdktf.out/: synth rewrites that
 * folder and a clean deletes it. Either Terraform's own `pg` backend, whose connection string (a
 * secret) Terraform reads from PG_CONN_STR at init and apply, so that it is never written into
 * cdk.tf.json; or a local file beside cdktf.json, written as a path relative to the stack's
 * folder so that the synthesized output can be moved (synthesized in one CI job, applied in another).
 */
import { relative, resolve } from "node:path";
import { LocalBackend, PgBackend, type TerraformStack } from "cdktf";

export interface StateBackendOptions {
  /** "pg": Terraform's pg backend (PG_CONN_STR where terraform runs); "local": a state file. */
  readonly kind: "pg" | "local";
  /** The App's outdir, absolute or relative to `cwd`. */
  readonly outdir: string;
  /** The folder the local state file lives in. @default process.cwd() */
  readonly cwd?: string;
  /** pg: the schema Terraform creates for this stack's state. @default "ruangkerja_users_terraform" */
  readonly schemaName?: string;
}

/** Adds the backend to `stack`; returns where the state lives, for the success line. */
export function addStateBackend(stack: TerraformStack, options: StateBackendOptions): string {
  const { node } = stack;
  if (options.kind === "pg") {
    const schemaName = options.schemaName ?? "ruangkerja_users_terraform";
    // connStr left out on purpose (the type requires it): Terraform then reads PG_CONN_STR.
    new PgBackend(stack, { schemaName } as ConstructorParameters<typeof PgBackend>[1]);
    return `the pg backend (PG_CONN_STR), schema ${schemaName}`;
  }
  const cwd = options.cwd ?? process.cwd();
  const file = resolve(cwd, `terraform.${node.id}.tfstate`);
  const stackDir = resolve(cwd, options.outdir, "stacks", node.id);
  new LocalBackend(stack, { path: relative(stackDir, file) });
  return relative(cwd, file);
}
