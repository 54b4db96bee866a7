// SPDX-License-Identifier: MIT
// Getting a vCPU out of the guest from another thread (api.rst 4.10 KVM_RUN
// EINTR, 5 immediate_exit, 4.23 KVM_SET_SIGNAL_MASK): the guest spins
// forever, so only a kick can end the run.
#include <criterion/criterion.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <time.h>

#include "guest.h"

static struct tg g;
#define KICK_SIG SIGUSR1

static void setup(void)
{
	if (!tg_have_kvm())
		cr_skip_test("no /dev/kvm");
	cr_assert_eq(tg_open(&g, 64u * 1024u, false), 0);
}

static void teardown(void)
{
	tg_close(&g);
}

TestSuite(kick, .init = setup, .fini = teardown, .timeout = 20);

static const uint8_t spin[] = { 0xeb, 0xfe };	/* jmp $ */

Test(kick, immediate_exit_returns_intr_without_running)
{
	struct kvm_regs regs;
	struct kvmw_exit e;

	cr_assert_eq(tg_real_mode(&g, spin, sizeof(spin)), 0);
	kvmw_vcpu_set_immediate_exit(g.vcpu, true);
	cr_assert_eq(kvmw_vcpu_run(g.vcpu, &e), 0);
	cr_assert_eq(e.reason, KVMW_EXIT_INTR);
	cr_assert_eq(kvmw_vcpu_run(g.vcpu, &e), 0);
	cr_assert_eq(e.reason, KVMW_EXIT_INTR, "stays set until cleared");
	kvmw_vcpu_set_immediate_exit(g.vcpu, false);
	cr_assert_eq(kvmw_vcpu_get_regs(g.vcpu, &regs), 0);
	cr_assert_eq(regs.rip, TG_CODE_GPA);
}

struct kicker {
	struct kvmw_vcpu *vcpu;
	pthread_t target;
	int result;
};

static void *kick_later(void *arg)
{
	struct kicker *k = arg;
	struct timespec ts = { .tv_sec = 0, .tv_nsec = 50 * 1000 * 1000 };

	nanosleep(&ts, NULL);
	k->result = kvmw_vcpu_kick(k->vcpu, k->target, KICK_SIG);
	return NULL;
}

Test(kick, kick_from_another_thread_ends_a_spinning_guest)
{
	struct kicker k = { .vcpu = g.vcpu, .target = pthread_self(), .result = 1 };
	sigset_t block, inside;
	pthread_t t;
	struct kvmw_exit e;

	/*
	 * The usual VMM arrangement: the kick signal is blocked in the vCPU
	 * thread and unblocked only while it is inside KVM_RUN.
	 */
	cr_assert_eq(kvmw_kick_signal_init(KICK_SIG), 0);
	sigemptyset(&block);
	sigaddset(&block, KICK_SIG);
	cr_assert_eq(pthread_sigmask(SIG_BLOCK, &block, &inside), 0);
	sigdelset(&inside, KICK_SIG);
	cr_assert_eq(kvmw_vcpu_set_signal_mask(g.vcpu, &inside), 0);

	cr_assert_eq(tg_real_mode(&g, spin, sizeof(spin)), 0);
	cr_assert_eq(pthread_create(&t, NULL, kick_later, &k), 0);
	cr_assert_eq(kvmw_vcpu_run(g.vcpu, &e), 0);
	cr_assert_eq(e.reason, KVMW_EXIT_INTR);
	pthread_join(t, NULL);
	cr_assert_eq(k.result, 0);
	kvmw_vcpu_set_immediate_exit(g.vcpu, false);
	cr_assert_eq(pthread_sigmask(SIG_UNBLOCK, &block, NULL), 0);
}

Test(kick, kick_rejects_bad_signal)
{
	cr_assert_eq(kvmw_vcpu_kick(g.vcpu, pthread_self(), 0), -EINVAL);
	cr_assert_eq(kvmw_vcpu_kick(g.vcpu, pthread_self(), NSIG), -EINVAL);
}

Test(kick, complete_pending_finishes_an_in_without_running_on)
{
	static const uint8_t code[] = { 0xe4, 0x40, 0xe6, 0x41, 0xf4 }; /* in al,0x40; out 0x41,al */
	struct kvm_regs regs;
	struct kvmw_exit e;

	cr_assert_eq(tg_real_mode(&g, code, sizeof(code)), 0);
	cr_assert_eq(tg_run(&g, &e), 0);
	cr_assert(e.u.io.in);
	e.u.io.data[0] = 0x3c;
	cr_assert_eq(kvmw_vcpu_complete_pending(g.vcpu), 0);
	cr_assert_eq(kvmw_vcpu_get_regs(g.vcpu, &regs), 0);
	cr_assert_eq(regs.rax & 0xff, 0x3c, "the IN completed into AL");
	cr_assert_eq(regs.rip, TG_CODE_GPA + 2, "and nothing after it ran");
	cr_assert_eq(tg_run(&g, &e), 0);
	cr_assert_eq(e.u.io.port, 0x41);
}
