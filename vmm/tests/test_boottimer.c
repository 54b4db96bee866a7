// SPDX-License-Identifier: MIT
// Port 0x80 boot timer marks and their log lines.
#define _GNU_SOURCE	/* fopencookie */
#include <criterion/criterion.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include <vmm/boottimer.h>

Test(boottimer, marks_are_relative_to_start_and_logged)
{
	struct vmm_boot_timer t;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	vmm_boot_timer_init(&t, 1000000000ull, f);
	vmm_boot_timer_mark(&t, 0x01, 1012345678ull);
	vmm_boot_timer_mark(&t, 0xfe, 3000000000ull);
	fclose(f);
	cr_assert_eq(t.count, 2);
	cr_assert_eq(t.marks[0].value, 0x01);
	cr_assert_eq(t.marks[0].ns_since_start, 12345678ull);
	cr_assert_str_eq(buf, "cvmm: boot-timer: 0x01 at 0.012345 s\n"
			      "cvmm: boot-timer: 0xfe at 2.000000 s\n");
	free(buf);
}

Test(boottimer, clock_before_start_reads_zero)
{
	struct vmm_boot_timer t;

	vmm_boot_timer_init(&t, 5000, NULL);
	vmm_boot_timer_mark(&t, 7, 10);
	cr_assert_eq(t.marks[0].ns_since_start, 0);
}

Test(boottimer, overflowing_marks_are_counted_not_stored)
{
	struct vmm_boot_timer t;

	vmm_boot_timer_init(&t, 0, NULL);
	for (unsigned i = 0; i < VMM_BOOT_TIMER_MAX_MARKS + 5; i++)
		vmm_boot_timer_mark(&t, (uint8_t)i, i);
	cr_assert_eq(t.count, VMM_BOOT_TIMER_MAX_MARKS + 5);
	cr_assert_eq(t.marks[VMM_BOOT_TIMER_MAX_MARKS - 1].value, VMM_BOOT_TIMER_MAX_MARKS - 1);
}

Test(boottimer, monotonic_clock_advances)
{
	uint64_t a = vmm_monotonic_ns(), b = vmm_monotonic_ns();

	cr_assert_geq(b, a);
}

Test(boottimer, phase_lines_use_the_same_clock)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	vmm_boot_timer_phase(f, 1000000000ull, "kvm-setup", 1030500000ull);
	vmm_boot_timer_phase(f, 1000000000ull, "early", 999ull);
	fclose(f);
	cr_assert_str_eq(buf, "cvmm: boot-timer: phase kvm-setup done at 0.030500 s\n"
			      "cvmm: boot-timer: phase early done at 0.000000 s\n");
	free(buf);
}

/* ---- phase ends kept and written together (vmm_boot_phases_*) ---- */

struct counting_sink {
	char text[4096];
	size_t len;
	int writes;
};

static ssize_t sink_write(void *cookie, const char *data, size_t size)
{
	struct counting_sink *s = cookie;

	cr_assert_lt(s->len + size, sizeof(s->text));
	memcpy(s->text + s->len, data, size);
	s->len += size;
	s->writes++;
	return (ssize_t)size;
}

/* An unbuffered stream, as stderr is, counting the writes that reach it. */
static FILE *counting_stream(struct counting_sink *s)
{
	FILE *f = fopencookie(s, "w", (cookie_io_functions_t){ .write = sink_write });

	cr_assert_not_null(f);
	setvbuf(f, NULL, _IONBF, 0);
	memset(s, 0, sizeof(*s));
	return f;
}

Test(boottimer, phases_are_kept_until_the_flush_then_written_in_one_write)
{
	struct vmm_boot_phases p;
	struct counting_sink s;
	FILE *f = counting_stream(&s);

	vmm_boot_phases_init(&p, 1000000000ull, f);
	vmm_boot_phases_done(&p, "memory-setup", 1010000000ull);
	vmm_boot_phases_done(&p, "kvm-setup", 1030500000ull);
	vmm_boot_phases_done(&p, "vcpus-ready", 1052706000ull);
	cr_assert_eq(s.writes, 0, "a phase line was written before the flush");
	vmm_boot_phases_flush(&p);
	cr_assert_eq(s.writes, 1);
	s.text[s.len] = '\0';
	cr_assert_str_eq(s.text, "cvmm: boot-timer: phase memory-setup done at 0.010000 s\n"
				 "cvmm: boot-timer: phase kvm-setup done at 0.030500 s\n"
				 "cvmm: boot-timer: phase vcpus-ready done at 0.052706 s\n");
	fclose(f);
}

Test(boottimer, after_the_flush_each_phase_is_written_as_it_ends)
{
	struct vmm_boot_phases p;
	struct counting_sink s;
	FILE *f = counting_stream(&s);
	int writes;

	vmm_boot_phases_init(&p, 0, f);
	vmm_boot_phases_done(&p, "a", 1000ull);
	vmm_boot_phases_flush(&p);
	vmm_boot_phases_done(&p, "late", 2000000ull);
	s.text[s.len] = '\0';
	cr_assert_str_eq(s.text, "cvmm: boot-timer: phase a done at 0.000001 s\n"
				 "cvmm: boot-timer: phase late done at 0.002000 s\n");
	writes = s.writes;
	vmm_boot_phases_flush(&p);	/* again: nothing left to write */
	cr_assert_eq(s.writes, writes);
	fclose(f);
}

Test(boottimer, phases_past_the_maximum_are_written_as_they_end)
{
	static const char *const names[] = { "p0", "p1", "p2", "p3", "p4", "p5", "p6", "p7",
					     "p8", "p9", "pa", "pb", "pc", "pd", "pe", "pf",
					     "over1", "over2" };
	struct vmm_boot_phases p;
	struct counting_sink s;
	FILE *f = counting_stream(&s);

	cr_assert_eq(sizeof(names) / sizeof(names[0]), VMM_BOOT_PHASES_MAX + 2);
	vmm_boot_phases_init(&p, 0, f);
	for (unsigned int i = 0; i < VMM_BOOT_PHASES_MAX + 2; i++)
		vmm_boot_phases_done(&p, names[i], i * 1000ull);
	s.text[s.len] = '\0';
	cr_assert_str_eq(s.text, "cvmm: boot-timer: phase over1 done at 0.000016 s\n"
				 "cvmm: boot-timer: phase over2 done at 0.000017 s\n");
	vmm_boot_phases_flush(&p);
	s.text[s.len] = '\0';
	cr_assert(strstr(s.text, "phase p0 done at 0.000000 s\n"), "%s", s.text);
	cr_assert(strstr(s.text, "phase pf done at 0.000015 s\n"), "%s", s.text);
	fclose(f);
}

Test(boottimer, phases_without_a_log_are_only_recorded)
{
	struct vmm_boot_phases p;

	vmm_boot_phases_init(&p, 0, NULL);
	vmm_boot_phases_done(&p, "kvm-setup", 5ull);
	cr_assert_str_eq(p.ends[0].name, "kvm-setup");
	cr_assert_eq(p.ends[0].now_ns, 5ull);
	vmm_boot_phases_flush(&p);
	vmm_boot_phases_done(&p, "late", 6ull);
}

static struct vmm_boot_phases shared;

static char main_name[] = "main", kvm_name[] = "kvm";

static void *record_eight(void *name)
{
	for (uint64_t i = 0; i < 8; i++)
		vmm_boot_phases_done(&shared, name, i);
	return NULL;
}

/* Two threads, as vmm_new()'s main and KVM threads: nothing lost. */
Test(boottimer, phases_from_two_threads_are_all_kept)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	pthread_t a, b;
	unsigned int lines = 0, of_a = 0;

	vmm_boot_phases_init(&shared, 0, f);
	cr_assert_eq(pthread_create(&a, NULL, record_eight, main_name), 0);
	cr_assert_eq(pthread_create(&b, NULL, record_eight, kvm_name), 0);
	pthread_join(a, NULL);
	pthread_join(b, NULL);
	vmm_boot_phases_flush(&shared);
	fclose(f);
	for (char *l = buf; (l = strstr(l, "cvmm: boot-timer: phase ")); l++) {
		lines++;
		of_a += strncmp(l + 24, "main ", 5) == 0;
	}
	cr_assert_eq(lines, 16);
	cr_assert_eq(of_a, 8);
	free(buf);
}
