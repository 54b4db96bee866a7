// SPDX-License-Identifier: MIT
// Port 0x80 boot timer: timestamps relative to the VMM's start.
#include <inttypes.h>
#include <string.h>
#include <time.h>

#include <vmm/boottimer.h>

uint64_t vmm_monotonic_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

void vmm_boot_timer_init(struct vmm_boot_timer *t, uint64_t start_ns, FILE *log)
{
	memset(t, 0, sizeof(*t));
	t->start_ns = start_ns;
	t->log = log;
}

static uint64_t since(uint64_t start_ns, uint64_t now_ns)
{
	return now_ns > start_ns ? now_ns - start_ns : 0;
}

void vmm_boot_timer_mark(struct vmm_boot_timer *t, uint8_t value, uint64_t now_ns)
{
	uint64_t d = since(t->start_ns, now_ns);

	if (t->count < VMM_BOOT_TIMER_MAX_MARKS)
		t->marks[t->count] = (struct vmm_boot_mark){ value, d };
	t->count++;
	if (t->log)
		fprintf(t->log, "cvmm: boot-timer: 0x%02x at %" PRIu64 ".%06" PRIu64 " s\n",
			value, d / 1000000000u, (d % 1000000000u) / 1000u);
}

void vmm_boot_timer_phase(FILE *log, uint64_t start_ns, const char *phase, uint64_t now_ns)
{
	uint64_t d = since(start_ns, now_ns);

	fprintf(log, "cvmm: boot-timer: phase %s done at %" PRIu64 ".%06" PRIu64 " s\n", phase,
		d / 1000000000u, (d % 1000000000u) / 1000u);
}
