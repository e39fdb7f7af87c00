#!/usr/bin/env bash
# Commits the state file that apply left to main, on top of whatever main is now, and pushes it;
# with it the state's journal (<state>.journal), which a killed apply leaves holding the results
# it had not yet written into the state: the next apply reads them from there. A journal that is
# gone (the state written whole) is removed from main too.
# Run it in the apply job after apply, also when apply failed or was cancelled (`if: always()`):
# the users that landed are in the state and must be kept.
#
#   bash .github/ruangkerja-users/commit-state.sh [branch]
#
# HEAD must be the commit the job planned and applied (sync-to-main.sh put it there); the state
# file as it was in HEAD is the state apply started from.
#
# main may move on while the job runs (another merge; its run waits in the queue). The state file
# changes only in this job, which the concurrency group runs one at a time, so main's state file
# must still be the one the job started from: the new commit is then main's tree with only the
# state file replaced — no merge, no rebase. When the push loses a race, it fetches and tries
# again (RUANGKERJA_COMMIT_ATTEMPTS, default 5). When main's state file is not the one the job
# started from, something else wrote it (or the job did not start at the tip of main): that is
# a bug, and merging two states would hide it, so the script stops with exit 1 and leaves the
# state file in place for the workflow to keep as an artifact.
#
# Environment: RUANGKERJA_STATE_FILE (default .ruangkerja/state.json, relative to the repository
# root), RUANGKERJA_COMMIT_ATTEMPTS, GIT_AUTHOR_NAME/EMAIL and GIT_COMMITTER_NAME/EMAIL (default
# github-actions[bot]), and GITHUB_SERVER_URL, GITHUB_REPOSITORY, GITHUB_RUN_ID for the message.
set -euo pipefail

branch="${1:-main}"
state="${RUANGKERJA_STATE_FILE:-.ruangkerja/state.json}"
attempts="${RUANGKERJA_COMMIT_ATTEMPTS:-5}"
if ! [[ "$attempts" =~ ^[1-9][0-9]?$ ]]; then
  echo "commit-state: RUANGKERJA_COMMIT_ATTEMPTS must be a number from 1 to 99, not '$attempts'" >&2
  exit 2
fi
cd "$(git rev-parse --show-toplevel)"

fail() {
  echo "::error title=ruangkerja-users::commit-state: $1" >&2
  exit 1
}

# The blob id of the state file in a commit, or "none".
journal="$state.journal"

# The blob ids of the state file and its journal in a commit, "none" for one it lacks.
state_in() {
  echo "$(git rev-parse --quiet --verify "$1:$state" 2>/dev/null || echo none) $(git rev-parse --quiet --verify "$1:$journal" 2>/dev/null || echo none)"
}

if [ ! -f "$state" ] && [ ! -f "$journal" ]; then
  echo "No $state: apply changed nothing, there is nothing to commit."
  exit 0
fi

base="$(git rev-parse HEAD)"
started_from="$(state_in "$base")"
ours_state=none
ours_journal=none
if [ -f "$state" ]; then ours_state="$(git hash-object -w -- "$state")"; fi
if [ -f "$journal" ]; then ours_journal="$(git hash-object -w -- "$journal")"; fi
ours="$ours_state $ours_journal"
if [ "$ours" = "$started_from" ]; then
  echo "$state is as it was in ${base:0:12}: nothing to commit."
  exit 0
fi

export GIT_AUTHOR_NAME="${GIT_AUTHOR_NAME:-github-actions[bot]}"
export GIT_AUTHOR_EMAIL="${GIT_AUTHOR_EMAIL:-41898282+github-actions[bot]@users.noreply.github.com}"
export GIT_COMMITTER_NAME="${GIT_COMMITTER_NAME:-$GIT_AUTHOR_NAME}"
export GIT_COMMITTER_EMAIL="${GIT_COMMITTER_EMAIL:-$GIT_AUTHOR_EMAIL}"
message="ruangkerja-users: state after applying ${base:0:12}

Ruangkerja-Applied: $base"
if [ -n "${GITHUB_RUN_ID:-}" ]; then
  message="$message
Ruangkerja-Run: ${GITHUB_SERVER_URL:-https://github.com}/${GITHUB_REPOSITORY:-}/actions/runs/$GITHUB_RUN_ID"
fi

scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT

for attempt in $(seq 1 "$attempts"); do
  git fetch --quiet --no-tags origin "+refs/heads/$branch:refs/remotes/origin/$branch"
  tip="$(git rev-parse "refs/remotes/origin/$branch")"
  at_tip="$(state_in "$tip")"
  if [ "$at_tip" != "$started_from" ]; then
    fail "$state on $branch (${tip:0:12}) is not the one this job planned from (${base:0:12}). Only this job writes it, one run at a time, so something else changed it, or the job did not start at the tip of $branch (sync-to-main.sh). Not merging two states: this job's state is left in $state; compare it with $branch's, keep the right one, and run plan."
  fi

  # main's tree with our state file and journal: a new index, never the working tree's.
  GIT_INDEX_FILE="$scratch/index" git read-tree "$tip"
  for pair in "$state:$ours_state" "$journal:$ours_journal"; do
    path="${pair%:*}"
    blob="${pair##*:}"
    if [ "$blob" = none ]; then
      GIT_INDEX_FILE="$scratch/index" git update-index --force-remove -- "$path"
    else
      GIT_INDEX_FILE="$scratch/index" git update-index --add --cacheinfo "100644,$blob,$path"
    fi
  done
  tree="$(GIT_INDEX_FILE="$scratch/index" git write-tree)"
  commit="$(git commit-tree "$tree" -p "$tip" -m "$message")"

  # Not forced: when main moved on since the fetch, the push is refused and we go round again.
  if pushed="$(git push --porcelain origin "$commit:refs/heads/$branch" 2>&1)"; then
    git update-ref "refs/remotes/origin/$branch" "$commit"
    echo "Committed $state to $branch as ${commit:0:12} (on top of ${tip:0:12}, attempt $attempt)."
    exit 0
  fi
  if ! grep -qE '\[rejected\] \((fetch first|non-fast-forward)\)' <<<"$pushed"; then
    echo "$pushed" >&2
    fail "git push to $branch failed (see above), and not because $branch moved on: is $branch protected against this job's token?"
  fi
  echo "$branch moved on while committing (attempt $attempt of $attempts); fetching it again."
  sleep "$attempt"
done
fail "$branch kept moving: gave up after $attempts attempts; this job's state is left in $state."
