/*
 * The run loop of both engines (machine_run): it runs the harts until
 * something sets m->stop, and returns that stop reason (enum machine_stop:
 * the guest exited or asked for a reset, the user quit, or a fatal
 * emulator error).
 *
 *  - Quanta: a hart runs one quantum at a time, in the engine installed in
 *    m->run_hart (the translator) or the interpreter (interp_run_hart), or
 *    one instruction at a time under a debugger (m->per_insn). A quantum is
 *    a bounded number of blocks (interp.c, jit/), so the other harts and
 *    the devices get their turn.
 *  - Threads or round-robin: with m->threaded (the front end's choice; for
 *    several harts unless -icount, --check or --threads 1 rules it
 *    out) each hart has its own host thread (hart_threads.c) and this
 *    thread only polls the devices; otherwise this thread runs every hart
 *    in turn, one quantum each, which makes -icount runs repeatable.
 *  - Polling devices: between rounds every poller runs (timers, console
 *    input, the monitor, the gdb stub), and each Sstc stimecmp is checked;
 *    their answers give the next deadline. A paused machine (monitor, gdb,
 *    -S) runs only the pollers; a hart a debugger holds (m->held) does
 *    not run at all.
 *  - Idle sleep: a hart in wfi is skipped until an interrupt is pending and
 *    enabled in mie; when every hart is, the thread sleeps until a device
 *    kicks the machine or the next deadline (in whole milliseconds). With
 *    -icount, virtual time jumps straight to the deadline instead.
 */
#include "machine.h"

/* Sleep until kicked, at most `ms`: every hart waits for an interrupt
 * (irq_wakes: a pending one ends the wait at once), or the machine is
 * paused (only a kick or the timeout ends it). */
static void idle_wait(struct machine *m, unsigned ms, bool irq_wakes)
{
	pthread_mutex_lock(&m->lock);
	bool any = false;
	for (unsigned i = 0; irq_wakes && i < m->nharts; i++)
		any |= !machine_hart_held(m, m->harts[i]) && hart_wakeup_pending(m->harts[i]);
	if (!any && !atomic_load(&m->stop) && !m->kicked)
		machine_wait_wake(m, (uint64_t)ms * 1000000ULL);
	m->kicked = false; /* the pollers run next */
	pthread_mutex_unlock(&m->lock);
}

enum machine_stop machine_run(struct machine *m)
{
	if (m->threaded)
		return machine_run_threaded(m);
	/* The hart a round starts with. A pause (a gdb stop) ends a round
	 * early; the next one goes on with the hart after the one that
	 * paused, so every hart keeps getting turns. Restarting at hart 0
	 * would let hart 0 alone run when it stops again at once: spinning on
	 * a lock into a breakpoint gdb placed for another hart's step. */
	unsigned first = 0;
	while (!atomic_load_explicit(&m->stop, memory_order_relaxed)) {
		if (m->paused) {
			/* Stopped (monitor, gdb, -S): only the pollers run. */
			machine_poll_devices(m);
			if (m->paused)
				idle_wait(m, machine_idle_budget_ms(m), false);
			continue;
		}
		bool all_idle = true;
		for (unsigned k = 0; k < m->nharts; k++) {
			const unsigned i = (first + k) % m->nharts;
			struct hart *h = m->harts[i];
			if (machine_hart_held(m, h))
				continue; /* a debugger keeps it stopped */
			if (h->wfi) {
				/* wfi ends when an interrupt is pending and enabled
				 * in mie, even with the global enables clear. */
				if (!hart_wakeup_pending(h))
					continue;
				h->wfi = false;
			}
			all_idle = false;
			m->icount_hart = h;
			m->icount_hart_start = h->instret;
			if (m->per_insn)
				interp_step_hart(h);
			else if (m->run_hart)
				m->run_hart(h);
			else
				interp_run_hart(h);
			if (h->instret > m->icount_hart_start)
				m->icount_ns += (h->instret - m->icount_hart_start)
						<< m->icount_shift;
			m->icount_hart = NULL;
			if (m->paused || atomic_load_explicit(&m->stop, memory_order_relaxed)) {
				first = (i + 1) % m->nharts;
				break;
			}
		}
		machine_poll_devices(m);
		for (unsigned i = 0; i < m->nharts; i++) {
			const uint64_t d = hart_sstc_poll(m->harts[i]);
			if (d < m->next_deadline_ns)
				m->next_deadline_ns = d;
		}
		if (all_idle && m->icount && m->next_deadline_ns != UINT64_MAX) {
			/* Virtual time: skip straight to the next deadline. */
			m->icount_ns += m->next_deadline_ns ? m->next_deadline_ns : 1;
			machine_poll_devices(m);
		} else if (all_idle) {
			idle_wait(m, machine_idle_budget_ms(m), true);
		}
	}
	return (enum machine_stop)atomic_load(&m->stop);
}
