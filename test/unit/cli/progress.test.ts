import { describe, expect, it } from "vitest";
import { createProgress } from "../../../src/cli/progress.js";

const ERASE_LINE = "\u001b[K";

function setup(isTTY: boolean, total = 100) {
  let t = 0;
  const written: string[] = [];
  const progress = createProgress({ total, isTTY, stream: { write: (s: string) => written.push(s) }, now: () => t });
  return { progress, written, advance: (ms: number) => (t += ms) };
}

describe("progress without a terminal", () => {
  it("prints a line at most every 5 seconds, and always the last one", () => {
    const { progress, written, advance } = setup(false);
    progress.update(10, 0);
    advance(1000);
    progress.update(20, 0);
    expect(written).toEqual([]);
    advance(4000);
    progress.update(50, 2);
    expect(written).toEqual(["Applied 50/100 changes (2 failed, 10/s)…\n"]);
    advance(100);
    progress.update(100, 2);
    expect(written[1]).toBe("Applied 100/100 changes (2 failed, 20/s).\n");
    progress.finish();
    expect(written).toHaveLength(2);
  });
});

describe("progress on a terminal", () => {
  it("redraws one line in place with counts, failures and rate, and ends it", () => {
    const { progress, written, advance } = setup(true);
    progress.update(25, 0);
    expect(written[0]?.startsWith("\rApplying ")).toBe(true);
    expect(written[0]).toMatch(/█+░+ 25\/100 25%/);
    expect(written[0]?.endsWith(ERASE_LINE)).toBe(true);
    advance(50);
    progress.update(30, 0);
    expect(written).toHaveLength(1);
    advance(1950);
    progress.update(60, 3);
    expect(written[1]?.endsWith(` 60/100 60% · 3 failed · 30/s${ERASE_LINE}`)).toBe(true);
    progress.update(100, 3);
    expect(written[2]).toMatch(/^\rApplying █+ 100\/100 100%/);
    progress.finish();
    expect(written[3]).toBe("\n");
  });

  it("clears the bar before another message", () => {
    const { progress, written } = setup(true);
    progress.update(1, 0);
    progress.clear();
    expect(written.at(-1)).toBe("\r\u001b[K");
    progress.finish();
    expect(written.at(-1)).toBe("\r\u001b[K");
  });
});
