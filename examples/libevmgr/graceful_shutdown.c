// SPDX-License-Identifier: MIT
// Graceful shutdown on SIGTERM with libevmgr alone: SIGINT/SIGTERM are
// blocked before any thread exists and read from a signalfd on the loop
// thread, so the "device state" below is only ever touched by that thread
// and can be flushed safely before exit.  To run by itself, the program
// plays the operator: after a few heartbeats of a periodic timer, a helper
// thread sends the process a SIGTERM, as `kill <pid>` would.
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <evmgr/evmgr.h>

#define BEATS_BEFORE_KILL 3

struct app {
	struct evmgr_loop *loop;
	struct evmgr_timer heartbeat;
	struct evmgr_signal term;
	unsigned int beats;
	int signo;
	int operator_started;
};

static void *operator_thread(void *arg)
{
	(void)arg;
	kill(getpid(), SIGTERM);
	return NULL;
}

static void heartbeat_cb(struct evmgr_timer *t, uint64_t expirations, void *data)
{
	struct app *app = data;
	pthread_t op;

	(void)t;
	app->beats += (unsigned int)expirations;
	printf("heartbeat %u\n", app->beats);
	/* >=: a late loop gets several expirations in one callback. */
	if (app->beats >= BEATS_BEFORE_KILL && !app->operator_started &&
	    pthread_create(&op, NULL, operator_thread, NULL) == 0) {
		app->operator_started = 1;
		pthread_detach(op);
	}
}

static void term_cb(struct evmgr_signal *s, const struct signalfd_siginfo *info, void *data)
{
	struct app *app = data;

	(void)s;
	app->signo = (int)info->ssi_signo;
	printf("got %s from pid %u: flushing state and stopping\n",
	       strsignal(app->signo), info->ssi_pid);
	evmgr_loop_stop(app->loop);
}

int main(void)
{
	struct app app = { 0 };
	sigset_t set;
	int r;

	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	r = evmgr_signal_block(&set, NULL);
	if (r == 0)
		r = evmgr_loop_new(&app.loop, NULL);
	if (r == 0)
		r = evmgr_signal_open(app.loop, &app.term, &set, term_cb, &app);
	if (r == 0)
		r = evmgr_timer_open(app.loop, &app.heartbeat, CLOCK_MONOTONIC, heartbeat_cb, &app);
	if (r == 0)
		r = evmgr_timer_arm(&app.heartbeat, 10000000, 10000000); /* every 10 ms */
	if (r == 0)
		r = evmgr_loop_run(app.loop);
	if (r < 0)
		fprintf(stderr, "graceful-shutdown: %s\n", strerror(-r));
	evmgr_timer_close(&app.heartbeat);
	evmgr_signal_close(&app.term);
	evmgr_loop_free(app.loop);
	printf("exited after %u heartbeats on signal %d\n", app.beats, app.signo);
	return r == 0 && app.signo == SIGTERM ? 0 : 1;
}
