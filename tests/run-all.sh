#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The README's test command: installs what is missing, builds cvmm twice
# (gcc with every suite; clang with ASan+UBSan for the unit and fuzz suites)
# and prints one closing line 'N passed, N failed[, N skipped]'.
# Exits non-zero when any test failed.  Safe to run again: builds are reused.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"

bash tests/install-deps.sh || { echo "run-all: could not install the build dependencies" >&2; exit 1; }

setup() { # builddir, meson options...
  local dir=$1; shift
  if [ -f "$dir/build.ninja" ]; then
    meson setup --reconfigure "$dir" "$@" >/dev/null
  else
    meson setup "$dir" "$@" >/dev/null
  fi
}

compile() { # builddir: build quietly, show the log tail on failure
  ninja -C "$1" >"$1/ninja.log" 2>&1 || { tail -n 60 "$1/ninja.log" >&2; return 1; }
}

status=0
failed_builds=0
logs=()

# Which suites run where depends on the host's KVM (docs/testing.md, "Host
# matrix"): directly on vmx/svm; on kvm-pvm directly, plus the linux suite
# nested because no Linux userspace runs there; with no usable /dev/kvm,
# every suite that needs KVM runs nested, under QEMU TCG.
IFS=$'\t' read -r host host_why < <(bash tests/host-kind.sh)
direct=(--no-suite guest-qemu --no-suite fuzz --no-suite nested)
nested=()
case $host in
  direct) echo "== host: $host_why: every suite runs directly" ;;
  kvm-pvm)
    echo "== host: $host_why: the linux suite (and the jailer's cgroup test) also run nested under QEMU TCG"
    nested=(nested-linux nested-cgroup) ;;
  *)
    echo "== host: $host_why: the kvm, guest and linux suites run nested under QEMU TCG (an emulated SVM CPU gives an L1 Linux its own /dev/kvm)"
    direct+=(--no-suite kvm --no-suite guest --no-suite linux)
    nested=(nested-kvm nested-guest nested-linux nested-cgroup) ;;
esac

echo "== build (gcc): every suite but guest-qemu"
if setup build -Dtests=enabled && compile build; then
  meson test -C build --no-rebuild --print-errorlogs --num-processes 2 \
    "${direct[@]}" || status=1
  logs+=(build/meson-logs/testlog.json)
  if [ ${#nested[@]} -gt 0 ]; then
    echo "== nested: ${nested[*]}"
    meson test -C build --no-rebuild --print-errorlogs --logbase nestedlog \
      "${nested[@]}" || status=1
    logs+=(build/meson-logs/nestedlog.json)
  fi
else
  echo "run-all: build failed" >&2; status=1; failed_builds=$((failed_builds + 1))
fi

echo "== build-san (clang, ASan+UBSan): unit and fuzz suites"
if CC=clang setup build-san -Dtests=enabled -Dfuzz=enabled \
     -Db_sanitize=address,undefined -Db_lundef=false && compile build-san; then
  UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
  ASAN_OPTIONS=detect_leaks=1 \
    meson test -C build-san --no-rebuild --print-errorlogs --num-processes 2 \
      --suite unit --suite fuzz || status=1
  logs+=(build-san/meson-logs/testlog.json)
else
  echo "run-all: sanitizer build failed" >&2; status=1; failed_builds=$((failed_builds + 1))
fi

python3 tests/count-results.py --failed-builds "$failed_builds" "${logs[@]}" || status=1
exit $status
