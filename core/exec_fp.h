/*
 * What the F, D, Zfh and Zfa exec functions (core/exec_fp.c,
 * core/exec_fp16.c, core/exec_zfa.c) share: reading NaN-boxed operands,
 * resolving the rounding mode, the FS and rm checks, and marking the FP
 * state dirty. core/exec_fp.c's opening comment states the rules.
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

static inline uint64_t fp_addr(const struct hart *h, const struct op *op)
{
	return h->x[op->rs1] + (uint64_t)(int64_t)op->imm;
}

#endif
