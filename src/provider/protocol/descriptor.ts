/**
 * Our subset of Terraform's plugin protocol 6.8 (hashicorp/terraform v1.11
 * docs/plugin-protocol/tfplugin6.8.proto) and of go-plugin's GRPCController, as a protobufjs JSON
 * descriptor: a .ts module, so tsc ships it in dist/ and nothing parses a .proto at start-up.
 * Field numbers are those of the .proto files; fields we never read or write are left out
 * (protobuf skips them). A field is written as in a .proto: "[repeated] type name number".
 */
import type { INamespace as Namespace } from "protobufjs";

type Nested = NonNullable<Namespace["nested"]>;

interface FieldJson {
  type: string;
  id: number;
  rule?: "repeated";
  keyType?: string;
}

function fields(spec: string): Record<string, FieldJson> {
  const result: Record<string, FieldJson> = {};
  for (const line of spec.split(";").map((part) => part.trim())) {
    if (line === "") continue;
    const words = line.split(/\s+/);
    const repeated = words[0] === "repeated";
    const [type, name, id] = (repeated ? words.slice(1) : words) as [string, string, string];
    const map = /^map<(\w+),(\S+)>$/.exec(type);
    result[name] = {
      type: map ? (map[2] as string) : type,
      id: Number(id),
      ...(repeated ? { rule: "repeated" as const } : {}),
      ...(map ? { keyType: map[1] } : {}),
    };
  }
  return result;
}

const message = (spec: string, nested?: Nested) => ({ fields: fields(spec), ...(nested ? { nested } : {}) });
const enumOf = (...names: string[]) => ({ values: Object.fromEntries(names.map((name, i) => [name, i])) });
/** A request/response pair nested in a message named after the call, as tfplugin6 does. */
const call = (request: string, response: string, nested: Nested = {}) => ({
  fields: {},
  nested: { Request: message(request), Response: message(response), ...nested },
});

const DIAGNOSTICS = "repeated Diagnostic diagnostics";
const CONFIG = "string type_name 1; DynamicValue config 2";

const SCHEMA = message("int64 version 1; Block block 2", {
  Block: message(
    "int64 version 1; repeated Attribute attributes 2; repeated NestedBlock block_types 3; string description 4; StringKind description_kind 5; bool deprecated 6",
  ),
  Attribute: message(
    "string name 1; bytes type 2; string description 3; bool required 4; bool optional 5; bool computed 6; bool sensitive 7; StringKind description_kind 8; bool deprecated 9; bool write_only 11",
  ),
  NestedBlock: message("string type_name 1; Block block 2; NestingMode nesting 3; int64 min_items 4; int64 max_items 5", {
    NestingMode: enumOf("INVALID", "SINGLE", "LIST", "SET", "MAP", "GROUP"),
  }),
});

const TFPLUGIN6: Nested = {
  DynamicValue: message("bytes msgpack 1; bytes json 2"),
  Diagnostic: message("Severity severity 1; string summary 2; string detail 3; AttributePath attribute 4", {
    Severity: enumOf("INVALID", "ERROR", "WARNING"),
  }),
  AttributePath: message("repeated Step steps 1", {
    Step: {
      oneofs: { selector: { oneof: ["attribute_name", "element_key_string", "element_key_int"] } },
      fields: fields("string attribute_name 1; string element_key_string 2; int64 element_key_int 3"),
    },
  }),
  StopProvider: call("", "string Error 1"),
  RawState: message("bytes json 1; map<string,string> flatmap 2"),
  StringKind: enumOf("PLAIN", "MARKDOWN"),
  Schema: SCHEMA,
  ServerCapabilities: message("bool plan_destroy 1; bool get_provider_schema_optional 2; bool move_resource_state 3"),
  ClientCapabilities: message("bool deferral_allowed 1; bool write_only_attributes_allowed 2"),
  GetMetadata: call(
    "",
    `ServerCapabilities server_capabilities 1; ${DIAGNOSTICS} 2; repeated DataSourceMetadata data_sources 3; repeated ResourceMetadata resources 4`,
    { DataSourceMetadata: message("string type_name 1"), ResourceMetadata: message("string type_name 1") },
  ),
  GetProviderSchema: call(
    "",
    `Schema provider 1; map<string,Schema> resource_schemas 2; map<string,Schema> data_source_schemas 3; ${DIAGNOSTICS} 4; ServerCapabilities server_capabilities 6`,
  ),
  ValidateProviderConfig: call("DynamicValue config 1", `${DIAGNOSTICS} 2`),
  UpgradeResourceState: call(
    "string type_name 1; int64 version 2; RawState raw_state 3",
    `DynamicValue upgraded_state 1; ${DIAGNOSTICS} 2`,
  ),
  ValidateResourceConfig: call(`${CONFIG}; ClientCapabilities client_capabilities 3`, `${DIAGNOSTICS} 1`),
  ValidateDataResourceConfig: call(CONFIG, `${DIAGNOSTICS} 1`),
  ConfigureProvider: call(
    "string terraform_version 1; DynamicValue config 2; ClientCapabilities client_capabilities 3",
    `${DIAGNOSTICS} 1`,
  ),
  ReadResource: call(
    "string type_name 1; DynamicValue current_state 2; bytes private 3; ClientCapabilities client_capabilities 5",
    `DynamicValue new_state 1; ${DIAGNOSTICS} 2; bytes private 3`,
  ),
  PlanResourceChange: call(
    "string type_name 1; DynamicValue prior_state 2; DynamicValue proposed_new_state 3; DynamicValue config 4; bytes prior_private 5; ClientCapabilities client_capabilities 7",
    `DynamicValue planned_state 1; repeated AttributePath requires_replace 2; bytes planned_private 3; ${DIAGNOSTICS} 4`,
  ),
  ApplyResourceChange: call(
    "string type_name 1; DynamicValue prior_state 2; DynamicValue planned_state 3; DynamicValue config 4; bytes planned_private 5",
    `DynamicValue new_state 1; bytes private 2; ${DIAGNOSTICS} 3`,
  ),
  ImportResourceState: call(
    "string type_name 1; string id 2; ClientCapabilities client_capabilities 3",
    `repeated ImportedResource imported_resources 1; ${DIAGNOSTICS} 2`,
    { ImportedResource: message("string type_name 1; DynamicValue state 2; bytes private 3") },
  ),
  MoveResourceState: call("string source_type_name 2; string target_type_name 5", `${DIAGNOSTICS} 2`),
  ReadDataSource: call(`${CONFIG}; ClientCapabilities client_capabilities 4`, `DynamicValue state 1; ${DIAGNOSTICS} 2`),
  ValidateEphemeralResourceConfig: call(CONFIG, `${DIAGNOSTICS} 1`),
  GetFunctions: call("", `${DIAGNOSTICS} 2`),
};

/** The Provider service's calls; each has `<Name>.Request` and `<Name>.Response`. */
export const PROVIDER_CALLS = [
  "GetMetadata",
  "GetProviderSchema",
  "ValidateProviderConfig",
  "ValidateResourceConfig",
  "ValidateDataResourceConfig",
  "UpgradeResourceState",
  "ConfigureProvider",
  "ReadResource",
  "PlanResourceChange",
  "ApplyResourceChange",
  "ImportResourceState",
  "MoveResourceState",
  "ReadDataSource",
  "ValidateEphemeralResourceConfig",
  "GetFunctions",
  "StopProvider",
] as const;
export type ProviderCall = (typeof PROVIDER_CALLS)[number];

const methods = (names: readonly string[]) =>
  Object.fromEntries(names.map((name) => [name, { requestType: `${name}.Request`, responseType: `${name}.Response`, comment: "" }]));

export const PROTOCOL: Namespace = {
  nested: {
    tfplugin6: { nested: { ...TFPLUGIN6, Provider: { methods: methods(PROVIDER_CALLS) } } },
    plugin: {
      nested: {
        Empty: { fields: {} },
        GRPCController: { methods: { Shutdown: { requestType: "Empty", responseType: "Empty", comment: "" } } },
        // go-plugin's grpc_stdio.proto: we write nothing to forward, so the stream ends at once.
        StdioData: message("int32 channel 1; bytes data 2"), // channel is an enum there: the same varint
        GRPCStdio: { methods: { StreamStdio: { requestType: "Empty", responseType: "StdioData", responseStream: true, comment: "" } } },
      },
    },
  },
};
