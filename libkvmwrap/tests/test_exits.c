// SPDX-License-Identifier: MIT
// Exits produced by real guests on /dev/kvm and decoded by kvmw_vcpu_run():
// MMIO writes and reads (with the read value supplied by the test), a
// read-only slot, the dirty log filled by a guest store, single-step DEBUG,
// a triple-fault SHUTDOWN and an interrupt window.  Guests run in real mode
// at 64 KiB of RAM so that addresses above it are unbacked.
#include <criterion/criterion.h>
#include <errno.h>

#include "guest.h"

#define RAM (64u * 1024u)

static struct tg g;

static void setup(void)
{
	if (!tg_have_kvm())
		cr_skip_test("no /dev/kvm");
	cr_assert_eq(tg_open(&g, RAM, false), 0);
}

static void teardown(void)
{
	tg_close(&g);
}

TestSuite(exits, .init = setup, .fini = teardown, .timeout = 20);

Test(exits, mmio_write_then_read)
{
	static const uint8_t code[] = {
		0xb8, 0x00, 0x20,		/* mov ax, 0x2000 */
		0x8e, 0xd8,			/* mov ds, ax */
		0xc6, 0x06, 0x10, 0x00, 0x77,	/* mov byte [0x10], 0x77 */
		0xa0, 0x20, 0x00,		/* mov al, [0x20] */
		0xe6, 0x10,			/* out 0x10, al */
		0xf4,				/* hlt */
	};
	struct kvmw_exit e;

	cr_assert_eq(tg_real_mode(&g, code, sizeof(code)), 0);
	cr_assert_eq(tg_run(&g, &e), 0);
	cr_assert_eq(e.reason, KVMW_EXIT_MMIO, "exit %s", kvmw_exit_reason_name(e.reason));
	cr_assert(e.u.mmio.is_write);
	cr_assert_eq(e.u.mmio.gpa, 0x20010);
	cr_assert_eq(e.u.mmio.len, 1);
	cr_assert_eq(e.u.mmio.data[0], 0x77);
	cr_assert_eq(tg_run(&g, &e), 0);
	cr_assert_eq(e.reason, KVMW_EXIT_MMIO);
	cr_assert(!e.u.mmio.is_write);
	cr_assert_eq(e.u.mmio.gpa, 0x20020);
	e.u.mmio.data[0] = 0x99;	/* the value the guest's load returns */
	cr_assert_eq(tg_run(&g, &e), 0);
	cr_assert_eq(e.reason, KVMW_EXIT_IO);
	cr_assert_eq(e.u.io.data[0], 0x99);
}

Test(exits, port_in_value_reaches_guest)
{
	static const uint8_t code[] = {
		0xe4, 0x40,	/* in al, 0x40 */
		0xe6, 0x41,	/* out 0x41, al */
		0xf4,
	};
	struct kvmw_exit e;

	cr_assert_eq(tg_real_mode(&g, code, sizeof(code)), 0);
	cr_assert_eq(tg_run(&g, &e), 0);
	cr_assert_eq(e.reason, KVMW_EXIT_IO);
	cr_assert(e.u.io.in);
	cr_assert_eq(e.u.io.port, 0x40);
	e.u.io.data[0] = 0xa7;
	cr_assert_eq(tg_run(&g, &e), 0);
	cr_assert_eq(e.u.io.port, 0x41);
	cr_assert_eq(e.u.io.data[0], 0xa7);
}

Test(exits, readonly_slot_reads_memory_and_exits_on_write)
{
	static const uint8_t code[] = {
		0xb8, 0x00, 0x30,		/* mov ax, 0x3000 */
		0x8e, 0xd8,			/* mov ds, ax */
		0xa0, 0x00, 0x00,		/* mov al, [0] */
		0xe6, 0x10,			/* out 0x10, al */
		0xc6, 0x06, 0x01, 0x00, 0x66,	/* mov byte [1], 0x66 */
		0xf4,
	};
	uint8_t *rom = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct kvmw_mem_region r = { .slot = 1, .gpa = 0x30000, .size = 4096, .hva = rom,
				     .flags = KVMW_MEM_READONLY };
	struct kvmw_exit e;

	if (kvmw_vm_check_cap(g.vm, KVM_CAP_READONLY_MEM) <= 0)
		cr_skip_test("KVM_CAP_READONLY_MEM absent on this host");
	rom[0] = 0x5a;
	cr_assert_eq(kvmw_vm_set_memory_region(g.vm, &r), 0);
	cr_assert_eq(tg_real_mode(&g, code, sizeof(code)), 0);
	cr_assert_eq(tg_run(&g, &e), 0);
	cr_assert_eq(e.reason, KVMW_EXIT_IO, "the load is served from memory");
	cr_assert_eq(e.u.io.data[0], 0x5a);
	cr_assert_eq(tg_run(&g, &e), 0);
	cr_assert_eq(e.reason, KVMW_EXIT_MMIO);
	cr_assert(e.u.mmio.is_write);
	cr_assert_eq(e.u.mmio.gpa, 0x30001);
	cr_assert_eq(e.u.mmio.data[0], 0x66);
	cr_assert_eq(rom[1], 0, "read-only memory unchanged");
	munmap(rom, 4096);
}

Test(exits, dirty_log_records_guest_store)
{
	static const uint8_t code[] = {
		0xb8, 0x00, 0x43,		/* mov ax, 0x4300 */
		0x8e, 0xd8,			/* mov ds, ax */
		0xc6, 0x06, 0x00, 0x00, 0x01,	/* mov byte [0], 1 : page 3 of the slot */
		0xf4,
	};
	const size_t size = 64 * 4096;
	uint8_t *m = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct kvmw_mem_region r = { .slot = 1, .gpa = 0x40000, .size = size, .hva = m,
				     .flags = KVMW_MEM_LOG_DIRTY };
	uint64_t bm[1] = { 0 };
	struct kvmw_exit e;

	cr_assert_eq(kvmw_vm_set_memory_region(g.vm, &r), 0);
	cr_assert_eq(tg_real_mode(&g, code, sizeof(code)), 0);
	cr_assert_eq(tg_run(&g, &e), 0);
	cr_assert_eq(e.reason, KVMW_EXIT_HLT, "exit %s", kvmw_exit_reason_name(e.reason));
	cr_assert_eq(m[3 * 4096], 1);
	cr_assert_eq(kvmw_vm_get_dirty_log(g.vm, 1, bm, 1), 0);
	cr_assert_eq(bm[0], 1ull << 3);
	cr_assert_eq(kvmw_vm_get_dirty_log(g.vm, 1, bm, 1), 0);
	cr_assert_eq(bm[0], 0, "reading the log re-arms it");
	munmap(m, size);
}

Test(exits, manual_dirty_clear_keeps_bits_until_cleared)
{
	static const uint8_t code[] = {
		0xb8, 0x00, 0x43, 0x8e, 0xd8,		/* ds = 0x4300 */
		0xc6, 0x06, 0x00, 0x00, 0x01,		/* mov byte [0], 1 */
		0xe6, 0x10,				/* out 0x10, al */
		0xc6, 0x06, 0x00, 0x00, 0x02,		/* mov byte [0], 2 */
		0xf4,
	};
	const size_t size = 64 * 4096;
	uint8_t *m = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct kvmw_mem_region r = { .slot = 1, .gpa = 0x40000, .size = size, .hva = m,
				     .flags = KVMW_MEM_LOG_DIRTY };
	uint64_t bm[1] = { 0 };
	struct kvmw_exit e;

	if (kvmw_vm_check_cap(g.vm, KVM_CAP_MANUAL_DIRTY_LOG_PROTECT2) <= 0)
		cr_skip_test("KVM_CAP_MANUAL_DIRTY_LOG_PROTECT2 absent on this host");
	/* Manual mode must be on before the slot exists; start from a fresh VM. */
	tg_close(&g);
	cr_assert_eq(tg_open(&g, RAM, false), 0);
	cr_assert_eq(kvmw_vm_enable_manual_dirty_clear(g.vm), 0);
	cr_assert_eq(kvmw_vm_set_memory_region(g.vm, &r), 0);
	cr_assert_eq(tg_real_mode(&g, code, sizeof(code)), 0);
	cr_assert_eq(tg_run(&g, &e), 0);
	cr_assert_eq(e.reason, KVMW_EXIT_IO);
	cr_assert_eq(kvmw_vm_get_dirty_log(g.vm, 1, bm, 1), 0);
	cr_assert(bm[0] & (1ull << 3));
	cr_assert_eq(kvmw_vm_get_dirty_log(g.vm, 1, bm, 1), 0);
	cr_assert(bm[0] & (1ull << 3), "in manual mode reading does not clear");
	bm[0] = 1ull << 3;
	cr_assert_eq(kvmw_vm_clear_dirty_log(g.vm, 1, 0, 64, bm), 0);
	cr_assert_eq(kvmw_vm_get_dirty_log(g.vm, 1, bm, 1), 0);
	cr_assert_eq(bm[0] & (1ull << 3), 0, "cleared");
	cr_assert_eq(tg_run(&g, &e), 0);
	cr_assert_eq(e.reason, KVMW_EXIT_HLT);
	cr_assert_eq(kvmw_vm_get_dirty_log(g.vm, 1, bm, 1), 0);
	cr_assert(bm[0] & (1ull << 3), "the next store is tracked again");
	munmap(m, size);
}

Test(exits, single_step_debug_exit)
{
	static const uint8_t code[] = { 0x90, 0x90, 0xf4 };
	struct kvm_guest_debug dbg = { .control = KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_SINGLESTEP };
	struct kvmw_exit e;

	cr_assert_eq(tg_real_mode(&g, code, sizeof(code)), 0);
	cr_assert_eq(kvmw_vcpu_set_guest_debug(g.vcpu, &dbg), 0);
	cr_assert_eq(tg_run(&g, &e), 0);
	cr_assert_eq(e.reason, KVMW_EXIT_DEBUG, "exit %s", kvmw_exit_reason_name(e.reason));
	cr_assert_eq(e.u.debug.exception, 1, "#DB");
	cr_assert_eq(e.u.debug.pc, TG_CODE_GPA + 1);
	cr_assert_eq(tg_run(&g, &e), 0);
	cr_assert_eq(e.reason, KVMW_EXIT_DEBUG);
	cr_assert_eq(e.u.debug.pc, TG_CODE_GPA + 2);
}

Test(exits, triple_fault_is_shutdown)
{
	/* ud2 in long mode with an empty IDT: #UD, then #GP, then #DF cannot be delivered. */
	static const uint8_t code[] = { 0x0f, 0x0b };
	struct kvm_sregs s;
	struct kvmw_exit e;

	tg_close(&g);
	cr_assert_eq(tg_open(&g, 2u << 20, false), 0);
	cr_assert_eq(tg_long_mode(&g, code, sizeof(code)), 0);
	cr_assert_eq(kvmw_vcpu_get_sregs(g.vcpu, &s), 0);
	s.idt.base = 0;
	s.idt.limit = 0;
	cr_assert_eq(kvmw_vcpu_set_sregs(g.vcpu, &s), 0);
	cr_assert_eq(tg_run(&g, &e), 0);
	cr_assert_eq(e.reason, KVMW_EXIT_SHUTDOWN, "exit %s", kvmw_exit_reason_name(e.reason));
}

Test(exits, interrupt_window_opens_when_if_is_set)
{
	static const uint8_t code[] = { 0xf4 };
	struct kvm_regs regs;
	struct kvmw_exit e;

	tg_close(&g);
	cr_assert_eq(tg_open(&g, 2u << 20, false), 0);
	cr_assert_eq(tg_long_mode(&g, code, sizeof(code)), 0);
	cr_assert_eq(kvmw_vcpu_get_regs(g.vcpu, &regs), 0);
	regs.rflags |= 0x200;	/* IF: the guest can take an interrupt right away */
	cr_assert_eq(kvmw_vcpu_set_regs(g.vcpu, &regs), 0);
	kvmw_vcpu_request_interrupt_window(g.vcpu, true);
	cr_assert_eq(tg_run(&g, &e), 0);
	if (e.reason != KVMW_EXIT_IRQ_WINDOW_OPEN && tg_host_is_pvm())
		cr_skip_test("kvm-pvm host: KVM_EXIT_IRQ_WINDOW_OPEN is never reported (got %s)",
			     kvmw_exit_reason_name(e.reason));
	cr_assert_eq(e.reason, KVMW_EXIT_IRQ_WINDOW_OPEN, "exit %s",
		     kvmw_exit_reason_name(e.reason));
	cr_assert(kvmw_vcpu_ready_for_interrupt(g.vcpu));
	kvmw_vcpu_request_interrupt_window(g.vcpu, false);
}
