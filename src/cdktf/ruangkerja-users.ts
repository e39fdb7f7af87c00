/**
 * The construct: the same declarations as the CLI (loaded and validated by src/declarations),
 * turned into Terraform resources whose provisioners apply them through the same client and
 * apply engine (the `tf-sync` command). Terraform's state records what was applied.
 *
 * Shape: the users are split by a hash of their employeeID into `shards` builtin
 * `terraform_data` resources. Each holds, in `triggers_replace`, a map from employeeID to that
 * user's record, so `terraform plan` lists per person, by employeeID, what is added, changed or
 * removed. A change to a shard replaces its resource: the destroy provisioner deactivates the
 * users no longer declared, the create provisioner applies the rest in bulk. Shards rather than a
 * resource per user: Terraform's apply time grows with the square of the number of resource
 * instances (1,000 instances took 15–25 s here), while a shard costs one process when it changes.
 */
import { DataResource, TerraformLocal, TerraformStack } from "cdktf";
import { Construct } from "constructs";
import { loadDeclarations } from "../declarations/index.js";
import { type Diagnostic, formatDiagnostics, hasErrors } from "../diagnostics.js";
import { ConfigError, InvalidInputError } from "../errors.js";
import type { DesiredUser } from "../model.js";
import { type ShardEntry, type SyncRecord, shardIndex, shardSuffix } from "../tf-sync/records.js";
import { recordText } from "../provider/resources/record-text.js";
import { RECORD_FIELDS } from "../provider/resources/users-schema.js";
import { installProviderOnSynth, RuangkerjaProvider, RuangkerjaUsersResource } from "./provider-elements.js";
import { escapeTemplate, escapeTemplates } from "./terraform-template.js";

export interface RuangkerjaUsersProps {
  /**
   * Folder of the YAML declarations (every `*.yaml`/`*.yml` under it), resolved against `cwd`.
   * @default "users"
   */
  readonly dir?: string;
  /**
   * Directory that `dir` and the paths in error messages are relative to.
   * @default process.cwd()
   */
  readonly cwd?: string;
  /**
   * terraform_data engine only: the RuangKerja API base URL the provisioners call, written into
   * cdk.tf.json. The provider engine refuses it: the provider sends the token only to
   * RUANGKERJA_API_URL of terraform's environment (else https://api.ruangkerja.id), so that no
   * configuration can point the credentials at another server.
   * @default the RUANGKERJA_API_URL of the environment that runs `terraform apply`, else https://api.ruangkerja.id
   */
  readonly apiUrl?: string;
  /**
   * Users per bulk call.
   * @default 100
   */
  readonly chunkSize?: number;
  /**
   * What removing a user from the declarations (or deleting their file) means: "deactivate" sets
   * `isActive: false` in RuangKerja (there is no delete); "keep" leaves RuangKerja as it is and
   * only drops the user from Terraform's state.
   * @default "deactivate"
   */
  readonly removal?: "deactivate" | "keep";
  /**
   * Number of `terraform_data` resources the users are spread over (by a hash of employeeID).
   * Each changed shard costs one process at apply; each holds at most about 250,000 characters
   * of records (some 1,000 users). Like a construct id it is a contract: choose it once (see
   * README, "Terraform / CDKTF", limits). 8 keeps Terraform's apply of 1,000 users within 10× of
   * the CLI (each shard's provisioner is a process); raise it for more than about 7,500 users.
   * @default 8
   */
  readonly shards?: number;
  /**
   * Prefix of the resources' and locals' names (`<prefix>_00` …). Names are set explicitly, since
   * a changed name would replace the resources.
   * @default the construct id, with characters other than letters, digits and _ replaced by _
   */
  readonly resourcePrefix?: string;
  /**
   * The command the provisioners run, followed by `create|destroy --shard <name> …`. Runs in
   * Terraform's working directory with Terraform's environment.
   * @default DEFAULT_SYNC_COMMAND: the lean form of `ruangkerja-users tf-sync`, resolved from Terraform's working directory at apply
   */
  readonly syncCommand?: string;
  /**
   * What carries the users to RuangKerja. "provider": our Terraform provider's bulk
   * `ruangkerja_users` resource (one resource; `terraform plan` shows each person's change as an
   * update in place; the launcher is written into the stack's terraform.d/plugins at synth).
   * "terraform_data": the fallback of builtin `terraform_data` shards whose `local-exec`
   * provisioners run `tf-sync` (no provider; see docs/terraform.md for its limits). `shards`,
   * `syncCommand` and `removal: "keep"` are for "terraform_data" only.
   * @default "provider"
   */
  readonly engine?: "provider" | "terraform_data";
  /**
   * provider engine: allow a plan (terraform destroy included) to deactivate more users than
   * `maxDeactivate`, as the CLI's --allow-mass-deactivation.
   * @default false
   */
  readonly allowMassDeactivation?: boolean;
  /**
   * provider engine: the safety limit on deactivations in one plan, a count ("25") or a share of
   * the users in Terraform's state ("10%").
   * @default "10%"
   */
  readonly maxDeactivate?: string;
}

/** Props with the declarations already loaded, for the synchronous constructor. */
export interface RuangkerjaUsersLoadedProps extends RuangkerjaUsersProps {
  /** What `loadDeclarations` returned; refused when it holds an error. */
  readonly declarations: { readonly users: readonly DesiredUser[]; readonly diagnostics: readonly Diagnostic[] };
}

/**
 * Linux refuses to start a process with one environment variable over 128 KiB (MAX_ARG_STRLEN),
 * so a shard's JSON reaches the provisioner in pieces: RUANGKERJA_TF_USERS_00 … _63, each a
 * `substr` of PIECE_GRAPHEMES characters (Terraform counts grapheme clusters).
 */
export const USERS_PIECES = 64;
const PIECE_GRAPHEMES = 4000;
const MAX_PIECE_BYTES = 100 * 1024;
/**
 * The lean `tf-sync` entry, found when the provisioner runs: Node resolves "ruangkerja-users" from
 * Terraform's working directory (the project's node_modules, or the package itself in its own
 * checkout), so cdk.tf.json holds no path of the machine that synthesized it and can be applied
 * from another checkout or CI job. "tf-sync" fills argv[1], where a script's path would be.
 */
export const DEFAULT_SYNC_COMMAND = `node --input-type=module -e 'await import(new URL("cli/tf-sync.js", import.meta.resolve("ruangkerja-users")))' tf-sync`;

/**
 * RuangKerja users as Terraform resources, from the same YAML declarations as the CLI.
 *
 * @example
 * const app = new App();
 * const stack = new TerraformStack(app, "users");
 * await RuangkerjaUsers.load(stack, "ruangkerja", { dir: "users" });
 * app.synth();
 */
export class RuangkerjaUsers extends Construct {
  /**
   * Loads and validates the declarations with the CLI's own code, then builds the construct.
   * Throws InvalidInputError listing every problem (file:line:column) when they are invalid.
   */
  static async load(scope: Construct, id: string, props: RuangkerjaUsersProps = {}): Promise<RuangkerjaUsers> {
    const declarations = await loadDeclarations({ dir: props.dir ?? "users", ...(props.cwd ? { cwd: props.cwd } : {}) });
    return new RuangkerjaUsers(scope, id, { ...props, declarations });
  }

  /** The users declared, by employeeID. */
  readonly users: readonly DesiredUser[];
  /** engine "terraform_data": the `terraform_data` resources, one per shard, in shard order (else empty). */
  readonly shards: readonly DataResource[];
  /** engine "provider": the `ruangkerja_users` resource holding every user. */
  readonly resource?: RuangkerjaUsersResource;

  constructor(scope: Construct, id: string, props: RuangkerjaUsersLoadedProps) {
    // Checked before super(): a construct that throws must not stay in the tree.
    const checked = checkProps(id, props);
    super(scope, id);
    this.users = props.declarations.users;
    if (checked.engine === "provider") {
      this.shards = [];
      this.resource = addProviderResource(this, checked.prefix, props);
    } else {
      this.shards = addShards(this, id, checked, props);
    }
  }
}

/** The provider engine: the provider block (unless the stack has one already) and one bulk resource. */
function addProviderResource(scope: Construct, name: string, props: RuangkerjaUsersLoadedProps): RuangkerjaUsersResource {
  const stack = TerraformStack.of(scope);
  const existing = stack.node.findAll().find((c): c is RuangkerjaProvider => c instanceof RuangkerjaProvider);
  const provider =
    existing ??
    new RuangkerjaProvider(stack, "ruangkerja_provider", {
      ...(props.chunkSize !== undefined && { chunkSize: props.chunkSize }),
      ...(props.allowMassDeactivation !== undefined && { allowMassDeactivation: props.allowMassDeactivation }),
      ...(props.maxDeactivate !== undefined && { maxDeactivate: escapeTemplate(props.maxDeactivate) }),
    });
  installProviderOnSynth(stack);
  const resource = new RuangkerjaUsersResource(scope, name, {
    users: escapeTemplates(usersMap(props.declarations.users)) as UsersMap,
    provider,
  });
  resource.overrideLogicalId(name);
  return resource;
}

type UsersMap = Record<string, string>;

/**
 * The resource's `users` map: employeeID → the person's record as canonical JSON (record-text.ts:
 * fields in a fixed order, those not set left out), the password's variable by name. Sorted by
 * employeeID, so that the same declarations synthesize the same bytes.
 */
export function usersMap(users: readonly DesiredUser[]): UsersMap {
  const map: UsersMap = {};
  for (const user of [...users].sort((a, b) => (a.employeeID < b.employeeID ? -1 : a.employeeID > b.employeeID ? 1 : 0))) {
    const written: Record<string, unknown> = { ...user, passwordEnv: user.passwordEnv?.name };
    const record: Record<string, string | boolean | readonly string[]> = {};
    for (const [field, name] of Object.entries(RECORD_FIELDS)) {
      const value = written[field] as string | boolean | readonly string[] | undefined;
      if (value !== undefined) record[name] = value;
    }
    map[user.employeeID] = recordText(record);
  }
  return map;
}

/** The terraform_data engine: one resource per shard, whose provisioners run tf-sync. */
function addShards(
  scope: Construct,
  id: string,
  checked: ReturnType<typeof checkProps>,
  props: RuangkerjaUsersLoadedProps,
): DataResource[] {
  const { shardCount, chunkSize, removal, prefix } = checked;
  const maps = buildShardMaps(props.declarations.users, shardCount);
  const command = props.syncCommand ?? DEFAULT_SYNC_COMMAND;
  const environment: Record<string, string> = props.apiUrl ? { RUANGKERJA_API_URL: escapeTemplate(props.apiUrl) } : {};
  const shards: DataResource[] = [];
  maps.forEach((map, index) => {
    const name = `${prefix}_${shardSuffix(index, shardCount)}`;
    const tooLarge = checkShardSize(map);
    if (tooLarge) {
      throw new ConfigError(
        `RuangkerjaUsers ${id}: shard ${name} holds ${Object.keys(map).length} users, ${tooLarge}: raise \`shards\` (now ${shardCount})`,
      );
    }
    const local = new TerraformLocal(scope, `${name}_local`, escapeTemplates(map));
    local.overrideLogicalId(name);
    const resource = new DataResource(scope, name);
    resource.overrideLogicalId(name);
    // The whole map, not a hash of it: the plan then shows each person's changes.
    resource.addOverride("triggers_replace", `\${local.${name}}`);
    const args = `--shard ${name} --chunk-size ${chunkSize} --removal ${removal}`;
    resource.addOverride("provisioner", [
      {
        "local-exec": {
          // A shard that declares no one has nothing to create: no process (the destroy step deactivates).
          command: Object.keys(map).length === 0 ? ":" : escapeTemplate(`${command} create ${args}`),
          environment: { ...environment, ...usersEnvironment() },
        },
      },
      {
        "local-exec": {
          when: "destroy",
          command: escapeTemplate(`${command} destroy ${args}`),
          // A destroy provisioner sees only its old self; what the shard declares now comes in as text.
          environment: {
            ...environment,
            ...usersEnvironment(),
            RUANGKERJA_TF_KEEP: escapeTemplate(JSON.stringify(Object.keys(map))),
          },
        },
      },
    ]);
    shards.push(resource);
  });
  return shards;
}

function checkProps(id: string, props: RuangkerjaUsersLoadedProps) {
  const { declarations } = props;
  if (hasErrors(declarations.diagnostics)) {
    const errors = declarations.diagnostics.filter((d) => d.severity === "error");
    throw new InvalidInputError(
      `the declarations${props.dir ? ` in ${props.dir}` : ""} are invalid (${errors.length} error${errors.length === 1 ? "" : "s"}); nothing was synthesized:\n${formatDiagnostics(errors, { color: false })}`,
      errors,
    );
  }
  const shardCount = props.shards ?? 8;
  if (!Number.isInteger(shardCount) || shardCount < 1 || shardCount > 1000) {
    throw new ConfigError(`RuangkerjaUsers ${id}: shards must be a whole number from 1 to 1000, got ${shardCount}`);
  }
  const chunkSize = props.chunkSize ?? 100;
  if (!Number.isInteger(chunkSize) || chunkSize < 1 || chunkSize > 10_000) {
    throw new ConfigError(`RuangkerjaUsers ${id}: chunkSize must be a whole number from 1 to 10000, got ${chunkSize}`);
  }
  const removal = props.removal ?? "deactivate";
  if (removal !== "deactivate" && removal !== "keep") {
    throw new ConfigError(`RuangkerjaUsers ${id}: removal must be "deactivate" or "keep", got ${JSON.stringify(removal)}`);
  }
  const prefix = props.resourcePrefix ?? id.replace(/[^A-Za-z0-9_]/g, "_");
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(prefix)) {
    throw new ConfigError(
      `RuangkerjaUsers ${id}: resourcePrefix must start with a letter or _ and hold only letters, digits and _, got ${JSON.stringify(prefix)}`,
    );
  }
  const engine = props.engine ?? "provider";
  if (engine !== "provider" && engine !== "terraform_data") {
    throw new ConfigError(`RuangkerjaUsers ${id}: engine must be "provider" or "terraform_data", got ${JSON.stringify(engine)}`);
  }
  if (engine === "provider") {
    const fallbackOnly = [
      props.shards !== undefined && "shards",
      props.syncCommand !== undefined && "syncCommand",
      removal === "keep" && 'removal: "keep"',
      // The provider takes the API from RUANGKERJA_API_URL where terraform runs, never from configuration.
      props.apiUrl !== undefined && "apiUrl",
    ];
    const given = fallbackOnly.filter((name): name is string => typeof name === "string");
    if (given.length > 0) {
      throw new ConfigError(
        `RuangkerjaUsers ${id}: ${given.join(", ")} apply to engine "terraform_data" only; set engine: "terraform_data" or leave them out` +
          (props.apiUrl !== undefined ? " (the provider's API is RUANGKERJA_API_URL where terraform runs, never configuration)" : ""),
      );
    }
  }
  return { shardCount, chunkSize, removal, prefix, engine };
}

/** The provisioner's view of its resource's map, in pieces (see USERS_PIECES). */
function usersEnvironment(): Record<string, string> {
  return Object.fromEntries(
    Array.from({ length: USERS_PIECES }, (_, i) => [
      `RUANGKERJA_TF_USERS_${String(i).padStart(2, "0")}`,
      `\${substr(jsonencode(self.triggers_replace), ${i * PIECE_GRAPHEMES}, ${PIECE_GRAPHEMES})}`,
    ]),
  );
}

/**
 * Why a shard's map cannot travel in the pieces, or undefined. Conservative, without segmenting
 * the whole JSON (Intl.Segmenter is very slow on long strings): Terraform counts grapheme
 * clusters, never more than code points; a piece takes at most PIECE_GRAPHEMES times the largest
 * cluster (jsonencode writes <, > and & as \u003c…, 6 bytes).
 */
function checkShardSize(map: Record<string, ShardEntry>): string | undefined {
  const json = JSON.stringify(map);
  const bytes = Buffer.byteLength(json) + 5 * (json.match(/[<>&]/g)?.length ?? 0);
  let codePoints = 0;
  for (const _ of json) codePoints++;
  if (codePoints > (USERS_PIECES - 1) * PIECE_GRAPHEMES) return `more than ${(USERS_PIECES - 1) * PIECE_GRAPHEMES} characters of records`;
  if (bytes <= MAX_PIECE_BYTES) return undefined;
  const widest = widestCluster(map);
  if (widest * PIECE_GRAPHEMES > MAX_PIECE_BYTES) {
    return `and a character of ${widest} bytes (e.g. one with many combining marks) makes a piece of ${PIECE_GRAPHEMES} characters larger than ${MAX_PIECE_BYTES / 1024} KiB`;
  }
  return undefined;
}

/** Bytes of the largest grapheme cluster in the map's text, as jsonencode writes it. */
function widestCluster(value: unknown): number {
  if (typeof value === "string") {
    // Below U+0300 every code point is its own cluster (bar \r\n) and takes at most 6 bytes in JSON.
    if (![...value].some((c) => (c.codePointAt(0) as number) >= 0x300)) return 6;
    let widest = 6;
    for (const { segment } of new Intl.Segmenter(undefined, { granularity: "grapheme" }).segment(value)) {
      widest = Math.max(widest, Buffer.byteLength(segment) + 5 * (segment.match(/[<>&]/g)?.length ?? 0));
    }
    return widest;
  }
  if (Array.isArray(value)) return Math.max(6, ...value.map(widestCluster));
  if (value !== null && typeof value === "object") return Math.max(6, ...Object.entries(value).flat().map(widestCluster));
  return 6;
}

/** Every shard's map (empty ones too: an emptied shard must still run its destroy step). */
export function buildShardMaps(users: readonly DesiredUser[], shards: number): Record<string, ShardEntry>[] {
  const maps: Record<string, ShardEntry>[] = Array.from({ length: shards }, () => ({}));
  const declared = new Set(users.map((u) => u.employeeID));
  for (const user of users) {
    // The variable's name only: its file and line would make moving a line a change (and tf-sync refuses them).
    const { source: _source, passwordEnv, ...fields } = user;
    const record: SyncRecord = { ...fields, ...(passwordEnv && { passwordEnv: passwordEnv.name }) };
    (maps[shardIndex(user.employeeID, shards)] as Record<string, ShardEntry>)[user.employeeID] = record;
  }
  // The old IDs of renamed users stay as markers, so their removal reads as a rename, not a deactivation.
  for (const user of users) {
    for (const old of user.previousEmployeeIDs ?? []) {
      if (declared.has(old)) continue;
      (maps[shardIndex(old, shards)] as Record<string, ShardEntry>)[old] = { renamedTo: user.employeeID };
    }
  }
  return maps.map(sortKeys);
}

function sortKeys(map: Record<string, ShardEntry>): Record<string, ShardEntry> {
  return Object.fromEntries(Object.entries(map).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
