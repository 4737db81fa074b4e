/*
 * Guest registers cached in host registers (model in tctx.h).
 *
 * Guest registers live in h->x[]. Within a block, the ones it uses most
 * (choose_cached) are cached in host registers: loaded on first use,
 * written back at every exit. Calls into C all go through emit_c_call
 * (stubs.c), which writes back what the callee may read (exec functions
 * read and write h->x[]) or clobber (r8-r11 are caller-saved), and marks
 * what it may have changed for reloading on next use. A block that
 * branches back to its own start keeps them across iterations
 * (emit_control.c).
 *
 * The state, as bit masks over x1..x31 in struct tctx, is that of the
 * point being emitted; the body is straight-line code, so it is known
 * statically. It always satisfies
 *     dirty ⊆ loaded ⊆ cached
 *   cached  x has a host register for this block (t->host[x]);
 *   loaded  that register holds x's current value;
 *   dirty   ... and h->x[x] does not (a store is owed before C or an exit).
 * A cached register that is not loaded is current in memory.
 */
#include "core/insn.h"
#include "tctx.h"
#include <string.h>

/* r8-r11 are clobbered by calls into C: every call (emit_c_call) is
 * preceded by a write-back of those and followed by their reloads. */
static const int cache_pool[] = {R12, R13, RBP, R8, R9, R10, R11};

uint64_t xbit(unsigned x)
{
	return x && x < 32 ? 1ULL << x : 0; /* x0 and the sink are never cached */
}

/* Integer registers an op reads and writes, from its operand layout. */
uint64_t x_reads(const struct op *op)
{
	switch (insn_table[op->id].format) {
	case FMT_R:
	case FMT_STORE:
	case FMT_B:
	case FMT_AMO:
	case FMT_SFENCE:
		return xbit(op->rs1) | xbit(op->rs2);
	case FMT_R1:
	case FMT_I:
	case FMT_SH:
	case FMT_SHW:
	case FMT_LOAD:
	case FMT_JALR:
	case FMT_CSR:
	case FMT_LR:
	case FMT_FLOAD:
	case FMT_FSTORE:
	case FMT_XF:
	case FMT_CBO:
		return xbit(op->rs1);
	default:
		return 0;
	}
}

uint64_t x_writes(const struct op *op)
{
	switch (insn_table[op->id].format) {
	case FMT_R:
	case FMT_R1:
	case FMT_I:
	case FMT_SH:
	case FMT_SHW:
	case FMT_LOAD:
	case FMT_U:
	case FMT_J:
	case FMT_JALR:
	case FMT_CSR:
	case FMT_CSRI:
	case FMT_AMO:
	case FMT_LR:
	case FMT_FX:
	case FMT_FCMP:
		return xbit(op->rd);
	default:
		return 0;
	}
}

/* Cache the registers the block uses at least twice, most used first: a
 * register used once costs the same either way. */
void choose_cached(struct tctx *t)
{
	const struct block *b = t->b;
	unsigned uses[32] = {0};
	for (unsigned i = 0; i < b->n_ops; i++) {
		const uint64_t used = x_reads(&b->ops[i]) | x_writes(&b->ops[i]);
		for (unsigned x = 1; x < 32; x++)
			uses[x] += (used >> x) & 1;
	}
	memset(t->host, -1, sizeof(t->host));
	t->cached = t->loaded = t->dirty = 0;
	for (unsigned n = 0; n < sizeof(cache_pool) / sizeof(cache_pool[0]); n++) {
		unsigned best = 0;
		for (unsigned x = 1; x < 32; x++)
			if (!(t->cached & xbit(x)) && uses[x] >= 2 &&
			    (!best || uses[x] > uses[best]))
				best = x;
		if (!best)
			break;
		t->host[best] = (int8_t)cache_pool[n];
		t->cached |= xbit(best);
	}
}

/* The host register holding x's current value, or -1 (read memory). */
int x_host(const struct tctx *t, unsigned x)
{
	return (t->loaded & xbit(x)) ? t->host[x] : -1;
}

/* reg = x (x0 reads as 0 from memory too; xor is shorter). */
void load_x(struct tctx *t, int reg, unsigned x)
{
	const int h = x_host(t, x);
	if (x == 0)
		emit_alu_r32_r32(&t->e, ALU_XOR, reg, reg);
	else if (h < 0)
		emit_mov_r64_m(&t->e, reg, XREG(x));
	else if (h != reg)
		emit_mov_r64_r64(&t->e, reg, h);
}

/* x's host register now holds a value h->x[] does not. */
void wrote_x(struct tctx *t, unsigned x)
{
	t->loaded |= xbit(x);
	t->dirty |= xbit(x);
}

/* x = reg. */
void set_x(struct tctx *t, unsigned x, int reg)
{
	if (t->cached & xbit(x)) {
		emit_mov_r64_r64(&t->e, t->host[x], reg);
		wrote_x(t, x);
	} else {
		emit_mov_m_r64(&t->e, XREG(x), reg);
	}
}

/* x = sign-extended imm. */
void set_x_imm(struct tctx *t, unsigned x, int32_t imm)
{
	if (t->cached & xbit(x)) {
		emit_mov_r64_imm(&t->e, t->host[x], (uint64_t)(int64_t)imm);
		wrote_x(t, x);
	} else {
		emit_mov_m_imm32(&t->e, XREG(x), imm);
	}
}

/* dst op= x, 64 or 32 bits wide (ALU_CMP compares). */
void alu_x(struct tctx *t, enum x86_alu alu, bool wide, int dst, unsigned x)
{
	const int h = x_host(t, x);
	if (h >= 0)
		(wide ? emit_alu_r64_r64 : emit_alu_r32_r32)(&t->e, alu, dst, h);
	else
		(wide ? emit_alu_r64_m : emit_alu_r32_m)(&t->e, alu, dst, XREG(x));
}

/* x's memory slot, made current, for an instruction that only takes a
 * memory operand. Leaves the register dirty: a later exit stores it
 * again, which costs a store and keeps the state simple. */
struct x86_mem x_mem(struct tctx *t, unsigned x)
{
	if (t->dirty & xbit(x))
		emit_mov_m_r64(&t->e, XREG(x), t->host[x]);
	return XREG(x);
}

/* Store the registers in mask back to h->x[]: emits code, changes no state
 * (it is used on paths that leave the block). */
void writeback(struct tctx *t, uint64_t mask)
{
	for (unsigned x = 1; x < 32; x++)
		if (mask & xbit(x))
			emit_mov_m_r64(&t->e, XREG(x), t->host[x]);
}

/* Load the registers in mask from h->x[] (emits code only). */
void reload(struct tctx *t, uint64_t mask)
{
	for (unsigned x = 1; x < 32; x++)
		if (mask & xbit(x))
			emit_mov_r64_m(&t->e, t->host[x], XREG(x));
}

/* Before an op's code: load the cached registers it reads, so no load
 * happens inside the op's own branches (the state must not depend on
 * which way they went). */
void begin_op(struct tctx *t, const struct op *op)
{
	const uint64_t need = x_reads(op) & t->cached & ~t->loaded;
	reload(t, need);
	t->loaded |= need;
}

/* From here on every cached register is current in memory (a path that
 * leaves the block, before it jumps away). */
void write_back_dirty(struct tctx *t)
{
	writeback(t, t->dirty);
	t->dirty = 0;
}

/* Cached registers held in host registers a call into C may clobber. */
static uint64_t in_caller_saved(const struct tctx *t)
{
	uint64_t mask = 0;
	for (unsigned x = 1; x < 32; x++)
		if ((t->cached & xbit(x)) && t->host[x] >= R8 && t->host[x] <= R11)
			mask |= xbit(x);
	return mask;
}

/* Before a call into C (emit_c_call): store what the callee may read
 * (every dirty register, when it uses h->x[]) and what it may clobber
 * (the dirty ones in caller-saved host registers). */
void regcache_before_call(struct tctx *t, bool callee_uses_x)
{
	const uint64_t store = callee_uses_x ? t->dirty : t->dirty & in_caller_saved(t);
	writeback(t, store);
	t->dirty &= ~store;
}

/* After it: what the callee may have changed (every register, when it may
 * write h->x[]; else the caller-saved host registers) is reloaded from
 * h->x[] when next used (begin_op, load_x, emit_loop_back). */
void regcache_after_call(struct tctx *t, bool callee_uses_x)
{
	t->loaded &= callee_uses_x ? 0 : ~in_caller_saved(t);
}
