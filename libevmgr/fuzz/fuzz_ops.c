// SPDX-License-Identifier: MIT
// Fuzzes the dispatch rules of <evmgr/loop.h> with random sequences of
// add/modify/remove/signal/drain/close-and-reopen/run/post, where the
// callbacks themselves consume input and change registrations mid-batch.
// A small model of what is registered is kept beside the loop, and the
// target traps when the loop disagrees with it:
//  - a callback for a watcher that is not registered, or that was
//    registered after its batch was taken from the kernel (a stale event,
//    event-manager #41), or twice in one batch;
//  - revents empty or outside the watcher's current mask plus ERR/HUP;
//  - a return value of add/modify/remove or run_once that the model
//    contradicts, or a watcher count that differs.
// Watchers live on the heap and are freed on close-and-reopen, so the
// sanitizer build also catches any use of a removed watcher.
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

#include <evmgr/evmgr.h>

#define SLOTS 6

struct slot {
	struct evmgr_watcher *w;
	int fd;
	bool registered;
	uint64_t reg_seq;	/* op sequence number of the last add */
	uint64_t last_batch;	/* batch that last dispatched it */
};

static struct evmgr_loop *loop;
static struct slot slots[SLOTS];
static const uint8_t *in;
static size_t left;
static uint64_t seq, batch, batch_seq;
static int ran;
static bool dispatching;

static const uint32_t masks[] = {
	EVMGR_EV_IN, EVMGR_EV_IN | EVMGR_EV_OUT, EVMGR_EV_IN | EVMGR_EV_ET,
	EVMGR_EV_IN | EVMGR_EV_ONESHOT, EVMGR_EV_PRI, EVMGR_EV_OUT,
};

#define CHECK(c) do { if (!(c)) __builtin_trap(); } while (0)

static uint8_t next_byte(void)
{
	if (!left)
		return 0;
	left--;
	return *in++;
}

static void do_op(uint8_t op, bool nested);

static void watcher_cb(struct evmgr_loop *l, struct evmgr_watcher *w, uint32_t revents)
{
	struct slot *s = w->data;

	CHECK(l == loop && dispatching);
	CHECK(s >= slots && s < slots + SLOTS && s->w == w);
	CHECK(s->registered);
	CHECK(s->reg_seq < batch_seq);
	CHECK(s->last_batch != batch);
	CHECK(revents != 0);
	CHECK((revents & ~(w->events | EVMGR_EV_ERR | EVMGR_EV_HUP)) == 0);
	s->last_batch = batch;
	ran++;
	/* A callback performs up to two operations of its own. */
	for (int k = next_byte() % 3; k > 0 && left; k--)
		do_op(next_byte(), true);
}

static void remote_fn(struct evmgr_loop *l, void *arg)
{
	CHECK(l == loop && dispatching);
	ran++;
	do_op((uint8_t)(uintptr_t)arg, true);
}

static void slot_open(struct slot *s)
{
	s->fd = evmgr_eventfd_new(0, EVMGR_EFD_NONBLOCK);
	CHECK(s->fd >= 0);
	s->w = malloc(sizeof(*s->w));
	CHECK(s->w != NULL);
	evmgr_watcher_init(s->w, s->fd, EVMGR_EV_IN, watcher_cb, s);
}

static void slot_remove(struct slot *s)
{
	int r = evmgr_watcher_remove(loop, s->w);

	CHECK(r == (s->registered ? 0 : -ENOENT));
	s->registered = false;
}

static void slot_reopen(struct slot *s)
{
	if (s->registered)
		slot_remove(s);
	close(s->fd);
	free(s->w);
	/* The kernel hands out the lowest free number: usually the same one. */
	slot_open(s);
}

static void slot_add(struct slot *s, uint32_t mask)
{
	int r;

	if (s->registered) {
		CHECK(evmgr_watcher_add(loop, s->w) == -EEXIST);
		return;
	}
	evmgr_watcher_init(s->w, s->fd, mask, watcher_cb, s);
	r = evmgr_watcher_add(loop, s->w);
	CHECK(r == 0);
	s->registered = true;
	s->reg_seq = seq;
}

static void run_batch(void)
{
	int r;

	ran = 0;
	batch++;
	batch_seq = ++seq;
	dispatching = true;
	r = evmgr_loop_run_once(loop, 0);
	dispatching = false;
	CHECK(r == ran);
}

static void do_op(uint8_t op, bool nested)
{
	struct slot *s = &slots[(op >> 3) % SLOTS];
	uint64_t v;
	int r;

	seq++;
	switch (op & 7) {
	case 0:
		slot_add(s, masks[next_byte() % (sizeof(masks) / sizeof(masks[0]))]);
		break;
	case 1:
		slot_remove(s);
		break;
	case 2:
		r = evmgr_watcher_modify(loop, s->w, masks[next_byte() % 6]);
		CHECK(r == (s->registered ? 0 : -ENOENT));
		break;
	case 3:
		CHECK(evmgr_eventfd_signal(s->fd) == 0);
		break;
	case 4:
		CHECK(evmgr_eventfd_drain(s->fd, &v) == 0);
		break;
	case 5:
		slot_reopen(s);
		break;
	case 6:
		if (nested)
			CHECK(evmgr_loop_run_once(loop, 0) == -EBUSY);
		else
			run_batch();
		break;
	case 7:
		r = evmgr_remote_post(loop, remote_fn, (void *)(uintptr_t)(next_byte() & ~7u));
		CHECK(r == 0 || r == -ENOSPC);
		break;
	default:
		__builtin_unreachable();
	}
}

static uint32_t model_count(void)
{
	uint32_t n = 0;

	for (int i = 0; i < SLOTS; i++)
		n += slots[i].registered;
	return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct evmgr_loop_config c = { .ready_capacity = 4, .post_capacity = 4 };

	in = data;
	left = size;
	seq = batch = 0;
	CHECK(evmgr_loop_new(&loop, &c) == 0);
	for (int i = 0; i < SLOTS; i++) {
		slots[i] = (struct slot){ 0 };
		slot_open(&slots[i]);
	}
	while (left) {
		do_op(next_byte(), false);
		CHECK(evmgr_loop_watcher_count(loop) == model_count());
	}
	for (int i = 0; i < 3; i++)
		run_batch();
	for (int i = 0; i < SLOTS; i++) {
		if (slots[i].registered)
			slot_remove(&slots[i]);
		close(slots[i].fd);
		free(slots[i].w);
	}
	evmgr_loop_free(loop);
	return 0;
}
