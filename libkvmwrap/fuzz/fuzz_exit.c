// SPDX-License-Identifier: MIT
// libFuzzer target: exit decoding of an arbitrary kvm_run page.  Whatever
// the page says, a decoded IO exit's data must lie inside the page after the
// kvm_run header, and an MMIO exit's inside its 8-byte data field.
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <kvmwrap/kvmwrap.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define PAGE_SIZE_RUN 12288u

static union {
	struct kvm_run run;
	uint8_t bytes[PAGE_SIZE_RUN];
} page;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kvmw_exit e;
	int r;

	memset(&page, 0, sizeof(page));
	memcpy(page.bytes, data, size < sizeof(struct kvm_run) ? size : sizeof(struct kvm_run));
	r = kvmw_exit_decode(&page.run, PAGE_SIZE_RUN, &e);
	if (r != 0)
		return 0;
	if (e.reason == KVMW_EXIT_IO) {
		const uint8_t *lo = page.bytes + sizeof(struct kvm_run);
		const uint8_t *hi = page.bytes + PAGE_SIZE_RUN;

		if (e.u.io.data < lo || e.u.io.data > hi || e.u.io.len > (size_t)(hi - e.u.io.data))
			__builtin_trap();
		if (e.u.io.len != (size_t)e.u.io.size * e.u.io.count || e.u.io.len == 0)
			__builtin_trap();
	}
	if (e.reason == KVMW_EXIT_MMIO && (e.u.mmio.len == 0 || e.u.mmio.len > 8))
		__builtin_trap();
	if (e.reason == KVMW_EXIT_INTERNAL_ERROR && e.u.internal.ndata > 16)
		__builtin_trap();
	if (e.reason == KVMW_EXIT_SYSTEM_EVENT && e.u.system_event.ndata > 16)
		__builtin_trap();
	return 0;
}
