// SPDX-License-Identifier: MIT
// MP table (MP spec 1.4 ch. 4): floating pointer, configuration table
// header, one processor entry per vCPU, the ISA bus, the IOAPIC, an
// interrupt entry per IOAPIC pin (overrides honoured), LINT0/LINT1, the
// checksums, and each configuration rejection.
#include <criterion/criterion.h>
#include <errno.h>

#include <loader/layout.h>
#include <loader/mptable.h>

#include "fixtures.h"

static struct vmmem_map *map;
static uint8_t t[0x2000];
static size_t used;

static void setup(void)
{
	map = fx_map(0x100000, 0);
}

static void teardown(void)
{
	vmmem_map_free(map);
}

TestSuite(mptable, .init = setup, .fini = teardown);

static const struct loader_irq_override iso[] = {
	{ .isa_irq = 0, .gsi = 2, .flags = 0 },
	{ .isa_irq = 9, .gsi = 9, .flags = LOADER_IRQ_LEVEL | LOADER_IRQ_ACTIVE_LOW },
};

static struct loader_mptable_cfg cfg(unsigned int cpus)
{
	return (struct loader_mptable_cfg){
		.cpus = cpus, .lapic_addr = LOADER_LAPIC_START,
		.ioapic_addr = LOADER_IOAPIC_START, .ioapic_id = (uint8_t)cpus,
		.ioapic_pins = LOADER_IOAPIC_PINS, .overrides = iso, .n_overrides = 2,
	};
}

static void write_and_read(const struct loader_mptable_cfg *c)
{
	cr_assert_eq(loader_mptable_write(map, LOADER_MPTABLE_START, LOADER_MPTABLE_SIZE,
					  c, &used), 0);
	cr_assert_leq(used, sizeof(t));
	cr_assert_eq(vmmem_read(map, LOADER_MPTABLE_START, t, used), 0);
}

static uint8_t sum(const uint8_t *p, size_t n)
{
	uint8_t s = 0;

	while (n--)
		s = (uint8_t)(s + *p++);
	return s;
}

static uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

Test(mptable, floating_pointer)
{
	struct loader_mptable_cfg c = cfg(2);

	write_and_read(&c);
	cr_assert_arr_eq(t, "_MP_", 4);
	cr_assert_eq(rd32(t + 4), LOADER_MPTABLE_START + 16, "config table follows");
	cr_assert_eq(t[8], 1, "one paragraph");
	cr_assert_eq(t[9], 4, "spec 1.4");
	cr_assert_eq(sum(t, 16), 0);
	cr_assert_eq(t[11], 0, "feature byte 1: config table present");
}

Test(mptable, configuration_table_header)
{
	struct loader_mptable_cfg c = cfg(2);
	const uint8_t *h = t + 16;
	uint16_t len;

	write_and_read(&c);
	len = (uint16_t)(h[4] | h[5] << 8);
	cr_assert_arr_eq(h, "PCMP", 4);
	cr_assert_eq(len, used - 16);
	cr_assert_eq(h[6], 4);
	cr_assert_eq(sum(h, len), 0);
	cr_assert_eq(rd32(h + 36), LOADER_LAPIC_START);
	/* 2 CPUs, bus, IOAPIC, 24 interrupts, 2 local interrupts */
	cr_assert_eq(h[34] | h[35] << 8, 2 + 1 + 1 + 24 + 2);
}

Test(mptable, entries)
{
	struct loader_mptable_cfg c = cfg(3);
	const uint8_t *e = t + 16 + 44, *end;
	unsigned int cpus = 0, ints = 0, lints = 0, buses = 0, ioapics = 0;

	write_and_read(&c);
	end = t + used;
	while (e < end) {
		switch (e[0]) {
		case 0:
			cr_assert_eq(e[1], cpus, "APIC ID");
			cr_assert_eq(e[3] & 1, 1, "enabled");
			cr_assert_eq((e[3] & 2) != 0, cpus == 0, "BSP flag on CPU 0 only");
			cpus++;
			e += 20;
			break;
		case 1:
			cr_assert_arr_eq(e + 2, "ISA   ", 6);
			buses++;
			e += 8;
			break;
		case 2:
			cr_assert_eq(e[1], 3);
			cr_assert_eq(e[3] & 1, 1);
			cr_assert_eq(rd32(e + 4), LOADER_IOAPIC_START);
			ioapics++;
			e += 8;
			break;
		case 3:
			cr_assert_eq(e[4], 0, "ISA bus");
			cr_assert_eq(e[5], ints, "source IRQ");
			cr_assert_eq(e[6], 3, "to the IOAPIC");
			if (ints == 0)
				cr_assert_eq(e[7], 2, "override 0 -> 2");
			else
				cr_assert_eq(e[7], ints, "identity");
			if (ints == 9)
				cr_assert_eq(e[2] | e[3] << 8, LOADER_IRQ_LEVEL | LOADER_IRQ_ACTIVE_LOW);
			ints++;
			e += 8;
			break;
		case 4:
			cr_assert_eq(e[1], lints == 0 ? 3 : 1, "ExtINT then NMI");
			cr_assert_eq(e[6], 0xff);
			cr_assert_eq(e[7], lints);
			lints++;
			e += 8;
			break;
		default:
			cr_assert_fail("entry type %u", e[0]);
		}
	}
	cr_assert_eq(e, end);
	cr_assert_eq(cpus, 3);
	cr_assert_eq(buses, 1);
	cr_assert_eq(ioapics, 1);
	cr_assert_eq(ints, LOADER_IOAPIC_PINS);
	cr_assert_eq(lints, 2);
}

Test(mptable, most_cpus_fit_the_area)
{
	struct loader_mptable_cfg c = cfg(LOADER_MPTABLE_MAX_CPUS);

	c.ioapic_id = LOADER_MPTABLE_MAX_CPUS;
	write_and_read(&c);
	cr_assert_eq(sum(t + 16, used - 16), 0);
}

Test(mptable, rejects_zero_or_too_many_cpus)
{
	struct loader_mptable_cfg c = cfg(1);

	c.cpus = 0;
	cr_assert_eq(loader_mptable_write(map, LOADER_MPTABLE_START, LOADER_MPTABLE_SIZE, &c, NULL), -EINVAL);
	c.cpus = LOADER_MPTABLE_MAX_CPUS + 1;
	c.ioapic_id = 0xfe;
	cr_assert_eq(loader_mptable_write(map, LOADER_MPTABLE_START, LOADER_MPTABLE_SIZE, &c, NULL), -EINVAL);
}

Test(mptable, rejects_ioapic_id_of_a_cpu)
{
	struct loader_mptable_cfg c = cfg(2);

	c.ioapic_id = 1;
	cr_assert_eq(loader_mptable_write(map, LOADER_MPTABLE_START, LOADER_MPTABLE_SIZE, &c, NULL), -EINVAL);
}

Test(mptable, rejects_bad_pin_count)
{
	struct loader_mptable_cfg c = cfg(2);

	c.ioapic_pins = LOADER_IOAPIC_PINS + 1;
	cr_assert_eq(loader_mptable_write(map, LOADER_MPTABLE_START, LOADER_MPTABLE_SIZE, &c, NULL), -EINVAL);
}

Test(mptable, rejects_override_beyond_the_pins)
{
	static const struct loader_irq_override bad = { .isa_irq = 3, .gsi = 40 };
	struct loader_mptable_cfg c = cfg(2);

	c.overrides = &bad;
	c.n_overrides = 1;
	cr_assert_eq(loader_mptable_write(map, LOADER_MPTABLE_START, LOADER_MPTABLE_SIZE, &c, NULL), -EINVAL);
}

Test(mptable, rejects_unaligned_address)
{
	struct loader_mptable_cfg c = cfg(2);

	cr_assert_eq(loader_mptable_write(map, LOADER_MPTABLE_START + 4, LOADER_MPTABLE_SIZE, &c, NULL), -EINVAL);
}

Test(mptable, rejects_small_area)
{
	struct loader_mptable_cfg c = cfg(2);

	cr_assert_eq(loader_mptable_write(map, LOADER_MPTABLE_START, 64, &c, NULL), -ENOSPC);
}

Test(mptable, rejects_unbacked_area)
{
	struct loader_mptable_cfg c = cfg(2);

	cr_assert_eq(loader_mptable_write(map, 0x100000 - 64, 0x1000, &c, NULL), -EFAULT);
}
