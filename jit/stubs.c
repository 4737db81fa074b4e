/*
 * Out-of-line paths and calls into C. While the body is emitted, each
 * path it may leave by (a slow path, a helper's nonzero result, a chain
 * exit, a failed entry or loop-head check) is recorded as a stub; the
 * stubs are emitted after the body, where they cost the straight-line
 * code nothing but a jcc.
 *
 * A slow stub runs the op's exec function (the exact semantics, core/
 * insn.def) and resumes after the op's native code, or leaves the block as
 * the function asks (core/op.h: EXEC_TRAP, EXEC_EXIT).
 */
#include "core/insn.h"
#include "tctx.h"

void add_stub(struct tctx *t, struct stub s)
{
	if (s.kind == STUB_SLOW || s.kind == STUB_RESULT) {
		s.dirty = t->dirty;
		s.loaded = t->loaded;
	}
	if (t->nstubs < sizeof(t->stubs) / sizeof(t->stubs[0]))
		t->stubs[t->nstubs++] = s;
	else
		t->e.overflow = true;
}

/* Another jump into the slow stub added last. */
void slow_join(struct tctx *t, size_t field)
{
	struct stub *s = &t->stubs[t->nstubs - 1];
	if (s->nmore < sizeof(s->more) / sizeof(s->more[0]))
		s->more[s->nmore++] = field;
	else
		t->e.overflow = true;
}

/* The jump whose rel32 field is at `field` leads to op's slow stub. */
static void to_slow(struct tctx *t, const struct op *op, unsigned k, size_t field)
{
	if (t->nstubs && t->stubs[t->nstubs - 1].kind == STUB_SLOW &&
	    t->stubs[t->nstubs - 1].op == op)
		slow_join(t, field);
	else
		add_stub(t,
			 (struct stub){.kind = STUB_SLOW, .field = field, .op = op, .retired = k});
}

/* Jump to op's slow stub when condition cc holds (after a compare). */
void slow_if(struct tctx *t, const struct op *op, unsigned k, enum x86_cond cc)
{
	to_slow(t, op, k, emit_jcc_rel32(&t->e, cc, 0));
}

/* Jump to op's slow stub. */
void slow_always(struct tctx *t, const struct op *op, unsigned k)
{
	to_slow(t, op, k, emit_jmp_rel32(&t->e, 0));
}

/* The op's slow stub (the last stub) resumes here, with the registers now
 * loaded (its result among them) reloaded from what the C code left. */
void mark_resume(struct tctx *t)
{
	t->stubs[t->nstubs - 1].resume = t->e.len;
	t->stubs[t->nstubs - 1].reload = t->loaded;
	t->stubs[t->nstubs - 1].rax_group = t->rax_kept ? t->rax_group : 0;
}

static void store_context(struct tctx *t)
{
	if (t->context_stored)
		return;
	emit_mov_r64_imm(&t->e, RAX, t->b->va);
	emit_mov_m_r64(&t->e, H(block_pc), RAX);
	emit_mov_r64_imm(&t->e, RAX, (uint64_t)(uintptr_t)t->b->ops);
	emit_mov_m_r64(&t->e, H(block_ops), RAX);
	t->context_stored = true;
}

/*
 * The one way translated code calls C (the helper ABI, jit.h), eax = fn's
 * result. With op, fn is op's exec function, fn(h, op), which may read
 * and write any guest register and finds its pc through h->block_pc and
 * h->block_ops (stored first). Without, fn(h) is a helper that leaves
 * h->x[] alone (jit_lookup, hart_spin_wait). Either way the register cache
 * stays right across the call: what the callee may read or clobber is
 * written back before it, and what it may have changed is reloaded when
 * next used (regcache.c).
 */
void emit_c_call(struct tctx *t, const void *fn, const struct op *op)
{
	struct emitter *e = &t->e;
	regcache_before_call(t, op != NULL);
	if (op)
		store_context(t);
	if (!t->owed_paid) {
		emit_alu_m64_r64(e, ALU_ADD, H(instret), INSTRET_OWED);
		emit_alu_r32_r32(e, ALU_XOR, INSTRET_OWED, INSTRET_OWED);
		t->owed_paid = true;
	}
	emit_mov_r64_r64(e, RDI, RBX);
	if (op)
		emit_mov_r64_imm(e, RSI, (uint64_t)(uintptr_t)op);
	emit_mov_r64_imm(e, RAX, (uint64_t)(uintptr_t)fn);
	emit_call_r64(e, RAX);
	regcache_after_call(t, op != NULL);
}

void add_instret(struct tctx *t, int n)
{
	if (n) {
		emit_alu_r64_imm(&t->e, ALU_ADD, INSTRET_OWED, n);
		t->owed_paid = false;
	}
}

/* After a helper call: eax != 0 leaves the block (trap, or the op left). */
void check_result(struct tctx *t, unsigned retired)
{
	emit_test_r32_r32(&t->e, RAX, RAX);
	const size_t field = emit_jcc_rel32(&t->e, CC_NE, 0);
	add_stub(t, (struct stub){.kind = STUB_RESULT, .field = field, .retired = retired});
}

void fallback(struct tctx *t, const struct op *op, unsigned k)
{
	emit_c_call(t, (const void *)insn_table[op->id].exec, op);
	check_result(t, k);
}

void emit_stubs(struct tctx *t)
{
	struct emitter *e = &t->e;
	struct jit *j = t->j;
	for (unsigned i = 0; i < t->nstubs; i++) {
		const struct stub *s = &t->stubs[i];
		emit_patch_rel32(e->buf, s->field, e->len);
		for (unsigned m = 0; m < s->nmore; m++)
			emit_patch_rel32(e->buf, s->more[m], e->len);
		t->owed_paid = false; /* a stub starts from any point of the body */
		switch (s->kind) {
		case STUB_SLOW:
			/* The state of this stub's path, where the op jumped
			 * here; the resume point expects s->reload loaded. */
			t->dirty = s->dirty;
			t->loaded = s->loaded;
			t->context_stored = false;
			emit_c_call(t, (const void *)insn_table[s->op->id].exec, s->op);
			emit_test_r32_r32(e, RAX, RAX);
			{
				const size_t f = emit_jcc_rel32(e, CC_NE, 0);
				reload(t, s->reload);
				if (s->rax_group)
					emit_mov_r64_m(e, RAX, H(mem_group_base[s->rax_group - 1]));
				emit_jmp_rel32(e, s->resume);
				emit_patch_rel32(e->buf, f, e->len);
			}
			/* fall into the result handling */
			/* fallthrough */
		case STUB_RESULT:
			/* eax: EXEC_TRAP (op did not retire) or EXEC_EXIT (it
			 * retired and set h->pc). */
			add_instret(t, (int)s->retired);
			emit_alu_r32_imm(e, ALU_CMP, RAX, EXEC_EXIT);
			{
				const size_t f = emit_jcc_rel32(e, CC_NE, 0);
				add_instret(t, 1);
				emit_patch_rel32(e->buf, f, e->len);
			}
			exit_dispatch(t);
			break;
		case STUB_CHAIN:
			emit_mov_r64_imm(e, RAX, s->target);
			emit_mov_m_r64(e, H(pc), RAX);
			emit_mov_r64_imm(e, RAX, s->field);
			emit_mov_r64_m(e, RCX, H(engine_hart));
			emit_mov_m_r64(e, mem(RCX, (int32_t)offsetof(struct jit_hart, patch)), RAX);
			emit_mov_r64_imm(e, RAX, JIT_EXIT_CHAIN);
			emit_jmp_rel32(e, j->exit_off);
			break;
		case STUB_ENTRY:
		case STUB_LOOP:
		case STUB_BOUNDARY:
			/* The block at the pc left to did not start. An entry
			 * has nothing to write back or count. */
			if (s->kind == STUB_LOOP)
				t->loop_dead = e->len; /* where a killed loop head leads */
			writeback(t, s->dirty);
			add_instret(t, (int)s->retired);
			emit_mov_r64_imm(e, RAX, s->kind == STUB_BOUNDARY ? s->target : t->b->va);
			emit_mov_m_r64(e, H(pc), RAX);
			exit_dispatch(t);
			break;
		}
	}
}
