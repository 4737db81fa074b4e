/*
 * IEEE 754 binary16 / binary32 / binary64 arithmetic as the RISC-V F and D
 * extensions define it (unprivileged spec 20191213, chapters 11 and 12),
 * with Zfh's half precision and Zfa's additional operations (unprivileged
 * spec, chapters "Zfh" and "Zfa").
 *
 * Values are raw bit patterns (uint16_t for binary16, uint32_t for binary32,
 * uint64_t for binary64)
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

#include <stdbool.h>
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

#define F16_CANON_NAN 0x7e00u
#define F32_CANON_NAN 0x7fc00000u
#define F64_CANON_NAN 0x7ff8000000000000ull
#define F16_SIGN      0x8000u
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

/*
 * The operations every format has, declared once for binary16 (f16_,
 * uint16_t), binary32 (f32_, uint32_t) and binary64 (f64_, uint64_t):
 * FPU_FORMAT_OPS(f32, uint32_t) declares f32_add, f32_sub, ... f32_le_quiet.
 *
 * fmadd..fnmadd are the fused multiply-adds, one rounding (11.6): a*b+c,
 * a*b-c, -(a*b)+c, -(a*b)-c. eq is quiet, lt and le signal on any NaN.
 * from_i64/from_u64 also serve the W forms, sign- or zero-extended.
 *
 * Zfa: fli gives entry i (0..31) of the constant table, never raising flags.
 * minimum/maximum are min/max, except that any NaN operand gives the
 * canonical NaN (IEEE 754-2019 minimum, maximum). round_int rounds to an
 * integral value in the same format (FROUND; with `exact`, FROUNDNX, which
 * also raises NX). lt_quiet/le_quiet are FLTQ/FLEQ, NV only for an sNaN.
 */
#define FPU_FORMAT_OPS(p, T)                                                                       \
	T p##_add(T a, T b, int rm, uint8_t *flags);                                               \
	T p##_sub(T a, T b, int rm, uint8_t *flags);                                               \
	T p##_mul(T a, T b, int rm, uint8_t *flags);                                               \
	T p##_div(T a, T b, int rm, uint8_t *flags);                                               \
	T p##_sqrt(T a, int rm, uint8_t *flags);                                                   \
	T p##_fmadd(T a, T b, T c, int rm, uint8_t *flags);                                        \
	T p##_fmsub(T a, T b, T c, int rm, uint8_t *flags);                                        \
	T p##_fnmsub(T a, T b, T c, int rm, uint8_t *flags);                                       \
	T p##_fnmadd(T a, T b, T c, int rm, uint8_t *flags);                                       \
	T p##_min(T a, T b, uint8_t *flags);                                                       \
	T p##_max(T a, T b, uint8_t *flags);                                                       \
	int p##_eq(T a, T b, uint8_t *flags);                                                      \
	int p##_lt(T a, T b, uint8_t *flags);                                                      \
	int p##_le(T a, T b, uint8_t *flags);                                                      \
	unsigned p##_classify(T a);                                                                \
	int32_t p##_to_i32(T a, int rm, uint8_t *flags);                                           \
	uint32_t p##_to_u32(T a, int rm, uint8_t *flags);                                          \
	int64_t p##_to_i64(T a, int rm, uint8_t *flags);                                           \
	uint64_t p##_to_u64(T a, int rm, uint8_t *flags);                                          \
	T p##_from_i64(int64_t v, int rm, uint8_t *flags);                                         \
	T p##_from_u64(uint64_t v, int rm, uint8_t *flags);                                        \
	T p##_fli(unsigned i);                                                                     \
	T p##_minimum(T a, T b, uint8_t *flags);                                                   \
	T p##_maximum(T a, T b, uint8_t *flags);                                                   \
	T p##_round_int(T a, int rm, bool exact, uint8_t *flags);                                  \
	int p##_lt_quiet(T a, T b, uint8_t *flags);                                                \
	int p##_le_quiet(T a, T b, uint8_t *flags);

FPU_FORMAT_OPS(f16, uint16_t)
FPU_FORMAT_OPS(f32, uint32_t)
FPU_FORMAT_OPS(f64, uint64_t)

/* From 32-bit integers: binary16 has no such functions (the 64-bit ones
 * serve), and into binary64 they are exact. */
uint32_t f32_from_i32(int32_t v, int rm, uint8_t *flags);
uint32_t f32_from_u32(uint32_t v, int rm, uint8_t *flags);
uint64_t f64_from_i32(int32_t v, int rm, uint8_t *flags);
uint64_t f64_from_u32(uint32_t v, int rm, uint8_t *flags);

/* Between formats. Widening is exact and raises NV for an sNaN only;
 * narrowing rounds once, from the exact value (no double rounding through
 * an intermediate format). */
uint64_t f32_to_f64(uint32_t a, uint8_t *flags);
uint32_t f16_to_f32(uint16_t a, uint8_t *flags);
uint64_t f16_to_f64(uint16_t a, uint8_t *flags);
uint32_t f64_to_f32(uint64_t a, int rm, uint8_t *flags);
uint16_t f32_to_f16(uint32_t a, int rm, uint8_t *flags);
uint16_t f64_to_f16(uint64_t a, int rm, uint8_t *flags);

/* Zfa's FCVTMOD.W.D: RTZ modulo 2^32, inf/NaN give 0, FCVT.W.D's flags. */
int32_t f64_to_i32_mod(uint64_t a, uint8_t *flags);

#endif
