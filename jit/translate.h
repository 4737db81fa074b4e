/*
 * What the translator (translate.c and the files tctx.h lists) shares with
 * the engine that runs and chains its code (jit.c) and the checker
 * (check.c): the translator's state for the machine (struct jit) and for
 * each hart (struct jit_hart), and the functions translated code calls.
 * See jit.h for the model.
 */
#ifndef RVJIT_TRANSLATE_H
#define RVJIT_TRANSLATE_H

#include "code_buffer.h"
#include "core/hart.h"
#include "core/tb.h"
#include "host_cpu.h"
#include "jit.h"
#include <stdio.h>

/* Why translated code returned to the dispatcher (in eax). */
enum jit_exit {
	JIT_EXIT_DISPATCH = 0, /* h->pc is the next pc; find its block */
	JIT_EXIT_CHAIN = 1,    /* same, and jit_hart(h)->patch is a jump to point at it */
};

struct jit {
	struct machine *m;
	struct code_buffer cb;
	size_t code_start;	  /* first offset after the fixed stubs */
	size_t enter_off;	  /* int enter(struct hart *, void *code) */
	size_t exit_off;	  /* where every exit jumps, eax = enum jit_exit */
	size_t exit_dispatch_off; /* "eax = JIT_EXIT_DISPATCH; jmp exit" */
	uint64_t generation;	  /* bumped by every flush: older patch sites are gone */
	bool chain;		  /* chaining allowed (off under -d exec) */
	unsigned host_features;	  /* enum host_feature: optional instructions to use */
	FILE *perf_map;
	struct jit_stats stats;
	void *capstone;		 /* -d out_asm disassembler handle, or NULL */
	struct jit_check *check; /* --check: the lockstep checker (check.c), or NULL */
};

/* Translate b (decoded at b->va) and set b->native. False when the code
 * buffer was full: everything was flushed, b is gone, the caller starts
 * over with tb_find. */
bool jit_translate(struct jit *j, struct block *b);

/* Emit the entry trampoline and the common exits at the buffer start. */
void jit_emit_stubs(struct jit *j);

/* The per-hart jump cache translated code consults inline for indirect and
 * cross-page jumps: direct-mapped by pc, valid for one fetch epoch. 16384
 * entries (512 KiB a hart, about what its TLB costs), indexed by the pc
 * folded with its bits from 12 up. Every miss is a block-cache lookup with
 * two cache misses of its own, and a large program's returns and
 * dispatch targets are many: sqlite3 inserting 30000 rows missed 4.9
 * million times with 4096 entries, 1.3 million with 16384. */
#define JUMP_CACHE_ENTRIES 16384
static inline unsigned jump_cache_index(uint64_t pc)
{
	return (unsigned)(((pc ^ (pc >> 12)) >> 1) & (JUMP_CACHE_ENTRIES - 1));
}
struct jump_cache_entry {
	uint64_t pc;
	uint64_t epoch;
	void *native;
	uint64_t unused; /* 32-byte entries: the index is a shift */
};
_Static_assert(sizeof(struct jump_cache_entry) == 32, "emit_control.c indexes by shifting by 5");

/* The translator's state for one hart (h->engine_hart, allocated by
 * jit_attach). The jump cache comes first: translated code reaches it
 * with the one load of h->engine_hart, as when the hart held a pointer to
 * the cache itself. */
struct jit_hart {
	struct jump_cache_entry jump_cache[JUMP_CACHE_ENTRIES];
	uintptr_t patch; /* the jump a JIT_EXIT_CHAIN exit asks to chain */
};

static inline struct jit_hart *jit_hart(const struct hart *h)
{
	return (struct jit_hart *)h->engine_hart;
}

/* Make b's code send any future entry back to the dispatcher. */
void jit_kill_block(struct jit *j, struct block *b);

/* Called from translated code for indirect and cross-page jumps: the code
 * of the block at h->pc when it is cached, translated and reachable without
 * the dispatcher; otherwise the exit-to-dispatcher stub. */
void *jit_lookup(struct hart *h);

/* -d out_asm (jit/host_disasm.c). */
void *host_disasm_open(void);
void host_disasm_close(void *handle);
void host_disasm_print(void *handle, FILE *out, const uint8_t *code, size_t size, uint64_t addr);

#endif
