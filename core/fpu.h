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

/* binary16 (Zfh). Conversions from binary32 and binary64 round once, from
 * the exact value (no double rounding through an intermediate format). */
uint16_t f16_add(uint16_t a, uint16_t b, int rm, uint8_t *flags);
uint16_t f16_sub(uint16_t a, uint16_t b, int rm, uint8_t *flags);
uint16_t f16_mul(uint16_t a, uint16_t b, int rm, uint8_t *flags);
uint16_t f16_div(uint16_t a, uint16_t b, int rm, uint8_t *flags);
uint16_t f16_sqrt(uint16_t a, int rm, uint8_t *flags);
uint16_t f16_fmadd(uint16_t a, uint16_t b, uint16_t c, int rm, uint8_t *flags);
uint16_t f16_fmsub(uint16_t a, uint16_t b, uint16_t c, int rm, uint8_t *flags);
uint16_t f16_fnmsub(uint16_t a, uint16_t b, uint16_t c, int rm, uint8_t *flags);
uint16_t f16_fnmadd(uint16_t a, uint16_t b, uint16_t c, int rm, uint8_t *flags);
uint16_t f16_min(uint16_t a, uint16_t b, uint8_t *flags);
uint16_t f16_max(uint16_t a, uint16_t b, uint8_t *flags);
int f16_eq(uint16_t a, uint16_t b, uint8_t *flags);
int f16_lt(uint16_t a, uint16_t b, uint8_t *flags);
int f16_le(uint16_t a, uint16_t b, uint8_t *flags);
unsigned f16_classify(uint16_t a);
int32_t f16_to_i32(uint16_t a, int rm, uint8_t *flags);
uint32_t f16_to_u32(uint16_t a, int rm, uint8_t *flags);
int64_t f16_to_i64(uint16_t a, int rm, uint8_t *flags);
uint64_t f16_to_u64(uint16_t a, int rm, uint8_t *flags);
uint16_t f16_from_i64(int64_t v, int rm, uint8_t *flags); /* the W forms too */
uint16_t f16_from_u64(uint64_t v, int rm, uint8_t *flags);
uint32_t f16_to_f32(uint16_t a, uint8_t *flags); /* exact; NV for sNaN only */
uint64_t f16_to_f64(uint16_t a, uint8_t *flags); /* exact; NV for sNaN only */
uint16_t f32_to_f16(uint32_t a, int rm, uint8_t *flags);
uint16_t f64_to_f16(uint64_t a, int rm, uint8_t *flags);

/* Zfa. fli: entry i (0..31) of the constant table, never raising flags.
 * minimum/maximum: fmin/fmax, except that any NaN operand gives the
 * canonical NaN (IEEE 754-2019 minimum, maximum). round_int: to an integral
 * value in the same format (FROUND; with `exact`, FROUNDNX, which also
 * raises NX). f64_to_i32_mod: FCVTMOD.W.D, RTZ modulo 2^32, inf/NaN give 0,
 * FCVT.W.D's flags. lt_quiet/le_quiet: FLTQ/FLEQ, NV only for an sNaN. */
uint16_t f16_fli(unsigned i);
uint32_t f32_fli(unsigned i);
uint64_t f64_fli(unsigned i);
uint16_t f16_minimum(uint16_t a, uint16_t b, uint8_t *flags);
uint16_t f16_maximum(uint16_t a, uint16_t b, uint8_t *flags);
uint32_t f32_minimum(uint32_t a, uint32_t b, uint8_t *flags);
uint32_t f32_maximum(uint32_t a, uint32_t b, uint8_t *flags);
uint64_t f64_minimum(uint64_t a, uint64_t b, uint8_t *flags);
uint64_t f64_maximum(uint64_t a, uint64_t b, uint8_t *flags);
uint16_t f16_round_int(uint16_t a, int rm, bool exact, uint8_t *flags);
uint32_t f32_round_int(uint32_t a, int rm, bool exact, uint8_t *flags);
uint64_t f64_round_int(uint64_t a, int rm, bool exact, uint8_t *flags);
int32_t f64_to_i32_mod(uint64_t a, uint8_t *flags);
int f16_lt_quiet(uint16_t a, uint16_t b, uint8_t *flags);
int f16_le_quiet(uint16_t a, uint16_t b, uint8_t *flags);
int f32_lt_quiet(uint32_t a, uint32_t b, uint8_t *flags);
int f32_le_quiet(uint32_t a, uint32_t b, uint8_t *flags);
int f64_lt_quiet(uint64_t a, uint64_t b, uint8_t *flags);
int f64_le_quiet(uint64_t a, uint64_t b, uint8_t *flags);

#endif
