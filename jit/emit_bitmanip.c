/*
 * Bit manipulation emitted natively: Zba, Zbb, Zbs (RISC-V Bit-Manipulation
 * ISA extensions 1.0.0, chapter 2) and Zicond 1.0. core/exec_bitmanip.c
 * gives each instruction's meaning; this file only has to agree with it,
 * which the lockstep check (--check) and the translator fuzzer test.
 *
 * Where the host has a single instruction for the job (host_cpu.h: lzcnt,
 * tzcnt, popcnt, andn, rorx, shrx) it is used; every one of them has a
 * plain x86-64 sequence for hosts without it (RVJIT_HOST_FEATURES=none
 * forces those). A result that one instruction computes from its sources
 * goes straight into rd's cache register (result_reg); longer sequences
 * work in rax and move the result to rd at the end (finish).
 */
#include "core/insn.h"
#include "tctx.h"

static bool host_has(const struct tctx *t, unsigned feature)
{
	return (t->j->host_features & feature) == feature;
}

/* A register holding x: its cache register when loaded, else scratch. */
static int src_reg(struct tctx *t, unsigned x, int scratch)
{
	const int h = x_host(t, x);
	if (h >= 0)
		return h;
	load_x(t, scratch, x);
	return scratch;
}

/* Where an instruction that reads all its sources at once may put op's
 * result: rd's cache register, or rax when rd is not cached. */
static int result_reg(const struct tctx *t, const struct op *op)
{
	return (t->cached & xbit(op->rd)) ? t->host[op->rd] : RAX;
}

/* rd = the result in reg (result_reg's, or rax). */
static void finish(struct tctx *t, const struct op *op, int reg)
{
	if (reg == RAX)
		set_x(t, op->rd, RAX);
	else
		wrote_x(t, op->rd);
}

/* scratch = the low 32 bits of x, zero-extended (the .uw operand). */
static void load_x_u32(struct tctx *t, int scratch, unsigned x)
{
	const int h = x_host(t, x);
	if (x == 0)
		emit_alu_r32_r32(&t->e, ALU_XOR, scratch, scratch);
	else if (h >= 0)
		emit_mov_r32_r32(&t->e, scratch, h);
	else
		emit_mov_r32_m(&t->e, scratch, XREG(x));
}

/*
 * Zba (2.1): shNadd rd = rs2 + (rs1 << N), add.uw and shNadd.uw the same
 * with rs1's low word zero-extended, slli.uw rd = zext32(rs1) << shamt.
 * One lea does the shift and the add (scale 2^N).
 */
void emit_shadd(struct tctx *t, const struct op *op, unsigned k)
{
	struct emitter *e = &t->e;
	(void)k;
	if (op->rd == XREG_SINK)
		return;
	unsigned shift = 0;
	bool uw = true;
	switch (op->id) {
	case INSN_slli_uw: {
		/* The first instruction reads rs1: d may be its register. */
		const int d = result_reg(t, op);
		load_x_u32(t, d, op->rs1);
		if (op->imm & 63)
			emit_shift_r64_imm(e, SHIFT_SHL, d, (uint8_t)(op->imm & 63));
		finish(t, op, d);
		return;
	}
	case INSN_sh1add:
		uw = false;
		/* fall through */
	case INSN_sh1add_uw:
		shift = 1;
		break;
	case INSN_sh2add:
		uw = false;
		/* fall through */
	case INSN_sh2add_uw:
		shift = 2;
		break;
	case INSN_sh3add:
		uw = false;
		/* fall through */
	case INSN_sh3add_uw:
		shift = 3;
		break;
	default: /* add.uw */
		break;
	}
	int index;
	if (uw) {
		load_x_u32(t, RCX, op->rs1);
		index = RCX;
	} else {
		index = src_reg(t, op->rs1, RCX);
	}
	const int base = src_reg(t, op->rs2, RDX);
	struct x86_mem m = mem_index(base, index, 0);
	m.scale = (uint8_t)(1u << shift);
	const int d = result_reg(t, op);
	emit_lea(e, d, m);
	finish(t, op, d);
}

/* Zbb (2.2): andn rd = rs1 & ~rs2, orn rd = rs1 | ~rs2, xnor rd = ~(rs1 ^ rs2). */
void emit_logic_not(struct tctx *t, const struct op *op, unsigned k)
{
	struct emitter *e = &t->e;
	(void)k;
	if (op->rd == XREG_SINK)
		return;
	switch (op->id) {
	case INSN_andn:
		if (host_has(t, HOST_BMI1)) {
			const int a = src_reg(t, op->rs1, RCX);
			const int b = src_reg(t, op->rs2, RDX);
			const int d = result_reg(t, op);
			emit_andn_r64(e, d, b, a);
			finish(t, op, d);
			return;
		}
		load_x(t, RAX, op->rs2);
		emit_not_r64(e, RAX);
		alu_x(t, ALU_AND, true, RAX, op->rs1);
		break;
	case INSN_orn:
		load_x(t, RAX, op->rs2);
		emit_not_r64(e, RAX);
		alu_x(t, ALU_OR, true, RAX, op->rs1);
		break;
	default: /* xnor */
		load_x(t, RAX, op->rs1);
		alu_x(t, ALU_XOR, true, RAX, op->rs2);
		emit_not_r64(e, RAX);
		break;
	}
	set_x(t, op->rd, RAX);
}

/* rax = the number of bits set in rax, without popcnt: the SWAR sum of
 * bit pairs, nibbles and bytes, then the bytes added by one multiply. */
static void emit_popcount_rax(struct emitter *e)
{
	emit_mov_r64_r64(e, RCX, RAX);
	emit_shift_r64_imm(e, SHIFT_SHR, RCX, 1);
	emit_mov_r64_imm(e, RDX, 0x5555555555555555);
	emit_alu_r64_r64(e, ALU_AND, RCX, RDX);
	emit_alu_r64_r64(e, ALU_SUB, RAX, RCX); /* 2-bit counts */
	emit_mov_r64_imm(e, RDX, 0x3333333333333333);
	emit_mov_r64_r64(e, RCX, RAX);
	emit_shift_r64_imm(e, SHIFT_SHR, RCX, 2);
	emit_alu_r64_r64(e, ALU_AND, RAX, RDX);
	emit_alu_r64_r64(e, ALU_AND, RCX, RDX);
	emit_alu_r64_r64(e, ALU_ADD, RAX, RCX); /* 4-bit counts */
	emit_mov_r64_r64(e, RCX, RAX);
	emit_shift_r64_imm(e, SHIFT_SHR, RCX, 4);
	emit_alu_r64_r64(e, ALU_ADD, RAX, RCX);
	emit_mov_r64_imm(e, RDX, 0x0f0f0f0f0f0f0f0f);
	emit_alu_r64_r64(e, ALU_AND, RAX, RDX); /* byte counts */
	emit_mov_r64_imm(e, RDX, 0x0101010101010101);
	emit_imul_r64_r64(e, RAX, RDX); /* their sum in the top byte */
	emit_shift_r64_imm(e, SHIFT_SHR, RAX, 56);
}

/*
 * Zbb (2.2): clz, ctz, cpop and their W forms. Of 0, clz and ctz give the
 * operand width (64, or 32 for the W forms), as lzcnt and tzcnt do. bsr
 * and bsf leave the destination undefined for 0 but set ZF, so the plain
 * sequences pick the width's value then: for clz, bsr gives the index i
 * of the top bit and 63 - i = i ^ 63; 0 takes 127, and 127 ^ 63 = 64.
 */
void emit_bitcount(struct tctx *t, const struct op *op, unsigned k)
{
	struct emitter *e = &t->e;
	(void)k;
	if (op->rd == XREG_SINK)
		return;
	const int s = src_reg(t, op->rs1, RCX);
	const int d = result_reg(t, op); /* for the one-instruction forms */
	switch (op->id) {
	case INSN_clz:
		if (host_has(t, HOST_LZCNT)) {
			emit_lzcnt_r64(e, d, s);
			finish(t, op, d);
			return;
		}
		emit_bsr_r64(e, RAX, s);
		emit_mov_r64_imm(e, RCX, 127);
		emit_cmov_r64_r64(e, CC_E, RAX, RCX);
		emit_alu_r32_imm(e, ALU_XOR, RAX, 63);
		break;
	case INSN_clzw:
		if (host_has(t, HOST_LZCNT)) {
			emit_lzcnt_r32(e, d, s);
			finish(t, op, d);
			return;
		}
		emit_bsr_r32(e, RAX, s);
		emit_mov_r64_imm(e, RCX, 63);
		emit_cmov_r32_r32(e, CC_E, RAX, RCX);
		emit_alu_r32_imm(e, ALU_XOR, RAX, 31);
		break;
	case INSN_ctz:
		if (host_has(t, HOST_BMI1)) {
			emit_tzcnt_r64(e, d, s);
			finish(t, op, d);
			return;
		}
		emit_bsf_r64(e, RAX, s);
		emit_mov_r64_imm(e, RCX, 64);
		emit_cmov_r64_r64(e, CC_E, RAX, RCX);
		break;
	case INSN_ctzw:
		if (host_has(t, HOST_BMI1)) {
			emit_tzcnt_r32(e, d, s);
			finish(t, op, d);
			return;
		}
		emit_bsf_r32(e, RAX, s);
		emit_mov_r64_imm(e, RCX, 32);
		emit_cmov_r32_r32(e, CC_E, RAX, RCX);
		break;
	case INSN_cpop:
		if (host_has(t, HOST_POPCNT)) {
			emit_popcnt_r64(e, d, s);
			finish(t, op, d);
			return;
		}
		emit_mov_r64_r64(e, RAX, s);
		emit_popcount_rax(e);
		break;
	default: /* cpopw */
		if (host_has(t, HOST_POPCNT)) {
			emit_popcnt_r32(e, d, s);
			finish(t, op, d);
			return;
		}
		emit_mov_r32_r32(e, RAX, s);
		emit_popcount_rax(e);
		break;
	}
	set_x(t, op->rd, RAX);
}

/* Zbb (2.2): max, maxu, min, minu: compare, then take rs2 where it wins. */
void emit_minmax(struct tctx *t, const struct op *op, unsigned k)
{
	struct emitter *e = &t->e;
	(void)k;
	if (op->rd == XREG_SINK)
		return;
	enum x86_cond take_rs2;
	switch (op->id) {
	case INSN_max:
		take_rs2 = CC_L; /* rs1 < rs2 */
		break;
	case INSN_maxu:
		take_rs2 = CC_B;
		break;
	case INSN_min:
		take_rs2 = CC_G; /* rs1 > rs2 */
		break;
	default: /* minu */
		take_rs2 = CC_A;
		break;
	}
	const int b = src_reg(t, op->rs2, RCX);
	load_x(t, RAX, op->rs1);
	emit_alu_r64_r64(e, ALU_CMP, RAX, b);
	emit_cmov_r64_r64(e, take_rs2, RAX, b);
	set_x(t, op->rd, RAX);
}

/* Zbb (2.2): sext.b, sext.h, zext.h. */
void emit_extend(struct tctx *t, const struct op *op, unsigned k)
{
	struct emitter *e = &t->e;
	(void)k;
	if (op->rd == XREG_SINK)
		return;
	const int s = src_reg(t, op->rs1, RCX);
	const int d = result_reg(t, op);
	if (op->id == INSN_sext_b)
		emit_movsx_r64_r8(e, d, s);
	else if (op->id == INSN_sext_h)
		emit_movsx_r64_r16(e, d, s);
	else /* zext.h */
		emit_movzx_r32_r16(e, d, s);
	finish(t, op, d);
}

/* Zbb (2.2): rol, ror, rori and the W forms, whose rotate is of the low
 * word, sign-extended. x86 masks the count in cl to 6 bits (5 for 32-bit
 * operands), as the spec takes rs2 modulo the width. */
void emit_rotate(struct tctx *t, const struct op *op, unsigned k)
{
	struct emitter *e = &t->e;
	(void)k;
	if (op->rd == XREG_SINK)
		return;
	const bool word = insn_table[op->id].flags & INSN_WORD;
	switch (op->id) {
	case INSN_rol:
	case INSN_ror:
	case INSN_rolw:
	case INSN_rorw: {
		const enum x86_shift rot =
		    op->id == INSN_rol || op->id == INSN_rolw ? SHIFT_ROL : SHIFT_ROR;
		load_x(t, RCX, op->rs2);
		load_x(t, RAX, op->rs1);
		if (word)
			emit_shift_r32_cl(e, rot, RAX);
		else
			emit_shift_r64_cl(e, rot, RAX);
		break;
	}
	default: { /* rori, roriw */
		const uint8_t n = (uint8_t)(op->imm & (word ? 31 : 63));
		if (host_has(t, HOST_BMI2) && !word) {
			const int s = src_reg(t, op->rs1, RCX);
			const int d = result_reg(t, op);
			emit_rorx_r64(e, d, s, n);
			finish(t, op, d);
			return;
		}
		if (host_has(t, HOST_BMI2)) {
			emit_rorx_r32(e, RAX, src_reg(t, op->rs1, RCX), n);
		} else {
			load_x(t, RAX, op->rs1);
			if (word)
				emit_shift_r32_imm(e, SHIFT_ROR, RAX, n);
			else
				emit_shift_r64_imm(e, SHIFT_ROR, RAX, n);
		}
		break;
	}
	}
	if (word)
		emit_movsxd_r64_r32(e, RAX, RAX);
	set_x(t, op->rd, RAX);
}

/* Zbb (2.2): rev8 reverses the bytes (bswap); orc.b makes each byte 0xff
 * when nonzero and 0 when zero: SSE2's pcmpeqb against zero gives the
 * opposite, so its complement (SSE2 is part of x86-64: no feature test). */
void emit_bytes(struct tctx *t, const struct op *op, unsigned k)
{
	struct emitter *e = &t->e;
	(void)k;
	if (op->rd == XREG_SINK)
		return;
	if (op->id == INSN_rev8) {
		load_x(t, RAX, op->rs1);
		emit_bswap_r64(e, RAX);
	} else {
		emit_movq_x_r64(e, 0, src_reg(t, op->rs1, RCX));
		emit_pxor_x_x(e, 1, 1);
		emit_pcmpeqb_x_x(e, 0, 1);
		emit_movq_r64_x(e, RAX, 0);
		emit_not_r64(e, RAX);
	}
	set_x(t, op->rd, RAX);
}

/* Zbs (2.4): bit rs2 (or shamt) modulo 64 of rs1 cleared, extracted,
 * inverted or set. bt* with a register bit offset takes it modulo 64. */
void emit_single_bit(struct tctx *t, const struct op *op, unsigned k)
{
	struct emitter *e = &t->e;
	(void)k;
	if (op->rd == XREG_SINK)
		return;
	const uint8_t n = (uint8_t)(op->imm & 63);
	switch (op->id) {
	case INSN_bclr:
	case INSN_binv:
	case INSN_bset: {
		const enum x86_bt bt = op->id == INSN_bclr   ? BT_RESET
				       : op->id == INSN_binv ? BT_COMPLEMENT
							     : BT_SET;
		const int b = src_reg(t, op->rs2, RCX);
		load_x(t, RAX, op->rs1);
		emit_bt_r64_r64(e, bt, RAX, b);
		break;
	}
	case INSN_bclri:
		load_x(t, RAX, op->rs1);
		emit_bt_r64_imm(e, BT_RESET, RAX, n);
		break;
	case INSN_binvi:
		load_x(t, RAX, op->rs1);
		emit_bt_r64_imm(e, BT_COMPLEMENT, RAX, n);
		break;
	case INSN_bseti:
		load_x(t, RAX, op->rs1);
		emit_bt_r64_imm(e, BT_SET, RAX, n);
		break;
	case INSN_bext:
		if (host_has(t, HOST_BMI2)) {
			const int a = src_reg(t, op->rs1, RAX);
			const int b = src_reg(t, op->rs2, RCX);
			emit_shiftx_r64(e, SHIFT_SHR, RAX, a, b);
		} else {
			load_x(t, RCX, op->rs2);
			load_x(t, RAX, op->rs1);
			emit_shift_r64_cl(e, SHIFT_SHR, RAX);
		}
		emit_alu_r32_imm(e, ALU_AND, RAX, 1);
		break;
	default: /* bexti */
		load_x(t, RAX, op->rs1);
		if (n)
			emit_shift_r64_imm(e, SHIFT_SHR, RAX, n);
		emit_alu_r32_imm(e, ALU_AND, RAX, 1);
		break;
	}
	set_x(t, op->rd, RAX);
}

/* Zicond 1.0: czero.eqz rd = rs2 == 0 ? 0 : rs1; czero.nez rd = rs2 != 0 ? 0 : rs1. */
void emit_czero(struct tctx *t, const struct op *op, unsigned k)
{
	struct emitter *e = &t->e;
	(void)k;
	if (op->rd == XREG_SINK)
		return;
	const int value = src_reg(t, op->rs1, RDX);
	const int cond = src_reg(t, op->rs2, RCX);
	emit_alu_r32_r32(e, ALU_XOR, RAX, RAX);
	emit_test_r64_r64(e, cond, cond);
	emit_cmov_r64_r64(e, op->id == INSN_czero_eqz ? CC_NE : CC_E, RAX, value);
	set_x(t, op->rd, RAX);
}
