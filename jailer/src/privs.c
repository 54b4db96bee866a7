// SPDX-License-Identifier: MIT
// The last step before cvmm runs: every capability goes, for good, and the
// process becomes uid:gid with no supplementary groups (capabilities(7),
// "Capability bounding set", "Effect of user ID changes on capabilities";
// prctl(2) PR_CAPBSET_DROP, PR_CAP_AMBIENT, PR_SET_NO_NEW_PRIVS). Raw
// capget/capset, so no libcap is needed. The bounding set is emptied while
// CAP_SETPCAP is still held; with it empty and no_new_privs set, not even
// an exec as uid 0 (--allow-root) or of a setuid/file-capability binary can
// regain a capability.
#include "jail.h"

#include <errno.h>
#include <grp.h>
#include <linux/capability.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

static int caps_set_none(void)
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3];

	memset(data, 0, sizeof(data));
	return syscall(SYS_capset, &h, data) ? -errno : 0;
}

static int caps_all_clear(void)
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3];

	if (syscall(SYS_capget, &h, data))
		return -errno;
	for (int i = 0; i < _LINUX_CAPABILITY_U32S_3; i++)
		if (data[i].effective || data[i].permitted || data[i].inheritable)
			return -EPERM;
	return 0;
}

static int drop_bounding_set(void)
{
	/* Up to the kernel's last capability: PR_CAPBSET_READ says EINVAL
	 * past it, which also covers capabilities newer than our headers. */
	for (unsigned long c = 0; prctl(PR_CAPBSET_READ, c, 0, 0, 0) >= 0; c++)
		if (prctl(PR_CAPBSET_DROP, c, 0, 0, 0))
			return -errno;
	return 0;
}

int jail__drop_privileges(uid_t uid, gid_t gid, char *err)
{
	if (drop_bounding_set())
		return jail__fail(err, "dropping the capability bounding set: %s", strerror(errno));
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) && errno != EINVAL)
		return jail__fail(err, "clearing ambient capabilities: %s", strerror(errno));
	if (setgroups(0, NULL))
		return jail__fail(err, "setgroups: %s", strerror(errno));
	if (setresgid(gid, gid, gid))
		return jail__fail(err, "setresgid %u: %s", (unsigned)gid, strerror(errno));
	if (setresuid(uid, uid, uid))
		return jail__fail(err, "setresuid %u: %s", (unsigned)uid, strerror(errno));
	/* A switch to a non-zero uid clears the sets already; uid 0 keeps
	 * them, so clear explicitly in every case and check. */
	if (caps_set_none())
		return jail__fail(err, "capset to none: %s", strerror(errno));
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		return jail__fail(err, "PR_SET_NO_NEW_PRIVS: %s", strerror(errno));
	errno = EPERM;
	if (caps_all_clear())
		return jail__fail(err, "capabilities still held after dropping them");
	return 0;
}
