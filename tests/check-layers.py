#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Checks the dependency layers of docs/architecture.md on the source tree.

A library may include the public headers of the libraries below it only,
and some libraries may not know about KVM, epoll or guest memory at all.
Usage: check-layers.py SRCROOT
"""
import os
import re
import sys

# header directory -> library directory
HEADER_OWNER = {
    'vmmem': 'libvmmem', 'superio': 'libsuperio', 'evmgr': 'libevmgr',
    'kvmwrap': 'libkvmwrap', 'virtq': 'libvirtio-queue',
    'vblk': 'libvirtio-blk', 'loader': 'libloader', 'vmm': 'vmm',
    'vsock': 'libvirtio-vsock',
    'rlim': 'libratelimit', 'vnet': 'libvirtio-net',
}
# library directory -> project libraries it may include
ALLOWED = {
    'libvmmem': set(),
    'libsuperio': set(),
    'libevmgr': set(),
    'libkvmwrap': set(),
    'libratelimit': set(),
    'libvirtio-queue': {'libvmmem'},
    'libvirtio-blk': {'libvirtio-queue', 'libvmmem', 'libratelimit'},
    'libvirtio-vsock': {'libvirtio-queue', 'libvmmem'},
    'libloader': {'libvmmem'},
    'libvirtio-net': {'libvirtio-queue', 'libvmmem', 'libratelimit'},
    'vmm': set(HEADER_OWNER.values()) - {'vmm'},
}
# system headers that would break a library's independence
FORBIDDEN_SYSTEM = {
    'libsuperio': ('linux/kvm.h', 'sys/epoll.h'),
    'libvirtio-queue': ('linux/kvm.h', 'sys/epoll.h'),
    'libvirtio-blk': ('linux/kvm.h', 'sys/epoll.h'),
    'libvirtio-vsock': ('linux/kvm.h', 'sys/epoll.h'),
    'libvmmem': ('linux/kvm.h', 'sys/epoll.h'),
    'libloader': ('linux/kvm.h', 'sys/epoll.h'),
    'libevmgr': ('linux/kvm.h',),
    'libratelimit': ('linux/kvm.h', 'sys/epoll.h'),
    'libvirtio-net': ('linux/kvm.h', 'sys/epoll.h'),
}
INCLUDE = re.compile(r'^\s*#\s*include\s*<([^>]+)>')


def sources(root):
    for sub in ('include', 'src'):
        for dirpath, _, files in os.walk(os.path.join(root, sub)):
            for name in files:
                if name.endswith(('.c', '.h')):
                    yield os.path.join(dirpath, name)


def check_library(srcroot, lib):
    errors = []
    for path in sources(os.path.join(srcroot, lib)):
        with open(path, encoding='utf-8') as f:
            for lineno, line in enumerate(f, 1):
                m = INCLUDE.match(line)
                if not m:
                    continue
                header = m.group(1)
                owner = HEADER_OWNER.get(header.split('/')[0])
                where = f'{os.path.relpath(path, srcroot)}:{lineno}'
                if owner and owner != lib and owner not in ALLOWED[lib]:
                    errors.append(f'{where}: {lib} may not include <{header}> ({owner})')
                if header in FORBIDDEN_SYSTEM.get(lib, ()):
                    errors.append(f'{where}: {lib} may not include <{header}>')
    return errors


def main(srcroot):
    errors = []
    for lib in ALLOWED:
        if os.path.isdir(os.path.join(srcroot, lib)):
            errors += check_library(srcroot, lib)
            print(f'{lib}: layers checked')
    for e in errors:
        print(e)
    return 1 if errors else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1]))
