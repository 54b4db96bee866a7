// SPDX-License-Identifier: MIT
// Blocking console output over a non-blocking descriptor (write_all.h): a
// slow reader behind an O_NONBLOCK one-page pipe must get every byte, a
// stop must end the wait, and a vanished reader is an error, not a hang.
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "write_all.h"

#define TOTAL (64u * 1024u)

static uint8_t out[TOTAL], in[TOTAL];

struct slow_reader {
	int fd;
	size_t got;
};

static void sleep_ms(long ms)
{
	struct timespec t = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&t, NULL);
}

/* Nothing for 200 ms (the pipe fills), then 512 bytes per millisecond. */
static void *slow_read(void *arg)
{
	struct slow_reader *r = arg;

	sleep_ms(200);
	while (r->got < TOTAL) {
		ssize_t n = read(r->fd, in + r->got, 512);

		if (n <= 0)
			break;
		r->got += (size_t)n;
		sleep_ms(1);
	}
	return NULL;
}

static void small_nonblocking_pipe(int p[2])
{
	cr_assert_eq(pipe(p), 0);
	cr_assert_geq(fcntl(p[1], F_SETPIPE_SZ, 4096), 4096);
	cr_assert_eq(fcntl(p[1], F_SETFL, fcntl(p[1], F_GETFL) | O_NONBLOCK), 0);
}

Test(write_all, slow_reader_on_nonblocking_pipe_gets_every_byte)
{
	atomic_bool stop = false;
	struct slow_reader r = { 0, 0 };
	pthread_t t;
	int p[2];

	for (size_t i = 0; i < TOTAL; i++)
		out[i] = (uint8_t)(i * 7 + i / 251);
	small_nonblocking_pipe(p);
	r.fd = p[0];
	cr_assert_eq(pthread_create(&t, NULL, slow_read, &r), 0);
	cr_assert_eq(vmm__write_all(p[1], out, TOTAL, &stop), (ssize_t)TOTAL);
	close(p[1]);
	pthread_join(t, NULL);
	close(p[0]);
	cr_assert_eq(r.got, TOTAL);
	cr_assert_eq(memcmp(in, out, TOTAL), 0);
}

Test(write_all, stop_ends_the_wait_with_the_count_written)
{
	atomic_bool stop = true;
	int p[2];
	ssize_t n;

	small_nonblocking_pipe(p);
	n = vmm__write_all(p[1], out, TOTAL, &stop);	/* nobody reads */
	cr_assert_gt(n, 0);
	cr_assert_lt(n, (ssize_t)TOTAL);
	/* Pipe still full: nothing more fits, and nothing was claimed. */
	cr_assert_eq(vmm__write_all(p[1], out, 16, &stop), -EAGAIN);
	close(p[0]);
	close(p[1]);
}

Test(write_all, vanished_reader_is_epipe_not_a_hang)
{
	atomic_bool stop = false;
	int p[2];

	signal(SIGPIPE, SIG_IGN);
	small_nonblocking_pipe(p);
	close(p[0]);
	cr_assert_eq(vmm__write_all(p[1], out, 100, &stop), -EPIPE);
	close(p[1]);
}

Test(write_all, blocking_descriptor_and_no_stop_flag)
{
	char buf[8] = { 0 };
	int p[2];

	cr_assert_eq(pipe(p), 0);
	cr_assert_eq(vmm__write_all(p[1], "console", 7, NULL), 7);
	cr_assert_eq(read(p[0], buf, sizeof(buf)), 7);
	cr_assert_str_eq(buf, "console");
	close(p[0]);
	close(p[1]);
}
