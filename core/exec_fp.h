/*
 * What the F, D, Zfh and Zfa exec functions (core/exec_fp.c,
 * core/exec_fp16.c, core/exec_zfa.c) share: reading NaN-boxed operands,
 * resolving the rounding mode, the FS and rm checks, and marking the FP
 * state dirty; the loads and stores of every width; and FP_FORMAT_INSNS,
 * the instructions each format defines alike. core/exec_fp.c's opening
 * comment states the rules.
 */
#ifndef RVJIT_EXEC_FP_H
#define RVJIT_EXEC_FP_H

#include "fpu.h"
#include "insn.h"
#include "mem.h"

#define F32_BOX 0xffffffff00000000ull
#define SX32(v) ((uint64_t)(int64_t)(int32_t)(v))

/* 12.2: a single is valid only when NaN-boxed. */
static inline uint32_t f32_reg(const struct hart *h, unsigned r)
{
	uint64_t v = h->f[r];
	return (v >> 32) == 0xffffffffu ? (uint32_t)v : F32_CANON_NAN;
}

static inline void f32_set(struct hart *h, unsigned r, uint32_t v)
{
	h->f[r] = F32_BOX | v;
}

/* Zfh: halves are NaN-boxed the same way, in the upper 48 bits. */
#define F16_BOX 0xffffffffffff0000ull

static inline uint16_t f16_reg(const struct hart *h, unsigned r)
{
	uint64_t v = h->f[r];
	return (v >> 16) == 0xffffffffffffull ? (uint16_t)v : F16_CANON_NAN;
}

static inline void f16_set(struct hart *h, unsigned r, uint16_t v)
{
	h->f[r] = F16_BOX | v;
}

/* The rounding mode an rm field selects, or -1 when it is reserved. */
static inline int fp_rm(const struct hart *h, const struct op *op)
{
	int rm = op->imm == FRM_DYN ? h->frm : op->imm;
	return (unsigned)rm <= FRM_RMM ? rm : -1;
}

/* After writing an f register. */
static inline void fp_wrote_f(struct hart *h, uint8_t fl)
{
	h->fflags |= fl;
	hart_fs_dirty(h);
}

/* After writing an x register: only raised flags change FP state. */
static inline void fp_wrote_x(struct hart *h, uint8_t fl)
{
	if (fl) {
		h->fflags |= fl;
		hart_fs_dirty(h);
	}
}

/* Operands as the expressions below use them. */
#define S1 f32_reg(h, op->rs1)
#define S2 f32_reg(h, op->rs2)
#define S3 f32_reg(h, op->rs3)
#define D1 (h->f[op->rs1])
#define D2 (h->f[op->rs2])
#define D3 (h->f[op->rs3])
#define H1 f16_reg(h, op->rs1)
#define H2 f16_reg(h, op->rs2)
#define H3 f16_reg(h, op->rs3)
#define X1 (h->x[op->rs1])

#define RM_NONE 0
#define RM_USED 1

/* Common entry: FS check, then the rm field when the encoding has one. The
 * body sees `rm` (resolved) and `fl` (flags raised by this instruction). */
#define FP_PROLOGUE(has_rm)                                                                        \
	uint8_t fl = 0;                                                                            \
	int rm = 0;                                                                                \
	if (unlikely(h->fs_off))                                                                   \
		return hart_illegal(h, op);                                                        \
	if (has_rm) {                                                                              \
		rm = fp_rm(h, op);                                                                 \
		if (unlikely(rm < 0))                                                              \
			return hart_illegal(h, op);                                                \
	}                                                                                          \
	(void)rm

/* Result is a single in fd. */
#define FOP_S(name, has_rm, expr)                                                                  \
	int exec_##name(struct hart *h, const struct op *op)                                       \
	{                                                                                          \
		FP_PROLOGUE(has_rm);                                                               \
		uint32_t r_ = (expr);                                                              \
		f32_set(h, op->rd, r_);                                                            \
		fp_wrote_f(h, fl);                                                                 \
		return EXEC_NEXT;                                                                  \
	}

/* Result is a double in fd. */
#define FOP_D(name, has_rm, expr)                                                                  \
	int exec_##name(struct hart *h, const struct op *op)                                       \
	{                                                                                          \
		FP_PROLOGUE(has_rm);                                                               \
		uint64_t r_ = (expr);                                                              \
		h->f[op->rd] = r_;                                                                 \
		fp_wrote_f(h, fl);                                                                 \
		return EXEC_NEXT;                                                                  \
	}

/* Result is a half in fd. */
#define FOP_H(name, has_rm, expr)                                                                  \
	int exec_##name(struct hart *h, const struct op *op)                                       \
	{                                                                                          \
		FP_PROLOGUE(has_rm);                                                               \
		uint16_t r_ = (expr);                                                              \
		f16_set(h, op->rd, r_);                                                            \
		fp_wrote_f(h, fl);                                                                 \
		return EXEC_NEXT;                                                                  \
	}

/* Result is an integer in rd (XREG_SINK when rd is x0). */
#define XOP(name, has_rm, expr)                                                                    \
	int exec_##name(struct hart *h, const struct op *op)                                       \
	{                                                                                          \
		FP_PROLOGUE(has_rm);                                                               \
		uint64_t r_ = (expr);                                                              \
		h->x[op->rd] = r_;                                                                 \
		fp_wrote_x(h, fl);                                                                 \
		return EXEC_NEXT;                                                                  \
	}

/*
 * The instructions F, D and Zfh each define alike for their format: for
 * suffix x (s, d or h), fpu.h prefix p (f32, f64 or f16), result macro FOP
 * (FOP_S, FOP_D or FOP_H), operands R1..R3 (S1.., D1.., H1..) and sign bit
 * SIGN, the exec functions of fmadd_x .. fcvt_lu_x. Loads, stores, moves
 * and conversions between formats or from integers differ, and stay in
 * each format's file.
 */
#define FP_FORMAT_INSNS(x, p, FOP, R1, R2, R3, SIGN)                                               \
	FOP(fmadd_##x, RM_USED, p##_fmadd(R1, R2, R3, rm, &fl))                                    \
	FOP(fmsub_##x, RM_USED, p##_fmsub(R1, R2, R3, rm, &fl))                                    \
	FOP(fnmsub_##x, RM_USED, p##_fnmsub(R1, R2, R3, rm, &fl))                                  \
	FOP(fnmadd_##x, RM_USED, p##_fnmadd(R1, R2, R3, rm, &fl))                                  \
	FOP(fadd_##x, RM_USED, p##_add(R1, R2, rm, &fl))                                           \
	FOP(fsub_##x, RM_USED, p##_sub(R1, R2, rm, &fl))                                           \
	FOP(fmul_##x, RM_USED, p##_mul(R1, R2, rm, &fl))                                           \
	FOP(fdiv_##x, RM_USED, p##_div(R1, R2, rm, &fl))                                           \
	FOP(fsqrt_##x, RM_USED, p##_sqrt(R1, rm, &fl))                                             \
	/* 11.7: sign injection is not a transfer, so operands are unboxed. */                     \
	FOP(fsgnj_##x, RM_NONE, (R1 & ~SIGN) | (R2 & SIGN))                                        \
	FOP(fsgnjn_##x, RM_NONE, (R1 & ~SIGN) | (~R2 & SIGN))                                      \
	FOP(fsgnjx_##x, RM_NONE, R1 ^ (R2 & SIGN))                                                 \
	FOP(fmin_##x, RM_NONE, p##_min(R1, R2, &fl))                                               \
	FOP(fmax_##x, RM_NONE, p##_max(R1, R2, &fl))                                               \
	XOP(feq_##x, RM_NONE, (uint64_t)p##_eq(R1, R2, &fl))                                       \
	XOP(flt_##x, RM_NONE, (uint64_t)p##_lt(R1, R2, &fl))                                       \
	XOP(fle_##x, RM_NONE, (uint64_t)p##_le(R1, R2, &fl))                                       \
	XOP(fclass_##x, RM_NONE, p##_classify(R1))                                                 \
	/* 11.7: 32-bit results are sign-extended, FCVT.WU's too. */                               \
	XOP(fcvt_w_##x, RM_USED, SX32(p##_to_i32(R1, rm, &fl)))                                    \
	XOP(fcvt_wu_##x, RM_USED, SX32(p##_to_u32(R1, rm, &fl)))                                   \
	XOP(fcvt_l_##x, RM_USED, (uint64_t)p##_to_i64(R1, rm, &fl))                                \
	XOP(fcvt_lu_##x, RM_USED, p##_to_u64(R1, rm, &fl))

static inline uint64_t fp_addr(const struct hart *h, const struct op *op)
{
	return h->x[op->rs1] + (uint64_t)(int64_t)op->imm;
}

/* The ones above a value of `size` bytes in an f register: its NaN box. */
static inline uint64_t fp_box(unsigned size)
{
	return size == 2 ? F16_BOX : size == 4 ? F32_BOX : 0;
}

/* FLH, FLW, FLD (11.5, 12.3, Zfh): the bits move unmodified, boxed. */
static inline int fp_load(struct hart *h, const struct op *op, unsigned size)
{
	uint64_t v;
	int r;

	if (unlikely(h->fs_off))
		return hart_illegal(h, op);
	r = mem_load(h, op, fp_addr(h, op), size, &v);
	if (r != EXEC_NEXT)
		return r;
	h->f[op->rd] = fp_box(size) | v;
	hart_fs_dirty(h);
	return EXEC_NEXT;
}

/* FSH, FSW, FSD: the low bits, whether or not they are properly boxed
 * (12.2). */
static inline int fp_store(struct hart *h, const struct op *op, unsigned size)
{
	if (unlikely(h->fs_off))
		return hart_illegal(h, op);
	return mem_store(h, op, fp_addr(h, op), size, h->f[op->rs2] & ~fp_box(size));
}

#endif
