/*
 * Waiting harts give their host CPU away (core/spin_wait.h).
 */
#include "spin_wait.h"
#include "machine.h"
#include <sched.h>
#include <string.h>
#include <time.h>

/* A waiting hart with a thread per hart: harts may outnumber host CPUs,
 * and the hart this one waits for may need its CPU, so the wait yields
 * the thread now and then (the PAUSE-loop exiting of hardware
 * virtualisation). A wait that has gone on for a while (xv6's harts
 * waiting for hart 0 to clear all of RAM, a lock held across a disk read)
 * sleeps instead, as KVM's halt polling gives up: a yield leaves the
 * spinning thread runnable, and with harts outnumbering CPUs it still
 * takes about a CPU's share from the hart being waited for. */
#define SPIN_YIELD_EVERY    64		  /* iterations */
#define SPIN_SLEEP_AFTER_NS (200 * 1000)  /* of one wait */
#define SPIN_WAIT_GAP_NS    (1000 * 1000) /* a longer gap starts a new wait */
#define SPIN_SLEEP_NS	    (50 * 1000)

/* Only host time is spent, which a round-robin machine never asks for:
 * without threads a waiting loop is an ordinary one. A machine marked
 * threaded whose harts take turns (the translator fuzzer's, machine.h
 * quantum_blocks) only loses time. */
void hart_spin_wait(struct hart *h)
{
	if (!h->m->threaded)
		return;
	struct hart_spin *s = &h->spin;
	if ((++s->iterations % SPIN_YIELD_EVERY) != 0)
		return;
	const uint64_t now = host_monotonic_ns();
	if (now - s->last_ns > SPIN_WAIT_GAP_NS)
		s->since_ns = now;
	s->last_ns = now;
	if (now - s->since_ns < SPIN_SLEEP_AFTER_NS) {
		sched_yield();
		return;
	}
	const struct timespec pause = {.tv_nsec = SPIN_SLEEP_NS};
	nanosleep(&pause, NULL);
}

/* Has the memory under the reservation changed since LR read it? The
 * reservation does not keep LR's size: an LR.W keeps the sign-extended
 * word, an LR.D the doubleword, so the word at the address must match
 * either way and a doubleword-aligned one must match one of the two. */
static bool reservation_lost(struct hart *h)
{
	if (!__atomic_load_n(&h->reserved, __ATOMIC_RELAXED))
		return true;
	const uint8_t *p = machine_host_ptr(h->m, h->reservation, 4, false);
	if (!p)
		return true;
	const uint64_t want = h->reservation_value;
	const uint32_t word = __atomic_load_n((const uint32_t *)(const void *)p, __ATOMIC_ACQUIRE);
	if (word != (uint32_t)want)
		return true;
	if ((uint64_t)(int64_t)(int32_t)word == want || (h->reservation & 7))
		return false;
	const uint8_t *d = machine_host_ptr(h->m, h->reservation, 8, false);
	return !d || __atomic_load_n((const uint64_t *)(const void *)d, __ATOMIC_ACQUIRE) != want;
}

void hart_wait_on_reservation(struct hart *h, uint64_t bound_ns)
{
	struct machine *m = h->m;
	if (!m->threaded || m->icount)
		return;
	const uint64_t start = host_monotonic_ns();
	while (!reservation_lost(h) && !hart_wakeup_pending(h) &&
	       !atomic_load_explicit(&m->stop, memory_order_relaxed) &&
	       !atomic_load_explicit(&m->paused, memory_order_relaxed) &&
	       host_monotonic_ns() - start < bound_ns)
		sched_yield();
}
