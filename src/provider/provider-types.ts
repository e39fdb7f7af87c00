/**
 * What the Terraform provider's protocol side (src/provider/protocol/) and its resources
 * (src/provider/resources/) agree on: values as plain JavaScript, schemas as data, and one
 * interface per resource type. The protocol side decodes MessagePack/JSON DynamicValues into
 * these values and encodes the answers; a resource never sees gRPC or MessagePack.
 *
 * Values: a cty object or map is a plain object (map keys are the object's keys), a list or set
 * an array, a string/number/bool the JavaScript primitive, null is null, and a value Terraform
 * does not know yet (during plan) is `UNKNOWN`.
 */

/** A value not known until apply (cty's unknown; MessagePack extension type 0 on the wire). */
export const UNKNOWN: unique symbol = Symbol("unknown");
export type Unknown = typeof UNKNOWN;

export type TfValue = null | string | number | boolean | Unknown | readonly TfValue[] | TfObject;
export interface TfObject {
  readonly [key: string]: TfValue;
}

/**
 * A cty type in its JSON form, as the schema's `type` bytes carry it:
 * "string" | "number" | "bool" | ["list", T] | ["set", T] | ["map", T] | ["object", { name: T }].
 */
export type CtyType =
  | "string"
  | "number"
  | "bool"
  | "dynamic"
  | readonly ["list" | "set" | "map", CtyType]
  | readonly ["object", { readonly [name: string]: CtyType }];

export interface TfAttribute {
  readonly name: string;
  readonly type: CtyType;
  readonly description: string;
  readonly required?: boolean;
  readonly optional?: boolean;
  readonly computed?: boolean;
  readonly sensitive?: boolean;
  readonly deprecated?: boolean;
  /**
   * Write-only (Terraform ≥ 1.11): configuration only, never in plan or state; the protocol side
   * sets it to null in every planned and new state it returns.
   */
  readonly writeOnly?: boolean;
}

export interface TfSchema {
  readonly version: number;
  readonly attributes: readonly TfAttribute[];
  readonly description: string;
}

/** A step of a path to an attribute: an attribute name, or an element key (map key or list index). */
export type TfPathStep = { readonly attribute: string } | { readonly key: string } | { readonly index: number };

export interface TfDiagnostic {
  readonly severity: "error" | "warning";
  readonly summary: string;
  readonly detail?: string;
  /** The attribute the diagnostic is about, when there is one (Terraform points at it in the configuration). */
  readonly attribute?: readonly TfPathStep[];
}

/** What ConfigureProvider produced: the provider block's values plus the process's environment, read once. */
export interface ProviderContext {
  /** The provider block as configured (unknown values already refused by the protocol side). */
  readonly config: TfObject;
  /** The provider process's environment (the token and passwords are read from here, never from configuration). */
  readonly environment: (name: string) => string | undefined;
}

export interface PlanRequest {
  /** The resource's state before (null: it does not exist yet). */
  readonly prior: TfObject | null;
  /** Terraform's proposed new state: config merged with prior for computed attributes (null: destroy). */
  readonly proposed: TfObject | null;
  /** The configuration as written (null: destroy). */
  readonly config: TfObject | null;
  readonly provider: ProviderContext;
}

export interface PlanResponse {
  /** The planned new state; must agree with config wherever config sets a value. */
  readonly planned: TfObject | null;
  /** Attributes whose change forces replacement (none for our resources, which update in place). */
  readonly requiresReplace?: readonly (readonly TfPathStep[])[];
  readonly diagnostics: readonly TfDiagnostic[];
}

export interface ApplyRequest {
  readonly prior: TfObject | null;
  /** What plan returned (null: destroy). */
  readonly planned: TfObject | null;
  readonly config: TfObject | null;
  readonly provider: ProviderContext;
  /**
   * Aborted when Terraform calls StopProvider (Ctrl-C, or a cancelled run): finish the request in
   * flight, start no other, and return what was applied.
   */
  readonly stop?: AbortSignal;
}

export interface ApplyResponse {
  /**
   * The new state. On a partial failure it is what was applied (Terraform keeps it beside the
   * error), so the next plan starts from the truth and converges.
   */
  readonly newState: TfObject | null;
  readonly diagnostics: readonly TfDiagnostic[];
}

export interface ReadRequest {
  readonly current: TfObject;
  readonly provider: ProviderContext;
}

export interface ReadResponse {
  /** null: the resource is gone (Terraform plans to create it again). */
  readonly newState: TfObject | null;
  readonly diagnostics: readonly TfDiagnostic[];
}

export interface ImportRequest {
  /** What `terraform import ADDRESS ID` (or an import block's `id`) gave. */
  readonly id: string;
  readonly provider: ProviderContext;
}

export interface ImportResponse {
  /**
   * The state to adopt (Terraform then calls read on it, and plan compares it with the
   * configuration); null with an error diagnostic when nothing can be imported.
   */
  readonly state: TfObject | null;
  readonly diagnostics: readonly TfDiagnostic[];
}

export interface ResourceType {
  /** Terraform's type name, e.g. "ruangkerja_users". */
  readonly name: string;
  readonly schema: TfSchema;
  /** Checks the configuration (async only where the code that checks loads at the first call: lazy-load.ts). */
  validate?(config: TfObject): readonly TfDiagnostic[] | Promise<readonly TfDiagnostic[]>;
  plan(request: PlanRequest): Promise<PlanResponse>;
  apply(request: ApplyRequest): Promise<ApplyResponse>;
  /** Refresh from RuangKerja; absent: the state is returned unchanged. */
  read?(request: ReadRequest): Promise<ReadResponse>;
  /** Adopt what RuangKerja has under `id`; absent: import is refused with a diagnostic. */
  importState?(request: ImportRequest): Promise<ImportResponse>;
}

export interface DataSourceRequest {
  /** The data block as configured (known: the protocol side refuses one with unknown values). */
  readonly config: TfObject;
  readonly provider: ProviderContext;
}

export interface DataSourceResponse {
  /** The data source's state: config plus the computed attributes read from RuangKerja. */
  readonly state: TfObject | null;
  readonly diagnostics: readonly TfDiagnostic[];
}

export interface DataSourceType {
  /** Terraform's type name, e.g. "ruangkerja_users". */
  readonly name: string;
  readonly schema: TfSchema;
  validate?(config: TfObject): readonly TfDiagnostic[] | Promise<readonly TfDiagnostic[]>;
  read(request: DataSourceRequest): Promise<DataSourceResponse>;
}

export interface ProviderDefinition {
  /** The provider's local name, e.g. "ruangkerja". */
  readonly name: string;
  /** The provider block's schema. */
  readonly schema: TfSchema;
  readonly resources: readonly ResourceType[];
  /** Its data sources (none: GetProviderSchema lists none). */
  readonly dataSources?: readonly DataSourceType[];
  /** Checks the provider block; diagnostics here stop the run before any resource is planned. */
  configure(
    config: TfObject,
    environment: (name: string) => string | undefined,
  ): Promise<{ context?: ProviderContext; diagnostics: readonly TfDiagnostic[] }>;
}
