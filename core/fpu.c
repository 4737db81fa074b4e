/*
 * An exact soft-float core for the F and D extensions (unprivileged spec
 * 20191213, chapters 11 and 12), Zfh's half precision (chapter "Zfh") and
 * Zfa's additional operations (chapter "Zfa").
 *
 * Why not the host FPU: no common host has RISC-V's RMM rounding mode, hosts
 * disagree on NaN propagation and on when tininess is detected, and compilers
 * move FP operations across fesetround(). Integer arithmetic has none of these
 * problems, and every operation here is a few dozen integer instructions.
 *
 * The shape is the classic one: unpack the operands into sign, integer
 * significand and exponent; compute the exact result, or a truncation of it
 * whose lowest bit is a "sticky" bit that is set when anything non-zero was
 * shifted out (enough to round correctly); then round_pack() rounds once and
 * packs, raising NX/UF/OF. The three formats share the code through struct
 * fmt; binary16 needs nothing of its own, since every intermediate that is
 * wide enough for binary64 is wide enough for it.
 *
 * Needs GCC's unsigned __int128 (every 64-bit GCC/Clang target has it; the
 * integer M extension in core/exec_int.c uses it too).
 */
#include "fpu.h"
#include "hart.h"
#include <stdbool.h>
#include <stddef.h>

typedef unsigned __int128 u128;

/* An IEEE binary interchange format. */
struct fmt {
	int mbits;	/* stored significand bits: 10, 23 or 52 */
	int bias;	/* exponent bias: 15, 127 or 1023 */
	int emax_field; /* all-ones exponent field (inf and NaN): 31, 255 or 2047 */
	uint64_t canon; /* the canonical NaN (11.3) */
	int sign_bit;	/* 15, 31 or 63 */
};

static const struct fmt F16 = {10, 15, 31, F16_CANON_NAN, 15};
static const struct fmt F32 = {23, 127, 255, F32_CANON_NAN, 31};
static const struct fmt F64 = {52, 1023, 2047, F64_CANON_NAN, 63};

enum fclass { CL_ZERO, CL_FINITE, CL_INF, CL_QNAN, CL_SNAN };

/* An unpacked operand. For CL_FINITE the value is (-1)^sign * sig * 2^exp
 * with sig normalized: bit mbits is its leading one, subnormals included. */
struct unp {
	enum fclass cls;
	bool sign;
	int exp;
	uint64_t sig;
};

static inline int sign_shift(const struct fmt *f)
{
	return f->sign_bit;
}

static inline uint64_t mant_mask(const struct fmt *f)
{
	return (1ull << f->mbits) - 1;
}

static inline uint64_t pack(const struct fmt *f, bool sign, uint64_t efield, uint64_t mant)
{
	return (uint64_t)sign << sign_shift(f) | efield << f->mbits | mant;
}

static inline uint64_t pack_zero(const struct fmt *f, bool sign)
{
	return pack(f, sign, 0, 0);
}

static inline uint64_t pack_inf(const struct fmt *f, bool sign)
{
	return pack(f, sign, f->emax_field, 0);
}

static struct unp unpack(const struct fmt *f, uint64_t a)
{
	struct unp u;
	uint64_t e = (a >> f->mbits) & f->emax_field;
	uint64_t m = a & mant_mask(f);

	u.sign = (a >> sign_shift(f)) & 1;
	u.exp = 0;
	u.sig = 0;
	if (e == (uint64_t)f->emax_field) {
		if (m == 0)
			u.cls = CL_INF;
		else /* 11.3: the quiet bit is the significand's msb */
			u.cls = (m >> (f->mbits - 1)) & 1 ? CL_QNAN : CL_SNAN;
	} else if (e == 0) {
		if (m == 0) {
			u.cls = CL_ZERO;
		} else {
			int sh = __builtin_clzll(m) - (63 - f->mbits);
			u.cls = CL_FINITE;
			u.sig = m << sh;
			u.exp = 1 - f->bias - f->mbits - sh;
		}
	} else {
		u.cls = CL_FINITE;
		u.sig = m | 1ull << f->mbits;
		u.exp = (int)e - f->bias - f->mbits;
	}
	return u;
}

static inline bool is_nan(const struct unp *u)
{
	return u->cls == CL_QNAN || u->cls == CL_SNAN;
}

/* Shift right, ORing everything shifted out into bit 0 ("jamming"), so that
 * the result still says whether the dropped part was zero. */
static inline uint64_t jam64(uint64_t x, int n)
{
	if (n <= 0)
		return x;
	if (n >= 64)
		return x != 0;
	return x >> n | ((x << (64 - n)) != 0);
}

static inline u128 jam128(u128 x, int n)
{
	if (n <= 0)
		return x;
	if (n >= 128)
		return x != 0;
	return x >> n | ((x << (128 - n)) != 0);
}

static inline int clz128(u128 x)
{
	uint64_t hi = (uint64_t)(x >> 64);
	return hi ? __builtin_clzll(hi) : 64 + __builtin_clzll((uint64_t)x);
}

/*
 * Round x / 2^n to an integer in mode rm for a value of sign `sign`; set
 * *inexact when bits were discarded. Any n >= 0 is allowed. This one
 * function implements all five modes of 11.2 for every operation, RMM
 * included: ties are seen exactly because nothing below bit 0 of x is lost
 * (callers jam the lost bits into bit 0, which can never create a tie).
 */
static uint64_t round_shift(uint64_t x, int n, bool sign, int rm, bool *inexact)
{
	uint64_t q, rem, half;

	if (n <= 0) {
		*inexact = false;
		return x;
	}
	if (n > 64) { /* x / 2^n < 1/2: keep only "non-zero" */
		x = x != 0;
		n = 64;
	}
	q = n == 64 ? 0 : x >> n;
	rem = n == 64 ? x : x & ((1ull << n) - 1);
	half = 1ull << (n - 1);
	*inexact = rem != 0;
	if (!rem)
		return q;
	switch (rm) {
	case FRM_RNE:
		return q + (rem > half || (rem == half && (q & 1)));
	case FRM_RDN:
		return q + sign;
	case FRM_RUP:
		return q + !sign;
	case FRM_RMM:
		return q + (rem >= half);
	default: /* FRM_RTZ */
		return q;
	}
}

/* Overflow (11.6 defers to IEEE 754 7.4): infinity or the largest finite
 * number, depending on which way the mode rounds. */
static uint64_t overflow(const struct fmt *f, bool sign, int rm, uint8_t *flags)
{
	bool to_inf;

	*flags |= FFLAG_OF | FFLAG_NX;
	switch (rm) {
	case FRM_RTZ:
		to_inf = false;
		break;
	case FRM_RDN:
		to_inf = sign;
		break;
	case FRM_RUP:
		to_inf = !sign;
		break;
	default:
		to_inf = true;
		break; /* RNE, RMM */
	}
	if (to_inf)
		return pack_inf(f, sign);
	return pack(f, sign, f->emax_field - 1, mant_mask(f));
}

/*
 * Round (-1)^sign * sig * 2^exp (sig != 0; bit 0 may be a sticky bit as long
 * as sig has at least mbits + 3 significant bits above it) to format f, and
 * raise NX, UF, OF.
 *
 * Underflow: RISC-V detects tininess after rounding (11.6): the result is
 * tiny when rounding the exact value to mbits+1 significant bits with an
 * unbounded exponent gives a magnitude below 2^emin. UF is raised only when
 * the result is tiny and inexact (IEEE 754 7.5, default handling).
 */
static uint64_t round_pack(const struct fmt *f, bool sign, int exp, uint64_t sig, int rm,
			   uint8_t *flags)
{
	const int gs = 62 - f->mbits; /* bits below the lsb when the msb is bit 62 */
	bool inexact;
	int e;
	uint64_t q;

	/* Normalize so the leading one is bit 62 (bit 63 stays free for the
	 * carry out of rounding). */
	if (sig >> 63) {
		sig = jam64(sig, 1);
		exp++;
	} else {
		int sh = __builtin_clzll(sig) - 1;
		sig <<= sh;
		exp -= sh;
	}
	/* Biased exponent of the leading one. */
	e = exp + 62 + f->bias;

	if (e >= 1) {
		q = round_shift(sig, gs, sign, rm, &inexact);
		if (q >> (f->mbits + 1)) { /* rounded up to the next binade */
			q >>= 1;
			e++;
		}
		if (e >= f->emax_field)
			return overflow(f, sign, rm, flags);
		if (inexact)
			*flags |= FFLAG_NX;
		return pack(f, sign, (uint64_t)e, q & mant_mask(f));
	}

	/* Below the normal range: round to the subnormal grid. The result may
	 * round up to the smallest normal, which the plain `| q` packs right
	 * (q == 2^mbits carries into the exponent field). */
	bool tiny = e < 0;
	if (e == 0) {
		bool ignored;
		tiny = !(round_shift(sig, gs, sign, rm, &ignored) >> (f->mbits + 1));
	}
	q = round_shift(sig, gs + 1 - e, sign, rm, &inexact);
	if (inexact) {
		*flags |= FFLAG_NX;
		if (tiny)
			*flags |= FFLAG_UF;
	}
	return pack_zero(f, sign) | q;
}

/* round_pack for a 128-bit exact or sticky significand. */
static uint64_t round_pack128(const struct fmt *f, bool sign, int exp, u128 sig, int rm,
			      uint8_t *flags)
{
	uint64_t hi = (uint64_t)(sig >> 64);

	if (hi) {
		int sh = 64 - __builtin_clzll(hi);
		sig = jam128(sig, sh);
		exp += sh;
	}
	return round_pack(f, sign, exp, (uint64_t)sig, rm, flags);
}

/* NaN operands: NV for a signaling one (11.3), and the result is always the
 * canonical NaN. */
static uint64_t nan_result(const struct fmt *f, const struct unp *a, const struct unp *b,
			   uint8_t *flags)
{
	if (a->cls == CL_SNAN || (b && b->cls == CL_SNAN))
		*flags |= FFLAG_NV;
	return f->canon;
}

static uint64_t invalid(const struct fmt *f, uint8_t *flags)
{
	*flags |= FFLAG_NV;
	return f->canon;
}

/* An exact zero sum of opposite-signed operands is +0 in every mode but RDN,
 * where it is -0 (IEEE 754 6.3). */
static inline bool zero_sum_sign(int rm)
{
	return rm == FRM_RDN;
}

/* ---- add, sub ---- */

static uint64_t fp_add(const struct fmt *f, uint64_t a, uint64_t b, bool negate_b, int rm,
		       uint8_t *flags)
{
	struct unp x = unpack(f, a), y = unpack(f, b);
	const int up = 61 - f->mbits; /* leading one to bit 61: room for a carry */
	uint64_t sx, sy, s;
	bool sign;
	int d;

	y.sign ^= negate_b;
	if (is_nan(&x) || is_nan(&y))
		return nan_result(f, &x, &y, flags);
	if (x.cls == CL_INF) {
		if (y.cls == CL_INF && x.sign != y.sign)
			return invalid(f, flags); /* inf - inf */
		return pack_inf(f, x.sign);
	}
	if (y.cls == CL_INF)
		return pack_inf(f, y.sign);
	if (x.cls == CL_ZERO && y.cls == CL_ZERO)
		return pack_zero(f, x.sign == y.sign ? x.sign : zero_sum_sign(rm));
	if (x.cls == CL_ZERO)
		return b ^ ((uint64_t)negate_b << sign_shift(f)); /* exact */
	if (y.cls == CL_ZERO)
		return a;

	if (x.exp < y.exp) {
		struct unp t = x;
		x = y;
		y = t;
	}
	sx = x.sig << up;
	sy = y.sig << up;
	d = x.exp - y.exp;
	/* With d >= 2 the difference keeps its leading one at bit 60 or above,
	 * far above the sticky bit; with d <= 1 nothing is shifted out. */
	sy = jam64(sy, d);
	if (x.sign == y.sign) {
		s = sx + sy;
		sign = x.sign;
	} else if (sx >= sy) {
		s = sx - sy;
		sign = x.sign;
	} else {
		s = sy - sx;
		sign = y.sign;
	}
	if (s == 0)
		return pack_zero(f, zero_sum_sign(rm));
	return round_pack(f, sign, x.exp - up, s, rm, flags);
}

/* ---- mul, div, sqrt ---- */

static uint64_t fp_mul(const struct fmt *f, uint64_t a, uint64_t b, int rm, uint8_t *flags)
{
	struct unp x = unpack(f, a), y = unpack(f, b);
	bool sign = x.sign ^ y.sign;

	if (is_nan(&x) || is_nan(&y))
		return nan_result(f, &x, &y, flags);
	if (x.cls == CL_INF || y.cls == CL_INF) {
		if (x.cls == CL_ZERO || y.cls == CL_ZERO)
			return invalid(f, flags); /* inf * 0 */
		return pack_inf(f, sign);
	}
	if (x.cls == CL_ZERO || y.cls == CL_ZERO)
		return pack_zero(f, sign);
	/* The product of two (mbits+1)-bit significands is exact in 128 bits. */
	return round_pack128(f, sign, x.exp + y.exp, (u128)x.sig * y.sig, rm, flags);
}

static uint64_t fp_div(const struct fmt *f, uint64_t a, uint64_t b, int rm, uint8_t *flags)
{
	struct unp x = unpack(f, a), y = unpack(f, b);
	bool sign = x.sign ^ y.sign;
	u128 n, q;

	if (is_nan(&x) || is_nan(&y))
		return nan_result(f, &x, &y, flags);
	if (x.cls == CL_INF) {
		if (y.cls == CL_INF)
			return invalid(f, flags); /* inf / inf */
		return pack_inf(f, sign);
	}
	if (y.cls == CL_INF)
		return pack_zero(f, sign);
	if (y.cls == CL_ZERO) {
		if (x.cls == CL_ZERO)
			return invalid(f, flags); /* 0 / 0 */
		*flags |= FFLAG_DZ;
		return pack_inf(f, sign);
	}
	if (x.cls == CL_ZERO)
		return pack_zero(f, sign);
	/* A quotient of 64 or 65 bits, the remainder as the sticky bit. */
	n = (u128)x.sig << 64;
	q = n / y.sig;
	q |= (n % y.sig) != 0;
	return round_pack128(f, sign, x.exp - y.exp - 64, q, rm, flags);
}

/* floor(sqrt(n)) for n < 2^126, one result bit at a time from the top, and
 * whether it is exact. (About 150 ns for binary64; fsqrt is rare enough that
 * simplicity wins over a Newton iteration.) */
static uint64_t isqrt128(u128 n, bool *exact)
{
	uint64_t r = 0;

	for (int i = 62; i >= 0; i--) {
		uint64_t t = r | 1ull << i;
		if ((u128)t * t <= n)
			r = t;
	}
	*exact = (u128)r * r == n;
	return r;
}

static uint64_t fp_sqrt(const struct fmt *f, uint64_t a, int rm, uint8_t *flags)
{
	struct unp x = unpack(f, a);
	uint64_t r;
	bool exact;

	if (is_nan(&x))
		return nan_result(f, &x, NULL, flags);
	if (x.cls == CL_ZERO)
		return a; /* sqrt(-0) = -0 (IEEE 754 5.4.1) */
	if (x.sign)
		return invalid(f, flags); /* negative, -inf included */
	if (x.cls == CL_INF)
		return a;
	/* Make the exponent even, then scale by 2^72 so the integer root has
	 * at least 48 bits (f32) or 63 bits (f64); the remainder is sticky. */
	if (x.exp & 1) {
		x.sig <<= 1;
		x.exp--;
	}
	r = isqrt128((u128)x.sig << 72, &exact);
	r |= !exact;
	return round_pack(f, false, (x.exp - 72) / 2, r, rm, flags);
}

/* ---- fused multiply-add ---- */

/*
 * (-1)^neg_prod * a * b + (-1)^neg_c * c with a single rounding (11.6). The
 * product is exact in 128 bits; both terms are aligned with their leading
 * one at bit 125 and the smaller one jammed, as in fp_add.
 */
static uint64_t fp_fma(const struct fmt *f, uint64_t a, uint64_t b, uint64_t c, bool neg_prod,
		       bool neg_c, int rm, uint8_t *flags)
{
	struct unp x = unpack(f, a), y = unpack(f, b), z = unpack(f, c);
	bool psign = x.sign ^ y.sign ^ neg_prod, sign;
	int pe, ce, sh, e;
	u128 p, s, cs;

	z.sign ^= neg_c;
	if (x.cls == CL_SNAN || y.cls == CL_SNAN || z.cls == CL_SNAN)
		*flags |= FFLAG_NV;
	/* 11.6: inf * 0 is invalid even when the addend is a quiet NaN. */
	if ((x.cls == CL_INF && y.cls == CL_ZERO) || (x.cls == CL_ZERO && y.cls == CL_INF))
		return invalid(f, flags);
	if (is_nan(&x) || is_nan(&y) || is_nan(&z))
		return f->canon;
	if (x.cls == CL_INF || y.cls == CL_INF) {
		if (z.cls == CL_INF && z.sign != psign)
			return invalid(f, flags); /* inf - inf */
		return pack_inf(f, psign);
	}
	if (z.cls == CL_INF)
		return pack_inf(f, z.sign);
	if (x.cls == CL_ZERO || y.cls == CL_ZERO) {
		if (z.cls == CL_ZERO)
			return pack_zero(f, psign == z.sign ? psign : zero_sum_sign(rm));
		return pack(f, z.sign, 0, 0) | (c & ~(1ull << sign_shift(f))); /* exact */
	}

	p = (u128)x.sig * y.sig;
	pe = x.exp + y.exp;
	if (z.cls == CL_ZERO) /* a nonzero product plus a zero: just round it */
		return round_pack128(f, psign, pe, p, rm, flags);

	sh = clz128(p) - 2;
	p <<= sh;
	pe -= sh;
	cs = z.sig;
	sh = clz128(cs) - 2;
	cs <<= sh;
	ce = z.exp - sh;
	if (pe >= ce) {
		cs = jam128(cs, pe - ce);
		e = pe;
	} else {
		p = jam128(p, ce - pe);
		e = ce;
	}
	if (psign == z.sign) {
		s = p + cs;
		sign = psign;
	} else if (p >= cs) {
		s = p - cs;
		sign = psign;
	} else {
		s = cs - p;
		sign = z.sign;
	}
	if (s == 0)
		return pack_zero(f, zero_sum_sign(rm));
	return round_pack128(f, sign, e, s, rm, flags);
}

/* ---- min, max, compare, classify ---- */

/* a < b in the total order that puts -0 below +0; neither may be NaN. */
static bool lt_signed_zero(const struct fmt *f, uint64_t a, uint64_t b)
{
	bool sa = (a >> sign_shift(f)) & 1, sb = (b >> sign_shift(f)) & 1;

	if (sa != sb)
		return sa;
	return a != b && (sa ^ (a < b));
}

/* 11.6 (2019 version): fmin/fmax are IEEE 754-2019 minimumNumber and
 * maximumNumber: a NaN operand is ignored unless both are NaN, which gives
 * the canonical NaN; a signaling NaN still raises NV; -0 < +0. */
static uint64_t fp_minmax(const struct fmt *f, uint64_t a, uint64_t b, bool max, uint8_t *flags)
{
	struct unp x = unpack(f, a), y = unpack(f, b);

	if (x.cls == CL_SNAN || y.cls == CL_SNAN)
		*flags |= FFLAG_NV;
	if (is_nan(&x) && is_nan(&y))
		return f->canon;
	if (is_nan(&x))
		return b;
	if (is_nan(&y))
		return a;
	return lt_signed_zero(f, a, b) != max ? a : b;
}

/* Zfa: FMINM/FMAXM are IEEE 754-2019 minimum and maximum: like fmin/fmax,
 * except that a NaN operand, quiet or signaling, gives the canonical NaN. */
static uint64_t fp_minmax_nan(const struct fmt *f, uint64_t a, uint64_t b, bool max, uint8_t *flags)
{
	struct unp x = unpack(f, a), y = unpack(f, b);

	if (x.cls == CL_SNAN || y.cls == CL_SNAN)
		*flags |= FFLAG_NV;
	if (is_nan(&x) || is_nan(&y))
		return f->canon;
	return lt_signed_zero(f, a, b) != max ? a : b;
}

enum cmp_kind { CMP_EQ, CMP_LT, CMP_LE };

/* 11.8: FEQ is a quiet comparison (NV only for a signaling NaN); FLT and FLE
 * are signaling (NV for any NaN); Zfa's FLTQ and FLEQ are FLT and FLE made
 * quiet. All write 0 when an operand is NaN. */
static int fp_compare(const struct fmt *f, uint64_t a, uint64_t b, enum cmp_kind kind,
		      bool signaling, uint8_t *flags)
{
	struct unp x = unpack(f, a), y = unpack(f, b);
	bool both_zero = x.cls == CL_ZERO && y.cls == CL_ZERO;

	if (is_nan(&x) || is_nan(&y)) {
		if (signaling || x.cls == CL_SNAN || y.cls == CL_SNAN)
			*flags |= FFLAG_NV;
		return 0;
	}
	switch (kind) {
	case CMP_EQ:
		return a == b || both_zero;
	case CMP_LT:
		return !both_zero && lt_signed_zero(f, a, b);
	default: /* CMP_LE */
		return both_zero || a == b || lt_signed_zero(f, a, b);
	}
}

static unsigned fp_classify(const struct fmt *f, uint64_t a)
{
	struct unp x = unpack(f, a);
	bool subnormal = ((a >> f->mbits) & f->emax_field) == 0;

	switch (x.cls) {
	case CL_INF:
		return x.sign ? FCLASS_NEG_INF : FCLASS_POS_INF;
	case CL_ZERO:
		return x.sign ? FCLASS_NEG_ZERO : FCLASS_POS_ZERO;
	case CL_SNAN:
		return FCLASS_SNAN;
	case CL_QNAN:
		return FCLASS_QNAN;
	default:
		if (subnormal)
			return x.sign ? FCLASS_NEG_SUBNORMAL : FCLASS_POS_SUBNORMAL;
		return x.sign ? FCLASS_NEG_NORMAL : FCLASS_POS_NORMAL;
	}
}

/* ---- conversions ---- */

/*
 * Float to integer of `width` bits (32 or 64), returned as a 64-bit two's
 * complement pattern. Table 11.4: NaN gives the largest value, +-inf and
 * out-of-range values clamp to the nearest limit; all of these raise NV (and
 * only NV). The range check applies to the *rounded* value, so -0.5 RTZ to an
 * unsigned type is 0 with NX only, while -0.5 RDN (-1) is invalid.
 */
static uint64_t fp_to_int(const struct fmt *f, uint64_t a, int rm, bool is_signed, int width,
			  uint8_t *flags)
{
	struct unp x = unpack(f, a);
	const uint64_t umax = width == 64 ? ~0ull : (1ull << width) - 1;
	const uint64_t smax = umax >> 1;    /* 2^(w-1) - 1 */
	const uint64_t smin_mag = smax + 1; /* |-2^(w-1)| */
	uint64_t mag, hi_clamp, lo_clamp;
	bool inexact = false;

	hi_clamp = is_signed ? smax : umax;
	lo_clamp = is_signed ? (uint64_t)0 - smin_mag : 0; /* sign-extended -2^(w-1) */

	if (is_nan(&x)) {
		*flags |= FFLAG_NV;
		return hi_clamp;
	}
	if (x.cls == CL_INF) {
		*flags |= FFLAG_NV;
		return x.sign ? lo_clamp : hi_clamp;
	}
	if (x.cls == CL_ZERO)
		return 0;

	if (x.exp >= 0) {
		/* An integer already; too wide for 64 bits means out of range. */
		if (x.exp + f->mbits >= 64)
			goto out_of_range;
		mag = x.sig << x.exp;
	} else {
		mag = round_shift(x.sig, -x.exp, x.sign, rm, &inexact);
	}

	if (is_signed) {
		if (x.sign ? mag > smin_mag : mag > smax)
			goto out_of_range;
	} else {
		if ((x.sign && mag != 0) || mag > umax)
			goto out_of_range;
	}
	if (inexact)
		*flags |= FFLAG_NX;
	return x.sign ? (uint64_t)0 - mag : mag;

out_of_range:
	*flags |= FFLAG_NV;
	return x.sign ? lo_clamp : hi_clamp;
}

static uint64_t fp_from_int(const struct fmt *f, bool sign, uint64_t mag, int rm, uint8_t *flags)
{
	if (mag == 0)
		return pack_zero(f, false);
	return round_pack(f, sign, 0, mag, rm, flags);
}

/* Between formats (12.5): NaNs become the target's canonical NaN, NV for a
 * signaling one; widening is exact, narrowing rounds (OF, UF, NX). */
static uint64_t fp_convert(const struct fmt *to, const struct fmt *from, uint64_t a, int rm,
			   uint8_t *flags)
{
	struct unp x = unpack(from, a);

	switch (x.cls) {
	case CL_QNAN:
	case CL_SNAN:
		return nan_result(to, &x, NULL, flags);
	case CL_INF:
		return pack_inf(to, x.sign);
	case CL_ZERO:
		return pack_zero(to, x.sign);
	default:
		return round_pack(to, x.sign, x.exp, x.sig, rm, flags);
	}
}

/* ---- Zfa: round to integer, modular conversion, constants ---- */

/*
 * FROUND/FROUNDNX: a to an integral value in the same format, in mode rm.
 * Zeros and infinities are returned unmodified, a NaN gives the canonical
 * NaN (NV for a signaling one); NX only when `exact` (FROUNDNX, IEEE 754
 * roundToIntegralExact) and the value changed. The sign survives a
 * rounding to zero (-0.25 gives -0).
 */
static uint64_t fp_round_int(const struct fmt *f, uint64_t a, int rm, bool exact, uint8_t *flags)
{
	struct unp x = unpack(f, a);
	bool inexact;
	uint64_t mag;
	uint8_t no_flags = 0;

	if (is_nan(&x))
		return nan_result(f, &x, NULL, flags);
	if (x.cls != CL_FINITE || x.exp >= 0)
		return a; /* zero, infinity, or already an integer */
	mag = round_shift(x.sig, -x.exp, x.sign, rm, &inexact);
	if (inexact && exact)
		*flags |= FFLAG_NX;
	if (mag == 0)
		return pack_zero(f, x.sign);
	/* mag <= 2^mbits: packing it is exact and raises nothing. */
	return round_pack(f, x.sign, 0, mag, FRM_RNE, &no_flags);
}

/*
 * FCVTMOD.W.D: the binary64 a truncated to an integer of unbounded width,
 * reduced modulo 2^32 (sign-extended by the caller); infinities and NaNs
 * give 0. The flags are FCVT.W.D's with RTZ: NV when the value does not fit
 * in an int32 (and then not NX), else NX when it was not an integer.
 */
static uint32_t f64_mod_i32(uint64_t a, uint8_t *flags)
{
	struct unp x = unpack(&F64, a);
	uint64_t mag;

	(void)fp_to_int(&F64, a, FRM_RTZ, true, 32, flags);
	if (x.cls != CL_FINITE)
		return 0;
	if (x.exp >= 32)
		mag = 0; /* a multiple of 2^32 */
	else if (x.exp >= 0)
		mag = x.sig << x.exp; /* the low 32 bits survive the shift */
	else if (x.exp > -64)
		mag = x.sig >> -x.exp;
	else
		mag = 0;
	return (uint32_t)(x.sign ? (uint64_t)0 - mag : mag);
}

/* Zfa's FLI table (chapter "Zfa", "Load-Immediate Instructions") as
 * binary32 bit patterns, entry by entry: sign, exponent and the two
 * leading significand bits, the only ones any entry sets. */
static const uint32_t fli_f32[32] = {
    0xbf800000u, /*  0: -1.0 */
    0x00800000u, /*  1: minimum positive normal (per format, see fli) */
    0x37800000u, /*  2: 2^-16 */
    0x38000000u, /*  3: 2^-15 */
    0x3b800000u, /*  4: 2^-8 */
    0x3c000000u, /*  5: 2^-7 */
    0x3d800000u, /*  6: 0.0625 */
    0x3e000000u, /*  7: 0.125 */
    0x3e800000u, /*  8: 0.25 */
    0x3ea00000u, /*  9: 0.3125 */
    0x3ec00000u, /* 10: 0.375 */
    0x3ee00000u, /* 11: 0.4375 */
    0x3f000000u, /* 12: 0.5 */
    0x3f200000u, /* 13: 0.625 */
    0x3f400000u, /* 14: 0.75 */
    0x3f600000u, /* 15: 0.875 */
    0x3f800000u, /* 16: 1.0 */
    0x3fa00000u, /* 17: 1.25 */
    0x3fc00000u, /* 18: 1.5 */
    0x3fe00000u, /* 19: 1.75 */
    0x40000000u, /* 20: 2.0 */
    0x40200000u, /* 21: 2.5 */
    0x40400000u, /* 22: 3 */
    0x40800000u, /* 23: 4 */
    0x41000000u, /* 24: 8 */
    0x41800000u, /* 25: 16 */
    0x43000000u, /* 26: 128 */
    0x43800000u, /* 27: 256 */
    0x47000000u, /* 28: 2^15 */
    0x47800000u, /* 29: 2^16 */
    0x7f800000u, /* 30: +inf */
    0x7fc00000u, /* 31: the canonical NaN */
};

/* Entry i of the table in format f. Every entry but 1 is the same number
 * in each format, which the exact conversion from binary32 gives; in
 * binary16, 2^-16 and 2^-15 become subnormals and 2^16 overflows to +inf,
 * as the spec says entry 29 of FLI.H does. */
static uint64_t fp_fli(const struct fmt *f, unsigned i)
{
	uint8_t ignored = 0;

	i &= 31;
	if (i == 1)
		return pack(f, false, 1, 0);
	return fp_convert(f, &F32, fli_f32[i], FRM_RNE, &ignored);
}

/* ---- the public functions ---- */

/* The magnitude of a negative int64 as uint64 without signed overflow. */
static inline uint64_t mag64(int64_t v)
{
	return v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
}

/* core/fpu.h's FPU_FORMAT_OPS for the format prefix p, storage type T and
 * struct fmt F: each is one call of the generic function above. */
#define FPU_DEFINE_FORMAT_OPS(p, T, F)                                                             \
	T p##_add(T a, T b, int rm, uint8_t *flags)                                                \
	{                                                                                          \
		return (T)fp_add(&F, a, b, false, rm, flags);                                      \
	}                                                                                          \
	T p##_sub(T a, T b, int rm, uint8_t *flags)                                                \
	{                                                                                          \
		return (T)fp_add(&F, a, b, true, rm, flags);                                       \
	}                                                                                          \
	T p##_mul(T a, T b, int rm, uint8_t *flags)                                                \
	{                                                                                          \
		return (T)fp_mul(&F, a, b, rm, flags);                                             \
	}                                                                                          \
	T p##_div(T a, T b, int rm, uint8_t *flags)                                                \
	{                                                                                          \
		return (T)fp_div(&F, a, b, rm, flags);                                             \
	}                                                                                          \
	T p##_sqrt(T a, int rm, uint8_t *flags)                                                    \
	{                                                                                          \
		return (T)fp_sqrt(&F, a, rm, flags);                                               \
	}                                                                                          \
	T p##_fmadd(T a, T b, T c, int rm, uint8_t *flags)                                         \
	{                                                                                          \
		return (T)fp_fma(&F, a, b, c, false, false, rm, flags);                            \
	}                                                                                          \
	T p##_fmsub(T a, T b, T c, int rm, uint8_t *flags)                                         \
	{                                                                                          \
		return (T)fp_fma(&F, a, b, c, false, true, rm, flags);                             \
	}                                                                                          \
	T p##_fnmsub(T a, T b, T c, int rm, uint8_t *flags)                                        \
	{                                                                                          \
		return (T)fp_fma(&F, a, b, c, true, false, rm, flags);                             \
	}                                                                                          \
	T p##_fnmadd(T a, T b, T c, int rm, uint8_t *flags)                                        \
	{                                                                                          \
		return (T)fp_fma(&F, a, b, c, true, true, rm, flags);                              \
	}                                                                                          \
	T p##_min(T a, T b, uint8_t *flags)                                                        \
	{                                                                                          \
		return (T)fp_minmax(&F, a, b, false, flags);                                       \
	}                                                                                          \
	T p##_max(T a, T b, uint8_t *flags)                                                        \
	{                                                                                          \
		return (T)fp_minmax(&F, a, b, true, flags);                                        \
	}                                                                                          \
	int p##_eq(T a, T b, uint8_t *flags)                                                       \
	{                                                                                          \
		return fp_compare(&F, a, b, CMP_EQ, false, flags);                                 \
	}                                                                                          \
	int p##_lt(T a, T b, uint8_t *flags)                                                       \
	{                                                                                          \
		return fp_compare(&F, a, b, CMP_LT, true, flags);                                  \
	}                                                                                          \
	int p##_le(T a, T b, uint8_t *flags)                                                       \
	{                                                                                          \
		return fp_compare(&F, a, b, CMP_LE, true, flags);                                  \
	}                                                                                          \
	unsigned p##_classify(T a)                                                                 \
	{                                                                                          \
		return fp_classify(&F, a);                                                         \
	}                                                                                          \
	int32_t p##_to_i32(T a, int rm, uint8_t *flags)                                            \
	{                                                                                          \
		return (int32_t)fp_to_int(&F, a, rm, true, 32, flags);                             \
	}                                                                                          \
	uint32_t p##_to_u32(T a, int rm, uint8_t *flags)                                           \
	{                                                                                          \
		return (uint32_t)fp_to_int(&F, a, rm, false, 32, flags);                           \
	}                                                                                          \
	int64_t p##_to_i64(T a, int rm, uint8_t *flags)                                            \
	{                                                                                          \
		return (int64_t)fp_to_int(&F, a, rm, true, 64, flags);                             \
	}                                                                                          \
	uint64_t p##_to_u64(T a, int rm, uint8_t *flags)                                           \
	{                                                                                          \
		return fp_to_int(&F, a, rm, false, 64, flags);                                     \
	}                                                                                          \
	T p##_from_i64(int64_t v, int rm, uint8_t *flags)                                          \
	{                                                                                          \
		return (T)fp_from_int(&F, v < 0, mag64(v), rm, flags);                             \
	}                                                                                          \
	T p##_from_u64(uint64_t v, int rm, uint8_t *flags)                                         \
	{                                                                                          \
		return (T)fp_from_int(&F, false, v, rm, flags);                                    \
	}                                                                                          \
	T p##_fli(unsigned i)                                                                      \
	{                                                                                          \
		return (T)fp_fli(&F, i);                                                           \
	}                                                                                          \
	T p##_minimum(T a, T b, uint8_t *flags)                                                    \
	{                                                                                          \
		return (T)fp_minmax_nan(&F, a, b, false, flags);                                   \
	}                                                                                          \
	T p##_maximum(T a, T b, uint8_t *flags)                                                    \
	{                                                                                          \
		return (T)fp_minmax_nan(&F, a, b, true, flags);                                    \
	}                                                                                          \
	T p##_round_int(T a, int rm, bool exact, uint8_t *flags)                                   \
	{                                                                                          \
		return (T)fp_round_int(&F, a, rm, exact, flags);                                   \
	}                                                                                          \
	int p##_lt_quiet(T a, T b, uint8_t *flags)                                                 \
	{                                                                                          \
		return fp_compare(&F, a, b, CMP_LT, false, flags);                                 \
	}                                                                                          \
	int p##_le_quiet(T a, T b, uint8_t *flags)                                                 \
	{                                                                                          \
		return fp_compare(&F, a, b, CMP_LE, false, flags);                                 \
	}

FPU_DEFINE_FORMAT_OPS(f16, uint16_t, F16)
FPU_DEFINE_FORMAT_OPS(f32, uint32_t, F32)
FPU_DEFINE_FORMAT_OPS(f64, uint64_t, F64)

uint32_t f32_from_i32(int32_t v, int rm, uint8_t *flags)
{
	return (uint32_t)fp_from_int(&F32, v < 0, mag64(v), rm, flags);
}

uint32_t f32_from_u32(uint32_t v, int rm, uint8_t *flags)
{
	return (uint32_t)fp_from_int(&F32, false, v, rm, flags);
}

uint64_t f64_from_i32(int32_t v, int rm, uint8_t *flags)
{
	return fp_from_int(&F64, v < 0, mag64(v), rm, flags);
}

uint64_t f64_from_u32(uint32_t v, int rm, uint8_t *flags)
{
	return fp_from_int(&F64, false, v, rm, flags);
}

uint64_t f32_to_f64(uint32_t a, uint8_t *flags)
{
	return fp_convert(&F64, &F32, a, FRM_RNE, flags);
}

uint32_t f16_to_f32(uint16_t a, uint8_t *flags)
{
	return (uint32_t)fp_convert(&F32, &F16, a, FRM_RNE, flags);
}

uint64_t f16_to_f64(uint16_t a, uint8_t *flags)
{
	return fp_convert(&F64, &F16, a, FRM_RNE, flags);
}

uint32_t f64_to_f32(uint64_t a, int rm, uint8_t *flags)
{
	return (uint32_t)fp_convert(&F32, &F64, a, rm, flags);
}

uint16_t f32_to_f16(uint32_t a, int rm, uint8_t *flags)
{
	return (uint16_t)fp_convert(&F16, &F32, a, rm, flags);
}

uint16_t f64_to_f16(uint64_t a, int rm, uint8_t *flags)
{
	return (uint16_t)fp_convert(&F16, &F64, a, rm, flags);
}

int32_t f64_to_i32_mod(uint64_t a, uint8_t *flags)
{
	return (int32_t)f64_mod_i32(a, flags);
}
