/*
 * F and D: single- and double-precision floating point (unprivileged spec
 * 20191213, chapters 11 and 12). The arithmetic itself is core/fpu.c; this
 * file is the architectural glue around it:
 *
 *  - mstatus.FS == Off makes every F/D instruction illegal (priv 3.1.6.6),
 *    loads and stores and moves included.
 *  - rm field 7 selects frm; rm 5 or 6, or frm >= 5 under DYN, is reserved
 *    and illegal (11.2). Only instructions whose encoding has an rm field
 *    check it (FMV, FCLASS, FSGNJ, FMIN/FMAX and compares have a fixed
 *    funct3).
 *  - fflags accrue (11.2). An instruction that writes an f register or
 *    raises a flag marks the FP state Dirty, and only then (priv 3.1.6.6).
 *  - Singles live NaN-boxed in the 64-bit f registers (12.2): the upper 32
 *    bits are ones. Arithmetic reads an improperly boxed single as the
 *    canonical NaN; the transfer instructions (FLW, FSW, FMV.X.W, FMV.W.X)
 *    move bits unmodified.
 */
#include "exec_fp.h"

/* ---- loads and stores (11.5, 12.3): bits move unmodified ---- */

int exec_flw(struct hart *h, const struct op *op)
{
	uint64_t v;
	int r;

	if (unlikely(h->fs_off))
		return hart_illegal(h, op);
	r = mem_load(h, op, fp_addr(h, op), 4, &v);
	if (r != EXEC_NEXT)
		return r;
	f32_set(h, op->rd, (uint32_t)v);
	hart_fs_dirty(h);
	return EXEC_NEXT;
}

int exec_fld(struct hart *h, const struct op *op)
{
	uint64_t v;
	int r;

	if (unlikely(h->fs_off))
		return hart_illegal(h, op);
	r = mem_load(h, op, fp_addr(h, op), 8, &v);
	if (r != EXEC_NEXT)
		return r;
	h->f[op->rd] = v;
	hart_fs_dirty(h);
	return EXEC_NEXT;
}

int exec_fsw(struct hart *h, const struct op *op)
{
	if (unlikely(h->fs_off))
		return hart_illegal(h, op);
	/* The low 32 bits, whether or not they are properly boxed (12.2). */
	return mem_store(h, op, fp_addr(h, op), 4, (uint32_t)h->f[op->rs2]);
}

int exec_fsd(struct hart *h, const struct op *op)
{
	if (unlikely(h->fs_off))
		return hart_illegal(h, op);
	return mem_store(h, op, fp_addr(h, op), 8, h->f[op->rs2]);
}

/* ---- single precision (chapter 11) ---- */

FOP_S(fmadd_s, RM_USED, f32_fmadd(S1, S2, S3, rm, &fl))
FOP_S(fmsub_s, RM_USED, f32_fmsub(S1, S2, S3, rm, &fl))
FOP_S(fnmsub_s, RM_USED, f32_fnmsub(S1, S2, S3, rm, &fl))
FOP_S(fnmadd_s, RM_USED, f32_fnmadd(S1, S2, S3, rm, &fl))
FOP_S(fadd_s, RM_USED, f32_add(S1, S2, rm, &fl))
FOP_S(fsub_s, RM_USED, f32_sub(S1, S2, rm, &fl))
FOP_S(fmul_s, RM_USED, f32_mul(S1, S2, rm, &fl))
FOP_S(fdiv_s, RM_USED, f32_div(S1, S2, rm, &fl))
FOP_S(fsqrt_s, RM_USED, f32_sqrt(S1, rm, &fl))
/* 11.7: sign injection is not a transfer, so operands are unboxed first. */
FOP_S(fsgnj_s, RM_NONE, (S1 & ~F32_SIGN) | (S2 & F32_SIGN))
FOP_S(fsgnjn_s, RM_NONE, (S1 & ~F32_SIGN) | (~S2 & F32_SIGN))
FOP_S(fsgnjx_s, RM_NONE, S1 ^ (S2 & F32_SIGN))
FOP_S(fmin_s, RM_NONE, f32_min(S1, S2, &fl))
FOP_S(fmax_s, RM_NONE, f32_max(S1, S2, &fl))
/* 11.7: 32-bit results are sign-extended, FCVT.WU.S's too. */
XOP(fcvt_w_s, RM_USED, SX32(f32_to_i32(S1, rm, &fl)))
XOP(fcvt_wu_s, RM_USED, SX32(f32_to_u32(S1, rm, &fl)))
XOP(fcvt_l_s, RM_USED, (uint64_t)f32_to_i64(S1, rm, &fl))
XOP(fcvt_lu_s, RM_USED, f32_to_u64(S1, rm, &fl))
/* 11.7: FMV.X.W copies the low 32 bits unmodified, sign-extended. */
XOP(fmv_x_w, RM_NONE, SX32(h->f[op->rs1]))
XOP(fclass_s, RM_NONE, f32_classify(S1))
XOP(feq_s, RM_NONE, (uint64_t)f32_eq(S1, S2, &fl))
XOP(flt_s, RM_NONE, (uint64_t)f32_lt(S1, S2, &fl))
XOP(fle_s, RM_NONE, (uint64_t)f32_le(S1, S2, &fl))
FOP_S(fcvt_s_w, RM_USED, f32_from_i32((int32_t)X1, rm, &fl))
FOP_S(fcvt_s_wu, RM_USED, f32_from_u32((uint32_t)X1, rm, &fl))
FOP_S(fcvt_s_l, RM_USED, f32_from_i64((int64_t)X1, rm, &fl))
FOP_S(fcvt_s_lu, RM_USED, f32_from_u64(X1, rm, &fl))
FOP_S(fmv_w_x, RM_NONE, (uint32_t)X1)

/* ---- double precision (chapter 12) ---- */

FOP_D(fmadd_d, RM_USED, f64_fmadd(D1, D2, D3, rm, &fl))
FOP_D(fmsub_d, RM_USED, f64_fmsub(D1, D2, D3, rm, &fl))
FOP_D(fnmsub_d, RM_USED, f64_fnmsub(D1, D2, D3, rm, &fl))
FOP_D(fnmadd_d, RM_USED, f64_fnmadd(D1, D2, D3, rm, &fl))
FOP_D(fadd_d, RM_USED, f64_add(D1, D2, rm, &fl))
FOP_D(fsub_d, RM_USED, f64_sub(D1, D2, rm, &fl))
FOP_D(fmul_d, RM_USED, f64_mul(D1, D2, rm, &fl))
FOP_D(fdiv_d, RM_USED, f64_div(D1, D2, rm, &fl))
FOP_D(fsqrt_d, RM_USED, f64_sqrt(D1, rm, &fl))
FOP_D(fsgnj_d, RM_NONE, (D1 & ~F64_SIGN) | (D2 & F64_SIGN))
FOP_D(fsgnjn_d, RM_NONE, (D1 & ~F64_SIGN) | (~D2 & F64_SIGN))
FOP_D(fsgnjx_d, RM_NONE, D1 ^ (D2 & F64_SIGN))
FOP_D(fmin_d, RM_NONE, f64_min(D1, D2, &fl))
FOP_D(fmax_d, RM_NONE, f64_max(D1, D2, &fl))
/* 12.5: FCVT.S.D rounds; FCVT.D.S is exact but still has an rm field, which
 * must not be reserved. */
FOP_S(fcvt_s_d, RM_USED, f64_to_f32(D1, rm, &fl))
FOP_D(fcvt_d_s, RM_USED, f32_to_f64(S1, &fl))
XOP(feq_d, RM_NONE, (uint64_t)f64_eq(D1, D2, &fl))
XOP(flt_d, RM_NONE, (uint64_t)f64_lt(D1, D2, &fl))
XOP(fle_d, RM_NONE, (uint64_t)f64_le(D1, D2, &fl))
XOP(fclass_d, RM_NONE, f64_classify(D1))
XOP(fcvt_w_d, RM_USED, SX32(f64_to_i32(D1, rm, &fl)))
XOP(fcvt_wu_d, RM_USED, SX32(f64_to_u32(D1, rm, &fl)))
XOP(fcvt_l_d, RM_USED, (uint64_t)f64_to_i64(D1, rm, &fl))
XOP(fcvt_lu_d, RM_USED, f64_to_u64(D1, rm, &fl))
FOP_D(fcvt_d_w, RM_USED, f64_from_i32((int32_t)X1, rm, &fl))
FOP_D(fcvt_d_wu, RM_USED, f64_from_u32((uint32_t)X1, rm, &fl))
FOP_D(fcvt_d_l, RM_USED, f64_from_i64((int64_t)X1, rm, &fl))
FOP_D(fcvt_d_lu, RM_USED, f64_from_u64(X1, rm, &fl))
XOP(fmv_x_d, RM_NONE, h->f[op->rs1])
FOP_D(fmv_d_x, RM_NONE, X1)
