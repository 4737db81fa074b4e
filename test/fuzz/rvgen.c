/*
 * The translator fuzzer's choices and generators: instructions, the items
 * that group them (rvgen.h), and the program's shape: loops, functions and
 * calls, jump tables, and the phases of several harts.
 */
#include "rvgen.h"
#include "rvgen_encode.h"
#include <string.h>

/* --- Choices ----------------------------------------------------------- */

void rvgen_rng_seed(struct rvgen_rng *r, uint64_t seed)
{
	memset(r, 0, sizeof(*r));
	r->state = seed * 0x9e3779b97f4a7c15ULL + 0x2545f4914f6cdd1dULL;
}

void rvgen_rng_bytes(struct rvgen_rng *r, const uint8_t *data, size_t len)
{
	memset(r, 0, sizeof(*r));
	r->data = data;
	r->len = len;
}

static uint64_t next64(struct rvgen_rng *r)
{
	if (r->data) {
		/* Fuzzer bytes, then zeros: libFuzzer shrinks toward short inputs. */
		uint64_t v = 0;
		for (int i = 0; i < 8 && r->pos < r->len; i++)
			v |= (uint64_t)r->data[r->pos++] << (8 * i);
		return v;
	}
	uint64_t x = r->state; /* xorshift64* */
	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	r->state = x;
	return x * 0x2545f4914f6cdd1dULL;
}

/* A number in [0, n). Fuzzer input spends one byte on small ranges. */
static unsigned pick(struct rvgen_rng *r, unsigned n)
{
	if (r->data && n <= 256) {
		const unsigned v = r->pos < r->len ? r->data[r->pos++] : 0;
		return v % n;
	}
	return (unsigned)(next64(r) % n);
}

static const uint64_t edge_values[] = {
    0,
    1,
    2,
    0x7f,
    0x80,
    0xff,
    0x7fff,
    0x8000,
    0xffff,
    0x7fffffff,
    0x80000000,
    0xffffffff,
    0x100000000ULL,
    0x7fffffffffffffffULL,
    0x8000000000000000ULL,
    0xffffffffffffffffULL,
    0xfffffffffffffffeULL,
    0xffffffff80000000ULL,
    0x00000000fffff800ULL,
};

/* Doubles and NaN-boxed (and badly boxed) singles with special meanings. */
static const uint64_t fp_values[] = {
    0x0000000000000000ULL, 0x8000000000000000ULL, /* +-0 */
    0x7ff0000000000000ULL, 0xfff0000000000000ULL, /* +-inf */
    0x7ff8000000000000ULL, 0x7ff0000000000001ULL, /* qNaN, sNaN */
    0xfff8000000000000ULL, 0x0000000000000001ULL, /* -qNaN, min subnormal */
    0x000fffffffffffffULL, 0x0010000000000000ULL, /* max subnormal, min normal */
    0x7fefffffffffffffULL, 0x3ff0000000000000ULL, /* max finite, 1.0 */
    0xbff0000000000000ULL, 0x4340000000000000ULL, /* -1.0, 2^53 */
    0x43e0000000000000ULL, 0xc3e0000000000000ULL, /* +-2^63 */
    0x41dfffffffc00000ULL, 0x3fe0000000000000ULL, /* 2^31-1, 0.5 */
    0x3ff8000000000000ULL, 0x4004000000000000ULL, /* 1.5, 2.5 */
    0xffffffff00000000ULL, 0xffffffff80000000ULL, /* boxed +-0.0f */
    0xffffffff7f800000ULL, 0xffffffffff800000ULL, /* boxed +-inf */
    0xffffffff7fc00000ULL, 0xffffffff7f800001ULL, /* boxed qNaN, sNaN */
    0xffffffff00000001ULL, 0xffffffff007fffffULL, /* boxed subnormals */
    0xffffffff3f800000ULL, 0xffffffffbf800000ULL, /* boxed +-1.0f */
    0xffffffff4f000000ULL, 0xffffffff3fc00000ULL, /* 2^31, 1.5f */
    0x000000003f800000ULL, 0x7fffffff3f800000ULL, /* 1.0f not boxed */
    0xffffffff7f7fffffULL, 0xffffffff00800000ULL, /* max, min normal single */
    0xffffffffffff3c00ULL, 0xffffffffffffbc00ULL, /* boxed +-1.0 half */
    0xffffffffffff7c00ULL, 0xffffffffffff8000ULL, /* boxed inf, -0 half */
    0xffffffffffff7e00ULL, 0xffffffffffff7c01ULL, /* boxed qNaN, sNaN half */
    0xffffffffffff0001ULL, 0xffffffffffff03ffULL, /* boxed subnormal halves */
    0xffffffffffff0400ULL, 0xffffffffffff7bffULL, /* min normal, max half */
    0xffffffffffff3e00ULL, 0xffffffffffff4100ULL, /* 1.5, 2.5 half */
    0x0000000000003c00ULL, 0xffffffff00003c00ULL, /* 1.0 half not boxed */
};
#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

static uint64_t pick_value(struct rvgen_rng *r)
{
	switch (pick(r, 4)) {
	case 0:
		return next64(r);
	case 1:
		return fp_values[pick(r, NELEM(fp_values))];
	default:
		return edge_values[pick(r, NELEM(edge_values))];
	}
}

/* Registers the program may write: not x2, x8, x28 (bases) nor x29-x31. */
static const uint8_t writable[] = {0,  1,  3,  4,  5,  6,  7,  9,  10, 11, 12, 13, 14,
				   15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27};
#define WRITABLE_MASK 0x0ffffefbu

/* One of the registers in mask (not 0). */
static unsigned pick_in(struct rvgen_rng *r, uint32_t mask)
{
	unsigned k = pick(r, (unsigned)__builtin_popcount(mask));
	for (unsigned x = 0;; x++)
		if ((mask >> x & 1) && k-- == 0)
			return x;
}

/* writable[from..] without r->keep: the one picked, or the next allowed
 * one (a scan rather than a new pick, so fuzzer input that runs out of
 * bytes still ends). */
static unsigned pick_writable(struct rvgen_rng *r, unsigned from)
{
	const uint32_t preferred = r->prefer & ~r->keep & WRITABLE_MASK & ~(from ? 1u : 0);
	if (preferred && pick(r, 4))
		return pick_in(r, preferred);
	const unsigned n = NELEM(writable) - from;
	unsigned i = pick(r, n);
	for (unsigned tries = 0; tries < n && (r->keep >> writable[from + i] & 1); tries++)
		i = (i + 1) % n;
	return writable[from + i];
}
static unsigned rd_any(struct rvgen_rng *r)
{
	return pick_writable(r, 0);
}
static unsigned rd_nz(struct rvgen_rng *r)
{
	return pick_writable(r, 1);
}
static unsigned rs_any(struct rvgen_rng *r)
{
	if (r->prefer && pick(r, 4))
		return pick_in(r, r->prefer);
	return pick(r, 32);
}
/* x9..x15, the RVC registers the program may write (x8 is a base). */
static unsigned rc_w(struct rvgen_rng *r)
{
	unsigned x = 9 + pick(r, 7);
	for (unsigned tries = 0; tries < 7 && (r->keep >> x & 1); tries++)
		x = x == 15 ? 9 : x + 1;
	return x;
}

static int32_t imm12(struct rvgen_rng *r)
{
	static const int32_t edge[] = {0, 1, -1, 2047, -2048, 0x7ff, 31, 32, 63, 8, -8};
	if (pick(r, 2))
		return edge[pick(r, NELEM(edge))];
	return (int32_t)pick(r, 4096) - 2048;
}

/* --- Items ------------------------------------------------------------- */

static void put(struct rvgen_item *it, uint32_t w, unsigned len)
{
	it->word[it->n] = w;
	it->len[it->n] = (uint8_t)len;
	it->n++;
}
static void put32(struct rvgen_item *it, uint32_t w)
{
	put(it, w, 4);
}
static void put16(struct rvgen_item *it, uint32_t w)
{
	put(it, w & 0xffff, 2);
}

/* rm: mostly legal static modes and dyn, sometimes the reserved 5 and 6. */
static unsigned pick_rm(struct rvgen_rng *r)
{
	static const unsigned rm[] = {0, 1, 2, 3, 4, 7, 7, 7, 5, 6};
	return rm[pick(r, pick(r, 8) ? 8 : NELEM(rm))];
}

/* Zba, Zbb, Zbc, Zbs, Zbkb, Zbkx and Zicond (the machines run -cpu max):
 * register forms, the unary forms (their rs2 field fixed) and the
 * shift-amount / bit-index forms. */
static void gen_bitmanip(struct rvgen_rng *r, struct rvgen_item *it)
{
	static const struct {
		uint8_t opc, f3, f7;
	} reg[] = {
	    {0x33, 2, 0x10}, {0x33, 4, 0x10}, {0x33, 6, 0x10}, /* sh1add sh2add sh3add */
	    {0x3b, 0, 0x04}, {0x3b, 2, 0x10}, {0x3b, 4, 0x10}, /* add.uw sh1add.uw sh2add.uw */
	    {0x3b, 6, 0x10}, {0x33, 7, 0x20}, {0x33, 6, 0x20}, /* sh3add.uw andn orn */
	    {0x33, 4, 0x20}, {0x33, 6, 0x05}, {0x33, 7, 0x05}, /* xnor max maxu */
	    {0x33, 4, 0x05}, {0x33, 5, 0x05}, {0x33, 1, 0x30}, /* min minu rol */
	    {0x3b, 1, 0x30}, {0x33, 5, 0x30}, {0x3b, 5, 0x30}, /* rolw ror rorw */
	    {0x33, 1, 0x24}, {0x33, 5, 0x24}, {0x33, 1, 0x34}, /* bclr bext binv */
	    {0x33, 1, 0x14}, {0x33, 1, 0x05}, {0x33, 2, 0x05}, /* bset clmul clmulr */
	    {0x33, 3, 0x05}, {0x33, 4, 0x04}, {0x33, 7, 0x04}, /* clmulh pack packh */
	    {0x3b, 4, 0x04}, {0x33, 2, 0x14}, {0x33, 4, 0x14}, /* packw xperm4 xperm8 */
	    {0x33, 5, 0x07}, {0x33, 7, 0x07},		       /* czero.eqz czero.nez */
	};
	static const struct {
		uint8_t opc, f3;
		uint16_t imm; /* bits 31:20: funct7 and the fixed rs2 field */
	} unary[] = {
	    {0x13, 1, 0x600}, {0x13, 1, 0x601}, {0x13, 1, 0x602}, /* clz ctz cpop */
	    {0x1b, 1, 0x600}, {0x1b, 1, 0x601}, {0x1b, 1, 0x602}, /* clzw ctzw cpopw */
	    {0x13, 1, 0x604}, {0x13, 1, 0x605}, {0x3b, 4, 0x080}, /* sext.b sext.h zext.h */
	    {0x13, 5, 0x287}, {0x13, 5, 0x6b8}, {0x13, 5, 0x687}, /* orc.b rev8 brev8 */
	};
	static const struct {
		uint8_t opc, f3;
		uint16_t hi; /* funct6 in bits 31:26 */
	} shift[] = {
	    {0x1b, 1, 0x080}, {0x13, 5, 0x600}, {0x13, 1, 0x480}, /* slli.uw rori bclri */
	    {0x13, 5, 0x480}, {0x13, 1, 0x680}, {0x13, 1, 0x280}, /* bexti binvi bseti */
	    {0x1b, 5, 0x600},					  /* roriw: 5 bits */
	};
	static const uint8_t edge_shift[] = {0, 1, 31, 32, 63};
	switch (pick(r, 4)) {
	case 0:
	case 1: {
		const unsigned i = pick(r, NELEM(reg));
		put32(it, enc_r(reg[i].opc, reg[i].f3, reg[i].f7, rd_any(r), rs_any(r), rs_any(r)));
		break;
	}
	case 2: {
		const unsigned i = pick(r, NELEM(unary));
		if (r->oracle && unary[i].opc == 0x1b && unary[i].imm == 0x601) {
			/* QEMU 7.2's ctzw counts past a zero low word (64, not
			 * 32; oracle_compare.c's list): give it a set bit. */
			const unsigned rd = rd_nz(r);
			put32(it, enc_i(0x13, 6, rd, rs_any(r), 0x400)); /* ori */
			put32(it, enc_i(0x1b, 1, rd, rd, 0x601));
			break;
		}
		put32(it, enc_i(unary[i].opc, unary[i].f3, rd_any(r), rs_any(r), unary[i].imm));
		break;
	}
	default: {
		const unsigned i = pick(r, NELEM(shift));
		const unsigned width = shift[i].opc == 0x1b && shift[i].f3 == 5 ? 32 : 64;
		const unsigned sh =
		    pick(r, 2) ? edge_shift[pick(r, NELEM(edge_shift))] % width : pick(r, width);
		put32(it, enc_i(shift[i].opc, shift[i].f3, rd_any(r), rs_any(r),
				(int32_t)(shift[i].hi | sh)));
		break;
	}
	}
}

/* Zimop: mop.r.n rd, rs1 (n in bits 30, 27:26, 21:20) and mop.rr.n rd,
 * rs1, rs2 (n in bits 30, 27:26), which write 0 to rd (the machines run
 * -cpu max). */
static void gen_mop(struct rvgen_rng *r, struct rvgen_item *it)
{
	const uint32_t rd = rd_any(r), rs1 = rs_any(r);
	if (pick(r, 2)) {
		const uint32_t n = pick(r, 32);
		put32(it, 0x81c04073u | (n >> 4) << 30 | ((n >> 2) & 3) << 26 | (n & 3) << 20 |
			      rs1 << 15 | rd << 7);
	} else {
		const uint32_t n = pick(r, 8);
		put32(it, 0x82004073u | (n >> 2) << 30 | (n & 3) << 26 | rs_any(r) << 20 |
			      rs1 << 15 | rd << 7);
	}
}

static void gen_int(struct rvgen_rng *r, struct rvgen_item *it)
{
	switch (pick(r, 8)) {
	case 0: { /* OP-IMM */
		static const unsigned f3[] = {0, 2, 3, 4, 6, 7};
		put32(it, enc_i(0x13, f3[pick(r, 6)], rd_any(r), rs_any(r), imm12(r)));
		break;
	}
	case 1: { /* shifts, 64 and 32 bit */
		const unsigned k = pick(r, 3), w = pick(r, 2);
		const unsigned f3 = k == 0 ? 1 : 5, hi = k == 2 ? 0x400 : 0;
		const unsigned sh = pick(r, w ? 32 : 64);
		put32(it, enc_i(w ? 0x1b : 0x13, f3, rd_any(r), rs_any(r), (int32_t)(hi | sh)));
		break;
	}
	case 2: { /* OP and OP-32, with M */
		static const struct {
			uint8_t f3, f7;
		} ops[] = {
		    {0, 0}, {0, 0x20}, {1, 0}, {2, 0}, {3, 0}, {4, 0}, {5, 0}, {5, 0x20}, {6, 0},
		    {7, 0}, {0, 1},    {1, 1}, {2, 1}, {3, 1}, {4, 1}, {5, 1}, {6, 1},	  {7, 1},
		};
		static const struct {
			uint8_t f3, f7;
		} ops32[] = {
		    {0, 0}, {0, 0x20}, {1, 0}, {5, 0}, {5, 0x20},
		    {0, 1}, {4, 1},    {5, 1}, {6, 1}, {7, 1},
		};
		if (pick(r, 3)) {
			const unsigned i = pick(r, NELEM(ops));
			put32(it,
			      enc_r(0x33, ops[i].f3, ops[i].f7, rd_any(r), rs_any(r), rs_any(r)));
		} else {
			const unsigned i = pick(r, NELEM(ops32));
			put32(it, enc_r(0x3b, ops32[i].f3, ops32[i].f7, rd_any(r), rs_any(r),
					rs_any(r)));
		}
		break;
	}
	case 3: /* lui, auipc */
		put32(it, enc_u(pick(r, 2) ? 0x37 : 0x17, rd_any(r), (uint32_t)next64(r)));
		break;
	case 4: /* addiw */
		put32(it, enc_i(0x1b, 0, rd_any(r), rs_any(r), imm12(r)));
		break;
	case 5:
		gen_bitmanip(r, it);
		break;
	case 6:
		gen_mop(r, it);
		break;
	default: { /* M with a divisor of 0 or -1 in a register we set */
		const unsigned rt = rd_nz(r);
		put32(it, enc_i(0x13, 0, rt, 0, pick(r, 2) ? -1 : 0));
		static const uint8_t f3[] = {4, 5, 6, 7};
		put32(it,
		      enc_r(pick(r, 2) ? 0x33 : 0x3b, f3[pick(r, 4)], 1, rd_any(r), rs_any(r), rt));
		break;
	}
	}
}

static void gen_mem(struct rvgen_rng *r, struct rvgen_item *it)
{
	static const uint8_t bases[] = {28, 28, 28, 2, 8, 0}; /* x0: unmapped, faults */
	const unsigned base = bases[pick(r, NELEM(bases))];
	const int32_t imm = pick(r, 3) ? (int32_t)(pick(r, 64) - 32) : imm12(r);
	switch (pick(r, 6)) {
	case 5: { /* Zicbom/Zicboz on the base's block, Zicbop hints (-cpu max) */
		static const uint8_t cbo[] = {0, 1, 2, 4, 4}; /* inval clean flush zero */
		static const uint8_t hint[] = {0, 1, 3};      /* prefetch.i r w */
		/* QEMU 7.2 has no Zicbom or Zicboz: hints only for the oracle. */
		if (pick(r, 3) && !r->oracle)
			put32(it, enc_i(0x0f, 2, 0, base, cbo[pick(r, NELEM(cbo))]));
		else
			put32(it,
			      enc_i(0x13, 6, 0, base, (imm & ~31) | hint[pick(r, NELEM(hint))]));
		break;
	}
	case 0:
	case 1: { /* loads: lb lh lw ld lbu lhu lwu */
		static const uint8_t f3[] = {0, 1, 2, 3, 4, 5, 6};
		put32(it, enc_i(0x03, f3[pick(r, 7)], rd_any(r), base, imm));
		break;
	}
	case 2: /* stores */
		put32(it, enc_s(0x23, pick(r, 4), base, rs_any(r), imm));
		break;
	case 3: { /* FP loads and stores: flh/fsh (Zfh), flw/fsw, fld/fsd */
		const unsigned w = 1 + pick(r, 3);
		if (pick(r, 2))
			put32(it, enc_i(0x07, w, pick(r, 32), base, imm));
		else
			put32(it, enc_s(0x27, w, base, pick(r, 32), imm));
		break;
	}
	default: { /* AMO / LR / SC on an aligned (sometimes misaligned) address */
		const unsigned rt = rd_nz(r);
		int32_t off = (int32_t)(pick(r, 64) * 8) - 256;
		const int32_t misalign = pick(r, 8) ? 0 : (int32_t)(1 + pick(r, 7));
		static const uint8_t f5[] = {0x00, 0x01, 0x04, 0x0c, 0x08, 0x10,
					     0x14, 0x18, 0x1c, 0x02, 0x03};
		const unsigned k = f5[pick(r, NELEM(f5))];
		/* QEMU 7.2 lets an SC without a reservation fail at a misaligned
		 * address, where the specification raises the exception first
		 * (oracle_compare.c's list): for the oracle, LR and SC stay
		 * aligned, and LR does not overwrite the address SC uses. */
		if (!(r->oracle && (k == 0x02 || k == 0x03)))
			off += misalign;
		put32(it, enc_i(0x13, 0, rt, 28, off));
		const unsigned f3 = pick(r, 2) ? 2 : 3, aqrl = pick(r, 4);
		if (k == 0x02) { /* lr, then usually sc to the same address */
			const uint32_t keep = r->keep;
			if (r->oracle)
				r->keep |= 1u << rt;
			const unsigned lr_rd = rd_any(r);
			r->keep = keep;
			put32(it, enc_r(0x2f, f3, (k << 2) | aqrl, lr_rd, rt, 0));
			if (pick(r, 4))
				put32(it, enc_r(0x2f, f3, (0x03 << 2) | aqrl, rd_any(r), rt,
						rs_any(r)));
		} else {
			put32(it, enc_r(0x2f, f3, (k << 2) | aqrl, rd_any(r), rt, rs_any(r)));
		}
		break;
	}
	}
}

/* Zfa (the machine has -cpu max): fli, fminm/fmaxm, fround[nx], fcvtmod.w.d,
 * fleq/fltq, for fmt S, D, H. */
static void gen_zfa(struct rvgen_rng *r, struct rvgen_item *it, unsigned fmt)
{
	const unsigned fd = pick(r, 32), f1 = pick(r, 32), f2 = pick(r, 32);
	switch (pick(r, 5)) {
	case 0: /* fli: rs1 is the constant's index */
		put32(it, enc_r(0x53, 0, (0x1e << 2) | fmt, fd, pick(r, 32), 1));
		break;
	case 1: /* fminm, fmaxm */
		put32(it, enc_r(0x53, 2 + pick(r, 2), (0x05 << 2) | fmt, fd, f1, f2));
		break;
	case 2: /* fround, froundnx */
		put32(it, enc_r(0x53, pick_rm(r), (0x08 << 2) | fmt, fd, f1, 4 + pick(r, 2)));
		break;
	case 3: /* fcvtmod.w.d (rtz; another rm is reserved) */
		put32(it,
		      enc_r(0x53, pick(r, 8) ? 1 : pick(r, 8), (0x18 << 2) | 1, rd_any(r), f1, 8));
		break;
	default: /* fleq, fltq */
		put32(it, enc_r(0x53, 4 + pick(r, 2), (0x14 << 2) | fmt, rd_any(r), f1, f2));
		break;
	}
}

static void gen_fp(struct rvgen_rng *r, struct rvgen_item *it)
{
	const unsigned fmt = pick(r, 3); /* 0 = S, 1 = D, 2 = H (Zfh) */
	const unsigned fd = pick(r, 32), f1 = pick(r, 32), f2 = pick(r, 32);
	switch (pick(r, 11)) {
	case 0:
	case 1: { /* fadd fsub fmul fdiv */
		put32(it, enc_r(0x53, pick_rm(r), (pick(r, 4) << 2) | fmt, fd, f1, f2));
		break;
	}
	case 2: /* fsqrt */
		put32(it, enc_r(0x53, pick_rm(r), (0x0b << 2) | fmt, fd, f1, 0));
		break;
	case 3: /* fsgnj[n|x], fmin, fmax */
		if (pick(r, 2))
			put32(it, enc_r(0x53, pick(r, 3), (0x04 << 2) | fmt, fd, f1, f2));
		else
			put32(it, enc_r(0x53, pick(r, 2), (0x05 << 2) | fmt, fd, f1, f2));
		break;
	case 4: /* fmadd fmsub fnmsub fnmadd */
		put32(it, enc_r4(0x43 | pick(r, 4) << 2, fmt, pick_rm(r), fd, f1, f2, pick(r, 32)));
		break;
	case 5: { /* fcvt between formats: to fmt from one of the other two */
		const unsigned from = (fmt + 1 + pick(r, 2)) % 3;
		put32(it, enc_r(0x53, pick_rm(r), (0x08 << 2) | fmt, fd, f1, from));
		break;
	}
	case 6: /* fcvt.{w,wu,l,lu}.{s,d,h} */
		put32(it, enc_r(0x53, pick_rm(r), (0x18 << 2) | fmt, rd_any(r), f1, pick(r, 4)));
		break;
	case 7: /* fcvt.{s,d,h}.{w,wu,l,lu} */
		put32(it, enc_r(0x53, pick_rm(r), (0x1a << 2) | fmt, fd, rs_any(r), pick(r, 4)));
		break;
	case 8: /* feq flt fle, fclass, fmv.x.* */
		switch (pick(r, 3)) {
		case 0:
			put32(it, enc_r(0x53, pick(r, 3), (0x14 << 2) | fmt, rd_any(r), f1, f2));
			break;
		case 1:
			put32(it, enc_r(0x53, 1, (0x1c << 2) | fmt, rd_any(r), f1, 0));
			break;
		default:
			put32(it, enc_r(0x53, 0, (0x1c << 2) | fmt, rd_any(r), f1, 0));
			break;
		}
		break;
	case 9:
		gen_zfa(r, it, fmt);
		break;
	default: /* fmv.{w,d,h}.x */
		put32(it, enc_r(0x53, 0, (0x1e << 2) | fmt, fd, rs_any(r), 0));
		break;
	}
}

/* --- Items for an outside machine (rvgen_program.oracle) --------------- */

/* n distinct registers the item may write. */
static void temps(struct rvgen_rng *r, unsigned n, unsigned *t)
{
	const uint32_t keep = r->keep;
	for (unsigned i = 0; i < n; i++) {
		t[i] = rd_nz(r);
		r->keep |= 1u << t[i];
	}
	r->keep = keep;
}

/* A counter's value is the machine's own (QEMU's cycle and instret follow
 * the host's clock): read it twice and keep only whether it went
 * backwards, which no machine allows. */
static void gen_counter_pair(struct rvgen_rng *r, struct rvgen_item *it, unsigned csr)
{
	unsigned t[2];
	temps(r, 2, t);
	put32(it, enc_i(0x73, 2, t[0], 0, (int32_t)csr)); /* csrr t0, csr */
	put32(it, enc_i(0x73, 2, t[1], 0, (int32_t)csr)); /* csrr t1, csr */
	put32(it, enc_r(0x33, 3, 0, t[0], t[1], t[0]));	  /* sltu t0, t1, t0 */
	put32(it, enc_i(0x13, 0, t[1], 0, 0));		  /* li t1, 0 */
}

/* t = the address of this hart's CLINT word at `base` + hartid << shift. */
static void put_clint_word(struct rvgen_item *it, unsigned t, unsigned u, uint32_t base,
			   unsigned shift)
{
	put32(it, enc_i(0x73, 2, t, 0, 0xf14));		 /* csrr t, mhartid */
	put32(it, enc_i(0x13, 1, t, t, (int32_t)shift)); /* slli t, t, shift */
	put32(it, enc_u(0x37, u, base >> 12));		 /* lui u, base */
	put32(it, enc_r(0x33, 0, 0, t, t, u));		 /* add t, t, u */
}

/* Interrupts at a point both machines must agree on: raised while
 * disabled, then taken right after the csrsi that enables them (the
 * harness's handler records and silences them), or waited for in wfi with
 * mstatus.MIE clear, which must then find them pending in mip. */
static void gen_interrupt(struct rvgen_rng *r, struct rvgen_item *it)
{
	unsigned t[3];
	temps(r, 3, t);
	const bool timer = pick(r, 2);
	const uint32_t msip = 0x2000000, mtimecmp = 0x2004000;
	put_clint_word(it, t[0], t[1], timer ? mtimecmp : msip, timer ? 3 : 2);
	const bool wait = pick(r, 2);
	if (timer && wait) {
		put32(it, enc_u(0x37, t[1], 0x200c));	    /* lui t1, mtime + 8 */
		put32(it, enc_i(0x03, 3, t[1], t[1], -8));  /* ld t1, mtime */
		put32(it, enc_i(0x13, 0, t[1], t[1], 100)); /* addi t1, t1, 100 */
		put32(it, enc_s(0x23, 3, t[0], t[1], 0));   /* sd t1, mtimecmp */
	} else if (timer) {
		put32(it, enc_s(0x23, 3, t[0], 0, 0)); /* sd x0, mtimecmp: due */
	} else {
		put32(it, enc_i(0x13, 0, t[1], 0, 1));	  /* li t1, 1 */
		put32(it, enc_s(0x23, 2, t[0], t[1], 0)); /* sw t1, msip */
	}
	const unsigned bit = timer ? 0x80 : 0x08;
	put32(it, enc_i(0x13, 0, t[2], 0, (int32_t)bit)); /* li t2, bit */
	put32(it, enc_i(0x73, 2, 0, t[2], 0x304));	  /* csrs mie, t2 */
	if (wait) {
		put32(it, 0x10500073);				  /* wfi */
		put32(it, enc_i(0x73, 2, t[1], 0, 0x344));	  /* csrr t1, mip */
		put32(it, enc_r(0x33, 7, 0, t[1], t[1], t[2]));	  /* and t1, t1, t2 */
		if (timer) {					  /* silence it */
			put32(it, enc_i(0x13, 0, t[2], 0, -1));	  /* li t2, -1 */
			put32(it, enc_s(0x23, 3, t[0], t[2], 0)); /* sd t2, mtimecmp */
			put32(it, enc_i(0x13, 0, t[2], 0, 0x80)); /* li t2, 0x80 */
		} else {
			put32(it, enc_s(0x23, 2, t[0], 0, 0)); /* sw x0, msip */
		}
		put32(it, enc_i(0x73, 2, t[0], 0, 0x344));	/* csrr t0, mip */
		put32(it, enc_r(0x33, 7, 0, t[0], t[0], t[2])); /* and t0, t0, t2 */
	} else {
		put32(it, enc_i(0x73, 6, 0, 8, 0x300)); /* csrsi mstatus, MIE: taken */
		put32(it, enc_i(0x73, 7, 0, 8, 0x300)); /* csrci mstatus, MIE */
	}
	put32(it, enc_i(0x73, 3, 0, t[2], 0x304)); /* csrc mie, t2 */
}

/* A jump to where nothing can be fetched: holes in QEMU virt's map, and
 * beyond RAM (not a device: QEMU 7.2 runs code from device registers, which
 * no platform's PMAs need to allow and rvjit refuses). The harness's
 * handler resumes at the address stored at -8(x2), after the jump. */
static void gen_fetch_fault(struct rvgen_rng *r, struct rvgen_item *it)
{
	static const uint32_t where[] = {0x20, 0x0, 0x800, 0x2100, 0xa0000};
	unsigned t[3];
	temps(r, 3, t);
	put32(it, enc_u(0x17, t[0], 0));				 /* auipc t0, 0 */
	put32(it, enc_i(0x13, 0, t[0], t[0], 20));			 /* addi t0, t0, 20 */
	put32(it, enc_s(0x23, 3, 2, t[0], -8));				 /* sd t0, -8(x2) */
	put32(it, enc_u(0x37, t[1], where[pick(r, NELEM(where))]));	 /* lui t1 */
	put32(it, enc_i(0x67, 0, t[2], t[1], (int32_t)pick(r, 64) * 2)); /* jalr t2 */
}

/* Registers of QEMU virt's devices whose values every such machine gives
 * alike: the UART's (its scratch register written first), a PLIC
 * priority, enable or threshold written and read back, the CLINT's msip
 * and mtime (whether it went backwards), the virtio-mmio transports'
 * identification, the test finisher read, and a hole in the map (an
 * access fault). */
static void gen_device(struct rvgen_rng *r, struct rvgen_item *it)
{
	unsigned t[3];
	temps(r, 3, t);
	switch (pick(r, 6)) {
	case 0: { /* UART, but its MCR: QEMU's resets with OUT2 set, the
		     16550's datasheet with every bit clear (rvjit) */
		unsigned reg = pick(r, 8);
		reg = reg == 4 ? 6 : reg;
		put32(it, enc_u(0x37, t[0], 0x10000));
		if (reg == 7) {
			put32(it, enc_i(0x13, 0, t[1], 0, (int32_t)pick(r, 256)));
			put32(it, enc_s(0x23, 0, t[0], t[1], 7)); /* sb t1, SCR */
		}
		put32(it, enc_i(0x03, 4, t[2], t[0], reg == 0 ? 5 : (int32_t)reg)); /* lbu */
		break;
	}
	case 1: { /* PLIC */
		const unsigned ctx = pick(r, 2);
		static const uint32_t page[] = {0xc000, 0xc002, 0xc200};
		const unsigned which = pick(r, 3);
		const int32_t off = which == 0	 ? 4 * (int32_t)(1 + pick(r, 53))
				    : which == 1 ? 0x80 * (int32_t)ctx + 4 * (int32_t)pick(r, 2)
						 : 0;
		put32(it, enc_u(0x37, t[0], page[which] + (which == 2 ? ctx : 0)));
		/* Source 0 does not exist: its enable bit is QEMU's to keep
		 * and rvjit's to drop. */
		put32(it, enc_i(0x13, 0, t[1], 0, imm12(r) & (which == 1 && !(off & 4) ? ~1 : ~0)));
		put32(it, enc_s(0x23, 2, t[0], t[1], off)); /* sw */
		put32(it, enc_i(0x03, 2, t[2], t[0], off)); /* lw */
		break;
	}
	case 2: /* msip written and read back, then cleared */
		put_clint_word(it, t[0], t[1], 0x2000000, 2);
		put32(it, enc_i(0x13, 0, t[1], 0, 1));
		put32(it, enc_s(0x23, 2, t[0], t[1], 0));
		put32(it, enc_i(0x03, 2, t[2], t[0], 0));
		put32(it, enc_s(0x23, 2, t[0], 0, 0));
		put32(it, enc_i(0x03, 2, t[1], t[0], 0));
		break;
	case 3: /* mtime twice */
		put32(it, enc_u(0x37, t[0], 0x200c));
		put32(it, enc_i(0x03, 3, t[1], t[0], -8));
		put32(it, enc_i(0x03, 3, t[2], t[0], -8));
		put32(it, enc_r(0x33, 3, 0, t[1], t[2], t[1])); /* sltu t1, t2, t1 */
		put32(it, enc_i(0x13, 0, t[2], 0, 0));
		break;
	case 4: /* virtio-mmio: magic, version, device and vendor id */
		put32(it, enc_u(0x37, t[0], 0x10001 + pick(r, 8)));
		put32(it, enc_i(0x03, 2, t[1], t[0], 4 * (int32_t)pick(r, 4)));
		break;
	default: /* the test finisher read, or nothing mapped */
		put32(it, enc_u(0x37, t[0], pick(r, 2) ? 0x100 : 0x20));
		put32(it, enc_i(0x03, 2, t[1], t[0], 0));
		break;
	}
}

static void gen_csr(struct rvgen_rng *r, struct rvgen_item *it)
{
	/* fflags frm fcsr mscratch minstret mcycle cycle instret, and two that
	 * trap when written (read-only counters); menvcfg, senvcfg, mstateen0,
	 * mstateen3 and sstateen0 (WARL fields; below M, menvcfg's are
	 * illegal). */
	static const uint16_t csrs[] = {0x001, 0x002, 0x003, 0x001, 0x002, 0x340, 0xb02, 0xb00,
					0xc00, 0xc02, 0x30a, 0x10a, 0x30c, 0x30f, 0x10c};
	const unsigned csr = csrs[pick(r, NELEM(csrs))];
	if (r->oracle && (csr & 0xf00) >= 0xb00) {
		gen_counter_pair(r, it, csr);
		return;
	}
	const unsigned f3 = 1 + pick(r, 3) + (pick(r, 2) ? 4 : 0);
	/* rs1 = x0 with csrrs/csrrc (a pure read) must not trap on read-only ones */
	unsigned rs1 = (f3 & 4) ? pick(r, 32) : (pick(r, 3) ? rs_any(r) : 0);
	if (r->oracle && (csr == 0x30a || csr == 0x10a) && !(f3 & 4) && rs1) {
		/* QEMU 7.2 stores envcfg.CBIE's reserved encoding 10, which a
		 * WARL field must not read back (rvjit keeps the old value):
		 * written from a register, CBIE never gets there for the
		 * oracle. Without bit 5 written or bit 4 cleared it cannot (the
		 * 5-bit immediates never reach bit 5). */
		const unsigned t = rd_nz(r);
		put32(it, enc_i(0x13, 7, t, rs1, f3 == 3 ? ~0x10 : ~0x20)); /* andi */
		rs1 = t;
	}
	put32(it, enc_i(0x73, f3, rd_any(r), rs1, (int32_t)csr));
}

/* Zcb (the machines run -cpu max): c.lbu, c.lhu, c.lh, c.sb and c.sh at
 * offsets 0..3 from x8, the unary forms and c.mul on a writable register;
 * and Zcmop's c.mop.n. */
static void gen_zcb(struct rvgen_rng *r, struct rvgen_item *it, unsigned rc)
{
	const uint32_t off = pick(r, 4), any = pick(r, 8);
	const uint32_t byte_off = (off & 1) << 6 | (off >> 1) << 5, half_off = (off >> 1) << 5;
	switch (pick(r, 6)) {
	case 0: /* c.lbu rc, off(x8) */
		put16(it, 0x8000 | byte_off | (rc - 8) << 2);
		break;
	case 1: /* c.lhu / c.lh rc, off(x8) */
		put16(it, 0x8400 | pick(r, 2) << 6 | half_off | (rc - 8) << 2);
		break;
	case 2: /* c.sb / c.sh x8+any, off(x8) */
		put16(it,
		      pick(r, 2) ? (0x8800 | byte_off | any << 2) : (0x8c00 | half_off | any << 2));
		break;
	case 3: /* c.zext.b c.sext.b c.zext.h c.sext.h c.zext.w c.not */
		put16(it, 0x9c61 | (rc - 8) << 7 | pick(r, 6) << 2);
		break;
	case 4: /* c.mul rc, x8+any */
		put16(it, 0x9c41 | (rc - 8) << 7 | any << 2);
		break;
	default: /* c.mop.n, n odd */
		put16(it, 0x6081 | pick(r, 8) << 8);
		break;
	}
}

static void gen_rvc(struct rvgen_rng *r, struct rvgen_item *it)
{
	const unsigned rd = rd_nz(r), rc = rc_w(r), rs2 = 1 + pick(r, 31);
	const uint32_t imm6 = pick(r, 64);
	const uint32_t i5 = (imm6 >> 5) << 12, i40 = (imm6 & 31) << 2;
	switch (pick(r, 15)) {
	case 0:
		put16(it, 0x0001 | i5 | rd << 7 | i40);
		break; /* c.addi */
	case 1:
		put16(it, 0x2001 | i5 | rd << 7 | i40);
		break; /* c.addiw */
	case 2:
		put16(it, 0x4001 | i5 | rd << 7 | i40);
		break; /* c.li */
	case 3:
		put16(it, 0x6001 | (imm6 ? i5 | i40 : 4) | (rd == 2 ? 1 : rd) << 7);
		break; /* c.lui */
	case 4:
		put16(it, 0x8001 | i5 | pick(r, 3) << 10 | (rc - 8) << 7 | i40);
		break; /* c.srli/srai/andi */
	case 5: {      /* c.sub c.xor c.or c.and c.subw c.addw */
		const unsigned w = pick(r, 2), f = pick(r, w ? 2 : 4);
		put16(it, (w ? 0x9c01u : 0x8c01u) | (rc - 8) << 7 | f << 5 | (pick(r, 8)) << 2);
		break;
	}
	case 6:
		put16(it, 0x0002 | i5 | rd << 7 | i40);
		break; /* c.slli */
	case 7:
		put16(it, 0x8002 | rd << 7 | rs2 << 2);
		break; /* c.mv */
	case 8:
		put16(it, 0x9002 | rd << 7 | rs2 << 2);
		break; /* c.add */
	case 9: {      /* c.ld c.lw c.fld / c.sd c.sw c.fsd off(x8) */
		static const uint16_t op[] = {0x6000, 0x4000, 0x2000, 0xe000, 0xc000, 0xa000};
		const unsigned k = pick(r, 6);
		const uint32_t off = pick(r, 32) * 8; /* 0..248 */
		const uint32_t f =
		    (k % 3 == 1)
			? (((off >> 3) & 7) << 10 | ((off >> 2) & 1) << 6 | ((off >> 6) & 1) << 5)
			: (((off >> 3) & 7) << 10 | ((off >> 6) & 3) << 5);
		const unsigned reg = (k == 2 || k >= 3) ? 8 + pick(r, 8) : rc;
		put16(it, op[k] | f | 0 << 7 | (reg - 8) << 2);
		break;
	}
	case 10: { /* c.ldsp c.lwsp c.fldsp / c.sdsp c.swsp c.fsdsp */
		const uint32_t off = pick(r, 64) * 8; /* 0..504 */
		switch (pick(r, 6)) {
		case 0:
			put16(it, 0x6002 | ((off >> 5) & 1) << 12 | rd << 7 |
				      ((off >> 3) & 3) << 5 | ((off >> 6) & 7) << 2);
			break;
		case 1:
			put16(it, 0x4002 | ((off >> 5) & 1) << 12 | rd << 7 |
				      ((off >> 2) & 7) << 4 | ((off >> 6) & 3) << 2);
			break;
		case 2:
			put16(it, 0x2002 | ((off >> 5) & 1) << 12 | pick(r, 32) << 7 |
				      ((off >> 3) & 3) << 5 | ((off >> 6) & 7) << 2);
			break;
		case 3:
			put16(it, 0xe002 | ((off >> 3) & 7) << 10 | ((off >> 6) & 7) << 7 |
				      rs_any(r) << 2);
			break;
		case 4:
			put16(it, 0xc002 | ((off >> 2) & 15) << 9 | ((off >> 6) & 3) << 7 |
				      rs_any(r) << 2);
			break;
		default:
			put16(it, 0xa002 | ((off >> 3) & 7) << 10 | ((off >> 6) & 7) << 7 |
				      pick(r, 32) << 2);
			break;
		}
		break;
	}
	case 11:
		put16(it, 0x0001);
		break; /* c.nop */
	case 12:
		put16(it, pick(r, 2) ? 0x9002 : 0x0000);
		break; /* c.ebreak, c.unimp (illegal) */
	case 13:
		gen_zcb(r, it, rc);
		break;
	default: /* c.beqz / c.bnez / c.j forward */
		if (pick(r, 3)) {
			put16(it, enc_cb(pick(r, 2), 8 + pick(r, 8), 0));
			it->fix = FIX_CB;
		} else {
			put16(it, enc_cj(0));
			it->fix = FIX_CJ;
		}
		it->skip = (uint8_t)pick(r, 4);
		break;
	}
}

static void gen_control(struct rvgen_rng *r, struct rvgen_item *it)
{
	static const uint8_t bf3[] = {0, 1, 4, 5, 6, 7};
	it->skip = (uint8_t)pick(r, 5);
	switch (pick(r, 4)) {
	case 0:
	case 1:
		put32(it, enc_b(bf3[pick(r, 6)], rs_any(r), rs_any(r), 0));
		it->fix = FIX_B;
		break;
	case 2:
		put32(it, enc_j(rd_any(r), 0));
		it->fix = FIX_JAL;
		break;
	default: {
		const unsigned rt = rd_nz(r);
		put32(it, enc_u(0x17, rt, 0));
		put32(it, enc_i(0x67, 0, rd_any(r), rt, 0));
		it->fix = FIX_JALR;
		break;
	}
	}
}

static void gen_smc(struct rvgen_rng *r, struct rvgen_item *it, bool fence_i);

static void gen_system(struct rvgen_rng *r, struct rvgen_item *it)
{
	switch (pick(r, 6)) {
	case 0:
		put32(it, r->user ? 0x00100073 : 0x00000073);
		break; /* ecall (ebreak in user mode) */
	case 1:
		put32(it, 0x00100073);
		break; /* ebreak */
	case 2:
		put32(it, 0x0000007b | (uint32_t)next64(r) << 7);
		break; /* custom-3: illegal */
	case 3:
		put32(it, 0x0000100f);
		break; /* fence.i */
	case 4:
		put32(it, 0x0ff0000f);
		break; /* fence */
	default:       /* self-modifying code: patch the slot after fence.i */
		gen_smc(r, it, true);
		break;
	}
}

/* Patch the item's last word, a nop, with an OP-IMM instruction. Without
 * fence.i the store lands in the block being run: both engines run the
 * old instruction until the block ends (in a loop, the translator's kill
 * of the running loop's head makes the next iteration see it). */
static void gen_smc(struct rvgen_rng *r, struct rvgen_item *it, bool fence_i)
{
	{
		const unsigned rt = rd_nz(r);
		const uint32_t keep = r->keep;
		r->keep |= 1u << rt;
		const unsigned rv = rd_nz(r);
		r->keep = keep;
		const uint32_t insn =
		    enc_i(0x13, pick(r, 2) ? 0 : 4, rd_any(r), rs_any(r), imm12(r));
		put32(it, enc_u(0x17, rt, 0));					/* auipc rt, 0 */
		put32(it, enc_u(0x37, rv, (insn + 0x800) >> 12));		/* lui rv */
		put32(it, enc_i(0x1b, 0, rv, rv, (int32_t)(insn << 20) >> 20)); /* addiw rv */
		put32(it, enc_s(0x23, 2, rt, rv, fence_i ? 20 : 16));		/* sw rv, 20(rt) */
		if (fence_i)
			put32(it, 0x0000100f); /* fence.i */
		put32(it, 0x00000013);	       /* slot: nop */
	}
}

/* One item of the original mix: arithmetic, memory, FP, CSRs, RVC, forward
 * control transfers, system instructions. */
static void gen_plain(struct rvgen_rng *r, struct rvgen_item *it)
{
	if (r->oracle && !pick(r, 12)) {
		const unsigned kind = pick(r, 5);
		if (kind < 2)
			gen_interrupt(r, it);
		else if (kind < 4)
			gen_device(r, it);
		else
			gen_fetch_fault(r, it);
		return;
	}
	switch (pick(r, 16)) {
	case 0:
	case 1:
	case 2:
	case 3:
		gen_int(r, it);
		break;
	case 4:
	case 5:
	case 6:
		gen_mem(r, it);
		break;
	case 7:
	case 8:
	case 9:
		gen_fp(r, it);
		break;
	case 10:
		gen_csr(r, it);
		break;
	case 11:
	case 12:
		gen_rvc(r, it);
		break;
	case 13:
		gen_control(r, it);
		break;
	default:
		gen_system(r, it);
		break;
	}
}

/* Instructions that do not leave the item (function bodies): anything
 * but control transfers and the traps that end a block. */
static void gen_straight(struct rvgen_rng *r, struct rvgen_item *it)
{
	switch (pick(r, 10)) {
	case 0:
	case 1:
	case 2:
	case 3:
		gen_int(r, it);
		break;
	case 4:
	case 5:
	case 6:
		gen_mem(r, it);
		break;
	case 7:
	case 8:
		gen_fp(r, it);
		break;
	default: {
		struct rvgen_item t = {0};
		gen_rvc(r, &t);
		if (t.fix != FIX_NONE)
			put16(it, 0x0001); /* c.nop instead of a branch */
		else
			for (unsigned k = 0; k < t.n; k++)
				put(it, t.word[k], t.len[k]);
		break;
	}
	}
}

/* A load from a base register (never written), aligned, in the scratch
 * area: it cannot trap. */
static void gen_base_load(struct rvgen_rng *r, struct rvgen_item *it, unsigned rd)
{
	static const uint8_t bases[] = {2, 8, 28};
	const int32_t off = ((int32_t)pick(r, 64) - 32) * 8;
	put32(it, enc_i(0x03, pick(r, 7), rd, bases[pick(r, NELEM(bases))], off));
}

/* An instruction of a polling loop's body: the loop only loads from
 * registers it does not change and computes (polls_memory). */
static void gen_poll_op(struct rvgen_rng *r, struct rvgen_item *it)
{
	if (pick(r, 3))
		gen_int(r, it);
	else
		gen_base_load(r, it, rd_any(r));
}

/* 4 (never 0) to 11 registers the program may write, besides r->keep. */
static uint32_t working_set(struct rvgen_rng *r)
{
	uint32_t set = 0;
	const unsigned n = 4 + pick(r, 8);
	for (unsigned i = 0; i < n; i++)
		set |= 1u << rd_nz(r);
	/* Sometimes a base too: the body reads it. */
	if (!pick(r, 3))
		set |= 1u << (pick(r, 2) ? 28 : 8);
	return set;
}

/* jalr through a table: rd = x[src] & 3 picks one of four slots, each a
 * jump to its own entry into a run of four instructions; a loop counter
 * as src sends the one jalr to a new target every iteration. */
static void gen_jump_table(struct rvgen_rng *r, struct rvgen_item *it, unsigned src)
{
	const unsigned t = rd_nz(r);
	const uint32_t keep = r->keep;
	r->keep |= 1u << t;
	const unsigned rt = rd_nz(r);
	r->keep = keep;
	put32(it, enc_i(0x13, 7, t, src, 3));	 /* andi t, src, 3 */
	put32(it, enc_i(0x13, 1, t, t, 2));	 /* slli t, t, 2 */
	put32(it, enc_u(0x17, rt, 0));		 /* auipc rt, 0 */
	put32(it, enc_r(0x33, 0, 0, rt, rt, t)); /* add rt, rt, t */
	put32(it, enc_i(0x67, 0, rd_any(r), rt, 12));
	for (unsigned k = 0; k < 4; k++)
		put32(it, enc_j(0, 16)); /* slot k: to entry k */
	for (unsigned k = 0; k < 4; k++)
		put32(it, enc_i(0x13, pick(r, 2) ? 0 : 4, rd_any(r), rs_any(r), imm12(r)));
}

/* Racing harts (rvgen.h): one access, or one pair, to the shared words
 * x28 + 0..63. A pair (LR then SC, a load then a store of the changed
 * value) is sometimes split by a jump to the next instruction, which ends
 * the block there: the harts' quanta end only between blocks. */
static void gen_race(struct rvgen_rng *r, struct rvgen_item *it)
{
	const bool wide = pick(r, 2);
	const int32_t off = (int32_t)pick(r, 8) * 8 + (wide ? 0 : 4 * (int32_t)pick(r, 2));
	const unsigned f3 = wide ? 3 : 2, aqrl = pick(r, 4);
	const unsigned rt = rd_nz(r); /* the address, kept until the pair ends */
	const uint32_t keep = r->keep;
	r->keep |= 1u << rt;
	const unsigned v = rd_nz(r); /* the value loaded and changed */
	r->keep = keep;
	switch (pick(r, 4)) {
	case 0: /* lr; change; [split]; sc */
		put32(it, enc_i(0x13, 0, rt, 28, off));
		put32(it, enc_r(0x2f, f3, (0x02 << 2) | aqrl, v, rt, 0));
		put32(it, enc_i(0x13, pick(r, 2) ? 0 : 4, v, v, imm12(r)));
		if (pick(r, 4))
			put32(it, enc_j(0, 4));
		put32(it, enc_r(0x2f, f3, (0x03 << 2) | aqrl, rd_any(r), rt, v));
		break;
	case 1: { /* an AMO */
		static const uint8_t f5[] = {0x00, 0x01, 0x04, 0x0c, 0x08, 0x10, 0x14, 0x18, 0x1c};
		put32(it, enc_i(0x13, 0, rt, 28, off));
		put32(it, enc_r(0x2f, f3, (f5[pick(r, NELEM(f5))] << 2) | aqrl, rd_any(r), rt,
				rs_any(r)));
		break;
	}
	case 2: /* load; change; [split]; store: a lost update when split */
		put32(it, enc_i(0x03, f3, v, 28, off));
		put32(it, enc_i(0x13, pick(r, 2) ? 0 : 4, v, v, imm12(r)));
		if (pick(r, 4))
			put32(it, enc_j(0, 4));
		put32(it, enc_s(0x23, f3, 28, v, off));
		break;
	default: /* a plain store or load */
		if (pick(r, 2))
			put32(it, enc_s(0x23, f3, 28, rs_any(r), off));
		else
			put32(it, enc_i(0x03, f3, rd_any(r), 28, off));
		break;
	}
}

/* Building a program: items are appended to p, for one hart at a time. */
struct builder {
	struct rvgen_rng *r;
	struct rvgen_program *p;
	unsigned hart;
	unsigned first; /* the hart's first item */
};

static struct rvgen_item *add_item(struct builder *b)
{
	struct rvgen_item *it = &b->p->item[b->p->n++];
	memset(it, 0, sizeof(*it));
	it->hart = (uint8_t)b->hart;
	return it;
}

/* The link register of a FIX_FUNC item: its return's rs1. */
static unsigned func_link(const struct rvgen_item *it)
{
	const unsigned last = it->n - 1;
	if (it->len[last] == 2)
		return (it->word[last] >> 7) & 31; /* c.jr */
	return (it->word[last] >> 15) & 31;	   /* jalr x0, 0(link) */
}

/* A call of item f's function; false when it would write a kept register. */
static bool gen_call(struct builder *b, unsigned f)
{
	struct rvgen_rng *r = b->r;
	const unsigned link = func_link(&b->p->item[f]);
	if (r->keep >> link & 1)
		return false;
	struct rvgen_item *it = add_item(b);
	if (pick(r, 2)) {
		put32(it, enc_j(link, 0));
	} else { /* auipc rt; jalr link, rt: rt is often the link (as `call`) */
		const unsigned rt = pick(r, 2) ? link : rd_nz(r);
		put32(it, enc_u(0x17, rt, 0));
		put32(it, enc_i(0x67, 0, link, rt, 0));
	}
	it->fix = FIX_CALL;
	it->to = (int16_t)((int)f - (int)(b->p->n - 1));
	return true;
}

/* Loop counters: no function body writes them, so a loop that calls a
 * function still ends. */
#define LOOP_COUNTERS (1u << 18 | 1u << 19 | 1u << 20 | 1u << 21)

/* A function: jump over the body, the body (which keeps its link
 * register and the loop counters), the return. */
static void gen_func(struct builder *b, unsigned link)
{
	struct rvgen_rng *r = b->r;
	struct rvgen_item *it = add_item(b);
	put32(it, enc_j(0, 0));
	it->fix = FIX_FUNC;
	const uint32_t keep = r->keep;
	r->keep |= 1u << link | LOOP_COUNTERS;
	const unsigned want = 1 + pick(r, 8);
	for (unsigned i = 0; i < want; i++) {
		struct rvgen_item t = {0};
		gen_straight(r, &t);
		if (it->n + t.n + 1 > RVGEN_ITEM_WORDS)
			break;
		for (unsigned k = 0; k < t.n; k++)
			put(it, t.word[k], t.len[k]);
	}
	r->keep = keep;
	if (pick(r, 2))
		put16(it, 0x8002 | link << 7); /* c.jr link */
	else
		put32(it, enc_i(0x67, 0, 0, link, 0)); /* jalr x0, 0(link) */
}

/* A call of a function defined earlier by this hart, if there is one. */
static bool call_earlier(struct builder *b)
{
	unsigned funcs[RVGEN_MAX_ITEMS], nf = 0;
	for (unsigned i = b->first; i < b->p->n; i++)
		if (b->p->item[i].fix == FIX_FUNC)
			funcs[nf++] = i;
	return nf && gen_call(b, funcs[pick(b->r, nf)]);
}

/* A call of an earlier function of this hart, or of one defined right
 * after it (a few items on), or a new function and no call yet. */
static void gen_calls(struct builder *b, unsigned room)
{
	struct rvgen_rng *r = b->r;
	struct rvgen_program *p = b->p;
	if (pick(r, 3) && call_earlier(b))
		return;
	const unsigned link = pick(r, 2) ? 1 : rd_nz(r);
	if ((r->keep >> link & 1) || room < 2 || pick(r, 2)) {
		gen_func(b, rd_nz(r));
		return;
	}
	/* Forward: the call, up to two items, the function. */
	const unsigned call = p->n;
	put32(add_item(b), enc_j(link, 0));
	p->item[call].fix = FIX_CALL;
	for (unsigned k = pick(r, 3); k && room > 2; k--, room--)
		gen_straight(r, add_item(b));
	p->item[call].to = (int16_t)(p->n - call);
	gen_func(b, link);
}

/* A bounded loop: counter = N; body items; the back edge (rvgen.h). A
 * polling loop's body only loads and computes, and it runs long enough
 * (64 or more iterations) to reach hart_spin_wait's yield. */
static void gen_loop(struct builder *b, unsigned room, bool polling)
{
	struct rvgen_rng *r = b->r;
	const unsigned cnt = 18 + pick(r, 4);
	const unsigned n = polling ? 64 + pick(r, 64) : 1 + pick(r, pick(r, 2) ? 8 : 127);
	struct rvgen_item *it = add_item(b);
	if (n < 32 && pick(r, 2))
		put16(it, 0x4001 | cnt << 7 | n << 2); /* c.li cnt, n */
	else
		put32(it, enc_i(0x13, 0, cnt, 0, (int32_t)n));
	const uint32_t keep = r->keep, prefer = r->prefer;
	r->keep |= 1u << cnt;
	r->prefer = working_set(r);
	unsigned body = 1 + pick(r, polling ? 3 : 5);
	if (body > room - 2)
		body = room - 2;
	for (unsigned i = 0; i < body; i++) {
		if (!polling && !pick(r, 8) && call_earlier(b))
			continue;
		it = add_item(b);
		if (polling) {
			if (i == 0)
				gen_base_load(r, it, rd_any(r));
			for (unsigned k = 1 + pick(r, 4); k; k--)
				if (it->n + 2 <= RVGEN_ITEM_WORDS)
					gen_poll_op(r, it);
			continue;
		}
		const unsigned kind = pick(r, 16);
		if (b->p->race && kind >= 12) {
			gen_race(r, it);
			continue;
		}
		switch (kind) {
		case 0:
			gen_smc(r, it, false);
			break;
		case 1:
			gen_jump_table(r, it, pick(r, 2) ? cnt : rs_any(r));
			break;
		case 2:
		case 3:
			gen_plain(r, it);
			break;
		case 4:
		case 5:
			/* A branch or jump forward inside the loop (or out of
			 * it): the translator makes such loops one region. */
			gen_control(r, it);
			break;
		default:
			for (unsigned k = 1 + pick(r, 4); k; k--)
				if (it->n + 6 <= RVGEN_ITEM_WORDS)
					gen_straight(r, it);
			break;
		}
	}
	r->keep = keep;
	r->prefer = prefer;
	it = add_item(b);
	if (pick(r, 2))
		put16(it, 0x1001 | cnt << 7 | 0x1f << 2); /* c.addi cnt, -1 */
	else
		put32(it, enc_i(0x13, 0, cnt, cnt, -1));
	put32(it, enc_i(0x13, 7, cnt, cnt, 127)); /* andi: at most 128 iterations */
	switch (pick(r, 4)) {			  /* while cnt != 0 */
	case 0:
		put32(it, enc_b(1, cnt, 0, 0)); /* bne cnt, x0 */
		break;
	case 1:
		put32(it, enc_b(1, 0, cnt, 0)); /* bne x0, cnt */
		break;
	case 2:
		put32(it, enc_b(4, 0, cnt, 0)); /* blt x0, cnt */
		break;
	default:
		put32(it, enc_b(6, 0, cnt, 0)); /* bltu x0, cnt */
		break;
	}
	it->fix = FIX_BACK;
	it->to = (int16_t)-body;
}

/* The end of a phase (several harts): hand TURN on, take the next ticket
 * (own + number of harts) and poll TURN until it comes up. The poll's body
 * recomputes the same values every iteration (its sources are registers
 * it does not write, or wrote earlier in the same iteration), so how long
 * it polls does not show in the final state. x31 = &TURN, x29 = ticket. */
static void gen_sync(struct builder *b)
{
	struct rvgen_rng *r = b->r;
	struct rvgen_item *it = add_item(b);
	const int32_t mine = RVGEN_TICKET_OFF + 8 * (int32_t)b->hart;
	const unsigned got = rd_nz(r);
	it->fix = FIX_SYNC;
	put32(it, enc_u(0x17, 31, 0));	      /* auipc x31 (layout) */
	put32(it, enc_i(0x13, 0, 31, 31, 0)); /* addi x31 (layout) */
	/* The ticket first: once TURN moves on, the page holds only final
	 * values (the other harts' wait loops read it). */
	put32(it, 0x0ff0000f);			 /* fence */
	put32(it, enc_i(0x03, 2, 29, 31, mine)); /* lw x29, ticket */
	put32(it, enc_i(0x13, 0, 29, 29, (int32_t)b->p->nharts));
	put32(it, enc_s(0x23, 2, 31, 29, mine)); /* sw x29, ticket */
	put32(it, enc_i(0x03, 2, got, 31, 0));	 /* lw got, TURN */
	put32(it, enc_i(0x13, 0, got, got, 1));	 /* addi got, got, 1 */
	put32(it, enc_s(0x23, 2, 31, got, 0));	 /* sw got, TURN */
	const unsigned head = it->n;
	put32(it, enc_i(0x03, 2, got, 31, 0)); /* lw got, TURN */
	uint32_t written = 0, done = 1u << got;
	for (unsigned i = 1 + pick(r, 6); i; i--)
		written |= 1u << rd_nz(r);
	written &= ~(1u << got);
	/* A store of an unchanging value makes it a plain loop (no spin-wait). */
	const bool store = pick(r, 2);
	for (unsigned i = pick(r, 9); i; i--) {
		if (!written)
			break;
		const unsigned rd = pick_in(r, written);
		const uint32_t from = ~written | done;
		switch (pick(r, 4)) {
		case 0: { /* not the shifts: their immediates may be illegal */
			static const uint8_t f3[] = {0, 2, 3, 4, 6, 7};
			put32(it,
			      enc_i(0x13, f3[pick(r, NELEM(f3))], rd, pick_in(r, from), imm12(r)));
			break;
		}
		case 1: {
			static const uint8_t f7[] = {0, 0x20, 1};
			const unsigned k = pick(r, 3);
			put32(it, enc_r(0x33, k == 1 ? 0 : pick(r, 8), f7[k], rd, pick_in(r, from),
					pick_in(r, from)));
			break;
		}
		case 2:
			put32(it, enc_u(pick(r, 2) ? 0x37 : 0x17, rd, (uint32_t)next64(r)));
			break;
		default:
			if (pick(r, 4))
				gen_base_load(r, it, rd);
			else /* from the TURN page */
				put32(it,
				      enc_i(0x03, pick(r, 7), rd, 31, (int32_t)pick(r, 16) * 8));
			break;
		}
		done |= 1u << rd;
	}
	if (store)
		put32(it, enc_s(0x23, 3, 31, 29, 128 + mine)); /* sd x29 */
	put32(it, enc_b(1, got, 29, -4 * (int32_t)(it->n - head)));
}

/* Items of the current hart until p->n reaches `end`. */
static void gen_items(struct builder *b, unsigned end)
{
	struct rvgen_rng *r = b->r;
	struct rvgen_program *p = b->p;
	while (p->n < end) {
		const unsigned room = end - p->n;
		const unsigned kind = pick(r, 24);
		if (kind < 2 && room >= 3)
			gen_loop(b, room, kind == 1);
		else if (kind == 2)
			gen_calls(b, room);
		else if (kind == 3)
			gen_jump_table(r, add_item(b), rs_any(r));
		else if (p->race && kind >= 16)
			gen_race(r, add_item(b));
		else
			gen_plain(r, add_item(b));
	}
}

void rvgen_initial_state(uint64_t seed, struct rvgen_program *p)
{
	p->state_seed = seed;
	for (unsigned h = 0; h < RVGEN_MAX_HARTS; h++) {
		struct rvgen_hart_state *s = &p->hart[h];
		struct rvgen_rng r;
		rvgen_rng_seed(&r, (seed ^ 0x5eedULL) + h * 0x9e3779b97f4a7c15ULL);
		for (unsigned i = 0; i < 32; i++) {
			s->x[i] = i ? pick_value(&r) : 0;
			s->f[i] = pick(&r, 4) ? fp_values[pick(&r, NELEM(fp_values))] : next64(&r);
		}
		s->frm = (uint8_t)pick(&r, 5);
		s->fs_off = pick(&r, 16) == 0;
		if (h == 0)
			p->data_seed = (uint32_t)next64(&r);
	}
}

uint64_t rvgen_data_value(struct rvgen_rng *r)
{
	return pick(r, 2) ? fp_values[pick(r, NELEM(fp_values))] : next64(r);
}

void rvgen_generate(struct rvgen_rng *r, struct rvgen_program *p, unsigned max_items)
{
	memset(p, 0, sizeof(*p));
	rvgen_initial_state(next64(r) >> 1, p);
	p->nharts = pick(r, 4) ? 1 : 2 + pick(r, RVGEN_MAX_HARTS - 1);
	if (r->user)
		p->nharts = 1;
	p->threaded = pick(r, 2);
	if (p->nharts > 1) {
		/* Short quanta switch harts often; 256 is the interpreter's. */
		static const unsigned quanta[] = {1, 1, 2, 3, 5, 8, 13, 64, 256};
		p->quantum = quanta[pick(r, NELEM(quanta))];
		p->race = pick(r, 3) != 0;
	}
	if (r->oracle) {
		/* An outside machine runs its harts its own way: only phased
		 * programs end the same whatever the schedule (rvgen.h). */
		p->oracle = true;
		p->threaded = p->race = false;
		p->quantum = 0;
	}
	const unsigned syncs = p->nharts > 1 && !p->race ? pick(r, 4) : 0;
	if (max_items > RVGEN_MAX_ITEMS - syncs * p->nharts)
		max_items = RVGEN_MAX_ITEMS - syncs * p->nharts;
	const unsigned total = 1 + pick(r, max_items);
	struct builder b = {.r = r, .p = p};
	for (unsigned h = 0; h < p->nharts; h++) {
		b.hart = h;
		b.first = p->n;
		/* The last hart takes what the others left. */
		const unsigned left = total - (p->n - h * syncs);
		const unsigned mine = h + 1 == p->nharts ? left : total / p->nharts;
		unsigned end = p->n;
		for (unsigned phase = 0; phase <= syncs; phase++) {
			end += mine / (syncs + 1) + (phase == syncs ? mine % (syncs + 1) : 0);
			gen_items(&b, end);
			end = p->n;
			if (phase < syncs)
				gen_sync(&b);
			end = p->n;
		}
	}
}
