#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Names the kernel functions at offsets from _text, as an L1 hang report
gives them (docs/testing.md, "Failures, timeouts and retries").  Runs in an
L1 booted from the same kernel, where /proc/kallsyms has the addresses:

    tests/nested/run-nested --cmd 'python3 tests/nested/l1-symbol.py 0xa5a170'

prints `0xa5a170 native_queued_spin_lock_slowpath+0x30` for each offset."""
import bisect
import sys


def text_symbols(kallsyms):
    """(sorted addresses, their names, _text's address) of the text symbols."""
    syms, text = [], None
    with open(kallsyms) as f:
        for line in f:
            fields = line.split()
            if len(fields) < 3 or fields[1] not in "tT":
                continue
            addr = int(fields[0], 16)
            syms.append((addr, fields[2]))
            if fields[2] == "_text":
                text = addr
    syms.sort()
    return [a for a, _ in syms], [n for _, n in syms], text


def name_offset(addrs, names, text, offset):
    """'symbol+0x..' for the instruction at _text + offset, or None."""
    i = bisect.bisect_right(addrs, text + offset) - 1
    if i < 0:
        return None
    return f"{names[i]}+{text + offset - addrs[i]:#x}"


def main(argv, kallsyms="/proc/kallsyms"):
    addrs, names, text = text_symbols(kallsyms)
    if not text:
        print("l1-symbol: no _text address in kallsyms (run as root, in L1)", file=sys.stderr)
        return 1
    for arg in argv:
        offset = int(arg, 16)
        print(f"{offset:#x} {name_offset(addrs, names, text, offset) or '?'}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
