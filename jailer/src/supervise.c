// SPDX-License-Identifier: MIT
// Waiting for the jailed process, used twice: by the jailer outside (for the
// jail's init) and by that init inside the PID namespace (for cvmm). Signals
// a user or a supervisor sent (kill(2): SI_USER, SI_QUEUE) are passed on;
// ones the kernel sent to the whole process group (a terminal's ^C,
// SI_KERNEL) already reached cvmm and are not sent twice (sigaction(2),
// "The siginfo_t argument").
#include "jail.h"

#include <errno.h>
#include <signal.h>
#include <sys/wait.h>

void jail__forward_set(sigset_t *set)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2 };

	sigemptyset(set);
	for (unsigned i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		sigaddset(set, sigs[i]);
}

int jail__wait_forwarding(pid_t child)
{
	sigset_t set;

	jail__forward_set(&set);
	sigaddset(&set, SIGCHLD);
	for (;;) {
		siginfo_t si;
		int st;
		pid_t p = waitpid(child, &st, WNOHANG);

		if (p == child)
			return st;
		if (p < 0 && errno != EINTR)
			return 0;
		if (sigwaitinfo(&set, &si) < 0 || si.si_signo == SIGCHLD)
			continue;
		if (si.si_code == SI_USER || si.si_code == SI_QUEUE)
			kill(child, si.si_signo);
	}
}

int jail__exit_code(int wstatus)
{
	if (WIFEXITED(wstatus))
		return WEXITSTATUS(wstatus);
	if (WIFSIGNALED(wstatus))
		return 128 + WTERMSIG(wstatus);
	return JAIL_EXIT_FAILURE;
}
