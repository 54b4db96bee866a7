// SPDX-License-Identifier: MIT
// The jail directory <base>/<exec name>/<id>/root (jailer/README.md, "Jail
// layout"): created only when absent or empty, populated with a private
// copy of the executable, the --file entries (hard links on the same file
// system, else copies), device nodes and run/, and removed again by the
// same process that made it, down to the directories it had to create.
#include "jail.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#define RM_DEPTH_MAX 64

bool jail__wants_tun(const struct jail_args *a)
{
	for (int i = 0; i < a->exec_argc; i++)
		if (!strcmp(a->exec_argv[i], "--net") || !strncmp(a->exec_argv[i], "--net=", 6))
			return true;
	return false;
}

static bool dir_is_empty(const char *path)
{
	DIR *dir = opendir(path);
	struct dirent *e;
	bool empty = true;

	if (!dir)
		return false;
	while ((e = readdir(dir)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			empty = false;
	closedir(dir);
	return empty;
}

/* mkdir that records what it made, so that removal stops at what was there. */
static int make_dir(struct jail_dir *d, const char *path, char *err)
{
	if (mkdir(path, 0755) == 0) {
		snprintf(d->made[d->nmade++], PATH_MAX, "%s", path);
		return 0;
	}
	if (errno == EEXIST) {
		struct stat st;

		if (!stat(path, &st) && S_ISDIR(st.st_mode))
			return 0;
		errno = ENOTDIR;
	}
	return jail__fail(err, "jail directory %s: %s", path, strerror(errno));
}

int jail__dir_create(const struct jail_args *a, struct jail_dir *d, char *err)
{
	const char *slash = strrchr(a->exec_file, '/');
	char path[PATH_MAX];
	struct stat st;
	int r;

	memset(d, 0, sizeof(*d));
	snprintf(d->exec_name, sizeof(d->exec_name), "%s", slash ? slash + 1 : a->exec_file);
	if (jail__path(d->root, sizeof(d->root), "%s/%s/%s/root", a->base_dir, d->exec_name,
		     a->id) >= (int)sizeof(d->root)) {
		errno = ENAMETOOLONG;
		return jail__fail(err, "--chroot-base-dir %s: %s", a->base_dir, strerror(errno));
	}
	/* Refuse before creating anything: nothing of the operator's is touched. */
	if (lstat(d->root, &st) == 0 && (!S_ISDIR(st.st_mode) || !dir_is_empty(d->root))) {
		errno = EEXIST;
		return jail__fail(err, "jail %s already exists with foreign contents: refusing "
				  "(remove it or pick another --id)", d->root);
	}
	snprintf(path, sizeof(path), "%s", a->base_dir);
	if ((r = make_dir(d, path, err)))
		return r;
	jail__path(path, sizeof(path), "%s/%s", a->base_dir, d->exec_name);
	if ((r = make_dir(d, path, err)))
		return r;
	jail__path(path, sizeof(path), "%s/%s/%s", a->base_dir, d->exec_name, a->id);
	if ((r = make_dir(d, path, err)))
		return r;
	if (mkdir(d->root, 0755) == 0)
		d->root_made = true;
	else if (errno != EEXIST)
		return jail__fail(err, "jail directory %s: %s", d->root, strerror(errno));
	d->populated = true;
	/* The root stays root's: cvmm may write only in run/ and its disks. */
	if (chown(d->root, 0, 0) || chmod(d->root, 0755))
		return jail__fail(err, "jail directory %s: %s", d->root, strerror(errno));
	return 0;
}

static int copy_fd(int in, int out, off_t size)
{
	off_t done = 0;

	while (done < size) {
		ssize_t n = sendfile(out, in, NULL, (size_t)(size - done));

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n == 0 ? -EIO : -errno;
		done += n;
	}
	return 0;
}

/* Copies src to rootfd/name with mode, owned by uid:gid. */
static int copy_file(const char *src, int rootfd, const char *name, mode_t mode, uid_t uid,
		     gid_t gid, char *err)
{
	struct stat st;
	int in, out, r;

	in = open(src, O_RDONLY | O_CLOEXEC);
	if (in < 0)
		return jail__fail(err, "%s: %s", src, strerror(errno));
	out = openat(rootfd, name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (out < 0) {
		r = jail__fail(err, "jail file %s: %s", name, strerror(errno));
		close(in);
		return r;
	}
	r = fstat(in, &st) ? -errno : copy_fd(in, out, st.st_size);
	if (!r && (fchown(out, uid, gid) || fchmod(out, mode)))
		r = -errno;
	close(in);
	close(out);
	if (r) {
		errno = -r;
		return jail__fail(err, "copying %s into the jail: %s", src, strerror(errno));
	}
	return 0;
}

static int add_file(const struct jail_file *f, const struct jail_args *a, struct jail_dir *d,
		    int rootfd, char *err)
{
	struct stat st;

	if (stat(f->src, &st))
		return jail__fail(err, "--file %s: %s", f->src, strerror(errno));
	if (linkat(AT_FDCWD, f->src, rootfd, f->dest, 0) == 0) {
		/* The link shares the inode: its owner is put back at removal. */
		struct jail_restore *rs = &d->restore[d->nrestore++];

		snprintf(rs->name, sizeof(rs->name), "%s", f->dest);
		rs->uid = st.st_uid;
		rs->gid = st.st_gid;
		if (fchownat(rootfd, f->dest, a->uid, a->gid, AT_SYMLINK_NOFOLLOW))
			return jail__fail(err, "--file %s: chown: %s", f->src, strerror(errno));
		return 0;
	}
	if (errno != EXDEV && errno != EPERM)
		return jail__fail(err, "--file %s: link into the jail: %s", f->src, strerror(errno));
	/* Another file system (or protected_hardlinks): a copy, same mode. */
	return copy_file(f->src, rootfd, f->dest, st.st_mode & 07777 & ~(mode_t)06000,
			 a->uid, a->gid, err);
}

static int add_node(int rootfd, const char *name, unsigned maj, unsigned min, uid_t uid,
		    gid_t gid, char *err)
{
	if (mknodat(rootfd, name, S_IFCHR | 0660, makedev(maj, min)) ||
	    fchownat(rootfd, name, uid, gid, AT_SYMLINK_NOFOLLOW) ||
	    fchmodat(rootfd, name, 0660, 0))
		return jail__fail(err, "jail device /%s: %s", name, strerror(errno));
	return 0;
}

static int populate(const struct jail_args *a, struct jail_dir *d, int rootfd, char *err)
{
	int r;

	/* A copy, not a link: no other process shares this cvmm's pages, and
	 * the jailed user cannot rewrite the binary (owned by root). */
	if ((r = copy_file(a->exec_file, rootfd, d->exec_name, 0555, 0, 0, err)))
		return r;
	for (size_t i = 0; i < a->nfiles; i++)
		if ((r = add_file(&a->files[i], a, d, rootfd, err)))
			return r;
	if (mkdirat(rootfd, "dev", 0755))
		return jail__fail(err, "jail directory /dev: %s", strerror(errno));
	if ((r = add_node(rootfd, "dev/kvm", 10, 232, a->uid, a->gid, err)))
		return r;
	if (jail__wants_tun(a)) {
		if (mkdirat(rootfd, "dev/net", 0755))
			return jail__fail(err, "jail directory /dev/net: %s", strerror(errno));
		if ((r = add_node(rootfd, "dev/net/tun", 10, 200, a->uid, a->gid, err)))
			return r;
	}
	/* run/: the only directory the jailed user may write (API socket). */
	if (mkdirat(rootfd, "run", 0700) || fchownat(rootfd, "run", a->uid, a->gid, 0))
		return jail__fail(err, "jail directory /run: %s", strerror(errno));
	return 0;
}

int jail__dir_populate(const struct jail_args *a, struct jail_dir *d, char *err)
{
	int rootfd = open(d->root, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	int r;

	if (rootfd < 0)
		return jail__fail(err, "jail directory %s: %s", d->root, strerror(errno));
	r = populate(a, d, rootfd, err);
	close(rootfd);
	return r;
}

/* Removes dirfd/name and what is below it, never following a symlink nor
 * leaving the file system of the root (dev). */
static int rm_tree_at(int dirfd, const char *name, dev_t dev, int depth)
{
	struct stat st;
	struct dirent *e;
	DIR *dir;
	int fd, r = 0;

	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW))
		return errno == ENOENT ? 0 : -errno;
	if (!S_ISDIR(st.st_mode))
		return unlinkat(dirfd, name, 0) ? -errno : 0;
	if (st.st_dev != dev || depth > RM_DEPTH_MAX)
		return -EXDEV;
	fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 || !(dir = fdopendir(fd))) {
		if (fd >= 0)
			close(fd);
		return -errno;
	}
	while ((e = readdir(dir))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		int rr = rm_tree_at(fd, e->d_name, dev, depth + 1);

		r = r ? r : rr;
	}
	closedir(dir);
	if (!r && unlinkat(dirfd, name, AT_REMOVEDIR))
		r = -errno;
	return r;
}

static int empty_root(struct jail_dir *d)
{
	int rootfd = open(d->root, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	struct dirent *e;
	struct stat st;
	DIR *dir;
	int r = 0;

	if (rootfd < 0)
		return errno == ENOENT ? 0 : -errno;
	for (int i = 0; i < d->nrestore; i++)
		(void)!fchownat(rootfd, d->restore[i].name, d->restore[i].uid, d->restore[i].gid,
				AT_SYMLINK_NOFOLLOW);
	if (fstat(rootfd, &st) || !(dir = fdopendir(rootfd))) {
		close(rootfd);
		return -errno;
	}
	while ((e = readdir(dir))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		int rr = rm_tree_at(rootfd, e->d_name, st.st_dev, 0);

		r = r ? r : rr;
	}
	closedir(dir);
	return r;
}

int jail__dir_remove(struct jail_dir *d, char *err)
{
	int r = 0;

	if (d->populated && (r = empty_root(d))) {
		errno = -r;
		return jail__fail(err, "removing the jail %s: %s (left in place)", d->root, strerror(errno));
	}
	if (d->root_made && rmdir(d->root) && errno != ENOENT)
		return jail__fail(err, "removing %s: %s", d->root, strerror(errno));
	for (int i = d->nmade - 1; i >= 0; i--)
		if (rmdir(d->made[i]) && errno != ENOENT && errno != ENOTEMPTY && errno != EEXIST)
			return jail__fail(err, "removing %s: %s", d->made[i], strerror(errno));
	d->populated = d->root_made = false;
	d->nmade = 0;
	return 0;
}
