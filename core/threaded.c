/*
 * Threaded dispatch for the interpreter. Each instruction's exec function
 * gets a wrapper that, when the instruction retired normally, jumps
 * straight to the next op's wrapper (a tail call) instead of returning to a
 * central loop. Every wrapper thus ends in its own indirect jump, which the
 * host's branch predictor learns per instruction kind rather than through
 * one shared call site. With link-time optimisation the exec function is
 * inlined into its wrapper.
 *
 * Blocks are at most BLOCK_MAX_OPS long, so even where the compiler does
 * not turn the tail call into a jump (-O0, sanitizer builds) the recursion
 * is bounded. The op that ended the chain is left in h->exit_op for the
 * instret accounting.
 */
#include "hart.h"
#include "insn.h"
#include "tb.h"

#define THREADED(name, exec)                                                                       \
	static int thr_##name(struct hart *h, const struct op *op)                                 \
	{                                                                                          \
		const int r = exec(h, op);                                                         \
		if (__builtin_expect(r == EXEC_NEXT, 1))                                           \
			return op[1].fn(h, op + 1);                                                \
		h->exit_op = op;                                                                   \
		return r;                                                                          \
	}

#define INSN(name, mnem, mask, match, fmt, flags, emitter, ext) THREADED(name, exec_##name)
#include "insn.def"
#undef INSN
THREADED(illegal, exec_illegal)
THREADED(block_end, exec_block_end)

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
