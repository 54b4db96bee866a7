#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Boots the default guest on cvmm with its console on this terminal:
# Debian's cloud kernel (ELF, entered through PVH), the busybox initramfs of
# tests/linux and a virtio-blk disk, 2 vCPUs.  The initramfs's /init prints
# its marker, reads the disk's first bytes back through Linux's virtio_blk
# driver and reboots, which ends cvmm with exit code 0.
# Needs a /dev/kvm on which Linux userspace runs (vmx/svm hardware, or L1 of
# the nested harness: examples/run-main.sh chooses).
# Usage: boot-linux.sh [BUILD_DIR]     (default: build)
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$top/build}
eval "$(bash "$top/tests/artifacts/fetch-debian-kernel.sh" cloud |
	sed 's/^\([a-z]*\)-\([a-z]*\)=/\1_\2=/; s/=\(.*\)$/="\1"/')"
initrd=$(bash "$top/tests/linux/make-initramfs.sh" "$cloud_modules" \
	"${CVMM_CACHE:-$HOME/.cache/cvmm}/initramfs/$cloud_version.cpio.gz" | tail -n1)
disk=$(mktemp --suffix=.img)
trap 'rm -f "$disk"' EXIT
printf 'cvmm-disk-readback-0123456789ab' >"$disk"
truncate -s 16M "$disk"
"$build/vmm/cvmm" --memory size_mib=512 --vcpu num=2 \
	--kernel path="$cloud_vmlinux",cmdline="\"console=ttyS0 reboot=k panic=1\"" \
	--initramfs path="$initrd" --block path="$disk" --platform virtio_cmdline=off
