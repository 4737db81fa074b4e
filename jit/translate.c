/*
 * RV64 block -> x86-64 (the model is in jit.h).
 *
 * Register use inside translated code:
 *   rbx        the hart (callee-saved: survives helper calls)
 *   rax rcx rdx rsi rdi          scratch, dead across helper calls
 *   r12-r15 rbp r8-r11           guest registers cached for the block
 * Guest registers live in h->x[]. Within a block, the ones it uses most are
 * cached in host registers: loaded on first use, written back at every
 * exit and before every call into C (which reads and writes h->x[]). A
 * block that branches back to its own start keeps them across iterations.
 *
 * Layout of one block's code:
 *   dead:   a stub that leaves for the dispatcher, entered only once
 *           jit_kill_block has pointed the entry's first bytes at it
 *   entry:  the quantum check
 *   body:   one sequence per instruction, in order
 *   stubs:  out-of-line paths: TLB-miss calls, trap exits, chain exits
 */
#include "translate.h"
#include "core/insn.h"
#include "core/mmu.h"
#include "x86_64_emit.h"
#include <inttypes.h>
#include <sched.h>
#include <stddef.h>
#include <string.h>
#include <time.h>

#define H(field)   mem(RBX, (int32_t)offsetof(struct hart, field))
#define XREG(i)	   mem(RBX, (int32_t)(offsetof(struct hart, x) + 8 * (size_t)(i)))
#define FREG(i)	   mem(RBX, (int32_t)(offsetof(struct hart, f) + 8 * (size_t)(i)))
#define FREG_HI(i) mem(RBX, (int32_t)(offsetof(struct hart, f) + 8 * (size_t)(i) + 4))

/* Room a block needs at most (BLOCK_MAX_OPS ops of the largest sequence
 * plus their stubs); checked before translating so a block never straddles
 * the end of the buffer. */
#define BLOCK_CODE_MAX (BLOCK_MAX_OPS * 320 + 1024)
#define JIT_DEAD_STUB  24 /* bytes of the dead-block stub before each entry */

/* Out-of-line paths collected while emitting the body. */
enum stub_kind {
	STUB_SLOW,   /* fast path not applicable (TLB miss, FP corner case):
			run the op's exec function, then resume */
	STUB_RESULT, /* a helper returned nonzero: account and leave */
	STUB_CHAIN,  /* exit to a same-page target, patchable */
	STUB_ENTRY,  /* entry check failed: leave with pc = block start */
	STUB_LOOP,   /* loop head check failed: write back, leave with pc =
			block start */
};

struct stub {
	enum stub_kind kind;
	size_t field;	/* rel32 field of the jump/jcc that reaches the stub */
	size_t more[7]; /* STUB_SLOW: further jumps to the same stub */
	unsigned nmore;
	size_t resume;	     /* STUB_SLOW: where to continue */
	const struct op *op; /* STUB_SLOW: the op to call */
	unsigned retired;    /* instructions before this op */
	uint64_t target;     /* STUB_CHAIN: guest pc */
	uint64_t dirty;	     /* cached registers to write back on the way out */
	uint64_t reload;     /* STUB_SLOW: cached registers to load before resuming */
};

struct tctx {
	struct jit *j;
	struct block *b;
	struct emitter e;
	bool context_stored; /* h->block_pc/block_ops hold this block's values */
	bool fs_dirty_set;   /* mstatus.FS already marked dirty on this path */
	/* Guest register caching, as bit masks over x1..x31. The state is
	 * that of the point being emitted; the body is straight-line code, so
	 * it is known statically. dirty is a subset of loaded, and a cached
	 * register that is not loaded is current in memory. */
	int8_t host[33]; /* host register caching x[i], -1: none */
	uint64_t cached, loaded, dirty;
	bool loop;	     /* the block branches back to its start */
	size_t loop_head;    /* where the loop's iterations start */
	size_t loop_dead;    /* where a killed loop head leads */
	uint64_t loop_dirty; /* loop: registers the body writes */
	struct stub stubs[3 * BLOCK_MAX_OPS + 4];
	unsigned nstubs;
};

static void add_stub(struct tctx *t, struct stub s)
{
	if (s.kind == STUB_SLOW || s.kind == STUB_RESULT)
		s.dirty = t->dirty;
	if (t->nstubs < sizeof(t->stubs) / sizeof(t->stubs[0]))
		t->stubs[t->nstubs++] = s;
	else
		t->e.overflow = true;
}

/* Another jump into the slow stub added last. */
static void slow_join(struct tctx *t, size_t field)
{
	struct stub *s = &t->stubs[t->nstubs - 1];
	if (s->nmore < sizeof(s->more) / sizeof(s->more[0]))
		s->more[s->nmore++] = field;
	else
		t->e.overflow = true;
}

/* Jump to op's slow stub when condition cc holds (after a compare). */
static void slow_if(struct tctx *t, const struct op *op, unsigned k, enum x86_cond cc)
{
	const size_t field = emit_jcc_rel32(&t->e, cc, 0);
	if (t->nstubs && t->stubs[t->nstubs - 1].kind == STUB_SLOW &&
	    t->stubs[t->nstubs - 1].op == op)
		slow_join(t, field);
	else
		add_stub(t,
			 (struct stub){.kind = STUB_SLOW, .field = field, .op = op, .retired = k});
}

static uint64_t op_va(const struct tctx *t, const struct op *op)
{
	return t->b->va + op->pc_off;
}

/* ---- Guest registers cached in host registers ---------------------------- */

/* r8-r11 are clobbered by calls into C, but every call is preceded by a
 * write-back and followed by reloads, as the callee-saved ones are. */
static const int cache_pool[] = {R12, R13, R14, R15, RBP, R8, R9, R10, R11};

static uint64_t xbit(unsigned x)
{
	return x && x < 32 ? 1ULL << x : 0; /* x0 and the sink are never cached */
}

/* Integer registers an op reads and writes, from its operand layout. */
static uint64_t x_reads(const struct op *op)
{
	switch (insn_table[op->id].format) {
	case FMT_R:
	case FMT_STORE:
	case FMT_B:
	case FMT_AMO:
	case FMT_SFENCE:
		return xbit(op->rs1) | xbit(op->rs2);
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
		return xbit(op->rs1);
	default:
		return 0;
	}
}

static uint64_t x_writes(const struct op *op)
{
	switch (insn_table[op->id].format) {
	case FMT_R:
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
static void choose_cached(struct tctx *t)
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
static int x_host(const struct tctx *t, unsigned x)
{
	return (t->loaded & xbit(x)) ? t->host[x] : -1;
}

/* reg = x (x0 reads as 0 from memory too; xor is shorter). */
static void load_x(struct tctx *t, int reg, unsigned x)
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
static void wrote_x(struct tctx *t, unsigned x)
{
	t->loaded |= xbit(x);
	t->dirty |= xbit(x);
}

/* x = reg. */
static void set_x(struct tctx *t, unsigned x, int reg)
{
	if (t->cached & xbit(x)) {
		emit_mov_r64_r64(&t->e, t->host[x], reg);
		wrote_x(t, x);
	} else {
		emit_mov_m_r64(&t->e, XREG(x), reg);
	}
}

/* x = sign-extended imm. */
static void set_x_imm(struct tctx *t, unsigned x, int32_t imm)
{
	if (t->cached & xbit(x)) {
		emit_mov_r64_imm(&t->e, t->host[x], (uint64_t)(int64_t)imm);
		wrote_x(t, x);
	} else {
		emit_mov_m_imm32(&t->e, XREG(x), imm);
	}
}

/* dst op= x, 64 or 32 bits wide (ALU_CMP compares). */
static void alu_x(struct tctx *t, enum x86_alu alu, bool wide, int dst, unsigned x)
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
static struct x86_mem x_mem(struct tctx *t, unsigned x)
{
	if (t->dirty & xbit(x))
		emit_mov_m_r64(&t->e, XREG(x), t->host[x]);
	return XREG(x);
}

/* Store the registers in mask back to h->x[]: emits code, changes no state
 * (it is used on paths that leave the block). */
static void writeback(struct tctx *t, uint64_t mask)
{
	for (unsigned x = 1; x < 32; x++)
		if (mask & xbit(x))
			emit_mov_m_r64(&t->e, XREG(x), t->host[x]);
}

/* Load the registers in mask from h->x[] (emits code only). */
static void reload(struct tctx *t, uint64_t mask)
{
	for (unsigned x = 1; x < 32; x++)
		if (mask & xbit(x))
			emit_mov_r64_m(&t->e, t->host[x], XREG(x));
}

/* Before an op's code: load the cached registers it reads, so no load
 * happens inside the op's own branches (the state must not depend on
 * which way they went). */
static void begin_op(struct tctx *t, const struct op *op)
{
	const uint64_t need = x_reads(op) & t->cached & ~t->loaded;
	reload(t, need);
	t->loaded |= need;
}

/* Before a call into C that may read and write any guest register. */
static void sync_for_call(struct tctx *t)
{
	writeback(t, t->dirty);
	t->dirty = 0;
}

/* After it: the cached registers are reloaded when next used. */
static void after_call(struct tctx *t)
{
	t->loaded = 0;
}

/* The op's slow stub (the last stub) resumes here, with the registers now
 * loaded (its result among them) reloaded from what the C code left. */
static void mark_resume(struct tctx *t)
{
	t->stubs[t->nstubs - 1].resume = t->e.len;
	t->stubs[t->nstubs - 1].reload = t->loaded;
}

static void store_context(struct tctx *t, bool always)
{
	if (t->context_stored && !always)
		return;
	emit_mov_r64_imm(&t->e, RAX, t->b->va);
	emit_mov_m_r64(&t->e, H(block_pc), RAX);
	emit_mov_r64_imm(&t->e, RAX, (uint64_t)(uintptr_t)t->b->ops);
	emit_mov_m_r64(&t->e, H(block_ops), RAX);
	if (!always)
		t->context_stored = true;
}

static void emit_call(struct emitter *e, const void *fn)
{
	emit_mov_r64_imm(e, RAX, (uint64_t)(uintptr_t)fn);
	emit_call_r64(e, RAX);
}

/* Call op's exec function: eax = exec result. */
static void call_exec(struct tctx *t, const struct op *op)
{
	emit_mov_r64_r64(&t->e, RDI, RBX);
	emit_mov_r64_imm(&t->e, RSI, (uint64_t)(uintptr_t)op);
	emit_call(&t->e, (const void *)insn_table[op->id].exec);
}

static void add_instret(struct emitter *e, unsigned n)
{
	if (n)
		emit_alu_m64_imm(e, ALU_ADD, H(instret), (int32_t)n);
}

static void exit_dispatch(struct tctx *t)
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
	/* entry = cache + ((pc >> 1) % JUMP_CACHE_ENTRIES) * 32 */
	emit_mov_r32_r32(e, RCX, RAX);
	emit_shift_r32_imm(e, SHIFT_SHL, RCX, 4);
	emit_alu_r32_imm(e, ALU_AND, RCX, (JUMP_CACHE_ENTRIES - 1) << 5);
	emit_alu_r64_m(e, ALU_ADD, RCX, H(jit_jump_cache));
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
	emit_mov_r64_r64(e, RDI, RBX);
	emit_call(e, (const void *)jit_lookup);
	emit_jmp_r64(e, RAX);
}

/* Leave the block for guest pc `target` after `retired` instructions. */
static void emit_goto(struct tctx *t, uint64_t target, unsigned retired)
{
	struct emitter *e = &t->e;
	writeback(t, t->dirty);
	add_instret(e, retired);
	if (t->j->chain && !((target ^ t->b->va) & ~0xfffULL)) {
		/* patch_chain rewrites the field while other harts may run
		 * this code: aligned, its store is atomic. */
		while ((e->len + 1) & 3)
			emit_nop(e);
		const size_t field = emit_jmp_rel32(e, 0);
		add_stub(t, (struct stub){.kind = STUB_CHAIN, .field = field, .target = target});
		return;
	}
	emit_mov_r64_imm(e, RAX, target);
	emit_mov_m_r64(e, H(pc), RAX);
	emit_indirect(t);
}

/* After a helper call: eax != 0 leaves the block (trap, or the op left). */
static void check_result(struct tctx *t, unsigned retired)
{
	emit_test_r32_r32(&t->e, RAX, RAX);
	const size_t field = emit_jcc_rel32(&t->e, CC_NE, 0);
	add_stub(t, (struct stub){.kind = STUB_RESULT, .field = field, .retired = retired});
}

static void fallback(struct tctx *t, const struct op *op, unsigned k)
{
	sync_for_call(t);
	store_context(t, false);
	call_exec(t, op);
	check_result(t, k);
	after_call(t);
}

static bool is_alu(unsigned id)
{
	switch (id) {
	case INSN_lui:
	case INSN_auipc:
	case INSN_addi:
	case INSN_xori:
	case INSN_ori:
	case INSN_andi:
	case INSN_slli:
	case INSN_srli:
	case INSN_srai:
	case INSN_slti:
	case INSN_sltiu:
	case INSN_add:
	case INSN_sub:
	case INSN_xor:
	case INSN_or:
	case INSN_and:
	case INSN_slt:
	case INSN_sltu:
	case INSN_sll:
	case INSN_srl:
	case INSN_sra:
	case INSN_addiw:
	case INSN_slliw:
	case INSN_srliw:
	case INSN_sraiw:
	case INSN_addw:
	case INSN_subw:
	case INSN_sllw:
	case INSN_srlw:
	case INSN_sraw:
	case INSN_mul:
	case INSN_mulw:
	case INSN_mulh:
	case INSN_mulhu:
		return true;
	default:
		return false;
	}
}

static bool is_store(unsigned id)
{
	return id == INSN_sb || id == INSN_sh || id == INSN_sw || id == INSN_sd;
}

/* rd == rs1: operate on rd where it is: its host register, or its memory
 * slot with one x86 read-modify-write (instead of load, operate, store). */
static bool emit_alu_in_place(struct tctx *t, const struct op *op)
{
	struct emitter *e = &t->e;
	const unsigned rd = op->rd;
	if (op->rs1 != rd || rd == 0)
		return false;
	const int32_t imm = op->imm;
	const int h = x_host(t, rd);
	enum x86_alu alu = ALU_ADD;
	enum x86_shift shift = SHIFT_SHL;
	enum { IMM, SHIFT, REG } form;
	switch (op->id) {
	case INSN_addi:
		if (!imm)
			return true;
		alu = ALU_ADD;
		form = IMM;
		break;
	case INSN_xori:
		alu = ALU_XOR;
		form = IMM;
		break;
	case INSN_ori:
		alu = ALU_OR;
		form = IMM;
		break;
	case INSN_andi:
		alu = ALU_AND;
		form = IMM;
		break;
	case INSN_slli:
		shift = SHIFT_SHL;
		form = SHIFT;
		break;
	case INSN_srli:
		shift = SHIFT_SHR;
		form = SHIFT;
		break;
	case INSN_srai:
		shift = SHIFT_SAR;
		form = SHIFT;
		break;
	case INSN_add:
		alu = ALU_ADD;
		form = REG;
		break;
	case INSN_sub:
		alu = ALU_SUB;
		form = REG;
		break;
	case INSN_xor:
		alu = ALU_XOR;
		form = REG;
		break;
	case INSN_or:
		alu = ALU_OR;
		form = REG;
		break;
	case INSN_and:
		alu = ALU_AND;
		form = REG;
		break;
	default:
		return false;
	}
	switch (form) {
	case IMM:
		if (h >= 0)
			emit_alu_r64_imm(e, alu, h, imm);
		else
			emit_alu_m64_imm(e, alu, XREG(rd), imm);
		break;
	case SHIFT:
		if (h >= 0)
			emit_shift_r64_imm(e, shift, h, (uint8_t)imm);
		else
			emit_shift_m64_imm(e, shift, XREG(rd), (uint8_t)imm);
		break;
	case REG:
		if (h >= 0) {
			alu_x(t, alu, true, h, op->rs2);
		} else {
			load_x(t, RAX, op->rs2);
			emit_alu_m64_r64(e, alu, XREG(rd), RAX);
		}
		break;
	}
	if (h >= 0)
		wrote_x(t, rd);
	return true;
}

/* Register-immediate and register-register ALU ops. */
static bool emit_alu(struct tctx *t, const struct op *op)
{
	struct emitter *e = &t->e;
	const unsigned rd = op->rd, rs1 = op->rs1, rs2 = op->rs2;
	const int32_t imm = op->imm;
	if (!is_alu(op->id))
		return false;
	if (rd == XREG_SINK)
		return true; /* no side effects: a hint or nop */
	if (emit_alu_in_place(t, op))
		return true;
	/* Compute straight into rd's host register, unless rd is also rs2
	 * (read after the first write) or the op's result comes from rax/rdx
	 * (setcc into al, the widening multiplies). */
	const bool reads_rs2 = insn_table[op->id].format == FMT_R;
	int d = RAX;
	if ((t->cached & xbit(rd)) && !(reads_rs2 && rs2 == rd) && op->id != INSN_mulh &&
	    op->id != INSN_mulhu && op->id != INSN_slt && op->id != INSN_sltu &&
	    op->id != INSN_slti && op->id != INSN_sltiu)
		d = t->host[rd];
	switch (op->id) {
	case INSN_lui:
		set_x_imm(t, rd, imm);
		return true;
	case INSN_auipc:
		emit_mov_r64_imm(e, d, op_va(t, op) + (uint64_t)(int64_t)imm);
		break;
	case INSN_addi:
		if (rs1 == 0) {
			set_x_imm(t, rd, imm);
			return true;
		}
		load_x(t, d, rs1);
		if (imm)
			emit_alu_r64_imm(e, ALU_ADD, d, imm);
		break;
	case INSN_xori:
		load_x(t, d, rs1);
		emit_alu_r64_imm(e, ALU_XOR, d, imm);
		break;
	case INSN_ori:
		load_x(t, d, rs1);
		emit_alu_r64_imm(e, ALU_OR, d, imm);
		break;
	case INSN_andi:
		load_x(t, d, rs1);
		emit_alu_r64_imm(e, ALU_AND, d, imm);
		break;
	case INSN_slli:
		load_x(t, d, rs1);
		emit_shift_r64_imm(e, SHIFT_SHL, d, (uint8_t)imm);
		break;
	case INSN_srli:
		load_x(t, d, rs1);
		emit_shift_r64_imm(e, SHIFT_SHR, d, (uint8_t)imm);
		break;
	case INSN_srai:
		load_x(t, d, rs1);
		emit_shift_r64_imm(e, SHIFT_SAR, d, (uint8_t)imm);
		break;
	case INSN_slti:
	case INSN_sltiu:
		load_x(t, RCX, rs1);
		emit_alu_r32_r32(e, ALU_XOR, RAX, RAX);
		emit_alu_r64_imm(e, ALU_CMP, RCX, imm);
		emit_setcc_r8(e, op->id == INSN_slti ? CC_L : CC_B, RAX);
		break;
	case INSN_add:
		load_x(t, d, rs1);
		alu_x(t, ALU_ADD, true, d, rs2);
		break;
	case INSN_sub:
		load_x(t, d, rs1);
		alu_x(t, ALU_SUB, true, d, rs2);
		break;
	case INSN_xor:
		load_x(t, d, rs1);
		alu_x(t, ALU_XOR, true, d, rs2);
		break;
	case INSN_or:
		load_x(t, d, rs1);
		alu_x(t, ALU_OR, true, d, rs2);
		break;
	case INSN_and:
		load_x(t, d, rs1);
		alu_x(t, ALU_AND, true, d, rs2);
		break;
	case INSN_slt:
	case INSN_sltu:
		load_x(t, RCX, rs1);
		emit_alu_r32_r32(e, ALU_XOR, RAX, RAX);
		alu_x(t, ALU_CMP, true, RCX, rs2);
		emit_setcc_r8(e, op->id == INSN_slt ? CC_L : CC_B, RAX);
		break;
	case INSN_sll:
	case INSN_srl:
	case INSN_sra:
		/* x86 masks 64-bit shift counts to 6 bits, as RV64 does. */
		load_x(t, RCX, rs2);
		load_x(t, d, rs1);
		emit_shift_r64_cl(e,
				  op->id == INSN_sll   ? SHIFT_SHL
				  : op->id == INSN_srl ? SHIFT_SHR
						       : SHIFT_SAR,
				  d);
		break;
	case INSN_addiw:
		if (imm == 0 && x_host(t, rs1) >= 0) { /* sext.w */
			emit_movsxd_r64_r32(e, d, x_host(t, rs1));
			break;
		}
		load_x(t, d, rs1);
		emit_alu_r32_imm(e, ALU_ADD, d, imm);
		emit_movsxd_r64_r32(e, d, d);
		break;
	case INSN_slliw:
	case INSN_srliw:
	case INSN_sraiw:
		load_x(t, d, rs1);
		emit_shift_r32_imm(e,
				   op->id == INSN_slliw	  ? SHIFT_SHL
				   : op->id == INSN_srliw ? SHIFT_SHR
							  : SHIFT_SAR,
				   d, (uint8_t)imm);
		emit_movsxd_r64_r32(e, d, d);
		break;
	case INSN_addw:
	case INSN_subw:
		load_x(t, d, rs1);
		alu_x(t, op->id == INSN_addw ? ALU_ADD : ALU_SUB, false, d, rs2);
		emit_movsxd_r64_r32(e, d, d);
		break;
	case INSN_sllw:
	case INSN_srlw:
	case INSN_sraw:
		/* 32-bit x86 shifts mask the count to 5 bits, as the *w ops do. */
		load_x(t, RCX, rs2);
		load_x(t, d, rs1);
		emit_shift_r32_cl(e,
				  op->id == INSN_sllw	? SHIFT_SHL
				  : op->id == INSN_srlw ? SHIFT_SHR
							: SHIFT_SAR,
				  d);
		emit_movsxd_r64_r32(e, d, d);
		break;
	case INSN_mul:
		load_x(t, d, rs1);
		load_x(t, RCX, rs2);
		emit_imul_r64_r64(e, d, RCX);
		break;
	case INSN_mulw:
		load_x(t, d, rs1);
		load_x(t, RCX, rs2);
		emit_imul_r32_r32(e, d, RCX);
		emit_movsxd_r64_r32(e, d, d);
		break;
	case INSN_mulh:
	case INSN_mulhu:
		load_x(t, RAX, rs1);
		load_x(t, RCX, rs2);
		if (op->id == INSN_mulh)
			emit_imul1_r64(e, RCX);
		else
			emit_mul_r64(e, RCX);
		set_x(t, rd, RDX);
		return true;
	default:
		return false;
	}
	if (d == RAX)
		set_x(t, rd, RAX);
	else
		wrote_x(t, rd);
	return true;
}

/* The lookup takes the index from the low 32 bits of va, and the mask is
 * an imm32. */
_Static_assert(TLB_ENTRIES <= (1u << 20), "TLB index bits must lie within va bits 12..31");

/*
 * Inline soft-TLB lookup (core/mem.h, the same compare): leaves the host
 * address's base (entry addend) in rax and the guest address in rsi, or
 * jumps to a slow-path stub that runs the whole instruction in C.
 */
static void emit_tlb_lookup(struct tctx *t, const struct op *op, unsigned size, bool store,
			    unsigned k)
{
	struct emitter *e = &t->e;
	const bool joined = t->nstubs && t->stubs[t->nstubs - 1].kind == STUB_SLOW &&
			    t->stubs[t->nstubs - 1].op == op;
	if (op->imm && x_host(t, op->rs1) >= 0) {
		emit_lea(e, RSI, mem(x_host(t, op->rs1), op->imm));
	} else {
		load_x(t, RSI, op->rs1);
		if (op->imm)
			emit_alu_r64_imm(e, ALU_ADD, RSI, op->imm);
	}
	emit_mov_r64_m(e, RAX, H(tlb_data));
	/* ((va >> 12) % TLB_ENTRIES) * sizeof(struct tlb_entry) */
	emit_mov_r32_r32(e, RCX, RSI);
	emit_shift_r32_imm(e, SHIFT_SHR, RCX, 12 - 5);
	emit_alu_r32_imm(e, ALU_AND, RCX, (TLB_ENTRIES - 1) << 5);
	emit_alu_r64_r64(e, ALU_ADD, RAX, RCX);
	emit_mov_r64_r64(e, RCX, RSI);
	emit_alu_r64_imm(e, ALU_AND, RCX, (int32_t) ~(TLB_PAGE_MASK & ~(uint64_t)(size - 1)));
	emit_alu_r64_m(e, ALU_CMP, RCX,
		       mem(RAX, store ? (int32_t)offsetof(struct tlb_entry, tag_w)
				      : (int32_t)offsetof(struct tlb_entry, tag_r)));
	const size_t field = emit_jcc_rel32(e, CC_NE, 0);
	if (joined)
		slow_join(t, field);
	else
		add_stub(t,
			 (struct stub){.kind = STUB_SLOW, .field = field, .op = op, .retired = k});
	emit_mov_r64_m(e, RAX, mem(RAX, (int32_t)offsetof(struct tlb_entry, addend)));
}

static bool emit_mem(struct tctx *t, const struct op *op, unsigned k)
{
	struct emitter *e = &t->e;
	const struct x86_mem host = mem_index(RAX, RSI, 0);
	switch (op->id) {
	case INSN_lb:
		emit_tlb_lookup(t, op, 1, false, k);
		emit_movsx_r64_m8(e, RCX, host);
		break;
	case INSN_lh:
		emit_tlb_lookup(t, op, 2, false, k);
		emit_movsx_r64_m16(e, RCX, host);
		break;
	case INSN_lw:
		emit_tlb_lookup(t, op, 4, false, k);
		emit_movsxd_r64_m32(e, RCX, host);
		break;
	case INSN_ld:
		emit_tlb_lookup(t, op, 8, false, k);
		emit_mov_r64_m(e, RCX, host);
		break;
	case INSN_lbu:
		emit_tlb_lookup(t, op, 1, false, k);
		emit_movzx_r32_m8(e, RCX, host);
		break;
	case INSN_lhu:
		emit_tlb_lookup(t, op, 2, false, k);
		emit_movzx_r32_m16(e, RCX, host);
		break;
	case INSN_lwu:
		emit_tlb_lookup(t, op, 4, false, k);
		emit_mov_r32_m(e, RCX, host);
		break;
	case INSN_sb:
		emit_tlb_lookup(t, op, 1, true, k);
		load_x(t, RCX, op->rs2);
		emit_mov_m_r8(e, host, RCX);
		break;
	case INSN_sh:
		emit_tlb_lookup(t, op, 2, true, k);
		load_x(t, RCX, op->rs2);
		emit_mov_m_r16(e, host, RCX);
		break;
	case INSN_sw:
		emit_tlb_lookup(t, op, 4, true, k);
		load_x(t, RCX, op->rs2);
		emit_mov_m_r32(e, host, RCX);
		break;
	case INSN_sd:
		emit_tlb_lookup(t, op, 8, true, k);
		load_x(t, RCX, op->rs2);
		emit_mov_m_r64(e, host, RCX);
		break;
	default:
		return false;
	}
	if (!is_store(op->id))
		set_x(t, op->rd, RCX); /* a load: rd may be the sink */
	/* The slow path resumes here. */
	mark_resume(t);
	return true;
}

/*
 * Floating point on the host's SSE unit. Only the cases where SSE computes
 * exactly what RISC-V specifies are emitted; everything else goes to the
 * exec function (exact soft-float) through the op's slow stub:
 *   - mstatus.FS Off (the exec function raises illegal-instruction);
 *   - a rounding mode other than RNE (static, or dynamic with frm != RNE;
 *     MXCSR always rounds to nearest-even while translated code runs);
 *   - a single-precision operand that is not properly NaN-boxed.
 * SSE detects tininess after rounding and raises underflow only when the
 * result is also inexact, as RISC-V does. Exception flags accumulate in
 * MXCSR and are moved into fflags when software can see them (jit.c,
 * jit_sync_fflags). NaN results are replaced by the canonical NaN.
 */
static bool is_fp_native(unsigned id)
{
	switch (id) {
	case INSN_fld:
	case INSN_fsd:
	case INSN_flw:
	case INSN_fsw:
	case INSN_fadd_d:
	case INSN_fsub_d:
	case INSN_fmul_d:
	case INSN_fdiv_d:
	case INSN_fsqrt_d:
	case INSN_fadd_s:
	case INSN_fsub_s:
	case INSN_fmul_s:
	case INSN_fdiv_s:
	case INSN_fsqrt_s:
	case INSN_fmv_x_d:
	case INSN_fmv_d_x:
	case INSN_fmv_x_w:
	case INSN_fmv_w_x:
	case INSN_fsgnj_d:
	case INSN_fsgnjn_d:
	case INSN_fsgnjx_d:
	case INSN_feq_d:
	case INSN_flt_d:
	case INSN_fle_d:
	case INSN_feq_s:
	case INSN_flt_s:
	case INSN_fle_s:
	case INSN_fcvt_d_s:
	case INSN_fcvt_s_d:
	case INSN_fcvt_d_w:
	case INSN_fcvt_d_l:
		return true;
	case INSN_fmadd_d:
	case INSN_fmsub_d:
	case INSN_fnmsub_d:
	case INSN_fnmadd_d:
	case INSN_fmadd_s:
	case INSN_fmsub_s:
	case INSN_fnmsub_s:
	case INSN_fnmadd_s:
		return host_has_fma();
	default:
		return false;
	}
}

static bool fp_writes_freg(unsigned id)
{
	switch (id) {
	case INSN_fsd:
	case INSN_fsw:
	case INSN_fmv_x_d:
	case INSN_fmv_x_w:
	case INSN_feq_d:
	case INSN_flt_d:
	case INSN_fle_d:
	case INSN_feq_s:
	case INSN_flt_s:
	case INSN_fle_s:
		return false;
	default:
		return true;
	}
}

static bool fp_has_rm_field(unsigned id)
{
	const enum insn_format f = insn_table[id].format;
	return f == FMT_F2 || f == FMT_F3 || f == FMT_F4 || f == FMT_FX || f == FMT_XF;
}

/* Does the result depend on the rounding mode? */
static bool fp_rounds(unsigned id)
{
	switch (id) {
	case INSN_fadd_d:
	case INSN_fsub_d:
	case INSN_fmul_d:
	case INSN_fdiv_d:
	case INSN_fsqrt_d:
	case INSN_fadd_s:
	case INSN_fsub_s:
	case INSN_fmul_s:
	case INSN_fdiv_s:
	case INSN_fsqrt_s:
	case INSN_fcvt_s_d:
	case INSN_fcvt_d_l:
	case INSN_fmadd_d:
	case INSN_fmsub_d:
	case INSN_fnmsub_d:
	case INSN_fnmadd_d:
	case INSN_fmadd_s:
	case INSN_fmsub_s:
	case INSN_fnmsub_s:
	case INSN_fnmadd_s:
		return true;
	default:
		return false;
	}
}

static bool fp_single_inputs(unsigned id, unsigned *n)
{
	switch (id) {
	case INSN_fmadd_s:
	case INSN_fmsub_s:
	case INSN_fnmsub_s:
	case INSN_fnmadd_s:
		*n = 3;
		return true;
	case INSN_fadd_s:
	case INSN_fsub_s:
	case INSN_fmul_s:
	case INSN_fdiv_s:
	case INSN_feq_s:
	case INSN_flt_s:
	case INSN_fle_s:
		*n = 2;
		return true;
	case INSN_fsqrt_s:
	case INSN_fcvt_d_s:
		*n = 1;
		return true;
	default:
		*n = 0;
		return false;
	}
}

/* xmm0 holds a result: replace a NaN by the canonical one. */
static void canonicalize_nan(struct emitter *e, bool single)
{
	if (single)
		emit_ucomiss_x_x(e, 0, 0);
	else
		emit_ucomisd_x_x(e, 0, 0);
	const size_t ordered = emit_jcc_rel32(e, CC_NP, 0);
	emit_mov_r64_imm(e, RAX, single ? 0x7fc00000ULL : 0x7ff8000000000000ULL);
	emit_movq_x_r64(e, 0, RAX);
	emit_patch_rel32(e->buf, ordered, e->len);
}

/* Store xmm0 as a double, or as a NaN-boxed single. */
static void store_fresult(struct emitter *e, unsigned rd, bool single)
{
	if (single) {
		emit_movss_m_x(e, FREG(rd), 0);
		emit_mov_m32_imm32(e, FREG_HI(rd), -1); /* NaN-boxing */
	} else {
		emit_movsd_m_x(e, FREG(rd), 0);
	}
}

/* The F/D operations that are one SSE instruction. */
struct fp_arith {
	enum sse_op op;
	bool binary;
	bool src_single, dst_single;
};

static bool fp_arith(unsigned id, struct fp_arith *a)
{
	static const struct {
		uint8_t id;
		struct fp_arith a;
	} table[] = {
	    {INSN_fadd_d, {SSE_ADD, true, false, false}},
	    {INSN_fsub_d, {SSE_SUB, true, false, false}},
	    {INSN_fmul_d, {SSE_MUL, true, false, false}},
	    {INSN_fdiv_d, {SSE_DIV, true, false, false}},
	    {INSN_fsqrt_d, {SSE_SQRT, false, false, false}},
	    {INSN_fadd_s, {SSE_ADD, true, true, true}},
	    {INSN_fsub_s, {SSE_SUB, true, true, true}},
	    {INSN_fmul_s, {SSE_MUL, true, true, true}},
	    {INSN_fdiv_s, {SSE_DIV, true, true, true}},
	    {INSN_fsqrt_s, {SSE_SQRT, false, true, true}},
	    {INSN_fcvt_d_s, {SSE_CVT, false, true, false}},
	    {INSN_fcvt_s_d, {SSE_CVT, false, false, true}},
	};
	for (unsigned i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
		if (table[i].id == id) {
			*a = table[i].a;
			return true;
		}
	}
	return false;
}

/* mstatus.FS = Dirty and SD, as hart_fs_dirty(), once per path. Emitted
 * only where the instruction can no longer trap: a trapping instruction
 * leaves mstatus as it was (the interpreter's rule). */
static void emit_fs_dirty(struct tctx *t)
{
	struct emitter *e = &t->e;
	if (t->fs_dirty_set)
		return;
	emit_alu_m32_imm(e, ALU_OR, H(mstatus), (int32_t)MSTATUS_FS_DIRTY);
	/* SD (bit 63) summarises FS == Dirty. */
	emit_alu_m32_imm(e, ALU_OR, mem(RBX, (int32_t)(offsetof(struct hart, mstatus) + 4)),
			 (int32_t)(uint32_t)(MSTATUS_SD >> 32));
	t->fs_dirty_set = true;
}

/*
 * Fused multiply-add with the host's FMA3 (one rounding, as RISC-V). x86
 * differs only where the result is a NaN: it passes an input NaN through
 * instead of the canonical one, and 0 * inf + qNaN does not raise invalid,
 * which RISC-V requires. So a NaN result takes the exact path, which
 * computes it again from the unchanged operands.
 */
static bool emit_fma(struct tctx *t, const struct op *op, unsigned k)
{
	struct emitter *e = &t->e;
	enum fma_op f;
	bool single;
	switch (op->id) {
	/* RISC-V's fnmsub is -(a*b) + c, x86's vfnmadd; fnmadd is -(a*b) - c. */
	case INSN_fmadd_d:
		f = FMA_MADD;
		single = false;
		break;
	case INSN_fmsub_d:
		f = FMA_MSUB;
		single = false;
		break;
	case INSN_fnmsub_d:
		f = FMA_NMADD;
		single = false;
		break;
	case INSN_fnmadd_d:
		f = FMA_NMSUB;
		single = false;
		break;
	case INSN_fmadd_s:
		f = FMA_MADD;
		single = true;
		break;
	case INSN_fmsub_s:
		f = FMA_MSUB;
		single = true;
		break;
	case INSN_fnmsub_s:
		f = FMA_NMADD;
		single = true;
		break;
	case INSN_fnmadd_s:
		f = FMA_NMSUB;
		single = true;
		break;
	default:
		return false;
	}
	if (single) {
		emit_movss_x_m(e, 0, FREG(op->rs3));
		emit_movss_x_m(e, 1, FREG(op->rs1));
		emit_fma231_ss_m(e, f, 0, 1, FREG(op->rs2));
		emit_ucomiss_x_x(e, 0, 0);
	} else {
		emit_movsd_x_m(e, 0, FREG(op->rs3));
		emit_movsd_x_m(e, 1, FREG(op->rs1));
		emit_fma231_sd_m(e, f, 0, 1, FREG(op->rs2));
		emit_ucomisd_x_x(e, 0, 0);
	}
	slow_if(t, op, k, CC_P);
	store_fresult(e, op->rd, single);
	return true;
}

static bool emit_fp(struct tctx *t, const struct op *op, unsigned k)
{
	struct emitter *e = &t->e;
	const unsigned id = op->id;
	if (!is_fp_native(id))
		return false;
	/* Preconditions, each sending the op to its slow stub. */
	emit_cmp_m8_imm(e, H(fs_off), 0);
	slow_if(t, op, k, CC_NE);
	if (fp_has_rm_field(id)) {
		const int rm = op->imm;
		if (rm == 7) {
			emit_cmp_m8_imm(e, H(frm), 0);
			slow_if(t, op, k, CC_NE);
		} else if (rm >= 5 || (rm != 0 && fp_rounds(id))) {
			/* Reserved, or a mode SSE is not set to: always in C. */
			const size_t f = emit_jmp_rel32(e, 0);
			slow_join(t, f);
			return true;
		}
	}
	unsigned nsingle;
	if (fp_single_inputs(id, &nsingle)) {
		emit_alu_m32_imm(e, ALU_CMP, FREG_HI(op->rs1), -1);
		slow_if(t, op, k, CC_NE);
		if (nsingle >= 2) {
			emit_alu_m32_imm(e, ALU_CMP, FREG_HI(op->rs2), -1);
			slow_if(t, op, k, CC_NE);
		}
		if (nsingle == 3) {
			emit_alu_m32_imm(e, ALU_CMP, FREG_HI(op->rs3), -1);
			slow_if(t, op, k, CC_NE);
		}
	}
	/* Loads can still fault: they mark FS dirty after the load. */
	if (fp_writes_freg(id) && id != INSN_fld && id != INSN_flw)
		emit_fs_dirty(t);
	const struct x86_mem host = mem_index(RAX, RSI, 0);
	switch (id) {
	case INSN_fld:
		emit_tlb_lookup(t, op, 8, false, k);
		emit_mov_r64_m(e, RCX, host);
		emit_mov_m_r64(e, FREG(op->rd), RCX);
		emit_fs_dirty(t);
		mark_resume(t);
		return true;
	case INSN_flw:
		emit_tlb_lookup(t, op, 4, false, k);
		emit_mov_r32_m(e, RCX, host);
		emit_mov_m_r32(e, FREG(op->rd), RCX);
		emit_alu_r32_r32(e, ALU_XOR, RCX, RCX);
		emit_alu_r32_imm(e, ALU_SUB, RCX, 1);
		emit_mov_m_r32(e, FREG_HI(op->rd), RCX);
		emit_fs_dirty(t);
		mark_resume(t);
		return true;
	case INSN_fsd:
		emit_tlb_lookup(t, op, 8, true, k);
		emit_mov_r64_m(e, RCX, FREG(op->rs2));
		emit_mov_m_r64(e, host, RCX);
		mark_resume(t);
		return true;
	case INSN_fsw:
		emit_tlb_lookup(t, op, 4, true, k);
		emit_mov_r32_m(e, RCX, FREG(op->rs2));
		emit_mov_m_r32(e, host, RCX);
		mark_resume(t);
		return true;
	default:
		break;
	}
	if (emit_fma(t, op, k))
		return true;
	struct fp_arith a;
	if (fp_arith(id, &a)) {
		/* SSE computes in the source width (ss/sd): binary ops take
		 * rs1 in xmm0 and rs2 from memory, unary ones rs1 from memory. */
		void (*sse)(struct emitter *, enum sse_op, int, struct x86_mem) =
		    a.src_single ? emit_sse_ss_m : emit_sse_sd_m;
		if (a.binary) {
			if (a.src_single)
				emit_movss_x_m(e, 0, FREG(op->rs1));
			else
				emit_movsd_x_m(e, 0, FREG(op->rs1));
			sse(e, a.op, 0, FREG(op->rs2));
		} else {
			sse(e, a.op, 0, FREG(op->rs1));
		}
		canonicalize_nan(e, a.dst_single);
		store_fresult(e, op->rd, a.dst_single);
		return true;
	}
	switch (id) {
	case INSN_fcvt_d_w:
		emit_cvtsi2sd_x_m32(e, 0, x_mem(t, op->rs1));
		store_fresult(e, op->rd, false);
		break;
	case INSN_fcvt_d_l:
		emit_cvtsi2sd_x_m64(e, 0, x_mem(t, op->rs1));
		store_fresult(e, op->rd, false);
		break;
	case INSN_fmv_x_d:
		if (op->rd != XREG_SINK) {
			emit_mov_r64_m(e, RAX, FREG(op->rs1));
			set_x(t, op->rd, RAX);
		}
		break;
	case INSN_fmv_x_w:
		if (op->rd != XREG_SINK) {
			emit_movsxd_r64_m32(e, RAX, FREG(op->rs1));
			set_x(t, op->rd, RAX);
		}
		break;
	case INSN_fmv_d_x:
		load_x(t, RAX, op->rs1);
		emit_mov_m_r64(e, FREG(op->rd), RAX);
		break;
	case INSN_fmv_w_x:
		load_x(t, RAX, op->rs1);
		emit_mov_m_r32(e, FREG(op->rd), RAX);
		emit_alu_r32_r32(e, ALU_XOR, RAX, RAX);
		emit_alu_r32_imm(e, ALU_SUB, RAX, 1);
		emit_mov_m_r32(e, FREG_HI(op->rd), RAX);
		break;
	case INSN_fsgnj_d:
	case INSN_fsgnjn_d:
	case INSN_fsgnjx_d:
		/* Sign injection is bit manipulation: no flags, no NaN rules. */
		emit_mov_r64_m(e, RAX, FREG(op->rs1));
		emit_mov_r64_m(e, RCX, FREG(op->rs2));
		emit_mov_r64_imm(e, RDX, 0x8000000000000000ULL);
		if (id == INSN_fsgnjx_d) {
			emit_alu_r64_r64(e, ALU_AND, RCX, RDX);
			emit_alu_r64_r64(e, ALU_XOR, RAX, RCX);
		} else {
			if (id == INSN_fsgnjn_d)
				emit_alu_r64_r64(e, ALU_XOR, RCX, RDX);
			emit_alu_r64_r64(e, ALU_AND, RCX, RDX);
			emit_shift_r64_imm(e, SHIFT_SHL, RAX, 1);
			emit_shift_r64_imm(e, SHIFT_SHR, RAX, 1);
			emit_alu_r64_r64(e, ALU_OR, RAX, RCX);
		}
		emit_mov_m_r64(e, FREG(op->rd), RAX);
		break;
	case INSN_feq_d:
	case INSN_flt_d:
	case INSN_fle_d:
	case INSN_feq_s:
	case INSN_flt_s:
	case INSN_fle_s: {
		const bool single = id == INSN_feq_s || id == INSN_flt_s || id == INSN_fle_s;
		const bool eq = id == INSN_feq_d || id == INSN_feq_s;
		/* feq is quiet (invalid only for signalling NaNs: ucomis*); flt
		 * and fle signal on any NaN (comis*). Unordered sets ZF, PF and
		 * CF, which every condition below reads as false. */
		/* Zero the result registers first: xor clobbers the flags. */
		emit_alu_r32_r32(e, ALU_XOR, RAX, RAX);
		emit_alu_r32_r32(e, ALU_XOR, RCX, RCX);
		/* feq compares (a, b); flt/fle compare (b, a): a < b <=> b above
		 * a, a <= b <=> b above-or-equal a. */
		const unsigned first = eq ? op->rs1 : op->rs2, second = eq ? op->rs2 : op->rs1;
		if (single) {
			emit_movss_x_m(e, 0, FREG(first));
			emit_movss_x_m(e, 1, FREG(second));
			(eq ? emit_ucomiss_x_x : emit_comiss_x_x)(e, 0, 1);
		} else {
			emit_movsd_x_m(e, 0, FREG(first));
			emit_movsd_x_m(e, 1, FREG(second));
			(eq ? emit_ucomisd_x_x : emit_comisd_x_x)(e, 0, 1);
		}
		/* Unordered: the exact path sets the result, NV and FS. */
		slow_if(t, op, k, CC_P);
		if (eq) {
			emit_setcc_r8(e, CC_E, RAX);
			emit_setcc_r8(e, CC_NP, RCX);
			emit_alu_r32_r32(e, ALU_AND, RAX, RCX);
		} else {
			emit_setcc_r8(e, (id == INSN_flt_d || id == INSN_flt_s) ? CC_A : CC_AE,
				      RAX);
		}
		set_x(t, op->rd, RAX);
		break;
	}
	default:
		return false;
	}
	return true;
}

/*
 * Division (M extension, unprivileged spec table 7.1): x86 traps on a zero
 * divisor and on INT_MIN / -1, RISC-V defines both results, so those two
 * cases are handled before idiv/div: x / 0 = all ones, x % 0 = x;
 * INT_MIN / -1 = INT_MIN (= -x, wrapping), INT_MIN % -1 = 0.
 */
static bool emit_div(struct tctx *t, const struct op *op)
{
	struct emitter *e = &t->e;
	bool is_signed, is_rem, wide;
	switch (op->id) {
	case INSN_div:
		is_signed = true;
		is_rem = false;
		wide = true;
		break;
	case INSN_divu:
		is_signed = false;
		is_rem = false;
		wide = true;
		break;
	case INSN_rem:
		is_signed = true;
		is_rem = true;
		wide = true;
		break;
	case INSN_remu:
		is_signed = false;
		is_rem = true;
		wide = true;
		break;
	case INSN_divw:
		is_signed = true;
		is_rem = false;
		wide = false;
		break;
	case INSN_divuw:
		is_signed = false;
		is_rem = false;
		wide = false;
		break;
	case INSN_remw:
		is_signed = true;
		is_rem = true;
		wide = false;
		break;
	case INSN_remuw:
		is_signed = false;
		is_rem = true;
		wide = false;
		break;
	default:
		return false;
	}
	if (op->rd == XREG_SINK)
		return true;
	load_x(t, RAX, op->rs1);
	load_x(t, RCX, op->rs2);
	if (wide)
		emit_test_r64_r64(e, RCX, RCX);
	else
		emit_test_r32_r32(e, RCX, RCX);
	const size_t by_zero = emit_jcc_rel32(e, CC_E, 0);
	size_t by_minus_one = 0;
	if (is_signed) {
		if (wide)
			emit_alu_r64_imm(e, ALU_CMP, RCX, -1);
		else
			emit_alu_r32_imm(e, ALU_CMP, RCX, -1);
		by_minus_one = emit_jcc_rel32(e, CC_E, 0);
		if (wide) {
			emit_cqo(e);
			emit_idiv_r64(e, RCX);
		} else {
			emit_cdq(e);
			emit_idiv_r32(e, RCX);
		}
	} else {
		emit_alu_r32_r32(e, ALU_XOR, RDX, RDX);
		if (wide)
			emit_div_r64(e, RCX);
		else
			emit_div_r32(e, RCX);
	}
	if (is_rem)
		emit_mov_r64_r64(e, RAX, RDX);
	const size_t done1 = emit_jmp_rel32(e, 0);
	size_t done2 = 0;
	if (is_signed) {
		emit_patch_rel32(e->buf, by_minus_one, e->len);
		if (is_rem)
			emit_alu_r32_r32(e, ALU_XOR, RAX, RAX);
		else if (wide)
			emit_neg_r64(e, RAX);
		else
			emit_neg_r32(e, RAX);
		done2 = emit_jmp_rel32(e, 0);
	}
	emit_patch_rel32(e->buf, by_zero, e->len);
	if (!is_rem)
		emit_mov_r64_imm(e, RAX, UINT64_MAX); /* the dividend stays in rax for rem */
	emit_patch_rel32(e->buf, done1, e->len);
	if (is_signed)
		emit_patch_rel32(e->buf, done2, e->len);
	if (!wide)
		emit_movsxd_r64_r32(e, RAX, RAX);
	set_x(t, op->rd, RAX);
	return true;
}

/* mulhsu: the unsigned high product, minus b when a is negative. */
static bool emit_mulhsu(struct tctx *t, const struct op *op)
{
	struct emitter *e = &t->e;
	if (op->id != INSN_mulhsu)
		return false;
	if (op->rd == XREG_SINK)
		return true;
	load_x(t, RAX, op->rs1);
	load_x(t, RCX, op->rs2);
	emit_mul_r64(e, RCX);
	load_x(t, RAX, op->rs1);
	emit_shift_r64_imm(e, SHIFT_SAR, RAX, 63);
	emit_alu_r64_r64(e, ALU_AND, RAX, RCX);
	emit_alu_r64_r64(e, ALU_SUB, RDX, RAX);
	set_x(t, op->rd, RDX);
	return true;
}

/*
 * AMOs as x86 locked read-modify-writes on the host address, after the
 * write-permission TLB lookup (which also rejects misaligned addresses:
 * those, and every other corner, take the op's slow path, which raises the
 * exception the spec asks for). x86 locked operations are sequentially
 * consistent, which satisfies any aq/rl combination.
 */
static bool emit_amo(struct tctx *t, const struct op *op, unsigned k)
{
	struct emitter *e = &t->e;
	enum { A_ADD, A_SWAP, A_AND, A_OR, A_XOR, A_MIN, A_MAX, A_MINU, A_MAXU } kind;
	bool wide;
	switch (op->id) {
	case INSN_amoadd_w:
		kind = A_ADD;
		wide = false;
		break;
	case INSN_amoswap_w:
		kind = A_SWAP;
		wide = false;
		break;
	case INSN_amoand_w:
		kind = A_AND;
		wide = false;
		break;
	case INSN_amoor_w:
		kind = A_OR;
		wide = false;
		break;
	case INSN_amoxor_w:
		kind = A_XOR;
		wide = false;
		break;
	case INSN_amomin_w:
		kind = A_MIN;
		wide = false;
		break;
	case INSN_amomax_w:
		kind = A_MAX;
		wide = false;
		break;
	case INSN_amominu_w:
		kind = A_MINU;
		wide = false;
		break;
	case INSN_amomaxu_w:
		kind = A_MAXU;
		wide = false;
		break;
	case INSN_amoadd_d:
		kind = A_ADD;
		wide = true;
		break;
	case INSN_amoswap_d:
		kind = A_SWAP;
		wide = true;
		break;
	case INSN_amoand_d:
		kind = A_AND;
		wide = true;
		break;
	case INSN_amoor_d:
		kind = A_OR;
		wide = true;
		break;
	case INSN_amoxor_d:
		kind = A_XOR;
		wide = true;
		break;
	case INSN_amomin_d:
		kind = A_MIN;
		wide = true;
		break;
	case INSN_amomax_d:
		kind = A_MAX;
		wide = true;
		break;
	case INSN_amominu_d:
		kind = A_MINU;
		wide = true;
		break;
	case INSN_amomaxu_d:
		kind = A_MAXU;
		wide = true;
		break;
	default:
		return false;
	}
	/* The TLB lookup adds op->imm, which is 0 for AMOs. */
	emit_tlb_lookup(t, op, wide ? 8 : 4, true, k);
	emit_lea(e, RDI, mem_index(RAX, RSI, 0)); /* host address */
	const struct x86_mem target = mem(RDI, 0);
	load_x(t, RCX, op->rs2);
	switch (kind) {
	case A_ADD:
		emit_lock_xadd_m_r(e, wide, target, RCX);
		emit_mov_r64_r64(e, RAX, RCX);
		break;
	case A_SWAP:
		emit_xchg_m_r(e, wide, target, RCX);
		emit_mov_r64_r64(e, RAX, RCX);
		break;
	default: {
		/* Compare-exchange loop: rax = old, rdx = new. */
		if (wide)
			emit_mov_r64_m(e, RAX, target);
		else
			emit_mov_r32_m(e, RAX, target);
		const size_t loop = e->len;
		emit_mov_r64_r64(e, RDX, RAX);
		switch (kind) {
		case A_AND:
			emit_alu_r64_r64(e, ALU_AND, RDX, RCX);
			break;
		case A_OR:
			emit_alu_r64_r64(e, ALU_OR, RDX, RCX);
			break;
		case A_XOR:
			emit_alu_r64_r64(e, ALU_XOR, RDX, RCX);
			break;
		default: {
			/* new = (old OP src) ? old : src, compared at the width. */
			const enum x86_cond keep_old = kind == A_MIN	? CC_L
						       : kind == A_MAX	? CC_G
						       : kind == A_MINU ? CC_B
									: CC_A;
			emit_mov_r64_r64(e, RDX, RCX);
			if (wide) {
				emit_alu_r64_r64(e, ALU_CMP, RAX, RCX);
				emit_cmov_r64_r64(e, keep_old, RDX, RAX);
			} else {
				emit_alu_r32_r32(e, ALU_CMP, RAX, RCX);
				emit_cmov_r32_r32(e, keep_old, RDX, RAX);
			}
			break;
		}
		}
		emit_lock_cmpxchg_m_r(e, wide, target, RDX);
		emit_jcc_rel32(e, CC_NE, loop);
		break;
	}
	}
	if (op->rd != XREG_SINK) {
		if (!wide)
			emit_movsxd_r64_r32(e, RAX, RAX);
		set_x(t, op->rd, RAX);
	}
	mark_resume(t);
	return true;
}

/*
 * LR/SC inline, with core/exec_amo.c's meaning: LR loads through the read
 * TLB and records the reservation (physical address and the value read);
 * SC compare-and-swaps against that value when the reservation is for its
 * address. The physical address is the host address's offset into RAM plus
 * RAM's base; a host address outside RAM (ROM has no reservations) takes
 * the slow path, which raises the access fault.
 */
static bool emit_lrsc(struct tctx *t, const struct op *op, unsigned k)
{
	struct emitter *e = &t->e;
	const bool lr = op->id == INSN_lr_w || op->id == INSN_lr_d;
	if (!lr && op->id != INSN_sc_w && op->id != INSN_sc_d)
		return false;
	const bool wide = op->id == INSN_lr_d || op->id == INSN_sc_d;
	const struct machine *m = t->j->m;
	const struct x86_mem word = mem(RDI, 0);
	/* The TLB lookup adds op->imm, which is 0 for LR/SC. */
	emit_tlb_lookup(t, op, wide ? 8 : 4, !lr, k);
	emit_lea(e, RDI, mem_index(RAX, RSI, 0));
	emit_mov_r64_imm(e, RDX, (uint64_t)0 - (uint64_t)(uintptr_t)m->ram);
	emit_alu_r64_r64(e, ALU_ADD, RDX, RDI);
	emit_mov_r64_imm(e, RCX, m->ram_size);
	emit_alu_r64_r64(e, ALU_CMP, RDX, RCX);
	slow_join(t, emit_jcc_rel32(e, CC_AE, 0));
	emit_mov_r64_imm(e, RCX, m->ram_base);
	emit_alu_r64_r64(e, ALU_ADD, RDX, RCX); /* rdx = physical address */
	if (lr) {
		if (wide)
			emit_mov_r64_m(e, RAX, word);
		else
			emit_movsxd_r64_m32(e, RAX, word);
		emit_mov_r64_imm(e, RCX, 1);
		emit_mov_m_r8(e, H(reserved), RCX);
		emit_mov_m_r64(e, H(reservation), RDX);
		emit_mov_m_r64(e, H(reservation_value), RAX);
		set_x(t, op->rd, RAX);
		mark_resume(t);
		return true;
	}
	emit_cmp_m8_imm(e, H(reserved), 0);
	const size_t not_reserved = emit_jcc_rel32(e, CC_E, 0);
	emit_alu_r64_m(e, ALU_CMP, RDX, H(reservation));
	const size_t elsewhere = emit_jcc_rel32(e, CC_NE, 0);
	emit_mov_r64_m(e, RAX, H(reservation_value));
	load_x(t, RCX, op->rs2);
	emit_lock_cmpxchg_m_r(e, wide, word, RCX); /* ZF: stored */
	const size_t changed = emit_jcc_rel32(e, CC_NE, 0);
	emit_alu_r32_r32(e, ALU_XOR, RCX, RCX);
	const size_t done = emit_jmp_rel32(e, 0);
	emit_patch_rel32(e->buf, not_reserved, e->len);
	emit_patch_rel32(e->buf, elsewhere, e->len);
	emit_patch_rel32(e->buf, changed, e->len);
	emit_mov_r64_imm(e, RCX, 1);
	emit_patch_rel32(e->buf, done, e->len);
	/* Spec 8.2: an SC, successful or not, invalidates the reservation. */
	emit_alu_r32_r32(e, ALU_XOR, RAX, RAX);
	emit_mov_m_r8(e, H(reserved), RAX);
	set_x(t, op->rd, RCX);
	mark_resume(t);
	return true;
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

/* Control transfers end the block. */
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

/* The back edge of a polling loop (polls_memory) with a thread per hart: harts
 * may outnumber host CPUs, and the hart this one waits for may need its
 * CPU, so the loop yields the thread now and then (the PAUSE-loop exiting
 * of hardware virtualisation). A wait that has gone on for a while (xv6's
 * harts waiting for hart 0 to clear all of RAM, a lock held across a
 * disk read) sleeps instead, as KVM's halt polling gives up: a yield
 * leaves the spinning thread runnable, and with harts outnumbering CPUs
 * it still takes about a CPU's share from the hart being waited for. */
#define SPIN_YIELD_EVERY    64		  /* iterations */
#define SPIN_SLEEP_AFTER_NS (200 * 1000)  /* of one wait */
#define SPIN_WAIT_GAP_NS    (1000 * 1000) /* a longer gap starts a new wait */
#define SPIN_SLEEP_NS	    (50 * 1000)
static void jit_spin_wait(struct hart *h)
{
	if ((++h->spin_iterations % SPIN_YIELD_EVERY) != 0)
		return;
	const uint64_t now = host_monotonic_ns();
	if (now - h->spin_last_ns > SPIN_WAIT_GAP_NS)
		h->spin_since_ns = now;
	h->spin_last_ns = now;
	if (now - h->spin_since_ns < SPIN_SLEEP_AFTER_NS) {
		sched_yield();
		return;
	}
	const struct timespec pause = {.tv_nsec = SPIN_SLEEP_NS};
	nanosleep(&pause, NULL);
}

/*
 * A block whose last op jumps back to its start runs as a loop: the cached
 * registers stay in host registers across iterations. The back edge jumps
 * to a loop head inside the block, which checks the budget as the entry
 * does (so interrupts are still taken within one iteration) and which
 * jit_kill_block patches as it patches the entry (so a loop whose code was
 * overwritten leaves at its next iteration).
 */
static bool is_loop(const struct tctx *t)
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
static void emit_loop_head(struct tctx *t)
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
	emit_alu_m32_imm(e, ALU_SUB, H(budget), 1);
	const size_t f = emit_jcc_rel32(e, CC_S, 0);
	add_stub(t, (struct stub){.kind = STUB_LOOP, .field = f, .dirty = t->loop_dirty});
	emit_patch_rel32(e->buf, skip, e->len);
}

/* The back edge: the loop head expects every cached register loaded. */
static void emit_loop_back(struct tctx *t, unsigned retired)
{
	reload(t, t->cached & ~t->loaded);
	add_instret(&t->e, retired);
	emit_jmp_rel32(&t->e, t->loop_head);
}

static bool emit_jump(struct tctx *t, const struct op *op, unsigned k)
{
	struct emitter *e = &t->e;
	const uint64_t pc = op_va(t, op);
	switch (op->id) {
	case INSN_jal:
		if (op->rd != XREG_SINK) {
			emit_mov_r64_imm(e, RAX, pc + op->len);
			set_x(t, op->rd, RAX);
		}
		if (pc + (uint64_t)(int64_t)op->imm == t->b->va && t->loop)
			emit_loop_back(t, k + 1);
		else
			emit_goto(t, pc + (uint64_t)(int64_t)op->imm, k + 1);
		return true;
	case INSN_jalr:
		load_x(t, RAX, op->rs1);
		if (op->imm)
			emit_alu_r64_imm(e, ALU_ADD, RAX, op->imm);
		emit_alu_r64_imm(e, ALU_AND, RAX, -2);
		emit_mov_m_r64(e, H(pc), RAX);
		if (op->rd != XREG_SINK) {
			emit_mov_r64_imm(e, RCX, pc + op->len);
			set_x(t, op->rd, RCX);
		}
		writeback(t, t->dirty);
		add_instret(e, k + 1);
		emit_indirect(t);
		return true;
	case INSN_beq:
	case INSN_bne:
	case INSN_blt:
	case INSN_bge:
	case INSN_bltu:
	case INSN_bgeu: {
		const uint64_t target = pc + (uint64_t)(int64_t)op->imm;
		int a = x_host(t, op->rs1);
		if (a < 0) {
			load_x(t, RAX, op->rs1);
			a = RAX;
		}
		alu_x(t, ALU_CMP, true, a, op->rs2);
		const size_t taken = emit_jcc_rel32(e, branch_cond(op->id), 0);
		emit_goto(t, pc + op->len, k + 1);
		emit_patch_rel32(e->buf, taken, e->len);
		if (target == t->b->va && t->loop) {
			emit_loop_back(t, k + 1);
			return true;
		}
		if (target == t->b->va && t->j->m->threaded && polls_memory(t->b, k)) {
			emit_mov_r64_r64(e, RDI, RBX);
			emit_call(e, (const void *)jit_spin_wait);
		}
		emit_goto(t, target, k + 1);
		return true;
	}
	default:
		return false;
	}
}

/* Entry: count the block against the quantum. A newly takeable interrupt
 * zeroes the budget (hart_set_mip), so this one test also bounds interrupt
 * latency; the dispatcher takes the interrupt. */
static void emit_entry(struct tctx *t)
{
	struct emitter *e = &t->e;
	emit_alu_m32_imm(e, ALU_SUB, H(budget), 1);
	const size_t f = emit_jcc_rel32(e, CC_S, 0);
	add_stub(t, (struct stub){.kind = STUB_ENTRY, .field = f});
}

/* Placed right before a block's entry and reached only after
 * jit_kill_block points the entry at it: leave for the dispatcher with
 * pc = the block's start. Fixed size, so the kill knows where it is. */
static void emit_dead_stub(struct tctx *t)
{
	struct emitter *e = &t->e;
	const size_t start = e->len;
	emit_mov_r64_imm(e, RAX, t->b->va);
	emit_mov_m_r64(e, H(pc), RAX);
	emit_jmp_rel32(e, t->j->exit_dispatch_off);
	while (e->len - start < JIT_DEAD_STUB)
		emit_nop(e); /* never executed: pads to the fixed size */
}

static void emit_stubs(struct tctx *t)
{
	struct emitter *e = &t->e;
	struct jit *j = t->j;
	for (unsigned i = 0; i < t->nstubs; i++) {
		const struct stub *s = &t->stubs[i];
		emit_patch_rel32(e->buf, s->field, e->len);
		for (unsigned m = 0; m < s->nmore; m++)
			emit_patch_rel32(e->buf, s->more[m], e->len);
		switch (s->kind) {
		case STUB_SLOW:
			writeback(t, s->dirty);
			store_context(t, true);
			call_exec(t, s->op);
			emit_test_r32_r32(e, RAX, RAX);
			{
				const size_t f = emit_jcc_rel32(e, CC_NE, 0);
				reload(t, s->reload);
				emit_jmp_rel32(e, s->resume);
				emit_patch_rel32(e->buf, f, e->len);
			}
			/* fall into the result handling */
			/* fallthrough */
		case STUB_RESULT:
			/* eax: EXEC_TRAP (op did not retire) or EXEC_EXIT (it
			 * retired and set h->pc). */
			add_instret(e, s->retired);
			emit_alu_r32_imm(e, ALU_CMP, RAX, EXEC_EXIT);
			{
				const size_t f = emit_jcc_rel32(e, CC_NE, 0);
				add_instret(e, 1);
				emit_patch_rel32(e->buf, f, e->len);
			}
			exit_dispatch(t);
			break;
		case STUB_CHAIN:
			emit_mov_r64_imm(e, RAX, s->target);
			emit_mov_m_r64(e, H(pc), RAX);
			emit_mov_r64_imm(e, RAX, s->field);
			emit_mov_m_r64(e, H(jit_patch), RAX);
			emit_mov_r64_imm(e, RAX, JIT_EXIT_CHAIN);
			emit_jmp_rel32(e, j->exit_off);
			break;
		case STUB_ENTRY:
		case STUB_LOOP:
			emit_alu_m32_imm(e, ALU_ADD, H(budget), 1); /* did not run */
			if (s->kind == STUB_LOOP) {
				/* Where a killed loop head leads. */
				t->loop_dead = e->len;
				writeback(t, s->dirty);
			}
			emit_mov_r64_imm(e, RAX, t->b->va);
			emit_mov_m_r64(e, H(pc), RAX);
			exit_dispatch(t);
			break;
		}
	}
}

static void log_translation(struct jit *j, const struct block *b, size_t start, size_t len)
{
	struct machine *m = j->m;
	if (m->log_mask & LOG_IN_ASM) {
		fprintf(m->log, "IN: %#" PRIx64 "\n", b->va);
		for (unsigned i = 0; i < b->n_ops; i++) {
			char text[96];
			insn_disasm(&b->ops[i], b->va + b->ops[i].pc_off, text, sizeof(text));
			fprintf(m->log, "%016" PRIx64 ":  %0*" PRIx32 "  %s\n",
				b->va + b->ops[i].pc_off, b->ops[i].len * 2, b->ops[i].raw, text);
		}
		fputc('\n', m->log);
	}
	if ((m->log_mask & LOG_OUT_ASM) && j->capstone) {
		fprintf(m->log, "OUT: [size=%zu] for %#" PRIx64 "\n", len, b->va);
		host_disasm_print(j->capstone, m->log, j->cb.rw + start, len,
				  (uint64_t)(uintptr_t)code_buffer_rx(&j->cb, start));
		fputc('\n', m->log);
	}
	if (j->perf_map)
		fprintf(j->perf_map, "%" PRIxPTR " %zx rvjit:%#" PRIx64 "\n",
			(uintptr_t)code_buffer_rx(&j->cb, start), len, b->va);
}

/* Emit b's code at t->e's position and return its entry's offset. plain:
 * every op through its exec function and no register caching, code whose
 * size is small and easy to bound. */
static size_t emit_block(struct tctx *t, bool plain)
{
	const struct block *b = t->b;
	choose_cached(t);
	if (plain)
		t->cached = 0;
	t->loop = !plain && is_loop(t);
	t->loop_head = t->loop_dead = 0;
	emit_dead_stub(t);
	const size_t entry = t->e.len;
	emit_entry(t);
	if (t->loop)
		emit_loop_head(t);
	unsigned k = 0;
	bool ended = false;
	for (; k < b->n_ops && !ended; k++) {
		const struct op *op = &b->ops[k];
		if (plain) {
			fallback(t, op, k);
			continue;
		}
		begin_op(t, op);
		if (emit_alu(t, op))
			continue;
		if (emit_mem(t, op, k) || emit_div(t, op) || emit_mulhsu(t, op) ||
		    emit_amo(t, op, k) || emit_lrsc(t, op, k))
			continue;
		if (op->id == INSN_fence) {
			/* As exec_fence: a full barrier, which covers every
			 * RVWMO fence once harts run on several threads. */
			emit_mfence(&t->e);
			continue;
		}
		if (emit_fp(t, op, k)) {
			/* Slow paths of the op resume after its native code. */
			if (t->nstubs && t->stubs[t->nstubs - 1].kind == STUB_SLOW &&
			    t->stubs[t->nstubs - 1].op == op && !t->stubs[t->nstubs - 1].resume)
				mark_resume(t);
			continue;
		}
		if (emit_jump(t, op, k)) {
			ended = true;
			continue;
		}
		/* Everything else: the shared semantics function. */
		fallback(t, op, k);
	}
	if (!ended)
		emit_goto(t, b->va + b->ops[b->n_ops].pc_off, b->n_ops);
	emit_stubs(t);
	return entry;
}

bool jit_translate(struct jit *j, struct block *b)
{
	const uint64_t t0 = host_monotonic_ns();
	if (!tb_room(j->m, j->cb.used, BLOCK_CODE_MAX, j->cb.size))
		return false;	       /* flushed (decode again), or no room until the flush */
	static __thread struct tctx t; /* large; one translation at a time per thread */
	const size_t start = j->cb.used;
	size_t entry = 0;
	/* A block whose native code outgrows BLOCK_CODE_MAX (long runs of ops
	 * with many slow paths) is translated again, plainly. */
	for (int plain = 0; plain < 2; plain++) {
		memset(&t, 0, offsetof(struct tctx, stubs));
		t.nstubs = 0;
		t.j = j;
		t.b = b;
		t.e =
		    (struct emitter){.buf = j->cb.rw, .cap = start + BLOCK_CODE_MAX, .len = start};
		entry = emit_block(&t, plain);
		if (!t.e.overflow) {
			j->stats.blocks_plain += (unsigned)plain;
			break;
		}
	}
	if (t.e.overflow) {
		/* The plain form has a fixed size per op well inside the bound,
		 * so this means the bound is wrong: start over rather than run
		 * broken code. */
		fprintf(stderr, "rvjit: translated block at %#" PRIx64 " exceeds its code budget\n",
			b->va);
		tb_flush(j->m);
		return false;
	}
	j->cb.used = (t.e.len + 15) & ~(size_t)15;
	b->jit_loop_head = t.loop ? (uint32_t)(t.loop_head - entry) : 0;
	b->jit_loop_dead = t.loop ? (uint32_t)(t.loop_dead - entry) : 0;
	/* Published last: harts look for it without the TB lock. */
	__atomic_store_n(&b->native, code_buffer_rx(&j->cb, entry), __ATOMIC_RELEASE);
	j->stats.blocks_translated++;
	j->stats.code_bytes += t.e.len - start;
	log_translation(j, b, start, t.e.len - start);
	j->stats.translate_ns += host_monotonic_ns() - t0;
	return true;
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
	/* Another hart may be fetching the entry: blocks start 16-byte
	 * aligned and the dead stub is 24 bytes, so the entry is 8-byte
	 * aligned and one atomic store replaces its first 8 bytes. */
	patch_jump(j, off, off - JIT_DEAD_STUB);
	/* A hart looping in the block leaves at its next iteration. */
	if (b->jit_loop_head)
		patch_jump(j, off + b->jit_loop_head, off + b->jit_loop_dead);
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
	emit_alu_r64_imm(&e, ALU_SUB, RSP, 8); /* 16-byte aligned at helper calls */
	emit_mov_r64_r64(&e, RBX, RDI);
	emit_jmp_r64(&e, RSI);
	/* exit: eax = enum jit_exit */
	j->exit_off = e.len;
	emit_alu_r64_imm(&e, ALU_ADD, RSP, 8);
	for (int i = 5; i >= 0; i--)
		emit_pop(&e, saved[i]);
	emit_ret(&e);
	j->exit_dispatch_off = e.len;
	emit_alu_r32_r32(&e, ALU_XOR, RAX, RAX);
	emit_jmp_rel32(&e, j->exit_off);
	j->code_start = (e.len + 63) & ~(size_t)63;
	j->cb.used = j->code_start;
}
