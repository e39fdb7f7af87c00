/**
 * The provider block's schema and attribute names: what GetProviderSchema and the construct need,
 * without the settings' parsing (provider-settings.ts, loaded at ConfigureProvider) or the API
 * client (provider-client.ts, loaded with the resources' code).
 */
import type { TfAttribute, TfSchema } from "./provider-types.js";

/** The provider block's attribute names, as Terraform configurations write them. */
export const PROVIDER_ATTRIBUTES = {
  chunkSize: "chunk_size",
  parallelism: "parallelism",
  allowMassDeactivation: "allow_mass_deactivation",
  maxDeactivate: "max_deactivate",
} as const;

const attributes: TfAttribute[] = [
  { name: PROVIDER_ATTRIBUTES.chunkSize, type: "number", optional: true, description: "Users per bulk call, 1 to 10000. Default: 100." },
  {
    name: PROVIDER_ATTRIBUTES.parallelism,
    type: "number",
    optional: true,
    description: "Requests in flight at once, 1 to 64. Default: 4.",
  },
  {
    name: PROVIDER_ATTRIBUTES.allowMassDeactivation,
    type: "bool",
    optional: true,
    description:
      "Allow a plan that deactivates more users than the safety limit (max_deactivate), terraform destroy included; the CLI's --allow-mass-deactivation. Default: false.",
  },
  {
    name: PROVIDER_ATTRIBUTES.maxDeactivate,
    type: "string",
    optional: true,
    description: 'The safety limit on deactivations in one plan: a count ("25") or a share of the users in state ("10%"). Default: "10%".',
  },
];

export const PROVIDER_SCHEMA: TfSchema = {
  version: 0,
  description: "RuangKerja users as code: the same planner, safety guard and bulk API client as the ruangkerja-users CLI.",
  attributes,
};
