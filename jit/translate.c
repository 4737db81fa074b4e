/*
 * RV64 block -> x86-64 (the model is in jit.h).
 *
 * Register use inside translated code:
 *   rbx        the hart (callee-saved: survives helper calls)
 *   rax rcx rdx rsi rdi r8-r11   scratch, dead across helper calls
 * Guest registers stay in memory (h->x[]); x86 ALU instructions take them
 * as memory operands, so most RV instructions become 2-3 host instructions.
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

#define H(field) mem(RBX, (int32_t)offsetof(struct hart, field))
#define XREG(i) mem(RBX, (int32_t)(offsetof(struct hart, x) + 8 * (size_t)(i)))
#define FREG(i) mem(RBX, (int32_t)(offsetof(struct hart, f) + 8 * (size_t)(i)))
#define FREG_HI(i) mem(RBX, (int32_t)(offsetof(struct hart, f) + 8 * (size_t)(i) + 4))

/* Room a block needs at most (BLOCK_MAX_OPS ops of the largest sequence
 * plus their stubs); checked before translating so a block never straddles
 * the end of the buffer. */
#define BLOCK_CODE_MAX (BLOCK_MAX_OPS * 160 + 512)
#define JIT_DEAD_STUB 24 /* bytes of the dead-block stub before each entry */

/* Out-of-line paths collected while emitting the body. */
enum stub_kind {
	STUB_SLOW,     /* fast path not applicable (TLB miss, FP corner case):
	                  run the op's exec function, then resume */
	STUB_RESULT,   /* a helper returned nonzero: account and leave */
	STUB_CHAIN,    /* exit to a same-page target, patchable */
	STUB_ENTRY,    /* entry check failed: leave with pc = block start */
};

struct stub {
	enum stub_kind kind;
	size_t field;          /* rel32 field of the jump/jcc that reaches the stub */
	size_t more[3];        /* STUB_SLOW: further jumps to the same stub */
	unsigned nmore;
	size_t resume;         /* STUB_SLOW: where to continue */
	const struct op *op;   /* STUB_SLOW: the op to call */
	unsigned retired;      /* instructions before this op */
	uint64_t target;       /* STUB_CHAIN: guest pc */
};

struct tctx {
	struct jit *j;
	struct block *b;
	struct emitter e;
	bool context_stored;   /* h->block_pc/block_ops hold this block's values */
	bool fs_dirty_set;     /* mstatus.FS already marked dirty on this path */
	struct stub stubs[3 * BLOCK_MAX_OPS + 4];
	unsigned nstubs;
};

static void add_stub(struct tctx *t, struct stub s)
{
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
	if (t->nstubs && t->stubs[t->nstubs - 1].kind == STUB_SLOW && t->stubs[t->nstubs - 1].op == op)
		slow_join(t, field);
	else
		add_stub(t, (struct stub){ .kind = STUB_SLOW, .field = field, .op = op, .retired = k });
}

static uint64_t op_va(const struct tctx *t, const struct op *op)
{
	return t->b->va + op->pc_off;
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
	emit_alu_r64_m(e, ALU_CMP, RDX, mem(RCX, (int32_t)offsetof(struct jump_cache_entry, epoch)));
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
	add_instret(e, retired);
	if (t->j->chain && !((target ^ t->b->va) & ~0xfffULL)) {
		/* patch_chain rewrites the field while other harts may run
		 * this code: aligned, its store is atomic. */
		while ((e->len + 1) & 3)
			emit_nop(e);
		const size_t field = emit_jmp_rel32(e, 0);
		add_stub(t, (struct stub){ .kind = STUB_CHAIN, .field = field, .target = target });
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
	add_stub(t, (struct stub){ .kind = STUB_RESULT, .field = field, .retired = retired });
}

static void fallback(struct tctx *t, const struct op *op, unsigned k)
{
	store_context(t, false);
	call_exec(t, op);
	check_result(t, k);
}

/* rax = guest register (x0 reads as 0 from memory too; xor is shorter). */
static void load_x(struct emitter *e, int reg, unsigned x)
{
	if (x == 0)
		emit_alu_r32_r32(e, ALU_XOR, reg, reg);
	else
		emit_mov_r64_m(e, reg, XREG(x));
}

static bool is_alu(unsigned id)
{
	switch (id) {
	case INSN_lui: case INSN_auipc: case INSN_addi: case INSN_xori: case INSN_ori:
	case INSN_andi: case INSN_slli: case INSN_srli: case INSN_srai: case INSN_slti:
	case INSN_sltiu: case INSN_add: case INSN_sub: case INSN_xor: case INSN_or: case INSN_and:
	case INSN_slt: case INSN_sltu: case INSN_sll: case INSN_srl: case INSN_sra:
	case INSN_addiw: case INSN_slliw: case INSN_srliw: case INSN_sraiw: case INSN_addw:
	case INSN_subw: case INSN_sllw: case INSN_srlw: case INSN_sraw: case INSN_mul:
	case INSN_mulw: case INSN_mulh: case INSN_mulhu:
		return true;
	default:
		return false;
	}
}

static bool is_store(unsigned id)
{
	return id == INSN_sb || id == INSN_sh || id == INSN_sw || id == INSN_sd;
}

/* rd == rs1: operate on the guest register in memory (one x86
 * read-modify-write instead of load, operate, store). */
static bool emit_alu_in_place(struct emitter *e, const struct op *op)
{
	const unsigned rd = op->rd;
	if (op->rs1 != rd || rd == 0)
		return false;
	const int32_t imm = op->imm;
	switch (op->id) {
	case INSN_addi: if (imm) emit_alu_m64_imm(e, ALU_ADD, XREG(rd), imm); return true;
	case INSN_xori: emit_alu_m64_imm(e, ALU_XOR, XREG(rd), imm); return true;
	case INSN_ori: emit_alu_m64_imm(e, ALU_OR, XREG(rd), imm); return true;
	case INSN_andi: emit_alu_m64_imm(e, ALU_AND, XREG(rd), imm); return true;
	case INSN_slli: emit_shift_m64_imm(e, SHIFT_SHL, XREG(rd), (uint8_t)imm); return true;
	case INSN_srli: emit_shift_m64_imm(e, SHIFT_SHR, XREG(rd), (uint8_t)imm); return true;
	case INSN_srai: emit_shift_m64_imm(e, SHIFT_SAR, XREG(rd), (uint8_t)imm); return true;
	case INSN_add: case INSN_sub: case INSN_xor: case INSN_or: case INSN_and: {
		const enum x86_alu alu = op->id == INSN_add ? ALU_ADD : op->id == INSN_sub ? ALU_SUB
		                         : op->id == INSN_xor ? ALU_XOR : op->id == INSN_or ? ALU_OR
		                                                                     : ALU_AND;
		load_x(e, RAX, op->rs2);
		emit_alu_m64_r64(e, alu, XREG(rd), RAX);
		return true;
	}
	default:
		return false;
	}
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
	if (emit_alu_in_place(e, op))
		return true;
	switch (op->id) {
	case INSN_lui:
		emit_mov_m_imm32(e, XREG(rd), imm);
		return true;
	case INSN_auipc:
		emit_mov_r64_imm(e, RAX, op_va(t, op) + (uint64_t)(int64_t)imm);
		break;
	case INSN_addi:
		if (rs1 == 0) {
			emit_mov_m_imm32(e, XREG(rd), imm);
			return true;
		}
		load_x(e, RAX, rs1);
		if (imm)
			emit_alu_r64_imm(e, ALU_ADD, RAX, imm);
		break;
	case INSN_xori: load_x(e, RAX, rs1); emit_alu_r64_imm(e, ALU_XOR, RAX, imm); break;
	case INSN_ori: load_x(e, RAX, rs1); emit_alu_r64_imm(e, ALU_OR, RAX, imm); break;
	case INSN_andi: load_x(e, RAX, rs1); emit_alu_r64_imm(e, ALU_AND, RAX, imm); break;
	case INSN_slli: load_x(e, RAX, rs1); emit_shift_r64_imm(e, SHIFT_SHL, RAX, (uint8_t)imm); break;
	case INSN_srli: load_x(e, RAX, rs1); emit_shift_r64_imm(e, SHIFT_SHR, RAX, (uint8_t)imm); break;
	case INSN_srai: load_x(e, RAX, rs1); emit_shift_r64_imm(e, SHIFT_SAR, RAX, (uint8_t)imm); break;
	case INSN_slti:
	case INSN_sltiu:
		load_x(e, RCX, rs1);
		emit_alu_r32_r32(e, ALU_XOR, RAX, RAX);
		emit_alu_r64_imm(e, ALU_CMP, RCX, imm);
		emit_setcc_r8(e, op->id == INSN_slti ? CC_L : CC_B, RAX);
		break;
	case INSN_add: load_x(e, RAX, rs1); emit_alu_r64_m(e, ALU_ADD, RAX, XREG(rs2)); break;
	case INSN_sub: load_x(e, RAX, rs1); emit_alu_r64_m(e, ALU_SUB, RAX, XREG(rs2)); break;
	case INSN_xor: load_x(e, RAX, rs1); emit_alu_r64_m(e, ALU_XOR, RAX, XREG(rs2)); break;
	case INSN_or: load_x(e, RAX, rs1); emit_alu_r64_m(e, ALU_OR, RAX, XREG(rs2)); break;
	case INSN_and: load_x(e, RAX, rs1); emit_alu_r64_m(e, ALU_AND, RAX, XREG(rs2)); break;
	case INSN_slt:
	case INSN_sltu:
		load_x(e, RCX, rs1);
		emit_alu_r32_r32(e, ALU_XOR, RAX, RAX);
		emit_alu_r64_m(e, ALU_CMP, RCX, XREG(rs2));
		emit_setcc_r8(e, op->id == INSN_slt ? CC_L : CC_B, RAX);
		break;
	case INSN_sll:
	case INSN_srl:
	case INSN_sra:
		/* x86 masks 64-bit shift counts to 6 bits, as RV64 does. */
		load_x(e, RCX, rs2);
		load_x(e, RAX, rs1);
		emit_shift_r64_cl(e, op->id == INSN_sll ? SHIFT_SHL : op->id == INSN_srl ? SHIFT_SHR : SHIFT_SAR, RAX);
		break;
	case INSN_addiw:
		load_x(e, RAX, rs1);
		emit_alu_r32_imm(e, ALU_ADD, RAX, imm);
		emit_movsxd_r64_r32(e, RAX, RAX);
		break;
	case INSN_slliw:
	case INSN_srliw:
	case INSN_sraiw:
		load_x(e, RAX, rs1);
		emit_shift_r32_imm(e, op->id == INSN_slliw ? SHIFT_SHL : op->id == INSN_srliw ? SHIFT_SHR : SHIFT_SAR, RAX, (uint8_t)imm);
		emit_movsxd_r64_r32(e, RAX, RAX);
		break;
	case INSN_addw:
	case INSN_subw:
		load_x(e, RAX, rs1);
		emit_alu_r32_m(e, op->id == INSN_addw ? ALU_ADD : ALU_SUB, RAX, XREG(rs2));
		emit_movsxd_r64_r32(e, RAX, RAX);
		break;
	case INSN_sllw:
	case INSN_srlw:
	case INSN_sraw:
		/* 32-bit x86 shifts mask the count to 5 bits, as the *w ops do. */
		load_x(e, RCX, rs2);
		load_x(e, RAX, rs1);
		emit_shift_r32_cl(e, op->id == INSN_sllw ? SHIFT_SHL : op->id == INSN_srlw ? SHIFT_SHR : SHIFT_SAR, RAX);
		emit_movsxd_r64_r32(e, RAX, RAX);
		break;
	case INSN_mul:
		load_x(e, RAX, rs1);
		load_x(e, RCX, rs2);
		emit_imul_r64_r64(e, RAX, RCX);
		break;
	case INSN_mulw:
		load_x(e, RAX, rs1);
		load_x(e, RCX, rs2);
		emit_imul_r32_r32(e, RAX, RCX);
		emit_movsxd_r64_r32(e, RAX, RAX);
		break;
	case INSN_mulh:
	case INSN_mulhu:
		load_x(e, RAX, rs1);
		load_x(e, RCX, rs2);
		if (op->id == INSN_mulh)
			emit_imul1_r64(e, RCX);
		else
			emit_mul_r64(e, RCX);
		emit_mov_m_r64(e, XREG(rd), RDX);
		return true;
	default:
		return false;
	}
	emit_mov_m_r64(e, XREG(rd), RAX);
	return true;
}

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
	load_x(e, RSI, op->rs1);
	if (op->imm)
		emit_alu_r64_imm(e, ALU_ADD, RSI, op->imm);
	emit_mov_r64_m(e, RAX, H(tlb_data));
	/* ((va >> 12) % TLB_ENTRIES) * sizeof(struct tlb_entry) */
	emit_mov_r32_r32(e, RCX, RSI);
	emit_shift_r32_imm(e, SHIFT_SHR, RCX, 12 - 5);
	emit_alu_r32_imm(e, ALU_AND, RCX, (TLB_ENTRIES - 1) << 5);
	emit_alu_r64_r64(e, ALU_ADD, RAX, RCX);
	emit_mov_r64_r64(e, RCX, RSI);
	emit_alu_r64_imm(e, ALU_AND, RCX, (int32_t)~(TLB_PAGE_MASK & ~(uint64_t)(size - 1)));
	emit_alu_r64_m(e, ALU_CMP, RCX,
	               mem(RAX, store ? (int32_t)offsetof(struct tlb_entry, tag_w)
	                              : (int32_t)offsetof(struct tlb_entry, tag_r)));
	const size_t field = emit_jcc_rel32(e, CC_NE, 0);
	if (joined)
		slow_join(t, field);
	else
		add_stub(t, (struct stub){ .kind = STUB_SLOW, .field = field, .op = op, .retired = k });
	emit_mov_r64_m(e, RAX, mem(RAX, (int32_t)offsetof(struct tlb_entry, addend)));
}

static bool emit_mem(struct tctx *t, const struct op *op, unsigned k)
{
	struct emitter *e = &t->e;
	const struct x86_mem host = mem_index(RAX, RSI, 0);
	switch (op->id) {
	case INSN_lb: emit_tlb_lookup(t, op, 1, false, k); emit_movsx_r64_m8(e, RCX, host); break;
	case INSN_lh: emit_tlb_lookup(t, op, 2, false, k); emit_movsx_r64_m16(e, RCX, host); break;
	case INSN_lw: emit_tlb_lookup(t, op, 4, false, k); emit_movsxd_r64_m32(e, RCX, host); break;
	case INSN_ld: emit_tlb_lookup(t, op, 8, false, k); emit_mov_r64_m(e, RCX, host); break;
	case INSN_lbu: emit_tlb_lookup(t, op, 1, false, k); emit_movzx_r32_m8(e, RCX, host); break;
	case INSN_lhu: emit_tlb_lookup(t, op, 2, false, k); emit_movzx_r32_m16(e, RCX, host); break;
	case INSN_lwu: emit_tlb_lookup(t, op, 4, false, k); emit_mov_r32_m(e, RCX, host); break;
	case INSN_sb: emit_tlb_lookup(t, op, 1, true, k); load_x(e, RCX, op->rs2); emit_mov_m_r8(e, host, RCX); break;
	case INSN_sh: emit_tlb_lookup(t, op, 2, true, k); load_x(e, RCX, op->rs2); emit_mov_m_r16(e, host, RCX); break;
	case INSN_sw: emit_tlb_lookup(t, op, 4, true, k); load_x(e, RCX, op->rs2); emit_mov_m_r32(e, host, RCX); break;
	case INSN_sd: emit_tlb_lookup(t, op, 8, true, k); load_x(e, RCX, op->rs2); emit_mov_m_r64(e, host, RCX); break;
	default:
		return false;
	}
	if (!is_store(op->id))
		emit_mov_m_r64(e, XREG(op->rd), RCX); /* a load: rd may be the sink */
	/* The slow path resumes here. */
	t->stubs[t->nstubs - 1].resume = e->len;
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
	case INSN_fld: case INSN_fsd: case INSN_flw: case INSN_fsw:
	case INSN_fadd_d: case INSN_fsub_d: case INSN_fmul_d: case INSN_fdiv_d: case INSN_fsqrt_d:
	case INSN_fadd_s: case INSN_fsub_s: case INSN_fmul_s: case INSN_fdiv_s: case INSN_fsqrt_s:
	case INSN_fmv_x_d: case INSN_fmv_d_x: case INSN_fmv_x_w: case INSN_fmv_w_x:
	case INSN_fsgnj_d: case INSN_fsgnjn_d: case INSN_fsgnjx_d:
	case INSN_feq_d: case INSN_flt_d: case INSN_fle_d:
	case INSN_feq_s: case INSN_flt_s: case INSN_fle_s:
	case INSN_fcvt_d_s: case INSN_fcvt_s_d: case INSN_fcvt_d_w: case INSN_fcvt_d_l:
		return true;
	default:
		return false;
	}
}

static bool fp_writes_freg(unsigned id)
{
	switch (id) {
	case INSN_fsd: case INSN_fsw: case INSN_fmv_x_d: case INSN_fmv_x_w:
	case INSN_feq_d: case INSN_flt_d: case INSN_fle_d:
	case INSN_feq_s: case INSN_flt_s: case INSN_fle_s:
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
	case INSN_fadd_d: case INSN_fsub_d: case INSN_fmul_d: case INSN_fdiv_d: case INSN_fsqrt_d:
	case INSN_fadd_s: case INSN_fsub_s: case INSN_fmul_s: case INSN_fdiv_s: case INSN_fsqrt_s:
	case INSN_fcvt_s_d: case INSN_fcvt_d_l:
		return true;
	default:
		return false;
	}
}

static bool fp_single_inputs(unsigned id, unsigned *n)
{
	switch (id) {
	case INSN_fadd_s: case INSN_fsub_s: case INSN_fmul_s: case INSN_fdiv_s:
	case INSN_feq_s: case INSN_flt_s: case INSN_fle_s:
		*n = 2;
		return true;
	case INSN_fsqrt_s: case INSN_fcvt_d_s:
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
		{ INSN_fadd_d, { SSE_ADD, true, false, false } },
		{ INSN_fsub_d, { SSE_SUB, true, false, false } },
		{ INSN_fmul_d, { SSE_MUL, true, false, false } },
		{ INSN_fdiv_d, { SSE_DIV, true, false, false } },
		{ INSN_fsqrt_d, { SSE_SQRT, false, false, false } },
		{ INSN_fadd_s, { SSE_ADD, true, true, true } },
		{ INSN_fsub_s, { SSE_SUB, true, true, true } },
		{ INSN_fmul_s, { SSE_MUL, true, true, true } },
		{ INSN_fdiv_s, { SSE_DIV, true, true, true } },
		{ INSN_fsqrt_s, { SSE_SQRT, false, true, true } },
		{ INSN_fcvt_d_s, { SSE_CVT, false, true, false } },
		{ INSN_fcvt_s_d, { SSE_CVT, false, false, true } },
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
		if (nsingle == 2) {
			emit_alu_m32_imm(e, ALU_CMP, FREG_HI(op->rs2), -1);
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
		t->stubs[t->nstubs - 1].resume = e->len;
		return true;
	case INSN_flw:
		emit_tlb_lookup(t, op, 4, false, k);
		emit_mov_r32_m(e, RCX, host);
		emit_mov_m_r32(e, FREG(op->rd), RCX);
		emit_alu_r32_r32(e, ALU_XOR, RCX, RCX);
		emit_alu_r32_imm(e, ALU_SUB, RCX, 1);
		emit_mov_m_r32(e, FREG_HI(op->rd), RCX);
		emit_fs_dirty(t);
		t->stubs[t->nstubs - 1].resume = e->len;
		return true;
	case INSN_fsd:
		emit_tlb_lookup(t, op, 8, true, k);
		emit_mov_r64_m(e, RCX, FREG(op->rs2));
		emit_mov_m_r64(e, host, RCX);
		t->stubs[t->nstubs - 1].resume = e->len;
		return true;
	case INSN_fsw:
		emit_tlb_lookup(t, op, 4, true, k);
		emit_mov_r32_m(e, RCX, FREG(op->rs2));
		emit_mov_m_r32(e, host, RCX);
		t->stubs[t->nstubs - 1].resume = e->len;
		return true;
	default:
		break;
	}
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
		emit_cvtsi2sd_x_m32(e, 0, XREG(op->rs1));
		store_fresult(e, op->rd, false);
		break;
	case INSN_fcvt_d_l:
		emit_cvtsi2sd_x_m64(e, 0, XREG(op->rs1));
		store_fresult(e, op->rd, false);
		break;
	case INSN_fmv_x_d:
		if (op->rd != XREG_SINK) {
			emit_mov_r64_m(e, RAX, FREG(op->rs1));
			emit_mov_m_r64(e, XREG(op->rd), RAX);
		}
		break;
	case INSN_fmv_x_w:
		if (op->rd != XREG_SINK) {
			emit_movsxd_r64_m32(e, RAX, FREG(op->rs1));
			emit_mov_m_r64(e, XREG(op->rd), RAX);
		}
		break;
	case INSN_fmv_d_x:
		load_x(e, RAX, op->rs1);
		emit_mov_m_r64(e, FREG(op->rd), RAX);
		break;
	case INSN_fmv_w_x:
		load_x(e, RAX, op->rs1);
		emit_mov_m_r32(e, FREG(op->rd), RAX);
		emit_alu_r32_r32(e, ALU_XOR, RAX, RAX);
		emit_alu_r32_imm(e, ALU_SUB, RAX, 1);
		emit_mov_m_r32(e, FREG_HI(op->rd), RAX);
		break;
	case INSN_fsgnj_d: case INSN_fsgnjn_d: case INSN_fsgnjx_d:
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
	case INSN_feq_d: case INSN_flt_d: case INSN_fle_d:
	case INSN_feq_s: case INSN_flt_s: case INSN_fle_s: {
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
			emit_setcc_r8(e, (id == INSN_flt_d || id == INSN_flt_s) ? CC_A : CC_AE, RAX);
		}
		emit_mov_m_r64(e, XREG(op->rd), RAX);
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
	case INSN_div: is_signed = true; is_rem = false; wide = true; break;
	case INSN_divu: is_signed = false; is_rem = false; wide = true; break;
	case INSN_rem: is_signed = true; is_rem = true; wide = true; break;
	case INSN_remu: is_signed = false; is_rem = true; wide = true; break;
	case INSN_divw: is_signed = true; is_rem = false; wide = false; break;
	case INSN_divuw: is_signed = false; is_rem = false; wide = false; break;
	case INSN_remw: is_signed = true; is_rem = true; wide = false; break;
	case INSN_remuw: is_signed = false; is_rem = true; wide = false; break;
	default: return false;
	}
	if (op->rd == XREG_SINK)
		return true;
	load_x(e, RAX, op->rs1);
	load_x(e, RCX, op->rs2);
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
	emit_mov_m_r64(e, XREG(op->rd), RAX);
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
	load_x(e, RAX, op->rs1);
	load_x(e, RCX, op->rs2);
	emit_mul_r64(e, RCX);
	load_x(e, RAX, op->rs1);
	emit_shift_r64_imm(e, SHIFT_SAR, RAX, 63);
	emit_alu_r64_r64(e, ALU_AND, RAX, RCX);
	emit_alu_r64_r64(e, ALU_SUB, RDX, RAX);
	emit_mov_m_r64(e, XREG(op->rd), RDX);
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
	case INSN_amoadd_w: kind = A_ADD; wide = false; break;
	case INSN_amoswap_w: kind = A_SWAP; wide = false; break;
	case INSN_amoand_w: kind = A_AND; wide = false; break;
	case INSN_amoor_w: kind = A_OR; wide = false; break;
	case INSN_amoxor_w: kind = A_XOR; wide = false; break;
	case INSN_amomin_w: kind = A_MIN; wide = false; break;
	case INSN_amomax_w: kind = A_MAX; wide = false; break;
	case INSN_amominu_w: kind = A_MINU; wide = false; break;
	case INSN_amomaxu_w: kind = A_MAXU; wide = false; break;
	case INSN_amoadd_d: kind = A_ADD; wide = true; break;
	case INSN_amoswap_d: kind = A_SWAP; wide = true; break;
	case INSN_amoand_d: kind = A_AND; wide = true; break;
	case INSN_amoor_d: kind = A_OR; wide = true; break;
	case INSN_amoxor_d: kind = A_XOR; wide = true; break;
	case INSN_amomin_d: kind = A_MIN; wide = true; break;
	case INSN_amomax_d: kind = A_MAX; wide = true; break;
	case INSN_amominu_d: kind = A_MINU; wide = true; break;
	case INSN_amomaxu_d: kind = A_MAXU; wide = true; break;
	default: return false;
	}
	/* The TLB lookup adds op->imm, which is 0 for AMOs. */
	emit_tlb_lookup(t, op, wide ? 8 : 4, true, k);
	emit_lea(e, RDI, mem_index(RAX, RSI, 0)); /* host address */
	const struct x86_mem target = mem(RDI, 0);
	load_x(e, RCX, op->rs2);
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
		case A_AND: emit_alu_r64_r64(e, ALU_AND, RDX, RCX); break;
		case A_OR: emit_alu_r64_r64(e, ALU_OR, RDX, RCX); break;
		case A_XOR: emit_alu_r64_r64(e, ALU_XOR, RDX, RCX); break;
		default: {
			/* new = (old OP src) ? old : src, compared at the width. */
			const enum x86_cond keep_old = kind == A_MIN ? CC_L : kind == A_MAX ? CC_G
			                               : kind == A_MINU ? CC_B : CC_A;
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
		emit_mov_m_r64(e, XREG(op->rd), RAX);
	}
	t->stubs[t->nstubs - 1].resume = e->len;
	return true;
}

static enum x86_cond branch_cond(unsigned id)
{
	switch (id) {
	case INSN_beq: return CC_E;
	case INSN_bne: return CC_NE;
	case INSN_blt: return CC_L;
	case INSN_bge: return CC_GE;
	case INSN_bltu: return CC_B;
	default: return CC_AE; /* bgeu */
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
		case FMT_I: case FMT_R: case FMT_U: case FMT_SH: case FMT_SHW: case FMT_FENCE:
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
 * of hardware virtualisation). */
static void jit_spin_wait(struct hart *h)
{
	if ((++h->spin_iterations & 63) == 0)
		sched_yield();
}

static bool emit_jump(struct tctx *t, const struct op *op, unsigned k)
{
	struct emitter *e = &t->e;
	const uint64_t pc = op_va(t, op);
	switch (op->id) {
	case INSN_jal:
		if (op->rd != XREG_SINK) {
			emit_mov_r64_imm(e, RAX, pc + op->len);
			emit_mov_m_r64(e, XREG(op->rd), RAX);
		}
		emit_goto(t, pc + (uint64_t)(int64_t)op->imm, k + 1);
		return true;
	case INSN_jalr:
		load_x(e, RAX, op->rs1);
		if (op->imm)
			emit_alu_r64_imm(e, ALU_ADD, RAX, op->imm);
		emit_alu_r64_imm(e, ALU_AND, RAX, -2);
		emit_mov_m_r64(e, H(pc), RAX);
		if (op->rd != XREG_SINK) {
			emit_mov_r64_imm(e, RCX, pc + op->len);
			emit_mov_m_r64(e, XREG(op->rd), RCX);
		}
		add_instret(e, k + 1);
		emit_indirect(t);
		return true;
	case INSN_beq: case INSN_bne: case INSN_blt: case INSN_bge: case INSN_bltu: case INSN_bgeu: {
		const uint64_t target = pc + (uint64_t)(int64_t)op->imm;
		load_x(e, RAX, op->rs1);
		emit_alu_r64_m(e, ALU_CMP, RAX, XREG(op->rs2));
		const size_t taken = emit_jcc_rel32(e, branch_cond(op->id), 0);
		emit_goto(t, pc + op->len, k + 1);
		emit_patch_rel32(e->buf, taken, e->len);
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
	add_stub(t, (struct stub){ .kind = STUB_ENTRY, .field = f });
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
			store_context(t, true);
			call_exec(t, s->op);
			emit_test_r32_r32(e, RAX, RAX);
			{
				const size_t f = emit_jcc_rel32(e, CC_NE, 0);
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
			emit_alu_m32_imm(e, ALU_ADD, H(budget), 1); /* did not run */
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
			fprintf(m->log, "%016" PRIx64 ":  %0*" PRIx32 "  %s\n", b->va + b->ops[i].pc_off,
			        b->ops[i].len * 2, b->ops[i].raw, text);
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

bool jit_translate(struct jit *j, struct block *b)
{
	const uint64_t t0 = host_monotonic_ns();
	if (!tb_room(j->m, j->cb.used, BLOCK_CODE_MAX, j->cb.size))
		return false; /* flushed (decode again), or no room until the flush */
	static __thread struct tctx t; /* large; one translation at a time per thread */
	memset(&t, 0, offsetof(struct tctx, stubs));
	t.nstubs = 0;
	t.j = j;
	t.b = b;
	t.e = (struct emitter){ .buf = j->cb.rw, .cap = j->cb.used + BLOCK_CODE_MAX, .len = j->cb.used };
	const size_t start = t.e.len;

	emit_dead_stub(&t);
	const size_t entry = t.e.len;
	emit_entry(&t);
	unsigned k = 0;
	bool ended = false;
	for (; k < b->n_ops && !ended; k++) {
		const struct op *op = &b->ops[k];
		if (emit_alu(&t, op))
			continue;
		if (emit_mem(&t, op, k) || emit_div(&t, op) || emit_mulhsu(&t, op) ||
		    emit_amo(&t, op, k))
			continue;
		if (op->id == INSN_fence) {
			/* As exec_fence: a full barrier, which covers every
			 * RVWMO fence once harts run on several threads. */
			emit_mfence(&t.e);
			continue;
		}
		if (emit_fp(&t, op, k)) {
			/* Slow paths of the op resume after its native code. */
			if (t.nstubs && t.stubs[t.nstubs - 1].kind == STUB_SLOW &&
			    t.stubs[t.nstubs - 1].op == op && !t.stubs[t.nstubs - 1].resume)
				t.stubs[t.nstubs - 1].resume = t.e.len;
			continue;
		}
		if (emit_jump(&t, op, k)) {
			ended = true;
			continue;
		}
		/* Everything else: the shared semantics function. */
		fallback(&t, op, k);
	}
	if (!ended)
		emit_goto(&t, b->va + b->ops[b->n_ops].pc_off, b->n_ops);
	emit_stubs(&t);

	if (t.e.overflow) {
		/* BLOCK_CODE_MAX is a bound on what one block can need, so this
		 * means it is wrong: start over rather than run broken code. */
		fprintf(stderr, "rvjit: translated block at %#" PRIx64 " exceeds its code budget\n", b->va);
		tb_flush(j->m);
		return false;
	}
	j->cb.used = (t.e.len + 15) & ~(size_t)15;
	/* Published last: harts look for it without the TB lock. */
	__atomic_store_n(&b->native, code_buffer_rx(&j->cb, entry), __ATOMIC_RELEASE);
	j->stats.blocks_translated++;
	j->stats.code_bytes += t.e.len - start;
	log_translation(j, b, start, t.e.len - start);
	j->stats.translate_ns += host_monotonic_ns() - t0;
	return true;
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
	uint8_t bytes[8];
	memcpy(bytes, j->cb.rw + off, 8);
	bytes[0] = 0xe9; /* jmp rel32 */
	const int32_t rel = -(int32_t)JIT_DEAD_STUB - 5;
	memcpy(bytes + 1, &rel, 4);
	uint64_t word;
	memcpy(&word, bytes, 8);
	__atomic_store_n((uint64_t *)(void *)(j->cb.rw + off), word, __ATOMIC_RELEASE);
	__atomic_store_n(&b->native, NULL, __ATOMIC_RELEASE);
}

void jit_emit_stubs(struct jit *j)
{
	struct emitter e = { .buf = j->cb.rw, .cap = j->cb.size, .len = 0 };
	static const int saved[] = { RBP, RBX, R12, R13, R14, R15 };
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
