/**
 * Resources and data sources whose schema is known at start-up and whose code loads at their first
 * call. Terraform starts the provider three or four times per run, and one of those processes only
 * asks for the schemas: it need not load the declarations' checks, the planner or the API client.
 */
import type {
  DataSourceRequest,
  DataSourceResponse,
  DataSourceType,
  ResourceType,
  TfDiagnostic,
  TfObject,
  TfSchema,
} from "./provider-types.js";

/** A resource with every call implemented (read and import included), as the lazy one forwards each. */
export type FullResource = Required<ResourceType>;

function once<T>(load: () => Promise<T>): () => Promise<T> {
  let loaded: Promise<T> | undefined;
  return () => (loaded ??= load());
}

type Validate = (config: TfObject) => readonly TfDiagnostic[] | Promise<readonly TfDiagnostic[]>;

/**
 * `name` with `schema`, its calls forwarded to what `load` gives (loaded once, at the first call).
 * `loadValidate`: a lighter module for validate alone (Terraform's validate walk runs in a
 * process of its own that calls nothing else).
 */
export function lazyResource(
  name: string,
  schema: TfSchema,
  load: () => Promise<FullResource>,
  loadValidate?: () => Promise<Validate>,
): ResourceType {
  const resource = once(load);
  const validator = once(loadValidate ?? (async () => (await resource()).validate));
  return {
    name,
    schema,
    validate: async (config: TfObject): Promise<readonly TfDiagnostic[]> => (await validator())(config),
    plan: async (request) => (await resource()).plan(request),
    apply: async (request) => (await resource()).apply(request),
    read: async (request) => (await resource()).read(request),
    importState: async (request) => (await resource()).importState(request),
  };
}

/** A data source with a validate call, as the lazy one forwards it. */
export type FullDataSource = Required<DataSourceType>;

/** `name` with `schema`, its calls forwarded to what `load` gives (loaded once, at the first call). */
export function lazyDataSource(name: string, schema: TfSchema, load: () => Promise<FullDataSource>): DataSourceType {
  const dataSource = once(load);
  return {
    name,
    schema,
    validate: async (config: TfObject): Promise<readonly TfDiagnostic[]> => (await dataSource()).validate(config),
    read: async (request: DataSourceRequest): Promise<DataSourceResponse> => (await dataSource()).read(request),
  };
}
