/*
 * The interpreter's block chaining. A block remembers the blocks that
 * followed it on the same virtual page (block.succ, filled by the run loop
 * in core/interp.c), and the next block is taken from there without the
 * TLB and hash lookups of tb_find. The run loop follows these links, and
 * so does the threaded code itself (core/threaded.c): the jump, branch or
 * end op that ends a block enters its successor's first op directly, up
 * to h->chain_left blocks, sparing each block the return to the loop and
 * the loop's checks. What the loop would see between two such blocks is
 * seen anyway, as translated code sees it between chained blocks: an
 * interrupt made takeable zeroes h->budget (hart_set_mip), which the
 * threaded code reads; a counter about to overflow is seen at
 * h->ctr.deadline; a stop, a pause or -d logging is seen when the loop
 * runs again, at most INTERP_CHAIN_MAX blocks later; interrupt enables
 * and wfi change only in blocks that end unchainably.
 */
#ifndef RVJIT_INTERP_CHAIN_H
#define RVJIT_INTERP_CHAIN_H

#include "hart.h"
#include "page.h"
#include "tb.h"
#include <stddef.h>

/* Blocks the threaded code may enter without the run loop. Where the
 * compiler makes no tail calls (sanitizer and unoptimised builds) every op
 * run is a host stack frame until the loop is back, so fewer there. */
#if defined(__OPTIMIZE__) && !defined(__SANITIZE_ADDRESS__) && !defined(__SANITIZE_THREAD__)
#define INTERP_CHAIN_MAX 64
#else
#define INTERP_CHAIN_MAX 4
#endif

/* The block whose ops start at `ops`. */
static inline struct block *block_of_ops(const struct op *ops)
{
	return (struct block *)((uintptr_t)ops - offsetof(struct block, ops));
}

/* The block that follows `prev` if `prev` remembers it: the new pc is on
 * the same virtual page, so the same physical page and permissions apply.
 * h->block_pc is still prev's pc. */
static inline struct block *interp_successor(const struct hart *h, const struct block *prev)
{
	if ((h->pc ^ h->block_pc) & ~PAGE_OFFSET_MASK)
		return NULL;
	for (int i = 0; i < 2; i++) {
		struct block *s = __atomic_load_n(&prev->succ[i], __ATOMIC_ACQUIRE);
		if (s && s->va == h->pc && __atomic_load_n(&s->valid, __ATOMIC_ACQUIRE))
			return s;
	}
	return NULL;
}

#endif
