/*
 * Threaded dispatch for the interpreter. Each instruction's exec function
 * gets a wrapper that, when the instruction retired normally, jumps
 * straight to the next op's wrapper (a tail call) instead of returning to a
 * central loop. Every wrapper thus ends in its own indirect jump, which the
 * host's branch predictor learns per instruction kind rather than through
 * one shared call site. With link-time optimisation the exec function is
 * inlined into its wrapper.
 *
 * The jump or branch that ends a block goes on the same way into the next
 * block's first op when the run loop allows (core/interp_chain.h). Blocks
 * are at most BLOCK_MAX_OPS long and the loop allows INTERP_CHAIN_MAX
 * blocks, so even where the compiler does not turn the tail calls into
 * jumps (-O0, sanitizer builds) the recursion is bounded. The op that
 * ended the chain is left in h->exit_op, and its block's ops in
 * h->block_ops, for the instret accounting.
 */
#include "counters.h"
#include "hart.h"
#include "insn.h"
#include "interp_chain.h"
#include "tb.h"

/* After a jump or a branch retired (r is EXEC_EXIT) or a block ran to its
 * end op (EXEC_END): enter the next block here when the run loop allows
 * it (core/interp_chain.h), else return to the loop. The retired count of
 * the block left is settled here, as the loop would settle it. */
static inline int leave_block(struct hart *h, const struct op *op, int r)
{
	h->exit_op = op;
	const struct block *b = block_of_ops(h->block_ops);
	if (h->chain_left <= 0 || !b->chainable ||
	    __atomic_load_n(&h->budget, __ATOMIC_RELAXED) <= 0)
		return r;
	const uint64_t retired = retired_before(h, op) + (r == EXEC_EXIT);
	if (retired >= h->ctr.deadline)
		return r; /* the loop settles the counters first */
	const struct block *next = interp_successor(h, b);
	if (!next)
		return r;
	h->instret = retired;
	h->chain_left--;
	h->block_pc = h->pc;
	h->block_ops = next->ops;
	return next->ops[0].fn(h, next->ops);
}

#define THREADED(name, exec, flags)                                                                \
	static int thr_##name(struct hart *h, const struct op *op)                                 \
	{                                                                                          \
		const int r = exec(h, op);                                                         \
		if (__builtin_expect(r == EXEC_NEXT, 1))                                           \
			return op[1].fn(h, op + 1);                                                \
		if (((flags)&INSN_JUMP) && r == EXEC_EXIT)                                         \
			return leave_block(h, op, r);                                              \
		h->exit_op = op;                                                                   \
		return r;                                                                          \
	}

#define INSN(name, mnem, mask, match, fmt, flags, emitter, ext) THREADED(name, exec_##name, flags)
#include "insn.def"
#undef INSN
THREADED(illegal, exec_illegal, 0)

/* A block that ends without a jump: its end op sets pc to what follows. */
static int thr_block_end(struct hart *h, const struct op *op)
{
	return leave_block(h, op, exec_block_end(h, op));
}

static const exec_fn threaded[INSN_COUNT + 1] = {
#define INSN(name, mnem, mask, match, fmt, flags, emitter, ext) [INSN_##name] = thr_##name,
#include "insn.def"
#undef INSN
    [INSN_ILLEGAL] = thr_illegal,
};

void threaded_link(struct op *ops, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		ops[i].fn = threaded[ops[i].id];
	ops[n].fn = thr_block_end;
}

bool threaded_is_end(const struct op *op)
{
	return op->fn == thr_block_end;
}
