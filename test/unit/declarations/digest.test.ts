import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadDeclarations } from "../../../src/declarations/index.js";
import { digestDeclarations } from "../../../src/declarations/digest.js";

describe("digestDeclarations", () => {
  it("does not depend on order, but on every path and every byte", () => {
    const a = { path: "a.yaml", text: "users: []\n" };
    const b = { path: "sub/b.yaml", text: "users: []\n" };
    expect(digestDeclarations([a, b])).toBe(digestDeclarations([b, a]));
    expect(digestDeclarations([a, b])).not.toBe(digestDeclarations([a, { ...b, text: "users: [] \n" }]));
    expect(digestDeclarations([a, b])).not.toBe(digestDeclarations([a, { ...b, path: "sub/c.yaml" }]));
    expect(digestDeclarations([a])).not.toBe(digestDeclarations([a, b]));
    // Length-delimited: moving text between a path and a content does not collide.
    expect(digestDeclarations([{ path: "x", text: "yz" }])).not.toBe(digestDeclarations([{ path: "xy", text: "z" }]));
  });

  it("is the same for the same folder loaded from another working directory", async () => {
    const root = await mkdtemp(join(tmpdir(), "digest-"));
    try {
      await mkdir(join(root, "repo/users/team"), { recursive: true });
      await writeFile(join(root, "repo/users/team/a.yaml"), "users:\n  - employeeID: A1\n    name: A\n    email: a@contoh.co.id\n");
      const fromRepo = await loadDeclarations({ dir: "users", cwd: join(root, "repo") });
      const fromRoot = await loadDeclarations({ dir: "repo/users", cwd: root });
      expect(fromRepo.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
      expect(fromRoot.digest).toBe(fromRepo.digest);
      await writeFile(join(root, "repo/users/team/a.yaml"), "users:\n  - employeeID: A1\n    name: B\n    email: a@contoh.co.id\n");
      expect((await loadDeclarations({ dir: "users", cwd: join(root, "repo") })).digest).not.toBe(fromRepo.digest);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});
