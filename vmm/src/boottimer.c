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

#define PHASE_LINE "cvmm: boot-timer: phase %s done at %" PRIu64 ".%06" PRIu64 " s\n"

static int format_phase(char *buf, size_t len, uint64_t start_ns, const char *phase,
			uint64_t now_ns)
{
	uint64_t d = since(start_ns, now_ns);

	return snprintf(buf, len, PHASE_LINE, phase, d / 1000000000u, (d % 1000000000u) / 1000u);
}

void vmm_boot_timer_phase(FILE *log, uint64_t start_ns, const char *phase, uint64_t now_ns)
{
	uint64_t d = since(start_ns, now_ns);

	fprintf(log, PHASE_LINE, phase, d / 1000000000u, (d % 1000000000u) / 1000u);
}

void vmm_boot_phases_init(struct vmm_boot_phases *p, uint64_t start_ns, FILE *log)
{
	memset(p, 0, sizeof(*p));
	p->start_ns = start_ns;
	p->log = log;
	atomic_init(&p->count, 0);
}

void vmm_boot_phases_done(struct vmm_boot_phases *p, const char *phase, uint64_t now_ns)
{
	unsigned int i = atomic_fetch_add(&p->count, 1);

	if (i < VMM_BOOT_PHASES_MAX) {
		p->ends[i].name = phase;
		p->ends[i].now_ns = now_ns;
	} else if (p->log) {
		vmm_boot_timer_phase(p->log, p->start_ns, phase, now_ns);
	}
}

/* count from the flush on: every later phase is past the maximum. */
#define FLUSHED 0x80000000u

void vmm_boot_phases_flush(struct vmm_boot_phases *p)
{
	unsigned int n = atomic_exchange(&p->count, FLUSHED);
	char buf[VMM_BOOT_PHASES_MAX * 160];
	size_t len = 0;

	if (n >= FLUSHED)
		return;		/* written before */
	if (n > VMM_BOOT_PHASES_MAX)
		n = VMM_BOOT_PHASES_MAX;
	for (unsigned int i = 0; i < n && p->log; i++) {
		int w = format_phase(buf + len, sizeof(buf) - len, p->start_ns, p->ends[i].name,
				     p->ends[i].now_ns);

		if (w > 0 && (size_t)w < sizeof(buf) - len) {
			len += (size_t)w;
		} else {	/* no room left: what is there, then this line */
			fwrite(buf, 1, len, p->log);
			len = 0;
			vmm_boot_timer_phase(p->log, p->start_ns, p->ends[i].name,
					     p->ends[i].now_ns);
		}
	}
	if (len)
		fwrite(buf, 1, len, p->log);
	if (p->log)
		fflush(p->log);
}
