/*
 * F and D arithmetic corner cases (unpriv chapters 11-13): each static
 * rounding mode and the dynamic one, the accrued exception flags, the
 * canonical NaN, NaN-boxing of singles, saturating conversions, fmin/fmax
 * with signalling NaNs and signed zeros, fclass, single rounding of the
 * fused multiply-add, sign injection, and which comparisons signal.
 *
 * Values go in and out of the f registers as raw bits (fmv.d.x/fmv.x.d),
 * so the compiler does no floating-point arithmetic of its own. A failing
 * check prints its number, the value got and the value wanted.
 */
#include "guest.h"
#define FP_CHECK_NAME "fp"
#include "fp_check.h"

#define NV 0x10
#define DZ 0x08
#define OF 0x04
#define UF 0x02
#define NX 0x01

#define BOX(s)	       (0xffffffff00000000ull | (uint32_t)(s))
#define D_ONE	       0x3ff0000000000000ull
#define D_TWO	       0x4000000000000000ull
#define D_MONE	       0xbff0000000000000ull
#define D_INF	       0x7ff0000000000000ull
#define D_NINF	       0xfff0000000000000ull
#define D_QNAN	       0x7ff8000000000000ull /* the canonical NaN */
#define D_QNAN_PAYLOAD 0x7ff8000000000123ull
#define D_SNAN	       0x7ff0000000000001ull
#define D_PZERO	       0x0000000000000000ull
#define D_NZERO	       0x8000000000000000ull
#define D_MIN_SUB      0x0000000000000001ull
#define D_MAX	       0x7fefffffffffffffull
#define S_ONE	       0x3f800000u
#define S_QNAN	       0x7fc00000u
#define S_SNAN	       0x7f800001u

/* insn ft2, ft0, ft1[, rm] on raw bits. */
#define R2(insn, rm, a, b)                                                                         \
	({                                                                                         \
		uint64_t r_;                                                                       \
		__asm__ volatile("fmv.d.x ft0, %1\n\tfmv.d.x ft1, %2\n\t" insn " ft2, ft0, ft1" rm \
				 "\n\tfmv.x.d %0, ft2"                                             \
				 : "=r"(r_)                                                        \
				 : "r"((uint64_t)(a)), "r"((uint64_t)(b))                          \
				 : "ft0", "ft1", "ft2");                                           \
		r_;                                                                                \
	})
#define R1(insn, rm, a)                                                                            \
	({                                                                                         \
		uint64_t r_;                                                                       \
		__asm__ volatile("fmv.d.x ft0, %1\n\t" insn " ft2, ft0" rm "\n\tfmv.x.d %0, ft2"   \
				 : "=r"(r_)                                                        \
				 : "r"((uint64_t)(a))                                              \
				 : "ft0", "ft2");                                                  \
		r_;                                                                                \
	})
#define R3(insn, rm, a, b, c)                                                                      \
	({                                                                                         \
		uint64_t r_;                                                                       \
		__asm__ volatile("fmv.d.x ft0, %1\n\tfmv.d.x ft1, %2\n\t"                          \
				 "fmv.d.x ft2, %3\n\t" insn " ft3, ft0, ft1, ft2" rm               \
				 "\n\tfmv.x.d %0, ft3"                                             \
				 : "=r"(r_)                                                        \
				 : "r"((uint64_t)(a)), "r"((uint64_t)(b)), "r"((uint64_t)(c))      \
				 : "ft0", "ft1", "ft2", "ft3");                                    \
		r_;                                                                                \
	})
/* Instructions with an integer result: compares, conversions, fclass, fmv.x. */
#define TOX2(insn, a, b)                                                                           \
	({                                                                                         \
		uint64_t r_;                                                                       \
		__asm__ volatile("fmv.d.x ft0, %1\n\tfmv.d.x ft1, %2\n\t" insn " %0, ft0, ft1"     \
				 : "=r"(r_)                                                        \
				 : "r"((uint64_t)(a)), "r"((uint64_t)(b))                          \
				 : "ft0", "ft1");                                                  \
		r_;                                                                                \
	})
#define TOX1(insn, rm, a)                                                                          \
	({                                                                                         \
		uint64_t r_;                                                                       \
		__asm__ volatile("fmv.d.x ft0, %1\n\t" insn " %0, ft0" rm                          \
				 : "=r"(r_)                                                        \
				 : "r"((uint64_t)(a))                                              \
				 : "ft0");                                                         \
		r_;                                                                                \
	})

/* Illegal-instruction catcher for the reserved dynamic rounding modes. */
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

static void rounding_modes(void)
{
	const uint64_t three_q_ulp = 0x3ca8000000000000ull; /* 0.75 ulp(1) */
	const uint64_t half_ulp = 0x3ca0000000000000ull;    /* 0.5 ulp(1) */
	const uint64_t one_ulp_up = 0x3ff0000000000001ull;  /* 1 + ulp */
	take_flags();

	/* 1 + 0.75 ulp: not a tie. */
	eqf(1, R2("fadd.d", ", rne", D_ONE, three_q_ulp), 0x3ff0000000000001ull, NX);
	eqf(2, R2("fadd.d", ", rtz", D_ONE, three_q_ulp), 0x3ff0000000000000ull, NX);
	eqf(3, R2("fadd.d", ", rdn", D_ONE, three_q_ulp), 0x3ff0000000000000ull, NX);
	eqf(4, R2("fadd.d", ", rup", D_ONE, three_q_ulp), 0x3ff0000000000001ull, NX);
	eqf(5, R2("fadd.d", ", rmm", D_ONE, three_q_ulp), 0x3ff0000000000001ull, NX);
	/* Negative: rdn and rup swap roles. */
	eqf(6, R2("fsub.d", ", rne", D_MONE, three_q_ulp), 0xbff0000000000001ull, NX);
	eqf(7, R2("fsub.d", ", rtz", D_MONE, three_q_ulp), 0xbff0000000000000ull, NX);
	eqf(8, R2("fsub.d", ", rdn", D_MONE, three_q_ulp), 0xbff0000000000001ull, NX);
	eqf(9, R2("fsub.d", ", rup", D_MONE, three_q_ulp), 0xbff0000000000000ull, NX);
	eqf(10, R2("fsub.d", ", rmm", D_MONE, three_q_ulp), 0xbff0000000000001ull, NX);
	/* Ties: rne goes to even, rmm away from zero. */
	eqf(11, R2("fadd.d", ", rne", D_ONE, half_ulp), 0x3ff0000000000000ull, NX);
	eqf(12, R2("fadd.d", ", rmm", D_ONE, half_ulp), 0x3ff0000000000001ull, NX);
	eqf(13, R2("fadd.d", ", rne", one_ulp_up, half_ulp), 0x3ff0000000000002ull, NX);
	eqf(14, R2("fadd.d", ", rmm", one_ulp_up, half_ulp), 0x3ff0000000000002ull, NX);
	eqf(15, R2("fadd.d", ", rtz", one_ulp_up, half_ulp), 0x3ff0000000000001ull, NX);
	/* Exact: no flag. */
	eqf(16, R2("fadd.d", ", rup", D_ONE, D_ONE), D_TWO, 0);
	/* fmul: (1 + ulp)^2 = 1 + 2 ulp + ulp^2. */
	eqf(20, R2("fmul.d", ", rne", one_ulp_up, one_ulp_up), 0x3ff0000000000002ull, NX);
	eqf(21, R2("fmul.d", ", rtz", one_ulp_up, one_ulp_up), 0x3ff0000000000002ull, NX);
	eqf(22, R2("fmul.d", ", rdn", one_ulp_up, one_ulp_up), 0x3ff0000000000002ull, NX);
	eqf(23, R2("fmul.d", ", rup", one_ulp_up, one_ulp_up), 0x3ff0000000000003ull, NX);
	eqf(24, R2("fmul.d", ", rmm", one_ulp_up, one_ulp_up), 0x3ff0000000000002ull, NX);
	/* fdiv: 1/3 and -1/3. */
	const uint64_t three = 0x4008000000000000ull;
	eqf(30, R2("fdiv.d", ", rne", D_ONE, three), 0x3fd5555555555555ull, NX);
	eqf(31, R2("fdiv.d", ", rtz", D_ONE, three), 0x3fd5555555555555ull, NX);
	eqf(32, R2("fdiv.d", ", rdn", D_ONE, three), 0x3fd5555555555555ull, NX);
	eqf(33, R2("fdiv.d", ", rup", D_ONE, three), 0x3fd5555555555556ull, NX);
	eqf(34, R2("fdiv.d", ", rmm", D_ONE, three), 0x3fd5555555555555ull, NX);
	eqf(35, R2("fdiv.d", ", rdn", D_MONE, three), 0xbfd5555555555556ull, NX);
	eqf(36, R2("fdiv.d", ", rup", D_MONE, three), 0xbfd5555555555555ull, NX);
	/* fsqrt(2): the nearest double lies above the exact root. */
	eqf(40, R1("fsqrt.d", ", rne", D_TWO), 0x3ff6a09e667f3bcdull, NX);
	eqf(41, R1("fsqrt.d", ", rtz", D_TWO), 0x3ff6a09e667f3bccull, NX);
	eqf(42, R1("fsqrt.d", ", rdn", D_TWO), 0x3ff6a09e667f3bccull, NX);
	eqf(43, R1("fsqrt.d", ", rup", D_TWO), 0x3ff6a09e667f3bcdull, NX);
	eqf(44, R1("fsqrt.d", ", rmm", D_TWO), 0x3ff6a09e667f3bcdull, NX);
	eqf(45, R1("fsqrt.d", ", rne", 0x4010000000000000ull), D_TWO, 0); /* sqrt(4) exact */
	eqf(46, R1("fsqrt.d", ", rne", D_NZERO), D_NZERO, 0);
	/* Single precision: 1 + 0.75 ulp. */
	const uint64_t s_three_q_ulp = BOX(0x33c00000u);
	eqf(50, R2("fadd.s", ", rne", BOX(S_ONE), s_three_q_ulp), BOX(0x3f800001u), NX);
	eqf(51, R2("fadd.s", ", rtz", BOX(S_ONE), s_three_q_ulp), BOX(0x3f800000u), NX);
	eqf(52, R2("fadd.s", ", rdn", BOX(S_ONE), s_three_q_ulp), BOX(0x3f800000u), NX);
	eqf(53, R2("fadd.s", ", rup", BOX(S_ONE), s_three_q_ulp), BOX(0x3f800001u), NX);
	eqf(54, R2("fadd.s", ", rmm", BOX(S_ONE), s_three_q_ulp), BOX(0x3f800001u), NX);
	eqf(55, R2("fdiv.s", ", rup", BOX(S_ONE), BOX(0x40400000u)), BOX(0x3eaaaaabu), NX);
	eqf(56, R2("fdiv.s", ", rtz", BOX(S_ONE), BOX(0x40400000u)), BOX(0x3eaaaaaau), NX);

	/* Dynamic rounding through frm. */
	static const struct {
		unsigned frm;
		uint64_t want;
	} dyn[] = {
	    {0, 0x3ff0000000000001ull}, {1, 0x3ff0000000000000ull}, {2, 0x3ff0000000000000ull},
	    {3, 0x3ff0000000000001ull}, {4, 0x3ff0000000000001ull},
	};
	for (unsigned i = 0; i < 5; i++) {
		csr_write(frm, dyn[i].frm);
		eqf(60 + (int)i, R2("fadd.d", ", dyn", D_ONE, three_q_ulp), dyn[i].want, NX);
		eq(65 + (int)i, csr_read(frm), dyn[i].frm);
	}
	csr_write(frm, 3); /* rup, seen through fcsr too */
	eq(70, csr_read(fcsr), 3 << 5);
	eqf(71, R2("fmul.d", "", one_ulp_up, one_ulp_up), 0x3ff0000000000003ull, NX);
	csr_write(frm, 0);

	/* frm = 5, 6, 7 are reserved: a dynamic-rm instruction is illegal,
	 * a static-rm one is not. */
	const uint64_t saved_mtvec = csr_read(mtvec);
	csr_write(mtvec, (uint64_t)(uintptr_t)fp_trap);
	for (unsigned rm = 5; rm <= 7; rm++) {
		trap_cause = 0;
		csr_write(frm, rm);
		__asm__ volatile("fadd.d ft0, ft1, ft2, dyn" ::: "t0", "t1", "ft0", "memory");
		eq(72, trap_cause, 2);
		trap_cause = 0;
		__asm__ volatile("fadd.d ft0, ft1, ft2, rne" ::: "t0", "t1", "ft0", "memory");
		eq(73, trap_cause, 0);
	}
	csr_write(frm, 0);
	csr_write(mtvec, saved_mtvec);
	take_flags();

	/* fcsr layout: frm in 7:5, fflags in 4:0, the rest reads 0. */
	csr_write(fcsr, 0xffffffffull);
	eq(74, csr_read(fcsr), 0xff);
	eq(75, csr_read(frm), 7);
	eq(76, csr_read(fflags), 0x1f);
	csr_write(fcsr, 0);
}

static void exception_flags(void)
{
	take_flags();
	const uint64_t big = 0x7e37e43c8800759cull;  /* 1e300 */
	const uint64_t tiny = 0x01a56e1fc2f8f359ull; /* 1e-300 */
	eqf(100, R2("fmul.d", ", rne", big, big), D_INF, OF | NX);
	eqf(101, R2("fmul.d", ", rtz", big, big), D_MAX, OF | NX);
	eqf(102, R2("fmul.d", ", rdn", big, big), D_MAX, OF | NX);
	eqf(103, R2("fmul.d", ", rdn", big, 0xfe37e43c8800759cull), D_NINF, OF | NX);
	eqf(104, R2("fmul.d", ", rne", tiny, tiny), D_PZERO, UF | NX);
	eqf(105, R2("fmul.d", ", rup", tiny, tiny), D_MIN_SUB, UF | NX);
	/* A tiny but exact result does not signal underflow. */
	eqf(106, R2("fmul.d", ", rne", D_MIN_SUB, D_ONE), D_MIN_SUB, 0);
	eqf(107, R2("fdiv.d", ", rne", D_ONE, D_PZERO), D_INF, DZ);
	eqf(108, R2("fdiv.d", ", rne", D_ONE, D_NZERO), D_NINF, DZ);
	eqf(109, R2("fdiv.d", ", rne", D_PZERO, D_PZERO), D_QNAN, NV);
	eqf(110, R1("fsqrt.d", ", rne", D_MONE), D_QNAN, NV);
	eqf(111, R2("fsub.d", ", rne", D_INF, D_INF), D_QNAN, NV);
	eqf(112, R2("fmul.d", ", rne", D_INF, D_PZERO), D_QNAN, NV);
	eqf(113, R2("fdiv.s", ", rne", BOX(S_ONE), BOX(0)), BOX(0x7f800000u), DZ);
	eqf(114, R2("fdiv.s", ", rne", BOX(0), BOX(0)), BOX(S_QNAN), NV);
	/* Flags accrue until cleared. */
	R2("fdiv.d", ", rne", D_ONE, D_PZERO);
	R2("fdiv.d", ", rne", D_ONE, 0x4008000000000000ull);
	R2("fmul.d", ", rne", big, big);
	eq(115, csr_read(fflags), DZ | NX | OF);
	R2("fadd.d", ", rne", D_ONE, D_ONE);
	eq(116, csr_read(fflags), DZ | NX | OF);
	eq(117, take_flags(), DZ | NX | OF);
	eq(118, csr_read(fflags), 0);
	/* Writing an FP register does not depend on the flags. */
	csr_write(fflags, NV);
	eqf(119, R2("fadd.d", ", rne", D_ONE, D_ONE), D_TWO, NV);
}

static void nans_and_boxing(void)
{
	take_flags();
	/* NaN results are canonical: payloads do not propagate. */
	eqf(200, R2("fadd.d", ", rne", D_QNAN_PAYLOAD, D_ONE), D_QNAN, 0);
	eqf(201, R2("fadd.d", ", rne", D_SNAN, D_ONE), D_QNAN, NV);
	eqf(202, R2("fmul.d", ", rne", D_ONE, 0xfff8000000000abcull), D_QNAN, 0);
	eqf(203, R2("fadd.s", ", rne", BOX(0x7fc01234u), BOX(S_ONE)), BOX(S_QNAN), 0);
	eqf(204, R2("fadd.s", ", rne", BOX(S_SNAN), BOX(S_ONE)), BOX(S_QNAN), NV);
	eqf(205, R1("fcvt.d.s", "", BOX(S_SNAN)), D_QNAN, NV);
	eqf(206, R1("fcvt.s.d", ", rne", D_QNAN_PAYLOAD), BOX(S_QNAN), 0);
	/* A single not NaN-boxed (upper 32 bits not all ones) reads as the
	 * canonical NaN. */
	eqf(210, R2("fadd.s", ", rne", 0x000000003f800000ull, BOX(S_ONE)), BOX(S_QNAN), 0);
	eqf(211, R2("fadd.s", ", rne", 0xfffffffe3f800000ull, BOX(S_ONE)), BOX(S_QNAN), 0);
	eqf(212, R2("fadd.s", ", rne", BOX(S_ONE), BOX(S_ONE)), BOX(0x40000000u), 0);
	eqf(213, R1("fcvt.d.s", "", 0x000000003f800000ull), D_QNAN, 0);
	eqf(214, R2("fsgnj.s", "", 0x000000003f800000ull, BOX(0x80000000u)), BOX(0xffc00000u), 0);
	eqf(215, TOX1("fclass.s", "", 0x000000003f800000ull), 0x200, 0);
	/* Transfers ignore the boxing: fmv.x.w takes the low 32 bits and
	 * sign-extends them; fsw stores them. */
	eqf(216, TOX1("fmv.x.w", "", 0x12345678bf800000ull), 0xffffffffbf800000ull, 0);
	uint32_t word;
	__asm__ volatile("fmv.d.x ft0, %1\n\tfsw ft0, %0"
			 : "=m"(word)
			 : "r"(0x123456783f800000ull)
			 : "ft0");
	eq(217, word, S_ONE);
	/* fmv.w.x and flw box what they write. */
	uint64_t r;
	__asm__ volatile("fmv.w.x ft0, %1\n\tfmv.x.d %0, ft0"
			 : "=r"(r)
			 : "r"(0x5555555540000000ull)
			 : "ft0");
	eq(218, r, BOX(0x40000000u));
	word = 0x40400000u;
	__asm__ volatile("flw ft0, %1\n\tfmv.x.d %0, ft0" : "=r"(r) : "m"(word) : "ft0");
	eq(219, r, BOX(0x40400000u));
}

static void conversions(void)
{
	take_flags();
	/* fcvt.w.d saturates; out-of-range and NaN inputs raise NV only. */
	eqf(300, TOX1("fcvt.w.d", ", rtz", D_QNAN), 0x7fffffffull, NV);
	eqf(301, TOX1("fcvt.w.d", ", rtz", D_NINF), 0xffffffff80000000ull, NV);
	eqf(302, TOX1("fcvt.w.d", ", rtz", D_INF), 0x7fffffffull, NV);
	eqf(303, TOX1("fcvt.w.d", ", rtz", 0x4415af1d78b58c40ull /* 1e20 */), 0x7fffffffull, NV);
	eqf(304, TOX1("fcvt.w.d", ", rtz", 0xc415af1d78b58c40ull /* -1e20 */),
	    0xffffffff80000000ull, NV);
	eqf(305, TOX1("fcvt.wu.d", ", rtz", D_MONE), 0, NV);
	eqf(306, TOX1("fcvt.wu.d", ", rtz", D_QNAN), 0xffffffffffffffffull, NV);
	eqf(307, TOX1("fcvt.wu.d", ", rtz", 0xbfe0000000000000ull /* -0.5 */), 0, NX);
	/* fcvt.wu.d sign-extends its 32-bit result. */
	eqf(308, TOX1("fcvt.wu.d", ", rtz", 0x41e65a0bc0000000ull /* 3e9 */), 0xffffffffb2d05e00ull,
	    0);
	eqf(309, TOX1("fcvt.wu.d", ", rtz", 0x41dfffffffc00000ull /* 2^31 - 1 */), 0x7fffffffull,
	    0);
	eqf(310, TOX1("fcvt.w.d", ", rtz", 0xc1e0000000000000ull /* -2^31 */),
	    0xffffffff80000000ull, 0);
	eqf(311, TOX1("fcvt.w.d", ", rtz", 0x41e0000000000000ull /* 2^31 */), 0x7fffffffull, NV);
	/* 64-bit forms. */
	eqf(312, TOX1("fcvt.l.d", ", rtz", D_QNAN), 0x7fffffffffffffffull, NV);
	eqf(313, TOX1("fcvt.l.d", ", rtz", D_NINF), 0x8000000000000000ull, NV);
	eqf(314, TOX1("fcvt.lu.d", ", rtz", D_NINF), 0, NV);
	eqf(315, TOX1("fcvt.lu.d", ", rtz", D_INF), 0xffffffffffffffffull, NV);
	eqf(316, TOX1("fcvt.l.s", ", rtz", BOX(0xdf000000u /* -2^63 */)), 0x8000000000000000ull, 0);
	/* Rounding of conversions. */
	const uint64_t one_half = 0x3ff8000000000000ull, two_half = 0x4004000000000000ull;
	const uint64_t m_one_half = 0xbff8000000000000ull;
	eqf(320, TOX1("fcvt.w.d", ", rne", one_half), 2, NX);
	eqf(321, TOX1("fcvt.w.d", ", rne", two_half), 2, NX);
	eqf(322, TOX1("fcvt.w.d", ", rmm", two_half), 3, NX);
	eqf(323, TOX1("fcvt.w.d", ", rtz", m_one_half), -1ull, NX);
	eqf(324, TOX1("fcvt.w.d", ", rdn", m_one_half), -2ull, NX);
	eqf(325, TOX1("fcvt.w.d", ", rup", m_one_half), -1ull, NX);
	eqf(326, TOX1("fcvt.w.d", ", rmm", m_one_half), -2ull, NX);
	eqf(327, TOX1("fcvt.w.d", ", rne", D_NZERO), 0, 0);
	/* Integer to FP. */
	uint64_t r;
	__asm__ volatile("fcvt.d.w ft0, %1\n\tfmv.x.d %0, ft0"
			 : "=r"(r)
			 : "r"(0xffffffff80000000ull)
			 : "ft0");
	eqf(330, r, 0xc1e0000000000000ull, 0);
	__asm__ volatile("fcvt.d.wu ft0, %1\n\tfmv.x.d %0, ft0"
			 : "=r"(r)
			 : "r"(0x12345678ffffffffull)
			 : "ft0");
	eqf(331, r, 0x41efffffffe00000ull, 0);
	__asm__ volatile("fcvt.s.l ft0, %1, rtz\n\tfmv.x.d %0, ft0"
			 : "=r"(r)
			 : "r"(0x7fffffffffffffffull)
			 : "ft0");
	eqf(332, r, BOX(0x5effffffu), NX);
	__asm__ volatile("fcvt.d.lu ft0, %1, rup\n\tfmv.x.d %0, ft0"
			 : "=r"(r)
			 : "r"(0xffffffffffffffffull)
			 : "ft0");
	eqf(333, r, 0x43f0000000000000ull, NX);
}

static void min_max_compare_sign(void)
{
	take_flags();
	/* fmin/fmax: one NaN operand gives the other; sNaN signals NV;
	 * two NaNs give the canonical NaN; -0 < +0. */
	eqf(400, R2("fmin.d", "", D_SNAN, D_ONE), D_ONE, NV);
	eqf(401, R2("fmax.d", "", D_ONE, D_SNAN), D_ONE, NV);
	eqf(402, R2("fmin.d", "", D_QNAN_PAYLOAD, D_ONE), D_ONE, 0);
	eqf(403, R2("fmax.d", "", D_QNAN_PAYLOAD, D_QNAN_PAYLOAD), D_QNAN, 0);
	eqf(404, R2("fmin.d", "", D_SNAN, D_SNAN), D_QNAN, NV);
	eqf(405, R2("fmin.d", "", D_NZERO, D_PZERO), D_NZERO, 0);
	eqf(406, R2("fmin.d", "", D_PZERO, D_NZERO), D_NZERO, 0);
	eqf(407, R2("fmax.d", "", D_NZERO, D_PZERO), D_PZERO, 0);
	eqf(408, R2("fmax.d", "", D_PZERO, D_NZERO), D_PZERO, 0);
	eqf(409, R2("fmin.s", "", BOX(S_SNAN), BOX(S_ONE)), BOX(S_ONE), NV);
	eqf(410, R2("fmax.s", "", BOX(0x80000000u), BOX(0)), BOX(0), 0);
	eqf(411, R2("fmax.s", "", BOX(S_QNAN), BOX(S_QNAN)), BOX(S_QNAN), 0);
	eqf(412, R2("fmin.d", "", D_NINF, D_MONE), D_NINF, 0);

	/* feq is quiet (NV only for sNaN); flt and fle signal on any NaN. */
	eqf(420, TOX2("feq.d", D_QNAN, D_ONE), 0, 0);
	eqf(421, TOX2("feq.d", D_SNAN, D_ONE), 0, NV);
	eqf(422, TOX2("flt.d", D_QNAN, D_ONE), 0, NV);
	eqf(423, TOX2("fle.d", D_ONE, D_QNAN), 0, NV);
	eqf(424, TOX2("feq.d", D_NZERO, D_PZERO), 1, 0);
	eqf(425, TOX2("flt.d", D_NZERO, D_PZERO), 0, 0);
	eqf(426, TOX2("fle.d", D_NZERO, D_PZERO), 1, 0);
	eqf(427, TOX2("flt.d", D_MONE, D_ONE), 1, 0);
	eqf(428, TOX2("feq.d", D_QNAN, D_QNAN), 0, 0);
	eqf(429, TOX2("feq.s", BOX(S_QNAN), BOX(S_ONE)), 0, 0);
	eqf(430, TOX2("flt.s", BOX(S_QNAN), BOX(S_ONE)), 0, NV);
	eqf(431, TOX2("feq.s", BOX(S_SNAN), BOX(S_ONE)), 0, NV);
	eqf(432, TOX2("fle.s", BOX(S_ONE), BOX(S_ONE)), 1, 0);

	/* Sign injection: no flags, NaN payloads kept. */
	eqf(440, R2("fsgnj.d", "", D_ONE, D_MONE), D_MONE, 0);
	eqf(441, R2("fsgnjn.d", "", D_ONE, D_MONE), D_ONE, 0);
	eqf(442, R2("fsgnjn.d", "", D_ONE, D_ONE), D_MONE, 0);
	eqf(443, R2("fsgnjx.d", "", D_MONE, D_MONE), D_ONE, 0);
	eqf(444, R2("fsgnjx.d", "", D_MONE, D_ONE), D_MONE, 0);
	eqf(445, R2("fsgnj.d", "", D_SNAN, D_MONE), 0xfff0000000000001ull, 0);
	eqf(446, R2("fsgnjn.s", "", BOX(S_ONE), BOX(S_ONE)), BOX(0xbf800000u), 0);
	eqf(447, R2("fsgnjx.s", "", BOX(0xbf800000u), BOX(0x80000000u)), BOX(S_ONE), 0);
}

static void classify(void)
{
	static const struct {
		uint64_t v;
		uint64_t cls;
	} d[] = {
	    {D_NINF, 1 << 0},
	    {D_MONE, 1 << 1},
	    {0x800fffffffffffffull, 1 << 2},
	    {D_NZERO, 1 << 3},
	    {D_PZERO, 1 << 4},
	    {D_MIN_SUB, 1 << 5},
	    {D_ONE, 1 << 6},
	    {D_INF, 1 << 7},
	    {D_SNAN, 1 << 8},
	    {0xfff4000000000000ull, 1 << 8},
	    {D_QNAN, 1 << 9},
	    {0xfff8000000000001ull, 1 << 9},
	};
	static const struct {
		uint32_t v;
		uint64_t cls;
	} s[] = {
	    {0xff800000u, 1 << 0}, {0xbf800000u, 1 << 1}, {0x807fffffu, 1 << 2},
	    {0x80000000u, 1 << 3}, {0x00000000u, 1 << 4}, {0x00000001u, 1 << 5},
	    {S_ONE, 1 << 6},	   {0x7f800000u, 1 << 7}, {S_SNAN, 1 << 8},
	    {S_QNAN, 1 << 9},
	};
	take_flags();
	for (unsigned i = 0; i < sizeof(d) / sizeof(d[0]); i++)
		eqf(500 + (int)i, TOX1("fclass.d", "", d[i].v), d[i].cls, 0);
	for (unsigned i = 0; i < sizeof(s) / sizeof(s[0]); i++)
		eqf(520 + (int)i, TOX1("fclass.s", "", BOX(s[i].v)), s[i].cls, 0);
}

static void fused_multiply_add(void)
{
	/* a = b = 1 + 2^-30: a*b = 1 + 2^-29 + 2^-60, which rounds to
	 * 1 + 2^-29; subtracting c = 1 + 2^-29 leaves 2^-60 only when the
	 * product is not rounded first. */
	const uint64_t a = 0x3ff0000000400000ull;
	const uint64_t c = 0x3ff0000000800000ull;
	const uint64_t nc = c | 0x8000000000000000ull;
	const uint64_t two_m60 = 0x3c30000000000000ull;
	take_flags();
	eqf(600, R3("fmadd.d", ", rne", a, a, nc), two_m60, 0);
	eqf(601, R3("fmsub.d", ", rne", a, a, c), two_m60, 0);
	eqf(602, R3("fnmsub.d", ", rne", a, a, c), two_m60 | 0x8000000000000000ull, 0);
	eqf(603, R3("fnmadd.d", ", rne", a, a, nc), two_m60 | 0x8000000000000000ull, 0);
	uint64_t p = R2("fmul.d", ", rne", a, a);
	eqf(604, p, c, NX);
	eqf(605, R2("fadd.d", ", rne", p, nc), D_PZERO, 0);
	/* Single: a = 1 + 2^-12, a*a = 1 + 2^-11 + 2^-24; c = 1 + 2^-11. */
	eqf(606, R3("fmadd.s", ", rne", BOX(0x3f800800u), BOX(0x3f800800u), BOX(0xbf801000u)),
	    BOX(0x33800000u), 0);
	/* Rounding happens once, in the given mode. */
	eqf(607, R3("fmadd.d", ", rup", D_ONE, D_ONE, 0x3ca0000000000000ull), 0x3ff0000000000001ull,
	    NX);
	eqf(608, R3("fmadd.d", ", rne", D_ONE, D_ONE, 0x3ca0000000000000ull), D_ONE, NX);
	/* inf * 0 + qNaN signals NV (unpriv 11.6). */
	eqf(609, R3("fmadd.d", ", rne", D_INF, D_PZERO, D_QNAN), D_QNAN, NV);
	eqf(610, R3("fmadd.d", ", rne", D_ONE, D_ONE, D_QNAN_PAYLOAD), D_QNAN, 0);
	eqf(611, R3("fmadd.d", ", rne", D_INF, D_ONE, D_NINF), D_QNAN, NV);
	/* The signs of the single forms, and their NaN rules: an input that
	 * is not NaN-boxed reads as the canonical NaN, a signalling NaN
	 * addend signals. */
	eqf(612, R3("fmsub.s", ", rne", BOX(0x3f800800u), BOX(0x3f800800u), BOX(0x3f801000u)),
	    BOX(0x33800000u), 0);
	eqf(613, R3("fnmadd.s", ", rne", BOX(0x3f800800u), BOX(0x3f800800u), BOX(0xbf801000u)),
	    BOX(0xb3800000u), 0);
	eqf(614, R3("fnmsub.s", ", rne", BOX(0x3f800800u), BOX(0x3f800800u), BOX(0x3f801000u)),
	    BOX(0xb3800000u), 0);
	eqf(615, R3("fmadd.s", ", rne", (uint64_t)S_ONE, BOX(S_ONE), BOX(S_ONE)), BOX(S_QNAN), 0);
	eqf(616, R3("fmadd.d", ", rne", D_ONE, D_ONE, D_SNAN), D_QNAN, NV);
	eqf(617, R3("fmadd.s", ", rne", BOX(0x7f800000u), BOX(0), BOX(S_QNAN)), BOX(S_QNAN), NV);
	eqf(618, R3("fnmadd.d", ", rne", D_ONE, D_TWO, D_ONE), 0xc008000000000000ull, 0);
}

int main(void)
{
	rounding_modes();
	exception_flags();
	nans_and_boxing();
	conversions();
	min_max_compare_sign();
	classify();
	fused_multiply_add();
	return 0;
}
