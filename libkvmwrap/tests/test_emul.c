// SPDX-License-Identifier: MIT
// The kvm-pvm emulation-failure decoder: classification of the instruction
// bytes KVM reports (Intel SDM vol. 2 encodings), clamping of what the exit
// claims, and the readable report.
#include <criterion/criterion.h>
#include <errno.h>

#include <kvmwrap/kvmwrap.h>

struct cls_case {
	const char *what;
	uint8_t bytes[KVMW_INSN_MAX];
	size_t len;
	enum kvmw_pvm_limit limit;
	uint8_t insn_len;
};

static const struct cls_case cases[] = {
	{ "int3", { 0xcc }, 1, KVMW_LIMIT_INT3, 1 },
	{ "int3 with trailing bytes", { 0xcc, 0x90, 0x90 }, 3, KVMW_LIMIT_INT3, 1 },
	{ "int 0x80", { 0xcd, 0x80 }, 2, KVMW_LIMIT_INT_N, 2 },
	{ "int truncated", { 0xcd }, 1, KVMW_LIMIT_NONE, 0 },
	{ "fwait", { 0x9b }, 1, KVMW_LIMIT_FWAIT, 1 },
	{ "clac", { 0x0f, 0x01, 0xca }, 3, KVMW_LIMIT_CLAC, 3 },
	{ "stac is not clac", { 0x0f, 0x01, 0xcb }, 3, KVMW_LIMIT_NONE, 0 },
	{ "popcnt eax, ecx", { 0xf3, 0x0f, 0xb8, 0xc1 }, 4, KVMW_LIMIT_POPCNT, 4 },
	{ "popcnt rax, [rdi+8]", { 0xf3, 0x48, 0x0f, 0xb8, 0x47, 0x08 }, 6, KVMW_LIMIT_POPCNT, 6 },
	{ "popcnt rax, [rip+disp32]", { 0xf3, 0x48, 0x0f, 0xb8, 0x05, 1, 2, 3, 4 }, 9,
	  KVMW_LIMIT_POPCNT, 9 },
	{ "popcnt [rsp+rbx*4+0x100]", { 0xf3, 0x0f, 0xb8, 0x84, 0x9c, 0, 1, 0, 0 }, 9,
	  KVMW_LIMIT_POPCNT, 9 },
	{ "0f b8 without f3 is jmpe, not popcnt", { 0x0f, 0xb8, 0xc1 }, 3, KVMW_LIMIT_NONE, 0 },
	{ "lock cmpxchg16b [rdi]", { 0xf0, 0x48, 0x0f, 0xc7, 0x0f }, 5, KVMW_LIMIT_CMPXCHG16B, 5 },
	{ "cmpxchg8b is not cmpxchg16b", { 0x0f, 0xc7, 0x0f }, 3, KVMW_LIMIT_NONE, 0 },
	{ "xrstor [rdi]", { 0x0f, 0xae, 0x2f }, 3, KVMW_LIMIT_XRSTOR, 3 },
	{ "xrstor64 [rsp]", { 0x48, 0x0f, 0xae, 0x2c, 0x24 }, 5, KVMW_LIMIT_XRSTOR, 5 },
	{ "lfence shares 0f ae /5", { 0x0f, 0xae, 0xe8 }, 3, KVMW_LIMIT_NONE, 0 },
	{ "xrstors [rdi]", { 0x0f, 0xc7, 0x1f }, 3, KVMW_LIMIT_XRSTOR, 3 },
	{ "segment prefix before int3", { 0x2e, 0xcc }, 2, KVMW_LIMIT_INT3, 2 },
	{ "nop", { 0x90 }, 1, KVMW_LIMIT_NONE, 0 },
	{ "only prefixes", { 0x66, 0x66, 0x66 }, 3, KVMW_LIMIT_NONE, 0 },
	{ "modrm truncated", { 0xf3, 0x0f, 0xb8, 0x84 }, 4, KVMW_LIMIT_NONE, 0 },
	{ "empty", { 0 }, 0, KVMW_LIMIT_NONE, 0 },
};

Test(emul, classify_table)
{
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint8_t len = 0xff;
		enum kvmw_pvm_limit l = kvmw_pvm_classify(cases[i].bytes, cases[i].len, &len,
							 NULL);

		cr_expect_eq(l, cases[i].limit, "%s: got %s", cases[i].what,
			     kvmw_pvm_limit_name(l));
		cr_expect_eq(len, cases[i].insn_len, "%s: length %u", cases[i].what, len);
	}
}

Test(emul, int_n_reports_vector)
{
	static const uint8_t b[] = { 0xcd, 0x21 };
	uint8_t vec = 0;

	cr_assert_eq(kvmw_pvm_classify(b, sizeof(b), NULL, &vec), KVMW_LIMIT_INT_N);
	cr_assert_eq(vec, 0x21);
}

Test(emul, fifteen_prefixes_never_read_past_the_buffer)
{
	uint8_t b[KVMW_INSN_MAX];
	uint8_t len = 1;

	memset(b, 0x66, sizeof(b));
	cr_assert_eq(kvmw_pvm_classify(b, sizeof(b), &len, NULL), KVMW_LIMIT_NONE);
	cr_assert_eq(len, 0);
	cr_assert_eq(kvmw_pvm_classify(NULL, 4, &len, NULL), KVMW_LIMIT_NONE);
}

/*
 * An emulation-failure exit as KVM lays it out: data[0] flags, then the
 * length byte followed by up to 15 instruction bytes over data[1..2].
 */
static struct kvmw_exit emul_exit(uint64_t flags, uint8_t len, const uint8_t *bytes,
				  size_t nbytes, uint32_t ndata)
{
	struct kvmw_exit e;
	uint8_t area[16] = { len };

	memset(&e, 0, sizeof(e));
	e.reason = KVMW_EXIT_INTERNAL_ERROR;
	e.raw_reason = KVM_EXIT_INTERNAL_ERROR;
	e.u.internal.suberror = KVM_INTERNAL_ERROR_EMULATION;
	e.u.internal.ndata = ndata;
	e.u.internal.data[0] = flags;
	memcpy(area + 1, bytes, nbytes < 15 ? nbytes : 15);
	memcpy(&e.u.internal.data[1], area, sizeof(area));
	e.u.internal.data[3] = 0x1000;	/* KVM appends more words, e.g. the GPA */
	return e;
}

Test(emul, decode_int3_failure)
{
	struct kvmw_exit e = emul_exit(1, 1, (const uint8_t[]){ 0xcc }, 1, 4);
	struct kvmw_emul_failure f;

	cr_assert_eq(kvmw_emul_failure_decode(&e, 0x1234, &f), 0);
	cr_assert(f.bytes_valid);
	cr_assert_eq(f.rip, 0x1234);
	cr_assert_eq(f.insn_len, 1);
	cr_assert_eq(f.insn[0], 0xcc);
	cr_assert_eq(f.limit, KVMW_LIMIT_INT3);
	cr_assert_eq(f.decoded_len, 1);
	cr_assert_not_null(strstr(f.hint, "#BP"));
}

Test(emul, decode_bytes_span_two_words)
{
	static const uint8_t b[] = { 0xf3, 0x48, 0x0f, 0xb8, 0x05, 1, 2, 3, 4 };
	struct kvmw_exit e = emul_exit(1, 9, b, sizeof(b), 4);
	struct kvmw_emul_failure f;

	cr_assert_eq(kvmw_emul_failure_decode(&e, 0, &f), 0);
	cr_assert_eq(f.insn_len, 9);
	cr_assert_eq(f.insn[8], 0x04);
	cr_assert_eq(f.limit, KVMW_LIMIT_POPCNT);
	cr_assert_not_null(strstr(f.hint, "clearcpuid=popcnt"));
}

Test(emul, decode_clamps_length_to_reported_words)
{
	/* Claims 15 bytes but ndata covers only data[1]: length byte + 7 bytes. */
	static const uint8_t b[15] = { 0x90, 0x90, 0x90, 0x90, 0x90, 0x90, 0x90, 0xcc, 0xcc };
	struct kvmw_exit e = emul_exit(1, 15, b, sizeof(b), 2);
	struct kvmw_emul_failure f;

	cr_assert_eq(kvmw_emul_failure_decode(&e, 0, &f), 0);
	cr_assert_eq(f.insn_len, 7);
}

Test(emul, decode_clamps_length_to_fifteen)
{
	static const uint8_t b[15] = { 0 };
	struct kvmw_exit e = emul_exit(1, 255, b, sizeof(b), 4);
	struct kvmw_emul_failure f;

	cr_assert_eq(kvmw_emul_failure_decode(&e, 0, &f), 0);
	cr_assert_eq(f.insn_len, KVMW_INSN_MAX);
}

Test(emul, decode_without_bytes_flag)
{
	struct kvmw_exit e = emul_exit(0, 1, (const uint8_t[]){ 0xcc }, 1, 4);
	struct kvmw_emul_failure f;
	char buf[256];

	cr_assert_eq(kvmw_emul_failure_decode(&e, 0x10, &f), 0);
	cr_assert(!f.bytes_valid);
	cr_assert_eq(f.insn_len, 0);
	cr_assert_eq(f.limit, KVMW_LIMIT_NONE);
	cr_assert_gt(kvmw_emul_failure_format(&f, buf, sizeof(buf)), 0);
	cr_assert_not_null(strstr(buf, "not reported"));
}

Test(emul, decode_rejects_other_exits)
{
	struct kvmw_exit e = emul_exit(1, 1, (const uint8_t[]){ 0xcc }, 1, 4);
	struct kvmw_emul_failure f;

	e.u.internal.suberror = KVM_INTERNAL_ERROR_SIMUL_EX;
	cr_assert_eq(kvmw_emul_failure_decode(&e, 0, &f), -EINVAL);
	e = emul_exit(1, 1, (const uint8_t[]){ 0xcc }, 1, 4);
	e.reason = KVMW_EXIT_MMIO;
	cr_assert_eq(kvmw_emul_failure_decode(&e, 0, &f), -EINVAL);
	cr_assert_eq(kvmw_emul_failure_decode(NULL, 0, &f), -EINVAL);
}

Test(emul, format_report)
{
	static const uint8_t b[] = { 0x0f, 0x01, 0xca };
	struct kvmw_exit e = emul_exit(1, 3, b, sizeof(b), 4);
	struct kvmw_emul_failure f;
	char buf[300];
	int n;

	cr_assert_eq(kvmw_emul_failure_decode(&e, 0xffffffff81000000ull, &f), 0);
	n = kvmw_emul_failure_format(&f, buf, sizeof(buf));
	cr_assert_eq((size_t)n, strlen(buf));
	cr_assert_not_null(strstr(buf, "RIP 0xffffffff81000000"));
	cr_assert_not_null(strstr(buf, "bytes 0f 01 ca (clac)"));
	cr_assert_not_null(strstr(buf, "clearcpuid=smap"));
}

Test(emul, format_truncates_and_terminates)
{
	struct kvmw_exit e = emul_exit(1, 1, (const uint8_t[]){ 0xcc }, 1, 4);
	struct kvmw_emul_failure f;
	char buf[10];
	int n;

	cr_assert_eq(kvmw_emul_failure_decode(&e, 0, &f), 0);
	n = kvmw_emul_failure_format(&f, buf, sizeof(buf));
	cr_assert_gt(n, 9);
	cr_assert_eq(strlen(buf), 9);
	cr_assert_eq(kvmw_emul_failure_format(&f, NULL, 0), n);
	cr_assert_eq(kvmw_emul_failure_format(NULL, buf, sizeof(buf)), -EINVAL);
}

Test(emul, every_limit_has_name_and_hint)
{
	for (int l = KVMW_LIMIT_NONE; l <= KVMW_LIMIT_XRSTOR; l++)
		cr_assert_str_neq(kvmw_pvm_limit_name((enum kvmw_pvm_limit)l), "?");
}

Test(emul, assist_rejects_null)
{
	struct kvmw_emul_failure f;

	memset(&f, 0, sizeof(f));
	f.limit = KVMW_LIMIT_INT3;
	f.decoded_len = 1;
	cr_assert_eq(kvmw_vcpu_pvm_assist(NULL, &f), -EINVAL);
}

/* Regression: the bytes start right after the length byte inside data[1], not at data[2]. */
Test(emul, bytes_follow_length_byte_in_data1)
{
	struct kvmw_exit e;
	struct kvmw_emul_failure f;

	memset(&e, 0, sizeof(e));
	e.reason = KVMW_EXIT_INTERNAL_ERROR;
	e.u.internal.suberror = KVM_INTERNAL_ERROR_EMULATION;
	e.u.internal.ndata = 8;
	e.u.internal.data[0] = 1;
	e.u.internal.data[1] = 0xf4cc0f;	/* as seen on kvm-pvm: len 15, cc f4 ... */
	e.u.internal.data[3] = 0x1000;
	cr_assert_eq(kvmw_emul_failure_decode(&e, 0x1000, &f), 0);
	cr_assert_eq(f.insn_len, 15);
	cr_assert_eq(f.insn[0], 0xcc);
	cr_assert_eq(f.insn[1], 0xf4);
	cr_assert_eq(f.limit, KVMW_LIMIT_INT3);
}
