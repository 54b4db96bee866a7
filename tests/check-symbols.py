#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Checks that every global symbol a cvmm library defines carries its prefix.

Usage: check-symbols.py NM PREFIX=LIBFILE...
A user who links two of our libraries, or one of ours next to their own
code, must never meet a clash, so nothing global may live outside the
library's namespace (internal cross-file names use prefix + '_').
"""
import subprocess
import sys


def defined_globals(nm, lib):
    out = subprocess.run([nm, '-g', '--defined-only', lib], check=True,
                         capture_output=True, text=True).stdout
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 3:
            yield parts[2]


def main(argv):
    nm, pairs = argv[0], argv[1:]
    bad = 0
    for pair in pairs:
        prefix, lib = pair.split('=', 1)
        for sym in defined_globals(nm, lib):
            if not sym.startswith(prefix):
                print(f'{lib}: {sym} lacks the prefix {prefix}')
                bad += 1
        print(f'{lib}: checked for prefix {prefix}')
    return 1 if bad else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
