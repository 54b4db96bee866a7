/* SPDX-License-Identifier: MIT */
/*
 * The scratch-disk contract between a host runner and the virtio-blk guests
 * (documented in tests/guest/README.md; run-qemu implements the host side).
 * The host fills the disk with 64-bit little-endian words
 * GK_PAT_HOST | byte_offset and the read-only disk with GK_PAT_RO | offset.
 * The guest reads the read region, writes GK_PAT_GUEST | offset over the
 * write region, zeroes the write-zeroes region and discards the discard
 * region; the host then checks each region and that nothing else changed.
 */
#ifndef GK_DISK_LAYOUT_H
#define GK_DISK_LAYOUT_H

#define GK_SECTOR 512u
#define GK_DISK_SECTORS 16384u		/* 8 MiB scratch disk */
#define GK_RO_SECTORS 2048u		/* 1 MiB read-only disk */

#define GK_PAT_HOST 0x474b000000000000ull	/* "GK" */
#define GK_PAT_RO 0x524f000000000000ull		/* "RO" */
#define GK_PAT_GUEST 0x5752000000000000ull	/* "WR" */

#define GK_READ_FIRST 0u		/* sectors 0..4095: read only */
#define GK_READ_SECTORS 4096u
#define GK_WRITE_FIRST 8192u		/* 512 KiB the guest writes */
#define GK_WRITE_SECTORS 1024u
#define GK_WZ_FIRST 12288u		/* 128 KiB the guest zeroes */
#define GK_WZ_SECTORS 256u
#define GK_DISCARD_FIRST 14336u		/* 128 KiB discarded: unspecified */
#define GK_DISCARD_SECTORS 256u

#endif
