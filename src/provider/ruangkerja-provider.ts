/**
 * The RuangKerja Terraform provider as plain data and functions (provider-types.ts): its block's
 * schema, configure, and its resources. The protocol side (src/provider/protocol/) serves it; this
 * file knows nothing of gRPC or MessagePack.
 *
 * Only the schemas load with it. Terraform starts the provider several times per run, once just
 * for the schemas; each resource's code (the declarations' checks, the planner, the apply engine)
 * loads at its first call (lazy-load.ts). ConfigureProvider checks the settings and the API's
 * environment and starts loading the resources' code (the API client with it) in the background:
 * a configured provider reads and plans next.
 */
import { errorMessage } from "../errors.js";
import { USERS_DATA_SOURCE_SCHEMA } from "./data-sources/users-data-source-schema.js";
import { lazyDataSource, lazyResource } from "./lazy-load.js";
import { PROVIDER_SCHEMA } from "./provider-schema.js";
import type { ProviderContext, ProviderDefinition, TfDiagnostic, TfObject } from "./provider-types.js";
import { USER_RESOURCE_NAME, USER_SCHEMA } from "./resources/user-schema.js";
import { USERS_RESOURCE_NAME, USERS_SCHEMA } from "./resources/users-schema.js";

const loadUsers = async () => (await import("./resources/users-resource.js")).usersResource;
const loadUsersValidate = async () => (await import("./resources/users-validation.js")).validateUsersConfig;
const loadUser = async () => (await import("./resources/user-resource.js")).userResource;
const loadUsersData = async () => (await import("./data-sources/users-data-source.js")).usersDataSource;
const RESOURCE_MODULES = [loadUsers, loadUser, loadUsersData];

export const ruangkerjaProvider: ProviderDefinition = {
  name: "ruangkerja",
  schema: PROVIDER_SCHEMA,
  resources: [
    lazyResource(USERS_RESOURCE_NAME, USERS_SCHEMA, loadUsers, loadUsersValidate),
    lazyResource(USER_RESOURCE_NAME, USER_SCHEMA, loadUser),
  ],
  dataSources: [lazyDataSource(USERS_RESOURCE_NAME, USERS_DATA_SOURCE_SCHEMA, loadUsersData)],
  async configure(config: TfObject, environment: (name: string) => string | undefined) {
    const { parseProviderSettings, providerApiSettings, rememberConfiguration } = await import("./provider-settings.js");
    const { settings, diagnostics } = parseProviderSettings(config);
    if (!settings) return { diagnostics };
    try {
      const api = providerApiSettings(environment);
      const context: ProviderContext = { config, environment };
      rememberConfiguration(context, { settings, api });
      // A configured provider is about to read, plan or apply: load that code now, while Terraform evaluates the configuration.
      void Promise.all(RESOURCE_MODULES.map((load) => load())).catch(() => undefined);
      return { context, diagnostics };
    } catch (error) {
      const problem: TfDiagnostic = { severity: "error", summary: `the RuangKerja provider cannot connect: ${errorMessage(error)}` };
      return { diagnostics: [problem] };
    }
  },
};
