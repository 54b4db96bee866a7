#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Checks that guest-kit programs contain none of the instructions kvm-pvm's
ring-0 emulator rejects (docs/kvm-pvm.md): int3 / int n, fwait, clac,
popcnt, cmpxchg16b, xrstor (and the xsave family).  Usage:
check-insns.py OBJDUMP ELF...   Exit 1 and list the hits when any is found."""
import re
import subprocess
import sys

FORBIDDEN = re.compile(
    r"\t(int3|int|into|fwait|wait|clac|stac|popcnt|cmpxchg16b|"
    r"xrstors?|xrstor64|xsave\w*)\b")


def main():
    objdump, elfs = sys.argv[1], sys.argv[2:]
    bad = 0
    for elf in elfs:
        out = subprocess.run([objdump, "-d", "--no-show-raw-insn", elf],
                             check=True, capture_output=True, text=True).stdout
        for line in out.splitlines():
            if FORBIDDEN.search(line):
                print(f"{elf}: {line.strip()}")
                bad += 1
    print(f"check-insns: {len(elfs)} programs, {bad} forbidden instructions")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
