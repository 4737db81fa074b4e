/*
 * Bit manipulation: Zba, Zbb, Zbc, Zbs (RISC-V Bit-Manipulation ISA
 * extensions 1.0.0; the unprivileged spec's "B" chapter), Zbkb, Zbkc, Zbkx
 * (Scalar Cryptography 1.0.1) and Zicond (Integer Conditional Operations
 * 1.0). RV64 forms only; each body is the Operation of the instruction's
 * page in those documents, on 64-bit registers.
 *
 * The W forms work on the low 32 bits and sign-extend the 32-bit result,
 * the .uw forms zero-extend the low 32 bits of rs1 first (add.uw,
 * slli.uw). Immediates (shift amounts, bit indexes) arrive in op->imm.
 * The carry-less products and the crossbar permutations do not branch on
 * their operands (Zkt lists them among the instructions whose latency must
 * not depend on data).
 */
#include "hart.h"
#include "insn.h"

#define X(n)	(h->x[op->n])
#define SX32(v) ((uint64_t)(int64_t)(int32_t)(v))
#define ZX32(v) ((uint64_t)(uint32_t)(v))

#define ALU(name, expr)                                                                            \
	int exec_##name(struct hart *h, const struct op *op)                                       \
	{                                                                                          \
		const uint64_t a = X(rs1), b = X(rs2);                                             \
		const uint64_t imm = (uint64_t)op->imm;                                            \
		(void)a;                                                                           \
		(void)b;                                                                           \
		(void)imm;                                                                         \
		X(rd) = (expr);                                                                    \
		return EXEC_NEXT;                                                                  \
	}

/* clz/ctz of 0 are the operand width (bitmanip, clz: "if the input is 0,
 * the output is XLEN"; clzw, ctz, ctzw alike); the builtins leave 0
 * undefined. */
static uint64_t clz64(uint64_t v)
{
	return v ? (uint64_t)__builtin_clzll(v) : 64;
}

static uint64_t ctz64(uint64_t v)
{
	return v ? (uint64_t)__builtin_ctzll(v) : 64;
}

static uint64_t clz32(uint32_t v)
{
	return v ? (uint64_t)__builtin_clz(v) : 32;
}

static uint64_t ctz32(uint32_t v)
{
	return v ? (uint64_t)__builtin_ctz(v) : 32;
}

static uint64_t rol64(uint64_t v, unsigned n)
{
	n &= 63;
	return n ? v << n | v >> (64 - n) : v;
}

static uint64_t ror64(uint64_t v, unsigned n)
{
	n &= 63;
	return n ? v >> n | v << (64 - n) : v;
}

static uint32_t rol32(uint32_t v, unsigned n)
{
	n &= 31;
	return n ? v << n | v >> (32 - n) : v;
}

static uint32_t ror32(uint32_t v, unsigned n)
{
	n &= 31;
	return n ? v >> n | v << (32 - n) : v;
}

/* orc.b: each byte becomes 0xff if any of its bits is set, else 0x00. */
static uint64_t orc_b(uint64_t v)
{
	uint64_t r = 0;

	for (int i = 0; i < 64; i += 8)
		if ((v >> i) & 0xff)
			r |= (uint64_t)0xff << i;
	return r;
}

/* brev8: the bits of each byte reversed, the bytes in place. */
static uint64_t brev8(uint64_t v)
{
	v = (v & 0x5555555555555555ull) << 1 | (v >> 1 & 0x5555555555555555ull);
	v = (v & 0x3333333333333333ull) << 2 | (v >> 2 & 0x3333333333333333ull);
	v = (v & 0x0f0f0f0f0f0f0f0full) << 4 | (v >> 4 & 0x0f0f0f0f0f0f0f0full);
	return v;
}

/* Carry-less multiplication (bitmanip, clmul/clmulh/clmulr): the XOR of
 * rs1 << i for every bit i set in rs2. clmul keeps bits 63:0 of the
 * 128-bit product, clmulh bits 127:64, clmulr bits 126:63. */
static uint64_t clmul_lo(uint64_t a, uint64_t b)
{
	uint64_t r = 0;

	for (int i = 0; i < 64; i++)
		r ^= (a << i) & -((b >> i) & 1);
	return r;
}

static uint64_t clmul_hi(uint64_t a, uint64_t b)
{
	uint64_t r = 0;

	for (int i = 1; i < 64; i++)
		r ^= (a >> (64 - i)) & -((b >> i) & 1);
	return r;
}

static uint64_t clmul_rev(uint64_t a, uint64_t b)
{
	uint64_t r = 0;

	for (int i = 0; i < 64; i++)
		r ^= (a >> (63 - i)) & -((b >> i) & 1);
	return r;
}

/* xperm4/xperm8 (Zbkx): rd's element i is rs1's element rs2[i], or 0 when
 * that index is past the register (scalar crypto, "xperm4", "xperm8"). */
static uint64_t xperm(uint64_t a, uint64_t idx, unsigned sz_log2)
{
	const unsigned sz = 1u << sz_log2;
	const uint64_t mask = (1ull << sz) - 1;
	uint64_t r = 0;

	for (unsigned i = 0; i < 64; i += sz) {
		const uint64_t pos = ((idx >> i) & mask) << sz_log2;
		const uint64_t in_range = -(uint64_t)(pos < 64);
		r |= ((a >> (pos & 63)) & mask & in_range) << i;
	}
	return r;
}

/* Zba: address generation. */
ALU(sh1add, (a << 1) + b)
ALU(sh2add, (a << 2) + b)
ALU(sh3add, (a << 3) + b)
ALU(add_uw, ZX32(a) + b)
ALU(sh1add_uw, (ZX32(a) << 1) + b)
ALU(sh2add_uw, (ZX32(a) << 2) + b)
ALU(sh3add_uw, (ZX32(a) << 3) + b)
ALU(slli_uw, ZX32(a) << (imm & 63))

/* Zbb: basic bit manipulation (andn, orn, xnor, rol, ror, rori, rev8 also
 * Zbkb). */
ALU(andn, a & ~b)
ALU(orn, a | ~b)
ALU(xnor, ~(a ^ b))
ALU(clz, clz64(a))
ALU(clzw, clz32((uint32_t)a))
ALU(ctz, ctz64(a))
ALU(ctzw, ctz32((uint32_t)a))
ALU(cpop, (uint64_t)__builtin_popcountll(a))
ALU(cpopw, (uint64_t)__builtin_popcount((uint32_t)a))
ALU(max, (int64_t)a < (int64_t)b ? b : a)
ALU(maxu, a < b ? b : a)
ALU(min, (int64_t)a < (int64_t)b ? a : b)
ALU(minu, a < b ? a : b)
ALU(sext_b, (uint64_t)(int64_t)(int8_t)a)
ALU(sext_h, (uint64_t)(int64_t)(int16_t)a)
ALU(zext_h, (uint64_t)(uint16_t)a)
ALU(rol, rol64(a, (unsigned)b))
ALU(rolw, SX32(rol32((uint32_t)a, (unsigned)b)))
ALU(ror, ror64(a, (unsigned)b))
ALU(rori, ror64(a, (unsigned)imm))
ALU(roriw, SX32(ror32((uint32_t)a, (unsigned)imm)))
ALU(rorw, SX32(ror32((uint32_t)a, (unsigned)b)))
ALU(orc_b, orc_b(a))
ALU(rev8, __builtin_bswap64(a))

/* Zbs: single-bit operations; the index is rs2 or shamt modulo 64. */
ALU(bclr, a & ~(1ull << (b & 63)))
ALU(bclri, a & ~(1ull << (imm & 63)))
ALU(bext, (a >> (b & 63)) & 1)
ALU(bexti, (a >> (imm & 63)) & 1)
ALU(binv, a ^ (1ull << (b & 63)))
ALU(binvi, a ^ (1ull << (imm & 63)))
ALU(bset, a | (1ull << (b & 63)))
ALU(bseti, a | (1ull << (imm & 63)))

/* Zbc (clmul, clmulh also Zbkc). */
ALU(clmul, clmul_lo(a, b))
ALU(clmulh, clmul_hi(a, b))
ALU(clmulr, clmul_rev(a, b))

/* Zbkb: pack the low halves of rs1 and rs2 (pack), their low bytes
 * zero-extended (packh), their low 16-bit halves sign-extended from 32
 * (packw); brev8. Zbkx: xperm4, xperm8. */
ALU(pack, ZX32(a) | b << 32)
ALU(packh, (a & 0xff) | (b & 0xff) << 8)
ALU(packw, SX32((a & 0xffff) | (b & 0xffff) << 16))
ALU(brev8, brev8(a))
ALU(xperm4, xperm(a, b, 2))
ALU(xperm8, xperm(a, b, 3))

/* Zicond: rd = 0 when rs2 is zero (eqz) or nonzero (nez), else rs1. */
ALU(czero_eqz, b == 0 ? 0 : a)
ALU(czero_nez, b != 0 ? 0 : a)
