#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Checks that the tree stands alone: no text cites a design document that
is not in the repository (its notes moved into docs/, issue 12 §5g).

Reads every text file under SRCROOT except build and VCS folders, and fails
listing each line that names the absent document.
Usage: check-standalone.py SRCROOT
"""
import os
import re
import sys

ABSENT = re.compile(r"\bDESIGN(\.md\b|\s*§)")
SKIP_DIRS = {".git", "corpus", "target", "__pycache__"}
TEXT_EXT = {".c", ".h", ".md", ".py", ".sh", ".build", ".txt", ".yaml", ".json", ".ld", ""}


def is_build_dir(path):
    return os.path.isfile(os.path.join(path, "build.ninja")) or \
        os.path.isdir(os.path.join(path, "meson-private"))


def hits(root):
    for d, dirs, files in os.walk(root):
        dirs[:] = [x for x in dirs if x not in SKIP_DIRS
                   and not is_build_dir(os.path.join(d, x))]
        for name in files:
            path = os.path.join(d, name)
            if os.path.splitext(name)[1] not in TEXT_EXT or path == os.path.abspath(__file__):
                continue
            try:
                with open(path, encoding="utf-8") as f:
                    lines = f.readlines()
            except (UnicodeDecodeError, OSError):
                continue
            for n, line in enumerate(lines, 1):
                if ABSENT.search(line):
                    yield f"{os.path.relpath(path, root)}:{n}: {line.strip()}"


def main():
    found = list(hits(os.path.abspath(sys.argv[1])))
    for h in found:
        print(h)
    print(f"check-standalone: {len(found)} citation(s) of a document outside the repository")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
