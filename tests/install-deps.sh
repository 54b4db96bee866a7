#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Installs the Debian packages cvmm needs to build and test, only when one is
# missing, so that running it twice costs nothing the second time.
set -euo pipefail

packages=(
  meson ninja-build gcc pkg-config
  libelf-dev libcriterion-dev linux-libc-dev liburing-dev
  libjansson-dev                # control API and --config-file JSON (docs/api.md)
  libseccomp-dev                # compiles the per-thread syscall filters at build time (docs/seccomp.md)
  clang libclang-rt-14-dev      # libFuzzer and the sanitizer runtimes
  acpica-tools                  # iasl validates our ACPI tables
  python3                       # test-log accounting
  e2fsprogs cpio kmod           # disk images and initramfs for the linux suite
  binutils                      # nm for the symbol-prefix check
  curl                          # the control API test's client (linux-api-1cpu)
)
packages+=("$@")

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "install-deps: installing ${missing[*]}" >&2
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
