// SPDX-License-Identifier: MIT
// The /dev/kvm handle: open with the API version check, capability queries
// and the vCPU mmap size (api.rst 4.1-4.5).
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include "internal.h"

int kvmw_system_open(struct kvmw_system **out)
{
	return kvmw_system_open_path(KVMW_DEV_KVM, out);
}

int kvmw_system_open_path(const char *path, struct kvmw_system **out)
{
	struct kvmw_system *sys;
	int fd, ver;

	if (!path || !out)
		return -EINVAL;
	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	ver = kvmw__ioctl_val(fd, KVM_GET_API_VERSION, 0);
	if (ver != KVMW_API_VERSION) {
		close(fd);
		/* A file that is not a KVM node answers ENOTTY: still "not KVM". */
		return ver < 0 && ver != -ENOTTY ? ver : -ENOTSUP;
	}
	sys = calloc(1, sizeof(*sys));
	if (!sys) {
		close(fd);
		return -ENOMEM;
	}
	sys->fd = fd;
	*out = sys;
	return 0;
}

void kvmw_system_free(struct kvmw_system *sys)
{
	if (!sys)
		return;
	close(sys->fd);
	free(sys);
}

int kvmw_system_fd(const struct kvmw_system *sys)
{
	return sys ? sys->fd : -EINVAL;
}

int kvmw_system_api_version(const struct kvmw_system *sys)
{
	if (!sys)
		return -EINVAL;
	return kvmw__ioctl_val(sys->fd, KVM_GET_API_VERSION, 0);
}

int kvmw_system_check_cap(const struct kvmw_system *sys, int cap)
{
	if (!sys || cap < 0)
		return -EINVAL;
	return kvmw__ioctl_val(sys->fd, KVM_CHECK_EXTENSION, (unsigned long)cap);
}

int kvmw_system_vcpu_mmap_size(const struct kvmw_system *sys)
{
	if (!sys)
		return -EINVAL;
	return kvmw__ioctl_val(sys->fd, KVM_GET_VCPU_MMAP_SIZE, 0);
}

int kvmw_system_for_each_cap(const struct kvmw_system *sys, kvmw_cap_fn fn, void *ctx)
{
	const struct kvmw_cap_info *t;
	size_t n;

	if (!sys || !fn)
		return -EINVAL;
	t = kvmw_cap_table(&n);
	for (size_t i = 0; i < n; i++) {
		int v = kvmw_system_check_cap(sys, t[i].cap);
		int r;

		if (v < 0)
			return v;
		r = fn(ctx, &t[i], v);
		if (r)
			return r;
	}
	return 0;
}
