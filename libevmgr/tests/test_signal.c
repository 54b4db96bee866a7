// SPDX-License-Identifier: MIT
// Signals (<evmgr/signal.h>): delivery through signalfd with the sender's
// siginfo, one signal per batch, and the checks that keep a set from
// silently missing the fd.  Criterion runs each test in a forked worker with
// a single thread, so blocking in the fixture blocks in every thread the
// test then creates.
#include <criterion/criterion.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <evmgr/evmgr.h>

static struct evmgr_loop *loop;
static struct evmgr_signal src;
static sigset_t usr;
static struct signalfd_siginfo got[8];
static int ngot;

static void record_cb(struct evmgr_signal *s, const struct signalfd_siginfo *info, void *data)
{
	(void)s;
	cr_assert_eq(data, &ngot);
	if (ngot < 8)
		got[ngot] = *info;
	ngot++;
}

static void setup(void)
{
	sigemptyset(&usr);
	sigaddset(&usr, SIGUSR1);
	sigaddset(&usr, SIGUSR2);
	sigaddset(&usr, SIGRTMIN);
	cr_assert_eq(evmgr_signal_block(&usr, NULL), 0);
	cr_assert_eq(evmgr_loop_new(&loop, NULL), 0);
	ngot = 0;
}

static void teardown(void)
{
	evmgr_signal_close(&src);
	evmgr_loop_free(loop);
}

TestSuite(signal, .init = setup, .fini = teardown);

static void open_usr(void)
{
	cr_assert_eq(evmgr_signal_open(loop, &src, &usr, record_cb, &ngot), 0);
}

Test(signal, raise_is_delivered_with_sender)
{
	open_usr();
	cr_assert_eq(raise(SIGUSR1), 0);
	cr_assert_eq(evmgr_loop_run_once(loop, -1), 1);
	cr_assert_eq(ngot, 1);
	cr_assert_eq(got[0].ssi_signo, SIGUSR1);
	cr_assert_eq(got[0].ssi_pid, (uint32_t)getpid());
	cr_assert_eq(got[0].ssi_code, SI_TKILL);
}

static void *kill_from_thread(void *arg)
{
	(void)arg;
	return kill(getpid(), SIGUSR2) == 0 ? NULL : (void *)1;
}

Test(signal, process_signal_from_another_thread_is_delivered)
{
	pthread_t t;
	void *res;

	open_usr();
	cr_assert_eq(pthread_create(&t, NULL, kill_from_thread, NULL), 0);
	pthread_join(t, &res);
	cr_assert_null(res);
	cr_assert_eq(evmgr_loop_run_once(loop, -1), 1);
	cr_assert_eq(got[0].ssi_signo, SIGUSR2);
	cr_assert_eq(got[0].ssi_code, SI_USER);
}

Test(signal, queued_value_reaches_the_callback)
{
	open_usr();
	cr_assert_eq(sigqueue(getpid(), SIGUSR1, (union sigval){ .sival_int = 4242 }), 0);
	cr_assert_eq(evmgr_loop_run_once(loop, -1), 1);
	cr_assert_eq(got[0].ssi_code, SI_QUEUE);
	cr_assert_eq(got[0].ssi_int, 4242);
}

Test(signal, one_signal_per_batch_none_lost)
{
	open_usr();
	cr_assert_eq(raise(SIGUSR1), 0);
	cr_assert_eq(raise(SIGUSR2), 0);
	cr_assert_eq(evmgr_loop_run_once(loop, 0), 1);
	cr_assert_eq(evmgr_loop_run_once(loop, 0), 1);
	cr_assert_eq(evmgr_loop_run_once(loop, 0), 0);
	cr_assert_eq(ngot, 2);
	cr_assert_neq(got[0].ssi_signo, got[1].ssi_signo);
}

Test(signal, realtime_signals_queue_every_instance)
{
	open_usr();
	for (int i = 0; i < 3; i++)
		cr_assert_eq(sigqueue(getpid(), SIGRTMIN, (union sigval){ .sival_int = i }), 0);
	for (int i = 0; i < 3; i++)
		cr_assert_eq(evmgr_loop_run_once(loop, 0), 1);
	cr_assert_eq(ngot, 3);
	/* Real-time signals of one number are delivered in the order sent. */
	for (int i = 0; i < 3; i++)
		cr_assert_eq(got[i].ssi_int, i);
}

Test(signal, signal_outside_the_set_is_not_delivered)
{
	sigset_t only1;

	sigemptyset(&only1);
	sigaddset(&only1, SIGUSR1);
	cr_assert_eq(evmgr_signal_open(loop, &src, &only1, record_cb, &ngot), 0);
	cr_assert_eq(raise(SIGUSR2), 0); /* blocked, so it just stays pending */
	cr_assert_eq(evmgr_loop_run_once(loop, 0), 0);
	cr_assert_eq(ngot, 0);
}

Test(signal, open_rejects_unblocked_signal)
{
	sigset_t hup;

	sigemptyset(&hup);
	sigaddset(&hup, SIGHUP);
	cr_assert_eq(evmgr_signal_open(loop, &src, &hup, record_cb, NULL), -EINVAL);
	cr_assert_eq(evmgr_loop_watcher_count(loop), 0);
	cr_assert_eq(evmgr_signal_fd(&src), -1);
}

Test(signal, open_rejects_empty_set_and_null_callback)
{
	sigset_t empty;

	sigemptyset(&empty);
	cr_assert_eq(evmgr_signal_open(loop, &src, &empty, record_cb, NULL), -EINVAL);
	cr_assert_eq(evmgr_signal_open(loop, &src, &usr, NULL, NULL), -EINVAL);
	cr_assert_eq(evmgr_signal_open(loop, &src, NULL, record_cb, NULL), -EINVAL);
}

Test(signal, block_rejects_kill_stop_and_empty)
{
	sigset_t s;

	sigemptyset(&s);
	cr_assert_eq(evmgr_signal_block(&s, NULL), -EINVAL);
	sigaddset(&s, SIGKILL);
	cr_assert_eq(evmgr_signal_block(&s, NULL), -EINVAL);
	sigemptyset(&s);
	sigaddset(&s, SIGSTOP);
	cr_assert_eq(evmgr_signal_block(&s, NULL), -EINVAL);
	cr_assert_eq(evmgr_signal_block(NULL, NULL), -EINVAL);
}

Test(signal, block_returns_the_previous_mask)
{
	sigset_t term, old, now;

	sigemptyset(&term);
	sigaddset(&term, SIGTERM);
	cr_assert_eq(evmgr_signal_block(&term, &old), 0);
	cr_assert_eq(sigismember(&old, SIGTERM), 0);
	cr_assert_eq(sigismember(&old, SIGUSR1), 1);
	cr_assert_eq(pthread_sigmask(SIG_BLOCK, NULL, &now), 0);
	cr_assert_eq(sigismember(&now, SIGTERM), 1);
}

static void close_self_cb(struct evmgr_signal *s, const struct signalfd_siginfo *info, void *data)
{
	(void)info;
	(*(int *)data)++;
	evmgr_signal_close(s);
}

Test(signal, source_may_close_itself)
{
	cr_assert_eq(evmgr_signal_open(loop, &src, &usr, close_self_cb, &ngot), 0);
	cr_assert_eq(raise(SIGUSR1), 0);
	cr_assert_eq(raise(SIGUSR2), 0);
	cr_assert_eq(evmgr_loop_run_once(loop, 0), 1);
	cr_assert_eq(evmgr_loop_run_once(loop, 0), 0);
	cr_assert_eq(ngot, 1);
	cr_assert_eq(evmgr_loop_watcher_count(loop), 0);
	/* The other signal stays pending, blocked, for whoever reads it next. */
	cr_assert_eq(evmgr_signal_open(loop, &src, &usr, record_cb, &ngot), 0);
	cr_assert_eq(evmgr_loop_run_once(loop, 0), 1);
	cr_assert_eq(ngot, 2);
}

static void stop_on_signal(struct evmgr_signal *s, const struct signalfd_siginfo *info, void *data)
{
	(void)s;
	(void)data;
	if (info->ssi_signo == SIGUSR2)
		evmgr_loop_stop(loop);
}

static void *send_usr2(void *arg)
{
	(void)arg;
	return kill(getpid(), SIGUSR2) == 0 ? NULL : (void *)1;
}

Test(signal, signal_stops_a_running_loop)
{
	pthread_t t;
	void *res;

	cr_assert_eq(evmgr_signal_open(loop, &src, &usr, stop_on_signal, NULL), 0);
	cr_assert_eq(pthread_create(&t, NULL, send_usr2, NULL), 0);
	cr_assert_eq(evmgr_loop_run(loop), 0);
	pthread_join(t, &res);
	cr_assert_null(res);
}
