/*
 * One host thread per hart (QEMU's MTTCG): each hart runs its quanta on its
 * own thread and sleeps on the machine's condition variable in wfi; the
 * thread that called machine_run becomes the I/O thread and runs the device
 * pollers (timers, console input, the monitor).
 *
 * What keeps this safe (details where each lives):
 *  - guest memory: AMOs are host atomics, SC a compare-and-swap against
 *    what LR read, fences full host barriers (exec_amo.c, exec_sys.c and
 *    their translations); page-table A/D updates are compare-and-swaps;
 *  - devices: every MMIO access and every poller holds m->io_lock;
 *  - the block cache and translated code: lookups take no lock (tb.c);
 *    m->tb_lock covers decoding, translation, chaining and invalidation;
 *    patches of code other harts may be running are single aligned
 *    stores (jit/);
 *  - pages that become code lose every hart's TLB write entries
 *    (tlb_drop_writes_to, with a re-check in the fill that races it);
 *  - flushing the whole cache would pull code from under running harts,
 *    so a full cache (or a debugger's new breakpoint) only requests a
 *    flush, and the flush runs when every hart is between quanta
 *    (exclusive_flush below), before any hart starts another;
 *  - a hart polling in wfi for another one does not spin (see
 *    WFI_POLL_PAUSE_NS);
 *  - the virtual clock (mtime, `time`), which every thread reads and the
 *    I/O thread stops and starts (machine_pause/machine_resume), is a
 *    sequence lock: readers take no lock and retry (machine.c).
 *  - a debugger's hooks run on the hart's thread under m->io_lock, and a
 *    stop zeroes every hart's budget (core/debug.c); its reply waits for
 *    machine_harts_parked.
 *  - the monitor reads running harts' registers and CSRs from the I/O
 *    thread (info registers): those reads write nothing in the hart
 *    (csr_debug_read checks the access as M-mode's without setting
 *    h->priv), so the values may be a moment old but the hart is intact.
 * The I/O thread sleeps until the pollers' next deadline, in whole
 * milliseconds (machine_idle_budget_ms): device timers fire with up to
 * 1 ms of delay while the harts run, as in an idle round-robin machine.
 */
#include "machine.h"
#include "tb.h"
#include <stdio.h>
#include <string.h>

/* A hart sleeping in wfi or parked wakes at least this often (a stop from
 * a signal handler cannot signal the condition variable). */
#define PARK_MAX_MS 100

/* A wfi that only finds the same masked interrupt pending as the last one
 * is a hart polling for another hart (firmware waiting with mstatus.MIE
 * clear): it resumes at the next interrupt event for it (an IPI, even one
 * on top of the pending one), or after this pause, rather than at once.
 * Spinning would take a host CPU from the hart it waits for, and OpenSBI
 * 1.1's hart start is racy against such a spinner: it marks the hart
 * START_PENDING before it stores the start address and sends the IPI. A
 * host thread can be descheduled for milliseconds in between. */
#define WFI_POLL_PAUSE_NS 20000000ULL

void machine_tb_lock(struct machine *m)
{
	if (m->threaded)
		pthread_mutex_lock(&m->tb_lock);
}

void machine_tb_unlock(struct machine *m)
{
	if (m->threaded)
		pthread_mutex_unlock(&m->tb_lock);
}

void machine_io_lock(struct machine *m)
{
	if (m->threaded)
		pthread_mutex_lock(&m->io_lock);
}

void machine_io_unlock(struct machine *m)
{
	if (m->threaded)
		pthread_mutex_unlock(&m->io_lock);
}

static bool stopping(struct machine *m)
{
	return atomic_load_explicit(&m->stop, memory_order_relaxed) != STOP_NONE;
}

/* Wait on m->wake (m->lock held) for at most ns nanoseconds, and at most
 * PARK_MAX_MS. */
static void wait_wake(struct machine *m, uint64_t ns)
{
	const uint64_t cap = (uint64_t)PARK_MAX_MS * 1000000ULL;
	machine_wait_wake(m, ns < cap ? ns : cap);
}

/* Wait until no hart is inside a quantum and keep them all out until
 * exclusive_end; false, with nothing taken, when `needed` is given and
 * was cleared by the exclusive section this one waited for. */
static bool exclusive_begin(struct machine *m, const atomic_bool *needed)
{
	pthread_mutex_lock(&m->lock);
	while (m->exclusive)
		pthread_cond_wait(&m->parked, &m->lock);
	if (needed && !atomic_load(needed)) {
		pthread_mutex_unlock(&m->lock);
		return false;
	}
	m->exclusive = true;
	/* Harts in translated code leave at their next block entry. */
	for (unsigned i = 0; i < m->nharts; i++)
		__atomic_store_n(&m->harts[i]->budget, 0, __ATOMIC_RELAXED);
	while (m->running)
		pthread_cond_wait(&m->parked, &m->lock);
	pthread_mutex_unlock(&m->lock);
	return true;
}

void machine_exclusive_begin(struct machine *m)
{
	if (m->threaded)
		exclusive_begin(m, NULL);
}

void machine_exclusive_end(struct machine *m)
{
	if (!m->threaded)
		return;
	pthread_mutex_lock(&m->lock);
	m->exclusive = false;
	pthread_cond_broadcast(&m->parked);
	pthread_cond_broadcast(&m->wake);
	pthread_mutex_unlock(&m->lock);
}

/* Flush the block cache and the translated code once no hart is inside a
 * quantum. Called between quanta by the hart that finds the request; a
 * second caller waits for the first and then has nothing to do. */
static void exclusive_flush(struct machine *m)
{
	if (!exclusive_begin(m, &m->flush_requested))
		return;
	pthread_mutex_lock(&m->tb_lock);
	tb_flush(m);
	pthread_mutex_unlock(&m->tb_lock);
	if (m->watch_data)
		machine_flush_tlbs(m); /* watching just began (machine_watch_data) */
	machine_exclusive_end(m);
}

void machine_flush_if_requested(struct machine *m)
{
	if (m->threaded && atomic_load_explicit(&m->flush_requested, memory_order_relaxed))
		exclusive_flush(m);
}

/* For a hart ending wfi with `pending`: nanoseconds it should still wait
 * as a polling wfi (above), 0 to run now. *pause_end: when the pause ends,
 * 0 until it starts. */
static uint64_t polling_pause_left(struct hart *h, uint64_t pending, uint64_t *pause_end)
{
	if (pending != h->wfi_woke_on ||
	    (pending & __atomic_load_n(&h->irq_take, __ATOMIC_RELAXED)) ||
	    __atomic_load_n(&h->wake_events, __ATOMIC_SEQ_CST) != h->wfi_events)
		return 0;
	const uint64_t now = host_monotonic_ns();
	if (!*pause_end)
		*pause_end = now + WFI_POLL_PAUSE_NS;
	return now < *pause_end ? *pause_end - now : 0;
}

bool machine_enter_quantum(struct hart *h)
{
	struct machine *m = h->m;
	uint64_t pause_end = 0, pause_left;
	for (;;) {
		/* Sstc's timer is this hart's own: its deadline bounds a wfi
		 * sleep. Polled unlocked: raising STIP kicks (takes m->lock).
		 * Not while paused: loadvm rewrites a paused hart's state
		 * (cli/vm_snapshot.c), and its clock stands still anyway. */
		const uint64_t sstc_ns =
		    !atomic_load(&m->paused) && h->wfi ? hart_sstc_poll(h) : UINT64_MAX;
		pthread_mutex_lock(&m->lock);
		const uint64_t pending = h->wfi ? hart_wakeup_pending(h) : 0;
		bool run = false;
		if (stopping(m)) {
			pthread_mutex_unlock(&m->lock);
			return false;
		}
		if (m->exclusive) {
			pthread_cond_wait(&m->parked, &m->lock);
		} else if (atomic_load(&m->paused) || machine_hart_held(m, h)) {
			wait_wake(m, UINT64_MAX);
		} else if (h->wfi && !pending) {
			/* wfi ends when an interrupt is pending and enabled in
			 * mie, even with the global enables clear. */
			wait_wake(m, sstc_ns);
		} else if (h->wfi && (pause_left = polling_pause_left(h, pending, &pause_end))) {
			wait_wake(m, pause_left);
		} else {
			if (h->wfi)
				h->wfi_woke_on = pending;
			h->wfi = false;
			m->running++;
			run = true;
		}
		pthread_mutex_unlock(&m->lock);
		if (run)
			return true;
	}
}

void machine_leave_quantum(struct hart *h)
{
	struct machine *m = h->m;
	pthread_mutex_lock(&m->lock);
	m->running--;
	if (m->exclusive && !m->running)
		pthread_cond_broadcast(&m->parked);
	pthread_mutex_unlock(&m->lock);
}

static void *hart_main(void *arg)
{
	struct hart *h = arg;
	struct machine *m = h->m;
	while (machine_enter_quantum(h)) {
		/* Code dropped while the harts were paused (the debugger's
		 * breakpoints) goes before anything runs again. */
		if (atomic_load(&m->flush_requested)) {
			machine_leave_quantum(h);
			exclusive_flush(m);
			continue;
		}
		if (m->per_insn)
			interp_step_hart(h); /* a debugger single-steps */
		else if (m->run_hart)
			m->run_hart(h);
		else
			interp_run_hart(h);
		hart_sstc_poll(h);
		machine_leave_quantum(h);
		if (atomic_load_explicit(&m->flush_requested, memory_order_relaxed))
			exclusive_flush(m);
	}
	return NULL;
}

bool machine_harts_parked(struct machine *m)
{
	if (!m->threaded)
		return true;
	pthread_mutex_lock(&m->lock);
	const bool parked = m->running == 0;
	pthread_mutex_unlock(&m->lock);
	return parked;
}

void machine_poll_until_stopped(struct machine *m)
{
	while (!stopping(m)) {
		pthread_mutex_lock(&m->io_lock);
		machine_poll_devices(m);
		pthread_mutex_unlock(&m->io_lock);
		pthread_mutex_lock(&m->lock);
		if (!stopping(m) && !m->kicked)
			wait_wake(m, (uint64_t)machine_idle_budget_ms(m) * 1000000ULL);
		m->kicked = false;
		pthread_mutex_unlock(&m->lock);
	}
}

enum machine_stop machine_run_threaded(struct machine *m)
{
	pthread_t threads[MAX_HARTS];
	unsigned started = 0;
	for (; started < m->nharts; started++) {
		const int err =
		    pthread_create(&threads[started], NULL, hart_main, m->harts[started]);
		if (err) {
			fprintf(stderr, "rvjit: cannot start a thread for hart %u: %s\n", started,
				strerror(err));
			machine_request_stop(m, STOP_FATAL, 1);
			break;
		}
	}
	/* This thread runs the devices' pollers until the machine stops. */
	machine_poll_until_stopped(m);
	machine_kick(m);
	for (unsigned i = 0; i < started; i++)
		pthread_join(threads[i], NULL);
	return (enum machine_stop)atomic_load(&m->stop);
}

/*
 * fork() of a process whose harts run on several threads (user mode): the
 * child has only the forking thread, so it must not inherit a mutex
 * another thread held, nor a count of harts running that will never
 * leave. The fork happens in an exclusive section (no hart in a quantum)
 * with the machine's mutexes held (order: io_lock, tb_lock, lock), as
 * pthread_atfork handlers would.
 */
void machine_fork_prepare(struct machine *m)
{
	if (!m->threaded)
		return;
	exclusive_begin(m, NULL);
	pthread_mutex_lock(&m->io_lock);
	pthread_mutex_lock(&m->tb_lock);
	pthread_mutex_lock(&m->lock);
}

void machine_fork_parent(struct machine *m)
{
	if (!m->threaded)
		return;
	pthread_mutex_unlock(&m->lock);
	pthread_mutex_unlock(&m->tb_lock);
	pthread_mutex_unlock(&m->io_lock);
	machine_exclusive_end(m);
}

void machine_fork_child(struct machine *m)
{
	if (!m->threaded)
		return;
	/* Fresh ones: the parent's other threads may have waited on the
	 * condition variables, and the child has no such waiter. */
	pthread_mutex_unlock(&m->lock);
	pthread_mutex_unlock(&m->tb_lock);
	pthread_mutex_unlock(&m->io_lock);
	pthread_cond_init(&m->wake, NULL);
	pthread_cond_init(&m->parked, NULL);
	m->exclusive = false;
	m->running = 0;
	/* One thread again: round-robin rules (a full cache flushes at once). */
	m->threaded = false;
	if (atomic_load(&m->flush_requested))
		tb_flush(m);
}
