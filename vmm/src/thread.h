/* SPDX-License-Identifier: MIT */
/* cvmm's own threads (thread.c). */
#ifndef VMM_THREAD_H
#define VMM_THREAD_H

#include <pthread.h>

/* pthread_create() with cvmm's thread stack size; 0 or an errno value. */
int vmm__thread_start(pthread_t *thread, void *(*fn)(void *), void *arg);

#endif
