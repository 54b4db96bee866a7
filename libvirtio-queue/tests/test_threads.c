// SPDX-License-Identifier: MIT
// A driver thread and a device thread sharing one split virtqueue, with
// kicks and interrupts as semaphores.  Every notification decision on both
// sides follows a store with a load behind a fence; if any of those
// barriers were missing, a wake-up would eventually be lost and a side
// would wait forever, which here shows up as a timed-out wait.  Runs with
// and without EVENT_IDX.
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <semaphore.h>
#include <time.h>

#include "harness.h"

#define REQUESTS 200000
#define DEPTH 8

struct shared {
	struct t_env e;
	sem_t kick, irq;
	int stop;
	long served;
	int device_error;
};

static int timed_wait(sem_t *s)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += 5;
	while (sem_timedwait(s, &ts) != 0)
		if (errno != EINTR)
			return -1;
	return 0;
}

static void *device(void *arg)
{
	struct shared *s = arg;
	struct virtq_queue *q = &s->e.q;
	struct virtq_chain c;
	struct virtq_desc d;
	int r;

	while (!__atomic_load_n(&s->stop, __ATOMIC_ACQUIRE)) {
		if (timed_wait(&s->kick)) {
			s->device_error = -ETIMEDOUT;
			return NULL;
		}
		do {
			if (virtq_queue_disable_notification(q))
				break;
			while ((r = virtq_queue_pop(q, &c)) == 1) {
				while (virtq_chain_next(&c, &d) == 1)
					;
				if (virtq_queue_add_used(q, c.head, 8))
					r = -EIO;
				s->served++;
			}
			/* Widen the window in which the driver publishes while
			 * notifications are off: enable must catch those. */
			sched_yield();
		} while (r == 0 && (r = virtq_queue_enable_notification(q)) == 1);
		if (r < 0) {
			s->device_error = r;
			return NULL;
		}
		if (virtq_queue_needs_notification(q) == 1)
			sem_post(&s->irq);
	}
	return NULL;
}

static void run(uint32_t flags, uint64_t features)
{
	static struct shared s;
	struct virtq_buf b = { T_DATA, 8, true };
	pthread_t t;
	long submitted = 0, completed = 0;
	int outstanding = 0;

	t_setup(&s.e, 16, flags, features);
	s.stop = 0;
	s.served = 0;
	s.device_error = 0;
	cr_assert_eq(sem_init(&s.kick, 0, 0), 0);
	cr_assert_eq(sem_init(&s.irq, 0, 0), 0);
	cr_assert_eq(pthread_create(&t, NULL, device, &s), 0);
	while (completed < REQUESTS) {
		uint16_t head;
		uint32_t len;

		while (outstanding < DEPTH && submitted < REQUESTS) {
			cr_assert_eq(virtq_driver_add(s.e.drv, &b, 1, &head), 0);
			outstanding++;
			submitted++;
			if (virtq_driver_publish(s.e.drv) == 1)
				sem_post(&s.kick);
		}
		while (virtq_driver_get_used(s.e.drv, &head, &len) == 1) {
			outstanding--;
			completed++;
		}
		if (completed == REQUESTS || (outstanding < DEPTH && submitted < REQUESTS))
			continue;
		/* Enable, re-check, and only then sleep: Linux's order. */
		cr_assert_eq(virtq_driver_enable_interrupts(s.e.drv), 0);
		if (virtq_driver_used_pending(s.e.drv) > 0)
			continue;
		cr_assert_eq(timed_wait(&s.irq), 0,
			     "lost interrupt after %ld completions (device error %d)",
			     completed, s.device_error);
	}
	__atomic_store_n(&s.stop, 1, __ATOMIC_RELEASE);
	sem_post(&s.kick);
	pthread_join(t, NULL);
	cr_expect_eq(s.device_error, 0);
	cr_expect_eq(s.served, REQUESTS);
	sem_destroy(&s.kick);
	sem_destroy(&s.irq);
	t_teardown(&s.e);
}

Test(threads, no_lost_wakeups_with_flags, .timeout = 120)
{
	run(0, 0);
}

Test(threads, no_lost_wakeups_with_event_idx, .timeout = 120)
{
	run(VIRTQ_DRIVER_EVENT_IDX, T_F_EVENT_IDX);
}
