/*
 * core/fpu.c against hand-derived vectors: the hard cases of the F and D
 * extensions (unprivileged spec 20191213, chapters 11 and 12).
 *
 * Every expected value below was worked out from the spec and IEEE 754, not
 * taken from running the code; the comment next to a row shows the
 * arithmetic. Notation: ulp(1) is 2^-23 for binary32 and 2^-52 for binary64.
 */
#include <criterion/criterion.h>
#include <stddef.h>
#include <stdint.h>

#include "core/fpu.h"
#include "core/hart.h"

#define NX FFLAG_NX
#define UF FFLAG_UF
#define OF FFLAG_OF
#define DZ FFLAG_DZ
#define NV FFLAG_NV

#define RNE FRM_RNE
#define RTZ FRM_RTZ
#define RDN FRM_RDN
#define RUP FRM_RUP
#define RMM FRM_RMM

/* binary32 constants */
#define S_ONE	  0x3f800000u
#define S_TWO	  0x40000000u
#define S_HALF	  0x3f000000u
#define S_PZERO	  0x00000000u
#define S_NZERO	  0x80000000u
#define S_PINF	  0x7f800000u
#define S_NINF	  0xff800000u
#define S_QNAN	  0x7fc00000u
#define S_SNAN	  0x7f800001u
#define S_MAX	  0x7f7fffffu
#define S_MINNORM 0x00800000u
#define S_CANON	  F32_CANON_NAN

/* binary64 constants */
#define D_ONE	0x3ff0000000000000ull
#define D_TWO	0x4000000000000000ull
#define D_THREE 0x4008000000000000ull
#define D_PZERO 0x0000000000000000ull
#define D_NZERO 0x8000000000000000ull
#define D_PINF	0x7ff0000000000000ull
#define D_NINF	0xfff0000000000000ull
#define D_QNAN	0x7ff8000000000000ull
#define D_SNAN	0x7ff0000000000001ull
#define D_MAX	0x7fefffffffffffffull
#define D_CANON F64_CANON_NAN

enum op2 { ADD, SUB, MUL, DIV, SQRT, FMADD, FMSUB, FNMSUB, FNMADD, MIN, MAX };

struct vec32 {
	enum op2 op;
	uint32_t a, b, c;
	int rm;
	uint32_t want;
	uint8_t flags;
};

struct vec64 {
	enum op2 op;
	uint64_t a, b, c;
	int rm;
	uint64_t want;
	uint8_t flags;
};

static uint32_t run32(const struct vec32 *v, uint8_t *fl)
{
	switch (v->op) {
	case ADD:
		return f32_add(v->a, v->b, v->rm, fl);
	case SUB:
		return f32_sub(v->a, v->b, v->rm, fl);
	case MUL:
		return f32_mul(v->a, v->b, v->rm, fl);
	case DIV:
		return f32_div(v->a, v->b, v->rm, fl);
	case SQRT:
		return f32_sqrt(v->a, v->rm, fl);
	case FMADD:
		return f32_fmadd(v->a, v->b, v->c, v->rm, fl);
	case FMSUB:
		return f32_fmsub(v->a, v->b, v->c, v->rm, fl);
	case FNMSUB:
		return f32_fnmsub(v->a, v->b, v->c, v->rm, fl);
	case FNMADD:
		return f32_fnmadd(v->a, v->b, v->c, v->rm, fl);
	case MIN:
		return f32_min(v->a, v->b, fl);
	default:
		return f32_max(v->a, v->b, fl);
	}
}

static uint64_t run64(const struct vec64 *v, uint8_t *fl)
{
	switch (v->op) {
	case ADD:
		return f64_add(v->a, v->b, v->rm, fl);
	case SUB:
		return f64_sub(v->a, v->b, v->rm, fl);
	case MUL:
		return f64_mul(v->a, v->b, v->rm, fl);
	case DIV:
		return f64_div(v->a, v->b, v->rm, fl);
	case SQRT:
		return f64_sqrt(v->a, v->rm, fl);
	case FMADD:
		return f64_fmadd(v->a, v->b, v->c, v->rm, fl);
	case FMSUB:
		return f64_fmsub(v->a, v->b, v->c, v->rm, fl);
	case FNMSUB:
		return f64_fnmsub(v->a, v->b, v->c, v->rm, fl);
	case FNMADD:
		return f64_fnmadd(v->a, v->b, v->c, v->rm, fl);
	case MIN:
		return f64_min(v->a, v->b, fl);
	default:
		return f64_max(v->a, v->b, fl);
	}
}

static void check32(const struct vec32 *t, size_t n, const char *table)
{
	for (size_t i = 0; i < n; i++) {
		uint8_t fl = 0;
		uint32_t r = run32(&t[i], &fl);
		cr_expect_eq(r, t[i].want, "%s row %zu: result %08x, want %08x", table, i, r,
			     t[i].want);
		cr_expect_eq(fl, t[i].flags, "%s row %zu: flags %02x, want %02x", table, i, fl,
			     t[i].flags);
	}
}

static void check64(const struct vec64 *t, size_t n, const char *table)
{
	for (size_t i = 0; i < n; i++) {
		uint8_t fl = 0;
		uint64_t r = run64(&t[i], &fl);
		cr_expect_eq(r, t[i].want, "%s row %zu: result %016llx, want %016llx", table, i,
			     (unsigned long long)r, (unsigned long long)t[i].want);
		cr_expect_eq(fl, t[i].flags, "%s row %zu: flags %02x, want %02x", table, i, fl,
			     t[i].flags);
	}
}

#define N(t) (sizeof(t) / sizeof((t)[0]))

/* ---- rounding in all five modes (11.2, table 11.1) ---- */

/* A time limit for every test: a hang fails it instead of stalling the
 * run. */
TestSuite(fpu_round, .timeout = 60);
TestSuite(fpu_fma, .timeout = 60);
TestSuite(fpu_flags, .timeout = 60);
TestSuite(fpu_minmax, .timeout = 60);
TestSuite(fpu_compare, .timeout = 60);
TestSuite(fpu_classify, .timeout = 60);
TestSuite(fpu_cvt, .timeout = 60);
TestSuite(fpu_host, .timeout = 60);

Test(fpu_round, add_ties_f32)
{
	static const struct vec32 t[] = {
	    /* 1 + 2^-24: exactly halfway between 1 (even) and 1+2^-23. */
	    {ADD, S_ONE, 0x33800000, 0, RNE, 0x3f800000, NX},
	    {ADD, S_ONE, 0x33800000, 0, RTZ, 0x3f800000, NX},
	    {ADD, S_ONE, 0x33800000, 0, RDN, 0x3f800000, NX},
	    {ADD, S_ONE, 0x33800000, 0, RUP, 0x3f800001, NX},
	    {ADD, S_ONE, 0x33800000, 0, RMM, 0x3f800001, NX},
	    /* -1 - 2^-24: the mirror image; RDN now rounds away. */
	    {ADD, 0xbf800000, 0xb3800000, 0, RNE, 0xbf800000, NX},
	    {ADD, 0xbf800000, 0xb3800000, 0, RTZ, 0xbf800000, NX},
	    {ADD, 0xbf800000, 0xb3800000, 0, RDN, 0xbf800001, NX},
	    {ADD, 0xbf800000, 0xb3800000, 0, RUP, 0xbf800000, NX},
	    {ADD, 0xbf800000, 0xb3800000, 0, RMM, 0xbf800001, NX},
	    /* (1+2^-23) + 2^-24: halfway with an odd lower neighbour, so
	     * RNE and RMM agree on rounding up. */
	    {ADD, 0x3f800001, 0x33800000, 0, RNE, 0x3f800002, NX},
	    {ADD, 0x3f800001, 0x33800000, 0, RMM, 0x3f800002, NX},
	    {ADD, 0x3f800001, 0x33800000, 0, RTZ, 0x3f800001, NX},
	    /* 1 + 2^-25: below half an ulp; only RUP moves. */
	    {ADD, S_ONE, 0x33000000, 0, RNE, 0x3f800000, NX},
	    {ADD, S_ONE, 0x33000000, 0, RMM, 0x3f800000, NX},
	    {ADD, S_ONE, 0x33000000, 0, RUP, 0x3f800001, NX},
	    /* Exact: no flag in any mode. */
	    {ADD, S_ONE, S_ONE, 0, RMM, S_TWO, 0},
	    {SUB, 0x40400000, S_ONE, 0, RDN, S_TWO, 0}, /* 3 - 1 */
	};
	check32(t, N(t), "add_ties_f32");
}

Test(fpu_round, add_ties_f64)
{
	static const struct vec64 t[] = {
	    /* 1 + 2^-53: halfway between 1 and 1+2^-52. */
	    {ADD, D_ONE, 0x3ca0000000000000, 0, RNE, D_ONE, NX},
	    {ADD, D_ONE, 0x3ca0000000000000, 0, RTZ, D_ONE, NX},
	    {ADD, D_ONE, 0x3ca0000000000000, 0, RDN, D_ONE, NX},
	    {ADD, D_ONE, 0x3ca0000000000000, 0, RUP, 0x3ff0000000000001, NX},
	    {ADD, D_ONE, 0x3ca0000000000000, 0, RMM, 0x3ff0000000000001, NX},
	    /* -1 - 2^-53 */
	    {SUB, 0xbff0000000000000, 0x3ca0000000000000, 0, RDN, 0xbff0000000000001, NX},
	    {SUB, 0xbff0000000000000, 0x3ca0000000000000, 0, RUP, 0xbff0000000000000, NX},
	    {SUB, 0xbff0000000000000, 0x3ca0000000000000, 0, RMM, 0xbff0000000000001, NX},
	    {SUB, 0xbff0000000000000, 0x3ca0000000000000, 0, RNE, 0xbff0000000000000, NX},
	};
	check64(t, N(t), "add_ties_f64");
}

Test(fpu_round, mul_ties)
{
	/* (1 + 3*2^-23) * 1.5 = 1.5 + 4.5*2^-23: halfway between mantissas
	 * 0x400004 (even) and 0x400005. */
	static const struct vec32 s[] = {
	    {MUL, 0x3f800003, 0x3fc00000, 0, RNE, 0x3fc00004, NX},
	    {MUL, 0x3f800003, 0x3fc00000, 0, RTZ, 0x3fc00004, NX},
	    {MUL, 0x3f800003, 0x3fc00000, 0, RDN, 0x3fc00004, NX},
	    {MUL, 0x3f800003, 0x3fc00000, 0, RUP, 0x3fc00005, NX},
	    {MUL, 0x3f800003, 0x3fc00000, 0, RMM, 0x3fc00005, NX},
	    /* negated: -(1.5 + 4.5*2^-23) */
	    {MUL, 0xbf800003, 0x3fc00000, 0, RMM, 0xbfc00005, NX},
	    {MUL, 0xbf800003, 0x3fc00000, 0, RDN, 0xbfc00005, NX},
	    {MUL, 0xbf800003, 0x3fc00000, 0, RUP, 0xbfc00004, NX},
	    /* (1+2^-12)^2 = 1 + 2^-11 + 2^-24: halfway, lower neighbour even */
	    {MUL, 0x3f800800, 0x3f800800, 0, RNE, 0x3f801000, NX},
	    {MUL, 0x3f800800, 0x3f800800, 0, RMM, 0x3f801001, NX},
	};
	/* (1 + 3*2^-52) * 1.5 = 1.5 + 4.5*2^-52, the same shape in binary64. */
	static const struct vec64 d[] = {
	    {MUL, 0x3ff0000000000003, 0x3ff8000000000000, 0, RNE, 0x3ff8000000000004, NX},
	    {MUL, 0x3ff0000000000003, 0x3ff8000000000000, 0, RTZ, 0x3ff8000000000004, NX},
	    {MUL, 0x3ff0000000000003, 0x3ff8000000000000, 0, RDN, 0x3ff8000000000004, NX},
	    {MUL, 0x3ff0000000000003, 0x3ff8000000000000, 0, RUP, 0x3ff8000000000005, NX},
	    {MUL, 0x3ff0000000000003, 0x3ff8000000000000, 0, RMM, 0x3ff8000000000005, NX},
	    {MUL, 0x3ff0000000000003, 0xbff8000000000000, 0, RMM, 0xbff8000000000005, NX},
	    {MUL, 0x3ff0000000000003, 0xbff8000000000000, 0, RUP, 0xbff8000000000004, NX},
	};
	check32(s, N(s), "mul_ties_f32");
	check64(d, N(d), "mul_ties_f64");
}

Test(fpu_round, div_sqrt)
{
	/* 1/3 = 0x1.5555555...p-2: the discarded part is 2/3 ulp in binary32
	 * (mantissa 0x2aaaaa rem .101010...), 1/3 ulp in binary64. Division
	 * and square root are never exact ties, so RMM equals RNE. */
	static const struct vec32 s[] = {
	    {DIV, S_ONE, 0x40400000, 0, RNE, 0x3eaaaaab, NX},
	    {DIV, S_ONE, 0x40400000, 0, RTZ, 0x3eaaaaaa, NX},
	    {DIV, S_ONE, 0x40400000, 0, RDN, 0x3eaaaaaa, NX},
	    {DIV, S_ONE, 0x40400000, 0, RUP, 0x3eaaaaab, NX},
	    {DIV, S_ONE, 0x40400000, 0, RMM, 0x3eaaaaab, NX},
	    {DIV, 0xbf800000, 0x40400000, 0, RDN, 0xbeaaaaab, NX},
	    {DIV, 0xbf800000, 0x40400000, 0, RUP, 0xbeaaaaaa, NX},
	    {DIV, 0x40c00000, 0x40400000, 0, RMM, S_TWO, 0}, /* 6/3 exact */
	    /* sqrt(2) = 1.41421356..; 0x3fb504f3 = 1.41421354, 0x3fb504f4 = 1.41421366 */
	    {SQRT, S_TWO, 0, 0, RNE, 0x3fb504f3, NX},
	    {SQRT, S_TWO, 0, 0, RTZ, 0x3fb504f3, NX},
	    {SQRT, S_TWO, 0, 0, RUP, 0x3fb504f4, NX},
	    {SQRT, S_TWO, 0, 0, RMM, 0x3fb504f3, NX},
	    {SQRT, 0x40800000, 0, 0, RUP, S_TWO, 0},	   /* sqrt(4) exact */
	    {SQRT, 0x00000001, 0, 0, RNE, 0x1a3504f3, NX}, /* sqrt(2^-149) = 2^-75 sqrt(2) */
	};
	/* sqrt(2) = 1.41421356237309504880; 0x..bcd = 1.4142135623730951455
	 * (9.7e-17 above), 0x..bcc = 1.4142135623730949234 (1.25e-16 below). */
	static const struct vec64 d[] = {
	    {DIV, D_ONE, D_THREE, 0, RNE, 0x3fd5555555555555, NX},
	    {DIV, D_ONE, D_THREE, 0, RUP, 0x3fd5555555555556, NX},
	    {DIV, D_ONE, D_THREE, 0, RMM, 0x3fd5555555555555, NX},
	    {DIV, 0xbff0000000000000, D_THREE, 0, RDN, 0xbfd5555555555556, NX},
	    {SQRT, D_TWO, 0, 0, RNE, 0x3ff6a09e667f3bcd, NX},
	    {SQRT, D_TWO, 0, 0, RMM, 0x3ff6a09e667f3bcd, NX},
	    {SQRT, D_TWO, 0, 0, RTZ, 0x3ff6a09e667f3bcc, NX},
	    {SQRT, D_TWO, 0, 0, RDN, 0x3ff6a09e667f3bcc, NX},
	    {SQRT, D_TWO, 0, 0, RUP, 0x3ff6a09e667f3bcd, NX},
	    {SQRT, 0x4010000000000000, 0, 0, RNE, D_TWO, 0},
	};
	check32(s, N(s), "div_sqrt_f32");
	check64(d, N(d), "div_sqrt_f64");
}

/* ---- fused multiply-add: one rounding (11.6) ---- */

Test(fpu_fma, single_rounding)
{
	static const struct vec32 s[] = {
	    /* a = 1+2^-12: a*a = 1 + 2^-11 + 2^-24 rounds (RNE) to
	     * p = 1 + 2^-11, so mul-then-add gives a*a - p = 0, but the
	     * fused result is the exact error 2^-24. */
	    {FMADD, 0x3f800800, 0x3f800800, 0xbf801000, RNE, 0x33800000, 0},
	    {FNMSUB, 0xbf800800, 0x3f800800, 0xbf801000, RNE, 0x33800000, 0},
	    /* a*a + 2^-22 = 1 + 2^-11 + 2^-22 + 2^-24: halfway between
	     * mantissas 0x1002 (even) and 0x1003. */
	    {FMADD, 0x3f800800, 0x3f800800, 0x34800000, RNE, 0x3f801002, NX},
	    {FMADD, 0x3f800800, 0x3f800800, 0x34800000, RTZ, 0x3f801002, NX},
	    {FMADD, 0x3f800800, 0x3f800800, 0x34800000, RDN, 0x3f801002, NX},
	    {FMADD, 0x3f800800, 0x3f800800, 0x34800000, RUP, 0x3f801003, NX},
	    {FMADD, 0x3f800800, 0x3f800800, 0x34800000, RMM, 0x3f801003, NX},
	    /* -(a*a) - 2^-22 */
	    {FNMADD, 0x3f800800, 0x3f800800, 0x34800000, RMM, 0xbf801003, NX},
	    {FNMADD, 0x3f800800, 0x3f800800, 0x34800000, RDN, 0xbf801003, NX},
	    {FNMADD, 0x3f800800, 0x3f800800, 0x34800000, RUP, 0xbf801002, NX},
	    /* a*a - (-2^-22) */
	    {FMSUB, 0x3f800800, 0x3f800800, 0xb4800000, RMM, 0x3f801003, NX},
	    /* exact zero from opposite terms: +0, but -0 in RDN (IEEE 6.3) */
	    {FMADD, S_ONE, S_ONE, 0xbf800000, RNE, S_PZERO, 0},
	    {FMADD, S_ONE, S_ONE, 0xbf800000, RDN, S_NZERO, 0},
	    {FMADD, S_PZERO, S_ONE, S_NZERO, RNE, S_PZERO, 0},
	    {FMADD, S_PZERO, S_ONE, S_NZERO, RDN, S_NZERO, 0},
	    /* -(1*0) - 0 = -0 + -0 = -0 in every mode */
	    {FNMADD, S_ONE, S_PZERO, S_PZERO, RNE, S_NZERO, 0},
	    /* zero product plus c is c exactly */
	    {FMADD, S_PZERO, S_MAX, 0x3f800001, RMM, 0x3f800001, 0},
	};
	static const struct vec64 d[] = {
	    /* a = 1+2^-30: a*a = 1 + 2^-29 + 2^-60, RNE p = 1 + 2^-29;
	     * fma(a, a, -p) = 2^-60 exactly. */
	    {FMADD, 0x3ff0000000400000, 0x3ff0000000400000, 0xbff0000000800000, RNE,
	     0x3c30000000000000, 0},
	    /* (1+2^-27)(1+2^-26) + 2^-51 = 1 + 2^-26 + 2^-27 + 2^-51 + 2^-53:
	     * halfway between mantissas 0x6000002 (even) and 0x6000003. */
	    {FMADD, 0x3ff0000002000000, 0x3ff0000004000000, 0x3cc0000000000000, RNE,
	     0x3ff0000006000002, NX},
	    {FMADD, 0x3ff0000002000000, 0x3ff0000004000000, 0x3cc0000000000000, RTZ,
	     0x3ff0000006000002, NX},
	    {FMADD, 0x3ff0000002000000, 0x3ff0000004000000, 0x3cc0000000000000, RDN,
	     0x3ff0000006000002, NX},
	    {FMADD, 0x3ff0000002000000, 0x3ff0000004000000, 0x3cc0000000000000, RUP,
	     0x3ff0000006000003, NX},
	    {FMADD, 0x3ff0000002000000, 0x3ff0000004000000, 0x3cc0000000000000, RMM,
	     0x3ff0000006000003, NX},
	    {FNMADD, 0x3ff0000002000000, 0x3ff0000004000000, 0x3cc0000000000000, RMM,
	     0xbff0000006000003, NX},
	    {FNMADD, 0x3ff0000002000000, 0x3ff0000004000000, 0x3cc0000000000000, RUP,
	     0xbff0000006000002, NX},
	    {FNMSUB, 0xbff0000002000000, 0x3ff0000004000000, 0x3cc0000000000000, RMM,
	     0x3ff0000006000003, NX},
	    {FMSUB, 0x3ff0000002000000, 0x3ff0000004000000, 0xbcc0000000000000, RMM,
	     0x3ff0000006000003, NX},
	    {FMADD, D_ONE, D_ONE, 0xbff0000000000000, RDN, D_NZERO, 0},
	};
	check32(s, N(s), "fma_f32");
	check64(d, N(d), "fma_f64");
}

Test(fpu_fma, invalid_and_nan)
{
	static const struct vec32 s[] = {
	    /* 11.6: inf*0 is invalid even when the addend is a quiet NaN */
	    {FMADD, S_PINF, S_PZERO, S_QNAN, RNE, S_CANON, NV},
	    {FMADD, S_NZERO, S_NINF, S_QNAN, RNE, S_CANON, NV},
	    {FMADD, S_PINF, S_PZERO, S_ONE, RNE, S_CANON, NV},
	    /* inf*1 - inf */
	    {FMADD, S_PINF, S_ONE, S_NINF, RNE, S_CANON, NV},
	    {FMSUB, S_PINF, S_ONE, S_PINF, RNE, S_CANON, NV},
	    /* inf*1 + inf, fnmadd: -(inf) - (-inf) invalid */
	    {FMADD, S_PINF, S_ONE, S_PINF, RNE, S_PINF, 0},
	    {FNMADD, S_PINF, S_ONE, S_NINF, RNE, S_CANON, NV},
	    {FNMADD, S_PINF, S_ONE, S_PINF, RNE, S_NINF, 0},
	    /* quiet NaN operand: canonical NaN, no flag; signaling: NV */
	    {FMADD, S_ONE, S_ONE, 0xffc12345, RNE, S_CANON, 0},
	    {FMADD, S_SNAN, S_ONE, S_ONE, RNE, S_CANON, NV},
	    {FMADD, S_ONE, S_ONE, 0xff800001, RNE, S_CANON, NV},
	    /* finite*finite + inf = inf */
	    {FMADD, S_MAX, S_MAX, S_NINF, RNE, S_NINF, 0},
	};
	static const struct vec64 d[] = {
	    {FMADD, D_PZERO, D_PINF, D_QNAN, RNE, D_CANON, NV},
	    {FMADD, D_PINF, D_ONE, D_NINF, RNE, D_CANON, NV},
	    {FMADD, D_ONE, D_ONE, D_SNAN, RNE, D_CANON, NV},
	    {FMADD, D_QNAN, D_ONE, D_ONE, RNE, D_CANON, 0},
	    /* max*max overflows before the addend can matter */
	    {FMADD, D_MAX, D_MAX, 0xffefffffffffffff, RNE, D_PINF, OF | NX},
	    {FMADD, D_MAX, D_MAX, 0xffefffffffffffff, RTZ, D_MAX, OF | NX},
	};
	check32(s, N(s), "fma_nan_f32");
	check64(d, N(d), "fma_nan_f64");
}

/* ---- exceptions: OF, UF (tininess after rounding), DZ, NV ---- */

Test(fpu_flags, overflow)
{
	static const struct vec32 s[] = {
	    /* max * 2: the rounded result is beyond max in every mode; the
	     * delivered value follows the mode (IEEE 7.4). */
	    {MUL, S_MAX, S_TWO, 0, RNE, S_PINF, OF | NX},
	    {MUL, S_MAX, S_TWO, 0, RMM, S_PINF, OF | NX},
	    {MUL, S_MAX, S_TWO, 0, RTZ, S_MAX, OF | NX},
	    {MUL, S_MAX, S_TWO, 0, RDN, S_MAX, OF | NX},
	    {MUL, S_MAX, S_TWO, 0, RUP, S_PINF, OF | NX},
	    {MUL, 0xff7fffff, S_TWO, 0, RUP, 0xff7fffff, OF | NX},
	    {MUL, 0xff7fffff, S_TWO, 0, RDN, S_NINF, OF | NX},
	    /* max + 2^103 (half an ulp of max): a tie with an odd lower
	     * neighbour. RNE/RMM/RUP round up to 2^128: overflow. RTZ/RDN
	     * round to max: no overflow, only inexact. */
	    {ADD, S_MAX, 0x73000000, 0, RNE, S_PINF, OF | NX},
	    {ADD, S_MAX, 0x73000000, 0, RMM, S_PINF, OF | NX},
	    {ADD, S_MAX, 0x73000000, 0, RUP, S_PINF, OF | NX},
	    {ADD, S_MAX, 0x73000000, 0, RTZ, S_MAX, NX},
	    {ADD, S_MAX, 0x73000000, 0, RDN, S_MAX, NX},
	    /* max + 2^102: below half an ulp; only RUP overflows */
	    {ADD, S_MAX, 0x72800000, 0, RNE, S_MAX, NX},
	    {ADD, S_MAX, 0x72800000, 0, RMM, S_MAX, NX},
	    {ADD, S_MAX, 0x72800000, 0, RUP, S_PINF, OF | NX},
	    /* huge / tiny */
	    {DIV, S_MAX, S_HALF, 0, RNE, S_PINF, OF | NX},
	};
	static const struct vec64 d[] = {
	    {ADD, D_MAX, D_MAX, 0, RNE, D_PINF, OF | NX},
	    {ADD, D_MAX, D_MAX, 0, RTZ, D_MAX, OF | NX},
	    {ADD, 0xffefffffffffffff, 0xffefffffffffffff, 0, RUP, 0xffefffffffffffff, OF | NX},
	    {ADD, 0xffefffffffffffff, 0xffefffffffffffff, 0, RMM, D_NINF, OF | NX},
	};
	check32(s, N(s), "overflow_f32");
	check64(d, N(d), "overflow_f64");
}

Test(fpu_flags, underflow_after_rounding)
{
	static const struct vec32 s[] = {
	    /* 0.5(1+2^-23) * 2^-126(2-2^-22) = 2^-126 (1 - 2^-46): tiny
	     * before rounding, but rounding to 24 bits with unbounded
	     * exponent gives 2^-126 in the to-nearest and up modes, so it
	     * is not tiny (11.6: after rounding): NX only. RTZ/RDN deliver
	     * the largest subnormal and that is tiny: UF. */
	    {MUL, 0x3f000001, 0x00fffffe, 0, RNE, S_MINNORM, NX},
	    {MUL, 0x3f000001, 0x00fffffe, 0, RMM, S_MINNORM, NX},
	    {MUL, 0x3f000001, 0x00fffffe, 0, RUP, S_MINNORM, NX},
	    {MUL, 0x3f000001, 0x00fffffe, 0, RTZ, 0x007fffff, UF | NX},
	    {MUL, 0x3f000001, 0x00fffffe, 0, RDN, 0x007fffff, UF | NX},
	    /* 2^-126 * (1-2^-24) = 2^-126 - 2^-150: exact with unbounded
	     * exponent, so tiny; on the subnormal grid (2^-149) a tie that
	     * RNE resolves to the even 2^-126. Result normal, yet UF. */
	    {MUL, S_MINNORM, 0x3f7fffff, 0, RNE, S_MINNORM, UF | NX},
	    {MUL, S_MINNORM, 0x3f7fffff, 0, RMM, S_MINNORM, UF | NX},
	    {MUL, S_MINNORM, 0x3f7fffff, 0, RTZ, 0x007fffff, UF | NX},
	    /* exact subnormal results raise nothing (UF needs inexact) */
	    {MUL, S_MINNORM, S_HALF, 0, RNE, 0x00400000, 0},
	    {SUB, S_MINNORM, 0x00000001, 0, RNE, 0x007fffff, 0},
	    /* 2^-149 * 0.5 = 2^-150: tie between 0 (even) and 2^-149 */
	    {MUL, 0x00000001, S_HALF, 0, RNE, S_PZERO, UF | NX},
	    {MUL, 0x00000001, S_HALF, 0, RMM, 0x00000001, UF | NX},
	    {MUL, 0x00000001, S_HALF, 0, RUP, 0x00000001, UF | NX},
	    {MUL, 0x80000001, S_HALF, 0, RDN, 0x80000001, UF | NX},
	    {MUL, 0x80000001, S_HALF, 0, RNE, S_NZERO, UF | NX},
	    /* 3*2^-149 * 0.5 = 1.5*2^-149: tie, RNE to 2*2^-149 */
	    {MUL, 0x00000003, S_HALF, 0, RNE, 0x00000002, UF | NX},
	    {MUL, 0x00000003, S_HALF, 0, RTZ, 0x00000001, UF | NX},
	};
	static const struct vec64 d[] = {
	    /* 0.5(1+2^-52) * 2^-1022(2-2^-51) = 2^-1022 (1 - 2^-104) */
	    {MUL, 0x3fe0000000000001, 0x001ffffffffffffe, 0, RNE, 0x0010000000000000, NX},
	    {MUL, 0x3fe0000000000001, 0x001ffffffffffffe, 0, RMM, 0x0010000000000000, NX},
	    {MUL, 0x3fe0000000000001, 0x001ffffffffffffe, 0, RTZ, 0x000fffffffffffff, UF | NX},
	    {MUL, 0x3fe0000000000001, 0x001ffffffffffffe, 0, RDN, 0x000fffffffffffff, UF | NX},
	    /* 2^-1022 (1 - 2^-53): tiny and a subnormal-grid tie */
	    {MUL, 0x0010000000000000, 0x3fefffffffffffff, 0, RNE, 0x0010000000000000, UF | NX},
	    {MUL, 0x0010000000000000, 0x3fefffffffffffff, 0, RTZ, 0x000fffffffffffff, UF | NX},
	    /* 2^-1074 / 2 */
	    {DIV, 0x0000000000000001, D_TWO, 0, RNE, D_PZERO, UF | NX},
	    {DIV, 0x0000000000000001, D_TWO, 0, RMM, 0x0000000000000001, UF | NX},
	    {DIV, 0x0000000000000001, D_TWO, 0, RUP, 0x0000000000000001, UF | NX},
	};
	check32(s, N(s), "underflow_f32");
	check64(d, N(d), "underflow_f64");
}

Test(fpu_flags, dz_and_nv)
{
	static const struct vec32 s[] = {
	    {DIV, S_ONE, S_PZERO, 0, RNE, S_PINF, DZ},
	    {DIV, S_ONE, S_NZERO, 0, RNE, S_NINF, DZ},
	    {DIV, 0xbf800000, S_PZERO, 0, RTZ, S_NINF, DZ},
	    {DIV, S_PINF, S_PZERO, 0, RNE, S_PINF, 0}, /* inf/0: exact inf, no DZ */
	    {DIV, S_PZERO, S_PZERO, 0, RNE, S_CANON, NV},
	    {DIV, S_PINF, S_NINF, 0, RNE, S_CANON, NV},
	    {DIV, S_ONE, S_PINF, 0, RNE, S_PZERO, 0},
	    {MUL, S_PINF, S_NZERO, 0, RNE, S_CANON, NV},
	    {ADD, S_PINF, S_NINF, 0, RNE, S_CANON, NV},
	    {SUB, S_PINF, S_PINF, 0, RNE, S_CANON, NV},
	    {SQRT, 0xbf800000, 0, 0, RNE, S_CANON, NV},
	    {SQRT, S_NINF, 0, 0, RNE, S_CANON, NV},
	    {SQRT, S_NZERO, 0, 0, RNE, S_NZERO, 0}, /* sqrt(-0) = -0 */
	    {SQRT, S_PINF, 0, 0, RNE, S_PINF, 0},
	    /* NaN results are canonical whatever the input payload (11.3) */
	    {ADD, 0x7fc12345, S_ONE, 0, RNE, S_CANON, 0},
	    {ADD, 0xffc00000, S_ONE, 0, RNE, S_CANON, 0},
	    {ADD, S_ONE, 0x7fa00000, 0, RNE, S_CANON, NV},
	    {MUL, 0xff800001, S_PZERO, 0, RNE, S_CANON, NV},
	    {DIV, S_QNAN, S_PZERO, 0, RNE, S_CANON, 0},
	    {SQRT, 0xffc00001, 0, 0, RNE, S_CANON, 0},
	    {SQRT, 0x7f800002, 0, 0, RNE, S_CANON, NV},
	};
	static const struct vec64 d[] = {
	    {DIV, D_ONE, D_PZERO, 0, RNE, D_PINF, DZ},
	    {DIV, D_ONE, D_NZERO, 0, RNE, D_NINF, DZ},
	    {DIV, D_PZERO, D_NZERO, 0, RNE, D_CANON, NV},
	    {SQRT, 0xbff0000000000000, 0, 0, RNE, D_CANON, NV},
	    {SQRT, D_NZERO, 0, 0, RNE, D_NZERO, 0},
	    {ADD, 0xfff8000000000123, D_ONE, 0, RNE, D_CANON, 0},
	    {ADD, D_SNAN, D_ONE, 0, RNE, D_CANON, NV},
	    {MUL, D_PZERO, D_NINF, 0, RNE, D_CANON, NV},
	};
	check32(s, N(s), "dz_nv_f32");
	check64(d, N(d), "dz_nv_f64");
}

Test(fpu_flags, signed_zero_sums)
{
	/* IEEE 754 6.3: x + (-x) is +0 except in RDN, where it is -0; the sum
	 * of two zeros of the same sign keeps that sign. */
	static const struct vec32 s[] = {
	    {ADD, S_ONE, 0xbf800000, 0, RNE, S_PZERO, 0},
	    {ADD, S_ONE, 0xbf800000, 0, RMM, S_PZERO, 0},
	    {ADD, S_ONE, 0xbf800000, 0, RUP, S_PZERO, 0},
	    {ADD, S_ONE, 0xbf800000, 0, RDN, S_NZERO, 0},
	    {SUB, S_ONE, S_ONE, 0, RDN, S_NZERO, 0},
	    {ADD, S_NZERO, S_NZERO, 0, RNE, S_NZERO, 0},
	    {ADD, S_NZERO, S_PZERO, 0, RNE, S_PZERO, 0},
	    {ADD, S_NZERO, S_PZERO, 0, RDN, S_NZERO, 0},
	    {SUB, S_PZERO, S_PZERO, 0, RDN, S_NZERO, 0},
	    {SUB, S_NZERO, S_PZERO, 0, RNE, S_NZERO, 0},
	    {ADD, S_NZERO, 0x3f800001, 0, RNE, 0x3f800001, 0},
	    {MUL, S_NZERO, S_ONE, 0, RNE, S_NZERO, 0},
	    {DIV, S_PZERO, 0xbf800000, 0, RNE, S_NZERO, 0},
	};
	static const struct vec64 d[] = {
	    {ADD, D_ONE, 0xbff0000000000000, 0, RNE, D_PZERO, 0},
	    {ADD, D_ONE, 0xbff0000000000000, 0, RDN, D_NZERO, 0},
	    {ADD, D_NZERO, D_NZERO, 0, RUP, D_NZERO, 0},
	};
	check32(s, N(s), "zero_f32");
	check64(d, N(d), "zero_f64");
}

/* ---- fmin / fmax (11.6, 2019 semantics) ---- */

Test(fpu_minmax, cases)
{
	static const struct vec32 s[] = {
	    {MIN, S_NZERO, S_PZERO, 0, 0, S_NZERO, 0},
	    {MIN, S_PZERO, S_NZERO, 0, 0, S_NZERO, 0},
	    {MAX, S_NZERO, S_PZERO, 0, 0, S_PZERO, 0},
	    {MAX, S_PZERO, S_NZERO, 0, 0, S_PZERO, 0},
	    {MIN, S_QNAN, S_ONE, 0, 0, S_ONE, 0}, /* a NaN is ignored */
	    {MAX, S_ONE, 0xffc00123, 0, 0, S_ONE, 0},
	    {MIN, S_SNAN, S_ONE, 0, 0, S_ONE, NV}, /* ... but sNaN signals */
	    {MAX, S_ONE, S_SNAN, 0, 0, S_ONE, NV},
	    {MIN, S_QNAN, S_QNAN, 0, 0, S_CANON, 0}, /* both NaN: canonical */
	    {MAX, 0x7fc00001, 0xffc00000, 0, 0, S_CANON, 0},
	    {MAX, S_SNAN, S_QNAN, 0, 0, S_CANON, NV},
	    {MIN, S_NINF, S_ONE, 0, 0, S_NINF, 0},
	    {MAX, S_NINF, S_PINF, 0, 0, S_PINF, 0},
	    {MIN, 0xc0000000, 0xbf800000, 0, 0, 0xc0000000, 0}, /* -2 < -1 */
	    {MAX, 0xc0000000, 0xbf800000, 0, 0, 0xbf800000, 0},
	    {MIN, 0x00000001, S_PZERO, 0, 0, S_PZERO, 0},
	};
	static const struct vec64 d[] = {
	    {MIN, D_PZERO, D_NZERO, 0, 0, D_NZERO, 0},
	    {MAX, D_NZERO, D_PZERO, 0, 0, D_PZERO, 0},
	    {MIN, D_QNAN, D_TWO, 0, 0, D_TWO, 0},
	    {MIN, D_SNAN, D_TWO, 0, 0, D_TWO, NV},
	    {MAX, D_SNAN, D_SNAN, 0, 0, D_CANON, NV},
	    {MAX, 0xbff0000000000000, 0xc000000000000000, 0, 0, 0xbff0000000000000, 0},
	};
	check32(s, N(s), "minmax_f32");
	check64(d, N(d), "minmax_f64");
}

/* ---- comparisons (11.8) ---- */

enum cmp { EQ, LT, LE };
struct cmpvec {
	enum cmp op;
	uint64_t a, b;
	int want;
	uint8_t flags;
};

static const struct cmpvec cmp32[] = {
    {EQ, S_ONE, S_ONE, 1, 0},
    {EQ, S_NZERO, S_PZERO, 1, 0},
    {LT, S_NZERO, S_PZERO, 0, 0},
    {LE, S_NZERO, S_PZERO, 1, 0},
    {LE, S_PZERO, S_NZERO, 1, 0},
    {LT, 0xbf800000, S_ONE, 1, 0},
    {LT, S_ONE, 0xbf800000, 0, 0},
    {LT, 0xc0000000, 0xbf800000, 1, 0}, /* -2 < -1 */
    {LT, 0xbf800000, 0xc0000000, 0, 0},
    {LE, 0xc0000000, 0xc0000000, 1, 0},
    {LT, S_NINF, S_MAX, 1, 0},
    {LE, S_PINF, S_PINF, 1, 0},
    /* FEQ is quiet: NV only for signaling NaNs */
    {EQ, S_QNAN, S_ONE, 0, 0},
    {EQ, S_QNAN, S_QNAN, 0, 0},
    {EQ, S_SNAN, S_ONE, 0, NV},
    {EQ, S_ONE, 0xffa00000, 0, NV},
    /* FLT and FLE are signaling: NV for any NaN */
    {LT, S_QNAN, S_ONE, 0, NV},
    {LT, S_ONE, S_QNAN, 0, NV},
    {LE, S_QNAN, S_QNAN, 0, NV},
    {LE, S_SNAN, S_ONE, 0, NV},
};

static const struct cmpvec cmp64[] = {
    {EQ, D_NZERO, D_PZERO, 1, 0},
    {LT, D_NZERO, D_PZERO, 0, 0},
    {LE, D_PZERO, D_NZERO, 1, 0},
    {LT, 0xbff0000000000000, D_ONE, 1, 0},
    {LT, 0xc000000000000000, 0xbff0000000000000, 1, 0},
    {LE, D_ONE, 0x3ff0000000000001, 1, 0},
    {LT, 0x3ff0000000000001, D_ONE, 0, 0},
    {EQ, D_QNAN, D_QNAN, 0, 0},
    {EQ, D_SNAN, D_ONE, 0, NV},
    {LT, D_QNAN, D_ONE, 0, NV},
    {LE, D_ONE, D_QNAN, 0, NV},
};

Test(fpu_compare, f32)
{
	for (size_t i = 0; i < N(cmp32); i++) {
		const struct cmpvec *v = &cmp32[i];
		uint8_t fl = 0;
		uint32_t a = (uint32_t)v->a, b = (uint32_t)v->b;
		int r = v->op == EQ   ? f32_eq(a, b, &fl)
			: v->op == LT ? f32_lt(a, b, &fl)
				      : f32_le(a, b, &fl);
		cr_expect_eq(r, v->want, "cmp32 row %zu", i);
		cr_expect_eq(fl, v->flags, "cmp32 row %zu flags %02x", i, fl);
	}
}

Test(fpu_compare, f64)
{
	for (size_t i = 0; i < N(cmp64); i++) {
		const struct cmpvec *v = &cmp64[i];
		uint8_t fl = 0;
		int r = v->op == EQ   ? f64_eq(v->a, v->b, &fl)
			: v->op == LT ? f64_lt(v->a, v->b, &fl)
				      : f64_le(v->a, v->b, &fl);
		cr_expect_eq(r, v->want, "cmp64 row %zu", i);
		cr_expect_eq(fl, v->flags, "cmp64 row %zu flags %02x", i, fl);
	}
}

/* ---- fclass (table 11.5) ---- */

Test(fpu_classify, all_ten_classes)
{
	static const struct {
		uint32_t a;
		unsigned want;
	} s[] = {
	    {S_NINF, 1u << 0},	{0xbf800000, 1u << 1}, {0x807fffff, 1u << 2}, {S_NZERO, 1u << 3},
	    {S_PZERO, 1u << 4}, {0x00000001, 1u << 5}, {S_MINNORM, 1u << 6},  {S_PINF, 1u << 7},
	    {S_SNAN, 1u << 8},	{0xffbfffff, 1u << 8}, {S_QNAN, 1u << 9},     {0xffffffff, 1u << 9},
	    {S_MAX, 1u << 6},
	};
	static const struct {
		uint64_t a;
		unsigned want;
	} d[] = {
	    {D_NINF, 1u << 0},
	    {0xffefffffffffffff, 1u << 1},
	    {0x8000000000000001, 1u << 2},
	    {D_NZERO, 1u << 3},
	    {D_PZERO, 1u << 4},
	    {0x000fffffffffffff, 1u << 5},
	    {D_ONE, 1u << 6},
	    {D_PINF, 1u << 7},
	    {D_SNAN, 1u << 8},
	    {0x7ff7ffffffffffff, 1u << 8},
	    {D_QNAN, 1u << 9},
	    {0xfff8000000000001, 1u << 9},
	};
	for (size_t i = 0; i < N(s); i++)
		cr_expect_eq(f32_classify(s[i].a), s[i].want, "fclass.s row %zu", i);
	for (size_t i = 0; i < N(d); i++)
		cr_expect_eq(f64_classify(d[i].a), d[i].want, "fclass.d row %zu", i);
}

/* ---- float -> integer (11.7, table 11.4) ---- */

enum cvt { I32, U32, I64, U64 };
struct cvtvec {
	enum cvt to;
	uint64_t a; /* binary32 in the low bits for the f32 table */
	int rm;
	uint64_t want; /* the result as a 64-bit pattern, 32-bit ones zero-extended */
	uint8_t flags;
};

static uint64_t cvt_from32(const struct cvtvec *v, uint8_t *fl)
{
	uint32_t a = (uint32_t)v->a;
	switch (v->to) {
	case I32:
		return (uint32_t)f32_to_i32(a, v->rm, fl);
	case U32:
		return f32_to_u32(a, v->rm, fl);
	case I64:
		return (uint64_t)f32_to_i64(a, v->rm, fl);
	default:
		return f32_to_u64(a, v->rm, fl);
	}
}

static uint64_t cvt_from64(const struct cvtvec *v, uint8_t *fl)
{
	switch (v->to) {
	case I32:
		return (uint32_t)f64_to_i32(v->a, v->rm, fl);
	case U32:
		return f64_to_u32(v->a, v->rm, fl);
	case I64:
		return (uint64_t)f64_to_i64(v->a, v->rm, fl);
	default:
		return f64_to_u64(v->a, v->rm, fl);
	}
}

Test(fpu_cvt, f32_to_int)
{
	static const struct cvtvec t[] = {
	    /* NaN -> largest value, +inf -> max, -inf -> min; all NV */
	    {I32, S_QNAN, RNE, 0x7fffffff, NV},
	    {I32, 0xffc00000, RNE, 0x7fffffff, NV}, /* the NaN's sign is irrelevant */
	    {I32, S_PINF, RNE, 0x7fffffff, NV},
	    {I32, S_NINF, RNE, 0x80000000, NV},
	    {U32, S_SNAN, RNE, 0xffffffff, NV},
	    {U32, S_PINF, RNE, 0xffffffff, NV},
	    {U32, S_NINF, RNE, 0, NV},
	    {I64, S_QNAN, RNE, 0x7fffffffffffffff, NV},
	    {I64, S_NINF, RNE, 0x8000000000000000, NV},
	    {U64, S_QNAN, RNE, 0xffffffffffffffff, NV},
	    {U64, S_NINF, RNE, 0, NV},
	    /* limits: 2^31 out of range, -2^31 exact */
	    {I32, 0x4f000000, RNE, 0x7fffffff, NV},
	    {I32, 0xcf000000, RNE, 0x80000000, 0},
	    {I32, 0xcf000001, RTZ, 0x80000000, NV},	    /* -(2^31 + 256) */
	    {U32, 0x4f800000, RNE, 0xffffffff, NV},	    /* 2^32 */
	    {U32, 0x4f7fffff, RNE, 0xffffff00, 0},	    /* 2^32 - 256 */
	    {I64, 0x5f000000, RNE, 0x7fffffffffffffff, NV}, /* 2^63 */
	    {I64, 0xdf000000, RNE, 0x8000000000000000, 0},  /* -2^63 */
	    {U64, 0x5f800000, RNE, 0xffffffffffffffff, NV}, /* 2^64 */
	    {U64, 0x5f7fffff, RNE, 0xffffff0000000000, 0},
	    {I64, 0x7f7fffff, RTZ, 0x7fffffffffffffff, NV},
	    /* negative to unsigned: invalid iff the rounded value is < 0 */
	    {U32, 0xbf800000, RNE, 0, NV}, /* -1 */
	    {U32, 0xbf000000, RTZ, 0, NX}, /* -0.5 -> -0 */
	    {U32, 0xbf000000, RNE, 0, NX}, /* tie to even 0 */
	    {U32, 0xbf000000, RUP, 0, NX},
	    {U32, 0xbf000000, RDN, 0, NV}, /* -> -1 */
	    {U32, 0xbf000000, RMM, 0, NV}, /* tie away -> -1 */
	    {U64, 0xbf400000, RNE, 0, NV}, /* -0.75 -> -1 */
	    {U64, 0xbe800000, RNE, 0, NX}, /* -0.25 -> -0 */
	    {U64, S_NZERO, RNE, 0, 0},
	    /* rounding in all modes: 2.5 and -2.5 */
	    {I32, 0x40200000, RNE, 2, NX},
	    {I32, 0x40200000, RTZ, 2, NX},
	    {I32, 0x40200000, RDN, 2, NX},
	    {I32, 0x40200000, RUP, 3, NX},
	    {I32, 0x40200000, RMM, 3, NX},
	    {I32, 0xc0200000, RNE, 0xfffffffe, NX},
	    {I32, 0xc0200000, RTZ, 0xfffffffe, NX},
	    {I32, 0xc0200000, RDN, 0xfffffffd, NX},
	    {I32, 0xc0200000, RUP, 0xfffffffe, NX},
	    {I32, 0xc0200000, RMM, 0xfffffffd, NX},
	    {I64, 0x3fc00000, RNE, 2, NX}, /* 1.5 */
	    {I64, 0x3fc00000, RTZ, 1, NX},
	    {I64, 0x00000001, RUP, 1, NX}, /* 2^-149 */
	    {I64, 0x80000001, RDN, 0xffffffffffffffff, NX},
	    {I64, 0x80000001, RNE, 0, NX},
	    {U32, 0x3f7fffff, RMM, 1, NX},	 /* 0.99999994 */
	    {U32, 0x4b800001, RNE, 16777218, 0}, /* 2^24 + 2, exact */
	};
	for (size_t i = 0; i < N(t); i++) {
		uint8_t fl = 0;
		uint64_t r = cvt_from32(&t[i], &fl);
		cr_expect_eq(r, t[i].want, "f32->int row %zu: %016llx", i, (unsigned long long)r);
		cr_expect_eq(fl, t[i].flags, "f32->int row %zu: flags %02x", i, fl);
	}
}

Test(fpu_cvt, f64_to_int)
{
	static const struct cvtvec t[] = {
	    {I32, D_QNAN, RNE, 0x7fffffff, NV},
	    {U32, D_QNAN, RNE, 0xffffffff, NV},
	    {I64, D_SNAN, RNE, 0x7fffffffffffffff, NV},
	    {U64, D_QNAN, RNE, 0xffffffffffffffff, NV},
	    {I32, D_NINF, RNE, 0x80000000, NV},
	    {U64, D_PINF, RNE, 0xffffffffffffffff, NV},
	    /* 4294967295.5 = 2^32 - 0.5: a tie between 2^32-1 (odd) and 2^32 */
	    {U32, 0x41effffffff00000, RNE, 0xffffffff, NV}, /* -> 2^32: out of range */
	    {U32, 0x41effffffff00000, RMM, 0xffffffff, NV},
	    {U32, 0x41effffffff00000, RUP, 0xffffffff, NV},
	    {U32, 0x41effffffff00000, RTZ, 0xffffffff, NX}, /* -> 2^32-1: fits */
	    {U32, 0x41effffffff00000, RDN, 0xffffffff, NX},
	    /* 2147483647.5 = 2^31 - 0.5 */
	    {I32, 0x41dfffffffe00000, RNE, 0x7fffffff, NV},
	    {I32, 0x41dfffffffe00000, RTZ, 0x7fffffff, NX},
	    {I32, 0x41dfffffffe00000, RDN, 0x7fffffff, NX},
	    {I32, 0x41dfffffffe00000, RMM, 0x7fffffff, NV},
	    /* -2147483648.5: tie between -2^31 (even) and -2^31-1 */
	    {I32, 0xc1e0000000100000, RNE, 0x80000000, NX},
	    {I32, 0xc1e0000000100000, RTZ, 0x80000000, NX},
	    {I32, 0xc1e0000000100000, RUP, 0x80000000, NX},
	    {I32, 0xc1e0000000100000, RMM, 0x80000000, NV},
	    {I32, 0xc1e0000000100000, RDN, 0x80000000, NV},
	    /* 64-bit limits */
	    {I64, 0x43e0000000000000, RNE, 0x7fffffffffffffff, NV}, /* 2^63 */
	    {I64, 0xc3e0000000000000, RNE, 0x8000000000000000, 0},  /* -2^63 */
	    {I64, 0xc3e0000000000001, RNE, 0x8000000000000000, NV},
	    {I64, 0x43dfffffffffffff, RNE, 0x7ffffffffffffc00, 0},
	    {U64, 0x43f0000000000000, RNE, 0xffffffffffffffff, NV}, /* 2^64 */
	    {U64, 0x43efffffffffffff, RNE, 0xfffffffffffff800, 0},
	    {U64, 0xbff0000000000000, RNE, 0, NV},
	    {U64, 0xbfe0000000000000, RTZ, 0, NX}, /* -0.5 */
	    {U64, 0xbfe0000000000000, RDN, 0, NV},
	    {I64, 0x7fefffffffffffff, RNE, 0x7fffffffffffffff, NV},
	    {I64, 0xffefffffffffffff, RNE, 0x8000000000000000, NV},
	    {U32, 0xc1f0000000000000, RNE, 0, NV}, /* -2^32 */
	    /* rounding */
	    {I64, 0x4004000000000000, RNE, 2, NX}, /* 2.5 */
	    {I64, 0x4004000000000000, RMM, 3, NX},
	    {I64, 0xc004000000000000, RMM, 0xfffffffffffffffd, NX},
	    {I64, 0x400c000000000000, RNE, 4, NX},	    /* 3.5 */
	    {I32, 0xbfeccccccccccccd, RNE, 0xffffffff, NX}, /* -0.9 */
	    {I32, 0xbfeccccccccccccd, RTZ, 0, NX},
	    {U32, 0x0000000000000001, RUP, 1, NX},
	    {U64, 0x3fe0000000000000, RMM, 1, NX}, /* 0.5 */
	    {U64, 0x3fe0000000000000, RNE, 0, NX},
	};
	for (size_t i = 0; i < N(t); i++) {
		uint8_t fl = 0;
		uint64_t r = cvt_from64(&t[i], &fl);
		cr_expect_eq(r, t[i].want, "f64->int row %zu: %016llx", i, (unsigned long long)r);
		cr_expect_eq(fl, t[i].flags, "f64->int row %zu: flags %02x", i, fl);
	}
}

/* ---- integer -> float (11.7, 12.5) ---- */

Test(fpu_cvt, int_to_float)
{
	uint8_t fl;

#define EXPECT_CVT(call, want_v, want_fl)                                                          \
	do {                                                                                       \
		fl = 0;                                                                            \
		uint64_t r_ = (call);                                                              \
		cr_expect_eq(r_, (uint64_t)(want_v), "%s = %llx", #call, (unsigned long long)r_);  \
		cr_expect_eq(fl, (want_fl), "%s: flags %02x", #call, fl);                          \
	} while (0)

	/* 2^24 + 1: halfway between 2^24 (even) and 2^24 + 2 */
	EXPECT_CVT(f32_from_i32(16777217, RNE, &fl), 0x4b800000, NX);
	EXPECT_CVT(f32_from_i32(16777217, RTZ, &fl), 0x4b800000, NX);
	EXPECT_CVT(f32_from_i32(16777217, RUP, &fl), 0x4b800001, NX);
	EXPECT_CVT(f32_from_i32(16777217, RMM, &fl), 0x4b800001, NX);
	EXPECT_CVT(f32_from_i32(-16777217, RMM, &fl), 0xcb800001, NX);
	EXPECT_CVT(f32_from_i32(-16777217, RDN, &fl), 0xcb800001, NX);
	EXPECT_CVT(f32_from_i32(-16777217, RNE, &fl), 0xcb800000, NX);
	/* 2^24 + 3: halfway between 2^24+2 (odd mantissa) and 2^24+4 */
	EXPECT_CVT(f32_from_u32(16777219, RNE, &fl), 0x4b800002, NX);
	EXPECT_CVT(f32_from_u32(16777219, RTZ, &fl), 0x4b800001, NX);
	EXPECT_CVT(f32_from_i32(0, RDN, &fl), 0x00000000, 0); /* +0, even in RDN */
	EXPECT_CVT(f32_from_i32(INT32_MIN, RNE, &fl), 0xcf000000, 0);
	EXPECT_CVT(f32_from_u32(0xffffffff, RNE, &fl), 0x4f800000, NX);
	EXPECT_CVT(f32_from_u32(0xffffffff, RTZ, &fl), 0x4f7fffff, NX);
	EXPECT_CVT(f32_from_u64(UINT64_MAX, RNE, &fl), 0x5f800000, NX);
	EXPECT_CVT(f32_from_u64(UINT64_MAX, RTZ, &fl), 0x5f7fffff, NX);
	EXPECT_CVT(f32_from_i64(INT64_MIN, RNE, &fl), 0xdf000000, 0);
	EXPECT_CVT(f32_from_i64(-1, RNE, &fl), 0xbf800000, 0);
	/* 2^53 + 1 in binary64 */
	EXPECT_CVT(f64_from_u64(9007199254740993ull, RNE, &fl), 0x4340000000000000, NX);
	EXPECT_CVT(f64_from_u64(9007199254740993ull, RMM, &fl), 0x4340000000000001, NX);
	EXPECT_CVT(f64_from_u64(9007199254740993ull, RUP, &fl), 0x4340000000000001, NX);
	EXPECT_CVT(f64_from_i64(-9007199254740993ll, RMM, &fl), 0xc340000000000001, NX);
	EXPECT_CVT(f64_from_i64(-9007199254740993ll, RUP, &fl), 0xc340000000000000, NX);
	EXPECT_CVT(f64_from_i64(INT64_MIN, RNE, &fl), 0xc3e0000000000000, 0);
	EXPECT_CVT(f64_from_i64(INT64_MAX, RNE, &fl), 0x43e0000000000000, NX);
	EXPECT_CVT(f64_from_i64(INT64_MAX, RTZ, &fl), 0x43dfffffffffffff, NX);
	EXPECT_CVT(f64_from_u64(UINT64_MAX, RDN, &fl), 0x43efffffffffffff, NX);
	EXPECT_CVT(f64_from_i32(-1, RNE, &fl), 0xbff0000000000000, 0);
	EXPECT_CVT(f64_from_i32(INT32_MIN, RTZ, &fl), 0xc1e0000000000000, 0);
	EXPECT_CVT(f64_from_u32(0xffffffff, RNE, &fl), 0x41efffffffe00000, 0);
	EXPECT_CVT(f64_from_u32(0, RNE, &fl), 0, 0);
}

/* ---- between formats (12.5) ---- */

Test(fpu_cvt, f32_f64)
{
	uint8_t fl;

	/* widening is exact; NaNs become canonical, NV for signaling */
	EXPECT_CVT(f32_to_f64(S_ONE, &fl), D_ONE, 0);
	EXPECT_CVT(f32_to_f64(0x00000001, &fl), 0x36a0000000000000, 0); /* 2^-149 */
	EXPECT_CVT(f32_to_f64(0x807fffff, &fl), 0xb80fffffc0000000, 0);
	EXPECT_CVT(f32_to_f64(S_NINF, &fl), D_NINF, 0);
	EXPECT_CVT(f32_to_f64(S_NZERO, &fl), D_NZERO, 0);
	EXPECT_CVT(f32_to_f64(0x7fc12345, &fl), D_CANON, 0);
	EXPECT_CVT(f32_to_f64(S_SNAN, &fl), D_CANON, NV);

	/* narrowing: overflow */
	EXPECT_CVT(f64_to_f32(D_MAX, RNE, &fl), S_PINF, OF | NX);
	EXPECT_CVT(f64_to_f32(D_MAX, RTZ, &fl), S_MAX, OF | NX);
	EXPECT_CVT(f64_to_f32(0xffefffffffffffff, RUP, &fl), 0xff7fffff, OF | NX);
	EXPECT_CVT(f64_to_f32(0xffefffffffffffff, RMM, &fl), S_NINF, OF | NX);
	/* f32 max + half its ulp = (2 - 2^-24) * 2^127: tie, lower neighbour odd */
	EXPECT_CVT(f64_to_f32(0x47effffff0000000, RNE, &fl), S_PINF, OF | NX);
	EXPECT_CVT(f64_to_f32(0x47effffff0000000, RTZ, &fl), S_MAX, NX);
	EXPECT_CVT(f64_to_f32(0x47effffff0000000, RDN, &fl), S_MAX, NX);
	/* rounding ties: 1 + 2^-24 */
	EXPECT_CVT(f64_to_f32(0x3ff0000010000000, RNE, &fl), S_ONE, NX);
	EXPECT_CVT(f64_to_f32(0x3ff0000010000000, RMM, &fl), 0x3f800001, NX);
	EXPECT_CVT(f64_to_f32(0xbff0000010000000, RMM, &fl), 0xbf800001, NX);
	EXPECT_CVT(f64_to_f32(0xbff0000010000000, RUP, &fl), 0xbf800000, NX);
	/* underflow, tininess after rounding: 2^-126 - 2^-151 is a tie at
	 * 24 bits / unbounded exponent (between 2^-126 - 2^-150, odd, and
	 * 2^-126): RNE/RMM/RUP round to 2^-126, not tiny, no UF. RTZ/RDN stay
	 * below 2^-126: tiny, UF. */
	EXPECT_CVT(f64_to_f32(0x380ffffff0000000, RNE, &fl), S_MINNORM, NX);
	EXPECT_CVT(f64_to_f32(0x380ffffff0000000, RMM, &fl), S_MINNORM, NX);
	EXPECT_CVT(f64_to_f32(0x380ffffff0000000, RUP, &fl), S_MINNORM, NX);
	EXPECT_CVT(f64_to_f32(0x380ffffff0000000, RTZ, &fl), 0x007fffff, UF | NX);
	EXPECT_CVT(f64_to_f32(0x380ffffff0000000, RDN, &fl), 0x007fffff, UF | NX);
	/* 2^-126 - 2^-150: exactly 24 bits, so tiny; on the subnormal grid a
	 * tie that RNE sends to 2^-126. */
	EXPECT_CVT(f64_to_f32(0x380fffffe0000000, RNE, &fl), S_MINNORM, UF | NX);
	EXPECT_CVT(f64_to_f32(0x380fffffe0000000, RTZ, &fl), 0x007fffff, UF | NX);
	/* 2^-150: tie between 0 and the smallest subnormal */
	EXPECT_CVT(f64_to_f32(0x3690000000000000, RNE, &fl), S_PZERO, UF | NX);
	EXPECT_CVT(f64_to_f32(0x3690000000000000, RMM, &fl), 0x00000001, UF | NX);
	EXPECT_CVT(f64_to_f32(0x3690000000000000, RUP, &fl), 0x00000001, UF | NX);
	EXPECT_CVT(f64_to_f32(0xb690000000000000, RDN, &fl), 0x80000001, UF | NX);
	EXPECT_CVT(f64_to_f32(0x0000000000000001, RNE, &fl), S_PZERO, UF | NX);
	EXPECT_CVT(f64_to_f32(0x8000000000000001, RDN, &fl), 0x80000001, UF | NX);
	/* exact subnormal: no flags */
	EXPECT_CVT(f64_to_f32(0x36a0000000000000, RNE, &fl), 0x00000001, 0);
	EXPECT_CVT(f64_to_f32(D_QNAN, RNE, &fl), S_CANON, 0);
	EXPECT_CVT(f64_to_f32(0xfff0000000000001, RNE, &fl), S_CANON, NV);
	EXPECT_CVT(f64_to_f32(D_NINF, RNE, &fl), S_NINF, 0);
	EXPECT_CVT(f64_to_f32(D_NZERO, RNE, &fl), S_NZERO, 0);
}

/* Flags accrue: nothing clears bits that were already set (11.2). */
Test(fpu_flags, accrue)
{
	uint8_t fl = DZ;
	uint32_t r = f32_add(S_ONE, 0x33800000, RNE, &fl);
	cr_expect_eq(r, S_ONE);
	cr_expect_eq(fl, DZ | NX);
}

/* ---- Zfa ---- */

/* FLI entries whose value differs between formats (chapter "Zfa"): entry 1
 * is each format's least normal; in binary16, 2^-16 and 2^-15 are
 * subnormals (2^8 and 2^9 times 2^-24) and 2^16 overflows to +inf. */
Test(fpu_zfa, fli_per_format)
{
	cr_expect_eq(f32_fli(1), 0x00800000u);
	cr_expect_eq(f64_fli(1), 0x0010000000000000ull);
	cr_expect_eq(f16_fli(1), 0x0400);
	cr_expect_eq(f16_fli(2), 0x0100);
	cr_expect_eq(f16_fli(3), 0x0200);
	cr_expect_eq(f16_fli(28), 0x7800); /* 2^15: exponent 15 + 15 */
	cr_expect_eq(f16_fli(29), 0x7c00);
	cr_expect_eq(f32_fli(29), 0x47800000u); /* 2^16: exponent 16 + 127 */
	cr_expect_eq(f64_fli(0), 0xbff0000000000000ull);
	cr_expect_eq(f64_fli(9), 0x3fd4000000000000ull); /* 0.3125 = 1.25 * 2^-2 */
	cr_expect_eq(f16_fli(31), F16_CANON_NAN);
	cr_expect_eq(f64_fli(31), D_CANON);
}

/* minimum/maximum: any NaN gives the canonical NaN; -0 < +0. */
Test(fpu_zfa, minimum_maximum)
{
	uint8_t fl = 0;
	cr_expect_eq(f64_minimum(D_QNAN | 5, D_ONE, &fl), D_CANON);
	cr_expect_eq(fl, 0);
	cr_expect_eq(f64_maximum(D_ONE, D_SNAN, &fl), D_CANON);
	cr_expect_eq(fl, NV);
	fl = 0;
	cr_expect_eq(f64_minimum(D_PZERO, D_NZERO, &fl), D_NZERO);
	cr_expect_eq(f64_maximum(D_NZERO, D_PZERO, &fl), D_PZERO);
	cr_expect_eq(f32_minimum(S_TWO, S_ONE, &fl), S_ONE);
	cr_expect_eq(f16_maximum(0xbc00, 0x3c00, &fl), 0x3c00);
	cr_expect_eq(fl, 0);
}

/* round_int: 2.5 in each mode; NX only when asked; the sign of a zero. */
Test(fpu_zfa, round_int)
{
	const uint64_t two_half = 0x4004000000000000ull, m_quarter = 0xbfd0000000000000ull;
	uint8_t fl = 0;
	cr_expect_eq(f64_round_int(two_half, RNE, false, &fl), D_TWO);
	cr_expect_eq(f64_round_int(two_half, RTZ, false, &fl), D_TWO);
	cr_expect_eq(f64_round_int(two_half, RDN, false, &fl), D_TWO);
	cr_expect_eq(f64_round_int(two_half, RUP, false, &fl), D_THREE);
	cr_expect_eq(f64_round_int(two_half, RMM, false, &fl), D_THREE);
	cr_expect_eq(fl, 0);
	cr_expect_eq(f64_round_int(m_quarter, RNE, true, &fl), D_NZERO);
	cr_expect_eq(fl, NX);
	fl = 0;
	cr_expect_eq(f64_round_int(m_quarter, RDN, true, &fl), 0xbff0000000000000ull);
	cr_expect_eq(f64_round_int(D_NINF, RUP, true, &fl), D_NINF);
	cr_expect_eq(fl, NX);
	fl = 0;
	cr_expect_eq(f64_round_int(D_SNAN, RNE, true, &fl), D_CANON);
	cr_expect_eq(fl, NV);
	fl = 0;
	/* the largest half, already an integer; the least subnormal up to 1 */
	cr_expect_eq(f16_round_int(0x7bff, RUP, true, &fl), 0x7bff);
	cr_expect_eq(fl, 0);
	cr_expect_eq(f16_round_int(0x0001, RUP, false, &fl), 0x3c00);
	cr_expect_eq(f32_round_int(0x3fc00000u, RNE, false, &fl), S_TWO); /* 1.5 */
	cr_expect_eq(fl, 0);
}

/* fcvtmod.w.d: truncation modulo 2^32, FCVT.W.D's flags, 0 for inf/NaN. */
Test(fpu_zfa, f64_to_i32_mod)
{
	uint8_t fl = 0;
	/* 2^32 + 5 = 0x41f0000000500000 */
	cr_expect_eq(f64_to_i32_mod(0x41f0000000500000ull, &fl), 5);
	cr_expect_eq(fl, NV);
	fl = 0;
	/* -2.75: -2, inexact */
	cr_expect_eq(f64_to_i32_mod(0xc006000000000000ull, &fl), -2);
	cr_expect_eq(fl, NX);
	fl = 0;
	/* 2^31: bits 31:0 are 0x80000000, out of range */
	cr_expect_eq(f64_to_i32_mod(0x41e0000000000000ull, &fl), INT32_MIN);
	cr_expect_eq(fl, NV);
	fl = 0;
	cr_expect_eq(f64_to_i32_mod(D_PINF, &fl), 0);
	cr_expect_eq(f64_to_i32_mod(D_QNAN, &fl), 0);
	cr_expect_eq(fl, NV);
	fl = 0;
	cr_expect_eq(f64_to_i32_mod(D_NZERO, &fl), 0);
	cr_expect_eq(fl, 0);
}

/* The quiet compares: NV only for a signalling NaN. */
Test(fpu_zfa, quiet_compares)
{
	uint8_t fl = 0;
	cr_expect_eq(f64_lt_quiet(D_QNAN, D_ONE, &fl), 0);
	cr_expect_eq(f64_le_quiet(D_ONE, D_QNAN, &fl), 0);
	cr_expect_eq(fl, 0);
	cr_expect_eq(f64_le_quiet(D_SNAN, D_ONE, &fl), 0);
	cr_expect_eq(fl, NV);
	fl = 0;
	cr_expect_eq(f64_le_quiet(D_NZERO, D_PZERO, &fl), 1);
	cr_expect_eq(f64_lt_quiet(D_NZERO, D_PZERO, &fl), 0);
	cr_expect_eq(f32_lt_quiet(S_ONE, S_TWO, &fl), 1);
	cr_expect_eq(f16_lt_quiet(0x3c00, 0x3c01, &fl), 1);
	cr_expect_eq(f16_le_quiet(0x7e00, 0x3c00, &fl), 0);
	cr_expect_eq(fl, 0);
}

/*
 * Random cross-check against the host FPU, an independent implementation, in
 * the four modes hosts have (RMM is covered by the tables above). Only on
 * x86-64, whose SSE unit also detects tininess after rounding (so UF must
 * agree bit for bit); NaN results are compared as "some NaN" since hosts
 * propagate payloads. Operands and results go through volatiles so the
 * compiler can neither fold them nor move them across fesetround().
 */
#if defined(__x86_64__)
#include <fenv.h>
#include <immintrin.h>
#include <math.h>
#include <stdbool.h>
#include <string.h>

static uint64_t xs_next(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static uint8_t host_flags(void)
{
	uint8_t f = 0;
	f |= fetestexcept(FE_INEXACT) ? NX : 0;
	f |= fetestexcept(FE_UNDERFLOW) ? UF : 0;
	f |= fetestexcept(FE_OVERFLOW) ? OF : 0;
	f |= fetestexcept(FE_DIVBYZERO) ? DZ : 0;
	f |= fetestexcept(FE_INVALID) ? NV : 0;
	return f;
}

/* Operands biased towards the interesting places: specials, the subnormal
 * boundary, overflow, and short mantissas that make ties. */
static uint64_t gen_d(uint64_t *s)
{
	uint64_t r = xs_next(s), m = xs_next(s) & 0x800fffffffffffffull;
	switch (r % 6) {
	case 0:
		return m | ((r >> 8) % 60) << 52;
	case 1:
		return m | (1990 + (r >> 8) % 57) << 52;
	case 2:
		return (m & 0x800ff00000000000ull) | (1000 + (r >> 8) % 40) << 52 | ((r >> 5) & 1);
	case 3:
		return m | (1023 - 160 + (r >> 8) % 40) << 52; /* f32 subnormal range */
	case 4:
		return ((r >> 8) & 1 ? 0x380ffffff0000000ull : 0x001ffffff0000000ull) |
		       (m & 0x800000000fffffffull);
	default:
		return m | (900 + (r >> 8) % 250) << 52;
	}
}

static uint32_t gen_s(uint64_t *s)
{
	uint64_t r = xs_next(s);
	uint32_t m = (uint32_t)(xs_next(s) >> 32) & 0x807fffffu;
	switch (r % 5) {
	case 0:
		return m | (uint32_t)((r >> 8) % 30) << 23;
	case 1:
		return m | (uint32_t)(225 + (r >> 8) % 30) << 23;
	case 2:
		return (m & 0x807f0000u) | (uint32_t)(110 + (r >> 8) % 30) << 23 | ((r >> 5) & 1);
	case 3:
		return ((r >> 8) & 1 ? 0x00fff000u : 0x3f7ff000u) | (m & 0x80000fffu);
	default:
		return (uint32_t)(r >> 32);
	}
}

Test(fpu_host, random_against_sse)
{
	static const int host_rm[4] = {FE_TONEAREST, FE_TOWARDZERO, FE_DOWNWARD, FE_UPWARD};
	uint64_t seed = 0x9e3779b97f4a7c15ull;
	long bad = 0;

	for (long i = 0; i < 200000 && bad < 10; i++) {
		int rm = (int)(i & 3);
		uint64_t da = gen_d(&seed), db = gen_d(&seed), dc = gen_d(&seed);
		uint32_t sa = gen_s(&seed), sb = gen_s(&seed), sc = gen_s(&seed);
		volatile double x, y, z, r;
		volatile float fx, fy, fz, fr;
		uint64_t got, want;
		uint8_t gf, hf;

		memcpy((void *)&x, &da, 8);
		memcpy((void *)&y, &db, 8);
		memcpy((void *)&z, &dc, 8);
		memcpy((void *)&fx, &sa, 4);
		memcpy((void *)&fy, &sb, 4);
		memcpy((void *)&fz, &sc, 4);
		fesetround(host_rm[rm]);
		for (int op = 0; op < 11; op++) {
			double hd;
			float hs;
			gf = 0;
			feclearexcept(FE_ALL_EXCEPT);
			switch (op) {
			case 0:
				r = x + y;
				got = f64_add(da, db, rm, &gf);
				break;
			case 1:
				r = x * y;
				got = f64_mul(da, db, rm, &gf);
				break;
			case 2:
				r = x / y;
				got = f64_div(da, db, rm, &gf);
				break;
			case 3:
				r = sqrt(x);
				got = f64_sqrt(da, rm, &gf);
				break;
			case 4:
				r = fma(x, y, z);
				got = f64_fmadd(da, db, dc, rm, &gf);
				break;
			case 5:
				fr = fx + fy;
				got = f32_add(sa, sb, rm, &gf);
				break;
			case 6:
				fr = fx * fy;
				got = f32_mul(sa, sb, rm, &gf);
				break;
			case 7:
				fr = fx / fy;
				got = f32_div(sa, sb, rm, &gf);
				break;
			case 8:
				fr = sqrtf(fx);
				got = f32_sqrt(sa, rm, &gf);
				break;
			case 9:
				fr = fmaf(fx, fy, fz);
				got = f32_fmadd(sa, sb, sc, rm, &gf);
				break;
			default:
				fr = (float)x;
				got = f64_to_f32(da, rm, &gf);
				break;
			}
			hf = host_flags();
			if (op <= 4) {
				hd = r;
				memcpy(&want, &hd, 8);
				if (isnan(hd))
					want = D_CANON;
			} else {
				uint32_t w;
				hs = fr;
				memcpy(&w, &hs, 4);
				want = isnan(hs) ? S_CANON : w;
			}
			if (got != want || gf != hf) {
				bad++;
				cr_log_error(
				    "op %d rm %d a=%016llx/%08x b=%016llx/%08x: got %llx/%02x, "
				    "host %llx/%02x",
				    op, rm, (unsigned long long)da, sa, (unsigned long long)db, sb,
				    (unsigned long long)got, gf, (unsigned long long)want, hf);
			}
		}
	}
	fesetround(FE_TONEAREST);
	cr_expect_eq(bad, 0, "%ld mismatches against the host FPU", bad);
}
/*
 * binary16 against the host, an independent implementation: F16C's
 * single-to-half conversion (VCVTPS2PH, which takes the rounding mode in
 * its immediate and raises the SSE flags, tininess after rounding) applied
 * to the exact result of each operation "rounded to odd" into binary32
 * (with UF worked out after rounding, see below).
 * Rounding to odd (truncate, then set the last bit when anything was
 * dropped) to p + 2 or more bits and then rounding to p bits in any mode is
 * the correct rounding of the exact value (Boldo and Melquiond, "Emulation
 * of FMA and correctly rounded sums: proved algorithms using rounding to
 * odd"), and double (53 bits) and then single (24 bits) are both wide
 * enough for half's 11. The host computes in double with FE_TOWARDZERO:
 * exact for add, sub and mul of halves, truncated with a sticky bit for
 * div, sqrt and fma. Zero results take their sign from the requested mode.
 */
#define D_SIGN_BIT 0x8000000000000000ull

__attribute__((target("f16c"))) static uint16_t host_to_f16(float f, int rm)
{
	/* VCVTPS2PH imm8[1:0]: 0 nearest, 1 down, 2 up, 3 toward zero. */
	switch (rm) {
	case FRM_RTZ:
		return (uint16_t)_cvtss_sh(f, 3);
	case FRM_RDN:
		return (uint16_t)_cvtss_sh(f, 1);
	case FRM_RUP:
		return (uint16_t)_cvtss_sh(f, 2);
	default:
		return (uint16_t)_cvtss_sh(f, 0);
	}
}

__attribute__((target("f16c"))) static double host_from_f16(uint16_t h)
{
	return (double)_cvtsh_ss(h);
}

/* x (a double rounded toward zero, inexact when `sticky`) rounded to odd
 * into a float. */
static float to_odd_float(double x, bool sticky)
{
	volatile double vx = x;
	volatile float f;
	uint32_t b;
	uint64_t d;

	if (sticky && !isinf(x)) {
		memcpy(&d, (const void *)&vx, 8);
		d |= 1;
		memcpy((void *)&vx, &d, 8);
	}
	fesetround(FE_TOWARDZERO);
	feclearexcept(FE_ALL_EXCEPT);
	f = (float)vx;
	if (fetestexcept(FE_INEXACT) && !isinf(f)) {
		memcpy(&b, (const void *)&f, 4);
		b |= 1;
		memcpy((void *)&f, &b, 4);
	}
	return f;
}

/* Halves biased towards subnormals, the overflow edge, ties, specials;
 * no NaN operands (hosts propagate payloads, and RISC-V's NaN rules have
 * their own tests). */
static uint16_t gen_h(uint64_t *s)
{
	uint64_t r = xs_next(s);
	uint16_t m = (uint16_t)(xs_next(s) >> 40) & 0x83ffu;
	uint16_t e;
	switch (r % 5) {
	case 0:
		e = (uint16_t)((r >> 8) % 3); /* subnormal, least normals */
		break;
	case 1:
		e = (uint16_t)(28 + (r >> 8) % 4); /* near the overflow, inf */
		break;
	case 2:
		e = (uint16_t)(13 + (r >> 8) % 5);
		m &= 0x8380u; /* short significands: ties */
		break;
	default:
		e = (uint16_t)((r >> 8) % 31);
		break;
	}
	if (e == 31)
		m &= 0x8000u; /* infinity */
	return (uint16_t)(e << 10 | m);
}

Test(fpu_host, half_against_f16c)
{
	static const int host_rm[4] = {FE_TONEAREST, FE_TOWARDZERO, FE_DOWNWARD, FE_UPWARD};
	uint64_t seed = 0x2545f4914f6cdd1dull;
	long bad = 0;

	for (long i = 0; i < 200000 && bad < 10; i++) {
		const int rm = (int)(i & 3);
		const uint16_t a = gen_h(&seed), b = gen_h(&seed), c = gen_h(&seed);
		const uint32_t sa = gen_s(&seed);
		const uint64_t da = gen_d(&seed);
		volatile double x = host_from_f16(a), y = host_from_f16(b), z = host_from_f16(c);
		for (int op = 0; op < 7; op++) {
			volatile double r = 0;
			uint8_t gf = 0, nvdz, hf;
			uint16_t got, want;
			bool sticky;
			float sf;

			fesetround(FE_TOWARDZERO);
			feclearexcept(FE_ALL_EXCEPT);
			switch (op) {
			case 0:
				r = x + y;
				got = f16_add(a, b, rm, &gf);
				break;
			case 1:
				r = x * y;
				got = f16_mul(a, b, rm, &gf);
				break;
			case 2:
				r = x / y;
				got = f16_div(a, b, rm, &gf);
				break;
			case 3:
				r = sqrt(x);
				got = f16_sqrt(a, rm, &gf);
				break;
			case 4:
				r = fma(x, y, z);
				got = f16_fmadd(a, b, c, rm, &gf);
				break;
			case 5: { /* binary32 -> binary16; NaNs (by their bits) skipped */
				const bool nan = (sa & 0x7fffffffu) > 0x7f800000u;
				float fa;
				memcpy(&fa, &sa, 4);
				r = nan ? 0.0 : (double)fa;
				got = nan ? 0 : f32_to_f16(sa, rm, &gf);
				break;
			}
			default: { /* binary64 -> binary16 */
				const bool nan = (da & ~D_SIGN_BIT) > 0x7ff0000000000000ull;
				double d;
				memcpy(&d, &da, 8);
				r = nan ? 0.0 : d;
				got = nan ? 0 : f64_to_f16(da, rm, &gf);
				break;
			}
			}
			sticky = fetestexcept(FE_INEXACT);
			nvdz = host_flags() & (NV | DZ);
			if (r == 0 && !sticky) {
				/* an exact zero: its sign is the mode's (x - x) */
				fesetround(host_rm[rm]);
				switch (op) {
				case 0:
					r = x + y;
					break;
				case 4:
					r = fma(x, y, z);
					break;
				default:
					break;
				}
			}
			sf = to_odd_float(r, sticky);
			feclearexcept(FE_ALL_EXCEPT);
			want = isnan(r) ? F16_CANON_NAN : host_to_f16(sf, rm);
			hf = (uint8_t)((isnan(r) ? 0 : host_flags()) | nvdz);
			/* VCVTPS2PH detects tininess before rounding; RISC-V after
			 * (11.6): tiny when the value rounded to 11 bits with an
			 * unbounded exponent is below 2^-14, which converting it
			 * scaled by 2^11 (exactly) into the normal range shows. */
			if (!isnan(r)) {
				const uint16_t scaled = host_to_f16(sf * 2048.0f, rm);
				const bool tiny = (scaled & 0x7fffu) < 0x3000u; /* < 2^-3 */
				hf = (uint8_t)((hf & ~UF) | (tiny && (hf & NX) ? UF : 0));
			}
			if (got != want || gf != hf) {
				bad++;
				cr_log_error(
				    "half op %d rm %d a=%04x b=%04x c=%04x s=%08x d=%016llx: got "
				    "%04x/%02x, host %04x/%02x",
				    op, rm, a, b, c, sa, (unsigned long long)da, got, gf, want, hf);
			}
		}
	}
	fesetround(FE_TONEAREST);
	cr_expect_eq(bad, 0, "%ld mismatches against the host's F16C", bad);
}

#endif
