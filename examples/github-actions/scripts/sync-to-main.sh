#!/usr/bin/env bash
# Moves the job's checkout to the tip of main, so that the run that goes plans and applies the
# declarations and the state main holds now, not the commit that triggered it.
#
# Why: the apply workflows run one at a time (their concurrency group), and GitHub keeps one
# pending run per group, cancelling the others. The run that goes may therefore be
#   - a later merge's run, started after an earlier run pushed its state commit: its commit
#     (GITHUB_SHA) predates that state commit, so planning there would re-plan users already
#     applied, and its state commit would have to merge with the earlier one;
#   - the only run left of several merges (the runs in between were cancelled);
#   - a re-run of an old run, whose commit predates later merges (applying it would undo them).
# In every case the right thing to apply is the tip of main.
#
# Usage (in the apply job, right after actions/checkout, before npm ci so the CLI installed is
# the one main asks for):  bash .github/ruangkerja-users/sync-to-main.sh [branch]
# Writes `sha=<the commit applied>` to GITHUB_OUTPUT when that is set.
set -euo pipefail

branch="${1:-main}"
cd "$(git rev-parse --show-toplevel)"

# Nothing may be thrown away: the job has only checked out, so a change here is a mistake.
if ! git diff --quiet HEAD --; then
  echo "::error title=ruangkerja-users::sync-to-main: the working tree has changes; refusing to reset it to origin/$branch" >&2
  git status --short >&2
  exit 1
fi

triggered="${GITHUB_SHA:-$(git rev-parse HEAD)}"
git fetch --quiet --no-tags origin "+refs/heads/$branch:refs/remotes/origin/$branch"
tip="$(git rev-parse "refs/remotes/origin/$branch")"
git checkout --quiet --force -B "$branch" "refs/remotes/origin/$branch"

if [ "$tip" = "$triggered" ]; then
  echo "Applying $branch at $tip, the commit that started this run."
elif git merge-base --is-ancestor "$triggered" "$tip" 2>/dev/null; then
  moved="$(git rev-list --count "$triggered..$tip")"
  echo "::notice title=ruangkerja-users::applying $branch at ${tip:0:12}, $moved commit(s) after ${triggered:0:12}, which started this run"
else
  echo "::notice title=ruangkerja-users::applying $branch at ${tip:0:12}; ${triggered:0:12}, which started this run, is not on $branch"
fi

if [ -n "${GITHUB_OUTPUT:-}" ]; then
  echo "sha=$tip" >>"$GITHUB_OUTPUT"
fi
