// SPDX-License-Identifier: MIT
// Built by tests/check-install.sh against the installed libevmgr alone:
// a remote call from a second thread stops the loop.
#include <pthread.h>
#include <stdio.h>

#include <evmgr/evmgr.h>

static void stop_fn(struct evmgr_loop *loop, void *arg)
{
	*(int *)arg = 1;
	evmgr_loop_stop(loop);
}

static void *thread_fn(void *loop)
{
	static int ran;

	if (evmgr_remote_call(loop, stop_fn, &ran) || !ran)
		return loop;
	return NULL;
}

int main(void)
{
	struct evmgr_loop *loop;
	pthread_t t;
	void *res = NULL;

	if (evmgr_loop_new(&loop, NULL))
		return 1;
	if (pthread_create(&t, NULL, thread_fn, loop))
		return 1;
	if (evmgr_loop_run(loop))
		return 1;
	pthread_join(t, &res);
	evmgr_loop_free(loop);
	if (res)
		return 1;
	printf("libevmgr %s\n", EVMGR_VERSION_STRING);
	return 0;
}
