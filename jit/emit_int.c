/*
 * Integer instructions emitted natively: the base ALU ops (register-
 * immediate and register-register, 64- and 32-bit; shifts by a register
 * with BMI2's shlx/shrx/sarx when the host has them), multiply and divide
 * (M extension).
 */
#include "core/insn.h"
#include "tctx.h"

/* The x86 operation of the ALU ops that are one (add, addi, addw, ...). */
static enum x86_alu alu_of(unsigned id)
{
	switch (id) {
	case INSN_add:
	case INSN_addi:
	case INSN_addw:
	case INSN_addiw:
		return ALU_ADD;
	case INSN_sub:
	case INSN_subw:
		return ALU_SUB;
	case INSN_xor:
	case INSN_xori:
		return ALU_XOR;
	case INSN_or:
	case INSN_ori:
		return ALU_OR;
	default: /* and, andi */
		return ALU_AND;
	}
}

/* The x86 shift of the shifts, at either width, by immediate or register. */
static enum x86_shift shift_of(unsigned id)
{
	switch (id) {
	case INSN_sll:
	case INSN_slli:
	case INSN_sllw:
	case INSN_slliw:
		return SHIFT_SHL;
	case INSN_srl:
	case INSN_srli:
	case INSN_srlw:
	case INSN_srliw:
		return SHIFT_SHR;
	default: /* sra, srai, sraw, sraiw */
		return SHIFT_SAR;
	}
}

/* sll, srl, sra and their W forms into d (not rs2's register) with BMI2's
 * shlx/shrx/sarx, which take the count from any register and leave rs1's
 * alone: no load of the count into cl. False without BMI2. */
static bool emit_shiftx(struct tctx *t, const struct op *op, int d)
{
	if (!(t->j->host_features & HOST_BMI2))
		return false;
	const bool wide = !(insn_table[op->id].flags & INSN_WORD);
	int count = x_host(t, op->rs2);
	if (count < 0) {
		load_x(t, RCX, op->rs2);
		count = RCX;
	}
	int src = x_host(t, op->rs1);
	if (src < 0) {
		load_x(t, d, op->rs1);
		src = d;
	}
	(wide ? emit_shiftx_r64 : emit_shiftx_r32)(&t->e, shift_of(op->id), d, src, count);
	return true;
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
	const enum x86_alu alu = alu_of(op->id);
	const enum x86_shift shift = shift_of(op->id);
	switch (op->id) {
	case INSN_addi:
		if (!imm)
			return true;
		/* fall through */
	case INSN_xori:
	case INSN_ori:
	case INSN_andi:
		if (h >= 0)
			emit_alu_r64_imm(e, alu, h, imm);
		else
			emit_alu_m64_imm(e, alu, XREG(rd), imm);
		break;
	case INSN_slli:
	case INSN_srli:
	case INSN_srai:
		if (h >= 0)
			emit_shift_r64_imm(e, shift, h, (uint8_t)imm);
		else
			emit_shift_m64_imm(e, shift, XREG(rd), (uint8_t)imm);
		break;
	case INSN_add:
	case INSN_sub:
	case INSN_xor:
	case INSN_or:
	case INSN_and:
		if (h >= 0) {
			alu_x(t, alu, true, h, op->rs2);
		} else {
			load_x(t, RAX, op->rs2);
			emit_alu_m64_r64(e, alu, XREG(rd), RAX);
		}
		break;
	default:
		return false;
	}
	if (h >= 0)
		wrote_x(t, rd);
	return true;
}

/* Register-immediate and register-register ALU ops, mul and mulw. */
void emit_alu(struct tctx *t, const struct op *op, unsigned k)
{
	struct emitter *e = &t->e;
	const unsigned rd = op->rd, rs1 = op->rs1, rs2 = op->rs2;
	const int32_t imm = op->imm;
	if (rd == XREG_SINK)
		return; /* no side effects: a hint or nop */
	if (emit_alu_in_place(t, op))
		return;
	/* Compute straight into rd's host register, unless rd is also rs2
	 * (read after the first write). */
	const bool reads_rs2 = insn_table[op->id].format == FMT_R;
	int d = RAX;
	if ((t->cached & xbit(rd)) && !(reads_rs2 && rs2 == rd))
		d = t->host[rd];
	const enum x86_alu alu = alu_of(op->id);
	const enum x86_shift shift = shift_of(op->id);
	switch (op->id) {
	case INSN_lui:
		set_x_imm(t, rd, imm);
		return;
	case INSN_auipc:
		emit_mov_r64_imm(e, d, op_va(t, op) + (uint64_t)(int64_t)imm);
		break;
	case INSN_addi:
		if (rs1 == 0) {
			set_x_imm(t, rd, imm);
			return;
		}
		load_x(t, d, rs1);
		if (imm)
			emit_alu_r64_imm(e, alu, d, imm);
		break;
	case INSN_xori:
	case INSN_ori:
	case INSN_andi:
		load_x(t, d, rs1);
		emit_alu_r64_imm(e, alu, d, imm);
		break;
	case INSN_slli:
	case INSN_srli:
	case INSN_srai:
		load_x(t, d, rs1);
		emit_shift_r64_imm(e, shift, d, (uint8_t)imm);
		break;
	case INSN_add:
	case INSN_sub:
	case INSN_xor:
	case INSN_or:
	case INSN_and:
		if (rs1 == 0 && op->id != INSN_sub && op->id != INSN_and) {
			load_x(t, d, rs2); /* mv (c.mv is add rd, x0, rs2) */
			break;
		}
		load_x(t, d, rs1);
		alu_x(t, alu, true, d, rs2);
		break;
	case INSN_sll:
	case INSN_srl:
	case INSN_sra:
		/* x86 masks 64-bit shift counts to 6 bits, as RV64 does. */
		if (emit_shiftx(t, op, d))
			break;
		load_x(t, RCX, rs2);
		load_x(t, d, rs1);
		emit_shift_r64_cl(e, shift, d);
		break;
	case INSN_addiw:
		if (imm == 0 && x_host(t, rs1) >= 0) { /* sext.w */
			emit_movsxd_r64_r32(e, d, x_host(t, rs1));
			break;
		}
		load_x(t, d, rs1);
		emit_alu_r32_imm(e, alu, d, imm);
		emit_movsxd_r64_r32(e, d, d);
		break;
	case INSN_slliw:
	case INSN_srliw:
	case INSN_sraiw:
		load_x(t, d, rs1);
		emit_shift_r32_imm(e, shift, d, (uint8_t)imm);
		emit_movsxd_r64_r32(e, d, d);
		break;
	case INSN_addw:
	case INSN_subw:
		load_x(t, d, rs1);
		alu_x(t, alu, false, d, rs2);
		emit_movsxd_r64_r32(e, d, d);
		break;
	case INSN_sllw:
	case INSN_srlw:
	case INSN_sraw:
		/* 32-bit x86 shifts mask the count to 5 bits, as the *w ops do. */
		if (!emit_shiftx(t, op, d)) {
			load_x(t, RCX, rs2);
			load_x(t, d, rs1);
			emit_shift_r32_cl(e, shift, d);
		}
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
	default: /* a row naming this emitter that it does not know */
		fallback(t, op, k);
		return;
	}
	if (d == RAX)
		set_x(t, rd, RAX);
	else
		wrote_x(t, rd);
}

/* slt, sltu, slti, sltiu: setcc writes al, so the result comes from rax. */
void emit_slt(struct tctx *t, const struct op *op, unsigned k)
{
	struct emitter *e = &t->e;
	(void)k;
	if (op->rd == XREG_SINK)
		return;
	const unsigned id = op->id;
	load_x(t, RCX, op->rs1);
	emit_alu_r32_r32(e, ALU_XOR, RAX, RAX);
	if (insn_table[id].format == FMT_R)
		alu_x(t, ALU_CMP, true, RCX, op->rs2);
	else
		emit_alu_r64_imm(e, ALU_CMP, RCX, op->imm);
	emit_setcc_r8(e, id == INSN_slt || id == INSN_slti ? CC_L : CC_B, RAX);
	set_x(t, op->rd, RAX);
}

/*
 * Division (M extension, unprivileged spec table 7.1): x86 traps on a zero
 * divisor and on INT_MIN / -1, RISC-V defines both results, so those two
 * cases are handled before idiv/div: x / 0 = all ones, x % 0 = x;
 * INT_MIN / -1 = INT_MIN (= -x, wrapping), INT_MIN % -1 = 0.
 */
void emit_div(struct tctx *t, const struct op *op, unsigned k)
{
	struct emitter *e = &t->e;
	const unsigned id = op->id;
	const bool is_signed =
	    id == INSN_div || id == INSN_rem || id == INSN_divw || id == INSN_remw;
	const bool is_rem =
	    id == INSN_rem || id == INSN_remu || id == INSN_remw || id == INSN_remuw;
	const bool wide = !(insn_table[id].flags & INSN_WORD);
	(void)k;
	if (op->rd == XREG_SINK)
		return;
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
}

/* mulh and mulhu are one x86 instruction, with the high half in rdx;
 * mulhsu is the unsigned high product, minus b when a is negative. */
void emit_mulh(struct tctx *t, const struct op *op, unsigned k)
{
	struct emitter *e = &t->e;
	(void)k;
	if (op->rd == XREG_SINK)
		return;
	load_x(t, RAX, op->rs1);
	load_x(t, RCX, op->rs2);
	if (op->id == INSN_mulh) {
		emit_imul1_r64(e, RCX);
	} else if (op->id == INSN_mulhu) {
		emit_mul_r64(e, RCX);
	} else {
		emit_mul_r64(e, RCX);
		load_x(t, RAX, op->rs1);
		emit_shift_r64_imm(e, SHIFT_SAR, RAX, 63);
		emit_alu_r64_r64(e, ALU_AND, RAX, RCX);
		emit_alu_r64_r64(e, ALU_SUB, RDX, RAX);
	}
	set_x(t, op->rd, RDX);
}
