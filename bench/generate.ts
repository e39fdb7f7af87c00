/**
 * Synthetic declarations and states for the benchmark: the shape real companies write (defaults
 * per file, a quoted phone, a tag list), with some variety (block and flow lists, comments,
 * quoted names, inactive users) so that the parser meets more than one line shape.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
// The package's own public types (type-only: nothing is loaded at run time).
import type { UserFields } from "ruangkerja-users";

/** A generated user has exactly the fields a declaration manages. */
export type GeneratedUser = UserFields;

const FIRST = ["Budi", "Sari", "Andi", "Dewi", "Rina", "Agus", "Putri", "Joko", "Wulan", "Hendra", "Siti", "Made"];
const LAST = ["Santoso", "Wulandari", "Wijaya", "Lestari", "Kusuma", "Saputra", "Hidayat", "Nasution", "O'Brien", "Pratama"];
const ORGS = ["COMPFJLYTHWL", "COMPA7K2M9QX", "COMPZ3R8T1VB"];
const TAGS = ["RUKRTAG-9WHL0JGP", "RUKRTAG-2KD8QWER", "RUKRTAG-7PLM3ZXC", "RUKRTAG-4TYU8IOP"];

function id(i: number): string {
  return `EMP${String(i).padStart(7, "0")}`;
}

/** The i-th user, the same on every call. */
export function generatedUser(i: number): GeneratedUser {
  const first = FIRST[i % FIRST.length] as string;
  const last = LAST[Math.floor(i / FIRST.length) % LAST.length] as string;
  const org = ORGS[Math.floor(i / 1000) % ORGS.length] as string;
  const ownTags = i % 7 === 0 ? [TAGS[i % TAGS.length] as string, TAGS[(i + 1) % TAGS.length] as string] : undefined;
  return {
    employeeID: id(i),
    name: `${first} ${last}`,
    ...(i % 3 === 0 && { username: `user${i}` }),
    ...(i % 5 !== 4 && { email: `${first.toLowerCase()}.${i}@contoh.co.id` }),
    ...(i % 2 === 0 || i % 5 === 4 ? { phone: `628${String(1_000_000_000 + i)}` } : {}),
    isActive: i % 50 !== 0,
    tagSerials: ownTags ?? [TAGS[0] as string],
    organizationSerial: org,
  };
}

function yamlLines(user: GeneratedUser, i: number, defaultTags: string): string[] {
  const name = user.name.includes("'") ? `"${user.name}"` : user.name;
  const lines = [`  - employeeID: ${user.employeeID}`, `    name: ${name}`];
  if (user.username) lines.push(`    username: ${user.username}`);
  if (user.email) lines.push(`    email: ${user.email}`);
  if (user.phone) lines.push(`    phone: "${user.phone}"${i % 11 === 0 ? "   # mobile" : ""}`);
  if (!user.isActive) lines.push("    isActive: false");
  const tags = user.tagSerials ?? [];
  if (tags.join() !== defaultTags) {
    if (i % 2 === 0) lines.push(`    tagSerials: [${tags.join(", ")}]`);
    else lines.push("    tagSerials:", ...tags.map((t) => `      - ${t}`));
  }
  return lines;
}

/** One declared user as the YAML line shapes above write it, as a JSON object (for the JSON.parse floor). */
function declaredObject(user: GeneratedUser, defaultTags: string): Record<string, unknown> {
  const tags = user.tagSerials ?? [];
  return {
    employeeID: user.employeeID,
    name: user.name,
    ...(user.username && { username: user.username }),
    ...(user.email && { email: user.email }),
    ...(user.phone && { phone: user.phone }),
    ...(!user.isActive && { isActive: false }),
    ...(tags.join() !== defaultTags && { tagSerials: tags }),
  };
}

/**
 * Writes users 0..count-1 into `dir`, `perFile` users per file; returns the users. With `jsonDir`,
 * also writes each file's document (defaults and users, as the YAML says them) as compact JSON
 * there, one `.json` file per `.yaml` file: what the JSON.parse floor reads.
 */
export function writeDeclarations(dir: string, count: number, perFile: number, jsonDir?: string): GeneratedUser[] {
  mkdirSync(dir, { recursive: true });
  if (jsonDir) mkdirSync(jsonDir, { recursive: true });
  const users: GeneratedUser[] = [];
  for (let start = 0, fileIndex = 0; start < count; start += perFile, fileIndex++) {
    const org = generatedUser(start).organizationSerial as string;
    const lines = [
      "# yaml-language-server: $schema=../schemas/users.schema.json",
      "defaults:",
      `  organizationSerial: ${org}`,
      `  tagSerials: [${TAGS[0]}]`,
      "users:",
    ];
    const declared: Record<string, unknown>[] = [];
    for (let i = start; i < Math.min(count, start + perFile); i++) {
      const generated = generatedUser(i);
      // The file's default organization is what every user of it gets.
      const user = { ...generated, organizationSerial: org };
      users.push(user);
      if (i % 100 === 0) lines.push(`  # team ${i / 100}`);
      lines.push(...yamlLines(user, i, TAGS[0] as string));
      if (jsonDir) declared.push(declaredObject(user, TAGS[0] as string));
    }
    const name = `team-${String(fileIndex).padStart(4, "0")}`;
    writeFileSync(join(dir, `${name}.yaml`), `${lines.join("\n")}\n`);
    if (jsonDir) {
      const document = { defaults: { organizationSerial: org, tagSerials: [TAGS[0]] }, users: declared };
      writeFileSync(join(jsonDir, `${name}.json`), `${JSON.stringify(document)}\n`);
    }
  }
  return users;
}

/** A state as apply would have written it for `users`; every `changeEvery`-th user differs in its name. */
export function writeState(path: string, users: readonly GeneratedUser[], changeEvery = 0): void {
  const records = users
    .map((user, i) => {
      const tagSerials = user.tagSerials && user.tagSerials.length > 0 ? [...new Set(user.tagSerials)].sort() : undefined;
      return {
        employeeID: user.employeeID,
        name: changeEvery > 0 && i % changeEvery === 0 ? `${user.name} (old)` : user.name,
        ...(user.username !== undefined && { username: user.username }),
        ...(user.email !== undefined && { email: user.email }),
        ...(user.phone !== undefined && { phone: user.phone }),
        isActive: user.isActive,
        ...(tagSerials && { tagSerials }),
        ...(user.organizationSerial !== undefined && { organizationSerial: user.organizationSerial }),
        serial: `OPENAPI${String(i).padStart(9, "0")}`,
      };
    })
    .sort((a, b) => (a.employeeID < b.employeeID ? -1 : a.employeeID > b.employeeID ? 1 : 0));
  // As apply writes it (state format 2: compact, one user per line; src/state/state-document.ts).
  const head = JSON.stringify({ formatVersion: 2, lineage: "00000000-0000-4000-8000-000000000000", serial: 1 }).slice(0, -1);
  writeFileSync(path, `${head},"users":[\n${records.map((record) => JSON.stringify(record)).join(",\n")}\n]}\n`);
}
