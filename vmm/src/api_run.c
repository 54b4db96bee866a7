// SPDX-License-Identifier: MIT
// vmm_serve(): the VM on the calling thread, the API on its own thread
// (vmm/api.h, docs/api.md "Threads").
//
// The machine is built and run on the thread that called vmm_serve(), as
// vmm_new() and vmm_run() expect; the API thread asks for a boot or a
// snapshot load through a request slot and waits for the answer, so that
// a failed build is reported to the client that asked for it.  Pause,
// resume, snapshot and Ctrl+Alt+Del are libvmm calls made from any thread.
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <vmm/api.h>

#include "api_config_file.h"
#include "api_server.h"
#include "vmm_internal.h"

/* For calls whose result changes nothing here (warn_unused_result). */
#define IGNORE_READ(call) do { if (call) { } } while (0)

enum run_request { REQ_NONE, REQ_START, REQ_LOAD };

struct runner {
	pthread_mutex_t lock;
	pthread_cond_t answered;
	int wake_fd;		/* eventfd: a request is waiting */
	enum run_request req;
	const struct vmm_config *boot;	/* REQ_START */
	const char *state_path, *mem_path;	/* REQ_LOAD */
	int result;
	char err[VMM_ERR_MAX];
	const struct vmm_config *host;
	struct vmm *vm;		/* set by the VM thread, under lock */
	bool ran;		/* vmm_run() was called on vm (under lock) */
	bool closing;		/* the VM thread answers nothing more (under lock) */
};

/* Why a request got no machine: the VM thread stopped taking them. */
static int refused_closing(char *err, size_t errlen)
{
	snprintf(err, errlen, "cvmm is stopping (a termination signal came first)");
	return -ESHUTDOWN;
}

/*
 * API thread: hands the request to the VM thread and waits for it.  Once
 * the VM thread is closing (a termination signal before the VM ran) no
 * answer will come, so the wait ends with -ESHUTDOWN instead; so does a
 * machine that was built but will never run.
 */
static int submit(struct runner *r, enum run_request req, char *err, size_t errlen)
{
	uint64_t one = 1;
	int result;

	pthread_mutex_lock(&r->lock);
	if (r->closing) {
		pthread_mutex_unlock(&r->lock);
		return refused_closing(err, errlen);
	}
	if (write(r->wake_fd, &one, sizeof(one)) != sizeof(one)) {
		/* The VM thread never hears of it: answer here, never with a
		 * result left over from an earlier request. */
		pthread_mutex_unlock(&r->lock);
		snprintf(err, errlen, "cannot wake the VM thread: %s", strerror(errno));
		return -EIO;
	}
	r->req = req;
	while (r->req != REQ_NONE && !r->closing)
		pthread_cond_wait(&r->answered, &r->lock);
	if (r->req != REQ_NONE) {
		r->req = REQ_NONE;
		pthread_mutex_unlock(&r->lock);
		return refused_closing(err, errlen);
	}
	result = r->result;
	snprintf(err, errlen, "%s", r->err);
	pthread_mutex_unlock(&r->lock);
	if (result)
		return result;
	/* Ends when vmm_run() got going, or when serve_cleanup() gave up on
	 * a VM it will not run (vmm__run_abandon()). */
	vmm_wait_started(r->vm);
	pthread_mutex_lock(&r->lock);
	if (!r->ran)
		result = refused_closing(err, errlen);
	pthread_mutex_unlock(&r->lock);
	return result;
}

static int op_start(void *ctx, const struct vmm_config *cfg, char *err, size_t errlen)
{
	struct runner *r = ctx;

	r->boot = cfg;
	return submit(r, REQ_START, err, errlen);
}

static int op_load(void *ctx, const char *state_path, const char *mem_path,
		   struct vmm_config *restored, char *err, size_t errlen)
{
	struct runner *r = ctx;
	int rc;

	r->state_path = state_path;
	r->mem_path = mem_path;
	rc = submit(r, REQ_LOAD, err, errlen);
	if (rc == 0)
		vmm_get_config(r->vm, restored);
	return rc;
}

static int op_pause(void *ctx, char *err, size_t errlen)
{
	return vmm_pause(((struct runner *)ctx)->vm, err, errlen);
}

static int op_resume(void *ctx, char *err, size_t errlen)
{
	return vmm_resume(((struct runner *)ctx)->vm, err, errlen);
}

static int op_snapshot(void *ctx, const char *state_path, const char *mem_path,
		       char *err, size_t errlen)
{
	return vmm_snapshot_create(((struct runner *)ctx)->vm, state_path, mem_path,
				   err, errlen);
}

static int op_ctrl_alt_del(void *ctx, char *err, size_t errlen)
{
	int r = vmm_send_ctrl_alt_del(((struct runner *)ctx)->vm);

	if (r)
		snprintf(err, errlen, "SendCtrlAltDel: %s", r == -ENOSPC ?
			 "the keyboard's queue is full; try again" : strerror(-r));
	return r;
}

static bool op_metrics(void *ctx, struct vmm_metrics *m)
{
	struct runner *r = ctx;
	struct vmm *vm;

	pthread_mutex_lock(&r->lock);
	vm = r->vm;
	pthread_mutex_unlock(&r->lock);
	if (vm)
		vmm_get_metrics(vm, m);
	return vm != NULL;
}

static const struct vmm__api_ops runner_ops = {
	.start = op_start, .load = op_load, .pause = op_pause, .resume = op_resume,
	.snapshot = op_snapshot, .ctrl_alt_del = op_ctrl_alt_del, .metrics = op_metrics,
};

/* VM thread: builds what the API asked for and answers it. */
static void answer(struct runner *r)
{
	struct vmm *vm = NULL;
	uint64_t v;
	int rc;

	IGNORE_READ(read(r->wake_fd, &v, sizeof(v)));
	pthread_mutex_lock(&r->lock);
	if (r->req == REQ_NONE) {
		pthread_mutex_unlock(&r->lock);
		return;
	}
	r->err[0] = '\0';
	if (r->req == REQ_START)
		rc = vmm_new(r->boot, r->err, sizeof(r->err), &vm);
	else
		rc = vmm_restore(r->host, r->state_path, r->mem_path, r->err,
				 sizeof(r->err), &vm);
	r->result = rc;
	r->vm = vm;
	r->req = REQ_NONE;
	pthread_cond_broadcast(&r->answered);
	pthread_mutex_unlock(&r->lock);
}

static void signals_of(const struct vmm_config *cfg, sigset_t *set)
{
	sigemptyset(set);
	sigaddset(set, SIGINT);
	sigaddset(set, SIGTERM);
	sigaddset(set, SIGHUP);
	if (cfg->dump_signal)
		sigaddset(set, cfg->dump_signal);
}

static void stopped_by_signal(struct vmm_result *res, int signo)
{
	memset(res, 0, sizeof(*res));
	res->reason = VMM_STOP_SIGNAL;
	res->signo = signo;
	res->exit_code = vmm_exit_code(VMM_STOP_SIGNAL, signo);
	snprintf(res->message, sizeof(res->message), "%s before the VM started",
		 strsignal(signo));
}

/*
 * Waits until the API had a VM built, or a termination signal came (the
 * dump signal is ignored before there is a VM).  Returns true with r->vm
 * set, false with *res filled.
 */
static bool wait_for_vm(struct runner *r, int sfd, struct vmm_result *res)
{
	while (!r->vm) {
		struct pollfd p[2] = { { .fd = sfd, .events = POLLIN },
				       { .fd = r->wake_fd, .events = POLLIN } };
		struct signalfd_siginfo si;

		if (poll(p, 2, -1) < 0)
			continue;
		if (p[1].revents & POLLIN)
			answer(r);
		if ((p[0].revents & POLLIN) && read(sfd, &si, sizeof(si)) == sizeof(si) &&
		    (int)si.ssi_signo != r->host->dump_signal) {
			stopped_by_signal(res, (int)si.ssi_signo);
			return false;
		}
	}
	return true;
}

struct serve_ctx {
	struct runner run;
	struct vmm__api_ctl ctl;
	struct vmm__api_server srv;
	bool serving;
};

static int boot_from_file(struct serve_ctx *s, const struct vmm_config *cfg,
			  char *err, size_t errlen)
{
	static struct vmm_config boot;
	static char why[VMM_ERR_MAX];
	const char *file = cfg->process.config_file;
	int r = vmm__config_file_load(file, &s->ctl.vmcfg, err, errlen);

	if (r)
		return r;
	r = vmm__vmcfg_finalize(&s->ctl.vmcfg, &boot, why, sizeof(why));
	if (r == 0)
		r = vmm_new(&boot, why, sizeof(why), &s->run.vm);
	if (r) {
		/* The machine came from the file: say so (docs/api.md). */
		snprintf(err, errlen, "--config-file %s: %s", file, why);
		return r;
	}
	vmm__api_ctl_started(&s->ctl);
	return 0;
}

static int serve_prepare(struct serve_ctx *s, const struct vmm_config *cfg,
			 char *err, size_t errlen)
{
	int r;

	s->run.host = cfg;
	s->run.wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (s->run.wake_fd < 0)
		return vmm__json_fail(err, errlen, -errno, "eventfd: %s", strerror(errno));
	vmm__api_ctl_init(&s->ctl, &runner_ops, &s->run, cfg);
	if (cfg->process.api_sock[0]) {
		r = vmm__api_server_open(&s->srv, cfg->process.api_sock, &s->ctl, err, errlen);
		if (r)
			return r;
		s->serving = true;
	}
	if (cfg->process.config_file[0] && (r = boot_from_file(s, cfg, err, errlen)))
		return r;
	if (s->serving && (r = vmm__api_server_start(&s->srv, cfg->process.seccomp)))
		return vmm__json_fail(err, errlen, r, "api thread: %s", strerror(-r));
	return 0;
}

/*
 * The VM thread takes no more requests: a submit() waiting for an answer,
 * or for a VM that will not run to start, gets -ESHUTDOWN, so that the
 * API thread can be joined (docs/api.md "Threads").
 */
static void runner_close(struct runner *r)
{
	pthread_mutex_lock(&r->lock);
	r->closing = true;
	pthread_cond_broadcast(&r->answered);
	pthread_mutex_unlock(&r->lock);
	if (r->vm && !r->ran)
		vmm__run_abandon(r->vm);
}

static void serve_cleanup(struct serve_ctx *s)
{
	runner_close(&s->run);
	if (s->serving)
		vmm__api_server_close(&s->srv);
	vmm__api_ctl_destroy(&s->ctl);
	vmm_free(s->run.vm);
	if (s->run.wake_fd >= 0)
		close(s->run.wake_fd);
}

int vmm_serve(const struct vmm_config *cfg, struct vmm_result *res,
	      char *err, size_t errlen)
{
	static struct serve_ctx s;	/* large (connection buffers); one per process */
	sigset_t set, old;
	int sfd, r;

	memset(&s, 0, sizeof(s));
	pthread_mutex_init(&s.run.lock, NULL);
	pthread_cond_init(&s.run.answered, NULL);
	s.run.wake_fd = -1;
	signals_of(cfg, &set);
	pthread_sigmask(SIG_BLOCK, &set, &old);
	sfd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	r = sfd < 0 ? -errno : serve_prepare(&s, cfg, err, errlen);
	if (sfd < 0)
		snprintf(err, errlen, "signalfd: %s", strerror(-r));
	if (r == 0 && wait_for_vm(&s.run, sfd, res)) {
		close(sfd);
		sfd = -1;
		pthread_mutex_lock(&s.run.lock);
		s.run.ran = true;
		pthread_mutex_unlock(&s.run.lock);
		vmm_run(s.run.vm, res);
	}
	serve_cleanup(&s);
	if (sfd >= 0)
		close(sfd);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return r;
}
