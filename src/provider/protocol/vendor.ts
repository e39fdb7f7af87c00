/**
 * The provider's third-party protocol code in one module: grpc-js, protobufjs (light) and
 * MessagePack. `npm run build` replaces the compiled dist/provider/protocol/vendor.js with one
 * bundled file of the three and what they require (scripts/bundle-provider-vendor.mjs, esbuild):
 * Terraform starts the provider three or four times per run, and Node loads one file of ~1 MB
 * about twice as fast as the ~130 files it is made of. From src/ (tests) it is this module,
 * unbundled; both export the same.
 */
import * as grpc from "@grpc/grpc-js";
import protobuf from "protobufjs/light.js";

export { Decoder, encode, ExtData } from "@msgpack/msgpack";

export type Grpc = typeof grpc;
export type Protobuf = typeof protobuf;
export { grpc, protobuf };
