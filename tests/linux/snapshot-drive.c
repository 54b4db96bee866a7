// SPDX-License-Identifier: MIT
// Drives libvmm's pause, resume, snapshot, restore and Ctrl+Alt+Del on a
// Linux guest whose /init prints a numbered heartbeat (make-initramfs.sh,
// cvmm.ticker=1), and judges each step from the console file:
//   1. boot until the heartbeat; pause: no new beat for 2 s;
//   2. snapshot while paused (a snapshot while running is refused first);
//   3. resume: the next beat is the next number, and the guest's uptime
//      grew by less than the pause lasted (kvmclock and TSC were held);
//   4. stop that VM; a truncated and a corrupted state file are refused
//      with one line each; restore the snapshot and resume: its first beat
//      is the one after the last beat before the snapshot;
//   5. Ctrl+Alt+Del on the i8042 keyboard: the guest reboots, so the
//      restored VM stops with a reset.
// Prints "snapshot-drive: PASS|FAIL step: detail" per check; exit 0 when
// all passed.  Usage: snapshot-drive KERNEL INITRD DISK WORKDIR VCPUS
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <vmm/boottimer.h>
#include <vmm/vmm.h>

static int failures;
static char dir[512], console[600];

static void check(const char *step, int ok, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void check(const char *step, int ok, const char *fmt, ...)
{
	va_list ap;

	printf("snapshot-drive: %s %s: ", ok ? "PASS" : "FAIL", step);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	failures += !ok;
}

struct beat {
	long n;
	double uptime;
};

/* The last heartbeat in the console file (n = 0: none yet). */
static struct beat last_beat(void)
{
	struct beat b = { 0, 0 };
	char line[256];
	FILE *f = fopen(console, "r");

	while (f && fgets(line, sizeof(line), f)) {
		char *p = strstr(line, "CVMM-TICK: ");
		struct beat t;

		if (p && sscanf(p, "CVMM-TICK: %ld %lf", &t.n, &t.uptime) == 2)
			b = t;
	}
	if (f)
		fclose(f);
	return b;
}

/* The first beat numbered above `after`, waiting up to secs. */
static struct beat beat_after(long after, int secs)
{
	char line[256];

	for (int i = 0; i < secs * 10; i++) {
		FILE *f = fopen(console, "r");

		while (f && fgets(line, sizeof(line), f)) {
			char *p = strstr(line, "CVMM-TICK: ");
			struct beat t;

			if (p && sscanf(p, "CVMM-TICK: %ld %lf", &t.n, &t.uptime) == 2 &&
			    t.n > after) {
				fclose(f);
				return t;
			}
		}
		if (f)
			fclose(f);
		usleep(100000);
	}
	return (struct beat){ 0, 0 };
}

struct runner {
	struct vmm *vm;
	pthread_t thread;
	struct vmm_result res;
};

static void *run(void *arg)
{
	struct runner *r = arg;

	vmm_run(r->vm, &r->res);
	return NULL;
}

static double now_s(void)
{
	return (double)vmm_monotonic_ns() / 1e9;
}

static void host_config(struct vmm_config *cfg)
{
	vmm_config_init(cfg);
	cfg->serial.out = VMM_SERIAL_OUT_FILE;
	snprintf(cfg->serial.out_path, sizeof(cfg->serial.out_path), "%s", console);
	cfg->serial.stdin_input = false;
}

static int first_vm(const char **argv, const char *state, const char *mem, struct beat *saved)
{
	struct vmm_config cfg;
	struct runner r = { 0 };
	char err[VMM_ERR_MAX];
	struct beat b, before, after;
	double paused_at;

	host_config(&cfg);
	snprintf(cfg.kernel_path, sizeof(cfg.kernel_path), "%s", argv[1]);
	snprintf(cfg.initramfs_path, sizeof(cfg.initramfs_path), "%s", argv[2]);
	snprintf(cfg.blocks[0].path, sizeof(cfg.blocks[0].path), "%s", argv[3]);
	cfg.nblocks = 1;
	cfg.vcpus = (uint32_t)atoi(argv[5]);
	cfg.virtio_cmdline = false;
	snprintf(cfg.cmdline, sizeof(cfg.cmdline), "console=ttyS0 reboot=k panic=1 cvmm.ticker=1");
	if (vmm_new(&cfg, err, sizeof(err), &r.vm)) {
		check("boot", 0, "%s", err);
		return -1;
	}
	pthread_create(&r.thread, NULL, run, &r);
	vmm_wait_started(r.vm);
	b = beat_after(3, 240);
	check("heartbeat", b.n > 0, "beat %ld at uptime %.2f", b.n, b.uptime);
	if (b.n == 0)
		goto stop;
	check("snapshot while running refused",
	      vmm_snapshot_create(r.vm, state, mem, err, sizeof(err)) == -EBUSY, "%s", err);
	err[0] = '\0';
	check("pause", vmm_pause(r.vm, err, sizeof(err)) == 0 && vmm_is_paused(r.vm), "%s",
	      err[0] ? err : "paused");
	paused_at = now_s();
	before = last_beat();
	sleep(2);
	after = last_beat();
	check("no beat while paused", after.n == before.n, "last %ld, 2 s later %ld", before.n,
	      after.n);
	err[0] = '\0';
	check("snapshot", vmm_snapshot_create(r.vm, state, mem, err, sizeof(err)) == 0, "%s",
	      err[0] ? err : "written");
	*saved = before;
	sleep(1);
	check("resume", vmm_resume(r.vm, err, sizeof(err)) == 0, "after %.1f s",
	      now_s() - paused_at);
	b = beat_after(before.n, 60);
	check("next beat after resume", b.n == before.n + 1, "before %ld, after %ld", before.n,
	      b.n);
	check("uptime held across the pause", b.n && b.uptime - before.uptime < 2.0,
	      "uptime +%.2f s across a %.1f s pause", b.uptime - before.uptime,
	      now_s() - paused_at);
stop:
	kill(getpid(), SIGTERM);	/* read by the VM's signalfd: a clean stop */
	pthread_join(r.thread, NULL);
	vmm_free(r.vm);
	return 0;
}

static void refused(const char *name, const char *state, const char *mem, const char *want)
{
	struct vmm_config host;
	char err[VMM_ERR_MAX] = "";
	struct vmm *vm = NULL;
	int r;

	host_config(&host);
	r = vmm_restore(&host, state, mem, err, sizeof(err), &vm);
	check(name, r != 0 && !vm && strstr(err, want), "%s", err);
	if (!r)
		vmm_free(vm);
}

static void bad_copies(const char *state, const char *mem)
{
	char bad[600];
	struct stat st;
	char *buf;
	int fd = open(state, O_RDONLY);

	if (fd < 0 || fstat(fd, &st) || !(buf = malloc((size_t)st.st_size)) ||
	    read(fd, buf, (size_t)st.st_size) != st.st_size) {
		check("read state file", 0, "%s", strerror(errno));
		return;
	}
	close(fd);
	snprintf(bad, sizeof(bad), "%s/bad.state", dir);
	fd = open(bad, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd < 0 || write(fd, buf, (size_t)st.st_size / 2) < 0)
		check("write truncated copy", 0, "%s", strerror(errno));
	close(fd);
	refused("truncated snapshot refused", bad, mem, "snapshot");
	buf[st.st_size - 100] ^= 0x40;
	fd = open(bad, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd < 0 || write(fd, buf, (size_t)st.st_size) < 0)
		check("write corrupted copy", 0, "%s", strerror(errno));
	close(fd);
	refused("corrupted snapshot refused", bad, mem, "CRC");
	free(buf);
}

static void restored_vm(const char *state, const char *mem, struct beat saved)
{
	struct vmm_config host;
	struct runner r = { 0 };
	char err[VMM_ERR_MAX];
	struct beat b;

	/* A console of its own: beats the first VM printed after its resume
	 * must not count. */
	snprintf(console, sizeof(console), "%s/console-restored", dir);
	host_config(&host);
	if (vmm_restore(&host, state, mem, err, sizeof(err), &r.vm)) {
		check("restore", 0, "%s", err);
		return;
	}
	check("restored paused", vmm_is_paused(r.vm), "paused until resumed");
	pthread_create(&r.thread, NULL, run, &r);
	vmm_wait_started(r.vm);
	check("resume restored", vmm_resume(r.vm, err, sizeof(err)) == 0, "%s", "resumed");
	b = beat_after(saved.n, 60);
	check("restored VM goes on", b.n == saved.n + 1, "snapshot after %ld, then %ld", saved.n,
	      b.n);
	check("Ctrl+Alt+Del sent", vmm_send_ctrl_alt_del(r.vm) == 0, "on the i8042 keyboard");
	int joined = 0;

	for (int i = 0; i < 1200 && !joined; i++) {
		joined = pthread_tryjoin_np(r.thread, NULL) == 0;
		if (!joined)
			usleep(100000);
	}
	if (!joined) {
		kill(getpid(), SIGTERM);
		pthread_join(r.thread, NULL);
	}
	check("guest rebooted on Ctrl+Alt+Del", r.res.reason == VMM_STOP_RESET, "%s: %s",
	      vmm_stop_reason_name(r.res.reason), r.res.message);
	vmm_free(r.vm);
}

int main(int argc, const char **argv)
{
	char state[600], mem[600];
	struct beat saved = { 0, 0 };
	sigset_t set;

	if (argc != 6) {
		fprintf(stderr, "usage: snapshot-drive KERNEL INITRD DISK WORKDIR VCPUS\n");
		return 2;
	}
	/* Every thread inherits these blocked; each VM reads them by signalfd. */
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	snprintf(dir, sizeof(dir), "%s", argv[4]);
	snprintf(console, sizeof(console), "%s/console", dir);
	snprintf(state, sizeof(state), "%s/vm.state", dir);
	snprintf(mem, sizeof(mem), "%s/vm.mem", dir);
	if (first_vm(argv, state, mem, &saved) == 0 && saved.n > 0) {
		struct stat st = { 0 };
		int have = stat(mem, &st) == 0;

		check("memory file sparse", have && st.st_blocks * 512 < st.st_size,
		      "%lld of %lld bytes allocated", (long long)st.st_blocks * 512,
		      (long long)st.st_size);
		bad_copies(state, mem);
		restored_vm(state, mem, saved);
	}
	printf("snapshot-drive: %d failed\n", failures);
	return failures ? 1 : 0;
}
