// SPDX-License-Identifier: MIT
// Terminal raw mode with restoration on every exit path.  The saved
// termios lives in static storage so that an atexit hook and fatal-signal
// handlers can restore it; tcsetattr() is async-signal-safe.
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include <vmm/term.h>

static struct termios saved;
static int saved_fd = -1;
static volatile sig_atomic_t is_raw;
static bool hooks_installed;

void vmm_term_restore(void)
{
	if (is_raw) {
		tcsetattr(saved_fd, TCSAFLUSH, &saved);
		is_raw = 0;
	}
}

bool vmm_term_is_raw(void)
{
	return is_raw != 0;
}

/* Crash signals: put the terminal back, then die of the same signal with
 * the default action so the exit status stays truthful. */
static void on_fatal_signal(int sig)
{
	vmm_term_restore();
	signal(sig, SIG_DFL);
	raise(sig);
}

static void install_hooks(void)
{
	static const int fatal[] = { SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT };
	struct sigaction sa;

	if (hooks_installed)
		return;
	hooks_installed = true;
	atexit(vmm_term_restore);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_fatal_signal;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_RESETHAND;
	for (size_t i = 0; i < sizeof(fatal) / sizeof(fatal[0]); i++)
		sigaction(fatal[i], &sa, NULL);
}

int vmm_term_raw_enter(int fd)
{
	struct termios raw;

	if (is_raw)
		return -EBUSY;
	if (!isatty(fd))
		return 0;
	if (tcgetattr(fd, &saved) != 0)
		return -errno;
	saved_fd = fd;
	install_hooks();
	raw = saved;
	/* Keys, including ^C and ^Z, go to the guest; output processing is
	 * kept (OPOST) so that the VMM's own messages still get CR-LF. */
	raw.c_iflag &= ~(tcflag_t)(IGNBRK | BRKINT | PARMRK | ISTRIP | INLCR |
				   IGNCR | ICRNL | IXON);
	raw.c_lflag &= ~(tcflag_t)(ECHO | ECHONL | ICANON | ISIG | IEXTEN);
	raw.c_cflag &= ~(tcflag_t)(CSIZE | PARENB);
	raw.c_cflag |= CS8;
	raw.c_cc[VMIN] = 1;
	raw.c_cc[VTIME] = 0;
	if (tcsetattr(fd, TCSAFLUSH, &raw) != 0)
		return -errno;
	is_raw = 1;
	return 1;
}
