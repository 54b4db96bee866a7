/* SPDX-License-Identifier: MIT */
/*
 * Kill-and-verify: a child process writes through the executor, flushes,
 * reports the FLUSH status to the parent and keeps writing unflushed data
 * until it is killed with SIGKILL.  Everything written before the FLUSH that
 * completed with OK must be on disk when the parent reopens the image.
 */
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>

#include "harness.h"

#define FLUSHED_SECTORS 64u

static uint8_t stamp(uint64_t off)
{
	return (uint8_t)(off * 13u + 0x5cu);
}

static uint8_t request(struct vmmem_map *mem, const struct vblk_backend *be,
		       uint32_t type, uint64_t sector, uint32_t len)
{
	static struct vblk_chain chain;
	static struct vblk_request req;
	struct vblk_limits lim = t_limits();
	uint8_t s = 0xff;

	t_hdr(mem, T_HDR, type, sector);
	t_chain3(&chain, T_DATA, len, false);
	if (vblk_parse(mem, &lim, &chain, &req) && req.status == VIRTIO_BLK_S_OK)
		_exit(5);
	static const uint8_t id[VIRTIO_BLK_ID_BYTES] = "crash";

	(void)vblk_process(mem, be, id, &req);
	if (vmmem_load_u8(mem, T_STATUS, &s))
		_exit(6);
	return s;
}

/* The child: never returns. */
static void writer(const char *path, int report)
{
	struct vmmem_map *mem = t_mem();
	struct vblk_file *f;
	struct vblk_backend be;
	uint8_t buf[FLUSHED_SECTORS * 512], st;

	if (vblk_file_open(path, false, &f))
		_exit(2);
	vblk_file_backend(f, &be);
	for (uint32_t i = 0; i < sizeof(buf); i++)
		buf[i] = stamp(i);
	if (vmmem_write(mem, T_DATA, buf, sizeof(buf)))
		_exit(3);
	st = request(mem, &be, VIRTIO_BLK_T_OUT, 0, sizeof(buf));
	if (st == VIRTIO_BLK_S_OK)
		st = request(mem, &be, VIRTIO_BLK_T_FLUSH, 0, 0);
	if (write(report, &st, 1) != 1)
		_exit(4);
	/* Unflushed traffic that is in progress when the kill lands. */
	for (;;)
		(void)request(mem, &be, VIRTIO_BLK_T_OUT, 512, 4096);
}

Test(crash, flushed_data_survives_sigkill)
{
	char path[] = "/tmp/vblk-crash-XXXXXX";
	int fd = mkstemp(path), p[2], wstatus;
	uint8_t st = 0xff, back[FLUSHED_SECTORS * 512];
	pid_t pid;

	cr_assert_geq(fd, 0);
	cr_assert_eq(ftruncate(fd, T_DISK_BYTES), 0);
	close(fd);
	cr_assert_eq(pipe(p), 0);
	pid = fork();
	cr_assert_geq(pid, 0);
	if (pid == 0) {
		close(p[0]);
		writer(path, p[1]);
	}
	close(p[1]);
	cr_assert_eq(read(p[0], &st, 1), 1);
	cr_assert_eq(st, VIRTIO_BLK_S_OK, "flush status %u", st);
	usleep(20000);
	cr_assert_eq(kill(pid, SIGKILL), 0);
	cr_assert_eq(waitpid(pid, &wstatus, 0), pid);
	cr_assert(WIFSIGNALED(wstatus) && WTERMSIG(wstatus) == SIGKILL);

	fd = open(path, O_RDONLY);
	cr_assert_geq(fd, 0);
	cr_assert_eq(pread(fd, back, sizeof(back), 0), (ssize_t)sizeof(back));
	for (uint32_t i = 0; i < sizeof(back); i++)
		cr_assert_eq(back[i], stamp(i), "byte %u", i);
	close(fd);
	close(p[0]);
	unlink(path);
}
