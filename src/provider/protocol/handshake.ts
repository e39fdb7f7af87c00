/**
 * go-plugin's side of the handshake, from the plugin (docs/internals.md, server.go): Terraform
 * starts us with its magic cookie, the app protocol versions it speaks and its client certificate;
 * we answer with one stdout line naming protocol 6, our loopback address and our certificate.
 * Checked before anything heavy loads, so a person who runs the executable learns at once what it is.
 */
export const MAGIC_COOKIE_KEY = "TF_PLUGIN_MAGIC_COOKIE";
export const MAGIC_COOKIE_VALUE = "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2";
export const PROTOCOL_VERSION = 6;

export interface HandshakeSettings {
  /** PEM of Terraform's client certificate (automatic mTLS); the only client we accept. */
  readonly clientCertificate: string;
  /** Ports to try, in order; [0] when the host set no range (the system picks one). */
  readonly ports: readonly number[];
}

export class HandshakeError extends Error {
  override readonly name = "HandshakeError";
}

export const NOT_FROM_TERRAFORM =
  "This is terraform-provider-ruangkerja, a Terraform plugin: Terraform starts it itself.\n" +
  "Install it with `ruangkerja-users provider install`, then run `terraform init` beside your configuration.\n";

/** The handshake's inputs, or why we cannot serve: no cookie (not started by Terraform), no protocol 6, no mTLS. */
export function readHandshake(env: NodeJS.ProcessEnv): HandshakeSettings | { notFromTerraform: true } {
  if (env[MAGIC_COOKIE_KEY] !== MAGIC_COOKIE_VALUE) return { notFromTerraform: true };
  const versions = (env.PLUGIN_PROTOCOL_VERSIONS ?? "").split(",").map((v) => v.trim());
  if (!versions.includes(String(PROTOCOL_VERSION)))
    throw new HandshakeError(
      `terraform-provider-ruangkerja speaks plugin protocol ${PROTOCOL_VERSION}; this Terraform offers ${JSON.stringify(env.PLUGIN_PROTOCOL_VERSIONS ?? "")} (Terraform 1.0 or newer speaks 6)`,
    );
  const clientCertificate = env.PLUGIN_CLIENT_CERT ?? "";
  if (!clientCertificate.includes("BEGIN CERTIFICATE"))
    throw new HandshakeError("PLUGIN_CLIENT_CERT is not set: this provider only serves over automatic mTLS (Terraform always sets it)");
  return { clientCertificate, ports: portRange(env) };
}

function portRange(env: NodeJS.ProcessEnv): number[] {
  const min = Number(env.PLUGIN_MIN_PORT ?? "");
  const max = Number(env.PLUGIN_MAX_PORT ?? "");
  if (!Number.isInteger(min) || !Number.isInteger(max) || min <= 0 || max < min || max > 65_535 || !env.PLUGIN_MIN_PORT) return [0];
  const ports: number[] = [];
  for (let port = min; port <= max && ports.length < 1000; port++) ports.push(port);
  return ports;
}

/** The one stdout line: core protocol 1, app protocol 6, tcp, address, grpc, certificate (base64 DER, no padding). */
export function handshakeLine(port: number, certificateDer: Uint8Array): string {
  const certificate = Buffer.from(certificateDer).toString("base64").replace(/=+$/, "");
  return `1|${PROTOCOL_VERSION}|tcp|127.0.0.1:${port}|grpc|${certificate}\n`;
}
