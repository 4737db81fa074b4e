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
 *
 * Every emitter here starts with fp_checks (those preconditions, from the
 * row's format and flags in core/insn.def) and, when the op writes an FP
 * register and can no longer trap, marks mstatus.FS dirty.
 */
#include "core/fpu.h"
#include "core/insn.h"
#include "tctx.h"

/* How many FP registers the op reads, from its operand layout. */
static unsigned fp_sources(enum insn_format f)
{
	switch (f) {
	case FMT_F4:
		return 3;
	case FMT_F3:
	case FMT_F3NR:
	case FMT_FCMP:
		return 2;
	default:
		return 1;
	}
}

/* The preconditions of every native F/D op, each sending the op to its
 * slow stub: mstatus.FS Off, a rounding mode SSE is not set to, a single
 * operand that is not NaN-boxed. False when the op always runs in C (a
 * static rounding mode other than RNE), and nothing more is to be emitted.
 * FS changes only through instructions that end the block, and the op
 * that finds it Off traps: the first op of a block tests it for the rest.
 * frm is tested by each op, whose slow path continues with the next. */
static bool fp_checks(struct tctx *t, const struct op *op, unsigned k)
{
	struct emitter *e = &t->e;
	const struct insn_info *in = &insn_table[op->id];
	if (!t->fs_checked) {
		emit_cmp_m8_imm(e, H(fs_off), 0);
		slow_if(t, op, k, CC_NE);
		t->fs_checked = true;
	}
	if (insn_format_has_rm(in->format)) {
		const int rm = op->imm;
		if (rm == 7) {
			emit_cmp_m8_imm(e, H(frm), 0);
			slow_if(t, op, k, CC_NE);
		} else if (rm >= 5 || (rm != 0 && (in->flags & INSN_ROUNDS))) {
			/* Reserved, or a mode SSE is not set to: always in C. */
			slow_always(t, op, k);
			return false;
		}
	}
	if (in->flags & INSN_S_IN) {
		const unsigned n = fp_sources(in->format);
		emit_alu_m32_imm(e, ALU_CMP, FREG_HI(op->rs1), -1);
		slow_if(t, op, k, CC_NE);
		if (n >= 2) {
			emit_alu_m32_imm(e, ALU_CMP, FREG_HI(op->rs2), -1);
			slow_if(t, op, k, CC_NE);
		}
		if (n == 3) {
			emit_alu_m32_imm(e, ALU_CMP, FREG_HI(op->rs3), -1);
			slow_if(t, op, k, CC_NE);
		}
	}
	return true;
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

/* fld, flw. A load can still fault: it marks FS dirty after the load. */
void emit_fp_load(struct tctx *t, const struct op *op, unsigned k)
{
	struct emitter *e = &t->e;
	if (!fp_checks(t, op, k))
		return;
	if (insn_table[op->id].flags & INSN_S_OUT) {
		const struct x86_mem host = emit_tlb_lookup(t, op, 4, false, k);
		emit_mov_r32_m(e, RCX, host);
		emit_mov_m_r32(e, FREG(op->rd), RCX);
		emit_alu_r32_r32(e, ALU_XOR, RCX, RCX);
		emit_alu_r32_imm(e, ALU_SUB, RCX, 1);
		emit_mov_m_r32(e, FREG_HI(op->rd), RCX); /* NaN-boxing */
	} else {
		const struct x86_mem host = emit_tlb_lookup(t, op, 8, false, k);
		emit_mov_r64_m(e, RCX, host);
		emit_mov_m_r64(e, FREG(op->rd), RCX);
	}
	emit_fs_dirty(t);
	mark_resume(t);
}

/* fsd, fsw */
void emit_fp_store(struct tctx *t, const struct op *op, unsigned k)
{
	struct emitter *e = &t->e;
	if (!fp_checks(t, op, k))
		return;
	if (op->id == INSN_fsw) {
		const struct x86_mem host = emit_tlb_lookup(t, op, 4, true, k);
		emit_mov_r32_m(e, RCX, FREG(op->rs2));
		emit_mov_m_r32(e, host, RCX);
	} else {
		const struct x86_mem host = emit_tlb_lookup(t, op, 8, true, k);
		emit_mov_r64_m(e, RCX, FREG(op->rs2));
		emit_mov_m_r64(e, host, RCX);
	}
	mark_resume(t);
}

/*
 * Fused multiply-add with the host's FMA3 (one rounding, as RISC-V). x86
 * differs only where the result is a NaN: it passes an input NaN through
 * instead of the canonical one, and 0 * inf + qNaN does not raise invalid,
 * which RISC-V requires. So a NaN result takes the exact path, which
 * computes it again from the unchanged operands.
 */
void emit_fma(struct tctx *t, const struct op *op, unsigned k)
{
	struct emitter *e = &t->e;
	if (!(t->j->host_features & HOST_FMA)) {
		fallback(t, op, k);
		return;
	}
	enum fma_op f;
	switch (op->id) {
	/* RISC-V's fnmsub is -(a*b) + c, x86's vfnmadd; fnmadd is -(a*b) - c. */
	case INSN_fmadd_s:
	case INSN_fmadd_d:
		f = FMA_MADD;
		break;
	case INSN_fmsub_s:
	case INSN_fmsub_d:
		f = FMA_MSUB;
		break;
	case INSN_fnmsub_s:
	case INSN_fnmsub_d:
		f = FMA_NMADD;
		break;
	default: /* fnmadd */
		f = FMA_NMSUB;
		break;
	}
	const bool single = insn_table[op->id].flags & INSN_S_IN; /* and out */
	if (!fp_checks(t, op, k))
		return;
	emit_fs_dirty(t);
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
}

static enum sse_op sse_op_of(unsigned id)
{
	switch (id) {
	case INSN_fadd_s:
	case INSN_fadd_d:
		return SSE_ADD;
	case INSN_fsub_s:
	case INSN_fsub_d:
		return SSE_SUB;
	case INSN_fmul_s:
	case INSN_fmul_d:
		return SSE_MUL;
	case INSN_fdiv_s:
	case INSN_fdiv_d:
		return SSE_DIV;
	case INSN_fsqrt_s:
	case INSN_fsqrt_d:
		return SSE_SQRT;
	default: /* fcvt.s.d, fcvt.d.s */
		return SSE_CVT;
	}
}

/* The F/D operations that are one SSE instruction. SSE computes in the
 * source width (ss/sd): binary ops take rs1 in xmm0 and rs2 from memory,
 * unary ones rs1 from memory. */
void emit_fp_arith(struct tctx *t, const struct op *op, unsigned k)
{
	struct emitter *e = &t->e;
	const struct insn_info *in = &insn_table[op->id];
	const bool src_single = in->flags & INSN_S_IN, dst_single = in->flags & INSN_S_OUT;
	const enum sse_op sse_op = sse_op_of(op->id);
	if (!fp_checks(t, op, k))
		return;
	emit_fs_dirty(t);
	void (*sse)(struct emitter *, enum sse_op, int, struct x86_mem) =
	    src_single ? emit_sse_ss_m : emit_sse_sd_m;
	if (in->format == FMT_F3) {
		if (src_single)
			emit_movss_x_m(e, 0, FREG(op->rs1));
		else
			emit_movsd_x_m(e, 0, FREG(op->rs1));
		sse(e, sse_op, 0, FREG(op->rs2));
	} else {
		sse(e, sse_op, 0, FREG(op->rs1));
	}
	canonicalize_nan(e, dst_single);
	store_fresult(e, op->rd, dst_single);
}

/* fcvt.d.w, fcvt.d.l */
void emit_fp_from_int(struct tctx *t, const struct op *op, unsigned k)
{
	struct emitter *e = &t->e;
	if (!fp_checks(t, op, k))
		return;
	emit_fs_dirty(t);
	if (op->id == INSN_fcvt_d_w)
		emit_cvtsi2sd_x_m32(e, 0, x_mem(t, op->rs1));
	else
		emit_cvtsi2sd_x_m64(e, 0, x_mem(t, op->rs1));
	store_fresult(e, op->rd, false);
}

/* fmv.x.d, fmv.x.w */
void emit_fmv_to_x(struct tctx *t, const struct op *op, unsigned k)
{
	struct emitter *e = &t->e;
	if (!fp_checks(t, op, k) || op->rd == XREG_SINK)
		return;
	if (op->id == INSN_fmv_x_w)
		emit_movsxd_r64_m32(e, RAX, FREG(op->rs1));
	else
		emit_mov_r64_m(e, RAX, FREG(op->rs1));
	set_x(t, op->rd, RAX);
}

/* fmv.d.x, fmv.w.x */
void emit_fmv_from_x(struct tctx *t, const struct op *op, unsigned k)
{
	struct emitter *e = &t->e;
	if (!fp_checks(t, op, k))
		return;
	emit_fs_dirty(t);
	load_x(t, RAX, op->rs1);
	if (insn_table[op->id].flags & INSN_S_OUT) {
		emit_mov_m_r32(e, FREG(op->rd), RAX);
		emit_alu_r32_r32(e, ALU_XOR, RAX, RAX);
		emit_alu_r32_imm(e, ALU_SUB, RAX, 1);
		emit_mov_m_r32(e, FREG_HI(op->rd), RAX); /* NaN-boxing */
	} else {
		emit_mov_m_r64(e, FREG(op->rd), RAX);
	}
}

/* fsgnj.d, fsgnjn.d, fsgnjx.d: sign injection is bit manipulation, no
 * flags, no NaN rules. */
void emit_fsgnj(struct tctx *t, const struct op *op, unsigned k)
{
	struct emitter *e = &t->e;
	if (!fp_checks(t, op, k))
		return;
	emit_fs_dirty(t);
	emit_mov_r64_m(e, RAX, FREG(op->rs1));
	emit_mov_r64_m(e, RCX, FREG(op->rs2));
	emit_mov_r64_imm(e, RDX, 0x8000000000000000ULL);
	if (op->id == INSN_fsgnjx_d) {
		emit_alu_r64_r64(e, ALU_AND, RCX, RDX);
		emit_alu_r64_r64(e, ALU_XOR, RAX, RCX);
	} else {
		if (op->id == INSN_fsgnjn_d)
			emit_alu_r64_r64(e, ALU_XOR, RCX, RDX);
		emit_alu_r64_r64(e, ALU_AND, RCX, RDX);
		emit_shift_r64_imm(e, SHIFT_SHL, RAX, 1);
		emit_shift_r64_imm(e, SHIFT_SHR, RAX, 1);
		emit_alu_r64_r64(e, ALU_OR, RAX, RCX);
	}
	emit_mov_m_r64(e, FREG(op->rd), RAX);
}

/* feq, flt, fle, and Zfa's fleq, fltq (.s and .d) */
void emit_fp_compare(struct tctx *t, const struct op *op, unsigned k)
{
	struct emitter *e = &t->e;
	const unsigned id = op->id;
	const bool single = insn_table[id].flags & INSN_S_IN;
	const bool eq = id == INSN_feq_d || id == INSN_feq_s;
	const bool lt =
	    id == INSN_flt_d || id == INSN_flt_s || id == INSN_fltq_d || id == INSN_fltq_s;
	/* feq, fleq and fltq are quiet (invalid only for signalling NaNs:
	 * ucomis*); flt and fle signal on any NaN (comis*). */
	const bool quiet =
	    eq || id == INSN_fleq_d || id == INSN_fleq_s || id == INSN_fltq_d || id == INSN_fltq_s;
	if (!fp_checks(t, op, k))
		return;
	/* Unordered sets ZF, PF and CF, which every condition below reads
	 * as false. Zero the result registers first: xor clobbers the flags. */
	emit_alu_r32_r32(e, ALU_XOR, RAX, RAX);
	emit_alu_r32_r32(e, ALU_XOR, RCX, RCX);
	/* feq compares (a, b); the others compare (b, a): a < b <=> b above
	 * a, a <= b <=> b above-or-equal a. */
	const unsigned first = eq ? op->rs1 : op->rs2, second = eq ? op->rs2 : op->rs1;
	if (single) {
		emit_movss_x_m(e, 0, FREG(first));
		emit_movss_x_m(e, 1, FREG(second));
		(quiet ? emit_ucomiss_x_x : emit_comiss_x_x)(e, 0, 1);
	} else {
		emit_movsd_x_m(e, 0, FREG(first));
		emit_movsd_x_m(e, 1, FREG(second));
		(quiet ? emit_ucomisd_x_x : emit_comisd_x_x)(e, 0, 1);
	}
	/* Unordered: the exact path sets the result, NV and FS. */
	slow_if(t, op, k, CC_P);
	if (eq) {
		emit_setcc_r8(e, CC_E, RAX);
		emit_setcc_r8(e, CC_NP, RCX);
		emit_alu_r32_r32(e, ALU_AND, RAX, RCX);
	} else {
		emit_setcc_r8(e, lt ? CC_A : CC_AE, RAX);
	}
	set_x(t, op->rd, RAX);
}

/* Zfa's fli.s, fli.d: a constant from the table (core/fpu.c, the one
 * source of the values), read at translation time; no flags. */
void emit_fli(struct tctx *t, const struct op *op, unsigned k)
{
	struct emitter *e = &t->e;
	if (!fp_checks(t, op, k))
		return;
	emit_fs_dirty(t);
	const uint64_t v =
	    op->id == INSN_fli_s ? 0xffffffff00000000ULL | f32_fli(op->rs1) : f64_fli(op->rs1);
	emit_mov_r64_imm(e, RAX, v);
	emit_mov_m_r64(e, FREG(op->rd), RAX);
}

/*
 * Zfa's fminm, fmaxm (.s and .d). An unordered pair (any NaN) takes the
 * exact path, which gives the canonical NaN and NV for a signalling one
 * (ucomis* has raised IE only then, too). Ordered: the smaller (larger)
 * operand's bits; when they compare equal they are the same number or
 * +0 and -0, and OR (AND) of the bits picks -0 (+0) as the minimum
 * (maximum), and keeps a single's NaN box.
 */
void emit_fminmax(struct tctx *t, const struct op *op, unsigned k)
{
	struct emitter *e = &t->e;
	const bool single = insn_table[op->id].flags & INSN_S_IN;
	const bool max = op->id == INSN_fmaxm_s || op->id == INSN_fmaxm_d;
	if (!fp_checks(t, op, k))
		return;
	if (single) {
		emit_movss_x_m(e, 0, FREG(op->rs1));
		emit_movss_x_m(e, 1, FREG(op->rs2));
		emit_ucomiss_x_x(e, 0, 1);
	} else {
		emit_movsd_x_m(e, 0, FREG(op->rs1));
		emit_movsd_x_m(e, 1, FREG(op->rs2));
		emit_ucomisd_x_x(e, 0, 1);
	}
	slow_if(t, op, k, CC_P);
	/* Moves and cmov keep the flags of the compare. */
	emit_mov_r64_m(e, RAX, FREG(op->rs1));
	emit_mov_r64_m(e, RCX, FREG(op->rs2));
	if (max) {
		emit_mov_r64_r64(e, RDX, RAX);
		emit_cmov_r64_r64(e, CC_B, RDX, RCX); /* a < b: b */
	} else {
		emit_mov_r64_r64(e, RDX, RCX);
		emit_cmov_r64_r64(e, CC_B, RDX, RAX); /* a < b: a */
	}
	const size_t unequal = emit_jcc_rel32(e, CC_NE, 0);
	emit_alu_r64_r64(e, max ? ALU_AND : ALU_OR, RDX, max ? RCX : RAX);
	emit_patch_rel32(e->buf, unequal, e->len);
	emit_fs_dirty(t);
	emit_mov_m_r64(e, FREG(op->rd), RDX);
}
