/*
 * Loop regions (core/tb.h, tb_build_region): a loop made of several blocks
 * on one page, translated as one piece of code, so that its cached guest
 * registers stay in host registers across the branches inside it, not
 * only across the back edge as in a single-block loop (emit_control.c).
 *
 * Inside a region a branch whose target is a later op of the region jumps
 * to that op's code (a label); one back to the start is the loop's back
 * edge; any other target leaves the region as a block's branch does.
 *
 * The code keeps the interpreter's accounting on every path:
 *   - instret: as in any block, h->instret plus the op's index in the
 *     region is what has retired before the op (stubs count on it), so a
 *     jump over ops takes their count back from h->instret;
 *   - the quantum: the interpreter starts a new block after every branch
 *     and jump, taken or not, so each of those edges takes one from
 *     h->budget as a block entry does, and leaves for the dispatcher at
 *     the new block's pc when the quantum is over (the lockstep check and
 *     the fuzzers' fixed schedules count blocks alike in both engines).
 *
 * At a label the paths that meet there agree on one state, the loop
 * head's: every cached register loaded, dirty whatever the region writes,
 * and nothing else known (FS, the stored context, memory groups).
 */
#include "core/insn.h"
#include "tctx.h"
#include <string.h>

static uint64_t control_target(const struct tctx *t, const struct op *op)
{
	return op_va(t, op) + (uint64_t)(int64_t)op->imm;
}

/* The index of the op at `target` when it is a later op of the region
 * than op k, else -1. */
static int forward_index(const struct tctx *t, unsigned k, uint64_t target)
{
	const struct block *b = t->b;
	if (target <= op_va(t, &b->ops[k]) || target - b->va >= PAGE_SIZE)
		return -1;
	for (unsigned i = k + 1; i < b->n_ops; i++)
		if (b->ops[i].pc_off == target - b->va)
			return (int)i;
	return -1;
}

void region_begin(struct tctx *t)
{
	const struct block *b = t->b;
	t->labels = 0;
	t->nfixups = 0;
	t->unreachable = false;
	for (unsigned k = 0; k + 1 < b->n_ops; k++) {
		const struct op *op = &b->ops[k];
		if (!(insn_table[op->id].flags & INSN_JUMP))
			continue;
		const int to = forward_index(t, k, control_target(t, op));
		if (to >= 0)
			t->labels |= 1ULL << to;
	}
}

/* Op k's code starts here: the paths that jump to it and the one that
 * falls into it (unless the op before left for good) meet. */
void region_bind(struct tctx *t, unsigned k)
{
	if (!t->unreachable)
		reload(t, t->cached & ~t->loaded);
	for (unsigned i = 0; i < t->nfixups;) {
		if (t->fixups[i].to == k) {
			emit_patch_rel32(t->e.buf, t->fixups[i].field, t->e.len);
			t->fixups[i] = t->fixups[--t->nfixups];
		} else {
			i++;
		}
	}
	t->loaded = t->cached;
	t->dirty = t->loop_dirty;
	t->context_stored = false;
	t->fs_checked = false;
	t->fs_dirty_set = false;
	memset(t->group, 0, sizeof(t->group));
	t->rax_group = 0;
	t->owed_paid = false;
	t->unreachable = false;
}

/* The interpreter would start a block at op `next` here: take it from the
 * quantum, or leave for the dispatcher at its pc when the quantum is over. */
static void charge_block(struct tctx *t, unsigned next)
{
	emit_quantum_check(t, (struct stub){.kind = STUB_BOUNDARY,
					    .target = op_va(t, &t->b->ops[next]),
					    .retired = next,
					    .dirty = t->dirty});
}

/* From op k (a branch or jump that retires) to op `to` later in the region,
 * or out of it. Leaves the state of the path it came from unchanged. */
static void leave_op(struct tctx *t, const struct op *op, unsigned k)
{
	const uint64_t target = control_target(t, op);
	const int to = forward_index(t, k, target);
	if (to < 0) {
		if (target == t->b->va)
			emit_loop_back(t, k + 1);
		else
			emit_goto(t, target, k + 1);
		return;
	}
	const uint64_t loaded = t->loaded;
	reload(t, t->cached & ~t->loaded);
	t->loaded = t->cached;
	/* The ops jumped over did not retire. */
	if ((unsigned)to > k + 1)
		add_instret(t, -(int)((unsigned)to - k - 1));
	charge_block(t, (unsigned)to);
	const size_t field = emit_jmp_rel32(&t->e, 0);
	if (t->nfixups < sizeof(t->fixups) / sizeof(t->fixups[0]))
		t->fixups[t->nfixups++] = (struct region_fixup){.field = field, .to = (unsigned)to};
	else
		t->e.overflow = true;
	t->loaded = loaded;
}

/* A conditional branch inside a region (not its last op), after the
 * compare that sets `taken`. False: not in a region, emit_branch goes on. */
bool region_branch(struct tctx *t, const struct op *op, unsigned k, enum x86_cond taken)
{
	if (!t->region || k + 1 >= t->b->n_ops)
		return false;
	/* x86 condition codes come in pairs whose low bit negates them. */
	const size_t not_taken = emit_jcc_rel32(&t->e, (enum x86_cond)(taken ^ 1), 0);
	leave_op(t, op, k);
	emit_patch_rel32(t->e.buf, not_taken, t->e.len);
	charge_block(t, k + 1);
	return true;
}

/* A `jal x0` inside a region (not its last op). False: not in a region. */
bool region_jump(struct tctx *t, const struct op *op, unsigned k)
{
	if (!t->region || k + 1 >= t->b->n_ops)
		return false;
	leave_op(t, op, k);
	t->unreachable = true;
	return true;
}
