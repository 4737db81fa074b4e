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
#include "core/insn.h"
#include "tctx.h"

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

bool emit_fp_op(struct tctx *t, const struct op *op, unsigned k)
{
	if (!emit_fp(t, op, k))
		return false;
	/* Slow paths of the op resume after its native code. */
	if (t->nstubs && t->stubs[t->nstubs - 1].kind == STUB_SLOW &&
	    t->stubs[t->nstubs - 1].op == op && !t->stubs[t->nstubs - 1].resume)
		mark_resume(t);
	return true;
}
