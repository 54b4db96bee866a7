// SPDX-License-Identifier: MIT
// The PS/2 keyboard behind the i8042 (kbd_present): each command and
// argument path of the IBM PS/2 keyboard technical reference that Linux's
// atkbd driver uses, host injection and its bounds, set 2 -> set 1
// translation under the command byte's XLATE bit, IRQ 1 per byte, and
// save/restore of the keyboard state.
//
// Expected bytes come from the scan code tables (OSDev "PS/2 Keyboard",
// scan code sets 1 and 2): Left Ctrl is 14 in set 2 and 1D in set 1, Left
// Alt 11 / 38, Delete E0 71 / E0 53.  A set 2 break is F0 before the code
// (after any E0); a set 1 break is the make code with bit 7 set.
#include "i8042_rig.h"

#define CTR_RAW (SUPERIO_I8042_CTR_KBDINT | SUPERIO_I8042_CTR_SYS | SUPERIO_I8042_CTR_AUXDIS)
#define CTR_XLATE (CTR_RAW | SUPERIO_I8042_CTR_XLATE)

static struct line kbd;

static void setup(void)
{
	struct superio_i8042_config cfg = { .kbd_irq = { line_fn, &kbd }, .kbd_present = true };

	memset(&kbd, 0, sizeof(kbd));
	cr_assert_eq(superio_i8042_init(&kbc, &cfg), 0);
}

TestSuite(i8042_kbd, .init = setup);

static void set_ctr(uint8_t v)
{
	out(CMD, 0x60);
	out(DATA, v);
}

static bool obf(void)
{
	return in(CMD) & SUPERIO_I8042_STR_OBF;
}

/* Reads exactly the n bytes expected, each with OBF and no TIMEOUT, then nothing more. */
static void expect(const uint8_t *bytes, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		uint8_t st = in(CMD);

		cr_assert(st & SUPERIO_I8042_STR_OBF, "byte %zu of %zu missing", i, n);
		cr_assert_not(st & (SUPERIO_I8042_STR_TIMEOUT | SUPERIO_I8042_STR_AUXDATA));
		cr_assert_eq(in(DATA), bytes[i], "byte %zu: want %#x", i, bytes[i]);
	}
	cr_assert_not(obf(), "more than %zu bytes", n);
}

#define EXPECT(...)                                             \
	do {                                                    \
		const uint8_t want_[] = { __VA_ARGS__ };        \
		expect(want_, sizeof(want_));                   \
	} while (0)

/* A byte to the keyboard that it acknowledges, and nothing else. */
static void acked(uint8_t v)
{
	out(DATA, v);
	EXPECT(0xfa);
}

static void push(const uint8_t *b, size_t n)
{
	cr_assert_eq(superio_i8042_kbd_push(&kbc, b, n), 0);
}

static struct superio_i8042_state saved(void)
{
	struct superio_i8042_state st;

	superio_i8042_save(&kbc, &st);
	return st;
}

/* ---- commands --------------------------------------------------------- */

Test(i8042_kbd, reset_acks_then_passes_self_test)
{
	out(DATA, 0xff);
	EXPECT(0xfa, 0xaa);
}

Test(i8042_kbd, identify_untranslated_is_ab83)
{
	set_ctr(CTR_RAW);
	out(DATA, 0xf2);
	EXPECT(0xfa, 0xab, 0x83);
}

/* The controller translates replies too: 0x83 is F7 in set 2, 0x41 in set 1. */
Test(i8042_kbd, identify_translated_is_ab41)
{
	out(DATA, 0xf2);
	EXPECT(0xfa, 0xab, 0x41);
}

Test(i8042_kbd, scan_set_get_returns_2)
{
	set_ctr(CTR_RAW);
	acked(0xf0);
	out(DATA, 0x00);
	EXPECT(0xfa, 0x02);
}

Test(i8042_kbd, scan_set_2_accepted)
{
	out(DATA, 0xf0);
	out(DATA, 0x02);
	EXPECT(0xfa, 0xfa);
	cr_assert_eq(saved().kbd_set, 2);
}

Test(i8042_kbd, scan_sets_1_and_3_refused_set_stays_2)
{
	set_ctr(CTR_RAW);
	out(DATA, 0xf0);
	out(DATA, 0x01);
	EXPECT(0xfa, 0xfe);
	out(DATA, 0xf0);
	out(DATA, 0x03);
	EXPECT(0xfa, 0xfe);
	out(DATA, 0xf0);
	out(DATA, 0x00);
	EXPECT(0xfa, 0xfa, 0x02);
}

Test(i8042_kbd, scan_set_out_of_range_refused)
{
	out(DATA, 0xf0);
	out(DATA, 0x04);
	EXPECT(0xfa, 0xfe);
}

Test(i8042_kbd, set_leds_acks_command_and_argument)
{
	acked(0xed);
	cr_assert_eq(saved().kbd_pending, 0xed, "waits for its argument");
	acked(0x07);
	cr_assert_eq(saved().kbd_leds, 0x07);
	cr_assert_eq(saved().kbd_pending, 0);
}

Test(i8042_kbd, set_leds_reserved_bits_refused)
{
	out(DATA, 0xed);
	out(DATA, 0x08);
	EXPECT(0xfa, 0xfe);
	cr_assert_eq(saved().kbd_leds, 0);
}

Test(i8042_kbd, typematic_acks_command_and_argument)
{
	out(DATA, 0xf3);
	out(DATA, 0x00); /* atkbd's "fastest" rate */
	EXPECT(0xfa, 0xfa);
	cr_assert_eq(saved().kbd_typematic, 0x00);
}

Test(i8042_kbd, typematic_bit7_refused)
{
	out(DATA, 0xf3);
	out(DATA, 0x80);
	EXPECT(0xfa, 0xfe);
	cr_assert_eq(saved().kbd_typematic, 0x2b);
}

Test(i8042_kbd, command_in_place_of_argument_runs)
{
	out(DATA, 0xed);
	out(DATA, 0xee);
	EXPECT(0xfa, 0xee);
	cr_assert_eq(saved().kbd_pending, 0);
}

Test(i8042_kbd, echo_answers_ee_without_ack)
{
	out(DATA, 0xee);
	EXPECT(0xee);
}

Test(i8042_kbd, resend_repeats_last_byte_sent)
{
	set_ctr(CTR_RAW);
	out(DATA, 0xf2);
	EXPECT(0xfa, 0xab, 0x83);
	out(DATA, 0xfe);
	EXPECT(0x83);
}

Test(i8042_kbd, resend_before_anything_repeats_power_on_bat)
{
	out(DATA, 0xfe);
	EXPECT(0xaa);
}

Test(i8042_kbd, unknown_commands_answered_fe)
{
	out(DATA, 0xea);
	EXPECT(0xfe);
	out(DATA, 0xf7); /* a set 3 key-type command */
	EXPECT(0xfe);
	out(DATA, 0x12);
	EXPECT(0xfe);
}

Test(i8042_kbd, no_timeout_with_keyboard_present)
{
	struct superio_i8042_metrics m;

	out(DATA, 0xf4);
	cr_assert_not(in(CMD) & SUPERIO_I8042_STR_TIMEOUT);
	EXPECT(0xfa);
	superio_i8042_get_metrics(&kbc, &m);
	cr_assert_eq(m.device_timeouts, 0);
	cr_assert_eq(m.kbd_commands, 1);
}

Test(i8042_kbd, disable_drops_injected_keys)
{
	const uint8_t a[] = { 0x1c, 0xf0, 0x1c };
	struct superio_i8042_metrics m;

	acked(0xf5);
	cr_assert_eq(superio_i8042_kbd_push(&kbc, a, sizeof(a)), -EAGAIN);
	cr_assert_not(obf());
	superio_i8042_get_metrics(&kbc, &m);
	cr_assert_eq(m.kbd_dropped, 3);
	cr_assert_eq(m.kbd_injected, 0);
	acked(0xf4);
	push(a, sizeof(a));
	EXPECT(0x1e, 0x9e);
}

Test(i8042_kbd, disable_and_default_restore_typematic)
{
	acked(0xf3);
	acked(0x00);
	acked(0xf6);
	cr_assert_eq(saved().kbd_typematic, 0x2b);
	cr_assert_eq(saved().kbd_scanning, 1, "F6 does not stop scanning");
	acked(0xf3);
	acked(0x00);
	acked(0xf5);
	cr_assert_eq(saved().kbd_typematic, 0x2b);
	cr_assert_eq(saved().kbd_scanning, 0);
}

Test(i8042_kbd, reset_reenables_scanning_and_clears_leds)
{
	acked(0xed);
	acked(0x04);
	acked(0xf5);
	cr_assert_eq(saved().kbd_leds, 4);
	out(DATA, 0xff);
	EXPECT(0xfa, 0xaa);
	cr_assert_eq(saved().kbd_scanning, 1);
	cr_assert_eq(saved().kbd_leds, 0);
}

/* CTR KBDDIS inhibits the clock: keys wait in the keyboard, nothing is lost. */
Test(i8042_kbd, inhibited_interface_holds_keys)
{
	const uint8_t a[] = { 0x1c };

	set_ctr(CTR_XLATE | SUPERIO_I8042_CTR_KBDDIS);
	push(a, 1);
	cr_assert_not(obf());
	cr_assert_not(kbd.level);
	out(CMD, 0xae); /* enable the keyboard interface */
	cr_assert(kbd.level);
	EXPECT(0x1e);
}

/* Keys held while inhibited are the ones F5 then discards (atkbd's probe). */
Test(i8042_kbd, disable_discards_held_keys_and_counts_them)
{
	const uint8_t a[] = { 0x1c, 0xf0, 0x1c };
	struct superio_i8042_metrics m;

	out(CMD, 0xad);
	push(a, sizeof(a));
	out(DATA, 0xf5);
	out(CMD, 0xae);
	EXPECT(0xfa);
	superio_i8042_get_metrics(&kbc, &m);
	cr_assert_eq(m.kbd_injected, 3);
	cr_assert_eq(m.kbd_dropped, 3);
}

/* A reply goes before scan codes the keyboard still holds. */
Test(i8042_kbd, command_reply_overtakes_held_keys)
{
	const uint8_t a[] = { 0x1c };

	out(CMD, 0xad);
	push(a, 1);
	out(DATA, 0xee);
	out(CMD, 0xae);
	EXPECT(0xee, 0x1e);
}

/* ---- injection -------------------------------------------------------- */

Test(i8042_kbd, ctrl_alt_del_untranslated_is_set2)
{
	set_ctr(CTR_RAW);
	cr_assert_eq(superio_i8042_send_ctrl_alt_del(&kbc), 0);
	EXPECT(0x14, 0x11, 0xe0, 0x71, 0xe0, 0xf0, 0x71, 0xf0, 0x11, 0xf0, 0x14);
}

/* F0 is folded into bit 7; E0 passes: 1D 38 E0 53, then E0 D3, B8, 9D. */
Test(i8042_kbd, ctrl_alt_del_translated_is_set1)
{
	struct superio_i8042_metrics m;

	cr_assert_eq(superio_i8042_send_ctrl_alt_del(&kbc), 0);
	EXPECT(0x1d, 0x38, 0xe0, 0x53, 0xe0, 0xd3, 0xb8, 0x9d);
	superio_i8042_get_metrics(&kbc, &m);
	cr_assert_eq(m.kbd_injected, 11);
}

/* Spot checks of the table: Esc 76->01, A 1C->1E, F7 83->41, Alt+SysRq 84->54, 00->FF. */
Test(i8042_kbd, translation_table_spot_checks)
{
	const uint8_t keys[] = { 0x76, 0x1c, 0x83, 0x84, 0x00, 0xe1, 0x14, 0x77 };

	push(keys, sizeof(keys));
	EXPECT(0x01, 0x1e, 0x41, 0x54, 0xff, 0xe1, 0x1d, 0x45);
}

Test(i8042_kbd, translation_follows_ctr_when_byte_crosses)
{
	const uint8_t a[] = { 0x1c };

	out(CMD, 0xad);
	push(a, 1); /* held in the keyboard while XLATE is still set */
	set_ctr(CTR_RAW); /* enables the interface: the byte crosses untranslated */
	EXPECT(0x1c);
	set_ctr(CTR_XLATE | SUPERIO_I8042_CTR_KBDDIS);
	push(a, 1);
	set_ctr(CTR_XLATE);
	EXPECT(0x1e);
}

Test(i8042_kbd, break_prefix_survives_across_pushes)
{
	const uint8_t brk[] = { 0xf0 }, a[] = { 0x1c };

	push(brk, 1);
	cr_assert_not(obf(), "F0 alone gives nothing when translating");
	push(a, 1);
	EXPECT(0x9e);
}

Test(i8042_kbd, queue_full_refuses_whole_push)
{
	uint8_t many[SUPERIO_I8042_KBD_QUEUE + 1];
	struct superio_i8042_metrics m;

	memset(many, 0x1c, sizeof(many));
	out(CMD, 0xad); /* hold everything in the keyboard */
	cr_assert_eq(superio_i8042_kbd_push(&kbc, many, sizeof(many)), -ENOSPC);
	push(many, SUPERIO_I8042_KBD_QUEUE - 1);
	cr_assert_eq(superio_i8042_kbd_push(&kbc, many, 2), -ENOSPC);
	push(many, 1);
	cr_assert_eq(superio_i8042_send_ctrl_alt_del(&kbc), -ENOSPC);
	superio_i8042_get_metrics(&kbc, &m);
	cr_assert_eq(m.kbd_full, 3);
	cr_assert_eq(m.kbd_injected, SUPERIO_I8042_KBD_QUEUE);
	out(CMD, 0xae);
	for (unsigned int i = 0; i < SUPERIO_I8042_KBD_QUEUE; i++)
		cr_assert_eq(in(DATA), 0x1e);
	cr_assert_not(obf());
	cr_assert_eq(superio_i8042_send_ctrl_alt_del(&kbc), 0);
}

Test(i8042_kbd, push_argument_checks)
{
	struct superio_i8042 bare;
	struct superio_i8042_config cfg = { 0 };

	cr_assert_eq(superio_i8042_kbd_push(NULL, (const uint8_t *)"", 1), -EINVAL);
	cr_assert_eq(superio_i8042_kbd_push(&kbc, NULL, 1), -EINVAL);
	cr_assert_eq(superio_i8042_kbd_push(&kbc, NULL, 0), 0);
	cr_assert_not(obf());
	cr_assert_eq(superio_i8042_init(&bare, &cfg), 0);
	cr_assert_eq(superio_i8042_send_ctrl_alt_del(&bare), -ENODEV);
	cr_assert_eq(superio_i8042_send_ctrl_alt_del(NULL), -EINVAL);
}

/* A key byte already in the output buffer keeps its place before later replies. */
Test(i8042_kbd, key_in_output_buffer_goes_before_later_reply)
{
	const uint8_t a[] = { 0x1c, 0xf0, 0x1c };

	push(a, sizeof(a));
	out(CMD, 0xaa);
	EXPECT(0x1e, 0x55, 0x9e);
}

/*
 * While the controller's own replies wait, the keyboard cannot send (an
 * 8042 inhibits it while its buffer is busy): replies go first.
 */
Test(i8042_kbd, controller_replies_go_before_held_keys)
{
	const uint8_t a[] = { 0x1c, 0xf0, 0x1c };

	out(CMD, 0xaa);
	push(a, sizeof(a));
	out(CMD, 0xa4);
	EXPECT(0x55, 0xf1, 0x1e, 0x9e);
}

/*
 * A keyboard command is answered after the previous reply was read (as
 * atkbd waits for each ACK); one sent before that replaces the reply the
 * keyboard could not send yet.
 */
Test(i8042_kbd, unsent_reply_replaced_by_next_command)
{
	out(CMD, 0xaa);
	out(DATA, 0xf2);
	out(DATA, 0xee);
	EXPECT(0x55, 0xee);
}

/* ---- IRQ 1 ------------------------------------------------------------ */

/* i8042_interrupt() reads one byte per interrupt: each needs its own edge. */
Test(i8042_kbd, irq1_rises_once_per_byte)
{
	unsigned int bytes = 0;

	cr_assert_eq(superio_i8042_send_ctrl_alt_del(&kbc), 0);
	cr_assert_eq(kbd.rises, 1);
	while (kbd.level) {
		(void)in(DATA);
		bytes++;
		cr_assert_eq(kbd.rises, bytes + (kbd.level ? 1u : 0u));
	}
	cr_assert_eq(bytes, 8);
	cr_assert_eq(kbd.falls, 8);
}

Test(i8042_kbd, no_irq1_without_kbdint)
{
	set_ctr(CTR_XLATE & ~SUPERIO_I8042_CTR_KBDINT);
	cr_assert_eq(superio_i8042_send_ctrl_alt_del(&kbc), 0);
	cr_assert(obf());
	cr_assert_eq(kbd.rises, 0);
	set_ctr(CTR_XLATE);
	cr_assert(kbd.level, "the waiting byte interrupts once KBDINT is set");
}

/* ---- Linux -------------------------------------------------------------- */

/*
 * Linux 6.1: i8042_controller_init() leaves XLATE as found and marks the
 * port SERIO_8042_XL; atkbd_probe() sends GETID and F5, atkbd_activate()
 * F4, and the LED/repeat work sends ED and F3.  Then the injected
 * Ctrl+Alt+Del arrives one byte per interrupt, in set 1.
 */
Test(i8042_kbd, linux_atkbd_probe_then_ctrl_alt_del)
{
	uint8_t c = CTR_XLATE;
	uint8_t got[8];
	unsigned int n = 0;

	set_ctr((uint8_t)((c & ~SUPERIO_I8042_CTR_KBDINT) | SUPERIO_I8042_CTR_KBDDIS));
	cr_assert_eq(superio_i8042_send_ctrl_alt_del(&kbc), 0); /* early: held, then discarded by F5 */
	set_ctr(c);
	/* the held bytes now arrive; i8042_flush()-style drain */
	while (obf())
		(void)in(DATA);
	out(DATA, 0xf2);
	EXPECT(0xfa, 0xab, 0x41);
	acked(0xf5);
	acked(0xf4);
	acked(0xed);
	acked(0x00);
	acked(0xf3);
	acked(0x00);
	kbd.rises = 0;
	cr_assert_eq(superio_i8042_send_ctrl_alt_del(&kbc), 0);
	while (kbd.level && n < 8) {
		uint8_t st = in(CMD);

		cr_assert(st & SUPERIO_I8042_STR_OBF);
		got[n++] = in(DATA);
	}
	cr_assert_eq(n, 8);
	cr_assert_eq(kbd.rises, 8);
	cr_assert_arr_eq(got, ((uint8_t[]){ 0x1d, 0x38, 0xe0, 0x53, 0xe0, 0xd3, 0xb8, 0x9d }), 8);
}

/* ---- reset, save/restore ---------------------------------------------- */

Test(i8042_kbd, device_reset_powers_keyboard_on)
{
	out(DATA, 0xf5);
	out(DATA, 0xed);
	superio_i8042_reset(&kbc);
	cr_assert_not(obf());
	cr_assert_eq(saved().kbd_scanning, 1);
	cr_assert_eq(saved().kbd_pending, 0);
}

static struct line kbd2;

/* Restores st into a fresh keyboard-equipped controller and makes it the one under test. */
static void restore_fresh(const struct superio_i8042_state *st)
{
	struct superio_i8042 other;
	struct superio_i8042_config cfg = { .kbd_irq = { line_fn, &kbd2 }, .kbd_present = true };

	memset(&kbd2, 0, sizeof(kbd2));
	cr_assert_eq(superio_i8042_init(&other, &cfg), 0);
	cr_assert_eq(superio_i8042_restore(&other, st), 0);
	kbc = other;
}

Test(i8042_kbd, save_restore_round_trip)
{
	struct superio_i8042_state st;
	const uint8_t a[] = { 0x14, 0x1c };

	acked(0xf3);
	acked(0x05);
	out(CMD, 0xad);
	push(a, 2); /* held in the keyboard */
	out(DATA, 0xed); /* ACK held too; ED waits for its argument */
	out(CMD, 0xaa); /* a controller reply waiting, IRQ 1 up */
	superio_i8042_save(&kbc, &st);
	cr_assert_eq(st.version, 2);
	cr_assert_eq(st.kbd_flen, 2);
	cr_assert_eq(st.kbd_rlen, 1);
	restore_fresh(&st);
	cr_assert(kbd2.level, "the waiting reply interrupts after restore");
	cr_assert_eq(saved().kbd_typematic, 0x05);
	EXPECT(0x55);
	out(CMD, 0xae);
	EXPECT(0xfa, 0x1d, 0x1e); /* ED's ACK, then the held keys */
	out(DATA, 0x02); /* the restored pending ED takes it */
	EXPECT(0xfa);
	cr_assert_eq(saved().kbd_leds, 0x02);
}

Test(i8042_kbd, save_restore_keeps_pending_break)
{
	struct superio_i8042_state st;
	const uint8_t brk[] = { 0xf0 }, a[] = { 0x1c };

	push(brk, 1);
	superio_i8042_save(&kbc, &st);
	cr_assert_eq(st.xlate_break, 1);
	restore_fresh(&st);
	push(a, 1);
	EXPECT(0x9e);
}

Test(i8042_kbd, restore_version_1_keyboard_at_power_on)
{
	struct superio_i8042_state st;

	out(DATA, 0xf5);
	out(CMD, 0xaa);
	superio_i8042_save(&kbc, &st);
	st.version = 1;
	st.kbd_scanning = 7; /* ignored in version 1 */
	cr_assert_eq(superio_i8042_restore(&kbc, &st), 0);
	cr_assert_eq(saved().kbd_scanning, 1);
	EXPECT(0xfa, 0x55);
}

Test(i8042_kbd, restore_refuses_keyboard_config_mismatch)
{
	struct superio_i8042 bare;
	struct superio_i8042_config cfg = { 0 };
	struct superio_i8042_state st;

	superio_i8042_save(&kbc, &st);
	cr_assert_eq(superio_i8042_init(&bare, &cfg), 0);
	cr_assert_eq(superio_i8042_restore(&bare, &st), -EINVAL);
	superio_i8042_save(&bare, &st);
	cr_assert_eq(st.kbd_present, 0);
	cr_assert_eq(superio_i8042_restore(&kbc, &st), -EINVAL);
}

Test(i8042_kbd, restore_refuses_keyboard_bytes_without_keyboard)
{
	struct superio_i8042 bare;
	struct superio_i8042_config cfg = { 0 };
	struct superio_i8042_state st, good;

	cr_assert_eq(superio_i8042_init(&bare, &cfg), 0);
	superio_i8042_save(&bare, &good);
	st = good;
	st.kbd_flen = 1;
	cr_assert_eq(superio_i8042_restore(&bare, &st), -EINVAL);
	st = good;
	st.kbd_rlen = 1;
	cr_assert_eq(superio_i8042_restore(&bare, &st), -EINVAL);
	st = good;
	st.kbd_pending = 0xed;
	cr_assert_eq(superio_i8042_restore(&bare, &st), -EINVAL);
	st = good;
	st.xlate_break = 1;
	cr_assert_eq(superio_i8042_restore(&bare, &st), -EINVAL);
	cr_assert_eq(superio_i8042_restore(&bare, &good), 0);
}

#define REFUSE(name, corrupt)                                               \
	Test(i8042_kbd, restore_refuses_##name)                             \
	{                                                                   \
		struct superio_i8042_state st;                              \
		out(DATA, 0xf3);                                            \
		superio_i8042_save(&kbc, &st);                              \
		corrupt;                                                    \
		cr_assert_eq(superio_i8042_restore(&kbc, &st), -EINVAL);    \
		cr_assert_eq(saved().kbd_pending, 0xf3, "device untouched"); \
	}

REFUSE(unknown_version, st.version = 3)
REFUSE(fifo_overlong, st.kbd_flen = SUPERIO_I8042_KBD_QUEUE + 1)
REFUSE(reply_overlong, st.kbd_rlen = SUPERIO_I8042_KBD_REPLY + 1)
REFUSE(pending_without_argument, st.kbd_pending = 0xf2)
REFUSE(scan_set_1, st.kbd_set = 1)
REFUSE(led_bits, st.kbd_leds = 0x08)
REFUSE(typematic_bit7, st.kbd_typematic = 0x80)
REFUSE(scanning_not_bool, st.kbd_scanning = 2)
REFUSE(break_flag_not_bool, st.xlate_break = 2)
