// SPDX-License-Identifier: MIT
// Emulation-failure reports for kvm-pvm (docs/kvm-pvm.md).  KVM reports an
// emulation failure as KVM_EXIT_INTERNAL_ERROR, suberror
// KVM_INTERNAL_ERROR_EMULATION, with the kvm_run.emulation_failure layout
// (api.rst 5): data[0] is the flags word, then a 16-byte area over
// data[1..2] whose first byte is the instruction length and whose other 15
// bytes are the instruction.  The classifier recognises the instructions kvm-pvm's emulator is
// known to reject at CPL0 from their encodings (Intel SDM vol. 2: INT3 CC,
// INT imm8 CD ib, FWAIT 9B, CLAC 0F 01 CA, POPCNT F3 0F B8 /r, CMPXCHG16B
// REX.W 0F C7 /1, XRSTOR 0F AE /5, XRSTORS 0F C7 /3).
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <kvmwrap/host.h>
#include <kvmwrap/vcpu.h>

static bool is_legacy_prefix(uint8_t b)
{
	switch (b) {
	case 0xf0: case 0xf2: case 0xf3: case 0x2e: case 0x36: case 0x3e:
	case 0x26: case 0x64: case 0x65: case 0x66: case 0x67:
		return true;
	default:
		return false;
	}
}

/* Bytes taken by ModRM, SIB and displacement (32/64-bit addressing), or 0 if truncated. */
static size_t modrm_len(const uint8_t *p, size_t avail)
{
	uint8_t mod, rm;
	size_t n = 1;

	if (avail < 1)
		return 0;
	mod = p[0] >> 6;
	rm = p[0] & 7;
	if (mod == 3)
		return 1;
	if (rm == 4) {
		if (avail < 2)
			return 0;
		n++;
		if (mod == 0 && (p[1] & 7) == 5)
			n += 4;
	} else if (mod == 0 && rm == 5) {
		n += 4;	/* RIP-relative or disp32 */
	}
	n += mod == 1 ? 1 : mod == 2 ? 4 : 0;
	return n <= avail ? n : 0;
}

struct insn_ctx {
	const uint8_t *b;
	size_t len;
	size_t op;	/* index of the first opcode byte */
	bool rep;	/* F3 seen */
	bool rex_w;
};

static size_t skip_prefixes(struct insn_ctx *c)
{
	size_t i = 0;

	while (i < c->len && i < KVMW_INSN_MAX && is_legacy_prefix(c->b[i])) {
		c->rep |= c->b[i] == 0xf3;
		i++;
	}
	if (i < c->len && (c->b[i] & 0xf0) == 0x40) {
		c->rex_w = (c->b[i] & 0x08) != 0;
		i++;
	}
	return i;
}

/* Classifies a two-byte (0F xx) opcode with a memory ModRM; sets *len. */
static enum kvmw_pvm_limit classify_0f(const struct insn_ctx *c, uint8_t *len)
{
	size_t i = c->op + 1, m;
	uint8_t op2, reg, mod;

	if (i >= c->len)
		return KVMW_LIMIT_NONE;
	op2 = c->b[i];
	if (op2 == 0x01 && i + 1 < c->len && c->b[i + 1] == 0xca) {
		*len = (uint8_t)(i + 2);
		return KVMW_LIMIT_CLAC;
	}
	if (i + 1 >= c->len)
		return KVMW_LIMIT_NONE;
	m = modrm_len(&c->b[i + 1], c->len - i - 1);
	if (m == 0 || i + 1 + m > KVMW_INSN_MAX)
		return KVMW_LIMIT_NONE;
	reg = (c->b[i + 1] >> 3) & 7;
	mod = c->b[i + 1] >> 6;
	*len = (uint8_t)(i + 1 + m);
	if (op2 == 0xb8 && c->rep)
		return KVMW_LIMIT_POPCNT;
	if (op2 == 0xc7 && reg == 1 && mod != 3 && c->rex_w)
		return KVMW_LIMIT_CMPXCHG16B;
	if ((op2 == 0xae && reg == 5 && mod != 3) || (op2 == 0xc7 && reg == 3 && mod != 3))
		return KVMW_LIMIT_XRSTOR;
	*len = 0;
	return KVMW_LIMIT_NONE;
}

enum kvmw_pvm_limit kvmw_pvm_classify(const uint8_t *insn, size_t len, uint8_t *insn_len,
				      uint8_t *vector)
{
	struct insn_ctx c = { .b = insn, .len = len < KVMW_INSN_MAX ? len : KVMW_INSN_MAX };
	enum kvmw_pvm_limit lim = KVMW_LIMIT_NONE;
	uint8_t l = 0, vec = 0;

	if (insn && c.len) {
		c.op = skip_prefixes(&c);
		if (c.op < c.len) {
			switch (insn[c.op]) {
			case 0xcc:
				lim = KVMW_LIMIT_INT3;
				l = (uint8_t)(c.op + 1);
				break;
			case 0xcd:
				if (c.op + 1 < c.len) {
					lim = KVMW_LIMIT_INT_N;
					vec = insn[c.op + 1];
					l = (uint8_t)(c.op + 2);
				}
				break;
			case 0x9b:
				lim = KVMW_LIMIT_FWAIT;
				l = (uint8_t)(c.op + 1);
				break;
			case 0x0f:
				lim = classify_0f(&c, &l);
				break;
			default:
				break;
			}
		}
	}
	if (insn_len)
		*insn_len = l;
	if (vector)
		*vector = vec;
	return lim;
}

const char *kvmw_pvm_limit_name(enum kvmw_pvm_limit limit)
{
	switch (limit) {
	case KVMW_LIMIT_NONE: return "unrecognised";
	case KVMW_LIMIT_INT3: return "int3";
	case KVMW_LIMIT_INT_N: return "int n";
	case KVMW_LIMIT_FWAIT: return "fwait";
	case KVMW_LIMIT_CLAC: return "clac";
	case KVMW_LIMIT_POPCNT: return "popcnt";
	case KVMW_LIMIT_CMPXCHG16B: return "cmpxchg16b";
	case KVMW_LIMIT_XRSTOR: return "xrstor";
	}
	return "?";
}

static const char *limit_hint(enum kvmw_pvm_limit limit)
{
	switch (limit) {
	case KVMW_LIMIT_INT3:
		return "kvm-pvm cannot emulate int3 at CPL0; advance RIP past it and inject #BP "
		       "(KVM_SET_VCPU_EVENTS exception.injected=1 nr=3), see kvmw_vcpu_pvm_assist()";
	case KVMW_LIMIT_INT_N:
		return "kvm-pvm cannot emulate INT n at CPL0; advance RIP past it and inject a soft "
		       "interrupt (interrupt.injected=1 soft=1 nr=n), see kvmw_vcpu_pvm_assist()";
	case KVMW_LIMIT_FWAIT:
		return "kvm-pvm cannot emulate fwait; skip it (advance RIP by its length), "
		       "see kvmw_vcpu_pvm_assist()";
	case KVMW_LIMIT_CLAC:
		return "kvm-pvm cannot emulate clac (SMAP); boot the guest with clearcpuid=smap";
	case KVMW_LIMIT_POPCNT:
		return "kvm-pvm cannot emulate popcnt at CPL0; boot the guest with clearcpuid=popcnt";
	case KVMW_LIMIT_CMPXCHG16B:
		return "kvm-pvm cannot emulate cmpxchg16b at CPL0; boot the guest with clearcpuid=cx16";
	case KVMW_LIMIT_XRSTOR:
		return "kvm-pvm cannot emulate xrstor at CPL0; boot the guest with noxsave";
	case KVMW_LIMIT_NONE:
		break;
	}
	return "not a known kvm-pvm limit; inspect the guest registers and disassemble the bytes";
}

/* Bytes of the 16-byte length+bytes area that the exit's ndata actually covers. */
static size_t reported_area(uint32_t ndata)
{
	if (ndata < 2)
		return 0;
	return ndata >= 3 ? 16 : 8;
}

int kvmw_emul_failure_decode(const struct kvmw_exit *exit, uint64_t rip,
			     struct kvmw_emul_failure *out)
{
	const struct kvmw_exit_internal *in;
	uint8_t area[16];
	size_t have;
	uint8_t n;

	if (!exit || !out || exit->reason != KVMW_EXIT_INTERNAL_ERROR)
		return -EINVAL;
	in = &exit->u.internal;
	if (in->suberror != KVM_INTERNAL_ERROR_EMULATION)
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	out->rip = rip;
	have = reported_area(in->ndata);
	out->bytes_valid = have > 0 && in->ndata <= 16 &&
			   (in->data[0] & KVM_INTERNAL_ERROR_EMULATION_FLAG_INSTRUCTION_BYTES);
	if (out->bytes_valid) {
		memcpy(area, &in->data[1], sizeof(area));
		/* Never trust the length beyond the words actually reported. */
		n = area[0];
		if (n > KVMW_INSN_MAX)
			n = KVMW_INSN_MAX;
		if (n > have - 1)
			n = (uint8_t)(have - 1);
		memcpy(out->insn, &area[1], n);
		out->insn_len = n;
		out->limit = kvmw_pvm_classify(out->insn, n, &out->decoded_len, &out->int_vector);
	}
	out->hint = limit_hint(out->limit);
	return 0;
}

int kvmw_emul_failure_format(const struct kvmw_emul_failure *f, char *buf, size_t size)
{
	char bytes[3 * KVMW_INSN_MAX + 1] = "";
	size_t pos = 0;

	if (!f || (!buf && size))
		return -EINVAL;
	for (uint8_t i = 0; i < f->insn_len && i < KVMW_INSN_MAX; i++)
		pos += (size_t)snprintf(bytes + pos, sizeof(bytes) - pos, i ? " %02x" : "%02x",
					f->insn[i]);
	return snprintf(buf, size, "emulation failure at RIP 0x%llx: bytes %s (%s): %s",
			(unsigned long long)f->rip, f->bytes_valid ? bytes : "not reported",
			kvmw_pvm_limit_name(f->limit), f->hint ? f->hint : limit_hint(f->limit));
}

int kvmw_vcpu_pvm_assist(struct kvmw_vcpu *vcpu, const struct kvmw_emul_failure *f)
{
	struct kvm_regs regs;
	struct kvm_vcpu_events ev;
	int r;

	if (!vcpu || !f)
		return -EINVAL;
	if (f->limit != KVMW_LIMIT_INT3 && f->limit != KVMW_LIMIT_INT_N &&
	    f->limit != KVMW_LIMIT_FWAIT)
		return -ENOTSUP;
	if (f->decoded_len == 0 || f->decoded_len > KVMW_INSN_MAX)
		return -EINVAL;
	if ((r = kvmw_vcpu_get_regs(vcpu, &regs)))
		return r;
	if (regs.rip != f->rip)
		return -EINVAL;
	regs.rip += f->decoded_len;
	if ((r = kvmw_vcpu_set_regs(vcpu, &regs)))
		return r;
	if (f->limit == KVMW_LIMIT_FWAIT)
		return 0;
	if ((r = kvmw_vcpu_get_events(vcpu, &ev)))
		return r;
	if (f->limit == KVMW_LIMIT_INT3) {
		ev.exception.injected = 1;
		ev.exception.nr = 3;
		ev.exception.has_error_code = 0;
	} else {
		ev.interrupt.injected = 1;
		ev.interrupt.nr = f->int_vector;
		ev.interrupt.soft = 1;
	}
	/* Only the exception/interrupt fields are meant; leave NMI/SIPI/SMM state alone. */
	ev.flags = 0;
	return kvmw_vcpu_set_events(vcpu, &ev);
}
