/** The ./cdktf entry without its optional peers (the packed-tarball test runs it for real). */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { CDKTF_PEERS, missingPeerError } from "../../../src/cdktf/missing-peer.js";

const notFound = (message: string, code = "ERR_MODULE_NOT_FOUND") => Object.assign(new Error(message), { code });

describe("missingPeerError", () => {
  it("names the ranges of package.json's peerDependencies", () => {
    const manifest = JSON.parse(readFileSync(join(import.meta.dirname, "../../../package.json"), "utf8")) as {
      peerDependencies: Record<string, string>;
    };
    expect(CDKTF_PEERS).toEqual(manifest.peerDependencies);
  });

  it.each([
    ["Cannot find package 'cdktf' imported from /x/dist/cdktf/ruangkerja-users.js", "ERR_MODULE_NOT_FOUND", "cdktf cannot"],
    ["Cannot find module 'constructs'\nRequire stack: …", "MODULE_NOT_FOUND", "constructs cannot"],
  ])("turns %j into what to install", (message, code, missing) => {
    const cause = notFound(message, code);
    const error = missingPeerError(cause) as Error;
    expect(error.message).toContain(`and ${missing} be found: npm install cdktf@"^0.21.0" constructs@"^10.4.2"`);
    expect(error.cause).toBe(cause);
  });

  it("leaves any other error as it is", () => {
    for (const other of [notFound("Cannot find module '/x/dist/cdktf/ruangkerja-users.js'"), new TypeError("boom"), undefined]) {
      expect(missingPeerError(other)).toBe(other);
    }
  });
});
