/* SPDX-License-Identifier: MIT */
/*
 * CRC32C (Castagnoli, polynomial 0x1EDC6F41, reflected 0x82F63B78), the
 * checksum of every header and section of a snapshot state file
 * (docs/snapshot.md).  It is the CRC of iSCSI (RFC 3720 §B.4), of ext4 and
 * btrfs metadata, and the one x86 computes in hardware with SSE4.2's crc32
 * instruction, which vmm__crc32c() uses when the CPU has it.
 *
 * crc is the value returned for the previous piece (0 to start), so a
 * buffer may be checksummed in pieces: crc32c(crc32c(0, a), b) equals the
 * CRC of a followed by b.
 */
#ifndef VMM_CRC32C_H
#define VMM_CRC32C_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Hardware when the CPU has SSE4.2, else the table. */
uint32_t vmm__crc32c(uint32_t crc, const void *buf, size_t len);

/* Always the table (slicing by one byte). */
uint32_t vmm__crc32c_table(uint32_t crc, const void *buf, size_t len);

/* True when vmm__crc32c_hw() may be called. */
bool vmm__crc32c_hw_available(void);

/* The SSE4.2 crc32 instruction; only when vmm__crc32c_hw_available(). */
uint32_t vmm__crc32c_hw(uint32_t crc, const void *buf, size_t len);

#endif
