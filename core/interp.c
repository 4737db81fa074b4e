/*
 * The interpreter: one quantum of a hart. Find the block at pc (or follow
 * the previous block's remembered successor on the same page), run its ops
 * through the threaded dispatch, which may go on into the blocks that
 * follow (core/interp_chain.h), account instret, see counter overflows
 * (core/counters.h) and take interrupts between blocks. A per-instruction
 * mode (interp_step_hart) serves the debugger. Which hart runs when is the
 * run loop's business (run.c).
 */
#include "counters.h"
#include "guest_log.h"
#include "insn.h"
#include "interp_chain.h"
#include "machine.h"
#include "tb.h"
#include <inttypes.h>

/* Blocks a hart runs before the next hart gets the host thread, unless
 * the machine sets its own (machine.h quantum_blocks). */
#define QUANTUM_BLOCKS 256

/* Run block b's ops, and the blocks they chain into while `chain` allows
 * (core/interp_chain.h); the last block run is then the one at
 * h->block_ops, and h->chain_left what was left of `chain`. */
static inline int run_blocks(struct hart *h, const struct block *b, int32_t chain)
{
	h->block_pc = h->pc;
	h->block_ops = b->ops;
	h->chain_left = chain;
	const int r = b->ops[0].fn(h, b->ops);
	h->instret = retired_before(h, h->exit_op) + (r == EXEC_EXIT);
	return r;
}

/* -d exec and cpu: the block's trace line and the hart's state first; one
 * block, so that every block is logged. */
static int run_block_logged(struct hart *h, const struct block *b)
{
	struct machine *m = h->m;
	if (m->log_mask & LOG_EXEC)
		log_exec(h, b);
	if (m->log_mask & LOG_CPU)
		cpu_log_state(h, m->log, m->log_mask & LOG_FPU);
	return run_blocks(h, b, 0);
}

int interp_run_block(struct hart *h, const struct block *b)
{
	return __builtin_expect(h->m->log_mask != 0, 0) ? run_block_logged(h, b)
							: run_blocks(h, b, 0);
}

/* Harts on other threads may read prev->succ meanwhile: one pointer store,
 * and the successor's own (immutable) va says which pc it is for. */
static void remember(struct hart *h, struct block *prev, struct block *next, uint64_t prev_pc)
{
	if ((h->pc ^ prev_pc) & ~PAGE_OFFSET_MASK)
		return;
	const struct block *first = __atomic_load_n(&prev->succ[0], __ATOMIC_ACQUIRE);
	const int slot = first && __atomic_load_n(&first->valid, __ATOMIC_ACQUIRE) ? 1 : 0;
	__atomic_store_n(&prev->succ[slot], next, __ATOMIC_RELEASE);
}

void interp_run_hart(struct hart *h)
{
	struct machine *m = h->m;
	struct block_scratch scratch;
	struct block *prev = NULL; /* last block, when its successor may be chained */
	bool looked = false;	   /* the threaded code found prev no successor */
	/* The quantum is the blocks run and fetch faults taken, `run`,
	 * compared with h->budget as translated code compares its count
	 * (jit/jit.c run_quantum; machine.h quantum_blocks): it ends early
	 * when hart_set_mip zeroes the budget, then the M-mode grace goes one
	 * block at a time. The count is not kept in h->budget: a decrement
	 * there per block chained each block to the one before through
	 * memory. */
	unsigned grace = M_MODE_GRACE_BLOCKS;
	int32_t run = 0;
	__atomic_store_n(&h->budget, machine_quantum(m, QUANTUM_BLOCKS), __ATOMIC_RELAXED);
	for (;; run++) {
		int32_t budget = __atomic_load_n(&h->budget, __ATOMIC_RELAXED);
		if (run >= budget) {
			if (h->priv != PRIV_M || grace == 0 ||
			    atomic_load_explicit(&m->flush_requested, memory_order_relaxed))
				return;
			grace--;
			budget = run + 1;
			__atomic_store_n(&h->budget, budget, __ATOMIC_RELAXED);
			if (hart_take_interrupt(h))
				prev = NULL;
		}
		/* Interrupts are seen here only when no successor is chained,
		 * as between the blocks the threaded code chains
		 * (core/interp_chain.h says why that is enough). */
		struct block *b = prev && !looked ? interp_successor(h, prev) : NULL;
		if (!b) {
			if (hart_take_interrupt(h))
				prev = NULL; /* the trap vector is no successor */
			const uint64_t flushes = tb_flush_count(m);
			const uint64_t prev_pc = h->block_pc;
			b = tb_find(h, &scratch);
			if (!b) {
				/* A fetch fault was taken (pc is at the trap vector),
				 * or the cache waits for a flush between quanta. */
				if (atomic_load_explicit(&m->flush_requested, memory_order_relaxed))
					return;
				prev = NULL;
				continue;
			}
			/* A breakpoint block is never remembered as a successor,
			 * so chained blocks need no breakpoint test. */
			if (__builtin_expect(b->breakpoint, 0)) {
				if (debug_breakpoint(h))
					return;
				prev = NULL;
				continue;
			}
			if (prev && tb_flush_count(m) == flushes && b != &scratch.b)
				remember(h, prev, b, prev_pc);
		}
		int r;
		if (__builtin_expect(m->log_mask != 0, 0)) {
			r = run_block_logged(h, b);
			looked = false;
		} else {
			const int32_t chain = budget - run - 1 < INTERP_CHAIN_MAX
						  ? budget - run - 1
						  : INTERP_CHAIN_MAX;
			r = run_blocks(h, b, chain);
			run += chain - h->chain_left;
			/* Stopped with blocks left to chain: no successor (or a
			 * zeroed budget or a counter due, which a second look
			 * would not change). */
			looked = h->chain_left > 0;
			h->chain_left = 0;
			b = block_of_ops(h->block_ops);
		}
		if (__builtin_expect(r == EXEC_TRAP, 0) && debug_watch_pending(h)) {
			debug_finish_watch(h);
			return;
		}
		counters_poll(h);
		prev = (r != EXEC_TRAP && b->chainable && b != &scratch.b) ? b : NULL;
		if ((!prev && h->wfi) || atomic_load_explicit(&m->stop, memory_order_relaxed) ||
		    atomic_load_explicit(&m->paused, memory_order_relaxed))
			return;
	}
}

void interp_exec_one(struct hart *h)
{
	struct machine *m = h->m;
	struct block_scratch scratch;
	const struct block *b = tb_decode_one(h, &scratch);
	if (!b)
		return; /* fetch fault taken: pc is at the trap vector */
	const struct op *op = &b->ops[0];
	h->block_pc = h->pc;
	h->block_ops = b->ops;
	if (m->log_mask & LOG_EXEC)
		log_exec(h, b);
	if (m->log_mask & LOG_CPU)
		cpu_log_state(h, m->log, m->log_mask & LOG_FPU);
	const int r = insn_table[op->id].exec(h, op);
	if (r == EXEC_NEXT)
		h->pc += op_len(op);
	if (r == EXEC_NEXT || r == EXEC_EXIT)
		h->instret++;
}

/* The debugger's hooks run under the I/O lock (machine.h). */
static enum debug_verdict before_insn(struct hart *h)
{
	struct machine *m = h->m;
	machine_io_lock(m);
	const enum debug_verdict v = m->debug.before_insn(m->debug.opaque, h);
	machine_io_unlock(m);
	return v;
}

static bool after_insn(struct hart *h)
{
	struct machine *m = h->m;
	machine_io_lock(m);
	const bool stop = m->debug.after_insn(m->debug.opaque, h);
	machine_io_unlock(m);
	return stop;
}

void interp_step_hart(struct hart *h)
{
	struct machine *m = h->m;
	const struct machine_debug *d = &m->debug;
	struct debug_hart *dh = &m->debug.hart[h->mhartid];
	for (unsigned i = 0; i < QUANTUM_BLOCKS * 16; i++) {
		if (!d->noirq)
			hart_take_interrupt(h);
		if (d->before_insn && before_insn(h) != DEBUG_RUN)
			return;
		if (dh->skip && dh->skip_pc == h->pc)
			dh->skip = false; /* this runs the instruction it would skip */
		interp_exec_one(h);
		counters_poll(h);
		if (debug_watch_pending(h)) {
			debug_finish_watch(h);
			return;
		}
		if (d->after_insn && after_insn(h))
			return;
		if (h->wfi || m->paused || !m->per_insn ||
		    atomic_load_explicit(&m->stop, memory_order_relaxed))
			return;
	}
}
