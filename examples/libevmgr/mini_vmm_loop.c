// SPDX-License-Identifier: MIT
// The main thread of a VMM in miniature, using libevmgr alone: one loop
// serves a "device" fd (a pipe a worker thread writes to, standing in for a
// virtio queue's ioeventfd), a periodic timer (an RTC tick), SIGINT/SIGTERM
// (a clean shutdown), and requests from "vCPU" threads (remote calls: a
// blocking register update, then a fire-and-forget shutdown request).
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <evmgr/evmgr.h>

#define MESSAGES 5

struct vmm {
	struct evmgr_loop *loop;
	struct evmgr_watcher device;
	struct evmgr_timer rtc;
	struct evmgr_signal sigs;
	int pipe[2];
	unsigned long ticks;
	unsigned int device_reg;	/* touched only on the loop thread */
};

static void device_cb(struct evmgr_loop *loop, struct evmgr_watcher *w, uint32_t revents)
{
	char buf[64];
	ssize_t n;

	if (revents & EVMGR_EV_IN) {
		n = read(w->fd, buf, sizeof(buf) - 1);
		if (n > 0) {
			buf[n] = '\0';
			printf("device: %s", buf);
			return;
		}
	}
	/* The writer closed its end: nothing more will come from the device. */
	printf("device: hang-up, unregistering\n");
	evmgr_watcher_remove(loop, w);
}

static void rtc_cb(struct evmgr_timer *t, uint64_t expirations, void *data)
{
	struct vmm *vmm = data;

	(void)t;
	vmm->ticks += expirations;
}

static void signal_cb(struct evmgr_signal *s, const struct signalfd_siginfo *info, void *data)
{
	struct vmm *vmm = data;

	(void)s;
	printf("signal %u (%s): shutting down\n", info->ssi_signo, strsignal((int)info->ssi_signo));
	evmgr_loop_stop(vmm->loop);
}

static void set_reg(struct evmgr_loop *loop, void *arg)
{
	struct vmm *vmm = arg;

	(void)loop;
	vmm->device_reg++;
}

static void shutdown_req(struct evmgr_loop *loop, void *arg)
{
	(void)arg;
	printf("vcpu: guest powered off, stopping the loop\n");
	evmgr_loop_stop(loop);
}

static void *vcpu_thread(void *arg)
{
	struct vmm *vmm = arg;
	char msg[32];

	for (int i = 0; i < MESSAGES; i++) {
		int len = snprintf(msg, sizeof(msg), "request %d\n", i);

		if (write(vmm->pipe[1], msg, (size_t)len) != len)
			break;
		/* Wait until the loop thread has applied it, like an MMIO write
		 * that must complete before the vCPU resumes. */
		if (evmgr_remote_call(vmm->loop, set_reg, vmm) != 0)
			break;
		usleep(2000);
	}
	close(vmm->pipe[1]);
	if (evmgr_remote_post(vmm->loop, shutdown_req, NULL) != 0)
		evmgr_loop_stop(vmm->loop);
	return NULL;
}

static int setup(struct vmm *vmm)
{
	sigset_t set;
	int r;

	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	/* Before any thread exists, so that every thread inherits the mask. */
	r = evmgr_signal_block(&set, NULL);
	if (r == 0)
		r = evmgr_loop_new(&vmm->loop, NULL);
	if (r == 0 && pipe(vmm->pipe) < 0)
		r = -errno;
	if (r == 0) {
		evmgr_watcher_init(&vmm->device, vmm->pipe[0], EVMGR_EV_IN, device_cb, vmm);
		r = evmgr_watcher_add(vmm->loop, &vmm->device);
	}
	if (r == 0)
		r = evmgr_timer_open(vmm->loop, &vmm->rtc, CLOCK_MONOTONIC, rtc_cb, vmm);
	if (r == 0)
		r = evmgr_timer_arm(&vmm->rtc, 1000000, 1000000); /* 1 kHz */
	if (r == 0)
		r = evmgr_signal_open(vmm->loop, &vmm->sigs, &set, signal_cb, vmm);
	return r;
}

int main(void)
{
	struct vmm vmm = { 0 };
	pthread_t vcpu;
	int r;

	r = setup(&vmm);
	if (r < 0) {
		fprintf(stderr, "setup: %s\n", strerror(-r));
		return 1;
	}
	if (pthread_create(&vcpu, NULL, vcpu_thread, &vmm) != 0)
		return 1;
	r = evmgr_loop_run(vmm.loop);
	pthread_join(vcpu, NULL);
	printf("loop returned %d: device register %u, %lu RTC ticks, libevmgr %s\n",
	       r, vmm.device_reg, vmm.ticks, EVMGR_VERSION_STRING);
	evmgr_signal_close(&vmm.sigs);
	evmgr_timer_close(&vmm.rtc);
	evmgr_watcher_remove(vmm.loop, &vmm.device);
	close(vmm.pipe[0]);
	evmgr_loop_free(vmm.loop);
	return r == 0 && vmm.device_reg == MESSAGES ? 0 : 1;
}
