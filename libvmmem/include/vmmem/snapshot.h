/* SPDX-License-Identifier: MIT */
/*
 * Dump and restore of guest memory contents through a file descriptor: the
 * first brick of snapshots.  The stream starts with a header describing the
 * region layout; restore refuses a stream whose layout differs from the map
 * it is restoring into (-EINVAL) or that is truncated (-EIO).
 */
#ifndef VMMEM_SNAPSHOT_H
#define VMMEM_SNAPSHOT_H

#include <vmmem/map.h>

VMMEM_WUR int vmmem_dump(const struct vmmem_map *map, int fd);
VMMEM_WUR int vmmem_restore(struct vmmem_map *map, int fd);

#endif
