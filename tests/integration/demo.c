// SPDX-License-Identifier: MIT
/*
 * The demo guest the README's main command boots on hosts where Linux
 * cannot run (kvm-pvm): a greeting, then one file read from the virtio-blk
 * disk, then the i8042 reset that ends the VM with exit code 0.
 *
 * The disk is a POSIX ustar archive (POSIX.1-2008, pax "ustar Interchange
 * Format"): 512-byte headers holding the name at offset 0, the size in
 * octal at offset 124 and "ustar" at offset 257, each followed by the file
 * data rounded up to 512 bytes.  The guest walks it with the guest kit's
 * virtio-blk driver and prints the file named by demo.file= (hello.txt).
 * Everything read from the disk is treated as untrusted: sizes are bounded.
 *
 * demo.end= picks another way to stop, so that tests can drive every
 * shutdown path of cvmm: poweroff (ACPI S5 through the FADT's sleep
 * control port), triple-fault, panic (Linux's panic line, then spinning),
 * hang-cli (interrupts off, halted: nothing can wake it) and hang-sti
 * (halted with interrupts on: only a signal to cvmm ends it); and
 * "assists" runs each instruction kvm-pvm's emulator rejects at CPL0 and
 * cvmm completes (int3, int $0x41, fwait, ldmxcsr, stmxcsr, fninit), checks
 * the results, then checks the faults hardware raises for LDMXCSR and
 * FNINIT with SSE/x87 disabled in CR0/CR4 (#UD, #NM), which cvmm's assists
 * must raise the same way, then resets.
 */
#include "virtio.h"

const char gk_program_name[] = "demo";

#define TAR_BLOCK 512u
#define DEMO_MAX_FILE 4096u
#define DEMO_MAX_HEADERS 64u

static struct gk_vring_mem mem;
static struct gk_vdev dev;
static uint8_t hdr[TAR_BLOCK] GK_ALIGNED(512);
static char data[DEMO_MAX_FILE + TAR_BLOCK] GK_ALIGNED(512);

/* An octal field of a ustar header; false on anything but digits/space/NUL. */
static bool octal(const uint8_t *f, unsigned len, uint64_t *out)
{
	uint64_t v = 0;

	for (unsigned i = 0; i < len && f[i] && f[i] != ' '; i++) {
		if (f[i] < '0' || f[i] > '7' || v >> 60)
			return false;
		v = v * 8 + (uint64_t)(f[i] - '0');
	}
	*out = v;
	return true;
}

static bool read_blocks(uint64_t block, void *buf, uint32_t len)
{
	static const struct gk_blkmode m = { false, false };

	return gk_blk_sync(&dev, VIRTIO_BLK_T_IN, block, buf, len, &m) == 0;
}

static void show_file(const char *want)
{
	uint64_t block = 0, size;
	size_t wlen = strlen(want);

	for (unsigned n = 0; n < DEMO_MAX_HEADERS; n++) {
		if (!read_blocks(block, hdr, TAR_BLOCK) || hdr[0] == 0)
			break;
		if (memcmp(hdr + 257, "ustar", 5) != 0 || !octal(hdr + 124, 12, &size)) {
			gk_report("demo.read-file", GK_FAIL, "block %lu is no ustar header", block);
			return;
		}
		if (wlen < 100 && memcmp(hdr, want, wlen + 1) == 0) {
			uint32_t len = size > DEMO_MAX_FILE ? DEMO_MAX_FILE : (uint32_t)size;
			uint32_t rounded = (len + TAR_BLOCK - 1) / TAR_BLOCK * TAR_BLOCK;

			if (rounded && !read_blocks(block + 1, data, rounded)) {
				gk_report("demo.read-file", GK_FAIL, "reading %s failed", want);
				return;
			}
			data[len] = '\0';
			gk_printf("--- %s (%lu bytes, read from the virtio-blk disk) ---\n%s"
				  "--- end of %s ---\n", want, size, data, want);
			gk_report("demo.read-file", GK_PASS, "%s: %lu bytes", want, size);
			return;
		}
		block += 1 + (size + TAR_BLOCK - 1) / TAR_BLOCK;
	}
	gk_report("demo.read-file", GK_FAIL, "%s not found on the disk", want);
}

static bool end_is(const char *mode)
{
	size_t len = 0;
	const char *v = gk_cmdline_get("demo.end", &len);

	return v && len == strlen(mode) && memcmp(v, mode, len) == 0;
}

/* The vector LDMXCSR / FNINIT raise under the current CR0/CR4, or ~0. */
static uint64_t ldmxcsr_fault(uint32_t v)
{
	gk_fault_vec = ~0ull;
	__asm__ volatile("leaq 1f(%%rip), %%rax; movq %%rax, %0; ldmxcsr %1; 1:"
			 : "=m"(gk_fault_resume) : "m"(v) : "rax", "memory");
	gk_fault_resume = 0;
	return gk_fault_vec;
}

static uint64_t fninit_fault(void)
{
	gk_fault_vec = ~0ull;
	__asm__ volatile("leaq 1f(%%rip), %%rax; movq %%rax, %0; fninit; 1:"
			 : "=m"(gk_fault_resume) : : "rax", "memory");
	gk_fault_resume = 0;
	return gk_fault_vec;
}

/* LDMXCSR and FNINIT under one CR0/CR4 setting; CR0/CR4 restored after. */
static void faults_with(const char *what, uint64_t cr0, uint64_t cr4, uint64_t want_ld,
			uint64_t want_fn)
{
	uint64_t cr0_was = gk_read_cr0(), cr4_was = gk_read_cr4(), ld, fn;
	char name[48];

	gk_write_cr4(cr4);
	gk_write_cr0(cr0);
	ld = ldmxcsr_fault(0x1f80);
	fn = fninit_fault();
	gk_write_cr0(cr0_was);
	gk_write_cr4(cr4_was);
	gk_snprintf(name, sizeof(name), "demo.ldmxcsr-%s", what);
	gk_check(name, ld == want_ld, "vector %ld, want %ld", (long)ld, (long)want_ld);
	gk_snprintf(name, sizeof(name), "demo.fninit-%s", what);
	gk_check(name, fn == want_fn, "vector %ld, want %ld", (long)fn, (long)want_fn);
}

/* SDM vol. 2 (LDMXCSR, FINIT/FNINIT exceptions), vol. 3 table 2-2:
 * without OSFXSR or with EM, SSE raises #UD; with TS, #NM; x87 ignores
 * OSFXSR and raises #NM for EM or TS.  ~0 = no fault. */
static void check_fpu_faults(void)
{
	uint64_t cr0 = gk_read_cr0(), cr4 = gk_read_cr4();

	gk_check("demo.sse-enabled",
		 (cr4 & GK_CR4_OSFXSR) && (cr4 & GK_CR4_OSXMMEXCPT) &&
		 !(cr0 & (GK_CR0_EM | GK_CR0_TS)) && (cr0 & GK_CR0_MP),
		 "cr0=0x%lx cr4=0x%lx", cr0, cr4);
	faults_with("without-osfxsr", cr0, cr4 & ~GK_CR4_OSFXSR, 6, ~0ull);
	faults_with("with-ts", cr0 | GK_CR0_TS, cr4, 7, 7);
	faults_with("with-em", cr0 | GK_CR0_EM, cr4, 6, 7);
	faults_with("enabled", cr0, cr4, ~0ull, ~0ull);
}

/* Each instruction once; on hardware KVM they simply run natively. */
static void run_assisted_instructions(void)
{
	uint32_t mxcsr_in = 0x1f80 | 0x8000, mxcsr_out = 0;	/* FTZ set */

	gk_fault_vec = ~0ull;
	__asm__ volatile("leaq 1f(%%rip), %%rax; movq %%rax, %0; int3; 1:"
			 : "=m"(gk_fault_resume) : : "rax", "memory");
	gk_check("demo.int3", gk_fault_vec == 3, "breakpoint delivered as vector %lu",
		 gk_fault_vec);
	__asm__ volatile("int $0x41" : : : "memory");	/* no handler: EOI only */
	gk_check("demo.int-n", true, "int $0x41 returned");
	__asm__ volatile("fwait");
	__asm__ volatile("ldmxcsr %1; stmxcsr %0" : "=m"(mxcsr_out) : "m"(mxcsr_in));
	gk_check("demo.mxcsr", mxcsr_out == mxcsr_in, "stmxcsr after ldmxcsr 0x%x: 0x%x",
		 mxcsr_in, mxcsr_out);
	mxcsr_in = 0x1f80;
	__asm__ volatile("ldmxcsr %0; fninit" : : "m"(mxcsr_in));
	gk_check("demo.fninit", true, "fninit returned");
	check_fpu_faults();
}

/* The stops other than the default reset; returns only for the default. */
static void demo_end(void)
{
	static const struct { uint16_t limit; uint64_t base; } __attribute__((packed))
		no_idt = { 0, 0 };

	if (end_is("poweroff")) {
		gk_printf("demo: ACPI poweroff (SLP_TYP 5 | SLP_EN to port 0x3c0)\n");
		gk_outb(0x3c0, (5u << 2) | 0x20u);
	} else if (end_is("triple-fault")) {
		gk_printf("demo: triple fault (empty IDT, then ud2)\n");
		gk_cli();
		__asm__ volatile("lidt %0; ud2" : : "m"(no_idt));
	} else if (end_is("panic")) {
		gk_printf("Kernel panic - not syncing: demo guest asked to panic\n");
		gk_sti();
		for (;;)
			gk_pause();
	} else if (end_is("hang-cli")) {
		gk_printf("demo: halting with interrupts off\n");
		for (;;)
			__asm__ volatile("cli; hlt");
	} else if (end_is("assists")) {
		run_assisted_instructions();
		return;
	} else if (end_is("hang-sti")) {
		gk_printf("demo: halting with interrupts on\n");
		for (;;)
			__asm__ volatile("sti; hlt");
	} else {
		return;
	}
	for (;;)
		__asm__ volatile("cli; hlt");
}

void gk_main(void)
{
	size_t len = 0;
	const char *arg = gk_cmdline_get("demo.file", &len);
	char name[100] = "hello.txt";

	gk_printf("\nHello from a cvmm guest! This program runs at CPL0 in a KVM "
		  "virtual machine, talking to cvmm's 16550A, virtio-blk and i8042.\n");
	if (arg && len > 0 && len < sizeof(name)) {
		memcpy(name, arg, len);
		name[len] = '\0';
	}
	if (gk_vdev_find(&dev, 2, 0) ||
	    gk_vdev_init(&dev, gk_blk_wanted_features(), &mem, 0, NULL)) {
		gk_report("demo.disk", GK_FAIL, "no usable virtio-blk device "
			  "(virtio_mmio.device= on the command line?)");
		return;
	}
	gk_vq_want_irq(&dev.vq, false);
	show_file(name);
	demo_end();
	gk_printf("The guest now resets the machine through the i8042; cvmm exits 0.\n");
}
