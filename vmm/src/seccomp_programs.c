// SPDX-License-Identifier: MIT
// The build-time programs and syscall names (seccomp_programs.h), as the
// generator wrote them into the build tree.
#include "seccomp_programs.h"

#include "seccomp_programs.inc"
