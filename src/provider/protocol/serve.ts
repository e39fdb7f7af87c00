/**
 * Serves a ProviderDefinition as a Terraform provider (plugin protocol 6 over go-plugin): the
 * handshake, a gRPC server with automatic mTLS on 127.0.0.1, the tfplugin6.Provider calls of
 * provider-calls.ts and plugin.GRPCController/Shutdown. Every call answers: what a call throws
 * becomes an error diagnostic, so the process never dies mid-run. Stdout carries the handshake
 * line and nothing else.
 */
import type { ProviderDefinition } from "../provider-types.js";
import { createServerCertificate } from "./certificate.js";
import { PROTOCOL, PROVIDER_CALLS } from "./descriptor.js";
import { HandshakeError, handshakeLine, NOT_FROM_TERRAFORM, readHandshake } from "./handshake.js";
import { createLog, type Log } from "./log.js";
import { thrownDiagnostic } from "./messages.js";
import { ProviderCalls } from "./provider-calls.js";
import { loadProtocol, serviceDefinition } from "./services.js";
import type { Grpc } from "./vendor.js";

export interface ServeOptions {
  /** @default process.env */
  readonly env?: NodeJS.ProcessEnv;
  /** Where the handshake line goes. @default process.stdout */
  readonly writeHandshake?: (line: string) => void;
  /** Ends the process (after Shutdown, or when not started by Terraform). @default process.exit */
  readonly exit?: (code: number) => void;
}

type Server = InstanceType<Grpc["Server"]>;
type UnaryHandler = (call: { request: Record<string, unknown> }, callback: (error: null, reply: unknown) => void) => void;

/** Binds 127.0.0.1 on the first free port of the range; returns the port. */
async function bind(grpc: Grpc, server: Server, ports: readonly number[], credentials: ReturnType<Grpc["ServerCredentials"]["createSsl"]>) {
  let lastError: Error | undefined;
  for (const port of ports) {
    try {
      return await new Promise<number>((resolve, reject) =>
        server.bindAsync(`127.0.0.1:${port}`, credentials, (error, bound) => (error ? reject(error) : resolve(bound))),
      );
    } catch (error) {
      lastError = error as Error;
    }
  }
  throw new HandshakeError(`no free port on 127.0.0.1 in PLUGIN_MIN_PORT..PLUGIN_MAX_PORT (${lastError?.message ?? "empty range"})`);
}

function providerHandlers(calls: ProviderCalls, log: Log): Record<string, UnaryHandler> {
  const handlers: Record<string, UnaryHandler> = {};
  for (const name of PROVIDER_CALLS) {
    handlers[name] = (call, callback) => {
      const started = performance.now();
      log("trace", "call", { rpc: name });
      // Through a promise, so a call that throws before its first await also answers a diagnostic.
      Promise.resolve()
        .then(() => calls[name](call.request))
        .catch((error: unknown) => {
          log("error", "call failed", { rpc: name, error: error instanceof Error ? error.name : "thrown" });
          return name === "StopProvider" ? { Error: String(error) } : { diagnostics: [thrownDiagnostic(name, error)] };
        })
        .then((reply) => {
          log("trace", "answered", { rpc: name, ms: Math.round(performance.now() - started) });
          callback(null, reply);
        })
        .catch(() => undefined);
    };
  }
  return handlers;
}

/** Runs the provider until Terraform shuts it down. */
export async function serve(definition: ProviderDefinition, options: ServeOptions = {}): Promise<void> {
  const env = options.env ?? process.env;
  const exit = options.exit ?? ((code: number) => process.exit(code));
  const log = createLog(env);
  let settings;
  try {
    settings = readHandshake(env);
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n`);
    return exit(1);
  }
  if ("notFromTerraform" in settings) {
    process.stderr.write(NOT_FROM_TERRAFORM);
    return exit(1);
  }
  // Terraform forwards Ctrl-C to the whole process group and then asks us to stop (StopProvider):
  // the signal itself must not end a run that is applying.
  process.on("SIGINT", () => log("info", "interrupt received; waiting for Terraform"));

  const certificate = createServerCertificate();
  const { grpc, protobuf } = await import("./vendor.js");
  const protocol = loadProtocol(protobuf, PROTOCOL);
  const server = new grpc.Server({
    "grpc.max_receive_message_length": 256 * 1024 * 1024,
    "grpc.max_send_message_length": 256 * 1024 * 1024,
  });
  const calls = new ProviderCalls(definition, log, (name) => env[name]);
  server.addService(serviceDefinition(protocol, "tfplugin6.Provider"), providerHandlers(calls, log));
  server.addService(serviceDefinition(protocol, "plugin.GRPCController"), {
    Shutdown: ((_call, callback) => {
      log("debug", "shutdown");
      callback(null, {});
      // Terraform waits for the process to end before it goes on: end as soon as the reply is out
      // and Terraform has closed its connection (tryShutdown lets the reply finish).
      setImmediate(() => server.tryShutdown(() => exit(0)));
      setTimeout(() => exit(0), 1000).unref();
    }) satisfies UnaryHandler,
  });
  server.addService(serviceDefinition(protocol, "plugin.GRPCStdio"), { StreamStdio: (call: { end: () => void }) => call.end() });
  const credentials = grpc.ServerCredentials.createSsl(
    Buffer.from(settings.clientCertificate),
    [{ private_key: Buffer.from(certificate.privateKeyPem), cert_chain: Buffer.from(certificate.certificatePem) }],
    true,
  );
  const port = await bind(grpc, server, settings.ports, credentials);
  (options.writeHandshake ?? ((line: string) => process.stdout.write(line)))(handshakeLine(port, certificate.der));
  log("debug", "serving", { port, startupMs: Math.round(performance.now()) });
}
