/**
 * Part of `npm run build` (after tsc): replaces dist/provider/protocol/vendor.js, which only
 * re-exports @grpc/grpc-js, protobufjs (light) and @msgpack/msgpack, with one file bundling the
 * three and everything they require (esbuild). Terraform starts the provider three or four times per run, and Node loads this
 * one file about twice as fast as the ~90 files it is made of (docs/terraform.md, "Where the time
 * goes"). Node's own modules stay require()s, through the createRequire of the banner.
 *
 * The bundle includes @grpc/grpc-js (Apache-2.0), protobufjs (BSD-3-Clause) and @msgpack/msgpack
 * (ISC); all three stay dependencies of the package, so their licenses and types are installed
 * beside it.
 */
import { build } from "esbuild";
import { rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const vendor = join(root, "dist/provider/protocol/vendor.js");

await build({
  entryPoints: [vendor],
  outfile: vendor,
  allowOverwrite: true,
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  banner: {
    js: [
      "// Bundled by scripts/bundle-provider-vendor.mjs from @grpc/grpc-js (Apache-2.0), protobufjs (BSD-3-Clause) and @msgpack/msgpack (ISC): do not edit.",
      'import { createRequire } from "node:module";',
      "const require = createRequire(import.meta.url);",
    ].join("\n"),
  },
  logLevel: "warning",
});
// tsc's source map described the re-exports, not the bundle.
rmSync(`${vendor}.map`, { force: true });
