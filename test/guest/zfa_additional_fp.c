// args: -cpu max
/*
 * Zfa (unprivileged spec, chapter "Zfa"): FLI's 32 constants in each format,
 * FMINM/FMAXM (IEEE 754-2019 minimum/maximum: any NaN operand gives the
 * canonical NaN, where FMIN/FMAX return the other operand), FROUND and
 * FROUNDNX (only the latter raises NX), FCVTMOD.W.D (truncation modulo
 * 2^32 with FCVT.W.D's flags, 0 for inf and NaN), FLEQ/FLTQ (quiet: NV
 * only for a signalling NaN, where FLE/FLT signal on any NaN), and
 * FMVH.X.D/FMVP.D.X, which are RV32-only and so illegal here.
 *
 * binutils 2.40 has no Zfa: each instruction is a .word, with the operand
 * registers fixed (ft0, ft1 in; ft2 or t0 out) so the words are constants.
 * The FLI tables were made with Python's struct formats 'e', 'f', 'd' from
 * the spec's table (entry 1 is each format's least normal; 2^16 does not
 * fit in binary16, so FLI.H's entry 29 is +inf, as the spec says).
 */
#include "guest.h"
#define FP_CHECK_NAME "zfa"
#include "fp_check.h"

#define NV 0x10
#define NX 0x01

#define HB(h)  (0xffffffffffff0000ull | (uint16_t)(h))
#define BOX(s) (0xffffffff00000000ull | (uint32_t)(s))

#define D_ONE	0x3ff0000000000000ull
#define D_TWO	0x4000000000000000ull
#define D_PZERO 0x0000000000000000ull
#define D_NZERO 0x8000000000000000ull
#define D_INF	0x7ff0000000000000ull
#define D_NINF	0xfff0000000000000ull
#define D_QNAN	0x7ff8000000000000ull
#define D_QNANP 0x7ff8000000000123ull /* a quiet NaN with a payload */
#define D_SNAN	0x7ff0000000000001ull

/* An OP-FP word with rd = ft2 (or t0), rs1 = ft0, rs2 = ft1. */
#define FD    (2u << 7)
#define XD    (5u << 7)
#define RS2   (1u << 20)
#define RM(r) ((uint32_t)(r) << 12)

/* Run the instruction word w on raw register contents a, b; the f result. */
#define FOP(w, a, b)                                                                               \
	({                                                                                         \
		uint64_t r_;                                                                       \
		__asm__ volatile("fmv.d.x ft0, %1\n\tfmv.d.x ft1, %2\n\t.word %3\n\t"              \
				 "fmv.x.d %0, ft2"                                                 \
				 : "=r"(r_)                                                        \
				 : "r"((uint64_t)(a)), "r"((uint64_t)(b)), "i"(w)                  \
				 : "ft0", "ft1", "ft2");                                           \
		r_;                                                                                \
	})
/* The same with an integer result in t0. */
#define XOP(w, a, b)                                                                               \
	({                                                                                         \
		uint64_t r_;                                                                       \
		__asm__ volatile("fmv.d.x ft0, %1\n\tfmv.d.x ft1, %2\n\tli t0, 0x5a5a\n\t"         \
				 ".word %3\n\tmv %0, t0"                                           \
				 : "=r"(r_)                                                        \
				 : "r"((uint64_t)(a)), "r"((uint64_t)(b)), "i"(w)                  \
				 : "ft0", "ft1", "t0");                                            \
		r_;                                                                                \
	})

/* fminm/fmaxm.{s,d,h} ft2, ft0, ft1 */
#define FMINM_S (0x28002053u | FD | RS2)
#define FMAXM_S (0x28003053u | FD | RS2)
#define FMINM_D (0x2a002053u | FD | RS2)
#define FMAXM_D (0x2a003053u | FD | RS2)
#define FMINM_H (0x2c002053u | FD | RS2)
#define FMAXM_H (0x2c003053u | FD | RS2)
/* fround[nx].{s,d,h} ft2, ft0, rm */
#define FROUND_S(rm)   (0x40400053u | FD | RM(rm))
#define FROUNDNX_S(rm) (0x40500053u | FD | RM(rm))
#define FROUND_D(rm)   (0x42400053u | FD | RM(rm))
#define FROUNDNX_D(rm) (0x42500053u | FD | RM(rm))
#define FROUND_H(rm)   (0x44400053u | FD | RM(rm))
#define FROUNDNX_H(rm) (0x44500053u | FD | RM(rm))
/* fcvtmod.w.d t0, ft0, rtz */
#define FCVTMOD (0xc2801053u | XD)
/* fleq/fltq.{s,d,h} t0, ft0, ft1; fle.d/flt.d for contrast */
#define FLEQ_S (0xa0004053u | XD | RS2)
#define FLTQ_S (0xa0005053u | XD | RS2)
#define FLEQ_D (0xa2004053u | XD | RS2)
#define FLTQ_D (0xa2005053u | XD | RS2)
#define FLEQ_H (0xa4004053u | XD | RS2)
#define FLTQ_H (0xa4005053u | XD | RS2)
#define FLE_D  (0xa2000053u | XD | RS2)
#define FLT_D  (0xa2001053u | XD | RS2)

enum { RNE, RTZ, RDN, RUP, RMM };

static const uint64_t fli_s_want[32] = {
    0xffffffff00000000ull | 0xbf800000u, /*  0: -1.0 */
    0xffffffff00000000ull | 0x00800000u, /*  1: min */
    0xffffffff00000000ull | 0x37800000u, /*  2: 1.52587890625e-05 */
    0xffffffff00000000ull | 0x38000000u, /*  3: 3.0517578125e-05 */
    0xffffffff00000000ull | 0x3b800000u, /*  4: 0.00390625 */
    0xffffffff00000000ull | 0x3c000000u, /*  5: 0.0078125 */
    0xffffffff00000000ull | 0x3d800000u, /*  6: 0.0625 */
    0xffffffff00000000ull | 0x3e000000u, /*  7: 0.125 */
    0xffffffff00000000ull | 0x3e800000u, /*  8: 0.25 */
    0xffffffff00000000ull | 0x3ea00000u, /*  9: 0.3125 */
    0xffffffff00000000ull | 0x3ec00000u, /* 10: 0.375 */
    0xffffffff00000000ull | 0x3ee00000u, /* 11: 0.4375 */
    0xffffffff00000000ull | 0x3f000000u, /* 12: 0.5 */
    0xffffffff00000000ull | 0x3f200000u, /* 13: 0.625 */
    0xffffffff00000000ull | 0x3f400000u, /* 14: 0.75 */
    0xffffffff00000000ull | 0x3f600000u, /* 15: 0.875 */
    0xffffffff00000000ull | 0x3f800000u, /* 16: 1.0 */
    0xffffffff00000000ull | 0x3fa00000u, /* 17: 1.25 */
    0xffffffff00000000ull | 0x3fc00000u, /* 18: 1.5 */
    0xffffffff00000000ull | 0x3fe00000u, /* 19: 1.75 */
    0xffffffff00000000ull | 0x40000000u, /* 20: 2.0 */
    0xffffffff00000000ull | 0x40200000u, /* 21: 2.5 */
    0xffffffff00000000ull | 0x40400000u, /* 22: 3.0 */
    0xffffffff00000000ull | 0x40800000u, /* 23: 4.0 */
    0xffffffff00000000ull | 0x41000000u, /* 24: 8.0 */
    0xffffffff00000000ull | 0x41800000u, /* 25: 16.0 */
    0xffffffff00000000ull | 0x43000000u, /* 26: 128.0 */
    0xffffffff00000000ull | 0x43800000u, /* 27: 256.0 */
    0xffffffff00000000ull | 0x47000000u, /* 28: 32768.0 */
    0xffffffff00000000ull | 0x47800000u, /* 29: 65536.0 */
    0xffffffff00000000ull | 0x7f800000u, /* 30: inf */
    0xffffffff00000000ull | 0x7fc00000u, /* 31: nan */
};
static const uint64_t fli_d_want[32] = {
    0xbff0000000000000ull, /*  0: -1.0 */
    0x0010000000000000ull, /*  1: min */
    0x3ef0000000000000ull, /*  2: 1.52587890625e-05 */
    0x3f00000000000000ull, /*  3: 3.0517578125e-05 */
    0x3f70000000000000ull, /*  4: 0.00390625 */
    0x3f80000000000000ull, /*  5: 0.0078125 */
    0x3fb0000000000000ull, /*  6: 0.0625 */
    0x3fc0000000000000ull, /*  7: 0.125 */
    0x3fd0000000000000ull, /*  8: 0.25 */
    0x3fd4000000000000ull, /*  9: 0.3125 */
    0x3fd8000000000000ull, /* 10: 0.375 */
    0x3fdc000000000000ull, /* 11: 0.4375 */
    0x3fe0000000000000ull, /* 12: 0.5 */
    0x3fe4000000000000ull, /* 13: 0.625 */
    0x3fe8000000000000ull, /* 14: 0.75 */
    0x3fec000000000000ull, /* 15: 0.875 */
    0x3ff0000000000000ull, /* 16: 1.0 */
    0x3ff4000000000000ull, /* 17: 1.25 */
    0x3ff8000000000000ull, /* 18: 1.5 */
    0x3ffc000000000000ull, /* 19: 1.75 */
    0x4000000000000000ull, /* 20: 2.0 */
    0x4004000000000000ull, /* 21: 2.5 */
    0x4008000000000000ull, /* 22: 3.0 */
    0x4010000000000000ull, /* 23: 4.0 */
    0x4020000000000000ull, /* 24: 8.0 */
    0x4030000000000000ull, /* 25: 16.0 */
    0x4060000000000000ull, /* 26: 128.0 */
    0x4070000000000000ull, /* 27: 256.0 */
    0x40e0000000000000ull, /* 28: 32768.0 */
    0x40f0000000000000ull, /* 29: 65536.0 */
    0x7ff0000000000000ull, /* 30: inf */
    0x7ff8000000000000ull, /* 31: nan */
};
static const uint64_t fli_h_want[32] = {
    0xffffffffffff0000ull | 0xbc00u, /*  0: -1.0 */
    0xffffffffffff0000ull | 0x0400u, /*  1: min */
    0xffffffffffff0000ull | 0x0100u, /*  2: 1.52587890625e-05 */
    0xffffffffffff0000ull | 0x0200u, /*  3: 3.0517578125e-05 */
    0xffffffffffff0000ull | 0x1c00u, /*  4: 0.00390625 */
    0xffffffffffff0000ull | 0x2000u, /*  5: 0.0078125 */
    0xffffffffffff0000ull | 0x2c00u, /*  6: 0.0625 */
    0xffffffffffff0000ull | 0x3000u, /*  7: 0.125 */
    0xffffffffffff0000ull | 0x3400u, /*  8: 0.25 */
    0xffffffffffff0000ull | 0x3500u, /*  9: 0.3125 */
    0xffffffffffff0000ull | 0x3600u, /* 10: 0.375 */
    0xffffffffffff0000ull | 0x3700u, /* 11: 0.4375 */
    0xffffffffffff0000ull | 0x3800u, /* 12: 0.5 */
    0xffffffffffff0000ull | 0x3900u, /* 13: 0.625 */
    0xffffffffffff0000ull | 0x3a00u, /* 14: 0.75 */
    0xffffffffffff0000ull | 0x3b00u, /* 15: 0.875 */
    0xffffffffffff0000ull | 0x3c00u, /* 16: 1.0 */
    0xffffffffffff0000ull | 0x3d00u, /* 17: 1.25 */
    0xffffffffffff0000ull | 0x3e00u, /* 18: 1.5 */
    0xffffffffffff0000ull | 0x3f00u, /* 19: 1.75 */
    0xffffffffffff0000ull | 0x4000u, /* 20: 2.0 */
    0xffffffffffff0000ull | 0x4100u, /* 21: 2.5 */
    0xffffffffffff0000ull | 0x4200u, /* 22: 3.0 */
    0xffffffffffff0000ull | 0x4400u, /* 23: 4.0 */
    0xffffffffffff0000ull | 0x4800u, /* 24: 8.0 */
    0xffffffffffff0000ull | 0x4c00u, /* 25: 16.0 */
    0xffffffffffff0000ull | 0x5800u, /* 26: 128.0 */
    0xffffffffffff0000ull | 0x5c00u, /* 27: 256.0 */
    0xffffffffffff0000ull | 0x7800u, /* 28: 32768.0 */
    0xffffffffffff0000ull | 0x7c00u, /* 29: 65536.0 */
    0xffffffffffff0000ull | 0x7c00u, /* 30: inf */
    0xffffffffffff0000ull | 0x7e00u, /* 31: nan */
};

/* fli.s, fli.d, fli.h ft2, i for every i, stored with fsd (bits as they
 * are, box included). */
void fli_all(uint64_t *s, uint64_t *d, uint64_t *h);
__asm__(".text\n"
	".align 2\n"
	".globl fli_all\n"
	"fli_all:\n"
	".irp i, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,"
	"29,30,31\n"
	"	.word 0xf0100153 | (\\i << 15)\n" /* fli.s ft2, i */
	"	fsd ft2, (\\i * 8)(a0)\n"
	"	.word 0xf2100153 | (\\i << 15)\n" /* fli.d ft2, i */
	"	fsd ft2, (\\i * 8)(a1)\n"
	"	.word 0xf4100153 | (\\i << 15)\n" /* fli.h ft2, i */
	"	fsd ft2, (\\i * 8)(a2)\n"
	".endr\n"
	"	ret\n");

static void load_immediate(void)
{
	static uint64_t s[32], d[32], h[32];
	take_flags();
	fli_all(s, d, h);
	for (int i = 0; i < 32; i++) {
		eqf(100 + i, s[i], fli_s_want[i], 0);
		eqf(140 + i, d[i], fli_d_want[i], 0);
		eqf(180 + i, h[i], fli_h_want[i], 0);
	}
}

static void minimum_maximum(void)
{
	take_flags();
	/* Any NaN gives the canonical NaN (fmin.d would give 1.0), quietly
	 * for a quiet one, with NV for a signalling one. */
	eqf(1, FOP(FMINM_D, D_QNANP, D_ONE), D_QNAN, 0);
	eqf(2, FOP(FMAXM_D, D_ONE, D_QNAN), D_QNAN, 0);
	eqf(3, FOP(FMINM_D, D_ONE, D_SNAN), D_QNAN, NV);
	eqf(4, FOP(FMAXM_D, D_SNAN, D_QNAN), D_QNAN, NV);
	/* -0 < +0, in either order. */
	eqf(5, FOP(FMINM_D, D_PZERO, D_NZERO), D_NZERO, 0);
	eqf(6, FOP(FMINM_D, D_NZERO, D_PZERO), D_NZERO, 0);
	eqf(7, FOP(FMAXM_D, D_NZERO, D_PZERO), D_PZERO, 0);
	eqf(8, FOP(FMAXM_D, D_PZERO, D_NZERO), D_PZERO, 0);
	eqf(9, FOP(FMINM_D, D_ONE, D_TWO), D_ONE, 0);
	eqf(10, FOP(FMAXM_D, D_ONE, D_TWO), D_TWO, 0);
	eqf(11, FOP(FMINM_D, D_NINF, D_ONE), D_NINF, 0);
	/* Singles: a value that is not NaN-boxed is the canonical NaN. */
	eqf(12, FOP(FMINM_S, BOX(0x3f800000u), BOX(0x7fc00001u)), BOX(0x7fc00000u), 0);
	eqf(13, FOP(FMAXM_S, BOX(0x3f800000u), 0x3f800000ull), BOX(0x7fc00000u), 0);
	eqf(14, FOP(FMAXM_S, BOX(0x80000000u), BOX(0x00000000u)), BOX(0x00000000u), 0);
	eqf(15, FOP(FMINM_S, BOX(0x7f800001u), BOX(0x3f800000u)), BOX(0x7fc00000u), NV);
	eqf(16, FOP(FMINM_S, BOX(0xc0000000u), BOX(0x3f800000u)), BOX(0xc0000000u), 0);
	/* Halves. */
	eqf(17, FOP(FMINM_H, HB(0x7e00), HB(0x3c00)), HB(0x7e00), 0);
	eqf(18, FOP(FMAXM_H, HB(0x3c00), HB(0x7c01)), HB(0x7e00), NV);
	eqf(19, FOP(FMINM_H, HB(0x0000), HB(0x8000)), HB(0x8000), 0);
	eqf(20, FOP(FMAXM_H, HB(0x8000), HB(0x0000)), HB(0x0000), 0);
	eqf(21, FOP(FMAXM_H, HB(0x3c00), HB(0x7bff)), HB(0x7bff), 0);
}

static void round_to_integer(void)
{
	const uint64_t two_and_half = 0x4004000000000000ull, three = 0x4008000000000000ull;
	const uint64_t m_half = 0xbfe0000000000000ull, m_one = 0xbff0000000000000ull;
	take_flags();
	/* 2.5: 2 in rne, rtz, rdn; 3 in rup, rmm. fround raises nothing,
	 * froundnx NX. */
	eqf(300, FOP(FROUND_D(RNE), two_and_half, 0), D_TWO, 0);
	eqf(301, FOP(FROUND_D(RTZ), two_and_half, 0), D_TWO, 0);
	eqf(302, FOP(FROUND_D(RDN), two_and_half, 0), D_TWO, 0);
	eqf(303, FOP(FROUND_D(RUP), two_and_half, 0), three, 0);
	eqf(304, FOP(FROUND_D(RMM), two_and_half, 0), three, 0);
	eqf(305, FOP(FROUNDNX_D(RNE), two_and_half, 0), D_TWO, NX);
	eqf(306, FOP(FROUNDNX_D(RUP), two_and_half, 0), three, NX);
	/* -0.5: rounding to zero keeps the sign. */
	eqf(307, FOP(FROUNDNX_D(RNE), m_half, 0), D_NZERO, NX);
	eqf(308, FOP(FROUNDNX_D(RTZ), m_half, 0), D_NZERO, NX);
	eqf(309, FOP(FROUNDNX_D(RDN), m_half, 0), m_one, NX);
	eqf(310, FOP(FROUNDNX_D(RUP), m_half, 0), D_NZERO, NX);
	eqf(311, FOP(FROUNDNX_D(RMM), m_half, 0), m_one, NX);
	/* Already integral (2^52 + 1, 1e300), zeros and infinities: unchanged,
	 * no flags. */
	eqf(312, FOP(FROUNDNX_D(RNE), 0x4330000000000001ull, 0), 0x4330000000000001ull, 0);
	eqf(313, FOP(FROUNDNX_D(RUP), 0x7e37e43c8800759cull, 0), 0x7e37e43c8800759cull, 0);
	eqf(314, FOP(FROUNDNX_D(RUP), D_NZERO, 0), D_NZERO, 0);
	eqf(315, FOP(FROUNDNX_D(RDN), D_NINF, 0), D_NINF, 0);
	/* NaNs: the canonical NaN; NV only for a signalling one. */
	eqf(316, FOP(FROUNDNX_D(RNE), D_QNANP, 0), D_QNAN, 0);
	eqf(317, FOP(FROUND_D(RNE), D_SNAN, 0), D_QNAN, NV);
	eqf(318, FOP(FROUNDNX_D(RNE), D_SNAN, 0), D_QNAN, NV);
	/* The dynamic mode: frm = rdn; 0.75 ulp above 1 rounds to 1. */
	__asm__ volatile("csrwi frm, 2");
	eqf(319, FOP(FROUNDNX_D(7), 0x3ff8000000000000ull, 0), D_ONE, NX);
	__asm__ volatile("csrwi frm, 0");
	/* Singles: 1.5 and -2.5; an unboxed single is the canonical NaN. */
	eqf(320, FOP(FROUND_S(RNE), BOX(0x3fc00000u), 0), BOX(0x40000000u), 0);
	eqf(321, FOP(FROUNDNX_S(RTZ), BOX(0x3fc00000u), 0), BOX(0x3f800000u), NX);
	eqf(322, FOP(FROUNDNX_S(RNE), BOX(0xc0200000u), 0), BOX(0xc0000000u), NX);
	eqf(323, FOP(FROUNDNX_S(RMM), BOX(0xc0200000u), 0), BOX(0xc0400000u), NX);
	eqf(324, FOP(FROUNDNX_S(RNE), 0x3fc00000ull, 0), BOX(0x7fc00000u), 0);
	eqf(325, FOP(FROUNDNX_S(RNE), BOX(0x4b000001u), 0), BOX(0x4b000001u), 0); /* 2^23+1 */
	/* Halves: 0.5, the least subnormal, 2.5, 65504. */
	eqf(326, FOP(FROUNDNX_H(RNE), HB(0x3800), 0), HB(0x0000), NX);
	eqf(327, FOP(FROUNDNX_H(RUP), HB(0x3800), 0), HB(0x3c00), NX);
	eqf(328, FOP(FROUND_H(RUP), HB(0x0001), 0), HB(0x3c00), 0);
	eqf(329, FOP(FROUNDNX_H(RDN), HB(0x0001), 0), HB(0x0000), NX);
	eqf(330, FOP(FROUNDNX_H(RMM), HB(0x4100), 0), HB(0x4200), NX);
	eqf(331, FOP(FROUNDNX_H(RNE), HB(0x7bff), 0), HB(0x7bff), 0);
	eqf(332, FOP(FROUNDNX_H(RNE), HB(0xfd00), 0), HB(0x7e00), NV);
}

static void convert_modulo(void)
{
	take_flags();
	/* 2^32 + 5: out of int32 range (NV), bits 31:0 = 5 */
	eqf(400, XOP(FCVTMOD, 0x41f0000000500000ull, 0), 0x0000000000000005ull, NV);
	/* -1.5 truncates to -1: inexact */
	eqf(401, XOP(FCVTMOD, 0xbff8000000000000ull, 0), 0xffffffffffffffffull, NX);
	/* 2^31: out of range, bits 31:0 = 0x80000000 */
	eqf(402, XOP(FCVTMOD, 0x41e0000000000000ull, 0), 0xffffffff80000000ull, NV);
	/* -2^31: fits exactly */
	eqf(403, XOP(FCVTMOD, 0xc1e0000000000000ull, 0), 0xffffffff80000000ull, 0);
	/* 3e9 = 0xb2d05e00 */
	eqf(404, XOP(FCVTMOD, 0x41e65a0bc0000000ull, 0), 0xffffffffb2d05e00ull, NV);
	/* -(2^40 + 3): bits 31:0 of the two's complement are those of -3 */
	eqf(405, XOP(FCVTMOD, 0xc270000000003000ull, 0), 0xfffffffffffffffdull, NV);
	/* 2^52 + 2^20 */
	eqf(406, XOP(FCVTMOD, 0x4330000000100000ull, 0), 0x0000000000100000ull, NV);
	/* 1e300: a multiple of 2^32 */
	eqf(407, XOP(FCVTMOD, 0x7e37e43c8800759cull, 0), 0x0000000000000000ull, NV);
	/* 7.9 */
	eqf(408, XOP(FCVTMOD, 0x401f99999999999aull, 0), 0x0000000000000007ull, NX);
	/* 2^31 - 0.5 truncates into range: NX only */
	eqf(409, XOP(FCVTMOD, 0x41dfffffffe00000ull, 0), 0x000000007fffffffull, NX);
	/* -0 */
	eqf(410, XOP(FCVTMOD, 0x8000000000000000ull, 0), 0x0000000000000000ull, 0);
	/* Infinities and NaNs give 0, with FCVT.W.D's NV. */
	eqf(420, XOP(FCVTMOD, D_INF, 0), 0, NV);
	eqf(421, XOP(FCVTMOD, D_NINF, 0), 0, NV);
	eqf(422, XOP(FCVTMOD, D_QNAN, 0), 0, NV);
	eqf(423, XOP(FCVTMOD, D_SNAN, 0), 0, NV);
}

static void quiet_compares(void)
{
	take_flags();
	eqf(500, XOP(FLTQ_D, D_ONE, D_TWO), 1, 0);
	eqf(501, XOP(FLEQ_D, D_ONE, D_TWO), 1, 0);
	eqf(502, XOP(FLTQ_D, D_TWO, D_ONE), 0, 0);
	eqf(503, XOP(FLEQ_D, D_ONE, D_ONE), 1, 0);
	eqf(504, XOP(FLTQ_D, D_NZERO, D_PZERO), 0, 0);
	eqf(505, XOP(FLEQ_D, D_PZERO, D_NZERO), 1, 0);
	/* A quiet NaN: 0 and no flag, where flt/fle raise NV. */
	eqf(506, XOP(FLTQ_D, D_QNAN, D_ONE), 0, 0);
	eqf(507, XOP(FLEQ_D, D_ONE, D_QNANP), 0, 0);
	eqf(508, XOP(FLT_D, D_QNAN, D_ONE), 0, NV);
	eqf(509, XOP(FLE_D, D_ONE, D_QNAN), 0, NV);
	/* A signalling NaN: NV for the quiet compares too. */
	eqf(510, XOP(FLTQ_D, D_SNAN, D_ONE), 0, NV);
	eqf(511, XOP(FLEQ_D, D_ONE, D_SNAN), 0, NV);
	eqf(512, XOP(FLTQ_D, D_NINF, D_INF), 1, 0);
	/* Singles, an unboxed one being a quiet NaN. */
	eqf(520, XOP(FLTQ_S, BOX(0x3f800000u), BOX(0x40000000u)), 1, 0);
	eqf(521, XOP(FLEQ_S, BOX(0x40000000u), BOX(0x3f800000u)), 0, 0);
	eqf(522, XOP(FLEQ_S, BOX(0x7fc00000u), BOX(0x3f800000u)), 0, 0);
	eqf(523, XOP(FLTQ_S, BOX(0x3f800000u), BOX(0x7f800001u)), 0, NV);
	eqf(524, XOP(FLEQ_S, 0x3f800000ull, BOX(0x3f800000u)), 0, 0);
	eqf(525, XOP(FLEQ_S, BOX(0x80000000u), BOX(0x00000000u)), 1, 0);
	/* Halves. */
	eqf(530, XOP(FLTQ_H, HB(0x3c00), HB(0x3c01)), 1, 0);
	eqf(531, XOP(FLEQ_H, HB(0x7e00), HB(0x3c00)), 0, 0);
	eqf(532, XOP(FLTQ_H, HB(0x7c01), HB(0x3c00)), 0, NV);
	eqf(533, XOP(FLEQ_H, HB(0x8000), HB(0x0000)), 1, 0);
	eqf(534, XOP(FLTQ_H, HB(0x3c00), 0x3c01ull), 0, 0);
}

/* fmvh.x.d and fmvp.d.x are RV32-only: illegal on RV64 even with Zfa. */
volatile uint64_t trap_cause, trap_tval;
void zfa_trap(void);
__asm__(".text\n"
	".align 2\n"
	".globl zfa_trap\n"
	"zfa_trap:\n"
	"	csrr t0, mcause\n"
	"	la t1, trap_cause\n"
	"	sd t0, 0(t1)\n"
	"	csrr t0, mtval\n"
	"	la t1, trap_tval\n"
	"	sd t0, 0(t1)\n"
	"	csrr t0, mepc\n"
	"	addi t0, t0, 4\n"
	"	csrw mepc, t0\n"
	"	mret\n");

static void rv32_only_moves(void)
{
	uint64_t old_tvec;
	__asm__ volatile("csrrw %0, mtvec, %1" : "=r"(old_tvec) : "r"(zfa_trap));
	trap_cause = 0;
	__asm__ volatile(".word 0xe2100553" ::: "a0", "memory"); /* fmvh.x.d a0, ft0 */
	eqf(600, trap_cause, 2, 0);
	eqf(601, trap_tval, 0xe2100553u, 0);
	trap_cause = 0;
	__asm__ volatile(".word 0xb2b50053" ::: "ft0", "memory"); /* fmvp.d.x ft0, a0, a1 */
	eqf(602, trap_cause, 2, 0);
	eqf(603, trap_tval, 0xb2b50053u, 0);
	/* fcvtmod.w.d with rm other than rtz is reserved */
	trap_cause = 0;
	__asm__ volatile(".word 0xc2800553" ::: "a0", "memory"); /* rm = rne */
	eqf(604, trap_cause, 2, 0);
	__asm__ volatile("csrw mtvec, %0" ::"r"(old_tvec));
}

int main(void)
{
	load_immediate();
	minimum_maximum();
	round_to_integer();
	convert_modulo();
	quiet_compares();
	rv32_only_moves();
	return 0;
}
