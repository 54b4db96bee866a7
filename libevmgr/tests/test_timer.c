// SPDX-License-Identifier: MIT
// Timers (<evmgr/timer.h>): one-shot, periodic and re-armed timerfds, with
// expirations counted.  No test asserts on elapsed wall-clock time; where a
// count depends on time, it relies only on a sleep lasting at least as long
// as asked, which the kernel guarantees.
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <time.h>
#include <unistd.h>

#include <evmgr/evmgr.h>

#define MS 1000000ull
#define HOUR (3600ull * 1000 * MS)

static struct evmgr_loop *loop;
static struct evmgr_timer timer;
static uint64_t total_exp;
static int callbacks;
static uint64_t max_exp;

static void count_cb(struct evmgr_timer *t, uint64_t expirations, void *data)
{
	(void)t;
	cr_assert_eq(data, &total_exp);
	cr_assert_geq(expirations, 1);
	total_exp += expirations;
	if (expirations > max_exp)
		max_exp = expirations;
	callbacks++;
}

static void setup(void)
{
	cr_assert_eq(evmgr_loop_new(&loop, NULL), 0);
	cr_assert_eq(evmgr_timer_open(loop, &timer, CLOCK_MONOTONIC, count_cb, &total_exp), 0);
	total_exp = 0;
	callbacks = 0;
	max_exp = 0;
}

static void teardown(void)
{
	evmgr_timer_close(&timer);
	evmgr_loop_free(loop);
}

TestSuite(timer, .init = setup, .fini = teardown);

static void sleep_ns(uint64_t ns)
{
	struct timespec ts = { .tv_sec = (time_t)(ns / 1000000000u),
			       .tv_nsec = (long)(ns % 1000000000u) };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static uint64_t now_ns(clockid_t clock)
{
	struct timespec ts;

	cr_assert_eq(clock_gettime(clock, &ts), 0);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

Test(timer, open_registers_a_watcher)
{
	cr_assert_eq(evmgr_loop_watcher_count(loop), 1);
	cr_assert_geq(evmgr_timer_fd(&timer), 0);
	evmgr_timer_close(&timer);
	cr_assert_eq(evmgr_loop_watcher_count(loop), 0);
	cr_assert_eq(evmgr_timer_fd(&timer), -1);
}

Test(timer, new_timer_is_disarmed)
{
	uint64_t rem = 1, iv = 1;

	cr_assert_eq(evmgr_timer_get(&timer, &rem, &iv), 0);
	cr_assert_eq(rem, 0);
	cr_assert_eq(iv, 0);
	cr_assert_eq(evmgr_loop_run_once(loop, 0), 0);
}

Test(timer, one_shot_fires_exactly_once)
{
	cr_assert_eq(evmgr_timer_arm(&timer, 1 * MS, 0), 0);
	cr_assert_eq(evmgr_loop_run_once(loop, -1), 1);
	cr_assert_eq(callbacks, 1);
	cr_assert_eq(total_exp, 1);
	/* Whatever time passes, a one-shot timer has nothing more to say. */
	sleep_ns(2 * MS);
	cr_assert_eq(evmgr_loop_run_once(loop, 0), 0);
	cr_assert_eq(callbacks, 1);
}

Test(timer, zero_initial_fires_as_soon_as_possible)
{
	cr_assert_eq(evmgr_timer_arm(&timer, 0, 0), 0);
	cr_assert_eq(evmgr_loop_run_once(loop, -1), 1);
	cr_assert_eq(total_exp, 1);
}

Test(timer, periodic_expirations_are_all_counted)
{
	uint64_t iv;

	cr_assert_eq(evmgr_timer_arm(&timer, 1 * MS, 1 * MS), 0);
	while (total_exp < 20)
		cr_assert_geq(evmgr_loop_run_once(loop, -1), 0);
	cr_assert_leq(callbacks, (int)total_exp);
	cr_assert_eq(evmgr_timer_get(&timer, NULL, &iv), 0);
	cr_assert_eq(iv, 1 * MS);
	cr_assert_eq(evmgr_timer_disarm(&timer), 0);
}

Test(timer, late_loop_gets_the_missed_expirations_in_one_callback)
{
	cr_assert_eq(evmgr_timer_arm(&timer, 100000, 100000), 0);
	/* At least 5 ms pass, i.e. at least 50 periods of 100 us. */
	sleep_ns(5 * MS);
	cr_assert_eq(evmgr_loop_run_once(loop, 0), 1);
	cr_assert_eq(callbacks, 1);
	cr_assert_geq(total_exp, 49, "only %llu expirations", (unsigned long long)total_exp);
}

Test(timer, rearm_discards_undelivered_expirations)
{
	cr_assert_eq(evmgr_timer_arm(&timer, 1000, 0), 0);
	sleep_ns(1 * MS); /* it has expired, not yet delivered */
	cr_assert_eq(evmgr_timer_arm(&timer, HOUR, 0), 0);
	cr_assert_eq(evmgr_loop_run_once(loop, 0), 0);
	cr_assert_eq(callbacks, 0);
}

Test(timer, rearm_to_shorter_deadline_fires)
{
	cr_assert_eq(evmgr_timer_arm(&timer, HOUR, 0), 0);
	cr_assert_eq(evmgr_timer_arm(&timer, 1 * MS, 0), 0);
	cr_assert_eq(evmgr_loop_run_once(loop, -1), 1);
	cr_assert_eq(total_exp, 1);
}

Test(timer, disarm_stops_a_pending_timer)
{
	uint64_t rem = 1;

	cr_assert_eq(evmgr_timer_arm(&timer, 1000, 1000), 0);
	sleep_ns(1 * MS);
	cr_assert_eq(evmgr_timer_disarm(&timer), 0);
	cr_assert_eq(evmgr_timer_get(&timer, &rem, NULL), 0);
	cr_assert_eq(rem, 0);
	cr_assert_eq(evmgr_loop_run_once(loop, 0), 0);
	cr_assert_eq(callbacks, 0);
}

Test(timer, get_reports_remaining_below_initial)
{
	uint64_t rem, iv;

	cr_assert_eq(evmgr_timer_arm(&timer, HOUR, 2 * MS), 0);
	cr_assert_eq(evmgr_timer_get(&timer, &rem, &iv), 0);
	cr_assert_gt(rem, 0);
	cr_assert_leq(rem, HOUR);
	cr_assert_eq(iv, 2 * MS);
}

Test(timer, absolute_deadline_in_the_past_fires_at_once)
{
	uint64_t now = now_ns(CLOCK_MONOTONIC);

	cr_assert_eq(evmgr_timer_arm_at(&timer, now / 2, 0), 0);
	cr_assert_eq(evmgr_loop_run_once(loop, -1), 1);
	cr_assert_eq(total_exp, 1);
}

Test(timer, absolute_deadline_zero_fires_instead_of_disarming)
{
	cr_assert_eq(evmgr_timer_arm_at(&timer, 0, 0), 0);
	cr_assert_eq(evmgr_loop_run_once(loop, -1), 1);
}

Test(timer, absolute_deadline_in_the_future_waits)
{
	uint64_t rem;

	cr_assert_eq(evmgr_timer_arm_at(&timer, now_ns(CLOCK_MONOTONIC) + HOUR, 0), 0);
	cr_assert_eq(evmgr_timer_get(&timer, &rem, NULL), 0);
	cr_assert_gt(rem, HOUR / 2);
	cr_assert_eq(evmgr_loop_run_once(loop, 0), 0);
}

/* Re-arming from a callback earlier in the same batch must swallow the
 * expiration the kernel had already reported. */
static void rearm_timer_cb(struct evmgr_loop *l, struct evmgr_watcher *w, uint32_t revents)
{
	(void)l;
	(void)revents;
	cr_assert_eq(evmgr_eventfd_drain(w->fd, NULL), 0);
	cr_assert_eq(evmgr_timer_arm(&timer, HOUR, 0), 0);
}

Test(timer, rearm_during_batch_drops_reported_expiration)
{
	struct evmgr_watcher w;
	int fd = evmgr_eventfd_new(0, EVMGR_EFD_NONBLOCK);

	evmgr_watcher_init(&w, fd, EVMGR_EV_IN, rearm_timer_cb, NULL);
	cr_assert_eq(evmgr_watcher_add(loop, &w), 0);
	/* Ready first, so it is dispatched before the timer. */
	cr_assert_eq(evmgr_eventfd_signal(fd), 0);
	cr_assert_eq(evmgr_timer_arm(&timer, 1000, 0), 0);
	sleep_ns(1 * MS);
	/* Both events were dispatched; the timer's found nothing to read. */
	cr_assert_eq(evmgr_loop_run_once(loop, 0), 2);
	cr_assert_eq(callbacks, 0, "stale expiration delivered after re-arm");
	cr_assert_eq(evmgr_watcher_remove(loop, &w), 0);
	close(fd);
}

static int self_close_calls;

static void close_self_cb(struct evmgr_timer *t, uint64_t expirations, void *data)
{
	(void)expirations;
	(void)data;
	self_close_calls++;
	evmgr_timer_close(t);
}

Test(timer, periodic_timer_may_close_itself)
{
	evmgr_timer_close(&timer);
	cr_assert_eq(evmgr_timer_open(loop, &timer, CLOCK_MONOTONIC, close_self_cb, NULL), 0);
	cr_assert_eq(evmgr_timer_arm(&timer, 100000, 100000), 0);
	cr_assert_eq(evmgr_loop_run_once(loop, -1), 1);
	sleep_ns(1 * MS);
	cr_assert_eq(evmgr_loop_run_once(loop, 0), 0);
	cr_assert_eq(self_close_calls, 1);
	cr_assert_eq(evmgr_loop_watcher_count(loop), 0);
	cr_assert_eq(evmgr_timer_arm(&timer, 1, 0), -EBADF);
}

Test(timer, two_timers_keep_separate_counts)
{
	struct evmgr_timer other;

	cr_assert_eq(evmgr_timer_open(loop, &other, CLOCK_MONOTONIC, count_cb, &total_exp), 0);
	cr_assert_eq(evmgr_timer_arm(&timer, 1000, 0), 0);
	cr_assert_eq(evmgr_timer_arm(&other, HOUR, 0), 0);
	cr_assert_eq(evmgr_loop_run_once(loop, -1), 1);
	cr_assert_eq(total_exp, 1);
	evmgr_timer_close(&other);
}

Test(timer, realtime_and_boottime_clocks_work)
{
	struct evmgr_timer rt, bt;

	cr_assert_eq(evmgr_timer_open(loop, &rt, CLOCK_REALTIME, count_cb, &total_exp), 0);
	cr_assert_eq(evmgr_timer_open(loop, &bt, CLOCK_BOOTTIME, count_cb, &total_exp), 0);
	cr_assert_eq(evmgr_timer_arm_at(&rt, now_ns(CLOCK_REALTIME) - 1000, 0), 0);
	cr_assert_eq(evmgr_timer_arm(&bt, 1000, 0), 0);
	while (callbacks < 2)
		cr_assert_geq(evmgr_loop_run_once(loop, -1), 0);
	cr_assert_eq(total_exp, 2);
	evmgr_timer_close(&rt);
	evmgr_timer_close(&bt);
}

Test(timer, open_rejects_unsupported_clock)
{
	struct evmgr_timer t;

	cr_assert_eq(evmgr_timer_open(loop, &t, CLOCK_PROCESS_CPUTIME_ID, count_cb, NULL), -EINVAL);
	cr_assert_eq(evmgr_timer_open(loop, &t, CLOCK_MONOTONIC, NULL, NULL), -EINVAL);
	cr_assert_eq(evmgr_timer_open(NULL, &t, CLOCK_MONOTONIC, count_cb, NULL), -EINVAL);
}

Test(timer, operations_on_a_closed_timer_are_ebadf)
{
	struct evmgr_timer t = { 0 };

	cr_assert_eq(evmgr_timer_arm(&t, 1, 0), -EBADF);
	cr_assert_eq(evmgr_timer_arm_at(&t, 1, 0), -EBADF);
	cr_assert_eq(evmgr_timer_disarm(&t), -EBADF);
	cr_assert_eq(evmgr_timer_get(&t, NULL, NULL), -EBADF);
	cr_assert_eq(evmgr_timer_fd(&t), -1);
	/* A never-opened timer must not close whatever its fd field holds. */
	t.w.fd = evmgr_eventfd_new(0, 0);
	cr_assert_geq(t.w.fd, 0);
	evmgr_timer_close(&t);
	cr_assert_geq(fcntl(t.w.fd, F_GETFD), 0, "a foreign fd was closed");
	close(t.w.fd);
}
