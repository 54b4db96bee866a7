/* SPDX-License-Identifier: MIT */
/* libratelimit: token-bucket rate limiting for virtual devices.  Umbrella header. */
#ifndef RLIM_RLIM_H
#define RLIM_RLIM_H

#include <rlim/version.h>
#include <rlim/ratelimit.h>

#endif
