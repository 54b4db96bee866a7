// SPDX-License-Identifier: MIT
// Checks of the host paths on cvmm-jailer's command line before anything is
// created: --exec-file is a regular, executable, statically linked ELF file
// (the jail holds no shared libraries or program interpreter; ELF gABI,
// "Program Header", PT_INTERP), every --file is a regular file, and --netns
// is a network namespace file (nsfs).
#include "jail.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <sched.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#ifndef NSFS_MAGIC
#define NSFS_MAGIC 0x6e736673
#endif

static int read_at(int fd, void *buf, size_t len, off_t off)
{
	ssize_t r = pread(fd, buf, len, off);

	return r == (ssize_t)len ? 0 : -ENOEXEC;
}

int jail__elf_has_interp(int fd)
{
	Elf64_Ehdr eh;

	if (read_at(fd, &eh, sizeof(eh), 0) || memcmp(eh.e_ident, ELFMAG, SELFMAG) ||
	    eh.e_ident[EI_CLASS] != ELFCLASS64 || eh.e_phentsize != sizeof(Elf64_Phdr) ||
	    (eh.e_type != ET_EXEC && eh.e_type != ET_DYN) || eh.e_phnum > 4096)
		return -ENOEXEC;
	for (unsigned i = 0; i < eh.e_phnum; i++) {
		Elf64_Phdr ph;

		if (read_at(fd, &ph, sizeof(ph), (off_t)(eh.e_phoff + (Elf64_Off)i * sizeof(ph))))
			return -ENOEXEC;
		if (ph.p_type == PT_INTERP)
			return 1;
	}
	return 0;
}

static int check_exec(const char *path, char *err)
{
	struct stat st;
	int fd, r;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return jail__fail(err, "--exec-file %s: %s", path, strerror(errno));
	if (fstat(fd, &st) || !S_ISREG(st.st_mode) || !(st.st_mode & 0111)) {
		close(fd);
		errno = EACCES;
		return jail__fail(err, "--exec-file %s: not a regular executable file", path);
	}
	r = jail__elf_has_interp(fd);
	close(fd);
	errno = ENOEXEC;
	if (r < 0)
		return jail__fail(err, "--exec-file %s: not an x86_64 ELF executable", path);
	if (r > 0)
		return jail__fail(err, "--exec-file %s: dynamically linked, but the jail holds no "
				  "shared libraries (build cvmm with -Dstatic_cvmm=true)", path);
	return 0;
}

static int open_netns(const char *path, int *out, char *err)
{
	struct statfs sf;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return jail__fail(err, "--netns %s: %s", path, strerror(errno));
	if (fstatfs(fd, &sf) || sf.f_type != NSFS_MAGIC) {
		close(fd);
		errno = EINVAL;
		return jail__fail(err, "--netns %s: not a namespace file", path);
	}
	*out = fd;
	return 0;
}

int jail__validate(const struct jail_args *a, int *netns_fd, char *err)
{
	int r;

	*netns_fd = -1;
	r = check_exec(a->exec_file, err);
	if (r)
		return r;
	for (size_t i = 0; i < a->nfiles; i++) {
		struct stat st;

		if (stat(a->files[i].src, &st))
			return jail__fail(err, "--file %s: %s", a->files[i].src, strerror(errno));
		if (!S_ISREG(st.st_mode)) {
			errno = EINVAL;
			return jail__fail(err, "--file %s: not a regular file", a->files[i].src);
		}
		if (!strcmp(a->files[i].dest, strrchr(a->exec_file, '/') ?
			    strrchr(a->exec_file, '/') + 1 : a->exec_file)) {
			errno = EINVAL;
			return jail__fail(err, "--file %s: name '%s' is the executable's",
					  a->files[i].src, a->files[i].dest);
		}
	}
	if (a->netns)
		return open_netns(a->netns, netns_fd, err);
	return 0;
}
