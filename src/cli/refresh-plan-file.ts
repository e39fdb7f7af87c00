/**
 * The file `plan --refresh-only --out FILE` saves: the drift that was shown, and the state and API
 * it was read against. Like a saved plan, nothing in it is trusted: `apply FILE` reads RuangKerja
 * again and writes what it reads now, after checking it is exactly the drift the file shows.
 */
import { randomBytes } from "node:crypto";
import { constants } from "node:fs";
import { lstat, open, rename, unlink } from "node:fs/promises";
import { dirname } from "node:path";
import { ConfigError, InvalidInputError } from "../errors.js";
import { lineColumn, parseStrictJson } from "../json/strict-json.js";
import { isObject } from "../model.js";
import type { DriftJson } from "../refresh/render-drift.js";

export const REFRESH_PLAN_KIND = "ruangkerja-users-refresh-plan";
export const REFRESH_PLAN_FORMAT_VERSION = 1;
/** A drift of 100,000 users stays far below this. */
const MAX_REFRESH_PLAN_BYTES = 512 * 1024 * 1024;

export interface RefreshPlanFile {
  readonly kind: typeof REFRESH_PLAN_KIND;
  readonly formatVersion: number;
  readonly toolVersion: string;
  readonly createdAt: string;
  /** The stored state the drift was read against (null: there was none); `journaled`: results folded in from its journal. */
  readonly state: { readonly lineage: string; readonly serial: number; readonly journaled: number } | null;
  /** The API it was read from (normalised). */
  readonly apiOrigin: string;
  readonly drift: DriftJson;
}

/** Written whole through a temporary file, readable by its owner only (it lists people); replaces only an earlier refresh plan. */
export async function writeRefreshPlanFile(path: string, plan: RefreshPlanFile): Promise<void> {
  const folder = await lstat(dirname(path)).catch(() => undefined);
  if (!folder?.isDirectory())
    throw new ConfigError(`cannot write the plan to ${path}: there is no folder ${dirname(path)}; create it first`);
  const existing = await lstat(path).catch(() => undefined);
  if (existing && !(existing.isFile() && (await isRefreshPlanFile(path)))) {
    throw new ConfigError(
      `refusing to write the plan to ${path}: the file there is not a refresh-only plan saved by ruangkerja-users; choose another path`,
    );
  }
  const temp = `${path}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`;
  try {
    const handle = await open(temp, "wx", 0o600);
    try {
      // The kind first: isRefreshPlanFile reads only the head.
      await handle.writeFile(`${JSON.stringify(plan)}\n`);
    } finally {
      await handle.close();
    }
    await rename(temp, path);
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    throw new ConfigError(`cannot write the plan to ${path}`, { cause: error });
  }
}

/** True when `path` is a regular file that starts as a refresh-only plan does (apply tells the two kinds of plan apart by this). */
export async function isRefreshPlanFile(path: string): Promise<boolean> {
  let handle: Awaited<ReturnType<typeof open>> | undefined;
  try {
    handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK);
    if (!(await handle.stat()).isFile()) return false;
    const head = Buffer.alloc(256);
    const { bytesRead } = await handle.read(head, 0, head.length, 0);
    return new RegExp(`^\\s*\\{\\s*"kind"\\s*:\\s*"${REFRESH_PLAN_KIND}"`).test(head.subarray(0, bytesRead).toString("utf8"));
  } catch {
    return false;
  } finally {
    await handle?.close();
  }
}

export async function readRefreshPlanFile(path: string): Promise<RefreshPlanFile> {
  let text: string;
  const handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    const info = await handle.stat();
    if (!info.isFile() || info.size > MAX_REFRESH_PLAN_BYTES) {
      throw new ConfigError(`cannot use ${path} as a saved plan: not a regular file of at most 512 MiB`);
    }
    text = await handle.readFile("utf8");
  } finally {
    await handle.close();
  }
  const parsed = parseStrictJson(text);
  const at = (offset: number) => {
    const { line, column } = lineColumn(text, offset);
    return ` (at ${path}:${line}:${column})`;
  };
  const problem = parsed.ok ? refreshPlanProblem(parsed.value) : `${parsed.summary}${at(parsed.offset)}`;
  if (problem || !parsed.ok) {
    throw new InvalidInputError(
      `the saved refresh-only plan ${path} ${problem ?? "is damaged"}; nothing was changed. Run plan --refresh-only again.`,
      [],
    );
  }
  return parsed.value as RefreshPlanFile;
}

/** What is wrong with the envelope, or undefined; the drift itself is only ever compared with a fresh one. */
function refreshPlanProblem(value: unknown): string | undefined {
  if (!isObject(value) || value.kind !== REFRESH_PLAN_KIND) return "is not a refresh-only plan";
  if (value.formatVersion !== REFRESH_PLAN_FORMAT_VERSION)
    return `has format version ${JSON.stringify(value.formatVersion)}, not ${REFRESH_PLAN_FORMAT_VERSION}`;
  if (typeof value.toolVersion !== "string" || typeof value.createdAt !== "string" || typeof value.apiOrigin !== "string") {
    return "lacks toolVersion, createdAt or apiOrigin";
  }
  const state = value.state;
  if (
    state !== null &&
    !(isObject(state) && typeof state.lineage === "string" && Number.isSafeInteger(state.serial) && Number.isSafeInteger(state.journaled))
  ) {
    return "has a state that is neither null nor {lineage, serial, journaled}";
  }
  if (!isObject(value.drift) || !Array.isArray(value.drift.users)) return "has no drift";
  return undefined;
}
