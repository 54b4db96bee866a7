// SPDX-License-Identifier: MIT
// PUT /metrics and the metrics lines (docs/api.md "Metrics"): one JSON
// object per line, appended on FlushMetrics and by the periodic flush.
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "api_endpoints.h"

static const struct vmm__json_field metrics_fields[] = {
	{ "metrics_path", VMM__JSON_STRING, true },
	{ NULL, 0, false },
};

static json_int_t utc_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (json_int_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static json_t *counters_json(const struct vmm_metrics *m)
{
	return json_pack("{s:{s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I},"
			 "s:{s:I,s:I,s:I},s:{s:I,s:I,s:I,s:I},s:{s:I,s:I,s:I},s:{s:I},"
			 "s:{s:I,s:I,s:I,s:I,s:I,s:I,s:I}}",
		"vcpu", "exits_io", (json_int_t)m->exits_io,
		"exits_mmio", (json_int_t)m->exits_mmio, "exits_other", (json_int_t)m->exits_other,
		"exits_queue_notify", (json_int_t)m->virtio_notify_exits,
		"unclaimed_pio", (json_int_t)m->unclaimed_pio,
		"unclaimed_mmio", (json_int_t)m->unclaimed_mmio,
		"assists_int3", (json_int_t)m->assists_int3,
		"assists_int_n", (json_int_t)m->assists_int_n,
		"assists_fwait", (json_int_t)m->assists_fwait,
		"assists_mxcsr", (json_int_t)m->assists_mxcsr,
		"assists_fninit", (json_int_t)m->assists_fninit,
		"serial", "tx_bytes", (json_int_t)m->serial_tx_bytes,
		"rx_bytes", (json_int_t)m->serial_rx_bytes,
		"dropped_bytes", (json_int_t)m->serial_dropped,
		"block", "notifies", (json_int_t)m->blk_notifies,
		"requests", (json_int_t)m->blk_requests, "errors", (json_int_t)m->blk_errors,
		"throttled", (json_int_t)m->blk_throttled,
		"event_loop", "batches", (json_int_t)m->loop_batches,
		"events", (json_int_t)m->loop_events,
		"remote_calls", (json_int_t)m->loop_remote_calls,
		"boot_timer", "marks", (json_int_t)m->boot_marks,
		"net", "rx_frames", (json_int_t)m->net_rx_frames,
		"rx_bytes", (json_int_t)m->net_rx_bytes, "tx_frames", (json_int_t)m->net_tx_frames,
		"tx_bytes", (json_int_t)m->net_tx_bytes,
		"rx_dropped", (json_int_t)m->net_rx_dropped,
		"tx_dropped", (json_int_t)m->net_tx_dropped,
		"throttled", (json_int_t)m->net_throttled);
}

/* One line: {"utc_timestamp_ms", "vmm": {state, flushes}, then the VM's
 * counters (zero before the VM exists)}. */
static char *metrics_line(struct vmm__api_ctl *c)
{
	struct vmm_metrics m;
	json_t *o;
	char *line;

	memset(&m, 0, sizeof(m));
	if (!c->ops->metrics(c->ctx, &m))
		memset(&m, 0, sizeof(m));
	o = counters_json(&m);
	if (!o)
		return NULL;
	json_object_set_new(o, "utc_timestamp_ms", json_integer(utc_ms()));
	json_object_set_new(o, "vmm", json_pack("{s:s,s:I}", "state",
		vmm__api_state_name(c->state), "flushes", (json_int_t)c->metrics_flushes + 1));
	line = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(o);
	return line;
}

/* One write per line: a FIFO reader never sees half a line (a line is far
 * below PIPE_BUF), and a reader that stopped reading loses lines instead of
 * stalling the API (-EAGAIN). */
int vmm__api_flush_metrics(struct vmm__api_ctl *c)
{
	char *line;
	size_t len;
	ssize_t n;

	if (c->metrics_fd < 0)
		return 0;
	line = metrics_line(c);
	if (!line)
		return -ENOMEM;
	len = strlen(line);
	line[len] = '\n';	/* the NUL's byte carries the newline */
	n = write(c->metrics_fd, line, len + 1);
	free(line);
	if (n < 0)
		return -errno;
	if ((size_t)n != len + 1)
		return -EAGAIN;
	c->metrics_flushes++;
	return 0;
}

void vmm__api_put_metrics(struct vmm__api_ctl *c, const json_t *body,
			  struct vmm__api_reply *rep)
{
	char err[VMM_ERR_MAX], path[VMM_PATH_MAX];
	int fd;

	if (vmm__json_check(body, metrics_fields, "metrics", err, sizeof(err)) ||
	    vmm__json_copy_str(body, "metrics_path", path, sizeof(path), "metrics", err,
			       sizeof(err))) {
		vmm__api_fault(rep, 400, err);
		return;
	}
	if (c->metrics_fd >= 0) {
		vmm__api_fault(rep, 400, "metrics: already configured; set once per process");
		return;
	}
	/* O_NONBLOCK: a FIFO without a reader fails now instead of stalling
	 * the API thread. */
	fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NONBLOCK, 0600);
	if (fd < 0) {
		snprintf(err, sizeof(err), "metrics.metrics_path=%.*s: %s",
			 vmm__utf8_clip(path, 200), path, strerror(errno));
		vmm__api_fault(rep, 400, err);
		return;
	}
	c->metrics_fd = fd;
	rep->status = 204;
}
