/*
 * The translator as an engine: attaching to a machine, the dispatcher that
 * finds, translates, enters and chains blocks, and the hooks the block
 * cache calls on flush and invalidation. (The model is in jit.h.)
 */
#include "check.h"
#include "core/counters.h"
#include "core/guest_log.h"
#include "core/insn.h"
#include "core/mmu.h"
#include "host_fp.h"
#include "translate.h"
#include "x86_64_emit.h"
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* Blocks a hart runs before the round-robin moves on, unless the machine
 * sets its own (machine.h quantum_blocks). */
#define JIT_QUANTUM 4096

typedef int (*enter_fn)(struct hart *h, void *code);

bool jit_available(void)
{
#if defined(__x86_64__)
	return true;
#else
	return false;
#endif
}

/* Forget every cached pc -> code mapping (the code buffer was flushed). */
static void clear_jump_caches(struct jit *j)
{
	for (unsigned i = 0; i < j->m->nharts; i++)
		if (jit_hart(j->m->harts[i]))
			memset(jit_hart(j->m->harts[i])->jump_cache, 0,
			       sizeof(jit_hart(j->m->harts[i])->jump_cache));
}

static void on_flush(void *opaque)
{
	struct jit *j = opaque;
	j->cb.used = j->code_start;
	clear_jump_caches(j);
	j->generation++;
	j->stats.flushes++;
}

static void on_invalidate(void *opaque, struct block *b)
{
	jit_kill_block(opaque, b);
}

void *jit_lookup(struct hart *h)
{
	struct machine *m = h->m;
	struct jit *j = m->engine;
	const uint64_t pc = h->pc;
	const struct tlb_entry *e = &h->tlb_fetch[(pc >> PAGE_SHIFT) & (TLB_ENTRIES - 1)];
	if (e->tag_x == (pc & ~TLB_PAGE_MASK)) {
		const uint8_t *host = (const uint8_t *)(uintptr_t)(pc + e->addend);
		struct block *b = tb_lookup(m, host, pc);
		void *native = b ? __atomic_load_n(&b->native, __ATOMIC_ACQUIRE) : NULL;
		/* Killed after this (another hart stored to its page), the
		 * code's entry leads to the dispatcher: the cache may keep it. */
		if (native) {
			struct jump_cache_entry *ent =
			    &jit_hart(h)->jump_cache[jump_cache_index(pc)];
			ent->pc = pc;
			ent->epoch = h->fetch_epoch;
			ent->native = native;
			return native;
		}
	}
	return code_buffer_rx(&j->cb, j->exit_dispatch_off);
}

/* Other harts may be running the code around the field: the translator
 * aligns it (translate.c), so this is one atomic store. */
static void patch_chain(struct jit *j, size_t field, const struct block *target)
{
	const int32_t rel =
	    (int32_t)((int64_t)code_buffer_offset(&j->cb, target->native) - (int64_t)(field + 4));
	__atomic_store_n((int32_t *)(void *)(j->cb.rw + field), rel, __ATOMIC_RELEASE);
}

/* Translated FP code leaves IEEE exception flags in MXCSR (translate.c);
 * move them into fflags: IE->NV, ZE->DZ, OE->OF, UE->UF, PE->NX. */
static void jit_sync_fflags(struct hart *h)
{
	const uint32_t csr = host_mxcsr_read();
	const uint32_t raised = csr & (MXCSR_FLAGS & ~MXCSR_DE);
	if (!raised)
		return;
	h->fflags |=
	    (uint8_t)(((raised & MXCSR_IE) ? FFLAG_NV : 0) | ((raised & MXCSR_ZE) ? FFLAG_DZ : 0) |
		      ((raised & MXCSR_OE) ? FFLAG_OF : 0) | ((raised & MXCSR_UE) ? FFLAG_UF : 0) |
		      ((raised & MXCSR_PE) ? FFLAG_NX : 0));
	host_mxcsr_write(csr & ~MXCSR_FLAGS);
}

static void run_quantum(struct hart *h);

/* A chain exit taken: the jump to patch once its target block has code. */
struct chain_exit {
	size_t field;
	uint64_t pc;
	uint64_t generation;
};

/* b's code, translated now if it has none, with the chain exit that led
 * here (if any) patched to it. NULL: the cache was just flushed, or it is
 * full and waits for the flush at the end of the quantum. The common case,
 * code there and no patch, takes no lock. */
static void *code_for(struct jit *j, struct block *b, const struct chain_exit *from)
{
	void *native = __atomic_load_n(&b->native, __ATOMIC_ACQUIRE);
	if (native && !from)
		return native;
	machine_tb_lock(j->m);
	if (!b->native) {
		const size_t used = j->cb.used;
		if (jit_translate(j, b) && j->check)
			jit_check_note_code(j->check, j->generation, b->native, j->cb.used - used);
	}
	native = b->native;
	if (native && from && from->generation == j->generation && from->pc == b->va)
		patch_chain(j, from->field, b);
	machine_tb_unlock(j->m);
	return native;
}

/* The hart whose quantum this thread runs, whose flags MXCSR holds. */
static __thread struct hart *quantum_hart;

/* Harts share the host thread: each quantum starts with clean MXCSR flags
 * and leaves what it raised in its own fflags. */
static void jit_run_hart(struct hart *h)
{
	host_fp_flags_clear();
	quantum_hart = h;
	run_quantum(h);
	quantum_hart = NULL;
	jit_sync_fflags(h);
}

/* m->sync_fflags, before fflags is read or written: only on the thread in
 * h's quantum. Another thread's MXCSR holds none of h's flags (a debugger
 * there, such as the monitor's info registers, sees what h's last quantum
 * left in h->fflags), and folding them in would write into a hart that
 * runs meanwhile. */
static void sync_fflags_in_quantum(struct hart *h)
{
	if (quantum_hart == h)
		jit_sync_fflags(h);
}

static void run_quantum(struct hart *h)
{
	struct machine *m = h->m;
	struct jit *j = m->engine;
	const enter_fn enter = (enter_fn)code_buffer_rx(&j->cb, j->enter_off);
	struct block_scratch scratch;
	/* A chain exit leaves the jump to patch once its target is known. */
	bool pending = false;
	struct chain_exit chain = {0};

	/* budget is atomic in C: other threads zero it (hart_set_mip). It
	 * counts what the interpreter's quantum counts (machine.h
	 * quantum_blocks): one per block entry and loop iteration in the
	 * translated code (counted in a register, taken from the budget when
	 * the code returns: tctx.h BLOCKS_RUN), one per fetch fault and
	 * straddling instruction here. */
	bool grace = true;
	/* Blocks of the quantum held back while an armed counter is about to
	 * overflow (counters_block_limit): the translated code then returns
	 * here in time to see the overflow after the block where it happens,
	 * as the interpreter does, and the quantum is as long as without. */
	int32_t held_back = 0;
	__atomic_store_n(&h->budget, machine_quantum(m, JIT_QUANTUM), __ATOMIC_RELAXED);
	for (;;) {
		if (__atomic_load_n(&h->budget, __ATOMIC_RELAXED) <= 0) {
			if (held_back > 0) {
				__atomic_store_n(&h->budget, held_back, __ATOMIC_RELAXED);
				held_back = 0;
				continue;
			}
			if (h->priv != PRIV_M || !grace || atomic_load(&m->flush_requested))
				return;
			/* The M-mode grace (machine.h), which the interpreter runs
			 * one block at a time, as one budget: translated code
			 * leaves M-mode only by returning here (xRET ends its
			 * run), where the loop ends it as the interpreter would
			 * before its next block. One block at a time cost bench/'s
			 * bare-metal workloads 64 dispatches per quantum. */
			grace = false;
			__atomic_store_n(&h->budget, M_MODE_GRACE_BLOCKS, __ATOMIC_RELAXED);
		}
		if (hart_take_interrupt(h))
			pending = false;
		struct block *b = tb_find(h, &scratch);
		if (!b) {
			/* A fetch fault was taken, or the cache waits for a
			 * flush between quanta. */
			if (atomic_load_explicit(&m->flush_requested, memory_order_relaxed))
				return;
			__atomic_fetch_sub(&h->budget, 1, __ATOMIC_RELAXED);
			pending = false;
			continue;
		}
		if (__builtin_expect(b->breakpoint, 0)) {
			/* Never translated, so no chained jump or jump-cache
			 * entry leads into it: every path to it comes here. */
			if (debug_breakpoint(h))
				return;
			__atomic_fetch_sub(&h->budget, 1, __ATOMIC_RELAXED);
			pending = false;
		} else if (b == &scratch.b) {
			/* A straddling instruction: interpreted, never cached. */
			interp_run_block(h, b);
			__atomic_fetch_sub(&h->budget, 1, __ATOMIC_RELAXED);
			pending = false;
		} else {
			void *const native = code_for(j, b, pending ? &chain : NULL);
			if (!native) {
				/* Flushed (decode again), or no room until the flush
				 * that waits for the end of the quantum. */
				if (atomic_load_explicit(&m->flush_requested,
							 memory_order_relaxed) ||
				    atomic_load_explicit(&m->stop, memory_order_relaxed))
					return;
				pending = false;
				continue;
			}
			const int32_t limit = counters_block_limit(h);
			const int32_t budget = __atomic_load_n(&h->budget, __ATOMIC_RELAXED);
			if (__builtin_expect(budget > limit, 0)) {
				held_back += budget - limit;
				__atomic_store_n(&h->budget, limit, __ATOMIC_RELAXED);
			}
			if (m->log_mask & LOG_EXEC)
				log_exec(h, native);
			if (m->log_mask & LOG_CPU)
				cpu_log_state(h, m->log, m->log_mask & LOG_FPU);
			const int why =
			    j->check ? jit_check_block(j, h, b, enter) : enter(h, native);
			pending = why == JIT_EXIT_CHAIN;
			if (pending) {
				chain.field = jit_hart(h)->patch;
				chain.pc = h->pc;
				chain.generation = j->generation;
			}
		}
		/* A watched access abandoned its instruction (a trap exit). */
		if (__builtin_expect(debug_watch_pending(h), 0)) {
			debug_finish_watch(h);
			return;
		}
		counters_poll(h);
		if (h->wfi || atomic_load_explicit(&m->stop, memory_order_relaxed) ||
		    atomic_load_explicit(&m->paused, memory_order_relaxed))
			return;
		if (!grace && h->priv != PRIV_M)
			return;
	}
}

/* --perf-map: perf's map file for JIT code, "START SIZE NAME" in hex per
 * line (perf's Documentation/jit-interface.txt), read by `perf report` for
 * code in anonymous memory, which the code buffer is (code_buffer.h).
 * translate.c adds a line per block; the stubs every block enters and
 * leaves through get theirs here. Line-buffered, so a killed run leaves a
 * whole file. */
static void open_perf_map(struct jit *j)
{
	char path[64];
	snprintf(path, sizeof(path), "/tmp/perf-%d.map", (int)getpid());
	j->perf_map = fopen(path, "w");
	if (!j->perf_map) {
		perror(path);
		return;
	}
	setvbuf(j->perf_map, NULL, _IOLBF, 0);
	fprintf(j->perf_map, "%" PRIxPTR " %zx rvjit:enter_exit\n",
		(uintptr_t)code_buffer_rx(&j->cb, 0), j->code_start);
}

/* m->attach_hart: a hart added while the translator runs (user mode's
 * threads). A reused slot keeps its allocation with an empty jump cache. */
static bool attach_hart(struct hart *h)
{
	if (h->engine_hart) {
		memset(h->engine_hart, 0, sizeof(struct jit_hart));
		return true;
	}
	h->engine_hart = calloc(1, sizeof(struct jit_hart));
	return h->engine_hart != NULL;
}

bool jit_attach(struct machine *m, const struct jit_options *opts)
{
	if (!jit_available()) {
		fprintf(stderr, "rvjit: no translator for this host; use --interp\n");
		return false;
	}
	struct jit *j = calloc(1, sizeof(*j));
	if (!j)
		return false;
	j->m = m;
	if (!host_cpu_features(&j->host_features)) {
		free(j);
		return false;
	}
	if (!code_buffer_init(&j->cb, opts->code_size)) {
		free(j);
		return false;
	}
	jit_emit_stubs(j);
	if (opts->check) {
		j->check = jit_check_new(opts->check_selftest);
		if (!j->check) {
			code_buffer_free(&j->cb);
			free(j);
			return false;
		}
	}
	/* -d exec logs every block, which chained jumps would skip. */
	j->chain = !(m->log_mask & (LOG_EXEC | LOG_NOCHAIN));
	if (m->log_mask & LOG_OUT_ASM)
		j->capstone = host_disasm_open();
	if (opts->perf_map)
		open_perf_map(j);
	const struct tb_hooks hooks = {.flush = on_flush, .invalidate = on_invalidate, .opaque = j};
	tb_set_hooks(m, &hooks);
	m->engine = j;
	m->run_hart = jit_run_hart;
	m->sync_fflags = sync_fflags_in_quantum;
	m->attach_hart = attach_hart;
	for (unsigned i = 0; i < m->nharts; i++) {
		m->harts[i]->engine_hart = calloc(1, sizeof(struct jit_hart));
		if (!m->harts[i]->engine_hart) {
			fprintf(stderr, "rvjit: out of memory\n");
			jit_detach(m);
			return false;
		}
	}
	return true;
}

void *jit_fork_prepare(struct machine *m, bool *ok)
{
	struct jit *j = m->engine;
	*ok = true;
	if (!j)
		return NULL;
	struct code_buffer *copy = malloc(sizeof(*copy));
	*ok = copy && code_buffer_copy(&j->cb, copy);
	if (!*ok) {
		free(copy);
		return NULL;
	}
	return copy;
}

bool jit_fork_finish(struct machine *m, void *prepared, bool child)
{
	struct code_buffer *copy = prepared;
	if (!copy)
		return true;
	bool ok = true;
	if (child)
		ok = code_buffer_adopt(&((struct jit *)m->engine)->cb, copy);
	else
		code_buffer_free(copy);
	free(copy);
	return ok;
}

void jit_detach(struct machine *m)
{
	struct jit *j = m->engine;
	if (!j)
		return;
	const struct tb_hooks none = {0};
	tb_set_hooks(m, &none);
	for (unsigned i = 0; i < m->nharts; i++) {
		free(m->harts[i]->engine_hart);
		m->harts[i]->engine_hart = NULL;
	}
	m->engine = NULL;
	m->run_hart = NULL;
	m->sync_fflags = NULL;
	m->attach_hart = NULL;
	if (j->perf_map)
		fclose(j->perf_map);
	if (j->check) {
		jit_check_summary(j->check, stderr);
		jit_check_free(j->check);
	}
	host_disasm_close(j->capstone);
	code_buffer_free(&j->cb);
	free(j);
}

void jit_get_stats(const struct machine *m, struct jit_stats *s)
{
	const struct jit *j = m->engine;
	if (j)
		*s = j->stats;
	else
		memset(s, 0, sizeof(*s));
}
