// SPDX-License-Identifier: MIT
// irqfd and ioeventfd with real guests: a guest write matching an
// ioeventfd signals the eventfd and never reaches userspace as an exit
// (api.rst 4.59), and an interrupt injected by writing an irqfd routed as
// an MSI (4.75, 4.52) runs the guest's handler.
#include <criterion/criterion.h>
#include <errno.h>
#include <sys/eventfd.h>

#include "guest.h"

#define RAM (64u * 1024u)

static struct tg g;
static int efd = -1;

static void setup(void)
{
	if (!tg_have_kvm())
		cr_skip_test("no /dev/kvm");
	cr_assert_eq(tg_open(&g, RAM, true), 0);
	efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	cr_assert_geq(efd, 0);
}

static void teardown(void)
{
	tg_close(&g);
	if (efd >= 0)
		close(efd);
	efd = -1;
}

TestSuite(eventfds, .init = setup, .fini = teardown, .timeout = 20);

static void need_cap(int cap, const char *name)
{
	if (kvmw_vm_check_cap(g.vm, cap) <= 0)
		cr_skip_test("KVM_CAP_%s absent on this host", name);
}

static uint64_t drain(void)
{
	uint64_t v = 0;

	if (read(efd, &v, sizeof(v)) != sizeof(v))
		return 0;
	return v;
}

Test(eventfds, pio_ioeventfd_fires_without_exit)
{
	static const uint8_t code[] = {
		0xb0, 0x01, 0xe6, 0x30,	/* mov al, 1; out 0x30, al  (absorbed) */
		0xe6, 0x30,		/* out 0x30, al             (absorbed) */
		0xb0, 0xee, 0xe6, 0x10,	/* mov al, 0xee; out 0x10, al */
		0xf4,
	};
	struct kvmw_ioeventfd io = { .fd = efd, .space = KVMW_IO_PIO, .addr = 0x30, .len = 1 };
	struct kvmw_exit e;

	need_cap(KVM_CAP_IOEVENTFD, "IOEVENTFD");
	cr_assert_eq(kvmw_vm_ioeventfd_assign(g.vm, &io), 0);
	cr_assert_eq(tg_real_mode(&g, code, sizeof(code)), 0);
	cr_assert_eq(tg_run(&g, &e), 0);
	cr_assert_eq(e.reason, KVMW_EXIT_IO);
	cr_assert_eq(e.u.io.port, 0x10, "the first exit is past the two absorbed writes");
	cr_assert_eq(drain(), 2);
}

Test(eventfds, pio_datamatch_lets_other_values_exit)
{
	static const uint8_t code[] = {
		0xb0, 0x04, 0xe6, 0x32,	/* out 0x32, 4: no match, exits */
		0xb0, 0x05, 0xe6, 0x32,	/* out 0x32, 5: match, absorbed */
		0xe6, 0x10, 0xf4,
	};
	struct kvmw_ioeventfd io = { .fd = efd, .space = KVMW_IO_PIO, .addr = 0x32, .len = 1,
				     .datamatch = true, .data = 5 };
	struct kvmw_exit e;

	need_cap(KVM_CAP_IOEVENTFD, "IOEVENTFD");
	cr_assert_eq(kvmw_vm_ioeventfd_assign(g.vm, &io), 0);
	cr_assert_eq(tg_real_mode(&g, code, sizeof(code)), 0);
	cr_assert_eq(tg_run(&g, &e), 0);
	cr_assert_eq(e.u.io.port, 0x32);
	cr_assert_eq(e.u.io.data[0], 4);
	cr_assert_eq(drain(), 0, "a non-matching write does not signal");
	cr_assert_eq(tg_run(&g, &e), 0);
	cr_assert_eq(e.u.io.port, 0x10);
	cr_assert_eq(drain(), 1);
}

Test(eventfds, mmio_ioeventfd_fires_without_exit)
{
	static const uint8_t code[] = {
		0xb8, 0x00, 0x20, 0x8e, 0xd8,		/* ds = 0x2000 */
		0xc7, 0x06, 0x50, 0x00, 0x34, 0x12,	/* mov word [0x50], 0x1234 (absorbed) */
		0xe6, 0x10, 0xf4,
	};
	struct kvmw_ioeventfd io = { .fd = efd, .space = KVMW_IO_MMIO, .addr = 0x20050, .len = 2 };
	struct kvmw_exit e;

	need_cap(KVM_CAP_IOEVENTFD, "IOEVENTFD");
	cr_assert_eq(kvmw_vm_ioeventfd_assign(g.vm, &io), 0);
	cr_assert_eq(tg_real_mode(&g, code, sizeof(code)), 0);
	cr_assert_eq(tg_run(&g, &e), 0);
	cr_assert_eq(e.reason, KVMW_EXIT_IO, "no MMIO exit: got %s", kvmw_exit_reason_name(e.reason));
	cr_assert_eq(e.u.io.port, 0x10);
	cr_assert_eq(drain(), 1);
}

Test(eventfds, deassigned_ioeventfd_exits_again)
{
	static const uint8_t code[] = { 0xe6, 0x30, 0xf4 };
	struct kvmw_ioeventfd io = { .fd = efd, .space = KVMW_IO_PIO, .addr = 0x30, .len = 1 };
	struct kvmw_exit e;

	need_cap(KVM_CAP_IOEVENTFD, "IOEVENTFD");
	cr_assert_eq(kvmw_vm_ioeventfd_assign(g.vm, &io), 0);
	cr_assert_eq(kvmw_vm_ioeventfd_deassign(g.vm, &io), 0);
	cr_assert_eq(tg_real_mode(&g, code, sizeof(code)), 0);
	cr_assert_eq(tg_run(&g, &e), 0);
	cr_assert_eq(e.u.io.port, 0x30);
	cr_assert_eq(drain(), 0);
}

/* Real-mode IVT entry vector -> 0:ip. */
static void set_ivt(uint8_t vector, uint16_t ip)
{
	memcpy(g.mem + 4u * vector, &ip, 2);
	memset(g.mem + 4u * vector + 2, 0, 2);
}

Test(eventfds, irqfd_msi_interrupt_runs_guest_handler)
{
	static const uint8_t code[] = {
		0xfb,			/* sti */
		0xb0, 0x01, 0xe6, 0x11,	/* out 0x11, 1: "ready" */
		0xf4,			/* hlt: wait for the interrupt (in the kernel) */
		0xeb, 0xfd,		/* jmp back to hlt */
	};
	static const uint8_t handler[] = {
		0xb0, 0x40, 0xe6, 0x10,	/* out 0x10, 0x40: "vector 0x40 taken" */
		0xf4,
	};
	struct kvm_irq_routing_entry route;
	struct kvm_lapic_state lapic;
	struct kvmw_exit e;

	need_cap(KVM_CAP_IRQFD, "IRQFD");
	need_cap(KVM_CAP_IRQ_ROUTING, "IRQ_ROUTING");
	/* GSI 24 as an MSI: fixed delivery, vector 0x40, to APIC id 0. */
	route = kvmw_route_msi(24, 0xfee00000, 0x40);
	cr_assert_eq(kvmw_vm_set_gsi_routing(g.vm, &route, 1), 0);
	cr_assert_eq(kvmw_vm_irqfd_assign(g.vm, efd, 24), 0);
	/* A LAPIC accepts fixed interrupts only when software-enabled (SVR bit 8). */
	cr_assert_eq(kvmw_vcpu_get_lapic(g.vcpu, &lapic), 0);
	kvmw_lapic_set_reg(&lapic, 0xf0, 0x1ff);
	cr_assert_eq(kvmw_vcpu_set_lapic(g.vcpu, &lapic), 0);
	memcpy(g.mem + 0x1100, handler, sizeof(handler));
	set_ivt(0x40, 0x1100);
	cr_assert_eq(tg_real_mode(&g, code, sizeof(code)), 0);
	cr_assert_eq(tg_run(&g, &e), 0);
	cr_assert_eq(e.reason, KVMW_EXIT_IO);
	cr_assert_eq(e.u.io.port, 0x11, "guest ready");
	cr_assert_eq(write(efd, &(uint64_t){ 1 }, 8), 8);
	cr_assert_eq(tg_run(&g, &e), 0);
	cr_assert_eq(e.reason, KVMW_EXIT_IO, "exit %s", kvmw_exit_reason_name(e.reason));
	cr_assert_eq(e.u.io.port, 0x10, "the handler ran");
	cr_assert_eq(e.u.io.data[0], 0x40);
}

Test(eventfds, resample_irqfd_signals_after_guest_eoi)
{
	static const uint8_t code[] = {
		0xfb,			/* sti */
		0xe6, 0x11,		/* out 0x11, al: "ready" */
		0xf4,			/* hlt */
		0xeb, 0xfd,		/* jmp back to hlt */
	};
	static const uint8_t handler[] = {
		0xe6, 0x10,				/* out 0x10, al: "interrupt taken" */
		0xb8, 0xb0, 0x00, 0xe0, 0xfe,		/* mov eax, 0xfee000b0 (LAPIC EOI) */
		0xc7, 0x00, 0x00, 0x00, 0x00, 0x00,	/* mov dword [rax], 0 */
		0xe6, 0x13,				/* out 0x13, al: "EOI done" */
		0xf4,
	};
	struct kvm_irqchip chip = { .chip_id = KVM_IRQCHIP_IOAPIC };
	struct kvm_lapic_state lapic;
	struct kvmw_exit e;
	int rfd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	uint64_t n = 0;

	need_cap(KVM_CAP_IRQFD_RESAMPLE, "IRQFD_RESAMPLE");
	tg_close(&g);
	cr_assert_eq(tg_open(&g, 2u << 20, true), 0);
	/* IOAPIC pin 10: vector 0x50, level-triggered, unmasked, to APIC 0. */
	cr_assert_eq(kvmw_vm_get_irqchip(g.vm, &chip), 0);
	chip.chip.ioapic.redirtbl[10].bits = 0x50 | (1u << 15);
	cr_assert_eq(kvmw_vm_set_irqchip(g.vm, &chip), 0);
	/* Enable the LAPIC; mask LINT0 so the uninitialised PIC cannot deliver too. */
	cr_assert_eq(kvmw_vcpu_get_lapic(g.vcpu, &lapic), 0);
	kvmw_lapic_set_reg(&lapic, 0xf0, 0x1ff);
	kvmw_lapic_set_reg(&lapic, 0x350, 0x10700);
	cr_assert_eq(kvmw_vcpu_set_lapic(g.vcpu, &lapic), 0);
	cr_assert_eq(kvmw_vm_irqfd_assign_resample(g.vm, efd, rfd, 10), 0);

	cr_assert_eq(tg_long_mode(&g, code, sizeof(code)), 0);
	memcpy(g.mem + 0x1100, handler, sizeof(handler));
	cr_assert_eq(tg_set_idt_gate(&g, 0x50, 0x1100), 0);
	cr_assert_eq(tg_run(&g, &e), 0);
	cr_assert_eq(e.u.io.port, 0x11, "guest ready");
	cr_assert_eq(write(efd, &(uint64_t){ 1 }, 8), 8);
	cr_assert_eq(tg_run(&g, &e), 0);
	cr_assert_eq(e.reason, KVMW_EXIT_IO, "exit %s", kvmw_exit_reason_name(e.reason));
	cr_assert_eq(e.u.io.port, 0x10, "the level interrupt was delivered");
	/*
	 * kvm-pvm completes the EOI of a level-triggered interrupt when it
	 * delivers it (LAPIC ISR and IOAPIC remote IRR are already clear
	 * inside the handler), so there the resample fd fires early.  On
	 * hardware it must wait for the guest's EOI.
	 */
	if (read(rfd, &n, 8) == 8) {
		cr_assert(tg_host_is_pvm(), "resample fired before the guest's EOI");
	} else {
		cr_assert_eq(tg_run(&g, &e), 0);
		cr_assert_eq(e.u.io.port, 0x13);
		cr_assert_eq(read(rfd, &n, 8), 8, "the EOI signalled the resample fd");
	}
	cr_assert_eq(n, 1, "exactly one resample per delivered interrupt");
	close(rfd);
}
