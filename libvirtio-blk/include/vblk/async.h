/* SPDX-License-Identifier: MIT */
/*
 * The asynchronous request engine, so that one slow request does not stall
 * a queue: reads, writes and flushes of a file backend go to io_uring
 * (IORING_OP_READV / WRITEV / FSYNC with DATASYNC) and complete later;
 * everything else (GET_ID, DISCARD, WRITE_ZEROES, rejected requests, and
 * every request when io_uring is unavailable or the backend has no fd) runs
 * synchronously inside vblk_async_submit() and completes through the same
 * path.  Completions are announced on an eventfd, so an event loop can
 * wait for them next to queue notifications.
 *
 * The engine is used by one thread at a time.  A FLUSH covers the writes
 * that completed before it was submitted, which is what virtio-blk drivers
 * rely on (virtio 1.2 §5.2.6: they wait for writes before flushing).  A
 * write-through request (vblk_request.write_through) is durable before it
 * completes: an io_uring write carries RWF_DSYNC, and one run
 * synchronously is flushed by the executor.
 */
#ifndef VBLK_ASYNC_H
#define VBLK_ASYNC_H

#include <stdbool.h>
#include <stdint.h>

#include <vblk/backend.h>
#include <vblk/request.h>
#include <vmmem/map.h>

/* Never use io_uring, even where it works (tests, benchmarks, debugging). */
#define VBLK_ASYNC_FORCE_SYNC (1u << 0)

struct vblk_async;

/*
 * Creates an engine for be with room for depth requests in flight
 * (1..4096).  be and id are copied.  -EINVAL for a bad depth or flags,
 * -ENOMEM, -errno from eventfd(2).  An io_uring setup failure is not an
 * error: the engine falls back to synchronous execution.
 */
VBLK_WUR int vblk_async_new(const struct vblk_backend *be,
			    const uint8_t id[VIRTIO_BLK_ID_BYTES],
			    unsigned int depth, unsigned int flags,
			    struct vblk_async **out);

/* Waits for every request in flight (discarding their completions), then
 * frees the engine.  NULL is a no-op. */
void vblk_async_free(struct vblk_async *a);

/* True when requests go through io_uring. */
bool vblk_async_is_uring(const struct vblk_async *a);

/* The eventfd that becomes readable when completions are ready. */
int vblk_async_fd(const struct vblk_async *a);

/* Requests submitted and not yet reaped. */
unsigned int vblk_async_inflight(const struct vblk_async *a);

/*
 * Takes req (copied) for execution against guest memory mem; cookie comes
 * back with its completion.  -EBUSY when depth requests are in flight (the
 * caller retries after reaping).  Submissions are batched until
 * vblk_async_commit().
 */
VBLK_WUR int vblk_async_submit(struct vblk_async *a, struct vmmem_map *mem,
			       const struct vblk_request *req, uint64_t cookie);

/* Hands batched submissions to the kernel.  -errno from io_uring_submit. */
VBLK_WUR int vblk_async_commit(struct vblk_async *a);

/*
 * Called for each completed request after its status byte has been
 * written: status is that byte, used_len what belongs in the used ring.
 */
typedef void (*vblk_async_done_fn)(void *ctx, uint64_t cookie, uint8_t status,
				   uint32_t used_len);

/*
 * Completes every finished request (status byte written, done called) and
 * clears the eventfd.  With wait, blocks until at least one request is
 * finished when any is in flight.  Returns the number completed or -errno.
 */
VBLK_WUR int vblk_async_reap(struct vblk_async *a, bool wait,
			     vblk_async_done_fn done, void *ctx);

#endif
