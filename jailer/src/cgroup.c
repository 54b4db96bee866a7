// SPDX-License-Identifier: MIT
// cgroup v2 for one jail (Linux Documentation/admin-guide/cgroup-v2.rst):
// the cgroup2 mount is found in /proc/self/mountinfo (proc(5)), the needed
// controllers are enabled in cgroup.subtree_control from the mount's root
// down to <mount>/cvmm-jailer, and <mount>/cvmm-jailer/<id> gets the limits
// before the jailed init is moved in. cvmm-jailer/ holds no process itself,
// which the "no internal process" rule requires of a cgroup that hands
// domain controllers (memory) to its children.
#include "jail.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define CG_PARENT "cvmm-jailer"

bool jail__cgroup_wanted(const struct jail_args *a)
{
	for (int k = 0; k < JAIL_CG_COUNT; k++)
		if (a->cgroup[k])
			return true;
	return false;
}

/* mountinfo escapes space, tab, newline and backslash as \ooo. */
static void unescape(char *s)
{
	char *w = s;

	for (char *r = s; *r; r++) {
		if (r[0] == '\\' && r[1] >= '0' && r[1] <= '3' && r[2] >= '0' && r[2] <= '7' &&
		    r[3] >= '0' && r[3] <= '7') {
			*w++ = (char)((r[1] - '0') * 64 + (r[2] - '0') * 8 + (r[3] - '0'));
			r += 3;
		} else {
			*w++ = *r;
		}
	}
	*w = '\0';
}

int jail__cgroup_find(char *mnt, size_t len, char *err)
{
	FILE *f = fopen("/proc/self/mountinfo", "re");
	char line[4096];

	if (!f)
		return jail__fail(err, "/proc/self/mountinfo: %s", strerror(errno));
	while (fgets(line, sizeof(line), f)) {
		char point[PATH_MAX], fstype[64];
		char *sep = strstr(line, " - ");

		/* id parent major:minor root mount-point ... - fstype source opts */
		if (!sep || sscanf(line, "%*s %*s %*s %*s %4095s", point) != 1 ||
		    sscanf(sep + 3, "%63s", fstype) != 1 || strcmp(fstype, "cgroup2"))
			continue;
		fclose(f);
		unescape(point);
		snprintf(mnt, len, "%s", point);
		return 0;
	}
	fclose(f);
	errno = ENOENT;
	return jail__fail(err, "--cgroup: no cgroup2 file system is mounted (see /proc/self/mountinfo)");
}

static int read_small(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	return 0;
}

static int write_str(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, s, strlen(s));
	if (n < 0) {
		int e = errno;

		close(fd);
		return -e;
	}
	close(fd);
	return (size_t)n == strlen(s) ? 0 : -EIO;
}

static bool has_word(const char *list, const char *word)
{
	size_t n = strlen(word);

	for (const char *p = list; (p = strstr(p, word)); p += n)
		if ((p == list || p[-1] == ' ') && (p[n] == ' ' || p[n] == '\n' || !p[n]))
			return true;
	return false;
}

/* Makes every controller the limits need available to dir's children. */
static int enable_controllers(const struct jail_args *a, const char *dir, char *err)
{
	char path[PATH_MAX], have[512], on[512];
	int r;

	jail__path(path, sizeof(path), "%s/cgroup.controllers", dir);
	if ((r = read_small(path, have, sizeof(have)))) {
		errno = -r;
		return jail__fail(err, "%s: %s", path, strerror(errno));
	}
	jail__path(path, sizeof(path), "%s/cgroup.subtree_control", dir);
	if ((r = read_small(path, on, sizeof(on)))) {
		errno = -r;
		return jail__fail(err, "%s: %s", path, strerror(errno));
	}
	for (int k = 0; k < JAIL_CG_COUNT; k++) {
		const char *c = jail_cgroup_key_controller(k);
		char plus[32];

		if (!a->cgroup[k] || has_word(on, c))
			continue;
		if (!has_word(have, c)) {
			have[strcspn(have, "\n")] = '\0';
			errno = ENOTSUP;
			return jail__fail(err, "--cgroup %s: controller '%s' is not available in %s "
					  "(it has: %s)", jail_cgroup_key_name(k), c, dir,
					  have[0] ? have : "none");
		}
		snprintf(plus, sizeof(plus), "+%s", c);
		if ((r = write_str(path, plus))) {
			errno = -r;
			return jail__fail(err, "%s: enabling %s: %s", path, c, strerror(errno));
		}
	}
	return 0;
}

static int write_limits(const struct jail_args *a, const struct jail_cgroup *cg, char *err)
{
	for (int k = 0; k < JAIL_CG_COUNT; k++) {
		char path[PATH_MAX];
		int r;

		if (!a->cgroup[k])
			continue;
		jail__path(path, sizeof(path), "%s/%s", cg->leaf, jail_cgroup_key_name(k));
		if ((r = write_str(path, a->cgroup[k]))) {
			errno = -r;
			return jail__fail(err, "--cgroup %s=%s: %s", jail_cgroup_key_name(k),
					  a->cgroup[k], strerror(errno));
		}
	}
	return 0;
}

int jail__cgroup_create(const struct jail_args *a, struct jail_cgroup *cg, char *err)
{
	char mnt[PATH_MAX];
	int r;

	memset(cg, 0, sizeof(*cg));
	if ((r = jail__cgroup_find(mnt, sizeof(mnt), err)) || (r = enable_controllers(a, mnt, err)))
		return r;
	if (jail__path(cg->parent, sizeof(cg->parent), "%s/" CG_PARENT, mnt) ||
	    jail__path(cg->leaf, sizeof(cg->leaf), "%s/%s", cg->parent, a->id)) {
		errno = ENAMETOOLONG;
		return jail__fail(err, "cgroup under %s: %s", mnt, strerror(errno));
	}
	if (mkdir(cg->parent, 0755) == 0)
		cg->parent_made = true;
	else if (errno != EEXIST)
		return jail__fail(err, "cgroup %s: %s", cg->parent, strerror(errno));
	if ((r = enable_controllers(a, cg->parent, err)))
		return r;
	if (mkdir(cg->leaf, 0755)) {
		if (errno == EEXIST)
			return jail__fail(err, "cgroup %s already exists: is a jail with --id %s "
					  "running?", cg->leaf, a->id);
		return jail__fail(err, "cgroup %s: %s", cg->leaf, strerror(errno));
	}
	cg->leaf_made = true;
	return write_limits(a, cg, err);
}

int jail__cgroup_add(const struct jail_cgroup *cg, pid_t pid, char *err)
{
	char path[PATH_MAX], num[24];
	int r;

	jail__path(path, sizeof(path), "%s/cgroup.procs", cg->leaf);
	snprintf(num, sizeof(num), "%d", (int)pid);
	if ((r = write_str(path, num))) {
		errno = -r;
		return jail__fail(err, "%s: moving the jail in: %s", path, strerror(errno));
	}
	return 0;
}

int jail__cgroup_remove(struct jail_cgroup *cg, char *err)
{
	/* The last task's exit can trail its reaping by a moment (EBUSY). */
	for (int tries = 0; cg->leaf_made && rmdir(cg->leaf); tries++) {
		if (errno == ENOENT)
			break;
		if (errno != EBUSY || tries == 100)
			return jail__fail(err, "removing cgroup %s: %s", cg->leaf, strerror(errno));
		nanosleep(&(struct timespec){ .tv_nsec = 10 * 1000 * 1000 }, NULL);
	}
	cg->leaf_made = false;
	/* Shared by concurrent jails: removed only when this run made it and
	 * no other jail is in it (then rmdir fails, which is fine). */
	if (cg->parent_made)
		(void)rmdir(cg->parent);
	cg->parent_made = false;
	return 0;
}
