/*
 * Random RV64GC programs, run translated and interpreted, compared
 * (see rvgen.h for the memory layout and the register conventions).
 */
#include "rvgen.h"
#include "core/machine.h"
#include "devices/syscon.h"
#include "jit/jit.h"
#include <inttypes.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#define RAM_BASE     0x80000000ULL
#define RAM_SIZE     (1u << 20)
#define HANDLER_PA   RAM_BASE
#define BODY_PA	     (RAM_BASE + 0x1000)
#define SCRATCH_PA   (RAM_BASE + 0x10000)
#define SCRATCH_SIZE 0x4000
#define RECORD_PA    (RAM_BASE + 0x20000)
#define RECORD_SIZE  0x8000
#define RUN_QUANTA   2000 /* a program that does not finish by then is a hang */

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
static unsigned rd_any(struct rvgen_rng *r)
{
	return writable[pick(r, NELEM(writable))];
}
static unsigned rd_nz(struct rvgen_rng *r)
{
	return writable[1 + pick(r, NELEM(writable) - 1)];
}
static unsigned rs_any(struct rvgen_rng *r)
{
	return pick(r, 32);
}
/* x9..x15, the RVC registers the program may write (x8 is a base). */
static unsigned rc_w(struct rvgen_rng *r)
{
	return 9 + pick(r, 7);
}

static int32_t imm12(struct rvgen_rng *r)
{
	static const int32_t edge[] = {0, 1, -1, 2047, -2048, 0x7ff, 31, 32, 63, 8, -8};
	if (pick(r, 2))
		return edge[pick(r, NELEM(edge))];
	return (int32_t)pick(r, 4096) - 2048;
}

/* --- Encoders (unprivileged spec chapter 34, RVC chapter 16) ---------- */

static uint32_t enc_r(unsigned opc, unsigned f3, unsigned f7, unsigned rd, unsigned rs1,
		      unsigned rs2)
{
	return f7 << 25 | (rs2 & 31) << 20 | (rs1 & 31) << 15 | f3 << 12 | (rd & 31) << 7 | opc;
}
static uint32_t enc_i(unsigned opc, unsigned f3, unsigned rd, unsigned rs1, int32_t imm)
{
	return ((uint32_t)imm & 0xfff) << 20 | (rs1 & 31) << 15 | f3 << 12 | (rd & 31) << 7 | opc;
}
static uint32_t enc_s(unsigned opc, unsigned f3, unsigned rs1, unsigned rs2, int32_t imm)
{
	const uint32_t u = (uint32_t)imm & 0xfff;
	return (u >> 5) << 25 | (rs2 & 31) << 20 | (rs1 & 31) << 15 | f3 << 12 | (u & 31) << 7 |
	       opc;
}
static uint32_t enc_b(unsigned f3, unsigned rs1, unsigned rs2, int32_t off)
{
	const uint32_t u = (uint32_t)off;
	return ((u >> 12) & 1) << 31 | ((u >> 5) & 0x3f) << 25 | (rs2 & 31) << 20 |
	       (rs1 & 31) << 15 | f3 << 12 | ((u >> 1) & 0xf) << 8 | ((u >> 11) & 1) << 7 | 0x63;
}
static uint32_t enc_u(unsigned opc, unsigned rd, uint32_t imm20)
{
	return (imm20 & 0xfffff) << 12 | (rd & 31) << 7 | opc;
}
static uint32_t enc_j(unsigned rd, int32_t off)
{
	const uint32_t u = (uint32_t)off;
	return ((u >> 20) & 1) << 31 | ((u >> 1) & 0x3ff) << 21 | ((u >> 11) & 1) << 20 |
	       ((u >> 12) & 0xff) << 12 | (rd & 31) << 7 | 0x6f;
}
static uint32_t enc_r4(unsigned opc, unsigned fmt, unsigned rm, unsigned rd, unsigned rs1,
		       unsigned rs2, unsigned rs3)
{
	return rs3 << 27 | fmt << 25 | rs2 << 20 | rs1 << 15 | rm << 12 | rd << 7 | opc;
}
static uint32_t enc_cj(int32_t off)
{
	const uint32_t u = (uint32_t)off;
	return 0xa001 | ((u >> 11) & 1) << 12 | ((u >> 4) & 1) << 11 | ((u >> 8) & 3) << 9 |
	       ((u >> 10) & 1) << 8 | ((u >> 6) & 1) << 7 | ((u >> 7) & 1) << 6 |
	       ((u >> 1) & 7) << 3 | ((u >> 5) & 1) << 2;
}
static uint32_t enc_cb(bool bnez, unsigned rs1, int32_t off)
{
	const uint32_t u = (uint32_t)off;
	return (bnez ? 0xe001u : 0xc001u) | ((u >> 8) & 1) << 12 | ((u >> 3) & 3) << 10 |
	       ((rs1 - 8) & 7) << 7 | ((u >> 6) & 3) << 5 | ((u >> 1) & 3) << 3 |
	       ((u >> 5) & 1) << 2;
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

static void gen_int(struct rvgen_rng *r, struct rvgen_item *it)
{
	switch (pick(r, 6)) {
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
	switch (pick(r, 5)) {
	case 0:
	case 1: { /* loads: lb lh lw ld lbu lhu lwu */
		static const uint8_t f3[] = {0, 1, 2, 3, 4, 5, 6};
		put32(it, enc_i(0x03, f3[pick(r, 7)], rd_any(r), base, imm));
		break;
	}
	case 2: /* stores */
		put32(it, enc_s(0x23, pick(r, 4), base, rs_any(r), imm));
		break;
	case 3: /* FP loads and stores */
		if (pick(r, 2))
			put32(it, enc_i(0x07, pick(r, 2) ? 2 : 3, pick(r, 32), base, imm));
		else
			put32(it, enc_s(0x27, pick(r, 2) ? 2 : 3, base, pick(r, 32), imm));
		break;
	default: { /* AMO / LR / SC on an aligned (sometimes misaligned) address */
		const unsigned rt = rd_nz(r);
		int32_t off = (int32_t)(pick(r, 64) * 8) - 256;
		if (!pick(r, 8))
			off += (int32_t)(1 + pick(r, 7));
		put32(it, enc_i(0x13, 0, rt, 28, off));
		static const uint8_t f5[] = {0x00, 0x01, 0x04, 0x0c, 0x08, 0x10,
					     0x14, 0x18, 0x1c, 0x02, 0x03};
		const unsigned k = f5[pick(r, NELEM(f5))];
		const unsigned f3 = pick(r, 2) ? 2 : 3, aqrl = pick(r, 4);
		if (k == 0x02) { /* lr, then usually sc to the same address */
			put32(it, enc_r(0x2f, f3, (k << 2) | aqrl, rd_any(r), rt, 0));
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

static void gen_fp(struct rvgen_rng *r, struct rvgen_item *it)
{
	const unsigned fmt = pick(r, 2); /* 0 = S, 1 = D */
	const unsigned fd = pick(r, 32), f1 = pick(r, 32), f2 = pick(r, 32);
	switch (pick(r, 10)) {
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
	case 5: /* fcvt.s.d / fcvt.d.s */
		put32(it, enc_r(0x53, pick_rm(r), (0x08 << 2) | fmt, fd, f1, fmt ? 0 : 1));
		break;
	case 6: /* fcvt.{w,wu,l,lu}.{s,d} */
		put32(it, enc_r(0x53, pick_rm(r), (0x18 << 2) | fmt, rd_any(r), f1, pick(r, 4)));
		break;
	case 7: /* fcvt.{s,d}.{w,wu,l,lu} */
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
	default: /* fmv.{w,d}.x */
		put32(it, enc_r(0x53, 0, (0x1e << 2) | fmt, fd, rs_any(r), 0));
		break;
	}
}

static void gen_csr(struct rvgen_rng *r, struct rvgen_item *it)
{
	/* fflags frm fcsr mscratch minstret mcycle cycle instret, and two that
	 * trap when written (read-only counters). */
	static const uint16_t csrs[] = {0x001, 0x002, 0x003, 0x001, 0x002,
					0x340, 0xb02, 0xb00, 0xc00, 0xc02};
	const unsigned csr = csrs[pick(r, NELEM(csrs))];
	const unsigned f3 = 1 + pick(r, 3) + (pick(r, 2) ? 4 : 0);
	/* rs1 = x0 with csrrs/csrrc (a pure read) must not trap on read-only ones */
	const unsigned rs1 = (f3 & 4) ? pick(r, 32) : (pick(r, 3) ? rs_any(r) : 0);
	put32(it, enc_i(0x73, f3, rd_any(r), rs1, (int32_t)csr));
}

static void gen_rvc(struct rvgen_rng *r, struct rvgen_item *it)
{
	const unsigned rd = rd_nz(r), rc = rc_w(r), rs2 = 1 + pick(r, 31);
	const uint32_t imm6 = pick(r, 64);
	const uint32_t i5 = (imm6 >> 5) << 12, i40 = (imm6 & 31) << 2;
	switch (pick(r, 14)) {
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
	default:       /* c.beqz / c.bnez / c.j forward */
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

static void gen_system(struct rvgen_rng *r, struct rvgen_item *it)
{
	switch (pick(r, 6)) {
	case 0:
		put32(it, 0x00000073);
		break; /* ecall */
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
	default: {     /* self-modifying code: patch the slot after fence.i */
		const unsigned rt = rd_nz(r);
		unsigned rv = rd_nz(r);
		if (rv == rt)
			rv = rt == 1 ? 3 : 1;
		const uint32_t insn =
		    enc_i(0x13, pick(r, 2) ? 0 : 4, rd_any(r), rs_any(r), imm12(r));
		put32(it, enc_u(0x17, rt, 0));					/* auipc rt, 0 */
		put32(it, enc_u(0x37, rv, (insn + 0x800) >> 12));		/* lui rv */
		put32(it, enc_i(0x1b, 0, rv, rv, (int32_t)(insn << 20) >> 20)); /* addiw rv */
		put32(it, enc_s(0x23, 2, rt, rv, 20));				/* sw rv, 20(rt) */
		put32(it, 0x0000100f);						/* fence.i */
		put32(it, 0x00000013);						/* slot: nop */
		break;
	}
	}
}

void rvgen_initial_state(uint64_t seed, struct rvgen_program *p)
{
	struct rvgen_rng r;
	rvgen_rng_seed(&r, seed ^ 0x5eedULL);
	p->state_seed = seed;
	for (unsigned i = 0; i < 32; i++) {
		p->x[i] = i ? pick_value(&r) : 0;
		p->f[i] = pick(&r, 4) ? fp_values[pick(&r, NELEM(fp_values))] : next64(&r);
	}
	p->frm = (uint8_t)pick(&r, 5);
	p->fs_off = pick(&r, 16) == 0;
	p->data_seed = (uint32_t)next64(&r);
}

void rvgen_generate(struct rvgen_rng *r, struct rvgen_program *p, unsigned max_items)
{
	memset(p, 0, sizeof(*p));
	rvgen_initial_state(next64(r) >> 1, p);
	if (max_items > RVGEN_MAX_ITEMS)
		max_items = RVGEN_MAX_ITEMS;
	p->n = 1 + pick(r, max_items);
	for (unsigned i = 0; i < p->n; i++) {
		struct rvgen_item *it = &p->item[i];
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
}

/* --- Layout and running ------------------------------------------------- */

static unsigned item_bytes(const struct rvgen_item *it)
{
	unsigned n = 0;
	for (unsigned k = 0; k < it->n; k++)
		n += it->len[k];
	return n;
}

/* Resolve the forward branches and write the code; returns its size. */
static size_t layout(const struct rvgen_program *p, uint8_t *code, struct rvgen_item *resolved)
{
	uint32_t start[RVGEN_MAX_ITEMS + 1];
	uint32_t at = 0;
	for (unsigned i = 0; i < p->n; i++) {
		start[i] = at;
		at += item_bytes(&p->item[i]);
	}
	start[p->n] = at;
	size_t pos = 0;
	for (unsigned i = 0; i < p->n; i++) {
		struct rvgen_item it = p->item[i];
		unsigned t = i + 1 + it.skip;
		if (t > p->n)
			t = p->n;
		const unsigned last = it.n - 1;
		const int32_t from_last =
		    (int32_t)(start[t] - (start[i] + item_bytes(&it) - it.len[last]));
		switch (it.fix) {
		case FIX_B:
			it.word[last] = enc_b((it.word[last] >> 12) & 7, (it.word[last] >> 15) & 31,
					      (it.word[last] >> 20) & 31, from_last);
			break;
		case FIX_JAL:
			it.word[last] = enc_j((it.word[last] >> 7) & 31, from_last);
			break;
		case FIX_JALR:
			it.word[1] =
			    (it.word[1] & 0xfffff) | ((uint32_t)(start[t] - start[i]) << 20);
			break;
		case FIX_CB:
			it.word[last] = enc_cb((it.word[last] >> 13) == 7,
					       8 + ((it.word[last] >> 7) & 7), from_last);
			break;
		case FIX_CJ:
			it.word[last] = enc_cj(from_last);
			break;
		}
		it.fix = FIX_NONE;
		if (resolved)
			resolved[i] = it;
		for (unsigned k = 0; k < it.n; k++) {
			memcpy(code + pos, &it.word[k], it.len[k]);
			pos += it.len[k];
		}
	}
	/* The end: tell the test finisher we are done, then wait. */
	static const uint32_t tail[] = {
	    0x00100fb7, /* lui x31, 0x100 */
	    0x00005eb7, /* lui x29, 5 */
	    0x555e8e9b, /* addiw x29, x29, 0x555 */
	    0x01dfa023, /* sw x29, 0(x31) */
	    0x0000006f, /* j . */
	};
	memcpy(code + pos, tail, sizeof(tail));
	return pos + sizeof(tail);
}

static const uint32_t handler[] = {
    0x34202ff3, /* csrr x31, mcause */
    0x01ff3023, /* sd x31, 0(x30) */
    0x34102ff3, /* csrr x31, mepc */
    0x01ff3423, /* sd x31, 8(x30) */
    0x34302ff3, /* csrr x31, mtval */
    0x01ff3823, /* sd x31, 16(x30) */
    0x018f0f13, /* addi x30, x30, 24 */
    0x34102ef3, /* csrr x29, mepc */
    0x000edf83, /* lhu x31, 0(x29) */
    0x003fff93, /* andi x31, x31, 3 */
    0xffdf8f93, /* addi x31, x31, -3 */
    0x002e8e93, /* addi x29, x29, 2 */
    0x000f9463, /* bnez x31, +8 */
    0x002e8e93, /* addi x29, x29, 2 */
    0x341e9073, /* csrw mepc, x29 */
    0x30200073, /* mret */
};

struct outcome {
	struct hart h; /* copied out, up to the TLB */
	enum machine_stop stop;
	bool hung;
	uint8_t scratch[SCRATCH_SIZE];
	uint8_t records[RECORD_SIZE];
	uint8_t code[0x4000];
};

static bool run(const struct rvgen_program *p, bool jit, struct outcome *o)
{
	struct machine *m = machine_new(RAM_BASE, RAM_SIZE, 1, BODY_PA);
	if (!m || !syscon_add(m, 0x100000))
		return false;
	memcpy(m->ram + (HANDLER_PA - RAM_BASE), handler, sizeof(handler));
	layout(p, m->ram + (BODY_PA - RAM_BASE), NULL);
	uint8_t *scratch = m->ram + (SCRATCH_PA - RAM_BASE);
	struct rvgen_rng r;
	rvgen_rng_seed(&r, p->data_seed);
	for (unsigned i = 0; i < SCRATCH_SIZE; i += 8) {
		const uint64_t v = pick(&r, 2) ? fp_values[pick(&r, NELEM(fp_values))] : next64(&r);
		memcpy(scratch + i, &v, 8);
	}
	struct hart *h = m->harts[0];
	memcpy(h->x, p->x, sizeof(p->x));
	h->x[0] = 0;
	h->x[2] = SCRATCH_PA + 0x1000;
	h->x[8] = SCRATCH_PA + 0x3000;
	h->x[28] = SCRATCH_PA + 0x2000;
	h->x[30] = RECORD_PA;
	memcpy(h->f, p->f, sizeof(p->f));
	h->frm = p->frm;
	h->mtvec = HANDLER_PA;
	h->mstatus = (h->mstatus & ~MSTATUS_FS) | (p->fs_off ? 0 : (1ULL << 13));
	hart_update_mode(h);
	if (jit) {
		const struct jit_options jo = {.code_size = 2u << 20};
		if (!jit_attach(m, &jo)) {
			machine_free(m);
			return false;
		}
	}
	unsigned q;
	for (q = 0; q < RUN_QUANTA && !atomic_load(&m->stop) && !h->wfi; q++) {
		if (m->run_hart)
			m->run_hart(h);
		else
			interp_run_hart(h);
		if (h->x[30] >= RECORD_PA + RECORD_SIZE - 64)
			break; /* a trap storm: stop before the records overflow */
	}
	o->hung = q == RUN_QUANTA;
	o->stop = (enum machine_stop)atomic_load(&m->stop);
	memcpy(&o->h, h, offsetof(struct hart, tlb));
	memcpy(o->scratch, scratch, SCRATCH_SIZE);
	memcpy(o->records, m->ram + (RECORD_PA - RAM_BASE), RECORD_SIZE);
	memcpy(o->code, m->ram + (BODY_PA - RAM_BASE), sizeof(o->code));
	jit_detach(m);
	machine_free(m);
	return true;
}

/* The translated run happens in a child process, so a host crash in
 * generated code is a finding (and minimisable) rather than the end. */
bool rvgen_fork_translated = true;

static int run_translated(const struct rvgen_program *p, struct outcome *shared)
{
	if (!rvgen_fork_translated)
		return run(p, true, shared) ? 0 : -1;
	fflush(NULL);
	const pid_t pid = fork();
	if (pid < 0)
		return run(p, true, shared) ? 0 : -1;
	if (pid == 0)
		_exit(run(p, true, shared) ? 0 : 3);
	int status;
	if (waitpid(pid, &status, 0) != pid)
		return -1;
	if (WIFSIGNALED(status))
		return WTERMSIG(status);
	return WEXITSTATUS(status) ? -1 : 0;
}

bool rvgen_check(const struct rvgen_program *p, FILE *out)
{
	static struct outcome *shared; /* the child's result */
	static __thread struct outcome b;
	if (!shared) {
		shared = mmap(NULL, sizeof(*shared), PROT_READ | PROT_WRITE,
			      MAP_SHARED | MAP_ANONYMOUS, -1, 0);
		if (shared == MAP_FAILED) {
			shared = NULL;
			return true;
		}
	}
	const int sig = run_translated(p, shared);
	if (sig > 0) {
		if (out)
			fprintf(out, "  the translated run crashed the host (signal %d, %s)\n", sig,
				strsignal(sig));
		return false;
	}
	if (sig < 0 || !run(p, false, &b)) {
		if (out)
			fprintf(out, "rvgen: cannot create a machine\n");
		return true;
	}
	const struct outcome *const a = shared; /* not copied: h holds the whole TLB */
	if (getenv("RVGEN_VERBOSE"))
		fprintf(stderr,
			"rvgen: %u items, instret %" PRIu64 ", %" PRIu64 " traps, stop %d%s\n",
			p->n, b.h.instret, (uint64_t)((b.h.x[30] - RECORD_PA) / 24), (int)b.stop,
			b.hung ? " (hung)" : "");
	unsigned diffs = 0;
#define CMP(fmt, idx, field)                                                                       \
	do {                                                                                       \
		if (a->field != b.field) {                                                         \
			diffs++;                                                                   \
			if (out)                                                                   \
				fprintf(out,                                                       \
					"  " fmt ": translated %#" PRIx64                          \
					", interpreted %#" PRIx64 "\n",                            \
					idx, (uint64_t)a->field, (uint64_t)b.field);               \
		}                                                                                  \
	} while (0)
	for (unsigned i = 0; i < 32; i++)
		CMP("x%u", i, h.x[i]);
	for (unsigned i = 0; i < 32; i++)
		CMP("f%u", i, h.f[i]);
	CMP("%s", "pc", h.pc);
	CMP("%s", "instret", h.instret);
	CMP("%s", "priv", h.priv);
	CMP("%s", "fflags", h.fflags);
	CMP("%s", "frm", h.frm);
	CMP("%s", "mstatus", h.mstatus);
	CMP("%s", "mscratch", h.mscratch);
	CMP("%s", "mepc", h.mepc);
	CMP("%s", "mcause", h.mcause);
	CMP("%s", "mtval", h.mtval);
	CMP("%s", "reserved", h.reserved);
	CMP("%s", "stop", stop);
	CMP("%s", "hung", hung);
#undef CMP
	const struct {
		const char *name;
		const uint8_t *x, *y;
		size_t n;
		uint64_t pa;
	} mems[] = {
	    {"scratch", a->scratch, b.scratch, SCRATCH_SIZE, SCRATCH_PA},
	    {"trap records", a->records, b.records, RECORD_SIZE, RECORD_PA},
	    {"code", a->code, b.code, sizeof(a->code), BODY_PA},
	};
	for (size_t k = 0; k < NELEM(mems); k++)
		for (size_t i = 0; i < mems[k].n; i += 8)
			if (memcmp(mems[k].x + i, mems[k].y + i, 8)) {
				uint64_t u, v;
				memcpy(&u, mems[k].x + i, 8);
				memcpy(&v, mems[k].y + i, 8);
				diffs++;
				if (out)
					fprintf(out,
						"  %s %#" PRIx64 ": translated %#" PRIx64
						", interpreted %#" PRIx64 "\n",
						mems[k].name, mems[k].pa + i, u, v);
			}
	return diffs == 0;
}

void rvgen_minimise(struct rvgen_program *p)
{
	/* ddmin-style: drop chunks of items, halving the chunk size down to
	 * single items. Branches keep counting items, so they stay forward. */
	struct rvgen_program work = *p;
	for (unsigned chunk = work.n / 2 ? work.n / 2 : 1; chunk >= 1; chunk /= 2) {
		for (unsigned start = 0; start < work.n;) {
			struct rvgen_program trial = work;
			const unsigned len = start + chunk <= work.n ? chunk : work.n - start;
			memmove(&trial.item[start], &trial.item[start + len],
				(work.n - start - len) * sizeof(trial.item[0]));
			trial.n -= len;
			if (trial.n && !rvgen_check(&trial, NULL))
				work = trial;
			else
				start += len;
		}
		if (chunk == 1)
			break;
	}
	*p = work;
}

void rvgen_print(FILE *out, uint64_t seed, const struct rvgen_program *p)
{
	static __thread uint8_t code[0x10000];
	static __thread struct rvgen_item items[RVGEN_MAX_ITEMS];
	layout(p, code, items);
	fprintf(out, "%" PRIu64, seed);
	for (unsigned i = 0; i < p->n; i++) {
		fputc(' ', out);
		for (unsigned k = 0; k < items[i].n; k++)
			fprintf(out, k ? ",%0*" PRIx32 : "%0*" PRIx32, items[i].len[k] * 2,
				items[i].word[k]);
	}
	fputc('\n', out);
}

bool rvgen_parse(const char *line, struct rvgen_program *p)
{
	char *end;
	memset(p, 0, sizeof(*p));
	const uint64_t seed = strtoull(line, &end, 10);
	if (end == line)
		return false;
	rvgen_initial_state(seed, p);
	const char *s = end;
	for (;;) {
		while (*s == ' ' || *s == '\t')
			s++;
		if (!*s || *s == '\n' || *s == '#')
			return true;
		if (p->n == RVGEN_MAX_ITEMS)
			return false;
		struct rvgen_item *it = &p->item[p->n++];
		for (;;) {
			const char *w = s;
			const unsigned long v = strtoul(w, &end, 16);
			const size_t digits = (size_t)(end - w);
			if ((digits != 4 && digits != 8) || it->n == RVGEN_ITEM_WORDS)
				return false;
			put(it, (uint32_t)v, (unsigned)digits / 2);
			s = end;
			if (*s != ',')
				break;
			s++;
		}
	}
}
