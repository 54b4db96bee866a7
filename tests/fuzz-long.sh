#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Long fuzzing runs of the libFuzzer targets, for depth rather than CI.
#
# CI (tests/run-fuzz.sh) replays the committed seed corpora and then does a
# short fixed-seed run; that is a regression check, not a search.  This
# script searches: every target (or the named ones) runs for MINUTES with a
# random seed, on a persistent corpus kept outside the tree, FUZZ_JOBS
# processes at a time (default 2: one per core of the development machines).
# When a single target is named, all the slots go to it (several workers on
# one corpus).  Afterwards each target's persistent corpus is merged
# (libFuzzer -merge=1, which keeps only inputs that add coverage) into the
# seed corpus in the tree, so that CI's replay reaches what the long run
# reached.  Inputs larger than FUZZ_SEED_MAX bytes are not copied into the
# tree.  Ends with a table: target, executions, coverage, crashes.
#
# Usage: tests/fuzz-long.sh [MINUTES] [TARGET...]
#   MINUTES        per target (default 10)
#   TARGET         e.g. fuzz-virtio-blk-device (default: every fuzz test)
# Environment:
#   BUILD          the clang fuzz build (default build-san)
#   FUZZ_CACHE     persistent corpora (default ~/.cache/cvmm/fuzz)
#   FUZZ_JOBS      processes at a time (default 2)
#   FUZZ_RUNS      stop a process after this many executions (default: none)
#   FUZZ_SEED_MAX  largest input merged into the tree (default 4096)
#   FUZZ_NO_MERGE  set to 1 to leave the tree alone
#   FUZZ_MERGE_ONLY  set to 1 to only merge the persistent corpora (MINUTES
#                  is then ignored), e.g. after runs that were stopped
# Exit status: 0 when no process found anything, 1 otherwise.
set -euo pipefail
cd "$(dirname "$0")/.."

minutes=${1:-10}
[ $# -gt 0 ] && shift
build=${BUILD:-build-san}
cache=${FUZZ_CACHE:-$HOME/.cache/cvmm/fuzz}
jobs=${FUZZ_JOBS:-2}
runs=${FUZZ_RUNS:--1}
seed_max=${FUZZ_SEED_MAX:-4096}
case $minutes in '' | *[!0-9]*) echo "MINUTES must be a whole number" >&2; exit 2 ;; esac

# name, executable and seed directory of every fuzz test, from meson itself,
# so that a new target is picked up without editing this script.
# The executable is relative to the build directory (ninja's target name).
mapfile -t all < <(meson introspect "$build" --tests | python3 -c '
import json, sys
for t in json.load(sys.stdin):
    if "cvmm:fuzz" in t["suite"]:
        print(t["name"], t["cmd"][1], t["cmd"][3] if len(t["cmd"]) > 3 else "-")
')
[ ${#all[@]} -gt 0 ] || { echo "no fuzz targets in $build (configure with -Dfuzz=enabled)" >&2; exit 2; }
declare -A exe seeds
for line in "${all[@]}"; do
  read -r n e s <<<"$line"
  exe[$n]=$e seeds[$n]=$s
done
if [ $# -gt 0 ]; then
  targets=("$@")
  for t in "${targets[@]}"; do
    [ -n "${exe[$t]:-}" ] || { echo "unknown target $t" >&2; exit 2; }
  done
else
  targets=()
  for line in "${all[@]}"; do targets+=("${line%% *}"); done
fi
rel=()
for t in "${targets[@]}"; do rel+=("${exe[$t]}"); done
ninja -C "$build" "${rel[@]}" >/dev/null
for t in "${targets[@]}"; do exe[$t]=$(realpath "$build/${exe[$t]}"); done

workers=1
[ ${#targets[@]} -eq 1 ] && workers=$jobs
stamp=$(date -u +%Y%m%dT%H%M%SZ)

# One libFuzzer process: new inputs go to the persistent corpus (the first
# directory); the tree's seeds are only read.
run_one() {
  local t=$1 w=$2 dir=$cache/$1 seed
  seed=$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')
  seed=$((seed % 2147483647 + 1))
  mkdir -p "$dir/corpus" "$dir/artifacts" "$dir/logs"
  local log=$dir/logs/$stamp-$w.log
  echo "== $t worker $w seed $seed -> $log"
  local rc=0
  nice -n 10 "${exe[$t]}" -seed="$seed" -max_total_time=$((minutes * 60)) \
    -runs="$runs" -timeout=25 -rss_limit_mb=2048 -print_final_stats=1 \
    -artifact_prefix="$dir/artifacts/$stamp-$w-" "$dir/corpus" \
    $([ -d "${seeds[$t]}" ] && echo "${seeds[$t]}") >"$log" 2>&1 || rc=$?
  echo "$rc" >"$log.rc"
}

# Merge each persistent corpus into the tree: stage = seeds + whatever in
# the persistent corpus adds coverage; only the additions are copied back.
merge_one() {
  local t=$1 dir=$cache/$1 stage new=0
  local tree=${seeds[$t]}
  [ "$tree" != "-" ] || { echo 0; return; }
  mkdir -p "$tree"
  stage=$(mktemp -d)
  cp -r "$tree"/. "$stage/"
  nice -n 10 "${exe[$t]}" -merge=1 -timeout=25 -rss_limit_mb=2048 \
    "$stage" "$dir/corpus" >"$dir/logs/$stamp-merge.log" 2>&1 || true
  for f in "$stage"/*; do
    [ -f "$f" ] && [ ! -e "$tree/${f##*/}" ] || continue
    [ "$(stat -c %s "$f")" -le "$seed_max" ] || continue
    cp "$f" "$tree/" && new=$((new + 1))
  done
  rm -rf "$stage"
  echo "$new"
}

if [ "${FUZZ_MERGE_ONLY:-0}" = 1 ]; then
  for t in "${targets[@]}"; do echo "$t: $(merge_one "$t") new seeds"; done
  exit 0
fi

pending=()
for t in "${targets[@]}"; do
  for ((w = 1; w <= workers; w++)); do pending+=("$t $w"); done
done
for job in "${pending[@]}"; do
  while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do wait -n || true; done
  run_one $job &
done
wait

status=0
summary=$cache/summary-$stamp.md
{
  echo "| target | executions | exec/s | cov | ft | crashes | new seeds |"
  echo "|---|---:|---:|---:|---:|---:|---:|"
} >"$summary"
for t in "${targets[@]}"; do
  execs=0 rate=0 cov=0 ft=0 crashes=0
  for ((w = 1; w <= workers; w++)); do
    log=$cache/$t/logs/$stamp-$w.log
    e=$(sed -n 's/^stat::number_of_executed_units: //p' "$log" | tail -1)
    r=$(sed -n 's/^stat::average_exec_per_sec: //p' "$log" | tail -1)
    c=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | cut -d' ' -f2)
    f=$(grep -o 'ft: [0-9]*' "$log" | tail -1 | cut -d' ' -f2)
    execs=$((execs + ${e:-0})) rate=$((rate + ${r:-0}))
    [ "${c:-0}" -gt "$cov" ] && cov=$c
    [ "${f:-0}" -gt "$ft" ] && ft=$f
    case $(cat "$log.rc") in
      0) ;;
      72) echo "-- $t worker $w: interrupted" >&2 ;;	# libFuzzer's exit on SIGINT
      *) crashes=$((crashes + 1)) status=1
         echo "!! $t worker $w: exit $(cat "$log.rc"), see $log and $cache/$t/artifacts/" >&2 ;;
    esac
  done
  new=-
  [ "${FUZZ_NO_MERGE:-0}" = 1 ] || new=$(merge_one "$t")
  echo "| $t | $execs | $rate | $cov | $ft | $crashes | $new |" >>"$summary"
done
echo
echo "fuzz-long $(date -u +%F) minutes=$minutes jobs=$jobs ($summary)"
cat "$summary"
exit $status
