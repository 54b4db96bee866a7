#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# Regenerates the fuzz seed corpora from Debian's real kernels (fetched by
# tests/artifacts/fetch-debian-kernel.sh): each seed keeps a kernel's real
# headers (setup header, ELF header, program headers, Xen notes) and only
# shrinks the bulk so libFuzzer starts from genuine layouts.
# Usage: make-corpus.py FETCH_SCRIPT OUT_DIR
import os, struct, subprocess, sys

fetch, out = sys.argv[1], sys.argv[2]
paths = dict(l.split('=', 1) for l in subprocess.check_output([fetch, 'all'], text=True).split())

def bz_seed(path, name):
    img = open(path, 'rb').read()
    sects = img[0x1f1] or 4
    setup = (sects + 1) * 512
    open(f'{out}/bzimage/{name}-header', 'wb').write(img[:setup + 0x100])
    hdr = bytearray(img[:1024])
    hdr[0x1f1] = 1
    struct.pack_into('<I', hdr, 0x1f4, 0x1000 // 16)
    off = struct.unpack_from('<I', hdr, 0x248)[0]
    struct.pack_into('<I', hdr, 0x24c, 0x1000 - off)
    open(f'{out}/bzimage/{name}-small', 'wb').write(bytes(hdr) + img[setup:setup + 0x1000])

def elf_seed(path, name):
    img = open(path, 'rb').read()
    phoff, = struct.unpack_from('<Q', img, 0x20)
    phnum, = struct.unpack_from('<H', img, 0x38)
    head = bytearray(img[:phoff + phnum * 56])
    blobs, pos = [], (len(head) + 0xfff) & ~0xfff
    for i in range(phnum):
        p = phoff + i * 56
        typ, _, offset, _, _, filesz = struct.unpack_from('<IIQQQQ', head, p)
        keep = min(filesz, 0x1000 if typ == 1 else filesz)
        blobs.append((pos, img[offset:offset + keep]))
        struct.pack_into('<Q', head, p + 8, pos)
        struct.pack_into('<Q', head, p + 32, keep)
        struct.pack_into('<Q', head, p + 40, keep)
        pos = (pos + keep + 0xfff) & ~0xfff
    struct.pack_into('<QHH', head, 0x28, 0, 0, 0)  # drop section headers
    struct.pack_into('<H', head, 0x3c, 0)
    struct.pack_into('<H', head, 0x3e, 0)
    data = bytearray(pos)
    data[:len(head)] = head
    for at, b in blobs:
        data[at:at + len(b)] = b
    open(f'{out}/elf/{name}', 'wb').write(bytes(data))

def boot_area_seeds(out):
    """Issue 13: images that overlap the boot area below 1 MiB, which the
    loaders must refuse with -EADDRINUSE: the first PT_LOAD moved onto the
    zero page (0x7000), and a non-relocatable bzImage preferring 0x1000."""
    for flavour in ('cloud', 'generic'):
        elf = bytearray(open(f'{out}/elf/{flavour}', 'rb').read())
        phoff, = struct.unpack_from('<Q', elf, 0x20)
        phnum, = struct.unpack_from('<H', elf, 0x38)
        for i in range(phnum):
            p = phoff + i * 56
            if struct.unpack_from('<I', elf, p)[0] == 1:   # PT_LOAD
                struct.pack_into('<Q', elf, p + 24, 0x7000)  # p_paddr
                break
        open(f'{out}/elf/{flavour}-zero-page', 'wb').write(bytes(elf))
        bz = bytearray(open(f'{out}/bzimage/{flavour}-small', 'rb').read())
        bz[0x234] = 0                                  # relocatable_kernel
        struct.pack_into('<Q', bz, 0x258, 0x1000)      # pref_address
        open(f'{out}/bzimage/{flavour}-small-pref-0x1000', 'wb').write(bytes(bz))


for d in ('bzimage', 'elf', 'cmdline'):
    os.makedirs(f'{out}/{d}', exist_ok=True)
for flavour in ('cloud', 'generic'):
    bz_seed(paths[f'{flavour}-bzimage'], flavour)
    elf_seed(paths[f'{flavour}-vmlinux'], flavour)
lines = {
    'vmm': b'\xff\x01console=ttyS0 reboot=k panic=1 -- init\x00\x05x\x00\x03a b\x00',
    'quotes': b'\x40\x00a="b c"\x00\x02single\x00\x01k -- i "q q"\x00',
    'virtio': b'\xff\x05\x10\x00\x05\xff\xff\x00\x04panic\x00',
}
for n, b in lines.items():
    open(f'{out}/cmdline/{n}', 'wb').write(b)
boot_area_seeds(out)
