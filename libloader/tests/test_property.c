// SPDX-License-Identifier: MIT
// Property-style randomized tests (fixed seeds, so failures reproduce):
// mutated ELF and bzImage fixtures never load out of bounds and fail only
// with the documented errors; command lines built from random arguments
// split back, by Linux's rules, into exactly those arguments.
#include <criterion/criterion.h>
#include <errno.h>

#include <loader/loader.h>

#include "fixtures.h"

#define RAM 0x4000000u

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint64_t next(void)
{
	/* xorshift64*: deterministic and good enough to pick bytes */
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return rng * 0x2545f4914f6cdd1dull;
}

static void mutate(uint8_t *img, size_t size, size_t header)
{
	unsigned int n = 1 + (unsigned int)(next() % 4);

	for (unsigned int i = 0; i < n; i++) {
		size_t at = (size_t)(next() % header);

		img[at] = next() % 3 ? (uint8_t)next() : (uint8_t)(img[at] ^ (1u << (next() % 8)));
	}
	(void)size;
}

static void check_kernel(int err, const struct loader_kernel *k)
{
	if (err == -EADDRINUSE) {
		/* The refusal names a real collision with the boot area. */
		cr_assert_not_null(k->overlap.area);
		cr_assert_lt(k->overlap.start, LOADER_BOOT_AREA_END);
		cr_assert_gt(k->overlap.end, k->overlap.start);
		return;
	}
	if (err) {
		cr_assert(err == -ENOEXEC || err == -ENOTSUP || err == -EFAULT || err == -EINVAL,
			  "unexpected error %d", err);
		return;
	}
	/* Nothing a load accepts lands on the boot structures. */
	cr_assert_geq(k->load_addr, LOADER_BOOT_AREA_END);
	cr_assert_lt(k->load_addr, k->load_end);
	cr_assert_leq(k->load_end, RAM);
	if (k->has_entry64 && k->format == LOADER_FORMAT_ELF)
		cr_assert(k->entry >= k->load_addr && k->entry < k->load_end);
	if (k->has_pvh)
		cr_assert(k->pvh_entry >= k->load_addr && k->pvh_entry < k->load_end);
}

Test(property, mutated_elf_images)
{
	struct vmmem_map *map = fx_map(RAM, 0);
	uint8_t *orig = fx_elf(), *img = malloc(FX_ELF_SIZE);
	struct loader_kernel k;
	unsigned int ok = 0;

	for (int i = 0; i < 20000; i++) {
		memcpy(img, orig, FX_ELF_SIZE);
		/* headers, program headers and notes: everything a loader parses */
		mutate(img, FX_ELF_SIZE, FX_SEG0_OFF);
		int err = loader_elf_load(map, img, FX_ELF_SIZE, NULL, &k);

		check_kernel(err, &k);
		ok += err == 0;
	}
	cr_assert_gt(ok, 0, "some mutations must still load");
	free(img);
	free(orig);
	vmmem_map_free(map);
}

Test(property, mutated_bzimages)
{
	struct vmmem_map *map = fx_map(RAM, 0);
	uint8_t *orig = fx_bzimage(), *img = malloc(FX_BZ_SIZE);
	struct loader_kernel k;
	unsigned int ok = 0;

	for (int i = 0; i < 20000; i++) {
		memcpy(img, orig, FX_BZ_SIZE);
		mutate(img, FX_BZ_SIZE, FX_BZ_SETUP_SIZE);
		int err = loader_bzimage_load(map, img, FX_BZ_SIZE, NULL, &k);

		check_kernel(err, &k);
		if (!err) {
			cr_assert_leq(k.bz.setup_size + k.bz.kernel_size, FX_BZ_SIZE);
			if (k.bz.relocatable) {
				cr_assert_eq(k.load_addr % k.bz.kernel_alignment, 0);
				cr_assert_geq(k.load_addr, k.bz.pref_address);
			}
			ok++;
		}
	}
	cr_assert_gt(ok, 0);
	free(img);
	free(orig);
	vmmem_map_free(map);
}

/* Linux's split (lib/cmdline.c next_arg): whitespace outside quotes
 * separates; the words are compared with their quotes kept. */
static size_t split(const char *s, char words[][64], size_t max, size_t *init_at)
{
	size_t n = 0;
	bool quoted = false;

	*init_at = SIZE_MAX;
	while (*s) {
		size_t len = 0;

		while (*s == ' ')
			s++;
		if (!*s)
			break;
		for (; *s && (quoted || *s != ' '); s++) {
			if (*s == '"')
				quoted = !quoted;
			cr_assert_lt(len, 63);
			words[n][len++] = *s;
		}
		words[n][len] = 0;
		if (*init_at == SIZE_MAX && !strcmp(words[n], "--")) {
			*init_at = n;
			continue;
		}
		cr_assert_lt(++n, max);
	}
	return n;
}

static void random_word(char *w, bool allow_space)
{
	static const char chars[] = "abcXYZ019_.,:=-/@";
	size_t len = 1 + next() % 12, i = 0;
	bool quote = allow_space && next() % 4 == 0;

	if (quote)
		w[i++] = '"';
	for (size_t j = 0; j < len; j++)
		w[i++] = quote && j && j + 1 < len && next() % 3 == 0 ? ' '
						: chars[next() % (sizeof(chars) - 1)];
	if (quote)
		w[i++] = '"';
	w[i] = 0;
	/* "--" in any quoting is the init separator, not an argument. */
	if (len == 2 && w[quote] == '-' && w[quote + 1] == '-')
		w[quote] = 'a';
}

Test(property, cmdline_round_trips_through_linux_splitting)
{
	static char buf[2048], want[64][64], got[64][64];

	for (int round = 0; round < 2000; round++) {
		struct loader_cmdline c;
		size_t nk = next() % 20, ni = next() % 6, init_at, n;
		size_t order[64];

		loader_cmdline_init(&c, buf, sizeof(buf));
		/* Interleave kernel and init arguments in a random order. */
		for (size_t i = 0; i < nk + ni; i++)
			order[i] = i;
		for (size_t i = nk + ni; i > 1; i--) {
			size_t j = next() % i, t = order[i - 1];

			order[i - 1] = order[j];
			order[j] = t;
		}
		for (size_t i = 0; i < nk + ni; i++) {
			random_word(want[order[i]], true);
			if (order[i] < nk)
				cr_assert_eq(loader_cmdline_add(&c, want[order[i]]), 0);
			else
				cr_assert_eq(loader_cmdline_add_init_arg(&c, want[order[i]]), 0);
		}
		/* Kernel words keep their relative order, as do init words. */
		n = split(loader_cmdline_str(&c), got, 64, &init_at);
		cr_assert_eq(n, nk + ni, "line '%s'", buf);
		cr_assert_eq(init_at, ni ? nk : SIZE_MAX, "line '%s'", buf);
		size_t gk = 0, gi = nk;

		for (size_t i = 0; i < nk + ni; i++) {
			size_t slot = order[i] < nk ? gk++ : gi++;

			cr_assert_str_eq(got[slot], want[order[i]], "line '%s'", buf);
		}
	}
}
