/*
 * Control flow in and out of a block's code: the entry check and the dead
 * stub in front of it, exits to a known target (chained when on the same
 * page) and to a computed one (the jump cache), blocks that loop on
 * themselves, the branch and jump instructions, the patches that chain
 * and kill blocks, and the trampoline that enters and leaves translated
 * code.
 */
#include "core/insn.h"
#include "core/spin_wait.h"
#include "tctx.h"
#include <string.h>

void exit_dispatch(struct tctx *t)
{
	emit_jmp_rel32(&t->e, t->j->exit_dispatch_off);
}

/*
 * Continue at the guest pc in rax (already stored in h->pc) without a
 * known target block: the hart's jump cache, inline; on a miss the lookup
 * helper, which fills the cache; failing that, the dispatcher.
 */
static void emit_indirect(struct tctx *t)
{
	struct emitter *e = &t->e;
	if (!t->j->chain) {
		exit_dispatch(t);
		return;
	}
	/* entry = cache + jump_cache_index(pc) * 32, the index's bits all
	 * below bit 32: ((pc ^ (pc >> 12)) << 4) masked to them. */
	emit_mov_r32_r32(e, RCX, RAX);
	emit_shift_r32_imm(e, SHIFT_SHR, RCX, 12);
	emit_alu_r32_r32(e, ALU_XOR, RCX, RAX);
	emit_shift_r32_imm(e, SHIFT_SHL, RCX, 4);
	emit_alu_r32_imm(e, ALU_AND, RCX, (JUMP_CACHE_ENTRIES - 1) << 5);
	emit_alu_r64_m(e, ALU_ADD, RCX, H(engine_hart)); /* struct jit_hart's jump_cache */
	emit_alu_r64_m(e, ALU_CMP, RAX, mem(RCX, (int32_t)offsetof(struct jump_cache_entry, pc)));
	const size_t miss1 = emit_jcc_rel32(e, CC_NE, 0);
	emit_mov_r64_m(e, RDX, H(fetch_epoch));
	emit_alu_r64_m(e, ALU_CMP, RDX,
		       mem(RCX, (int32_t)offsetof(struct jump_cache_entry, epoch)));
	const size_t miss2 = emit_jcc_rel32(e, CC_NE, 0);
	emit_mov_r64_m(e, RAX, mem(RCX, (int32_t)offsetof(struct jump_cache_entry, native)));
	emit_jmp_r64(e, RAX);
	emit_patch_rel32(e->buf, miss1, e->len);
	emit_patch_rel32(e->buf, miss2, e->len);
	emit_c_call(t, (const void *)jit_lookup, NULL);
	emit_jmp_r64(e, RAX);
}

/* Leave the block for guest pc `target` after `retired` instructions. */
void emit_goto(struct tctx *t, uint64_t target, unsigned retired)
{
	struct emitter *e = &t->e;
	/* Code after this exit (past a branch's not-taken side) continues
	 * from the state before it. */
	const uint64_t dirty = t->dirty, loaded = t->loaded;
	write_back_dirty(t);
	add_instret(t, (int)retired);
	if (t->j->chain && !((target ^ t->b->va) & ~PAGE_OFFSET_MASK)) {
		/* patch_chain rewrites the field while other harts may run
		 * this code: aligned, its store is atomic. */
		while ((e->len + 1) & 3)
			emit_nop(e);
		const size_t field = emit_jmp_rel32(e, 0);
		add_stub(t, (struct stub){.kind = STUB_CHAIN, .field = field, .target = target});
	} else {
		emit_mov_r64_imm(e, RAX, target);
		emit_mov_m_r64(e, H(pc), RAX);
		emit_indirect(t);
	}
	t->dirty = dirty;
	t->loaded = loaded;
}

static enum x86_cond branch_cond(unsigned id)
{
	switch (id) {
	case INSN_beq:
		return CC_E;
	case INSN_bne:
		return CC_NE;
	case INSN_blt:
		return CC_L;
	case INSN_bge:
		return CC_GE;
	case INSN_bltu:
		return CC_B;
	default:
		return CC_AE; /* bgeu */
	}
}

/* Ops 0..n-1 of b load from addresses they do not change and otherwise
 * only compute: a block like that which branches back to itself polls
 * memory, waiting for another hart (or a device). A loop that walks memory
 * moves its base register and is not one. */
static bool polls_memory(const struct block *b, unsigned n)
{
	uint64_t bases = 0, written = 0;
	for (unsigned i = 0; i < n; i++) {
		const struct op *op = &b->ops[i];
		switch (insn_table[op->id].format) {
		case FMT_LOAD:
			bases |= 1ULL << op->rs1;
			break;
		case FMT_I:
		case FMT_R:
		case FMT_R1:
		case FMT_U:
		case FMT_SH:
		case FMT_SHW:
		case FMT_FENCE:
			break;
		default:
			return false;
		}
		written |= 1ULL << op->rd;
	}
	return bases && !(bases & written);
}

/*
 * A block whose last op jumps back to its start runs as a loop: the cached
 * registers stay in host registers across iterations. The back edge jumps
 * to a loop head inside the block, which checks the budget as the entry
 * does (so interrupts are still taken within one iteration) and which
 * jit_kill_block patches as it patches the entry (so a loop whose code was
 * overwritten leaves at its next iteration).
 */
bool is_loop(const struct tctx *t)
{
	const struct block *b = t->b;
	if (!t->j->chain || !b->n_ops)
		return false;
	const struct op *last = &b->ops[b->n_ops - 1];
	if (insn_table[last->id].format != FMT_B && last->id != INSN_jal)
		return false;
	if (b->va + last->pc_off + (uint64_t)(int64_t)last->imm != b->va)
		return false;
	/* A loop that polls memory yields its thread at the back edge. */
	return !(t->j->m->threaded && polls_memory(b, b->n_ops - 1));
}

/* Entry of a loop block: load every cached register, then the loop head.
 * The body's state is the loop head's: everything loaded, and dirty
 * whatever the body writes (a superset on the first pass, which costs
 * stores of unchanged values at most). */
void emit_loop_head(struct tctx *t)
{
	struct emitter *e = &t->e;
	reload(t, t->cached);
	t->loaded = t->cached;
	t->loop_dirty = 0;
	for (unsigned i = 0; i < t->b->n_ops; i++)
		t->loop_dirty |= x_writes(&t->b->ops[i]) & t->cached;
	t->dirty = t->loop_dirty;
	const size_t skip = emit_jmp_rel32(e, 0);
	/* jit_kill_block replaces the head's first 8 bytes with one atomic
	 * store, which has to be aligned. */
	while (e->len & 7)
		emit_nop(e);
	t->loop_head = e->len;
	t->owed_paid = false; /* the back edge comes here owing */
	emit_quantum_check(t, (struct stub){.kind = STUB_LOOP, .dirty = t->loop_dirty});
	emit_patch_rel32(e->buf, skip, e->len);
}

/* The back edge: the loop head expects every cached register loaded. */
void emit_loop_back(struct tctx *t, unsigned retired)
{
	reload(t, t->cached & ~t->loaded);
	add_instret(t, (int)retired);
	emit_jmp_rel32(&t->e, t->loop_head);
}

/*
 * Returns by the host's own return prediction. The calling convention's
 * link registers (ra, and t0 for millicode) mark calls and returns
 * (unprivileged spec 2.5.1, table 3 of the return-address stack hints):
 * a call writes one, a return is a jalr to one that writes x0. A call
 * pushes a return frame on the host stack and host-calls its way to the
 * callee; the callee's return finds the frame on top, checks that it is
 * going where the call would return to, in the same fetch epoch, and
 * leaves with a host `ret`, which the host CPU predicts from its own
 * return stack, to the landing after the call, which chains to the block
 * at the return address. Anything else (longjmp, a context switch, a
 * frame pushed before the last exit to the dispatcher) finds a frame that
 * does not match and takes the jump cache as before. Frames live only
 * while translated code runs: every exit returns the stack to where entry
 * left it (jit_emit_stubs), whose sentinel frame never matches (its pc is
 * odd), and a call that would take the stack below return_floor pushes
 * nothing.
 *
 * A frame, from the top: the guest return address, the fetch epoch,
 * padding, and the host return address the call pushed (32 bytes keep
 * the stack aligned for calls into C; the guard goes above the return
 * address so that the return is a plain `ret`).
 */
#define RETURN_FRAME	    32
#define RETURN_FRAMES_MAX   1024
#define RETURN_SENTINEL_PC  1
#define SENTINEL_FRAME_ROOM (RETURN_FRAME + 8) /* and the entry's alignment slot */

static bool is_link(unsigned x)
{
	return x == 1 || x == 5;
}

/* A call's frame: the host call, whose landing (where the callee's
 * return comes back to) follows it, and then the frame's guard. The code
 * the caller emits next goes to the callee, with a frame or, when the
 * stack has no room for one, without. Every cached register is written
 * back and the instructions counted before. */
static void emit_call_frame(struct tctx *t, uint64_t return_pc)
{
	struct emitter *e = &t->e;
	emit_alu_r64_m(e, ALU_CMP, RSP, H(return_floor));
	const size_t no_room = emit_jcc_rel32(e, CC_BE, 0);
	const size_t call = emit_call_rel32(e, 0);
	t->owed_paid = false;	    /* the callee's return comes here owing */
	emit_goto(t, return_pc, 0); /* the landing */
	emit_patch_rel32(e->buf, call, e->len);
	emit_alu_r64_imm(e, ALU_SUB, RSP, RETURN_FRAME - 8);
	emit_mov_r64_m(e, RDX, H(fetch_epoch));
	emit_mov_m_r64(e, mem(RSP, 8), RDX);
	emit_mov_r64_imm(e, RDX, return_pc);
	emit_mov_m_r64(e, mem(RSP, 0), RDX);
	emit_patch_rel32(e->buf, no_room, e->len);
}

/* A return (rax = the target, everything written back): the host ret
 * when the top frame is the call's, else the jump cache. */
static void emit_return(struct tctx *t)
{
	struct emitter *e = &t->e;
	emit_alu_r64_m(e, ALU_CMP, RAX, mem(RSP, 0));
	const size_t other_pc = emit_jcc_rel32(e, CC_NE, 0);
	emit_mov_r64_m(e, RDX, H(fetch_epoch));
	emit_alu_r64_m(e, ALU_CMP, RDX, mem(RSP, 8));
	const size_t other_epoch = emit_jcc_rel32(e, CC_NE, 0);
	emit_alu_r64_imm(e, ALU_ADD, RSP, RETURN_FRAME - 8);
	emit_ret(e);
	emit_patch_rel32(e->buf, other_pc, e->len);
	emit_patch_rel32(e->buf, other_epoch, e->len);
	emit_indirect(t);
}

void emit_jal(struct tctx *t, const struct op *op, unsigned k)
{
	struct emitter *e = &t->e;
	const uint64_t pc = op_va(t, op);
	const uint64_t target = pc + (uint64_t)(int64_t)op->imm;
	if (op->rd == XREG_SINK && region_jump(t, op, k))
		return;
	if (op->rd != XREG_SINK) {
		emit_mov_r64_imm(e, RAX, pc + op_len(op));
		set_x(t, op->rd, RAX);
	}
	if (target == t->b->va && t->loop) {
		emit_loop_back(t, k + 1);
	} else if (is_link(op->rd) && t->j->chain) {
		write_back_dirty(t);
		add_instret(t, (int)k + 1);
		emit_call_frame(t, pc + op_len(op));
		emit_goto(t, target, 0);
	} else {
		emit_goto(t, target, k + 1);
	}
}

void emit_jalr(struct tctx *t, const struct op *op, unsigned k)
{
	struct emitter *e = &t->e;
	const uint64_t pc = op_va(t, op);
	load_x(t, RAX, op->rs1);
	if (op->imm)
		emit_alu_r64_imm(e, ALU_ADD, RAX, op->imm);
	emit_alu_r64_imm(e, ALU_AND, RAX, -2);
	emit_mov_m_r64(e, H(pc), RAX);
	if (op->rd != XREG_SINK) {
		emit_mov_r64_imm(e, RCX, pc + op_len(op));
		set_x(t, op->rd, RCX);
	}
	write_back_dirty(t);
	add_instret(t, (int)k + 1);
	if (t->j->chain && op->rd == XREG_SINK && is_link(op->rs1)) {
		emit_return(t);
		return;
	}
	if (t->j->chain && is_link(op->rd))
		emit_call_frame(t, pc + op_len(op)); /* rax, the target, survives it */
	emit_indirect(t);
}

void emit_branch(struct tctx *t, const struct op *op, unsigned k)
{
	struct emitter *e = &t->e;
	const uint64_t pc = op_va(t, op);
	const uint64_t target = pc + (uint64_t)(int64_t)op->imm;
	int a = x_host(t, op->rs1);
	if (a < 0) {
		load_x(t, RAX, op->rs1);
		a = RAX;
	}
	alu_x(t, ALU_CMP, true, a, op->rs2);
	if (region_branch(t, op, k, branch_cond(op->id)))
		return;
	const size_t taken = emit_jcc_rel32(e, branch_cond(op->id), 0);
	emit_goto(t, pc + op_len(op), k + 1);
	emit_patch_rel32(e->buf, taken, e->len);
	if (target == t->b->va && t->loop) {
		emit_loop_back(t, k + 1);
		return;
	}
	/* The back edge of a polling loop with a thread per hart now and then
	 * gives the host CPU away (core/spin_wait.c). It changes no guest
	 * state and not the quantum: the back edge then jumps to the block's
	 * entry, which counts one block as every loop iteration does, so a
	 * polling loop's iterations count as in the interpreter and a fixed
	 * quantum (machine.h quantum_blocks) keeps both engines' schedules
	 * equal even on a machine marked threaded whose harts take turns (the
	 * translator fuzzer's). */
	if (target == t->b->va && t->j->m->threaded && polls_memory(t->b, k)) {
		emit_c_call(t, (const void *)hart_spin_wait, NULL);
	}
	emit_goto(t, target, k + 1);
}

/* Entry: count the block against the quantum. A newly takeable interrupt
 * zeroes the budget (hart_set_mip), so this one test also bounds interrupt
 * latency; the dispatcher takes the interrupt. */
void emit_entry(struct tctx *t)
{
	emit_quantum_check(t, (struct stub){.kind = STUB_ENTRY});
}

/* Where the interpreter would start a block: leave by stub s when the
 * quantum is over, else count the block (BLOCKS_RUN). The compare comes
 * first, and is 7 bytes long: jit_kill_block overwrites an entry's or a
 * loop head's first 5 bytes while another hart may be fetching them. */
void emit_quantum_check(struct tctx *t, struct stub s)
{
	struct emitter *e = &t->e;
	/* A disp32 makes the compare 7 bytes (REX, opcode, ModRM, disp32). */
	_Static_assert(offsetof(struct hart, budget) > 127, "the budget is past a disp8");
	emit_alu_r32_m(e, ALU_CMP, BLOCKS_RUN, H(budget));
	s.field = emit_jcc_rel32(e, CC_GE, 0);
	add_stub(t, s);
	emit_alu_r32_imm(e, ALU_ADD, BLOCKS_RUN, 1);
}

/* Placed right before a block's entry and reached only after
 * jit_kill_block points the entry at it: leave for the dispatcher with
 * pc = the block's start. Fixed size, so the kill knows where it is. */
void emit_dead_stub(struct tctx *t)
{
	struct emitter *e = &t->e;
	const size_t start = e->len;
	emit_mov_r64_imm(e, RAX, t->b->va);
	emit_mov_m_r64(e, H(pc), RAX);
	emit_jmp_rel32(e, t->j->exit_dispatch_off);
	while (e->len - start < JIT_DEAD_STUB)
		emit_nop(e); /* never executed: pads to the fixed size */
}

/* Point the 8-byte aligned code at `at` to `to` with one atomic store. */
static void patch_jump(struct jit *j, size_t at, size_t to)
{
	uint8_t bytes[8];
	memcpy(bytes, j->cb.rw + at, 8);
	bytes[0] = 0xe9; /* jmp rel32 */
	const int32_t rel = (int32_t)((int64_t)to - (int64_t)(at + 5));
	memcpy(bytes + 1, &rel, 4);
	uint64_t word;
	memcpy(&word, bytes, 8);
	__atomic_store_n((uint64_t *)(void *)(j->cb.rw + at), word, __ATOMIC_RELEASE);
}

void jit_kill_block(struct jit *j, struct block *b)
{
	/* The entry's first instruction (7 bytes) becomes a jump to the dead
	 * stub in front of it. A hart inside the block's code (a store that
	 * invalidated its own page) is past the entry and finishes normally. */
	const size_t off = code_buffer_offset(&j->cb, b->native);
	/* Another hart may be fetching the entry: a block's code starts
	 * 16-byte aligned and the dead stub is 24 bytes, so the entry is
	 * 8-byte aligned and one atomic store replaces its first 8 bytes. */
	patch_jump(j, off, off - JIT_DEAD_STUB);
	/* A hart looping in the block leaves at its next iteration. */
	struct jit_block header;
	memcpy(&header, j->cb.rw + off - JIT_DEAD_STUB - sizeof(header), sizeof(header));
	if (header.loop_head)
		patch_jump(j, off + header.loop_head, off + header.loop_dead);
	__atomic_store_n(&b->native, NULL, __ATOMIC_RELEASE);
}

void jit_emit_stubs(struct jit *j)
{
	struct emitter e = {.buf = j->cb.rw, .cap = j->cb.size, .len = 0};
	static const int saved[] = {RBP, RBX, R12, R13, R14, R15};
	/* int enter(struct hart *h = rdi, void *code = rsi) */
	j->enter_off = e.len;
	for (unsigned i = 0; i < 6; i++)
		emit_push(&e, saved[i]);
	/* The sentinel return frame (emit_return), and 16-byte alignment
	 * at helper calls. */
	emit_alu_r64_imm(&e, ALU_SUB, RSP, SENTINEL_FRAME_ROOM);
	emit_mov_r64_r64(&e, RBX, RDI);
	emit_mov_m_imm32(&e, mem(RSP, 0), RETURN_SENTINEL_PC);
	emit_mov_m_r64(&e, H(host_sp), RSP);
	emit_lea(&e, RAX, mem(RSP, -RETURN_FRAMES_MAX * RETURN_FRAME));
	emit_mov_m_r64(&e, H(return_floor), RAX);
	emit_alu_r32_r32(&e, ALU_XOR, BLOCKS_RUN, BLOCKS_RUN);
	emit_alu_r32_r32(&e, ALU_XOR, INSTRET_OWED, INSTRET_OWED);
	emit_jmp_r64(&e, RSI);
	/* exit: eax = enum jit_exit; return frames left on the stack go, the
	 * blocks run leave the budget (atomically: another thread may have
	 * zeroed it meanwhile, and the zero must stay at or below zero) */
	j->exit_off = e.len;
	emit_neg_r32(&e, BLOCKS_RUN);
	emit_lock_xadd_m_r(&e, false, H(budget), BLOCKS_RUN);
	emit_alu_m64_r64(&e, ALU_ADD, H(instret), INSTRET_OWED);
	emit_mov_r64_m(&e, RSP, H(host_sp));
	emit_alu_r64_imm(&e, ALU_ADD, RSP, SENTINEL_FRAME_ROOM);
	for (int i = 5; i >= 0; i--)
		emit_pop(&e, saved[i]);
	emit_ret(&e);
	j->exit_dispatch_off = e.len;
	emit_alu_r32_r32(&e, ALU_XOR, RAX, RAX);
	emit_jmp_rel32(&e, j->exit_off);
	/* The first block's code starts 64-byte aligned, its header just
	 * before it (see jit_translate). */
	j->code_start =
	    ((e.len + sizeof(struct jit_block) + 63) & ~(size_t)63) - sizeof(struct jit_block);
	j->cb.used = j->code_start;
}
