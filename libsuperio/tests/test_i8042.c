// SPDX-License-Identifier: MIT
// i8042 controller behaviour with no devices attached: each command Linux's
// i8042 driver and reboot path use, the absent-device answers, the two
// interrupt lines, reset requests, and save/restore.
#include "i8042_rig.h"

static struct line kbd, aux;
static unsigned int resets;

static void on_reset(void *ctx)
{
	(void)ctx;
	resets++;
}

static void setup(void)
{
	struct superio_i8042_config cfg = {
		.kbd_irq = { line_fn, &kbd }, .aux_irq = { line_fn, &aux },
		.reset = on_reset,
	};

	memset(&kbd, 0, sizeof(kbd));
	memset(&aux, 0, sizeof(aux));
	resets = 0;
	cr_assert_eq(superio_i8042_init(&kbc, &cfg), 0);
}

TestSuite(i8042, .init = setup);

/* i8042_command(): write the command, then read each reply once OBF shows. */
static uint8_t command_reply(uint8_t cmd)
{
	out(CMD, cmd);
	cr_assert(in(CMD) & SUPERIO_I8042_STR_OBF, "reply to %#x", cmd);
	return in(DATA);
}

static uint8_t ctr(void)
{
	return command_reply(0x20);
}

Test(i8042, status_at_power_on)
{
	cr_assert_eq(in(CMD), SUPERIO_I8042_STR_SYS | SUPERIO_I8042_STR_UNLOCK);
	cr_assert_not(kbd.level);
	cr_assert_not(aux.level);
}

Test(i8042, self_test_answers_55)
{
	cr_assert_eq(command_reply(0xaa), 0x55);
	cr_assert_eq(in(CMD) & SUPERIO_I8042_STR_OBF, 0);
}

Test(i8042, command_byte_reads_power_on_value)
{
	cr_assert_eq(ctr(), SUPERIO_I8042_CTR_KBDINT | SUPERIO_I8042_CTR_SYS |
			   SUPERIO_I8042_CTR_AUXDIS | SUPERIO_I8042_CTR_XLATE);
}

Test(i8042, command_byte_write_reads_back)
{
	out(CMD, 0x60);
	out(DATA, 0x34);
	cr_assert_eq(ctr(), 0x34);
}

Test(i8042, cmd_status_bit_tracks_last_port)
{
	out(CMD, 0x60);
	cr_assert(in(CMD) & SUPERIO_I8042_STR_CMD);
	out(DATA, 0x45);
	cr_assert_not(in(CMD) & SUPERIO_I8042_STR_CMD);
}

Test(i8042, controller_ram_bytes)
{
	out(CMD, 0x61 + 4);
	out(DATA, 0xab);
	cr_assert_eq(command_reply(0x21 + 4), 0xab);
}

Test(i8042, interface_tests_pass)
{
	cr_assert_eq(command_reply(0xab), 0x00);
	cr_assert_eq(command_reply(0xa9), 0x00);
}

Test(i8042, port_disable_enable_bits)
{
	out(CMD, 0xad);
	cr_assert(ctr() & SUPERIO_I8042_CTR_KBDDIS);
	out(CMD, 0xae);
	cr_assert_not(ctr() & SUPERIO_I8042_CTR_KBDDIS);
	out(CMD, 0xa8);
	cr_assert_not(ctr() & SUPERIO_I8042_CTR_AUXDIS);
	out(CMD, 0xa7);
	cr_assert(ctr() & SUPERIO_I8042_CTR_AUXDIS);
}

Test(i8042, password_not_installed)
{
	cr_assert_eq(command_reply(0xa4), 0xf1);
}

Test(i8042, input_and_test_ports)
{
	cr_assert_eq(command_reply(0xc0), 0x80);
	cr_assert_eq(command_reply(0xe0), 0x00);
}

Test(i8042, output_port_a20)
{
	cr_assert(superio_i8042_a20(&kbc));
	cr_assert_eq(command_reply(0xd0), 0x03);
	out(CMD, 0xd1);
	out(DATA, 0x01);
	cr_assert_not(superio_i8042_a20(&kbc));
	cr_assert_eq(command_reply(0xd0), 0x01);
	cr_assert_eq(resets, 0);
}

Test(i8042, reset_pulse_fe_calls_callback)
{
	out(CMD, 0xfe);
	cr_assert_eq(resets, 1);
}

Test(i8042, pulse_ff_pulses_nothing)
{
	out(CMD, 0xff);
	out(CMD, 0xfd);
	cr_assert_eq(resets, 0);
}

Test(i8042, pulse_f0_includes_reset_line)
{
	out(CMD, 0xf0);
	cr_assert_eq(resets, 1);
}

Test(i8042, output_port_write_with_reset_low_resets)
{
	out(CMD, 0xd1);
	out(DATA, 0x02);
	cr_assert_eq(resets, 1);
	cr_assert(superio_i8042_a20(&kbc));
}

Test(i8042, reset_without_callback_is_harmless)
{
	struct superio_i8042_config cfg = { 0 };
	struct superio_i8042_metrics m;

	cr_assert_eq(superio_i8042_init(&kbc, &cfg), 0);
	out(CMD, 0xfe);
	superio_i8042_get_metrics(&kbc, &m);
	cr_assert_eq(m.resets, 1);
}

/* Linux reboot=k: up to ten times, wait for IBF clear, then pulse reset. */
Test(i8042, reboot_k_sequence)
{
	for (int i = 0; i < 10; i++) {
		for (int spin = 0; spin < 0x10000 && (in(CMD) & SUPERIO_I8042_STR_IBF); spin++)
			;
		cr_assert_not(in(CMD) & SUPERIO_I8042_STR_IBF);
		out(CMD, 0xfe);
	}
	cr_assert_eq(resets, 10);
}

Test(i8042, byte_to_absent_keyboard_times_out)
{
	out(DATA, 0xf2); /* GET ID */
	cr_assert(kbd.level, "IRQ 1 with KBDINT set");
	cr_assert_eq(in(CMD) & (SUPERIO_I8042_STR_OBF | SUPERIO_I8042_STR_TIMEOUT | SUPERIO_I8042_STR_AUXDATA),
		     SUPERIO_I8042_STR_OBF | SUPERIO_I8042_STR_TIMEOUT);
	cr_assert_eq(in(DATA), 0xfe);
	cr_assert_not(kbd.level);
	cr_assert_not(in(CMD) & SUPERIO_I8042_STR_TIMEOUT);
}

Test(i8042, byte_to_absent_mouse_times_out_on_aux)
{
	out(CMD, 0x60);
	out(DATA, SUPERIO_I8042_CTR_AUXINT | SUPERIO_I8042_CTR_SYS);
	out(CMD, 0xd4);
	out(DATA, 0xff);
	cr_assert(aux.level);
	cr_assert_not(kbd.level);
	cr_assert_eq(in(CMD) & 0x61, 0x61);
	cr_assert_eq(in(DATA), 0xfe);
	cr_assert_not(aux.level);
}

/* i8042_check_aux(): AUX loopback echoes with AUXDATA and IRQ 12. */
Test(i8042, aux_loop_echoes_on_irq12)
{
	out(CMD, 0x60);
	out(DATA, SUPERIO_I8042_CTR_AUXINT | SUPERIO_I8042_CTR_KBDINT);
	out(CMD, 0xd3);
	out(DATA, 0x5a);
	cr_assert(aux.level);
	cr_assert_eq(in(CMD) & 0x21, 0x21);
	cr_assert_eq(in(DATA), 0x5a);
	cr_assert_not(aux.level);
}

Test(i8042, kbd_loop_echoes_on_irq1)
{
	out(CMD, 0xd2);
	out(DATA, 0x1c);
	cr_assert(kbd.level);
	cr_assert_eq(in(CMD) & 0x21, 0x01);
	cr_assert_eq(in(DATA), 0x1c);
}

Test(i8042, no_irq1_without_kbdint)
{
	out(CMD, 0x60);
	out(DATA, SUPERIO_I8042_CTR_SYS);
	out(CMD, 0xaa);
	cr_assert_not(kbd.level);
	cr_assert(in(CMD) & SUPERIO_I8042_STR_OBF);
}

Test(i8042, enabling_kbdint_with_data_waiting_raises_irq1)
{
	out(CMD, 0x60);
	out(DATA, SUPERIO_I8042_CTR_SYS);
	out(CMD, 0xd2);
	out(DATA, 0x11);
	cr_assert_not(kbd.level);
	out(CMD, 0x60);
	out(DATA, SUPERIO_I8042_CTR_SYS | SUPERIO_I8042_CTR_KBDINT);
	cr_assert(kbd.level);
}

Test(i8042, empty_buffer_rereads_last_byte)
{
	cr_assert_eq(command_reply(0xaa), 0x55);
	cr_assert_eq(in(DATA), 0x55);
	cr_assert_not(in(CMD) & SUPERIO_I8042_STR_OBF);
}

Test(i8042, replies_queue_in_order)
{
	out(CMD, 0xaa);
	out(CMD, 0xab);
	out(CMD, 0xa4);
	cr_assert_eq(in(DATA), 0x55);
	cr_assert_eq(in(DATA), 0x00);
	cr_assert_eq(in(DATA), 0xf1);
}

Test(i8042, reply_queue_is_bounded)
{
	for (int i = 0; i < 100; i++)
		out(CMD, 0xaa);
	for (unsigned int i = 0; i < SUPERIO_I8042_QUEUE; i++)
		cr_assert_eq(in(DATA), 0x55);
	cr_assert_not(in(CMD) & SUPERIO_I8042_STR_OBF);
}

Test(i8042, unknown_command_is_ignored_and_counted)
{
	struct superio_i8042_metrics m;

	out(CMD, 0x05);
	out(CMD, 0xc1);
	cr_assert_not(in(CMD) & SUPERIO_I8042_STR_OBF);
	superio_i8042_get_metrics(&kbc, &m);
	cr_assert_eq(m.unknown_commands, 2);
	cr_assert_eq(m.commands, 2);
}

Test(i8042, new_command_cancels_pending_parameter)
{
	out(CMD, 0x60);
	out(CMD, 0xaa);
	cr_assert_eq(in(DATA), 0x55);
	out(DATA, 0x00); /* now goes to the (absent) keyboard, not the command byte */
	cr_assert_eq(in(DATA), 0xfe);
	cr_assert_neq(ctr(), 0x00);
}

Test(i8042, bad_width_and_offset_are_rejected)
{
	uint32_t v = 0;

	cr_assert_eq(superio_i8042_read(&kbc, 1, 1, &v), -EINVAL);
	cr_assert_eq(v, 0xff);
	cr_assert_eq(superio_i8042_read(&kbc, 0, 2, &v), -EINVAL);
	cr_assert_eq(superio_i8042_write(&kbc, 4, 4, 0xfe), -EINVAL);
	cr_assert_eq(resets, 0);
	cr_assert_eq(superio_i8042_write(&kbc, 5, 1, 0xfe), -EINVAL);
	cr_assert_eq(superio_i8042_init(NULL, NULL), -EINVAL);
}

/*
 * Linux 6.1 i8042_controller_check/selftest/init, then the keyboard port
 * enable and atkbd's first command, as drivers/input/serio/i8042.c issues
 * them with polling (i8042_wait_write/i8042_wait_read).
 */
Test(i8042, linux_probe_sequence)
{
	uint8_t c[2];
	int n = 0, flushed = 0;

	/* i8042_flush(): read while OBF, at most I8042_BUFFER_SIZE times. */
	while ((in(CMD) & SUPERIO_I8042_STR_OBF) && flushed++ < 16)
		(void)in(DATA);
	cr_assert_lt(flushed, 16);
	/* i8042_controller_selftest() */
	cr_assert_eq(command_reply(0xaa), 0x55);
	/* i8042_controller_init(): read CTR until two reads agree */
	do {
		cr_assert_lt(n, 10);
		c[n++ % 2] = ctr();
	} while (n < 2 || c[0] != c[1]);
	c[0] &= (uint8_t)~SUPERIO_I8042_CTR_KBDINT;
	c[0] |= SUPERIO_I8042_CTR_KBDDIS;
	c[0] &= (uint8_t)~SUPERIO_I8042_CTR_AUXINT;
	c[0] |= SUPERIO_I8042_CTR_AUXDIS;
	out(CMD, 0x60);
	out(DATA, c[0]);
	/* i8042_flush() again, then read back */
	cr_assert_not(in(CMD) & SUPERIO_I8042_STR_OBF);
	cr_assert_eq(ctr(), c[0]);
	/* i8042_enable_kbd_port() */
	c[0] &= (uint8_t)~SUPERIO_I8042_CTR_KBDDIS;
	c[0] |= SUPERIO_I8042_CTR_KBDINT;
	out(CMD, 0x60);
	out(DATA, c[0]);
	cr_assert_eq(ctr(), c[0]);
	cr_assert_not(kbd.level);
	/* atkbd_probe(): ATKBD_CMD_GETID to the keyboard: answered at once, with a time-out */
	out(DATA, 0xf2);
	cr_assert(kbd.level);
	cr_assert(in(CMD) & SUPERIO_I8042_STR_TIMEOUT);
	cr_assert_eq(in(DATA), 0xfe);
	cr_assert_eq(resets, 0);
}

Test(i8042, reset_restores_power_on)
{
	out(CMD, 0x60);
	out(DATA, 0x00);
	out(CMD, 0xaa);
	superio_i8042_reset(&kbc);
	cr_assert_eq(in(CMD), SUPERIO_I8042_STR_SYS | SUPERIO_I8042_STR_UNLOCK);
	cr_assert_eq(ctr() & SUPERIO_I8042_CTR_KBDINT, SUPERIO_I8042_CTR_KBDINT);
}

Test(i8042, save_restore_round_trip_raises_pending_irq)
{
	struct superio_i8042 other;
	struct line kbd2 = { 0 };
	struct superio_i8042_config cfg = { .kbd_irq = { line_fn, &kbd2 } };
	struct superio_i8042_state st;

	out(CMD, 0xab);
	out(CMD, 0xa4);
	out(CMD, 0xd1); /* pending parameter */
	superio_i8042_save(&kbc, &st);
	cr_assert_eq(superio_i8042_init(&other, &cfg), 0);
	cr_assert_eq(superio_i8042_restore(&other, &st), 0);
	cr_assert(kbd2.level);
	kbc = other;
	out(DATA, 0x03); /* the restored pending D1 takes it */
	cr_assert_eq(in(DATA), 0x00);
	cr_assert_eq(in(DATA), 0xf1);
	cr_assert_eq(command_reply(0xd0), 0x03);
}

/* Both lines: the interrupt controller must see a raised line fall. */
Test(i8042, restore_of_quiet_state_lowers_a_raised_line)
{
	struct superio_i8042_state quiet;

	superio_i8042_save(&kbc, &quiet);
	out(CMD, 0xab); /* the reply raises IRQ 1 */
	cr_assert(kbd.level);
	cr_assert_eq(superio_i8042_restore(&kbc, &quiet), 0);
	cr_assert_eq(kbd.falls, 1, "IRQ 1 fell");
	cr_assert_not(kbd.level);
	out(CMD, 0x60);
	out(DATA, SUPERIO_I8042_CTR_AUXINT | SUPERIO_I8042_CTR_KBDINT);
	out(CMD, 0xd3);
	out(DATA, 0x42); /* an AUX byte raises IRQ 12 */
	cr_assert(aux.level);
	aux.falls = 0;
	cr_assert_eq(superio_i8042_restore(&kbc, &quiet), 0);
	cr_assert_eq(aux.falls, 1, "IRQ 12 fell");
	cr_assert_not(aux.level);
}

/* Each rejection path on its own: a saved state with one field made impossible. */
#define REFUSE(name, corrupt)                                               \
	Test(i8042, restore_refuses_##name)                                 \
	{                                                                   \
		struct superio_i8042_state st;                              \
		superio_i8042_save(&kbc, &st);                              \
		corrupt;                                                    \
		cr_assert_eq(superio_i8042_restore(&kbc, &st), -EINVAL);    \
		cr_assert_eq(in(CMD), SUPERIO_I8042_STR_SYS | SUPERIO_I8042_STR_UNLOCK); \
	}

REFUSE(unknown_version, st.version = 7)
REFUSE(queue_overlong, st.qlen = SUPERIO_I8042_QUEUE + 1)
REFUSE(queue_flag_bits, (st.qlen = 1, st.qflags[0] = 0x01))
REFUSE(derived_status_bits, st.status = SUPERIO_I8042_STR_OBF)
REFUSE(pending_command_without_parameter, st.pending_cmd = 0xaa)
REFUSE(reset_line_held_low, st.outport = 0x02)

Test(i8042, restore_refuses_null)
{
	cr_assert_eq(superio_i8042_restore(&kbc, NULL), -EINVAL);
}

/*
 * Each queued reply is its own OBF: IRQ 1 falls when one is read and
 * rises for the next, so an edge-triggered line sees every byte (before
 * 0.2 the line stayed high across the whole queue).
 */
Test(i8042, each_queued_byte_gets_its_own_irq1_edge)
{
	out(CMD, 0xd2);
	out(DATA, 0x11);
	out(CMD, 0xd2);
	out(DATA, 0x22);
	cr_assert_eq(kbd.rises, 1);
	cr_assert_eq(in(DATA), 0x11);
	cr_assert_eq(kbd.rises, 2);
	cr_assert(kbd.level);
	cr_assert_eq(in(DATA), 0x22);
	cr_assert_not(kbd.level);
	cr_assert_eq(kbd.falls, 2);
}
