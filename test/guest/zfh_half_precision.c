// args: -cpu max
/*
 * Zfh and Zfhmin: half precision (unprivileged spec, chapters "Zfh" and
 * "Zfhmin"), IEEE 754 binary16: 1 sign bit, 5 exponent bits (bias 15), 10
 * significand bits; the largest finite value is 65504 (0x7bff), the least
 * normal 2^-14 (0x0400), the least subnormal 2^-24 (0x0001); the canonical
 * NaN is 0x7e00.
 *
 * Checked: rounding in the five static modes with the exact fflags (NX,
 * UF after rounding, OF to inf or to the largest finite value by mode, NV,
 * DZ), subnormals, the fused multiply-add's single rounding, conversions
 * to and from S, D, W, WU, L, LU (FCVT.H.D rounds once, never through
 * binary32), NaN-boxing (a half whose upper 48 bits are not all ones reads
 * as the canonical NaN; FLH/FMV.H.X box, FSH/FMV.X.H move bits as they
 * are), FCLASS.H, FSGNJ*.H, FMIN/FMAX.H and the compares.
 *
 * The expected values of the generated block were computed when this test
 * was written by an independent model (exact rational arithmetic rounded
 * by the IEEE 754 rules in each mode, tininess detected after rounding,
 * itself checked against Python's struct 'e' format for round-to-nearest);
 * the comment above each group gives the arithmetic. Values go in and out
 * as raw bits (fmv.d.x / fmv.x.d), so every result's boxing is checked too.
 */
#include "guest.h"
#define FP_CHECK_NAME "zfh"
#include "fp_check.h"

#define NV 0x10
#define DZ 0x08
#define OF 0x04
#define UF 0x02
#define NX 0x01

/* A NaN-boxed half, a NaN-boxed single. */
#define HB(h)  (0xffffffffffff0000ull | (uint16_t)(h))
#define BOX(s) (0xffffffff00000000ull | (uint32_t)(s))

/* binutils 2.40 knows Zfh, but the guests are built for rv64gc. */
#define ZFH_ON	".option push\n\t.option arch, +zfh\n\t"
#define ZFH_OFF "\n\t.option pop"

/* insn ft2, ft0, ft1[, rm] on raw 64-bit register contents. */
#define H2(insn, rm, a, b)                                                                         \
	({                                                                                         \
		uint64_t r_;                                                                       \
		__asm__ volatile(ZFH_ON "fmv.d.x ft0, %1\n\tfmv.d.x ft1, %2\n\t" insn              \
					" ft2, ft0, ft1" rm "\n\tfmv.x.d %0, ft2" ZFH_OFF          \
				 : "=r"(r_)                                                        \
				 : "r"((uint64_t)(a)), "r"((uint64_t)(b))                          \
				 : "ft0", "ft1", "ft2");                                           \
		r_;                                                                                \
	})
#define H1(insn, rm, a)                                                                            \
	({                                                                                         \
		uint64_t r_;                                                                       \
		__asm__ volatile(ZFH_ON "fmv.d.x ft0, %1\n\t" insn " ft2, ft0" rm                  \
					"\n\tfmv.x.d %0, ft2" ZFH_OFF                              \
				 : "=r"(r_)                                                        \
				 : "r"((uint64_t)(a))                                              \
				 : "ft0", "ft2");                                                  \
		r_;                                                                                \
	})
#define H3(insn, rm, a, b, c)                                                                      \
	({                                                                                         \
		uint64_t r_;                                                                       \
		__asm__ volatile(ZFH_ON "fmv.d.x ft0, %1\n\tfmv.d.x ft1, %2\n\t"                   \
					"fmv.d.x ft2, %3\n\t" insn " ft3, ft0, ft1, ft2" rm        \
					"\n\tfmv.x.d %0, ft3" ZFH_OFF                              \
				 : "=r"(r_)                                                        \
				 : "r"((uint64_t)(a)), "r"((uint64_t)(b)), "r"((uint64_t)(c))      \
				 : "ft0", "ft1", "ft2", "ft3");                                    \
		r_;                                                                                \
	})
/* Integer results: compares, conversions, fclass, fmv.x.h. */
#define TOX2(insn, a, b)                                                                           \
	({                                                                                         \
		uint64_t r_;                                                                       \
		__asm__ volatile(ZFH_ON "fmv.d.x ft0, %1\n\tfmv.d.x ft1, %2\n\t" insn              \
					" %0, ft0, ft1" ZFH_OFF                                    \
				 : "=r"(r_)                                                        \
				 : "r"((uint64_t)(a)), "r"((uint64_t)(b))                          \
				 : "ft0", "ft1");                                                  \
		r_;                                                                                \
	})
#define TOX1(insn, rm, a)                                                                          \
	({                                                                                         \
		uint64_t r_;                                                                       \
		__asm__ volatile(ZFH_ON "fmv.d.x ft0, %1\n\t" insn " %0, ft0" rm ZFH_OFF           \
				 : "=r"(r_)                                                        \
				 : "r"((uint64_t)(a))                                              \
				 : "ft0");                                                         \
		r_;                                                                                \
	})
/* An integer source: fcvt.h.*, fmv.h.x. */
#define XTOH(insn, rm, x)                                                                          \
	({                                                                                         \
		uint64_t r_;                                                                       \
		__asm__ volatile(ZFH_ON insn " ft2, %1" rm "\n\tfmv.x.d %0, ft2" ZFH_OFF           \
				 : "=r"(r_)                                                        \
				 : "r"((uint64_t)(x))                                              \
				 : "ft2");                                                         \
		r_;                                                                                \
	})

static void rounding_and_conversions(void)
{
	take_flags();
	/* ---- generated expected values: see the file comment ---- */
	/* 1 + 2^-11: a tie (half an ulp of 1); rne keeps the even 1.0 */
	eqf(100, H2("fadd.h", ", rne", HB(0x3c00), HB(0x1000)), HB(0x3c00), NX);
	eqf(101, H2("fadd.h", ", rtz", HB(0x3c00), HB(0x1000)), HB(0x3c00), NX);
	eqf(102, H2("fadd.h", ", rdn", HB(0x3c00), HB(0x1000)), HB(0x3c00), NX);
	eqf(103, H2("fadd.h", ", rup", HB(0x3c00), HB(0x1000)), HB(0x3c01), NX);
	eqf(104, H2("fadd.h", ", rmm", HB(0x3c00), HB(0x1000)), HB(0x3c01), NX);
	/* 1 + 0.75 ulp: not a tie */
	eqf(105, H2("fadd.h", ", rne", HB(0x3c00), HB(0x1200)), HB(0x3c01), NX);
	eqf(106, H2("fadd.h", ", rtz", HB(0x3c00), HB(0x1200)), HB(0x3c00), NX);
	eqf(107, H2("fadd.h", ", rdn", HB(0x3c00), HB(0x1200)), HB(0x3c00), NX);
	eqf(108, H2("fadd.h", ", rup", HB(0x3c00), HB(0x1200)), HB(0x3c01), NX);
	eqf(109, H2("fadd.h", ", rmm", HB(0x3c00), HB(0x1200)), HB(0x3c01), NX);
	/* -1 - 0.75 ulp: rdn and rup swap roles */
	eqf(110, H2("fsub.h", ", rne", HB(0xbc00), HB(0x1200)), HB(0xbc01), NX);
	eqf(111, H2("fsub.h", ", rtz", HB(0xbc00), HB(0x1200)), HB(0xbc00), NX);
	eqf(112, H2("fsub.h", ", rdn", HB(0xbc00), HB(0x1200)), HB(0xbc01), NX);
	eqf(113, H2("fsub.h", ", rup", HB(0xbc00), HB(0x1200)), HB(0xbc00), NX);
	eqf(114, H2("fsub.h", ", rmm", HB(0xbc00), HB(0x1200)), HB(0xbc01), NX);
	/* 65504 + 65504 overflows: inf or the largest finite by mode */
	eqf(115, H2("fadd.h", ", rne", HB(0x7bff), HB(0x7bff)), HB(0x7c00), OF | NX);
	eqf(116, H2("fadd.h", ", rtz", HB(0x7bff), HB(0x7bff)), HB(0x7bff), OF | NX);
	eqf(117, H2("fadd.h", ", rdn", HB(0x7bff), HB(0x7bff)), HB(0x7bff), OF | NX);
	eqf(118, H2("fadd.h", ", rup", HB(0x7bff), HB(0x7bff)), HB(0x7c00), OF | NX);
	eqf(119, H2("fadd.h", ", rmm", HB(0x7bff), HB(0x7bff)), HB(0x7c00), OF | NX);
	/* -65504 - 65504 */
	eqf(120, H2("fsub.h", ", rne", HB(0xfbff), HB(0x7bff)), HB(0xfc00), OF | NX);
	eqf(121, H2("fsub.h", ", rtz", HB(0xfbff), HB(0x7bff)), HB(0xfbff), OF | NX);
	eqf(122, H2("fsub.h", ", rdn", HB(0xfbff), HB(0x7bff)), HB(0xfc00), OF | NX);
	eqf(123, H2("fsub.h", ", rup", HB(0xfbff), HB(0x7bff)), HB(0xfbff), OF | NX);
	eqf(124, H2("fsub.h", ", rmm", HB(0xfbff), HB(0x7bff)), HB(0xfc00), OF | NX);
	/* 65504 + 16 = 65520, halfway to 2^16: rne rounds to even = overflow */
	eqf(125, H2("fadd.h", ", rne", HB(0x7bff), HB(0x4c00)), HB(0x7c00), OF | NX);
	eqf(126, H2("fadd.h", ", rtz", HB(0x7bff), HB(0x4c00)), HB(0x7bff), NX);
	eqf(127, H2("fadd.h", ", rdn", HB(0x7bff), HB(0x4c00)), HB(0x7bff), NX);
	eqf(128, H2("fadd.h", ", rup", HB(0x7bff), HB(0x4c00)), HB(0x7c00), OF | NX);
	eqf(129, H2("fadd.h", ", rmm", HB(0x7bff), HB(0x4c00)), HB(0x7c00), OF | NX);
	/* 2^-24 * 0.5 = 2^-25, a tie between 0 and the least subnormal: UF and NX */
	eqf(130, H2("fmul.h", ", rne", HB(0x0001), HB(0x3800)), HB(0x0000), UF | NX);
	eqf(131, H2("fmul.h", ", rtz", HB(0x0001), HB(0x3800)), HB(0x0000), UF | NX);
	eqf(132, H2("fmul.h", ", rdn", HB(0x0001), HB(0x3800)), HB(0x0000), UF | NX);
	eqf(133, H2("fmul.h", ", rup", HB(0x0001), HB(0x3800)), HB(0x0001), UF | NX);
	eqf(134, H2("fmul.h", ", rmm", HB(0x0001), HB(0x3800)), HB(0x0001), UF | NX);
	/* 2^-14 * (1 - 2^-11): tiny after rounding even where it rounds to 2^-14 */
	eqf(135, H2("fmul.h", ", rne", HB(0x0400), HB(0x3bff)), HB(0x0400), UF | NX);
	eqf(136, H2("fmul.h", ", rtz", HB(0x0400), HB(0x3bff)), HB(0x03ff), UF | NX);
	eqf(137, H2("fmul.h", ", rdn", HB(0x0400), HB(0x3bff)), HB(0x03ff), UF | NX);
	eqf(138, H2("fmul.h", ", rup", HB(0x0400), HB(0x3bff)), HB(0x0400), UF | NX);
	eqf(139, H2("fmul.h", ", rmm", HB(0x0400), HB(0x3bff)), HB(0x0400), UF | NX);
	/* (2^-14 + 2^-24) * (1 - 2^-11): rounds to a normal, tiny only in some modes */
	eqf(140, H2("fmul.h", ", rne", HB(0x0401), HB(0x3bff)), HB(0x0400), NX);
	eqf(141, H2("fmul.h", ", rtz", HB(0x0401), HB(0x3bff)), HB(0x0400), NX);
	eqf(142, H2("fmul.h", ", rdn", HB(0x0401), HB(0x3bff)), HB(0x0400), NX);
	eqf(143, H2("fmul.h", ", rup", HB(0x0401), HB(0x3bff)), HB(0x0401), NX);
	eqf(144, H2("fmul.h", ", rmm", HB(0x0401), HB(0x3bff)), HB(0x0400), NX);
	/* subnormal + subnormal, exact: no UF */
	eqf(145, H2("fadd.h", ", rne", HB(0x0001), HB(0x0001)), HB(0x0002), 0);
	/* 1 / 3 */
	eqf(146, H2("fdiv.h", ", rne", HB(0x3c00), HB(0x4200)), HB(0x3555), NX);
	eqf(147, H2("fdiv.h", ", rtz", HB(0x3c00), HB(0x4200)), HB(0x3555), NX);
	eqf(148, H2("fdiv.h", ", rdn", HB(0x3c00), HB(0x4200)), HB(0x3555), NX);
	eqf(149, H2("fdiv.h", ", rup", HB(0x3c00), HB(0x4200)), HB(0x3556), NX);
	eqf(150, H2("fdiv.h", ", rmm", HB(0x3c00), HB(0x4200)), HB(0x3555), NX);
	/* -1 / 3 */
	eqf(151, H2("fdiv.h", ", rne", HB(0xbc00), HB(0x4200)), HB(0xb555), NX);
	eqf(152, H2("fdiv.h", ", rtz", HB(0xbc00), HB(0x4200)), HB(0xb555), NX);
	eqf(153, H2("fdiv.h", ", rdn", HB(0xbc00), HB(0x4200)), HB(0xb556), NX);
	eqf(154, H2("fdiv.h", ", rup", HB(0xbc00), HB(0x4200)), HB(0xb555), NX);
	eqf(155, H2("fdiv.h", ", rmm", HB(0xbc00), HB(0x4200)), HB(0xb555), NX);
	/* 1 / +0 */
	eqf(156, H2("fdiv.h", ", rne", HB(0x3c00), HB(0x0000)), HB(0x7c00), DZ);
	/* 0 / 0: the canonical NaN */
	eqf(157, H2("fdiv.h", ", rne", HB(0x0000), HB(0x0000)), HB(0x7e00), NV);
	/* sqrt(2) */
	eqf(158, H1("fsqrt.h", ", rne", HB(0x4000)), HB(0x3da8), NX);
	eqf(159, H1("fsqrt.h", ", rtz", HB(0x4000)), HB(0x3da8), NX);
	eqf(160, H1("fsqrt.h", ", rdn", HB(0x4000)), HB(0x3da8), NX);
	eqf(161, H1("fsqrt.h", ", rup", HB(0x4000)), HB(0x3da9), NX);
	eqf(162, H1("fsqrt.h", ", rmm", HB(0x4000)), HB(0x3da8), NX);
	/* sqrt(4) = 2 exactly */
	eqf(163, H1("fsqrt.h", ", rne", HB(0x4400)), HB(0x4000), 0);
	/* sqrt(-0) = -0 */
	eqf(164, H1("fsqrt.h", ", rne", HB(0x8000)), HB(0x8000), 0);
	/* sqrt(-1): invalid */
	eqf(165, H1("fsqrt.h", ", rne", HB(0xbc00)), HB(0x7e00), NV);
	/* (1+2^-10)^2 - (1+2^-9) = 2^-20 exactly: one rounding (two would give 0) */
	eqf(166, H3("fmadd.h", ", rne", HB(0x3c01), HB(0x3c01), HB(0xbc02)), HB(0x0010), 0);
	/* (1+2^-10)^2 + -0 = 1 + 2^-9 + 2^-20 */
	eqf(167, H3("fmadd.h", ", rne", HB(0x3c01), HB(0x3c01), HB(0x8000)), HB(0x3c02), NX);
	eqf(168, H3("fmadd.h", ", rtz", HB(0x3c01), HB(0x3c01), HB(0x8000)), HB(0x3c02), NX);
	eqf(169, H3("fmadd.h", ", rdn", HB(0x3c01), HB(0x3c01), HB(0x8000)), HB(0x3c02), NX);
	eqf(170, H3("fmadd.h", ", rup", HB(0x3c01), HB(0x3c01), HB(0x8000)), HB(0x3c03), NX);
	eqf(171, H3("fmadd.h", ", rmm", HB(0x3c01), HB(0x3c01), HB(0x8000)), HB(0x3c02), NX);
	/* fmsub: a*b - c */
	eqf(172, H3("fmsub.h", ", rne", HB(0x3c01), HB(0x3c01), HB(0x3c02)), HB(0x0010), 0);
	/* fnmsub: -(a*b) + c */
	eqf(173, H3("fnmsub.h", ", rne", HB(0x3c01), HB(0x3c01), HB(0x3c02)), HB(0x8010), 0);
	/* fnmadd: -(a*b) - c */
	eqf(174, H3("fnmadd.h", ", rne", HB(0x3c01), HB(0x3c01), HB(0xbc02)), HB(0x8010), 0);
	/* inf * 0 + qNaN is invalid */
	eqf(175, H3("fmadd.h", ", rne", HB(0x7c00), HB(0x0000), HB(0x7e00)), HB(0x7e00), NV);
	/* fcvt.h.d of 1 + 2^-11 + 2^-40: just above a tie. Through binary32 (1 + 2^-11, a tie) rne
	 * would give 1.0: the single rounding gives 1 + 2^-10 */
	eqf(176, H1("fcvt.h.d", ", rne", 0x3ff0020000001000ull), HB(0x3c01), NX);
	eqf(177, H1("fcvt.h.d", ", rtz", 0x3ff0020000001000ull), HB(0x3c00), NX);
	eqf(178, H1("fcvt.h.d", ", rdn", 0x3ff0020000001000ull), HB(0x3c00), NX);
	eqf(179, H1("fcvt.h.d", ", rup", 0x3ff0020000001000ull), HB(0x3c01), NX);
	eqf(180, H1("fcvt.h.d", ", rmm", 0x3ff0020000001000ull), HB(0x3c01), NX);
	/* fcvt.h.s of 1 + 2^-11 + 2^-23 */
	eqf(181, H1("fcvt.h.s", ", rne", BOX(0x3f801001u)), HB(0x3c01), NX);
	eqf(182, H1("fcvt.h.s", ", rtz", BOX(0x3f801001u)), HB(0x3c00), NX);
	eqf(183, H1("fcvt.h.s", ", rdn", BOX(0x3f801001u)), HB(0x3c00), NX);
	eqf(184, H1("fcvt.h.s", ", rup", BOX(0x3f801001u)), HB(0x3c01), NX);
	eqf(185, H1("fcvt.h.s", ", rmm", BOX(0x3f801001u)), HB(0x3c01), NX);
	/* fcvt.h.d of 65520: overflow by mode */
	eqf(186, H1("fcvt.h.d", ", rne", 0x40effe0000000000ull), HB(0x7c00), OF | NX);
	eqf(187, H1("fcvt.h.d", ", rtz", 0x40effe0000000000ull), HB(0x7bff), NX);
	eqf(188, H1("fcvt.h.d", ", rdn", 0x40effe0000000000ull), HB(0x7bff), NX);
	eqf(189, H1("fcvt.h.d", ", rup", 0x40effe0000000000ull), HB(0x7c00), OF | NX);
	eqf(190, H1("fcvt.h.d", ", rmm", 0x40effe0000000000ull), HB(0x7c00), OF | NX);
	/* fcvt.h.d of 1e-10: underflow */
	eqf(191, H1("fcvt.h.d", ", rne", 0x3ddb7cdfd9d7bdbbull), HB(0x0000), UF | NX);
	eqf(192, H1("fcvt.h.d", ", rtz", 0x3ddb7cdfd9d7bdbbull), HB(0x0000), UF | NX);
	eqf(193, H1("fcvt.h.d", ", rdn", 0x3ddb7cdfd9d7bdbbull), HB(0x0000), UF | NX);
	eqf(194, H1("fcvt.h.d", ", rup", 0x3ddb7cdfd9d7bdbbull), HB(0x0001), UF | NX);
	eqf(195, H1("fcvt.h.d", ", rmm", 0x3ddb7cdfd9d7bdbbull), HB(0x0000), UF | NX);
	/* fcvt.h.s of 2^-25: half the least subnormal */
	eqf(196, H1("fcvt.h.s", ", rne", BOX(0x33000000u)), HB(0x0000), UF | NX);
	eqf(197, H1("fcvt.h.s", ", rup", BOX(0x33000000u)), HB(0x0001), UF | NX);
	/* fcvt.h.s of 2^-15 * 1.99609375: a subnormal half, exact */
	eqf(198, H1("fcvt.h.s", ", rne", BOX(0x387fc000u)), HB(0x03ff), 0);
	/* sNaN: canonical NaN, NV */
	eqf(199, H1("fcvt.h.s", ", rne", BOX(0x7f800001u)), HB(0x7e00), NV);
	/* -inf */
	eqf(200, H1("fcvt.h.d", ", rne", 0xfff0000000000000ull), HB(0xfc00), 0);
	/* fcvt.s.h: 2^-24 exactly */
	eqf(201, H1("fcvt.s.h", "", HB(0x0001)), BOX(0x33800000u), 0);
	/* fcvt.d.h: 65504 exactly */
	eqf(202, H1("fcvt.d.h", "", HB(0x7bff)), 0x40effc0000000000ull, 0);
	/* fcvt.d.h: the largest negative subnormal */
	eqf(203, H1("fcvt.d.h", "", HB(0x83ff)), 0xbf0ff80000000000ull, 0);
	/* fcvt.s.h of an sNaN */
	eqf(204, H1("fcvt.s.h", "", HB(0x7c01)), BOX(0x7fc00000u), NV);
	/* fcvt.d.h of a qNaN: the canonical NaN, quietly */
	eqf(205, H1("fcvt.d.h", "", HB(0xfe00)), 0x7ff8000000000000ull, 0);
	/* -2.5 to int32 in each mode */
	eqf(206, TOX1("fcvt.w.h", ", rne", HB(0xc100)), 0xfffffffffffffffeull, NX);
	eqf(207, TOX1("fcvt.w.h", ", rtz", HB(0xc100)), 0xfffffffffffffffeull, NX);
	eqf(208, TOX1("fcvt.w.h", ", rdn", HB(0xc100)), 0xfffffffffffffffdull, NX);
	eqf(209, TOX1("fcvt.w.h", ", rup", HB(0xc100)), 0xfffffffffffffffeull, NX);
	eqf(210, TOX1("fcvt.w.h", ", rmm", HB(0xc100)), 0xfffffffffffffffdull, NX);
	/* -1 to uint32: invalid */
	eqf(211, TOX1("fcvt.wu.h", ", rne", HB(0xbc00)), 0x0000000000000000ull, NV);
	/* -0.5 rtz to uint32 is 0, inexact only; rdn (-1) is invalid */
	eqf(212, TOX1("fcvt.wu.h", ", rtz", HB(0xb800)), 0x0000000000000000ull, NX);
	eqf(213, TOX1("fcvt.wu.h", ", rdn", HB(0xb800)), 0x0000000000000000ull, NV);
	/* +inf */
	eqf(214, TOX1("fcvt.w.h", ", rne", HB(0x7c00)), 0x000000007fffffffull, NV);
	/* -inf */
	eqf(215, TOX1("fcvt.l.h", ", rne", HB(0xfc00)), 0x8000000000000000ull, NV);
	/* NaN: the largest value */
	eqf(216, TOX1("fcvt.w.h", ", rne", HB(0x7e00)), 0x000000007fffffffull, NV);
	/* 65504 */
	eqf(217, TOX1("fcvt.lu.h", ", rne", HB(0x7bff)), 0x000000000000ffe0ull, 0);
	/* 65504 */
	eqf(218, TOX1("fcvt.wu.h", ", rne", HB(0x7bff)), 0x000000000000ffe0ull, 0);
	/* 2049: a tie between 2048 and 2050 */
	eqf(219, XTOH("fcvt.h.w", ", rne", 0x0000000000000801ull), HB(0x6800), NX);
	eqf(220, XTOH("fcvt.h.w", ", rtz", 0x0000000000000801ull), HB(0x6800), NX);
	eqf(221, XTOH("fcvt.h.w", ", rdn", 0x0000000000000801ull), HB(0x6800), NX);
	eqf(222, XTOH("fcvt.h.w", ", rup", 0x0000000000000801ull), HB(0x6801), NX);
	eqf(223, XTOH("fcvt.h.w", ", rmm", 0x0000000000000801ull), HB(0x6801), NX);
	/* -65520: overflow by mode */
	eqf(224, XTOH("fcvt.h.w", ", rne", 0xffffffffffff0010ull), HB(0xfc00), OF | NX);
	eqf(225, XTOH("fcvt.h.w", ", rtz", 0xffffffffffff0010ull), HB(0xfbff), NX);
	eqf(226, XTOH("fcvt.h.w", ", rdn", 0xffffffffffff0010ull), HB(0xfc00), OF | NX);
	eqf(227, XTOH("fcvt.h.w", ", rup", 0xffffffffffff0010ull), HB(0xfbff), NX);
	eqf(228, XTOH("fcvt.h.w", ", rmm", 0xffffffffffff0010ull), HB(0xfc00), OF | NX);
	/* 2^32 - 1: overflow */
	eqf(229, XTOH("fcvt.h.wu", ", rne", 0x00000000ffffffffull), HB(0x7c00), OF | NX);
	eqf(230, XTOH("fcvt.h.wu", ", rtz", 0x00000000ffffffffull), HB(0x7bff), OF | NX);
	/* -1 */
	eqf(231, XTOH("fcvt.h.l", ", rne", 0xffffffffffffffffull), HB(0xbc00), 0);
	/* 65504 exactly */
	eqf(232, XTOH("fcvt.h.lu", ", rne", 0x000000000000ffe0ull), HB(0x7bff), 0);
	/* fcvt.h.w reads the low 32 bits: 3 */
	eqf(233, XTOH("fcvt.h.w", ", rne", 0xffffffff00000003ull), HB(0x4200), 0);
}

/* NaN-boxing ("Zfh", NaN boxing), loads, stores and moves. */
static void boxing_and_moves(void)
{
	static volatile uint16_t mem[2] = {0xbc00, 0};
	uint64_t r;

	take_flags();
	/* A half with the upper bits not all ones is the canonical NaN to
	 * arithmetic, quietly: 1.0 (0x3c00) zero-extended, or boxed as a
	 * single, or a double. */
	eqf(1, H2("fadd.h", ", rne", 0x3c00ull, HB(0x3c00)), HB(0x7e00), 0);
	eqf(2, H2("fadd.h", ", rne", BOX(0x3c00), HB(0x3c00)), HB(0x7e00), 0);
	eqf(3, H2("fmul.h", ", rne", HB(0x3c00), 0x3ff0000000000000ull), HB(0x7e00), 0);
	eqf(4, H1("fcvt.s.h", "", 0x0000ffffffff3c00ull), BOX(0x7fc00000u), 0);
	eqf(5, TOX1("fclass.h", "", 0x3c00ull), 1 << 9, 0); /* quiet NaN */
	eqf(6, TOX2("feq.h", HB(0x3c00), 0x3c00ull), 0, 0);
	/* ...and a box of all ones above a signalling NaN is a real sNaN. */
	eqf(7, TOX1("fclass.h", "", HB(0x7c01)), 1 << 8, 0);
	/* Sign injection reads its operands unboxed too (11.7): the improper
	 * box is the canonical NaN with rs2's sign. */
	eqf(8, H2("fsgnjn.h", "", 0x1234ull, HB(0x0000)), HB(0xfe00), 0);
	eqf(9, H2("fsgnj.h", "", HB(0x3c00), HB(0x8000)), HB(0xbc00), 0);
	eqf(10, H2("fsgnjx.h", "", HB(0xbc00), HB(0x8001)), HB(0x3c00), 0);
	/* FMV.X.H moves the low 16 bits, sign-extended, boxed or not. */
	eqf(11, TOX1("fmv.x.h", "", 0x123456789abcdef0ull), 0xffffffffffffdef0ull, 0);
	eqf(12, TOX1("fmv.x.h", "", HB(0x7bff)), 0x7bffull, 0);
	/* FMV.H.X boxes the low 16 bits of the integer register. */
	eqf(13, XTOH("fmv.h.x", "", 0x1234567800007e01ull), HB(0x7e01), 0);
	/* FLH boxes; FSH stores the low 16 bits whatever the box. */
	__asm__ volatile(ZFH_ON "flh ft2, 0(%1)\n\tfmv.x.d %0, ft2" ZFH_OFF
			 : "=r"(r)
			 : "r"(&mem[0])
			 : "ft2", "memory");
	eqf(14, r, HB(0xbc00), 0);
	__asm__ volatile(ZFH_ON "fmv.d.x ft2, %0\n\tfsh ft2, 0(%1)" ZFH_OFF
			 :
			 : "r"(0x00000000abcd5678ull), "r"(&mem[1])
			 : "ft2", "memory");
	eqf(15, mem[1], 0x5678, 0);
	eqf(16, mem[0], 0xbc00, 0); /* the neighbour is untouched */
	/* A sNaN operand in arithmetic raises NV and gives the canonical NaN,
	 * not the payload. */
	eqf(17, H2("fadd.h", ", rne", HB(0x7c01), HB(0x3c00)), HB(0x7e00), NV);
	eqf(18, H2("fadd.h", ", rne", HB(0x7f01), HB(0x3c00)), HB(0x7e00), 0);
	/* inf - inf */
	eqf(19, H2("fsub.h", ", rne", HB(0x7c00), HB(0x7c00)), HB(0x7e00), NV);
	/* x - x is +0, but -0 in rdn */
	eqf(20, H2("fsub.h", ", rne", HB(0x3c00), HB(0x3c00)), HB(0x0000), 0);
	eqf(21, H2("fsub.h", ", rdn", HB(0x3c00), HB(0x3c00)), HB(0x8000), 0);
}

static void classify_minmax_compare(void)
{
	static const struct {
		uint16_t v;
		uint64_t cls;
	} c[] = {
	    {0xfc00, 1 << 0}, {0xbc00, 1 << 1}, {0x83ff, 1 << 2}, {0x8000, 1 << 3},
	    {0x0000, 1 << 4}, {0x0001, 1 << 5}, {0x7bff, 1 << 6}, {0x7c00, 1 << 7},
	    {0x7c01, 1 << 8}, {0x7e00, 1 << 9}, {0xfdff, 1 << 8}, {0xffff, 1 << 9},
	};
	take_flags();
	for (unsigned i = 0; i < sizeof(c) / sizeof(c[0]); i++)
		eqf(300 + (int)i, TOX1("fclass.h", "", HB(c[i].v)), c[i].cls, 0);
	/* fmin/fmax (2019 rules): one NaN is ignored, two give the canonical
	 * NaN, a signalling NaN raises NV, -0 < +0. */
	eqf(320, H2("fmin.h", "", HB(0x7e00), HB(0x3c00)), HB(0x3c00), 0);
	eqf(321, H2("fmax.h", "", HB(0x3c00), HB(0x7c01)), HB(0x3c00), NV);
	eqf(322, H2("fmin.h", "", HB(0x7e00), HB(0x7c01)), HB(0x7e00), NV);
	eqf(323, H2("fmin.h", "", HB(0x0000), HB(0x8000)), HB(0x8000), 0);
	eqf(324, H2("fmax.h", "", HB(0x8000), HB(0x0000)), HB(0x0000), 0);
	eqf(325, H2("fmax.h", "", HB(0xc000), HB(0xbc00)), HB(0xbc00), 0);
	/* feq is quiet, flt/fle signal on any NaN. */
	eqf(330, TOX2("feq.h", HB(0x0000), HB(0x8000)), 1, 0);
	eqf(331, TOX2("flt.h", HB(0x8000), HB(0x0000)), 0, 0);
	eqf(332, TOX2("fle.h", HB(0x8000), HB(0x0000)), 1, 0);
	eqf(333, TOX2("flt.h", HB(0x3c00), HB(0x3c01)), 1, 0);
	eqf(334, TOX2("fle.h", HB(0xfc00), HB(0x83ff)), 1, 0);
	eqf(335, TOX2("feq.h", HB(0x7e00), HB(0x7e00)), 0, 0);
	eqf(336, TOX2("feq.h", HB(0x7c01), HB(0x3c00)), 0, NV);
	eqf(337, TOX2("flt.h", HB(0x7e00), HB(0x3c00)), 0, NV);
	eqf(338, TOX2("fle.h", HB(0x3c00), HB(0x7e00)), 0, NV);
}

/* rm 5 and 6 are reserved (11.2): illegal for half operations too. */
volatile uint64_t trap_cause;
void fp_trap(void);
__asm__(".text\n"
	".align 2\n"
	".globl fp_trap\n"
	"fp_trap:\n"
	"	csrr t0, mcause\n"
	"	la t1, trap_cause\n"
	"	sd t0, 0(t1)\n"
	"	csrr t0, mepc\n"
	"	addi t0, t0, 4\n"
	"	csrw mepc, t0\n"
	"	mret\n");

static void reserved_rounding_modes(void)
{
	uint64_t old_tvec;
	__asm__ volatile("csrrw %0, mtvec, %1" : "=r"(old_tvec) : "r"(fp_trap));
	trap_cause = 0;
	/* fadd.h ft2, ft0, ft1 with rm = 5 */
	__asm__ volatile(".word 0x04105153" ::: "ft2", "memory");
	eqf(400, trap_cause, 2, 0);
	/* frm = 6 with a dynamic-mode fcvt.h.s */
	trap_cause = 0;
	__asm__ volatile("csrwi frm, 6\n\t" ZFH_ON "fcvt.h.s ft2, ft0" ZFH_OFF "\n\tcsrwi frm, 0" ::
			     : "ft2", "memory");
	eqf(401, trap_cause, 2, 0);
	/* The dynamic mode itself: frm = rup. */
	__asm__ volatile("csrwi frm, 3");
	eqf(402, H2("fadd.h", "", HB(0x3c00), HB(0x1000)), HB(0x3c01), NX);
	__asm__ volatile("csrwi frm, 0");
	__asm__ volatile("csrw mtvec, %0" ::"r"(old_tvec));
}

int main(void)
{
	rounding_and_conversions();
	boxing_and_moves();
	classify_minmax_compare();
	reserved_rounding_modes();
	return 0;
}
