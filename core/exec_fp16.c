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
	uint64_t v;
	int r;

	if (unlikely(h->fs_off))
		return hart_illegal(h, op);
	r = mem_load(h, op, fp_addr(h, op), 2, &v);
	if (r != EXEC_NEXT)
		return r;
	f16_set(h, op->rd, (uint16_t)v);
	hart_fs_dirty(h);
	return EXEC_NEXT;
}

int exec_fsh(struct hart *h, const struct op *op)
{
	if (unlikely(h->fs_off))
		return hart_illegal(h, op);
	return mem_store(h, op, fp_addr(h, op), 2, (uint16_t)h->f[op->rs2]);
}

FOP_H(fmadd_h, RM_USED, f16_fmadd(H1, H2, H3, rm, &fl))
FOP_H(fmsub_h, RM_USED, f16_fmsub(H1, H2, H3, rm, &fl))
FOP_H(fnmsub_h, RM_USED, f16_fnmsub(H1, H2, H3, rm, &fl))
FOP_H(fnmadd_h, RM_USED, f16_fnmadd(H1, H2, H3, rm, &fl))
FOP_H(fadd_h, RM_USED, f16_add(H1, H2, rm, &fl))
FOP_H(fsub_h, RM_USED, f16_sub(H1, H2, rm, &fl))
FOP_H(fmul_h, RM_USED, f16_mul(H1, H2, rm, &fl))
FOP_H(fdiv_h, RM_USED, f16_div(H1, H2, rm, &fl))
FOP_H(fsqrt_h, RM_USED, f16_sqrt(H1, rm, &fl))
/* Sign injection reads its operands unboxed, as FSGNJ.S does (11.7). */
FOP_H(fsgnj_h, RM_NONE, (uint16_t)((H1 & ~F16_SIGN) | (H2 & F16_SIGN)))
FOP_H(fsgnjn_h, RM_NONE, (uint16_t)((H1 & ~F16_SIGN) | (~H2 & F16_SIGN)))
FOP_H(fsgnjx_h, RM_NONE, (uint16_t)(H1 ^ (H2 & F16_SIGN)))
FOP_H(fmin_h, RM_NONE, f16_min(H1, H2, &fl))
FOP_H(fmax_h, RM_NONE, f16_max(H1, H2, &fl))
/* Widening is exact but the rm field must still not be reserved. */
FOP_S(fcvt_s_h, RM_USED, f16_to_f32(H1, &fl))
FOP_H(fcvt_h_s, RM_USED, f32_to_f16(S1, rm, &fl))
FOP_D(fcvt_d_h, RM_USED, f16_to_f64(H1, &fl))
FOP_H(fcvt_h_d, RM_USED, f64_to_f16(D1, rm, &fl))
XOP(feq_h, RM_NONE, (uint64_t)f16_eq(H1, H2, &fl))
XOP(flt_h, RM_NONE, (uint64_t)f16_lt(H1, H2, &fl))
XOP(fle_h, RM_NONE, (uint64_t)f16_le(H1, H2, &fl))
XOP(fclass_h, RM_NONE, f16_classify(H1))
/* 32-bit results are sign-extended, FCVT.WU.H's too. */
XOP(fcvt_w_h, RM_USED, SX32(f16_to_i32(H1, rm, &fl)))
XOP(fcvt_wu_h, RM_USED, SX32(f16_to_u32(H1, rm, &fl)))
XOP(fcvt_l_h, RM_USED, (uint64_t)f16_to_i64(H1, rm, &fl))
XOP(fcvt_lu_h, RM_USED, f16_to_u64(H1, rm, &fl))
FOP_H(fcvt_h_w, RM_USED, f16_from_i64((int32_t)X1, rm, &fl))
FOP_H(fcvt_h_wu, RM_USED, f16_from_u64((uint32_t)X1, rm, &fl))
FOP_H(fcvt_h_l, RM_USED, f16_from_i64((int64_t)X1, rm, &fl))
FOP_H(fcvt_h_lu, RM_USED, f16_from_u64(X1, rm, &fl))
/* FMV.X.H: the low 16 bits unmodified, sign-extended. */
XOP(fmv_x_h, RM_NONE, SX16(h->f[op->rs1]))
FOP_H(fmv_h_x, RM_NONE, (uint16_t)X1)
