#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Prints what kind of KVM this host offers, as one word, then a tab and the
# reason (docs/testing.md, "Host matrix"):
#   direct   /dev/kvm on vmx/svm hardware: every suite runs here;
#   kvm-pvm  /dev/kvm from kvm-pvm, a software nested hypervisor: guest ring 0
#            is emulated and no Linux userspace can run, so the linux suite
#            also runs nested;
#   none     no usable /dev/kvm: the suites that need KVM run nested, under
#            QEMU TCG emulating SVM for an L1 Linux with kvm_amd.
set -uo pipefail
if [ ! -c /dev/kvm ]; then
	printf 'none\tthis host has no /dev/kvm\n'
elif [ ! -r /dev/kvm ] || [ ! -w /dev/kvm ]; then
	printf 'none\t/dev/kvm exists but this user cannot open it read-write\n'
elif [ -d /sys/module/kvm_pvm ] || ! grep -qwE 'vmx|svm' /proc/cpuinfo; then
	printf 'kvm-pvm\t/dev/kvm is kvm-pvm (no vmx/svm CPU flag): guest ring 0 is emulated and Linux userspace cannot run\n'
else
	printf 'direct\t/dev/kvm on %s hardware\n' "$(grep -owE -m1 'vmx|svm' /proc/cpuinfo)"
fi
