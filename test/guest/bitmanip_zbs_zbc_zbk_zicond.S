# Zbs and Zbc (RISC-V bit-manipulation 1.0.0), Zbkb and Zbkx (scalar
# cryptography 1.0.1) and Zicond 1.0, every RV64 instruction, with values
# worked out from the instruction pages: single-bit operations on bit 63
# and with indexes past 63 (taken modulo 64), the carry-less products
# (including all-ones operands, whose products alternate bits), pack and
# packw's sign extension, brev8, the crossbar permutations with indexes out
# of range, czero with rs2 = x0 and rs1 = x0.
# args: -cpu max
#include "guest.h"
#include "alu_checks.h"

/* binutils 2.40 has no Zicond: czero.eqz/nez are OP, funct7 0000111,
 * funct3 101/111 (Zicond 1.0). */
#define CZERO_EQZ(rd, rs1, rs2) .insn r 0x33, 5, 7, rd, rs1, rs2
#define CZERO_NEZ(rd, rs1, rs2) .insn r 0x33, 7, 7, rd, rs1, rs2
#define TC(op, a, b, want, n) \
	li a1, a;             \
	li a2, b;             \
	op(a0, a1, a2);       \
	CHECK_EQ(a0, want, n)

#define INT64_MIN 0x8000000000000000
#define INT64_MAX 0x7fffffffffffffff

	.option arch, +zbs, +zbc, +zbkb, +zbkx
GUEST_START
	/* Zbs: the bit index is rs2 (or shamt) modulo 64 */
	T(bclr, -1, 63, INT64_MAX, 1)
	T(bclr, -1, 64, 0xfffffffffffffffe, 2)
	T(bclr, 0, 5, 0, 3)
	I(bclri, -1, 63, INT64_MAX, 4)
	I(bclri, 0x10, 4, 0, 5)
	T(bext, INT64_MIN, 63, 1, 6)
	T(bext, INT64_MIN, 127, 1, 7)
	T(bext, INT64_MAX, 63, 0, 8)
	T(bext, 4, 2, 1, 9)
	I(bexti, INT64_MIN, 63, 1, 10)
	I(bexti, -2, 0, 0, 11)
	I(bexti, 0x100000000, 32, 1, 12)
	T(binv, 0, 63, INT64_MIN, 13)
	T(binv, INT64_MIN, 63, 0, 14)
	I(binvi, 0xff, 0, 0xfe, 15)
	I(binvi, 0, 32, 0x100000000, 16)
	I(binvi, -1, 63, INT64_MAX, 17)
	T(bset, 0, 63, INT64_MIN, 18)
	T(bset, 0, 95, 0x80000000, 19) /* bit 31, not sign-extended */
	I(bseti, 0, 63, INT64_MIN, 20)
	I(bseti, 1, 0, 1, 21)
	I(bseti, 0, 31, 0x80000000, 22)

	/* Zbc: clmul = bits 63:0, clmulh = 127:64, clmulr = 126:63 of the
	 * 128-bit carry-less product. All ones times all ones: bit k of the
	 * product is the parity of the number of (i, k - i) pairs. */
	T(clmul, -1, -1, 0x5555555555555555, 30)
	T(clmulh, -1, -1, 0x5555555555555555, 31)
	T(clmulr, -1, -1, 0xaaaaaaaaaaaaaaaa, 32)
	T(clmul, 3, 3, 5, 33)
	T(clmul, 0x87, 0x0b, 0x5b1, 34)
	T(clmul, 0x0b, 0x87, 0x5b1, 35)
	T(clmul, INT64_MIN, 2, 0, 36)
	T(clmulh, INT64_MIN, 2, 1, 37)
	T(clmulr, INT64_MIN, 2, 2, 38)
	T(clmul, 0x1234, 0, 0, 39)
	T(clmulh, 0x123456789abcdef, 1, 0, 40)
	T(clmulr, INT64_MIN, 1, 1, 41)
	T(clmulh, -1, 2, 1, 42)
	T(clmulh, -1, INT64_MIN, INT64_MAX, 43)
	T(clmulr, -1, INT64_MIN, -1, 44)
	T(clmul, -1, INT64_MIN, INT64_MIN, 45)
	T(clmulh, INT64_MIN, INT64_MIN, 0x4000000000000000, 46)
	T(clmulr, INT64_MIN, INT64_MIN, INT64_MIN, 47)

	/* Zbkb: pack, packh, packw, brev8 */
	T(pack, 0xdeadbeef12345678, 0xcafebabe9abcdef0, 0x9abcdef012345678, 50)
	T(pack, -1, 0, 0xffffffff, 51)
	T(packh, 0x1234, 0x5678, 0x7834, 52)
	T(packh, -1, -1, 0xffff, 53)
	T(packw, 0x12345678, 0x9abcdef0, 0xffffffffdef05678, 54)
	T(packw, 0xffffffffffffffff, 0x7fff, 0x7fffffff, 55)
	li a1, 0xffffffffffff8000
	packw a0, a1, zero /* zext.h */
	CHECK_EQ(a0, 0x8000, 56)
	U(brev8, 0x0123456789abcdef, 0x80c4a2e691d5b3f7, 57)
	U(brev8, -1, -1, 58)
	U(brev8, 1, 0x80, 59)
	U(brev8, INT64_MIN, 0x0100000000000000, 60)

	/* Zbkx: rd's element i is rs1's element rs2[i], 0 past the register */
	T(xperm8, 0x8877665544332211, 0x0001020304050607, 0x1122334455667788, 70)
	T(xperm8, 0x8877665544332211, 0xff08090a00000000, 0x0000000011111111, 71)
	T(xperm8, 0x8877665544332211, 0x0707070707070707, 0x8888888888888888, 72)
	T(xperm4, 0x0123456789abcdef, 0x0123456789abcdef, 0xfedcba9876543210, 73)
	T(xperm4, 0x0123456789abcdef, 0, -1, 74)
	T(xperm4, 0xfedcba9876543210, 0x000000000000001f, 0x000000000000001f, 75)

	/* Zicond: rd = 0 if rs2 == 0 (eqz) / rs2 != 0 (nez), else rs1 */
	TC(CZERO_EQZ, 0x1234, 0, 0, 80)
	TC(CZERO_EQZ, 0x1234, 1, 0x1234, 81)
	TC(CZERO_EQZ, 0x1234, INT64_MIN, 0x1234, 82)
	TC(CZERO_NEZ, 0x1234, 0, 0x1234, 83)
	TC(CZERO_NEZ, 0x1234, -1, 0, 84)
	TC(CZERO_NEZ, -1, 0x100000000, 0, 85)
	li a1, 0x77
	li a0, 0x55
	CZERO_EQZ(a0, a1, zero) /* rs2 = x0: always zero */
	CHECK_EQ(a0, 0, 86)
	li a0, 0x55
	CZERO_NEZ(a0, a1, zero) /* rs2 = x0: always rs1 */
	CHECK_EQ(a0, 0x77, 87)
	li a2, 1
	li a0, 0x55
	CZERO_EQZ(a0, zero, a2) /* rs1 = x0: zero either way */
	CHECK_EQ(a0, 0, 88)
	li a0, 0x55
	CZERO_NEZ(a0, zero, zero)
	CHECK_EQ(a0, 0, 89)

	/* rd the same register as a source */
	li a1, 0x7
	li a2, 0x7
	clmul a2, a1, a2 /* 7 x 7 carry-less: 0b10101 */
	CHECK_EQ(a2, 0x15, 90)
	li a1, 1
	bset a1, a1, a1
	CHECK_EQ(a1, 3, 91)
	li a1, 5
	CZERO_NEZ(a1, a1, a1)
	CHECK_EQ(a1, 0, 92)
	li a1, 5
	CZERO_EQZ(a1, a1, a1)
	CHECK_EQ(a1, 5, 93)
	li a1, 0x0201
	xperm8 a1, a1, a1 /* bytes: [0] = a1[1] = 2, [1] = a1[2] = 0, rest a1[0] */
	CHECK_EQ(a1, 0x0101010101010002, 94)
	PASS

GUEST_DATA
