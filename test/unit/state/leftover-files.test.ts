/** A SIGKILL mid-write leaves a claim or temporary file beside the state; whoever next takes the lock removes it. */
import { mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { FileStateStore } from "../../../src/state/state-file.js";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "ruangkerja-leftover-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("files a killed writer left", () => {
  it("claim and temporary files of this state are removed when the lock is taken; other files stay", async () => {
    const state = join(dir, "state.json");
    const left = ["state.json.7.next", "state.json.4242.1a2b3c4d.tmp", "state.json.99.0b4a8d6e.tmp"];
    const kept = ["state.json", "other.json.3.next", "state.json.backup", "notes.tmp"];
    for (const name of [...left, ...kept]) await writeFile(join(dir, name), "");
    const lock = await new FileStateStore(state).lock("apply");
    try {
      expect((await readdir(dir)).filter((n) => !n.endsWith(".lock")).sort()).toEqual([...kept].sort());
    } finally {
      await lock.release();
    }
  });
});
