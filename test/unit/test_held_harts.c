/*
 * The run state a debugger gives harts. A hart it holds (m->held, set by
 * the gdb stub for the threads a vCont gives no action) does not run while
 * the others do, in the round-robin run loop (core/run.c) and with a host
 * thread per hart (core/hart_threads.c). And a hart that stops the machine
 * again at once after every resume (spinning into a breakpoint gdb placed
 * for another hart's step) does not keep the others from running.
 * Guest: every hart counts in t0 forever; a poller ends the run.
 */
#include "core/machine.h"

#include <criterion/criterion.h>
#include <string.h>

#define RAM_BASE 0x80000000ULL
#define NHARTS	 3

/* Counts its calls and stops the machine at the 20th (each poll is a round
 * of the run loop, or a pass of the I/O thread). */
struct stopper {
	struct machine *m;
	unsigned polls;
};

static uint64_t stop_after_a_while(void *opaque)
{
	struct stopper *s = opaque;
	if (++s->polls == 20)
		machine_request_stop(s->m, STOP_USER, 0);
	return 1000000; /* 1 ms: the threaded I/O thread sleeps that long */
}

static struct machine *counting_machine(void)
{
	struct machine *m = machine_new(RAM_BASE, 1 << 20, NHARTS, RAM_BASE);
	cr_assert_not_null(m);
	const uint32_t code[] = {
	    0x00128293, /* 1: addi t0, t0, 1 */
	    0xffdff06f, /*    j 1b */
	};
	memcpy(m->ram, code, sizeof(code));
	return m;
}

static void run_with_hart_held(bool threaded, unsigned held)
{
	struct machine *m = counting_machine();
	struct stopper s = {.m = m};
	cr_assert(machine_add_poller(m, stop_after_a_while, &s));
	m->threaded = threaded;
	atomic_store(&m->held[held], true);
	cr_assert_eq(machine_run(m), STOP_USER);
	for (unsigned i = 0; i < NHARTS; i++) {
		const uint64_t count = m->harts[i]->x[5];
		if (i == held)
			cr_expect_eq(count, 0, "held hart %u ran %lu instructions", i,
				     (unsigned long)count);
		else
			cr_expect_gt(count, 0, "hart %u never ran", i);
	}
	machine_free(m);
}

/* A debugger's hook: hart 0 stops the machine before every instruction. */
static enum debug_verdict hart0_stops(void *opaque, struct hart *h)
{
	struct machine *m = opaque;
	if (h->mhartid != 0)
		return DEBUG_RUN;
	m->paused = true;
	return DEBUG_STOP;
}

/* ...and this poller resumes it every time, 50 times, then ends the run. */
static uint64_t resume_50_times(void *opaque)
{
	struct stopper *s = opaque;
	if (s->m->paused && ++s->polls < 50)
		s->m->paused = false;
	else if (s->m->paused)
		machine_request_stop(s->m, STOP_USER, 0);
	return 0;
}

TestSuite(held_harts, .timeout = 60);

Test(held_harts, a_hart_stopping_at_once_does_not_starve_the_others)
{
	struct machine *m = counting_machine();
	struct stopper s = {.m = m};
	cr_assert(machine_add_poller(m, resume_50_times, &s));
	m->per_insn = true;
	m->debug = (struct machine_debug){.before_insn = hart0_stops, .opaque = m};
	cr_assert_eq(machine_run(m), STOP_USER);
	cr_expect_eq(m->harts[0]->x[5], 0);
	for (unsigned i = 1; i < NHARTS; i++)
		cr_expect_gt(m->harts[i]->x[5], 0, "hart %u never ran", i);
	machine_free(m);
}

Test(held_harts, round_robin)
{
	run_with_hart_held(false, 1);
}

Test(held_harts, threaded)
{
	run_with_hart_held(true, 0);
}
