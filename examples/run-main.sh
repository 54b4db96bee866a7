#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The README's main command: installs what is missing, builds everything,
# runs every example program, fetches the guest artifacts and boots the
# default guest on cvmm, showing its console.
#  - The guest is Debian's cloud kernel (ELF via PVH), the busybox initramfs
#    and a virtio-blk disk, up to the initramfs's marker, the disk read-back
#    and a clean reset (examples/boot-linux.sh).
#  - With hardware virtualization (vmx/svm) cvmm runs here.  Without usable
#    KVM, or on kvm-pvm (where no Linux userspace can run), one line says so
#    and cvmm runs inside the nested harness's L1 Linux under QEMU TCG
#    (tests/nested/run-nested, docs/testing.md).
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
IFS=$'\t' read -r host host_why < <(bash tests/host-kind.sh)
if [ "$host" = none ]; then
  # Examples that need KVM (suite 'kvm') run nested in the test command.
  echo "== examples: $host_why, so the ones that need KVM run nested in tests/run-all.sh"
  meson test -C build --no-rebuild --suite examples --no-suite kvm --verbose
else
  meson test -C build --no-rebuild --suite examples --verbose
fi

cvmm=build/vmm/cvmm
echo
echo "== cvmm: $($cvmm --version | head -n1)"
if [ "$host" = direct ]; then
  echo "== booting Debian's cloud kernel (ELF via PVH) with a busybox initramfs and a virtio-blk disk"
  exec bash examples/boot-linux.sh build
fi
echo "== $host_why, so cvmm boots Debian's cloud kernel inside an L1 Linux that QEMU runs under software emulation (TCG, emulated SVM), which gives L1 a real /dev/kvm; expect a minute or two."
exec python3 tests/nested/run-nested --build build --cmd "bash examples/boot-linux.sh build"
