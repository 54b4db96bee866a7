#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Warms every artifact cache that tests read, on the host, before a nested
# run: L1 has no network, and what L1 writes is lost when it powers off.
# Each step is the same script the tests call, so a warm cache is exactly
# what they would have built themselves.
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
declare -A art
while IFS='=' read -r k v; do art[$k]=$v; done < <(bash "$top/tests/artifacts/fetch-debian-kernel.sh" all)
cache=${CVMM_CACHE:-$HOME/.cache/cvmm}
bash "$top/tests/linux/make-initramfs.sh" "${art[cloud-modules]}" \
	"$cache/initramfs/${art[cloud-version]}.cpio.gz" >/dev/null
