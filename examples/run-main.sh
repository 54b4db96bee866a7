#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The README's main command: installs what is missing, builds everything,
# runs every example program, fetches the guest artifacts and boots the
# default guest on cvmm, showing its console.
#  - With hardware virtualization (vmx/svm): Debian's cloud kernel (ELF via
#    PVH), the busybox initramfs and a virtio-blk disk, to the initramfs's
#    marker, the disk read-back and a clean reset.
#  - On kvm-pvm: one sentence on why Linux cannot boot there, then the
#    guest kit's demo program (a greeting, a file read from the disk, reset).
# Safe to run again: the build and the downloads are reused.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
bash tests/install-deps.sh
if [ -f build/build.ninja ]; then
  meson setup --reconfigure build -Dtests=enabled >/dev/null
else
  meson setup build -Dtests=enabled >/dev/null
fi
ninja -C build
meson test -C build --no-rebuild --suite examples --verbose

cvmm=build/vmm/cvmm
echo
echo "== cvmm: $($cvmm --version | head -n1)"
if [ ! -w /dev/kvm ]; then
  echo "cvmm needs /dev/kvm to boot a guest, and this host has none; stopping here."
  exit 0
fi
if grep -qwE 'vmx|svm' /proc/cpuinfo; then
  echo "== booting Debian's cloud kernel (ELF via PVH) with a busybox initramfs and a virtio-blk disk"
  eval "$(bash tests/artifacts/fetch-debian-kernel.sh cloud | sed 's/^\([a-z]*\)-\([a-z]*\)=/\1_\2=/; s/=\(.*\)$/="\1"/')"
  initrd=$(bash tests/linux/make-initramfs.sh "$cloud_modules" \
    "${CVMM_CACHE:-$HOME/.cache/cvmm}/initramfs/$cloud_version.cpio.gz" | tail -n1)
  disk=$(mktemp --suffix=.img)
  trap 'rm -f "$disk"' EXIT
  printf 'cvmm-disk-readback-0123456789ab' >"$disk"
  truncate -s 16M "$disk"
  exec "$cvmm" --memory size_mib=512 --vcpu num=2 \
    --kernel path="$cloud_vmlinux",cmdline="\"console=ttyS0 reboot=k panic=1\"" \
    --initramfs path="$initrd" --block path="$disk" --platform virtio_cmdline=off
fi
echo "== This host's /dev/kvm is kvm-pvm, whose SYSCALL path lands at CPL3, so no Linux" \
     "userspace can run here (DESIGN §4); booting the guest kit's demo program instead."
exec bash tests/integration/run-demo "$cvmm" build/tests/integration/gk-demo
