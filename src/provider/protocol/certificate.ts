/**
 * The provider's one-time server certificate for go-plugin's automatic mTLS: a self-signed
 * ECDSA P-256 certificate for "localhost" (the name go-plugin's client verifies), which the
 * client trusts because the handshake line carries it. Built as DER with node:crypto alone: the
 * few fields Go's verifier needs are a page of ASN.1, and no certificate library loads at start-up.
 */
import { type KeyObject, generateKeyPairSync, randomBytes, sign } from "node:crypto";

export interface ServerCertificate {
  /** The certificate, DER (the handshake line's last field is its base64). */
  readonly der: Buffer;
  readonly certificatePem: string;
  readonly privateKeyPem: string;
}

const HOST = "localhost";

function length(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  for (let rest = n; rest > 0; rest = Math.floor(rest / 256)) bytes.unshift(rest % 256);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

/** One DER element: tag, length, contents. */
function tlv(tag: number, ...contents: Buffer[]): Buffer {
  const body = Buffer.concat(contents);
  return Buffer.concat([Buffer.from([tag]), length(body.length), body]);
}

const sequence = (...items: Buffer[]) => tlv(0x30, ...items);

function oid(dotted: string): Buffer {
  const [first, second, ...rest] = dotted.split(".").map(Number) as [number, number, ...number[]];
  const bytes = [first * 40 + second];
  for (const arc of rest) {
    const chunk = [arc & 0x7f];
    for (let v = Math.floor(arc / 128); v > 0; v = Math.floor(v / 128)) chunk.unshift(0x80 | (v & 0x7f));
    bytes.push(...chunk);
  }
  return tlv(0x06, Buffer.from(bytes));
}

function utcTime(date: Date): Buffer {
  const two = (n: number) => String(n).padStart(2, "0");
  const text =
    two(date.getUTCFullYear() % 100) +
    two(date.getUTCMonth() + 1) +
    two(date.getUTCDate()) +
    two(date.getUTCHours()) +
    two(date.getUTCMinutes()) +
    two(date.getUTCSeconds()) +
    "Z";
  return tlv(0x17, Buffer.from(text, "ascii"));
}

const TRUE = tlv(0x01, Buffer.from([0xff]));

function extension(id: string, critical: boolean, value: Buffer): Buffer {
  return sequence(oid(id), ...(critical ? [TRUE] : []), tlv(0x04, value));
}

function tbsCertificate(publicKey: KeyObject, now: Date): Buffer {
  const serial = randomBytes(16);
  serial[0] = ((serial[0] as number) & 0x7f) | 0x01; // positive, and no leading zero byte
  const name = sequence(tlv(0x31, sequence(oid("2.5.4.3"), tlv(0x0c, Buffer.from(HOST)))));
  const ecdsaWithSha256 = sequence(oid("1.2.840.10045.4.3.2"));
  const extensions = sequence(
    // keyUsage: digitalSignature, keyCertSign (bits 0 and 5; 2 unused bits)
    extension("2.5.29.15", true, tlv(0x03, Buffer.from([0x02, 0x84]))),
    // basicConstraints: CA (the client puts this very certificate in its root pool)
    extension("2.5.29.19", true, sequence(TRUE)),
    // extKeyUsage: serverAuth, clientAuth
    extension("2.5.29.37", false, sequence(oid("1.3.6.1.5.5.7.3.1"), oid("1.3.6.1.5.5.7.3.2"))),
    // subjectAltName: dNSName localhost (Go checks the SAN, not the common name)
    extension("2.5.29.17", false, sequence(tlv(0x82, Buffer.from(HOST)))),
  );
  return sequence(
    tlv(0xa0, tlv(0x02, Buffer.from([2]))), // version 3
    tlv(0x02, serial),
    ecdsaWithSha256,
    name,
    sequence(utcTime(new Date(now.getTime() - 30_000)), utcTime(new Date(now.getTime() + 30 * 24 * 3600_000))),
    name,
    publicKey.export({ type: "spki", format: "der" }),
    tlv(0xa3, extensions),
  );
}

/** A fresh key pair and a self-signed certificate over it, valid from 30 s ago for 30 days. */
export function createServerCertificate(now = new Date()): ServerCertificate {
  const { publicKey, privateKey } = generateKeyPairSync("ec", { namedCurve: "prime256v1" });
  const tbs = tbsCertificate(publicKey, now);
  const signature = sign("sha256", tbs, privateKey); // DER ECDSA-Sig-Value
  const der = sequence(tbs, sequence(oid("1.2.840.10045.4.3.2")), tlv(0x03, Buffer.from([0]), signature));
  const base64Lines = der.toString("base64").match(/.{1,64}/g) ?? [];
  return {
    der,
    certificatePem: `-----BEGIN CERTIFICATE-----\n${base64Lines.join("\n")}\n-----END CERTIFICATE-----\n`,
    privateKeyPem: privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
  };
}
