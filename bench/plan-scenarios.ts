/**
 * The reading rows: validate, and plan against an empty, a matching (no-change) and a 1%-changed
 * state, each plan beside the JSON.parse floor for the same data (json-floor.ts), alternating
 * with it. Declarations are generated per size in two layouts: big files (one file for 10k;
 * 10 MiB is the per-file limit, so files of 10,000 above) and files of 1,000. With a size of
 * 100,000 or more, a no-change plan of 300,000 users is added for its peak RSS.
 */
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { expectExit, expectFloorRead, expectOutput, RSS_LIMIT_MB, short } from "./checks.js";
import { writeDeclarations, writeState } from "./generate.js";
import { type BenchContext, DEFAULT_RUNS, type Scenario, type Target } from "./scenario.js";

/** The bound for plan: at most 6× what reading and JSON.parse-ing the same data costs. */
const PLAN_FACTOR = 6;
const LARGE_PLAN_USERS = 300_000;
const floorScript = fileURLToPath(new URL("json-floor.js", import.meta.url));

function validateTarget(size: number): Target {
  // Issue 6's targets: 100,000 users in 2.5 s, 10,000 in 0.5 s; in between, linear.
  const seconds = size <= 10_000 ? 0.5 : size >= 100_000 ? 2.5 : 0.5 + ((size - 10_000) / 90_000) * 2;
  return { seconds, rssMB: RSS_LIMIT_MB };
}

interface Layout {
  readonly key: string;
  readonly label: string;
  readonly perFile: number;
}

function layoutsFor(size: number): Layout[] {
  const big =
    size <= 10_000
      ? { key: "onefile", label: "one file", perFile: size }
      : { key: "files10000", label: "files of 10,000", perFile: 10_000 };
  return [big, { key: "files1000", label: "files of 1,000", perFile: 1000 }];
}

/** A plan row and its floor: `plan` with `--state <state>` beside json-floor.js reading the same files. */
function planWithFloor(
  base: { id: string; title: string; dir: string; cli: string; size: number; runs: number; group: string },
  state: { key: string; label: string; file: string | undefined; says: string; factor: number | undefined },
): Scenario[] {
  const floorId = `floor-${base.id}-${state.file ? "state" : "decl"}`;
  const floorArgs = [floorScript, "users-json", ...(state.file ? [state.file] : [])];
  const floor: Scenario = {
    id: floorId,
    title: `JSON.parse ${short(base.size)}${state.file ? " + state" : ""}, ${base.title}`,
    runs: base.runs,
    group: base.group,
    command: { args: floorArgs, cwd: base.dir },
    check: (run) => expectFloorRead(run, base.size, state.file ? base.size : 0),
  };
  const plan: Scenario = {
    id: `plan-${base.id}-${state.key}`,
    title: `plan ${short(base.size)}, ${base.title}, ${state.label}`,
    runs: base.runs,
    group: base.group,
    command: { args: [base.cli, "plan", "--dir", "users", "--no-color", "--state", state.file ?? "none.json"], cwd: base.dir },
    target: { relativeTo: { id: floorId, ...(state.factor !== undefined && { factor: state.factor }) }, rssMB: RSS_LIMIT_MB },
    check: (run) => {
      expectExit(run, 0);
      expectOutput(run, state.says);
      if (state.key === "nochange" && run.stdoutTail.trim().split("\n").length !== 1)
        throw new Error("a no-change plan must print one line");
    },
  };
  return [floor, plan];
}

export function scenarios(context: BenchContext): Scenario[] {
  const { cli, workDir } = context;
  const runs = context.runs ?? DEFAULT_RUNS;
  const out: Scenario[] = [];
  for (const size of context.sizes) {
    for (const layout of layoutsFor(size)) {
      const id = `${short(size)}-${layout.key}`;
      const dir = join(workDir, id);
      const users = writeDeclarations(join(dir, "users"), size, layout.perFile, join(dir, "users-json"));
      writeState(join(dir, "state.json"), users);
      writeState(join(dir, "state-1pct.json"), users, 100);
      const base = { id, title: layout.label, dir, cli, size, runs, group: `plan-${id}` };
      // One floor with the state (state.json) per round serves the no-change and the 1% rows: both
      // have the same id, so the 1% call's copy is dropped.
      const [stateFloor, noChange] = planWithFloor(base, {
        key: "nochange",
        label: "no-change state",
        file: "state.json",
        says: `(${size} unchanged)`,
        factor: PLAN_FACTOR,
      });
      const onePercent = planWithFloor(base, {
        key: "1pct",
        label: "1% changed",
        file: "state-1pct.json",
        says: `Plan: 0 to create, ${size / 100} to update`,
        factor: PLAN_FACTOR,
      })[1] as Scenario;
      out.push(
        {
          id: `validate-${id}`,
          title: `validate ${short(size)}, ${layout.label}`,
          runs,
          group: base.group,
          command: { args: [cli, "validate", "--dir", "users", "--no-color"], cwd: dir },
          target: validateTarget(size),
          check: (run) => {
            expectExit(run, 0);
            expectOutput(run, `Valid: ${size} users`);
          },
        },
        ...planWithFloor(base, {
          key: "empty",
          label: "empty state",
          file: undefined,
          says: `Plan: ${size} to create, 0 to update`,
          factor: PLAN_FACTOR,
        }),
        stateFloor as Scenario,
        noChange as Scenario,
        onePercent,
      );
    }
  }
  if (context.sizes.some((size) => size >= 100_000)) out.push(...largePlan(context, runs));
  return out;
}

/** Peak RSS of a no-change plan of 300,000 users (files of 10,000), beside its JSON.parse floor (shown, not judged). */
function largePlan(context: BenchContext, runs: number): Scenario[] {
  const size = LARGE_PLAN_USERS;
  const id = `${short(size)}-files10000`;
  const dir = join(context.workDir, id);
  const users = writeDeclarations(join(dir, "users"), size, 10_000, join(dir, "users-json"));
  writeState(join(dir, "state.json"), users);
  return planWithFloor(
    { id, title: "files of 10,000", dir, cli: context.cli, size, runs, group: `plan-${id}` },
    { key: "nochange", label: "no-change state", file: "state.json", says: `(${size} unchanged)`, factor: undefined },
  );
}
