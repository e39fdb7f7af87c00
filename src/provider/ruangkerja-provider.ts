/**
 * The RuangKerja Terraform provider as plain data and functions (provider-types.ts): its block's
 * schema, configure, and its resources. The protocol side (src/provider/protocol/) serves it; this
 * file knows nothing of gRPC or MessagePack.
 */
import { errorMessage } from "../errors.js";
import { createProviderClient, parseProviderSettings, PROVIDER_SCHEMA, rememberConfigured } from "./provider-settings.js";
import type { ProviderContext, ProviderDefinition, TfDiagnostic, TfObject } from "./provider-types.js";
import { usersDataSource } from "./data-sources/users-data-source.js";
import { userResource } from "./resources/user-resource.js";
import { usersResource } from "./resources/users-resource.js";

export const ruangkerjaProvider: ProviderDefinition = {
  name: "ruangkerja",
  schema: PROVIDER_SCHEMA,
  resources: [usersResource, userResource],
  dataSources: [usersDataSource],
  configure(config: TfObject, environment: (name: string) => string | undefined) {
    const { settings, diagnostics } = parseProviderSettings(config);
    if (!settings) return Promise.resolve({ diagnostics });
    try {
      const client = createProviderClient(settings, environment);
      const context: ProviderContext = { config, environment };
      rememberConfigured(context, { settings, client });
      return Promise.resolve({ context, diagnostics });
    } catch (error) {
      const problem: TfDiagnostic = { severity: "error", summary: `the RuangKerja provider cannot connect: ${errorMessage(error)}` };
      return Promise.resolve({ diagnostics: [problem] });
    }
  },
};
