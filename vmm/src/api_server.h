/* SPDX-License-Identifier: MIT */
/*
 * The control API socket (docs/api.md "Socket"): a Unix stream socket
 * created with mode 0600 at a path that must not exist yet, served by one
 * thread that reads requests from up to VMM__API_MAX_CONNS clients,
 * answers them one at a time through the controller, and flushes metrics
 * every VMM__API_METRICS_PERIOD_MS.
 */
#ifndef VMM_API_SERVER_H
#define VMM_API_SERVER_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "api_control.h"

#define VMM__API_MAX_CONNS 8u
/* Firecracker flushes its metrics every minute as well. */
#define VMM__API_METRICS_PERIOD_MS 60000
/* A client that sends part of a request and stops is dropped after this. */
#define VMM__API_IDLE_MS 30000

struct vmm__api_conn {
	int fd;			/* -1: free slot */
	size_t len;		/* bytes in buf */
	uint64_t last_ns;	/* last byte received */
	uint8_t buf[VMM__HTTP_HEAD_MAX + VMM__HTTP_BODY_MAX];
};

struct vmm__api_server {
	int listen_fd;
	int stop_fd;		/* eventfd: ends the thread */
	char path[VMM_API_SOCK_MAX + 1];
	struct vmm__api_ctl *ctl;	/* used by the serving thread only */
	enum vmm_seccomp_mode seccomp;
	bool thread_started;
	pthread_t thread;
	uint64_t next_flush_ns;
	struct vmm__api_conn conns[VMM__API_MAX_CONNS];
};

/*
 * Creates and listens on the socket.  -EEXIST when path exists (nothing is
 * replaced); -errno otherwise; one line in err either way.
 */
int vmm__api_server_open(struct vmm__api_server *s, const char *path,
			 struct vmm__api_ctl *ctl, char *err, size_t errlen);
/* Starts the serving thread. */
int vmm__api_server_start(struct vmm__api_server *s, enum vmm_seccomp_mode seccomp);
/* Stops and joins the thread, closes every socket and removes the path. */
void vmm__api_server_close(struct vmm__api_server *s);

#endif
