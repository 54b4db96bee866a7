// SPDX-License-Identifier: MIT
/*
 * kit suite: the runtime's own checks, so a failure elsewhere is never the
 * kit's: printf formatting, memparse and the virtio_mmio.device= parser
 * (Linux drivers/virtio/virtio_mmio.c vm_cmdline_set() syntax), the MAC
 * parser the net programs use, the string
 * functions, CPU exception delivery through the IDT with and without an
 * error code (Intel SDM vol. 3, 6.13), TSC sanity and the LAPIC timer
 * interrupt that wakes hlt.
 */
#include "gk.h"

const char gk_program_name[] = "kit";

static void test_printf(void)
{
	static const struct {
		const char *want;
		int len;
	} cases[] = {
		{ "-42|00000abc|4000000000", 23 },
		{ "18446744073709551615|  x|(null)|Z|0x1f", 38 },
	};
	/* Hidden from gcc so it does not warn about the NULL it can see. */
	const char *volatile null_str = NULL;
	char buf[64], small[4];
	int n0, n1, nt;
	bool ok;

	n0 = gk_snprintf(buf, sizeof(buf), "%d|%08lx|%u", -42, 0xabcul,
			 4000000000u);
	ok = n0 == cases[0].len && !strcmp(buf, cases[0].want);
	n1 = gk_snprintf(buf, sizeof(buf), "%lu|%3s|%s|%c|%p", UINT64_MAX, "x",
			 null_str, 'Z', (void *)0x1f);
	ok = ok && n1 == cases[1].len && !strcmp(buf, cases[1].want);
	nt = gk_snprintf(small, sizeof(small), "abcdef");
	ok = ok && nt == 6 && !strcmp(small, "abc");
	gk_check("kit.printf", ok, "lengths %d %d %d, last \"%s\", truncated \"%s\"",
		 n0, n1, nt, buf, small);
}

static void test_mac_parser(void)
{
	static const char good[] = "02:Ab:0c:dE:ff:10", *bad[] = {
		"02:ab:0c:de:ff:1", "02:ab:0c:de:ff:100", "02-ab:0c:de:ff:10",
		"02:ag:0c:de:ff:10", "02:ab:0c:de:ff:1g",
	};
	uint8_t mac[6];
	bool ok = gk_parse_mac(good, 17, mac) && mac[0] == 0x02 &&
		  mac[1] == 0xab && mac[3] == 0xde && mac[5] == 0x10;
	unsigned rejected = 0;

	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		rejected += !gk_parse_mac(bad[i], strlen(bad[i]), mac);
	gk_check("kit.mac", ok && rejected == 5,
		 "mixed-case MAC parsed; %u of 5 malformed ones rejected "
		 "(short, long, wrong separator, bad digit)", rejected);
}

static void test_parsers(void)
{
	static const char line[] =
		"console=ttyS0 virtio_mmio.device=4K@0xd0000000:5 "
		"virtio_mmio.device=0x200@0xfeb00e00:12:3 "
		"virtio_mmio.device=1M@bad virtio_mmio.device=512@0xfeb00000:x7 "
		"xvirtio_mmio.device=512@0x1000:1 virtio_mmio.device=512@0xfeb00c00:11";
	struct gk_mmio_dev d[8];
	unsigned n = gk_parse_mmio_devices(line, d, 8);
	bool ok = n == 3 && d[0].size == 4096 && d[0].base == 0xd0000000 &&
		  d[0].irq == 5 && d[1].size == 512 && d[1].base == 0xfeb00e00 &&
		  d[1].irq == 12 && d[2].base == 0xfeb00c00 && d[2].irq == 11;

	gk_check("kit.virtio-mmio-cmdline", ok,
		 "%u devices parsed (want 3 of 6 entries: bad address, bad irq "
		 "and a longer key rejected)", n);
	ok = gk_memparse("0x10", NULL) == 16 && gk_memparse("4K", NULL) == 4096 &&
	     gk_memparse("2M", NULL) == 2u << 20 &&
	     gk_memparse("1G", NULL) == 1u << 30 && gk_memparse("010", NULL) == 8;
	gk_check("kit.memparse", ok, "0x10, 4K, 2M, 1G, 010");
	test_mac_parser();
}

static void test_strings(void)
{
	char a[16] = "0123456789";
	bool ok;

	memmove(a + 2, a, 8);
	ok = !memcmp(a, "0101234567", 10);
	memmove(a, a + 2, 8);
	ok = ok && !memcmp(a, "0123456767", 10);
	memset(a, 'z', 3);
	ok = ok && !strncmp(a, "zzz3", 4) && strlen("abc") == 3 &&
	     strcmp("abc", "abd") < 0 && memcmp("b", "a", 1) > 0;
	gk_check("kit.strings", ok, "memmove both directions, memset, compares");
}

/* Each probe sets the resume point to just after the faulting instruction. */
static uint64_t fault_ud(void)
{
	gk_fault_vec = 0xffff;
	__asm__ volatile("leaq 1f(%%rip), %%rax\n\t"
			 "movq %%rax, gk_fault_resume(%%rip)\n\t"
			 "ud2\n"
			 "1:" : : : "rax", "memory");
	return gk_fault_vec;
}

static uint64_t fault_gp(void)
{
	gk_fault_vec = 0xffff;
	__asm__ volatile("leaq 1f(%%rip), %%rax\n\t"
			 "movq %%rax, gk_fault_resume(%%rip)\n\t"
			 "movabsq $0x8000000000000000, %%rax\n\t"
			 "movq (%%rax), %%rax\n"
			 "1:" : : : "rax", "memory");
	return gk_fault_vec;
}

static uint64_t fault_pf(void)
{
	gk_fault_vec = 0xffff;
	/* Only the low 4 GiB are mapped: 4 GiB + 0x123 is not present. */
	__asm__ volatile("leaq 1f(%%rip), %%rax\n\t"
			 "movq %%rax, gk_fault_resume(%%rip)\n\t"
			 "movabsq $0x100000123, %%rax\n\t"
			 "movq (%%rax), %%rax\n"
			 "1:" : : : "rax", "memory");
	return gk_fault_vec;
}

static void test_exceptions(void)
{
	uint64_t ud = fault_ud(), gp, gp_err, pf, pf_err, cr2;

	gp = fault_gp();
	gp_err = gk_fault_err;
	pf = fault_pf();
	pf_err = gk_fault_err;
	cr2 = gk_fault_cr2;
	gk_check("kit.exception-ud", ud == 6, "ud2 delivered vector %lu", ud);
	gk_check("kit.exception-gp", gp == 13 && gp_err == 0,
		 "non-canonical load: vector %lu error code 0x%lx", gp, gp_err);
	gk_check("kit.exception-pf", pf == 14 && cr2 == 0x100000123ull &&
					     !(pf_err & 1),
		 "unmapped load: vector %lu error code 0x%lx cr2 0x%lx", pf,
		 pf_err, cr2);
}

static bool ticked(void *ctx)
{
	return gk_lapic_ticks != *(unsigned *)ctx;
}

static void test_timing(void)
{
	uint64_t t0 = gk_rdtsc(), t1 = gk_rdtsc(), ns0, ns;
	unsigned start = gk_lapic_ticks;
	bool woke;

	gk_check("kit.tsc", t1 > t0 && gk_tsc_khz >= 100000 &&
				    gk_tsc_khz <= 10000000,
		 "tsc_khz %lu, consecutive reads %lu then %lu", gk_tsc_khz, t0,
		 t1);
	if (!gk_lapic_timer_ok()) {
		gk_report("kit.lapic-timer", GK_FAIL, "LAPIC timer did not count");
		return;
	}
	ns0 = gk_now_ns();
	woke = gk_wait(ticked, &start, 1000000);
	ns = gk_now_ns() - ns0;
	gk_check("kit.lapic-timer", woke, "one-shot interrupt woke hlt after "
		 "%lu us", ns / 1000);
}

void gk_main(void)
{
	test_printf();
	test_parsers();
	test_strings();
	test_exceptions();
	test_timing();
}
