/**
 * The pull-request comments of the ruangkerja-users workflows, for actions/github-script
 * (`await import(\`${process.env.GITHUB_WORKSPACE}/.github/ruangkerja-users/comments.mjs\`)`):
 *
 * - postPlanComment — plan-comment.yml, on `workflow_run`: posts (or updates) the plan that an
 *   unprivileged `pull_request` run of plan.yml left as an artifact, or its errors when it failed.
 * - postApplyResult — apply.yml and apply-postgres.yml, after apply: posts the outcome on every
 *   merged pull request that the applied commit includes and that has no "applied" result yet.
 *
 * What an artifact holds was written by the pull request's own run — for a fork, by someone
 * outside the repository. It is data: read with a size limit, shown fenced or as the plan's
 * markdown, and it never decides which pull request is written to (that comes from the event).
 */
import { Buffer } from "node:buffer";
import fs from "node:fs";
import path from "node:path";

export const PLAN_MARKER = "<!-- ruangkerja-users plan -->";
export const APPLY_MARKER = "<!-- ruangkerja-users apply -->";
/** On the second line of an apply result that needs no further update. */
export const APPLIED_TAG = "<!-- ruangkerja-users outcome: applied -->";
/** GitHub refuses comments over 65,536 characters; this leaves room for the frame. */
const BODY_LIMIT = 60_000;
const LOG_LIMIT = 20_000;
const READ_LIMIT = 1_000_000;
/** Merged pull requests looked at after an apply, newest first. */
const RECENT_PULLS = 30;

/** A regular file's text (at most READ_LIMIT bytes), or undefined when there is none. */
function readText(file) {
  let stat;
  try {
    stat = fs.lstatSync(file);
  } catch {
    return undefined;
  }
  if (!stat.isFile()) return undefined;
  const fd = fs.openSync(file, "r");
  try {
    const buffer = Buffer.alloc(Math.min(stat.size, READ_LIMIT));
    const read = fs.readSync(fd, buffer, 0, buffer.length, 0);
    return buffer.subarray(0, read).toString("utf8");
  } finally {
    fs.closeSync(fd);
  }
}

/** Log text for a comment: without workflow commands (`::error …`), which are annotations already. */
function cleanLog(text) {
  return (text ?? "")
    .split("\n")
    .filter((line) => !line.startsWith("::"))
    .join("\n")
    .trim();
}

/** The end of `text`, at most `limit` characters, saying when the start was cut. */
function tail(text, limit) {
  if (text.length <= limit) return text;
  const cut = text.slice(text.length - limit);
  return `… (${text.length - limit} characters cut)\n${cut.slice(cut.indexOf("\n") + 1)}`;
}

/** `text` in a code block no line of it can close (a fence longer than its longest run of backticks). */
export function codeBlock(text) {
  const longest = Math.max(0, ...Array.from(text.matchAll(/`+/g), (m) => m[0].length));
  const fence = "`".repeat(Math.max(3, longest + 1));
  return `${fence}text\n${text}\n${fence}`;
}

/** The plan's markdown without its marker line (the comment puts its own first). */
function planMarkdown(text) {
  const lines = text.replace(/\r\n/g, "\n").split("\n");
  if (lines[0]?.trim() === PLAN_MARKER) lines.shift();
  return lines.join("\n").trim();
}

function clip(body) {
  return body.length <= BODY_LIMIT
    ? body
    : `${body.slice(0, BODY_LIMIT)}\n\n… (cut: the comment would exceed GitHub's limit; see the run's log)`;
}

const ours = (marker) => (comment) => comment.user?.type === "Bot" && typeof comment.body === "string" && comment.body.startsWith(marker);

async function listComments(github, owner, repo, issue_number) {
  return github.paginate(github.rest.issues.listComments, { owner, repo, issue_number, per_page: 100 });
}

/** Updates this workflow's comment (found by its marker) or creates it. */
async function upsertComment(github, { owner, repo, issue_number, marker, body, comments }) {
  const previous = (comments ?? (await listComments(github, owner, repo, issue_number))).find(ours(marker));
  if (previous) {
    await github.rest.issues.updateComment({ owner, repo, comment_id: previous.id, body });
    return "updated";
  }
  await github.rest.issues.createComment({ owner, repo, issue_number, body });
  return "created";
}

/**
 * The open pull request whose head is the commit the run planned. Taken from the event (which
 * GitHub wrote), never from the artifact; for a fork, `workflow_run.pull_requests` is empty, so
 * it is looked up by the head repository's owner and branch. None when the pull request has
 * moved on since (its newer run will comment) or is closed.
 */
async function findPlannedPullRequest(github, owner, repo, run) {
  const headOwner = run.head_repository?.owner?.login;
  if (!headOwner || !run.head_branch || !run.head_sha) return undefined;
  const { data } = await github.rest.pulls.list({ owner, repo, state: "open", head: `${headOwner}:${run.head_branch}`, per_page: 10 });
  return data.find((pr) => pr.head?.sha === run.head_sha && pr.base?.repo?.full_name === `${owner}/${repo}`);
}

/** The comment for one plan run: its plan when it succeeded, else what went wrong. */
export function planCommentBody(run, files) {
  const where = `[plan run](${run.html_url}) for \`${String(run.head_sha).slice(0, 12)}\``;
  if (run.conclusion === "success" && files.plan !== undefined) {
    return clip(`${PLAN_MARKER}\n${planMarkdown(files.plan)}\n\n<sub>From the ${where}.</sub>\n`);
  }
  const errors = cleanLog(files.errors);
  const detail = errors
    ? `${codeBlock(tail(errors, LOG_LIMIT))}\n`
    : `It stopped before validate or plan could say why (no output was kept): see the run's log.\n`;
  return clip(
    `${PLAN_MARKER}\n### ❌ ruangkerja-users: no plan\n\nThe ${where} ended with **${run.conclusion}**. ` +
      `Nothing can be applied from this pull request until it plans; fix the problems below and push again.\n\n${detail}`,
  );
}

/**
 * plan-comment.yml: posts the plan (or its errors) that the `pull_request` run left in `dir`
 * (plan.md, errors.txt) on the pull request whose head it planned.
 */
export async function postPlanComment({ github, context, core, dir }) {
  const run = context.payload.workflow_run;
  if (!run || run.event !== "pull_request") {
    core.info("Not the completion of a pull_request run: nothing to post.");
    return;
  }
  if (run.conclusion === "cancelled" || run.conclusion === "skipped") {
    core.info(`The plan run was ${run.conclusion}: nothing to post.`);
    return;
  }
  const { owner, repo } = context.repo;
  const pr = await findPlannedPullRequest(github, owner, repo, run);
  if (!pr) {
    core.info(`No open pull request has ${run.head_sha} as its head any more: nothing to post.`);
    return;
  }
  const files = { plan: readText(path.join(dir, "plan.md")), errors: readText(path.join(dir, "errors.txt")) };
  const body = planCommentBody(run, files);
  const action = await upsertComment(github, { owner, repo, issue_number: pr.number, marker: PLAN_MARKER, body });
  core.info(`Plan comment ${action} on #${pr.number}.`);
}

/** What the apply job's steps came to: one of the `steps.<id>.outcome` values each. */
function applyOutcome(env) {
  const plan = env.PLAN_OUTCOME;
  const apply = env.APPLY_OUTCOME;
  const commit = env.COMMIT_OUTCOME; // unset with state in PostgreSQL: nothing to commit
  if (plan !== "success") return { applied: false, title: "❌ Plan failed on main: nothing was sent to RuangKerja" };
  if (apply !== "success") return { applied: false, title: "❌ Apply failed: what landed is in the state, the rest was not applied" };
  if (commit !== undefined && commit !== "" && commit !== "success") {
    return { applied: false, title: "⚠️ Applied, but the state was not committed: the next run plans those users again" };
  }
  return { applied: true, title: "✅ Applied" };
}

function applyResultBody({ env, files, sha, runUrl, numbers }) {
  const outcome = applyOutcome(env);
  const others = numbers.length > 1 ? ` (with ${numbers.map((n) => `#${n}`).join(", ")})` : "";
  const lines = [APPLY_MARKER];
  if (outcome.applied) lines.push(APPLIED_TAG);
  lines.push(
    `### ruangkerja-users: ${outcome.title}`,
    "",
    `The [apply run](${runUrl}) applied \`${sha.slice(0, 12)}\`, the tip of main, which includes this pull request${others}.`,
    "",
  );
  const plan = files.plan === undefined ? "" : planMarkdown(files.plan);
  if (plan) lines.push("<details><summary>The plan it applied</summary>", "", plan, "", "</details>", "");
  const log = cleanLog([files.planLog, files.applyLog].filter(Boolean).join("\n"));
  if (log) lines.push("<details><summary>Output</summary>", "", codeBlock(tail(log, LOG_LIMIT)), "", "</details>", "");
  return clip(lines.join("\n"));
}

/**
 * After apply: the merged pull requests the applied commit includes, that plan.yml commented on
 * (so they touched the declarations) and that carry no "applied" result yet. One merged pull
 * request's own run may have been cancelled by a later merge's, so the run that goes reports on
 * all of them; a failed result is updated by the next run.
 */
async function pullRequestsToReport(github, owner, repo, sha, branch) {
  const { data } = await github.rest.pulls.list({
    owner,
    repo,
    state: "closed",
    base: branch,
    sort: "updated",
    direction: "desc",
    per_page: RECENT_PULLS,
  });
  const found = [];
  for (const pr of data) {
    if (!pr.merged_at || !pr.merge_commit_sha) continue;
    const comments = await listComments(github, owner, repo, pr.number);
    if (!comments.some(ours(PLAN_MARKER))) continue;
    const previous = comments.find(ours(APPLY_MARKER));
    if (previous?.body.split("\n")[1] === APPLIED_TAG) continue;
    // Merged after the commit applied: that merge's own run reports on it.
    const compared = await github.rest.repos.compareCommits({ owner, repo, base: pr.merge_commit_sha, head: sha, per_page: 1 });
    if (compared.data.status !== "ahead" && compared.data.status !== "identical") continue;
    found.push({ number: pr.number, comments });
  }
  return found.sort((a, b) => a.number - b.number);
}

/**
 * apply.yml / apply-postgres.yml: posts the outcome of this apply on each merged pull request it
 * covers. `env`: APPLIED_SHA (sync-to-main.sh's output), PLAN_OUTCOME, APPLY_OUTCOME and, with
 * the state in the repository, COMMIT_OUTCOME. Reads ruangkerja.plan.md, ruangkerja.plan.log and
 * ruangkerja.apply.log from `dir`.
 */
export async function postApplyResult({ github, context, core, env, dir = ".", branch = "main" }) {
  const sha = env.APPLIED_SHA;
  if (!sha || !/^[0-9a-f]{40}$/.test(sha)) {
    core.warning("APPLIED_SHA is not a commit id: not posting the result.");
    return;
  }
  const { owner, repo } = context.repo;
  const runUrl = `${context.serverUrl}/${owner}/${repo}/actions/runs/${context.runId}`;
  const files = {
    plan: readText(path.join(dir, "ruangkerja.plan.md")),
    planLog: readText(path.join(dir, "ruangkerja.plan.log")),
    applyLog: readText(path.join(dir, "ruangkerja.apply.log")),
  };
  const targets = await pullRequestsToReport(github, owner, repo, sha, branch);
  if (targets.length === 0) core.info("No merged pull request is waiting for this result.");
  const numbers = targets.map((t) => t.number);
  for (const target of targets) {
    const body = applyResultBody({ env, files, sha, runUrl, numbers });
    const action = await upsertComment(github, {
      owner,
      repo,
      issue_number: target.number,
      marker: APPLY_MARKER,
      body,
      comments: target.comments,
    });
    core.info(`Apply result ${action} on #${target.number}.`);
  }
}
