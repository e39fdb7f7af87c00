/**
 * What each tfplugin6.Provider call does with a ProviderDefinition: decode the DynamicValues
 * against the schema, call the resource, encode its answer. Free of gRPC (serve.ts binds these to
 * the server and turns anything thrown into an error diagnostic), so tests call them directly.
 */
import type {
  DataSourceType,
  ProviderContext,
  ProviderDefinition,
  ResourceType,
  TfDiagnostic,
  TfObject,
  TfSchema,
  TfValue,
} from "../provider-types.js";
import { containsUnknown, decodeDynamicValue, decodeJson, encodeMsgpack, objectType } from "./dynamic-value.js";
import type { Log } from "./log.js";
import { attributePath, type DiagnosticMessage, diagnosticMessages, errorDiagnostic, hasErrors, schemaMessage } from "./messages.js";

interface DynamicValueMessage {
  msgpack?: Uint8Array;
  json?: Uint8Array;
}
type Request = Record<string, unknown> & { type_name?: string };
type Reply = Record<string, unknown> & { diagnostics?: DiagnosticMessage[] };

const CAPABILITIES = { plan_destroy: true, get_provider_schema_optional: false, move_resource_state: false };

/** A known object, or null (absent, destroyed). */
function asObject(value: TfValue): TfObject | null {
  if (value === null) return null;
  if (typeof value !== "object" || Array.isArray(value)) throw new TypeError("expected an object value");
  return value as TfObject;
}

/** The value with every write-only attribute null: Terraform refuses them in plan and state, and they hold secrets. */
function withoutWriteOnly(value: TfObject | null, schema: TfSchema): TfObject | null {
  if (value === null) return null;
  const writeOnly = schema.attributes.filter((a) => a.writeOnly === true);
  if (writeOnly.length === 0) return value;
  return { ...value, ...Object.fromEntries(writeOnly.map((a) => [a.name, null])) };
}

export class ProviderCalls {
  private context: ProviderContext | undefined;
  private readonly stopping = new AbortController();
  private readonly resources: ReadonlyMap<string, ResourceType>;
  private readonly dataSources: ReadonlyMap<string, DataSourceType>;

  constructor(
    private readonly definition: ProviderDefinition,
    private readonly log: Log,
    private readonly environment: (name: string) => string | undefined,
  ) {
    this.resources = new Map(definition.resources.map((r) => [r.name, r]));
    this.dataSources = new Map((definition.dataSources ?? []).map((d) => [d.name, d]));
  }

  private decode(value: unknown, schema: TfSchema): TfObject | null {
    return asObject(decodeDynamicValue(value as DynamicValueMessage | undefined, objectType(schema.attributes)));
  }

  private encode(value: TfObject | null, schema: TfSchema): DynamicValueMessage {
    return { msgpack: encodeMsgpack(withoutWriteOnly(value, schema), objectType(schema.attributes)) };
  }

  /** The resource a request names, or the diagnostic that says it is not ours. */
  private resource(request: Request): ResourceType | DiagnosticMessage {
    const found = this.resources.get(request.type_name ?? "");
    if (found) return found;
    const known = [...this.resources.keys()].join(", ");
    return errorDiagnostic(`Unknown resource type ${JSON.stringify(request.type_name)}`, `The ruangkerja provider has: ${known}.`);
  }

  /** The data source a request names, or the diagnostic that says it is not ours. */
  private dataSource(request: Request): DataSourceType | DiagnosticMessage {
    return (
      this.dataSources.get(request.type_name ?? "") ??
      errorDiagnostic(`The ruangkerja provider has no data source ${JSON.stringify(request.type_name)}`)
    );
  }

  /** The configured provider, or the diagnostic saying Terraform has not configured it. */
  private configured(): ProviderContext | DiagnosticMessage {
    return this.context ?? errorDiagnostic("The ruangkerja provider is not configured", "ConfigureProvider did not succeed in this run.");
  }

  GetMetadata(): Promise<Reply> {
    const resources = this.definition.resources.map((r) => ({ type_name: r.name }));
    const data_sources = [...this.dataSources.keys()].map((name) => ({ type_name: name }));
    return Promise.resolve({ server_capabilities: CAPABILITIES, diagnostics: [], data_sources, resources });
  }

  GetProviderSchema(): Promise<Reply> {
    return Promise.resolve({
      provider: schemaMessage(this.definition.schema),
      resource_schemas: Object.fromEntries(this.definition.resources.map((r) => [r.name, schemaMessage(r.schema)])),
      data_source_schemas: Object.fromEntries([...this.dataSources.values()].map((d) => [d.name, schemaMessage(d.schema)])),
      diagnostics: [],
      server_capabilities: CAPABILITIES,
    });
  }

  ValidateProviderConfig(request: Request): Promise<Reply> {
    this.decode(request.config, this.definition.schema); // a value that does not fit the schema throws
    return Promise.resolve({ diagnostics: [] });
  }

  async ValidateResourceConfig(request: Request): Promise<Reply> {
    const resource = this.resource(request);
    if (!("schema" in resource)) return { diagnostics: [resource] };
    const config = this.decode(request.config, resource.schema) ?? {};
    return { diagnostics: diagnosticMessages((await resource.validate?.(config)) ?? []) };
  }

  UpgradeResourceState(request: Request): Promise<Reply> {
    const resource = this.resource(request);
    if (!("schema" in resource)) return Promise.resolve({ diagnostics: [resource] });
    const version = Number(request.version ?? 0);
    const raw = request.raw_state as { json?: Uint8Array } | undefined;
    if (version > resource.schema.version)
      return Promise.resolve({
        diagnostics: [
          errorDiagnostic(
            `The state of ${resource.name} was written by a newer provider`,
            `It has schema version ${version}; this provider knows up to ${resource.schema.version}. Install the newer ruangkerja-users.`,
          ),
        ],
      });
    if (!raw?.json || raw.json.length === 0)
      return Promise.resolve({
        diagnostics: [errorDiagnostic(`The state of ${resource.name} has no JSON form`, "Flatmap states are not supported.")],
      });
    // Our schemas have not changed shape yet: an older version decodes as it is, missing attributes null.
    const state = asObject(decodeJson(raw.json, objectType(resource.schema.attributes)));
    return Promise.resolve({ upgraded_state: this.encode(state, resource.schema), diagnostics: [] });
  }

  async ConfigureProvider(request: Request): Promise<Reply> {
    const config = this.decode(request.config, this.definition.schema) ?? {};
    if (containsUnknown(config))
      return {
        diagnostics: [
          errorDiagnostic(
            "The ruangkerja provider's configuration is not known yet",
            "Its arguments must be known at plan time (not computed from another resource).",
          ),
        ],
      };
    const result = await this.definition.configure(config, this.environment);
    if (!hasErrors(result.diagnostics)) this.context = result.context ?? { config, environment: this.environment };
    this.log("debug", "configured", { ok: this.context !== undefined });
    return { diagnostics: diagnosticMessages(result.diagnostics) };
  }

  async ReadResource(request: Request): Promise<Reply> {
    const resource = this.resource(request);
    if (!("schema" in resource)) return { diagnostics: [resource] };
    const passThrough = { new_state: request.current_state, private: request.private, diagnostics: [] };
    if (!resource.read) return passThrough;
    const current = this.decode(request.current_state, resource.schema);
    if (current === null) return passThrough;
    const provider = this.configured();
    if (!("config" in provider)) return { diagnostics: [provider] };
    const result = await resource.read({ current, provider });
    if (hasErrors(result.diagnostics))
      return { new_state: request.current_state, private: request.private, ...messages(result.diagnostics) };
    return { new_state: this.encode(result.newState, resource.schema), private: request.private, ...messages(result.diagnostics) };
  }

  /** The resource and the configured provider a plan or apply needs, with the request's values decoded; or why not. */
  private change(request: Request, next: "proposed_new_state" | "planned_state") {
    const resource = this.resource(request);
    if (!("schema" in resource)) return resource;
    const provider = this.configured();
    if (!("config" in provider)) return provider;
    const decode = (field: string) => this.decode(request[field], resource.schema);
    return { resource, provider, prior: decode("prior_state"), next: decode(next), config: decode("config") };
  }

  async PlanResourceChange(request: Request): Promise<Reply> {
    const change = this.change(request, "proposed_new_state");
    if (!("resource" in change)) return { diagnostics: [change] };
    const { resource, provider, prior, next: proposed, config } = change;
    const result = await resource.plan({ prior, proposed, config, provider });
    this.log("debug", "planned", { type: resource.name, create: prior === null, destroy: proposed === null });
    if (hasErrors(result.diagnostics)) return messages(result.diagnostics);
    return {
      planned_state: this.encode(proposed === null ? null : result.planned, resource.schema),
      requires_replace: (result.requiresReplace ?? []).map(attributePath),
      planned_private: request.prior_private,
      ...messages(result.diagnostics),
    };
  }

  async ApplyResourceChange(request: Request): Promise<Reply> {
    const change = this.change(request, "planned_state");
    if (!("resource" in change)) return { diagnostics: [change] };
    const { resource, provider, prior, next: planned, config } = change;
    const result = await resource.apply({ prior, planned, config, provider, stop: this.stopping.signal });
    this.log("debug", "applied", { type: resource.name, errors: hasErrors(result.diagnostics) });
    return { new_state: this.encode(result.newState, resource.schema), private: request.planned_private, ...messages(result.diagnostics) };
  }

  /** Terraform calls ReadResource on what this answers, then plans it against the configuration (or generates one). */
  async ImportResourceState(request: Request): Promise<Reply> {
    const resource = this.resource(request);
    if (!("schema" in resource)) return { diagnostics: [resource] };
    if (!resource.importState)
      return {
        diagnostics: [
          errorDiagnostic(
            `Import is not supported yet by ${resource.name}`,
            "Declare the users instead: applying creates the resource in state and adopts people RuangKerja already has.",
          ),
        ],
      };
    const provider = this.configured();
    if (!("config" in provider)) return { diagnostics: [provider] };
    const id = typeof request.id === "string" ? request.id : "";
    const result = await resource.importState({ id, provider });
    this.log("debug", "imported", { type: resource.name, found: result.state !== null, errors: hasErrors(result.diagnostics) });
    if (hasErrors(result.diagnostics)) return messages(result.diagnostics);
    const diagnostics = diagnosticMessages(result.diagnostics);
    if (result.state === null)
      return { diagnostics: [...diagnostics, errorDiagnostic(`Nothing to import into ${resource.name} under ${JSON.stringify(id)}`)] };
    const imported = { type_name: resource.name, state: this.encode(result.state, resource.schema), private: new Uint8Array() };
    return { imported_resources: [imported], diagnostics };
  }

  MoveResourceState(request: Request): Promise<Reply> {
    return Promise.resolve({ diagnostics: [errorDiagnostic(`Moving state into ${String(request.target_type_name)} is not supported`)] });
  }

  async ValidateDataResourceConfig(request: Request): Promise<Reply> {
    const dataSource = this.dataSource(request);
    if (!("schema" in dataSource)) return { diagnostics: [dataSource] };
    const config = this.decode(request.config, dataSource.schema) ?? {};
    return { diagnostics: diagnosticMessages((await dataSource.validate?.(config)) ?? []) };
  }

  async ReadDataSource(request: Request): Promise<Reply> {
    const dataSource = this.dataSource(request);
    if (!("schema" in dataSource)) return { diagnostics: [dataSource] };
    const config = this.decode(request.config, dataSource.schema) ?? {};
    // Terraform reads a data source during plan only once its configuration is known (we never
    // announce deferral); a value unknown here would make any answer a guess.
    if (containsUnknown(config))
      return {
        diagnostics: [
          errorDiagnostic(
            `The configuration of data source ${dataSource.name} is not known yet`,
            "The request carried unknown values; Terraform reads a data source once its arguments are known (during apply, when they come from a resource it changes).",
          ),
        ],
      };
    const provider = this.configured();
    if (!("config" in provider)) return { diagnostics: [provider] };
    const result = await dataSource.read({ config, provider });
    this.log("debug", "read data source", { type: dataSource.name, errors: hasErrors(result.diagnostics) });
    if (hasErrors(result.diagnostics)) return messages(result.diagnostics);
    const diagnostics = diagnosticMessages(result.diagnostics);
    if (result.state === null || containsUnknown(result.state))
      return { diagnostics: [...diagnostics, errorDiagnostic(`Data source ${dataSource.name} read no complete value`)] };
    return { state: this.encode(result.state, dataSource.schema), diagnostics };
  }

  ValidateEphemeralResourceConfig(request: Request): Promise<Reply> {
    return Promise.resolve({
      diagnostics: [errorDiagnostic(`The ruangkerja provider has no ephemeral resource ${JSON.stringify(request.type_name)}`)],
    });
  }

  GetFunctions(): Promise<Reply> {
    return Promise.resolve({ diagnostics: [] });
  }

  StopProvider(): Promise<Reply> {
    // Terraform waits for the calls in flight: an apply given the signal stops between requests.
    this.stopping.abort();
    this.log("info", "stop requested");
    return Promise.resolve({ Error: "" });
  }
}

function messages(diagnostics: readonly TfDiagnostic[]): { diagnostics: DiagnosticMessage[] } {
  return { diagnostics: diagnosticMessages(diagnostics) };
}
