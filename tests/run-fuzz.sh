#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Runs one libFuzzer target for a fixed number of iterations, as a test.
# The seed corpus (optional, read-only in the source tree) is copied into a
# scratch directory first, because libFuzzer adds new inputs to the first
# corpus directory it is given.
# libFuzzer executes every file of the corpus before it mutates, however
# small RUNS is, and counts those executions in RUNS: the whole committed
# corpus is replayed, and a corpus that grows reaches deeper code without
# making the run longer.  Long searches are tests/fuzz-long.sh's job.
# Usage: run-fuzz.sh TARGET RUNS [SEED_DIR]
set -euo pipefail
target=$1 runs=$2 seeds=${3:-}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir "$work/corpus"
if [ -n "$seeds" ] && [ -d "$seeds" ]; then
  cp -r "$seeds"/. "$work/corpus/"
fi
# libFuzzer exits 77 on a finding by default, which meson reads as a skip.
exec "$target" -runs="$runs" -seed=1 -max_total_time=240 -error_exitcode=1 \
  -artifact_prefix="$work/" "$work/corpus"
