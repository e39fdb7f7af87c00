/** Containment as findDeclarationFiles judges links: by real paths, component by component. */
import { join, sep } from "node:path";
import { describe, expect, it } from "vitest";
import { isInside } from "../../../src/declarations/find-files.js";

describe("isInside", () => {
  const root = join(sep, "repo", "users");

  it("holds for the folder itself and what lies below it, names starting with dots included", () => {
    expect(isInside(root, root)).toBe(true);
    expect(isInside(root, join(root, "a.yaml"))).toBe(true);
    expect(isInside(root, join(root, "..a.yaml"))).toBe(true);
    expect(isInside(root, join(root, "..team", "a.yaml"))).toBe(true);
  });

  it("fails for a parent, a sibling whose name starts the same, and elsewhere", () => {
    expect(isInside(root, join(sep, "repo"))).toBe(false);
    expect(isInside(root, join(sep, "repo", "users-old", "a.yaml"))).toBe(false);
    expect(isInside(root, join(sep, "etc", "passwd"))).toBe(false);
    expect(isInside(root, sep)).toBe(false);
  });
});
