// SPDX-License-Identifier: MIT
// Raw mode on a pseudo-terminal, and its restoration on exit paths.
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <pty.h>
#include <signal.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <vmm/term.h>

static int open_pty(int *slave)
{
	int master;

	cr_assert_eq(openpty(&master, slave, NULL, NULL, NULL), 0);
	return master;
}

Test(term, not_a_terminal_is_left_alone)
{
	int fds[2];

	cr_assert_eq(pipe(fds), 0);
	cr_assert_eq(vmm_term_raw_enter(fds[0]), 0);
	cr_assert(!vmm_term_is_raw());
	close(fds[0]);
	close(fds[1]);
}

Test(term, raw_then_restored)
{
	int slave, master = open_pty(&slave);
	struct termios before, during, after;

	tcgetattr(slave, &before);
	cr_assert_eq(vmm_term_raw_enter(slave), 1);
	cr_assert(vmm_term_is_raw());
	tcgetattr(slave, &during);
	cr_assert_eq(during.c_lflag & (ICANON | ECHO | ISIG), 0);
	cr_assert_eq(vmm_term_raw_enter(slave), -EBUSY);
	vmm_term_restore();
	vmm_term_restore();	/* idempotent */
	tcgetattr(slave, &after);
	cr_assert_eq(after.c_lflag, before.c_lflag);
	cr_assert_eq(after.c_iflag, before.c_iflag);
	close(slave);
	close(master);
}

/* In a child: enter raw mode then leave by fn; the parent checks the pty. */
static void child_exit_path(int how)
{
	int slave, master = open_pty(&slave);
	struct termios before, after;
	pid_t pid;
	int st;

	tcgetattr(slave, &before);
	pid = fork();
	cr_assert_geq(pid, 0);
	if (pid == 0) {
		if (vmm_term_raw_enter(slave) != 1)
			_exit(99);
		if (how == 0)
			exit(3);
		raise(SIGSEGV);
		_exit(98);
	}
	cr_assert_eq(waitpid(pid, &st, 0), pid);
	if (how == 0) {
		cr_assert(WIFEXITED(st));
		cr_assert_eq(WEXITSTATUS(st), 3);
	} else {
		cr_assert(WIFSIGNALED(st));
		cr_assert_eq(WTERMSIG(st), SIGSEGV);
	}
	tcgetattr(slave, &after);
	cr_assert_eq(after.c_lflag, before.c_lflag);
	close(slave);
	close(master);
}

Test(term, restored_on_exit)
{
	child_exit_path(0);
}

Test(term, restored_on_crash_signal_and_signal_kept)
{
	child_exit_path(1);
}
