/* SPDX-License-Identifier: MIT */
/* libvmmem: guest memory for virtual machine monitors.  Umbrella header. */
#ifndef VMMEM_VMMEM_H
#define VMMEM_VMMEM_H

#include <vmmem/version.h>
#include <vmmem/map.h>
#include <vmmem/access.h>
#include <vmmem/dirty.h>
#include <vmmem/snapshot.h>

#endif
