/*
 * IEEE 754 binary32 / binary64 arithmetic as the RISC-V F and D extensions
 * define it (unprivileged spec 20191213, chapters 11 and 12).
 *
 * Values are raw bit patterns (uint32_t for binary32, uint64_t for binary64)
 * so NaN payloads and signed zeros never pass through host FP registers.
 * Every rounding function takes a resolved static rounding mode (enum
 * fpu_rm; the caller has already replaced DYN by frm and rejected 5 and 6)
 * and ORs the exception flags it raises (FFLAG_* from core/hart.h) into
 * *flags, which is never cleared here: fflags accrue (11.2).
 *
 * The implementation (core/fpu.c) is an exact integer soft-float core, so
 * results are identical on every host and in all five rounding modes,
 * including RMM which no common host FPU provides. RISC-V specifics:
 *  - every NaN result is the canonical NaN (11.3);
 *  - tininess is detected after rounding, and UF is raised only for a tiny
 *    and inexact result (11.6, "as permitted by IEEE 754");
 *  - fmin/fmax follow the 2019 spec (IEEE 754-2019 minimumNumber /
 *    maximumNumber, -0 < +0);
 *  - float -> integer conversions saturate per table 11.4 and raise NV
 *    (and then not NX).
 */
#ifndef RVJIT_FPU_H
#define RVJIT_FPU_H

#include <stdint.h>

/* Rounding modes, the encodings of the rm field and of frm (table 11.1). */
enum fpu_rm {
	FRM_RNE = 0, /* to nearest, ties to even */
	FRM_RTZ = 1, /* towards zero */
	FRM_RDN = 2, /* down, towards -inf */
	FRM_RUP = 3, /* up, towards +inf */
	FRM_RMM = 4, /* to nearest, ties to max magnitude */
	FRM_DYN = 7, /* rm field only: use frm */
};

#define F32_CANON_NAN 0x7fc00000u
#define F64_CANON_NAN 0x7ff8000000000000ull
#define F32_SIGN      0x80000000u
#define F64_SIGN      0x8000000000000000ull

/* fclass result bits (table 11.5). */
enum {
	FCLASS_NEG_INF = 1 << 0,
	FCLASS_NEG_NORMAL = 1 << 1,
	FCLASS_NEG_SUBNORMAL = 1 << 2,
	FCLASS_NEG_ZERO = 1 << 3,
	FCLASS_POS_ZERO = 1 << 4,
	FCLASS_POS_SUBNORMAL = 1 << 5,
	FCLASS_POS_NORMAL = 1 << 6,
	FCLASS_POS_INF = 1 << 7,
	FCLASS_SNAN = 1 << 8,
	FCLASS_QNAN = 1 << 9,
};

/* binary32 */
uint32_t f32_add(uint32_t a, uint32_t b, int rm, uint8_t *flags);
uint32_t f32_sub(uint32_t a, uint32_t b, int rm, uint8_t *flags);
uint32_t f32_mul(uint32_t a, uint32_t b, int rm, uint8_t *flags);
uint32_t f32_div(uint32_t a, uint32_t b, int rm, uint8_t *flags);
uint32_t f32_sqrt(uint32_t a, int rm, uint8_t *flags);
/* Fused multiply-add, one rounding (11.6): a*b+c, a*b-c, -(a*b)+c, -(a*b)-c. */
uint32_t f32_fmadd(uint32_t a, uint32_t b, uint32_t c, int rm, uint8_t *flags);
uint32_t f32_fmsub(uint32_t a, uint32_t b, uint32_t c, int rm, uint8_t *flags);
uint32_t f32_fnmsub(uint32_t a, uint32_t b, uint32_t c, int rm, uint8_t *flags);
uint32_t f32_fnmadd(uint32_t a, uint32_t b, uint32_t c, int rm, uint8_t *flags);
uint32_t f32_min(uint32_t a, uint32_t b, uint8_t *flags);
uint32_t f32_max(uint32_t a, uint32_t b, uint8_t *flags);
int f32_eq(uint32_t a, uint32_t b, uint8_t *flags); /* quiet */
int f32_lt(uint32_t a, uint32_t b, uint8_t *flags); /* signaling */
int f32_le(uint32_t a, uint32_t b, uint8_t *flags); /* signaling */
unsigned f32_classify(uint32_t a);
int32_t f32_to_i32(uint32_t a, int rm, uint8_t *flags);
uint32_t f32_to_u32(uint32_t a, int rm, uint8_t *flags);
int64_t f32_to_i64(uint32_t a, int rm, uint8_t *flags);
uint64_t f32_to_u64(uint32_t a, int rm, uint8_t *flags);
uint32_t f32_from_i32(int32_t v, int rm, uint8_t *flags);
uint32_t f32_from_u32(uint32_t v, int rm, uint8_t *flags);
uint32_t f32_from_i64(int64_t v, int rm, uint8_t *flags);
uint32_t f32_from_u64(uint64_t v, int rm, uint8_t *flags);
uint64_t f32_to_f64(uint32_t a, uint8_t *flags); /* exact; NV for sNaN only */

/* binary64 */
uint64_t f64_add(uint64_t a, uint64_t b, int rm, uint8_t *flags);
uint64_t f64_sub(uint64_t a, uint64_t b, int rm, uint8_t *flags);
uint64_t f64_mul(uint64_t a, uint64_t b, int rm, uint8_t *flags);
uint64_t f64_div(uint64_t a, uint64_t b, int rm, uint8_t *flags);
uint64_t f64_sqrt(uint64_t a, int rm, uint8_t *flags);
uint64_t f64_fmadd(uint64_t a, uint64_t b, uint64_t c, int rm, uint8_t *flags);
uint64_t f64_fmsub(uint64_t a, uint64_t b, uint64_t c, int rm, uint8_t *flags);
uint64_t f64_fnmsub(uint64_t a, uint64_t b, uint64_t c, int rm, uint8_t *flags);
uint64_t f64_fnmadd(uint64_t a, uint64_t b, uint64_t c, int rm, uint8_t *flags);
uint64_t f64_min(uint64_t a, uint64_t b, uint8_t *flags);
uint64_t f64_max(uint64_t a, uint64_t b, uint8_t *flags);
int f64_eq(uint64_t a, uint64_t b, uint8_t *flags);
int f64_lt(uint64_t a, uint64_t b, uint8_t *flags);
int f64_le(uint64_t a, uint64_t b, uint8_t *flags);
unsigned f64_classify(uint64_t a);
int32_t f64_to_i32(uint64_t a, int rm, uint8_t *flags);
uint32_t f64_to_u32(uint64_t a, int rm, uint8_t *flags);
int64_t f64_to_i64(uint64_t a, int rm, uint8_t *flags);
uint64_t f64_to_u64(uint64_t a, int rm, uint8_t *flags);
uint64_t f64_from_i32(int32_t v, int rm, uint8_t *flags);  /* exact */
uint64_t f64_from_u32(uint32_t v, int rm, uint8_t *flags); /* exact */
uint64_t f64_from_i64(int64_t v, int rm, uint8_t *flags);
uint64_t f64_from_u64(uint64_t v, int rm, uint8_t *flags);
uint32_t f64_to_f32(uint64_t a, int rm, uint8_t *flags);

#endif
