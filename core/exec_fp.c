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
	return fp_load(h, op, 4);
}

int exec_fld(struct hart *h, const struct op *op)
{
	return fp_load(h, op, 8);
}

int exec_fsw(struct hart *h, const struct op *op)
{
	return fp_store(h, op, 4);
}

int exec_fsd(struct hart *h, const struct op *op)
{
	return fp_store(h, op, 8);
}

/* ---- single precision (chapter 11) ---- */

/* FMADD.S .. FCVT.LU.S (11.6-11.9), as for every format. */
FP_FORMAT_INSNS(s, f32, FOP_S, S1, S2, S3, F32_SIGN)
/* 11.7: FMV.X.W copies the low 32 bits unmodified, sign-extended. */
XOP(fmv_x_w, RM_NONE, SX32(h->f[op->rs1]))
FOP_S(fcvt_s_w, RM_USED, f32_from_i32((int32_t)X1, rm, &fl))
FOP_S(fcvt_s_wu, RM_USED, f32_from_u32((uint32_t)X1, rm, &fl))
FOP_S(fcvt_s_l, RM_USED, f32_from_i64((int64_t)X1, rm, &fl))
FOP_S(fcvt_s_lu, RM_USED, f32_from_u64(X1, rm, &fl))
FOP_S(fmv_w_x, RM_NONE, (uint32_t)X1)

/* ---- double precision (chapter 12) ---- */

/* FMADD.D .. FCVT.LU.D (12.4-12.7), as for every format. */
FP_FORMAT_INSNS(d, f64, FOP_D, D1, D2, D3, F64_SIGN)
/* 12.5: FCVT.S.D rounds; FCVT.D.S is exact but still has an rm field, which
 * must not be reserved. */
FOP_S(fcvt_s_d, RM_USED, f64_to_f32(D1, rm, &fl))
FOP_D(fcvt_d_s, RM_USED, f32_to_f64(S1, &fl))
FOP_D(fcvt_d_w, RM_USED, f64_from_i32((int32_t)X1, rm, &fl))
FOP_D(fcvt_d_wu, RM_USED, f64_from_u32((uint32_t)X1, rm, &fl))
FOP_D(fcvt_d_l, RM_USED, f64_from_i64((int64_t)X1, rm, &fl))
FOP_D(fcvt_d_lu, RM_USED, f64_from_u64(X1, rm, &fl))
XOP(fmv_x_d, RM_NONE, h->f[op->rs1])
FOP_D(fmv_d_x, RM_NONE, X1)
