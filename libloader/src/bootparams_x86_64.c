// SPDX-License-Identifier: MIT
// The zero page for the 32/64-bit boot protocols (boot.rst "32-bit boot
// protocol" / "64-bit boot protocol", zero-page.rst).  A bzImage's own
// setup header is copied in first, as the protocol asks; an ELF kernel has
// none, so the fields a bzImage would carry are synthesised (HdrS magic,
// boot_flag, a protocol version recent enough for the kernel to read
// acpi_rsdp_addr, 2.14+).  Then the loader-owned fields are filled.  The
// page is built on the host with <asm/bootparam.h> and written in one
// checked copy.
#include <asm/bootparam.h>
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include <vmmem/access.h>

#include <loader/bootparams.h>
#include <loader/bzimage.h>

_Static_assert(sizeof(struct boot_params) == 4096, "zero page is one page");
_Static_assert(LOADER_SETUP_HEADER_MAX == sizeof(struct setup_header),
	       "kept header bytes match struct setup_header");
_Static_assert(offsetof(struct boot_params, hdr) == 0x1f1, "boot.rst offset");
_Static_assert(LOADER_E820_MAX == E820_MAX_ENTRIES_ZEROPAGE, "zero page E820 size");

#define HDRS_MAGIC 0x53726448u /* "HdrS" */
#define BP_4G 0x100000000ull

static void synth_header(struct setup_header *h)
{
	h->boot_flag = 0xaa55;
	h->header = HDRS_MAGIC;
	h->version = LOADER_BOOT_PROTOCOL_VERSION;
	h->loadflags = LOADED_HIGH;
	h->kernel_alignment = 0x1000000;
}

static int fill(struct boot_params *bp, const struct loader_boot_params_cfg *cfg)
{
	const struct loader_kernel *k = cfg->kernel;
	struct setup_header *h = &bp->hdr;

	if (k->format == LOADER_FORMAT_BZIMAGE) {
		memcpy(h, k->bz.header, k->bz.header_len);
		/* Linux decompresses at the load address rounded up to
		 * this: it must be an alignment the address has. */
		if (k->load_alignment)
			h->kernel_alignment = k->load_alignment;
	} else {
		synth_header(h);
	}
	h->type_of_loader = LOADER_TYPE_OF_LOADER;
	/* No real-mode setup runs: there is no heap, and the segment
	 * registers are the flat ones the 32/64-bit protocols define. */
	h->loadflags = (uint8_t)(h->loadflags & ~(CAN_USE_HEAP | KEEP_SEGMENTS));
	if (cfg->cmdline_addr) {
		/* The line and its NUL must lie below 4 GiB: the 32-bit entry
		 * has no ext_cmd_line_ptr, and the 64-bit one reads the line
		 * through the boot page tables (loader_boot_cpu_setup()),
		 * which map only the low 4 GiB. */
		if (cfg->cmdline_addr >= BP_4G ||
		    cfg->cmdline_len >= BP_4G - cfg->cmdline_addr ||
		    cfg->cmdline_len > k->cmdline_max)
			return -EINVAL;
		h->cmd_line_ptr = (uint32_t)cfg->cmdline_addr;
	}
	if (cfg->initrd_size) {
		h->ramdisk_image = (uint32_t)cfg->initrd_addr;
		h->ramdisk_size = (uint32_t)cfg->initrd_size;
		bp->ext_ramdisk_image = (uint32_t)(cfg->initrd_addr >> 32);
		bp->ext_ramdisk_size = (uint32_t)(cfg->initrd_size >> 32);
	}
	bp->acpi_rsdp_addr = cfg->rsdp_addr;
	bp->e820_entries = (uint8_t)cfg->e820->count;
	for (size_t i = 0; i < cfg->e820->count; i++) {
		bp->e820_table[i].addr = cfg->e820->entry[i].addr;
		bp->e820_table[i].size = cfg->e820->entry[i].size;
		bp->e820_table[i].type = cfg->e820->entry[i].type;
	}
	return 0;
}

int loader_boot_params_write(struct vmmem_map *map, uint64_t gpa,
			     const struct loader_boot_params_cfg *cfg)
{
	struct boot_params bp;
	int err;

	if (!map || !cfg || !cfg->kernel || !cfg->e820 ||
	    cfg->e820->count == 0 || cfg->e820->count > LOADER_E820_MAX)
		return -EINVAL;
	memset(&bp, 0, sizeof(bp));
	err = fill(&bp, cfg);
	if (!err)
		err = vmmem_write(map, gpa, &bp, sizeof(bp));
	return err;
}
