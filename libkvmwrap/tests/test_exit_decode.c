// SPDX-License-Identifier: MIT
// Exit decoding from a synthetic kvm_run page (api.rst 5): one test per
// exit reason and per rejected inconsistency of the page.
#include <criterion/criterion.h>
#include <errno.h>
#include <stdlib.h>

#include <kvmwrap/kvmwrap.h>

#define RUN_SIZE 12288u	/* three pages, as KVM_GET_VCPU_MMAP_SIZE reports on x86 */

static union {
	struct kvm_run run;
	uint8_t bytes[RUN_SIZE];
} page;
static struct kvm_run *run = &page.run;
static struct kvmw_exit e;

static void setup(void)
{
	memset(&page, 0, sizeof(page));
	memset(&e, 0xa5, sizeof(e));
}

TestSuite(exit_decode, .init = setup);

Test(exit_decode, io_out_points_at_data_in_page)
{
	run->exit_reason = KVM_EXIT_IO;
	run->io.direction = KVM_EXIT_IO_OUT;
	run->io.size = 2;
	run->io.port = 0x3f8;
	run->io.count = 3;
	run->io.data_offset = 0x1000;
	cr_assert_eq(kvmw_exit_decode(run, RUN_SIZE, &e), 0);
	cr_assert_eq(e.reason, KVMW_EXIT_IO);
	cr_assert_eq(e.raw_reason, KVM_EXIT_IO);
	cr_assert(!e.u.io.in);
	cr_assert_eq(e.u.io.port, 0x3f8);
	cr_assert_eq(e.u.io.size, 2);
	cr_assert_eq(e.u.io.count, 3);
	cr_assert_eq(e.u.io.len, 6);
	cr_assert_eq(e.u.io.data, page.bytes + 0x1000);
}

Test(exit_decode, io_in_is_flagged)
{
	run->exit_reason = KVM_EXIT_IO;
	run->io.direction = KVM_EXIT_IO_IN;
	run->io.size = 1;
	run->io.count = 1;
	run->io.data_offset = sizeof(struct kvm_run);
	cr_assert_eq(kvmw_exit_decode(run, RUN_SIZE, &e), 0);
	cr_assert(e.u.io.in);
}

Test(exit_decode, io_data_past_page_end_is_rejected)
{
	run->exit_reason = KVM_EXIT_IO;
	run->io.size = 4;
	run->io.count = 2;
	run->io.data_offset = RUN_SIZE - 4;
	cr_assert_eq(kvmw_exit_decode(run, RUN_SIZE, &e), -EBADMSG);
}

Test(exit_decode, io_huge_count_does_not_wrap)
{
	run->exit_reason = KVM_EXIT_IO;
	run->io.size = 4;
	run->io.count = 0xffffffffu;
	run->io.data_offset = 0x1000;
	cr_assert_eq(kvmw_exit_decode(run, RUN_SIZE, &e), -EBADMSG);
}

Test(exit_decode, io_data_overlapping_the_header_is_rejected)
{
	run->exit_reason = KVM_EXIT_IO;
	run->io.size = 1;
	run->io.count = 1;
	run->io.data_offset = 8;
	cr_assert_eq(kvmw_exit_decode(run, RUN_SIZE, &e), -EBADMSG);
}

Test(exit_decode, io_bad_size_is_rejected)
{
	run->exit_reason = KVM_EXIT_IO;
	run->io.size = 3;
	run->io.count = 1;
	run->io.data_offset = 0x1000;
	cr_assert_eq(kvmw_exit_decode(run, RUN_SIZE, &e), -EBADMSG);
}

Test(exit_decode, mmio_write)
{
	run->exit_reason = KVM_EXIT_MMIO;
	run->mmio.phys_addr = 0xd0000008;
	run->mmio.len = 4;
	run->mmio.is_write = 1;
	memcpy(run->mmio.data, "\x01\x02\x03\x04", 4);
	cr_assert_eq(kvmw_exit_decode(run, RUN_SIZE, &e), 0);
	cr_assert_eq(e.reason, KVMW_EXIT_MMIO);
	cr_assert(e.u.mmio.is_write);
	cr_assert_eq(e.u.mmio.gpa, 0xd0000008);
	cr_assert_eq(e.u.mmio.len, 4);
	cr_assert_eq(e.u.mmio.data, run->mmio.data);
}

Test(exit_decode, mmio_bad_length_is_rejected)
{
	run->exit_reason = KVM_EXIT_MMIO;
	run->mmio.len = 9;
	cr_assert_eq(kvmw_exit_decode(run, RUN_SIZE, &e), -EBADMSG);
	run->mmio.len = 0;
	cr_assert_eq(kvmw_exit_decode(run, RUN_SIZE, &e), -EBADMSG);
}

Test(exit_decode, simple_reasons)
{
	static const struct { uint32_t raw; enum kvmw_exit_reason r; } t[] = {
		{ KVM_EXIT_HLT, KVMW_EXIT_HLT },
		{ KVM_EXIT_SHUTDOWN, KVMW_EXIT_SHUTDOWN },
		{ KVM_EXIT_IRQ_WINDOW_OPEN, KVMW_EXIT_IRQ_WINDOW_OPEN },
		{ KVM_EXIT_INTR, KVMW_EXIT_INTR },
		{ KVM_EXIT_HYPERCALL, KVMW_EXIT_OTHER },
		{ 9999, KVMW_EXIT_OTHER },
	};
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		run->exit_reason = t[i].raw;
		cr_assert_eq(kvmw_exit_decode(run, RUN_SIZE, &e), 0);
		cr_assert_eq(e.reason, t[i].r, "raw %u", t[i].raw);
		cr_assert_eq(e.raw_reason, t[i].raw);
	}
}

Test(exit_decode, fail_entry)
{
	run->exit_reason = KVM_EXIT_FAIL_ENTRY;
	run->fail_entry.hardware_entry_failure_reason = 0x80000021;
	run->fail_entry.cpu = 1;
	cr_assert_eq(kvmw_exit_decode(run, RUN_SIZE, &e), 0);
	cr_assert_eq(e.reason, KVMW_EXIT_FAIL_ENTRY);
	cr_assert_eq(e.u.fail_entry.hardware_reason, 0x80000021);
	cr_assert_eq(e.u.fail_entry.cpu, 1);
}

Test(exit_decode, internal_error_copies_data_words)
{
	run->exit_reason = KVM_EXIT_INTERNAL_ERROR;
	run->internal.suberror = KVM_INTERNAL_ERROR_EMULATION;
	run->internal.ndata = 3;
	run->internal.data[0] = 1;
	run->internal.data[1] = 1;
	run->internal.data[2] = 0xcc;
	run->internal.data[3] = 0xdead;	/* beyond ndata: not copied */
	cr_assert_eq(kvmw_exit_decode(run, RUN_SIZE, &e), 0);
	cr_assert_eq(e.reason, KVMW_EXIT_INTERNAL_ERROR);
	cr_assert_eq(e.u.internal.suberror, KVM_INTERNAL_ERROR_EMULATION);
	cr_assert_eq(e.u.internal.ndata, 3);
	cr_assert_eq(e.u.internal.data[2], 0xcc);
	cr_assert_eq(e.u.internal.data[3], 0);
}

Test(exit_decode, internal_error_ndata_is_clamped)
{
	run->exit_reason = KVM_EXIT_INTERNAL_ERROR;
	run->internal.ndata = 1000;
	cr_assert_eq(kvmw_exit_decode(run, RUN_SIZE, &e), 0);
	cr_assert_eq(e.u.internal.ndata, 16);
}

Test(exit_decode, system_event)
{
	run->exit_reason = KVM_EXIT_SYSTEM_EVENT;
	run->system_event.type = KVM_SYSTEM_EVENT_RESET;
	run->system_event.ndata = 1;
	run->system_event.data[0] = 7;
	cr_assert_eq(kvmw_exit_decode(run, RUN_SIZE, &e), 0);
	cr_assert_eq(e.reason, KVMW_EXIT_SYSTEM_EVENT);
	cr_assert_eq(e.u.system_event.type, KVM_SYSTEM_EVENT_RESET);
	cr_assert_eq(e.u.system_event.ndata, 1);
	cr_assert_eq(e.u.system_event.data[0], 7);
}

Test(exit_decode, system_event_ndata_is_clamped)
{
	run->exit_reason = KVM_EXIT_SYSTEM_EVENT;
	run->system_event.ndata = 17;
	cr_assert_eq(kvmw_exit_decode(run, RUN_SIZE, &e), 0);
	cr_assert_eq(e.u.system_event.ndata, 16);
}

Test(exit_decode, debug)
{
	run->exit_reason = KVM_EXIT_DEBUG;
	run->debug.arch.exception = 1;
	run->debug.arch.pc = 0x1003;
	run->debug.arch.dr6 = 0xffff4ff0;
	run->debug.arch.dr7 = 0x400;
	cr_assert_eq(kvmw_exit_decode(run, RUN_SIZE, &e), 0);
	cr_assert_eq(e.reason, KVMW_EXIT_DEBUG);
	cr_assert_eq(e.u.debug.exception, 1);
	cr_assert_eq(e.u.debug.pc, 0x1003);
	cr_assert_eq(e.u.debug.dr6, 0xffff4ff0);
	cr_assert_eq(e.u.debug.dr7, 0x400);
}

Test(exit_decode, rejects_null_and_short_page)
{
	cr_assert_eq(kvmw_exit_decode(NULL, RUN_SIZE, &e), -EINVAL);
	cr_assert_eq(kvmw_exit_decode(run, RUN_SIZE, NULL), -EINVAL);
	cr_assert_eq(kvmw_exit_decode(run, sizeof(struct kvm_run) - 1, &e), -EINVAL);
}

Test(exit_decode, names)
{
	cr_assert_str_eq(kvmw_exit_reason_name(KVMW_EXIT_INTERNAL_ERROR), "INTERNAL_ERROR");
	cr_assert_str_eq(kvmw_exit_reason_name((enum kvmw_exit_reason)77), "?");
	cr_assert_str_eq(kvmw_exit_raw_name(KVM_EXIT_MMIO), "KVM_EXIT_MMIO");
	cr_assert_str_eq(kvmw_exit_raw_name(4242), "KVM_EXIT_?");
}
