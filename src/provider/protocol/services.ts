/**
 * grpc-js service definitions built from the protocol descriptor (descriptor.ts) with protobufjs:
 * what a server needs of @grpc/proto-loader's fromJSON and loadPackageDefinition (each method's
 * path and its encoders and decoders), without the descriptor protos proto-loader also builds for
 * reflection, which cost about 20 ms at every start of the provider.
 */
import type { MethodDefinition, ServiceDefinition } from "@grpc/grpc-js";
import type { INamespace, Root, Type } from "protobufjs";
import type { Protobuf } from "./vendor.js";

/** Messages as plain objects: int64 as number, enums by name, absent fields at their defaults, oneofs named. */
const AS_OBJECT = { longs: Number, enums: String, defaults: true, oneofs: true } as const;

type Message = Record<string, unknown>;

function serializer(type: Type): (value: Message) => Buffer {
  return (value) => {
    const bytes = type.encode(type.fromObject(value)).finish();
    // protobufjs writes a Buffer on Node; a view, not a copy, otherwise (a state of thousands of people is megabytes).
    return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  };
}

function deserializer(type: Type): (bytes: Buffer) => Message {
  return (bytes) => type.toObject(type.decode(bytes), AS_OBJECT);
}

/** The protocol's types, resolved once. */
export function loadProtocol(protobuf: Protobuf, protocol: INamespace): Root {
  const root = protobuf.Root.fromJSON(protocol);
  root.resolveAll();
  return root;
}

/** The service `name` (package-qualified, as "tfplugin6.Provider") for grpc-js's Server.addService. */
export function serviceDefinition(root: Root, name: string): ServiceDefinition {
  const definition: Record<string, MethodDefinition<Message, Message>> = {};
  for (const method of root.lookupService(name).methodsArray) {
    const request = method.resolvedRequestType;
    const response = method.resolvedResponseType;
    if (!request || !response) throw new Error(`${name}.${method.name}: its types did not resolve`);
    definition[method.name] = {
      path: `/${name}/${method.name}`,
      requestStream: method.requestStream === true,
      responseStream: method.responseStream === true,
      requestSerialize: serializer(request),
      requestDeserialize: deserializer(request),
      responseSerialize: serializer(response),
      responseDeserialize: deserializer(response),
      originalName: method.name.charAt(0).toLowerCase() + method.name.slice(1),
    };
  }
  return definition;
}
