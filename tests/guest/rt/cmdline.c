// SPDX-License-Identifier: MIT
/*
 * The command line from the PVH start info (struct hvm_start_info, Xen
 * public/arch-x86/hvm/start_info.h: magic 0x336ec578, cmdline_paddr at
 * offset 24) and the virtio-mmio devices on it, in the form Linux's
 * virtio_mmio driver parses without ACPI:
 * virtio_mmio.device=<size>@<baseaddr>:<irq>[:<id>] (size with K/M/G).
 * The start info is VMM-written input: the magic is checked and the copy is
 * bounded.
 */
#include "gk.h"

#define HVM_START_MAGIC 0x336ec578u
#define CMDLINE_MAX 2048

struct hvm_start_info {
	uint32_t magic, version, flags, nr_modules;
	uint64_t modlist_paddr, cmdline_paddr, rsdp_paddr;
};

static char cmdline[CMDLINE_MAX];
static bool loaded;

const char *gk_cmdline(void)
{
	const struct hvm_start_info *si;
	const char *src;

	if (loaded)
		return cmdline;
	loaded = true;
	if (!gk_start_info_pa)
		return cmdline;
	si = (const struct hvm_start_info *)(uintptr_t)gk_start_info_pa;
	if (si->magic != HVM_START_MAGIC || !si->cmdline_paddr ||
	    si->cmdline_paddr >= (1ull << 32))
		return cmdline;
	src = (const char *)(uintptr_t)si->cmdline_paddr;
	for (size_t i = 0; i + 1 < sizeof(cmdline) && src[i]; i++)
		cmdline[i] = src[i];
	return cmdline;
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n';
}

/* Walks the words; returns the value of the first word "key=...", from *pos. */
/* (The parsers take the string so the kit program can test them directly.) */
static const char *find_from(const char *key, size_t *len, const char **pos)
{
	size_t klen = strlen(key);
	const char *p = *pos;

	while (*p) {
		const char *w;

		while (is_space(*p))
			p++;
		w = p;
		while (*p && !is_space(*p))
			p++;
		if ((size_t)(p - w) > klen && !strncmp(w, key, klen) &&
		    w[klen] == '=') {
			*len = (size_t)(p - w) - klen - 1;
			*pos = p;
			return w + klen + 1;
		}
	}
	*pos = p;
	return NULL;
}

const char *gk_cmdline_get(const char *key, size_t *len)
{
	const char *pos = gk_cmdline();
	size_t l;
	const char *v = find_from(key, &l, &pos);

	if (v && len)
		*len = l;
	return v;
}

uint64_t gk_cmdline_u64(const char *key, uint64_t dflt)
{
	const char *v = gk_cmdline_get(key, NULL);

	return v ? gk_memparse(v, NULL) : dflt;
}

/* "aa:bb:cc:dd:ee:ff" exactly, hex digits of either case: the kit's net
 * programs take their MACs from the command line the host test wrote. */
bool gk_parse_mac(const char *s, size_t len, uint8_t out[6])
{
	if (!s || len != 17)
		return false;
	for (unsigned i = 0; i < 6; i++) {
		int hi = gk_digit_value(s[3 * i]), lo = gk_digit_value(s[3 * i + 1]);

		if (hi > 15 || lo > 15 || (i < 5 && s[3 * i + 2] != ':'))
			return false;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return true;
}

bool gk_cmdline_mac(const char *key, uint8_t out[6])
{
	size_t len = 0;
	const char *s = gk_cmdline_get(key, &len);

	return gk_parse_mac(s, len, out);
}

unsigned gk_virtio_mmio_devices(struct gk_mmio_dev *out, unsigned max)
{
	return gk_parse_mmio_devices(gk_cmdline(), out, max);
}

unsigned gk_parse_mmio_devices(const char *line, struct gk_mmio_dev *out,
			       unsigned max)
{
	const char *pos = line;
	unsigned n = 0;
	size_t len;
	const char *v;

	while (n < max && (v = find_from("virtio_mmio.device", &len, &pos))) {
		const char *p = v, *end = v + len;
		struct gk_mmio_dev d;

		d.size = gk_memparse(p, &p);
		if (p >= end || *p++ != '@')
			continue;
		d.base = gk_memparse(p, &p);
		if (p >= end || *p++ != ':')
			continue;
		d.irq = (unsigned)gk_memparse(p, &p);
		/* An optional ":<id>" may follow; anything else is malformed. */
		if (p < end && *p != ':')
			continue;
		if (!d.size || !d.base || d.base + d.size < d.base)
			continue;
		out[n++] = d;
	}
	return n;
}
