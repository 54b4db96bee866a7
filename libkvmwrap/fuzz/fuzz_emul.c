// SPDX-License-Identifier: MIT
// libFuzzer target: the emulation-failure decoder and instruction
// classifier on arbitrary exit words (what a guest can steer: the bytes at
// its RIP).  Invariants: lengths stay within 15 bytes, the decoded length
// never exceeds the bytes reported, and the report is always terminated.
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <kvmwrap/kvmwrap.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kvmw_exit e;
	struct kvmw_emul_failure f;
	char buf[64];
	uint8_t len = 0, vec = 0;

	memset(&e, 0, sizeof(e));
	e.reason = KVMW_EXIT_INTERNAL_ERROR;
	e.u.internal.suberror = KVM_INTERNAL_ERROR_EMULATION;
	if (size > 0) {
		e.u.internal.ndata = data[0] % 20u;	/* includes out-of-range counts */
		if (e.u.internal.ndata > 16)
			e.u.internal.ndata = 16;
		memcpy(e.u.internal.data, data + 1,
		       size - 1 < sizeof(e.u.internal.data) ? size - 1 : sizeof(e.u.internal.data));
	}
	if (kvmw_emul_failure_decode(&e, 0x1000, &f) != 0)
		__builtin_trap();
	if (f.insn_len > KVMW_INSN_MAX || f.decoded_len > f.insn_len || !f.hint)
		__builtin_trap();
	if ((f.limit == KVMW_LIMIT_NONE) != (f.decoded_len == 0))
		__builtin_trap();
	memset(buf, 'x', sizeof(buf));
	if (kvmw_emul_failure_format(&f, buf, sizeof(buf)) < 0 || !memchr(buf, 0, sizeof(buf)))
		__builtin_trap();
	kvmw_pvm_classify(data, size, &len, &vec);
	if (len > KVMW_INSN_MAX || len > size)
		__builtin_trap();
	return 0;
}
