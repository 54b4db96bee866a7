/* SPDX-License-Identifier: MIT */
/*
 * libvirtio-blk on its own: builds guest memory, a virtio-blk device over a
 * disk image and a virtqueue in that memory (played by libvirtio-queue's
 * driver-side helper, as a guest's virtio_blk driver would), submits block
 * requests (virtio 1.2 §5.2.6) and prints each completion.
 *
 * Usage: blk-demo [IMAGE]   (default: a 1 MiB scratch image, deleted at exit)
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <vblk/vblk.h>
#include <virtq/driver.h>
#include <vmmem/vmmem.h>

#define RING 0x1000u
#define HDR 0x8000u
#define DATA 0x10000u
#define STATUS 0x9000u

static struct vmmem_map *mem;
static struct virtq_driver *drv;
static struct vblk_device dev;
static unsigned int interrupts;

static void on_irq(void *ctx, uint32_t isr)
{
	(void)ctx;
	(void)isr;
	interrupts++;
}

static int check(int err, const char *what)
{
	if (err) {
		fprintf(stderr, "blk-demo: %s: %s\n", what, strerror(-err));
		exit(1);
	}
	return 0;
}

static const char *type_name(uint32_t t)
{
	switch (t) {
	case VIRTIO_BLK_T_IN: return "READ";
	case VIRTIO_BLK_T_OUT: return "WRITE";
	case VIRTIO_BLK_T_FLUSH: return "FLUSH";
	case VIRTIO_BLK_T_GET_ID: return "GET_ID";
	default: return "?";
	}
}

static const char *status_name(uint8_t s)
{
	return s == VIRTIO_BLK_S_OK ? "OK" : s == VIRTIO_BLK_S_IOERR ? "IOERR" : "UNSUPP";
}

/* Lays out one request (header, optional data, status) and queues it. */
static void submit(uint32_t type, uint64_t sector, uint32_t len)
{
	uint8_t hdr[16] = { 0 };
	struct virtq_buf b[3];
	size_t n = 0;
	uint16_t head;

	memcpy(hdr, &type, 4);
	memcpy(hdr + 8, &sector, 8);
	check(vmmem_write(mem, HDR, hdr, sizeof(hdr)), "header");
	b[n++] = (struct virtq_buf){ HDR, 16, false };
	if (len)
		b[n++] = (struct virtq_buf){ DATA, len, type != VIRTIO_BLK_T_OUT };
	b[n++] = (struct virtq_buf){ STATUS, 1, true };
	check(virtq_driver_add(drv, b, n, &head), "add");
	if (virtq_driver_publish(drv) == 1)
		check(vblk_device_notify(&dev), "notify");

	uint16_t got;
	uint32_t used;
	uint8_t status;
	check(virtq_driver_get_used(drv, &got, &used) == 1 ? 0 : -EIO, "used ring");
	/* As Linux's virtqueue_enable_cb(): ask for the next interrupt. */
	check(virtq_driver_enable_interrupts(drv), "enable interrupts");
	check(vmmem_load_u8(mem, STATUS, &status), "status");
	printf("%-6s sector %-6llu len %-5u -> head %u used_len %-5u status %s\n",
	       type_name(type), (unsigned long long)sector, len, got, used,
	       status_name(status));
}

static int open_image(int argc, char **argv, struct vblk_file **f)
{
	char path[] = "/tmp/blk-demo-XXXXXX";
	int fd;

	if (argc > 1)
		return vblk_file_open(argv[1], false, f);
	fd = mkstemp(path);
	if (fd < 0 || ftruncate(fd, 1 << 20))
		return -EIO;
	unlink(path);
	return vblk_file_open_fd(fd, false, f);
}

int main(int argc, char **argv)
{
	struct vmmem_region_desc ram = { .gpa = 0, .size = 1 << 20,
					 .backing = VMMEM_BACKING_ANON };
	struct vblk_device_config cfg = { .id = "blk-demo-0001", .queue_size = 64,
					  .irq = { on_irq, NULL } };
	struct vblk_backend be;
	struct vblk_file *file;
	uint64_t features;
	char text[64];

	check(vmmem_map_new(&mem), "memory map");
	check(vmmem_map_add_region(mem, &ram), "memory region");
	check(open_image(argc, argv, &file), "disk image");
	vblk_file_backend(file, &be);
	cfg.backend = &be;
	cfg.mem = mem;
	check(vblk_device_init(&dev, &cfg), "device");

	/* The guest driver's probe: features, one queue, DRIVER_OK. */
	check(virtq_driver_mmio_negotiate(vblk_device_mmio(&dev), ~0ull, &features),
	      "feature negotiation");
	check(virtq_driver_new(mem, 64, RING, VIRTQ_DRIVER_EVENT_IDX, &drv), "queue");
	check(virtq_driver_mmio_setup_queue(vblk_device_mmio(&dev), 0, drv), "queue setup");
	check(virtq_driver_mmio_driver_ok(vblk_device_mmio(&dev)), "DRIVER_OK");
	printf("libvirtio-blk %s: capacity %llu sectors, features 0x%llx\n",
	       VBLK_VERSION_STRING, (unsigned long long)vblk_device_capacity(&dev),
	       (unsigned long long)features);

	submit(VIRTIO_BLK_T_GET_ID, 0, 20);
	check(vmmem_read(mem, DATA, text, 20), "id");
	text[20] = 0;
	printf("       id \"%s\"\n", text);

	snprintf(text, sizeof(text), "hello from cvmm's virtio-blk");
	check(vmmem_fill(mem, DATA, 0, 512), "fill");
	check(vmmem_write(mem, DATA, text, strlen(text)), "data");
	submit(VIRTIO_BLK_T_OUT, 8, 512);
	submit(VIRTIO_BLK_T_FLUSH, 0, 0);
	check(vmmem_fill(mem, DATA, 0, 512), "clear");
	submit(VIRTIO_BLK_T_IN, 8, 512);
	check(vmmem_read(mem, DATA, text, sizeof(text)), "read back");
	text[sizeof(text) - 1] = 0;
	printf("       read back \"%s\"\n", text);
	/* A request past the end of the disk is refused with IOERR. */
	submit(VIRTIO_BLK_T_IN, vblk_device_capacity(&dev), 512);
	printf("interrupts raised: %u, requests: %llu\n", interrupts,
	       (unsigned long long)vblk_device_stats(&dev)->requests);

	vblk_device_reset(&dev);
	virtq_driver_free(drv);
	vblk_file_free(file);
	vmmem_map_free(mem);
	return 0;
}
