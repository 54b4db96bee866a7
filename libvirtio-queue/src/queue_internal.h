/* SPDX-License-Identifier: MIT */
/* Private helpers shared by the split virtqueue's source files. */
#ifndef VIRTQ_QUEUE_INTERNAL_H
#define VIRTQ_QUEUE_INTERNAL_H

#include <virtq/queue.h>

/* Checks size, alignment and backing of q's rings in mem (set_ready's
 * rules): 0, -EINVAL or -EFAULT. */
int virtq__validate(const struct virtq_queue *q, struct vmmem_map *mem);

/* Marks q broken and returns err. */
int virtq__break(struct virtq_queue *q, int err);

/* -EINVAL when not ready, -EBADMSG when broken, else 0. */
int virtq__check_live(const struct virtq_queue *q);

/* Entries published and not consumed, or -errno (breaking q). */
int virtq__avail_pending(struct virtq_queue *q);

#endif
