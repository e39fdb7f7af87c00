/**
 * The provider's go-plugin handshake without Terraform, so it runs wherever Node does: the fixture
 * provider (provider-fixture/) started as Terraform starts it prints exactly one line on stdout,
 * serves gRPC over mutual TLS to the holder of PLUGIN_CLIENT_CERT only, on a port inside
 * PLUGIN_MIN_PORT..PLUGIN_MAX_PORT, and exits 0 on plugin.GRPCController/Shutdown. And the real
 * provider (dist/provider/main.js) answering GetProviderSchema without loading what only its other
 * calls need.
 */
import * as grpc from "@grpc/grpc-js";
import { fromJSON } from "@grpc/proto-loader";
import { type ChildProcess, spawn } from "node:child_process";
import { X509Certificate } from "node:crypto";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { createServerCertificate } from "../../src/provider/protocol/certificate.js";
import { PROTOCOL } from "../../src/provider/protocol/descriptor.js";
import { MAGIC_COOKIE_VALUE } from "../../src/provider/protocol/handshake.js";
import { makeWorkdir, ROOT, runProcess } from "./helpers.js";

const FIXTURE = join(ROOT, "test/e2e/provider-fixture/echo-provider.mjs");
const PROVIDER_MAIN = join(ROOT, "dist/provider/main.js");
const RECORDER = pathToFileURL(join(ROOT, "test/e2e/module-recorder.mjs")).href;
const loaded = grpc.loadPackageDefinition(
  fromJSON(PROTOCOL, { keepCase: true, longs: Number, enums: String, defaults: true, oneofs: true }),
);
// The replies are checked field by field below: their shape is what the assertions test.
type Reply = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
type Unary = (request: object, callback: (error: grpc.ServiceError | null, reply: Reply) => void) => void;
type ClientOf = new (address: string, credentials: grpc.ChannelCredentials, options?: object) => grpc.Client & Record<string, Unary>;
const Provider = (loaded.tfplugin6 as Reply).Provider as ClientOf;
const Controller = (loaded.plugin as Reply).GRPCController as ClientOf;

interface Started {
  readonly child: ChildProcess;
  readonly line: string;
  readonly exited: Promise<number | null>;
  stdout: string;
}

const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill("SIGKILL");
});

/** Starts the fixture (or `args`) as Terraform does; resolves with its first stdout line (bounded: 20 s). */
function startProvider(env: Record<string, string>, args: readonly string[] = [FIXTURE]): Promise<Started> {
  const child = spawn(process.execPath, args, { env: { PATH: process.env.PATH ?? "", ...env }, stdio: ["ignore", "pipe", "pipe"] });
  children.push(child);
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("no handshake line within 20 s")), 20_000);
    const started = { child, line: "", exited, stdout: "" };
    child.stdout.on("data", (chunk) => {
      started.stdout += String(chunk);
      if (started.line === "" && started.stdout.includes("\n")) {
        clearTimeout(timer);
        resolve({
          ...started,
          line: started.stdout.split("\n")[0] as string,
          get stdout() {
            return started.stdout;
          },
        });
      }
    });
    child.on("exit", (code) => reject(new Error(`provider exited ${code} before the handshake`)));
  });
}

const call = (client: Record<string, Unary>, method: string, request: object = {}) =>
  new Promise<Reply>((resolve, reject) => client[method]?.(request, (error, reply) => (error ? reject(error) : resolve(reply))));

describe("the provider's go-plugin handshake", () => {
  it("prints one line, serves over mTLS to Terraform's certificate only, in the port range, and exits on Shutdown", async () => {
    const terraformSide = createServerCertificate();
    const started = await startProvider({
      TF_PLUGIN_MAGIC_COOKIE: MAGIC_COOKIE_VALUE,
      PLUGIN_PROTOCOL_VERSIONS: "5,6",
      PLUGIN_CLIENT_CERT: terraformSide.certificatePem,
      PLUGIN_MIN_PORT: "41000",
      PLUGIN_MAX_PORT: "41999",
    });
    const [core, app, network, address, protocol, certificate] = started.line.split("|");
    expect([core, app, network, protocol]).toEqual(["1", "6", "tcp", "grpc"]);
    const port = Number(/^127\.0\.0\.1:(\d+)$/.exec(address ?? "")?.[1]);
    expect(port).toBeGreaterThanOrEqual(41000);
    expect(port).toBeLessThanOrEqual(41999);
    expect(certificate).not.toMatch(/=$/);
    const server = new X509Certificate(Buffer.from(certificate as string, "base64"));
    expect(server.checkHost("localhost")).toBe("localhost");

    const options = { "grpc.ssl_target_name_override": "localhost" };
    const trusted = grpc.credentials.createSsl(
      Buffer.from(server.toString()),
      Buffer.from(terraformSide.privateKeyPem),
      Buffer.from(terraformSide.certificatePem),
    );
    const provider = new Provider(address as string, trusted, options);
    const schema = await call(provider, "GetProviderSchema");
    expect(Object.keys(schema.resource_schemas)).toEqual(["ruangkerja_echo"]);
    expect(schema.server_capabilities.plan_destroy).toBe(true);
    expect(JSON.parse(Buffer.from(schema.resource_schemas.ruangkerja_echo.block.attributes[4].type).toString())).toEqual([
      "map",
      ["object", { name: "string", active: "bool" }],
    ]);
    provider.close();

    const stranger = createServerCertificate();
    const untrusted = grpc.credentials.createSsl(
      Buffer.from(server.toString()),
      Buffer.from(stranger.privateKeyPem),
      Buffer.from(stranger.certificatePem),
    );
    const refused = new Provider(address as string, untrusted, { ...options, "grpc.initial_reconnect_backoff_ms": 100 });
    await expect(call(refused, "GetProviderSchema")).rejects.toThrow();
    refused.close();

    const controller = new Controller(address as string, trusted, options);
    await call(controller, "Shutdown");
    controller.close();
    expect(await started.exited).toBe(0);
    expect(started.stdout).toBe(`${started.line}\n`);
  });

  it("serves the real provider's schemas without loading the declarations' checks, the planner, the apply engine or the API client, and its gRPC from the bundle", async () => {
    const work = await makeWorkdir();
    try {
      const record = join(work.dir, "modules.txt");
      const terraformSide = createServerCertificate();
      const env = {
        TF_PLUGIN_MAGIC_COOKIE: MAGIC_COOKIE_VALUE,
        PLUGIN_PROTOCOL_VERSIONS: "6",
        PLUGIN_CLIENT_CERT: terraformSide.certificatePem,
        MODULE_RECORD: record,
      };
      const started = await startProvider(env, ["--import", RECORDER, PROVIDER_MAIN]);
      const [, , , address, , certificate] = started.line.split("|");
      const server = new X509Certificate(Buffer.from(certificate as string, "base64"));
      const trusted = grpc.credentials.createSsl(
        Buffer.from(server.toString()),
        Buffer.from(terraformSide.privateKeyPem),
        Buffer.from(terraformSide.certificatePem),
      );
      const options = { "grpc.ssl_target_name_override": "localhost" };
      const provider = new Provider(address as string, trusted, options);
      const schema = await call(provider, "GetProviderSchema");
      provider.close();
      expect(Object.keys(schema.resource_schemas).sort()).toEqual(["ruangkerja_user", "ruangkerja_users"]);
      const users = (schema.resource_schemas.ruangkerja_users.block.attributes as Reply[]).find((a) => a.name === "users");
      expect(JSON.parse(Buffer.from(users?.type as Uint8Array).toString())).toEqual(["map", "string"]);
      const controller = new Controller(address as string, trusted, options);
      await call(controller, "Shutdown");
      controller.close();
      expect(await started.exited).toBe(0);
      const loaded = (await readFile(record, "utf8")).split("\n").filter((line) => line.startsWith(pathToFileURL(ROOT).href));
      expect(loaded).toContain(pathToFileURL(PROVIDER_MAIN).href);
      const dist = pathToFileURL(join(ROOT, "dist")).href;
      const heavy = loaded.filter((url) =>
        /^\/(api|plan|apply|declarations|refresh)\/|^\/provider\/(provider-settings|provider-client|resources\/(users|user)-resource|data-sources\/users-data-source)\.js$/.test(
          url.slice(dist.length),
        ),
      );
      expect(heavy).toEqual([]);
      // grpc-js, protobufjs and MessagePack come from the one bundled file the build writes (scripts/bundle-provider-vendor.mjs).
      expect(loaded).toContain(pathToFileURL(join(ROOT, "dist/provider/protocol/vendor.js")).href);
      const vendored = loaded.filter((url) => /\/node_modules\/(@grpc|protobufjs|@protobufjs|@msgpack)\//.test(url));
      expect(vendored).toEqual([]);
    } finally {
      await work.cleanup();
    }
  });

  it("says it is a Terraform plugin and exits 1 without the magic cookie, and refuses a host without protocol 6", async () => {
    const env = { PATH: process.env.PATH ?? "" };
    const byHand = await runProcess(process.execPath, [FIXTURE], { cwd: ROOT, env, timeoutMs: 20_000 });
    expect(byHand.stderr).toContain("This is terraform-provider-ruangkerja, a Terraform plugin");
    expect(byHand.stdout).toBe("");
    expect(byHand.code).toBe(1);
    const old = { ...env, TF_PLUGIN_MAGIC_COOKIE: MAGIC_COOKIE_VALUE, PLUGIN_PROTOCOL_VERSIONS: "4,5", PLUGIN_CLIENT_CERT: "x" };
    const oldHost = await runProcess(process.execPath, [FIXTURE], { cwd: ROOT, env: old, timeoutMs: 20_000 });
    expect(oldHost.stderr).toContain("speaks plugin protocol 6");
    expect(oldHost.stdout).toBe("");
    expect(oldHost.code).toBe(1);
  });
});
