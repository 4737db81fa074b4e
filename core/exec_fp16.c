/*
 * Zfh and Zfhmin: half-precision floating point (unprivileged spec,
 * chapters "Zfh" and "Zfhmin"). The arithmetic is core/fpu.c's binary16;
 * the rules of core/exec_fp.c hold unchanged (FS Off is illegal, reserved
 * rounding modes are illegal, fflags accrue, writes mark FS Dirty), and
 * halves are NaN-boxed as singles are:
 *
 *  - "Zfh", NaN boxing: a half in a 64-bit f register has its upper 48 bits
 *    set; arithmetic reads an improperly boxed half as the canonical NaN
 *    (0x7e00). FLH and FMV.H.X box what they write, as does every
 *    operation with a half result.
 *  - FLH, FSH, FMV.X.H and FMV.H.X move bits unmodified: FSH stores the low
 *    16 bits and FMV.X.H sign-extends them, boxed or not.
 *  - FCVT.S.H and FCVT.D.H are exact; FCVT.H.S and FCVT.H.D round once,
 *    from the exact value.
 */
#include "exec_fp.h"

#define SX16(v) ((uint64_t)(int64_t)(int16_t)(v))

int exec_flh(struct hart *h, const struct op *op)
{
	return fp_load(h, op, 2);
}

int exec_fsh(struct hart *h, const struct op *op)
{
	return fp_store(h, op, 2);
}

/* FMADD.H .. FCVT.LU.H, as for every format. */
FP_FORMAT_INSNS(h, f16, FOP_H, H1, H2, H3, F16_SIGN)
/* Widening is exact but the rm field must still not be reserved. */
FOP_S(fcvt_s_h, RM_USED, f16_to_f32(H1, &fl))
FOP_H(fcvt_h_s, RM_USED, f32_to_f16(S1, rm, &fl))
FOP_D(fcvt_d_h, RM_USED, f16_to_f64(H1, &fl))
FOP_H(fcvt_h_d, RM_USED, f64_to_f16(D1, rm, &fl))
FOP_H(fcvt_h_w, RM_USED, f16_from_i64((int32_t)X1, rm, &fl))
FOP_H(fcvt_h_wu, RM_USED, f16_from_u64((uint32_t)X1, rm, &fl))
FOP_H(fcvt_h_l, RM_USED, f16_from_i64((int64_t)X1, rm, &fl))
FOP_H(fcvt_h_lu, RM_USED, f16_from_u64(X1, rm, &fl))
/* FMV.X.H: the low 16 bits unmodified, sign-extended. */
XOP(fmv_x_h, RM_NONE, SX16(h->f[op->rs1]))
FOP_H(fmv_h_x, RM_NONE, (uint16_t)X1)
