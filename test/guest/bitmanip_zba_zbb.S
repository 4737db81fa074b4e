# Zba and Zbb (RISC-V bit-manipulation 1.0.0, chapter 2), every RV64
# instruction, with values worked out from the instruction pages: clz/ctz
# of 0 are the width, the W forms read the low 32 bits and sign-extend
# their 32-bit result, the .uw forms zero-extend rs1's low word, rotates
# by 0 and by width-1, min/max signed against unsigned at INT64_MIN and -1.
# args: -cpu max
#include "guest.h"
#include "alu_checks.h"

#define INT64_MIN 0x8000000000000000
#define INT64_MAX 0x7fffffffffffffff
#define HIGH_ONES 0xffffffff00000000 /* upper bits the W and .uw forms ignore */

	.option arch, +zba, +zbb
GUEST_START
	/* Zba: shNadd = (rs1 << N) + rs2; bits shifted out are lost. */
	T(sh1add, 5, 7, 17, 1)
	T(sh1add, 0x8000000000000001, 0, 2, 2)
	T(sh2add, 3, -1, 11, 3)
	T(sh3add, 0x2000000000000000, 1, 1, 4)
	T(sh3add, -1, 0, -8, 5)
	/* add.uw: zext32(rs1) + rs2; add.uw rd,rs1,x0 is zext.w */
	T(add.uw, 0xffffffff80000000, 1, 0x80000001, 6)
	T(add.uw, -1, 0, 0xffffffff, 7)
	T(add.uw, HIGH_ONES | 5, 0x100000000, 0x100000005, 8)
	li a1, -1
	add.uw a0, a1, zero
	CHECK_EQ(a0, 0xffffffff, 9)
	T(sh1add.uw, 0xdeadbeef80000000, 0, 0x100000000, 10)
	T(sh1add.uw, -1, 1, 0x1ffffffff, 11)
	T(sh2add.uw, -1, 0, 0x3fffffffc, 12)
	T(sh3add.uw, 0x123456789, 0x10, 0x11a2b3c58, 13)
	T(sh3add.uw, 0x80000000, -1, 0x3ffffffff, 14)
	/* slli.uw: zext32(rs1) << shamt, shamt up to 63 */
	I(slli.uw, -1, 0, 0xffffffff, 15)
	I(slli.uw, -1, 32, 0xffffffff00000000, 16)
	I(slli.uw, 0x80000001, 63, INT64_MIN, 17)
	I(slli.uw, 0xffffffff12345678, 4, 0x123456780, 18)
	I(slli.uw, 0x80000000, 1, 0x100000000, 19)

	/* andn, orn, xnor */
	T(andn, 0xff00ff00ff00ff00, 0x0ff00ff00ff00ff0, 0xf000f000f000f000, 20)
	T(andn, -1, -1, 0, 21)
	T(orn, 0, 0, -1, 22)
	T(orn, 1, -1, 1, 23)
	T(orn, 0x00ff, 0xffffffffffff0f0f, 0xf0ff, 24)
	T(xnor, 0x5555555555555555, 0xaaaaaaaaaaaaaaaa, 0, 25)
	T(xnor, 0x1234, 0x1234, -1, 26)

	/* clz, ctz, cpop: the result for 0 is the operand width */
	U(clz, 0, 64, 30)
	U(clz, -1, 0, 31)
	U(clz, 1, 63, 32)
	U(clz, INT64_MIN, 0, 33)
	U(clz, 0x100000000, 31, 34)
	U(clzw, 0, 32, 35)
	U(clzw, HIGH_ONES, 32, 36)
	U(clzw, -1, 0, 37)
	U(clzw, 1, 31, 38)
	U(clzw, 0x80000000, 0, 39)
	U(clzw, HIGH_ONES | 0x10000, 15, 40)
	U(ctz, 0, 64, 41)
	U(ctz, -1, 0, 42)
	U(ctz, INT64_MIN, 63, 43)
	U(ctz, 0x100000000, 32, 44)
	U(ctz, 1, 0, 45)
	U(ctzw, 0, 32, 46)
	U(ctzw, HIGH_ONES, 32, 47)
	U(ctzw, 0x80000000, 31, 48)
	U(ctzw, -1, 0, 49)
	U(ctzw, HIGH_ONES | 0x10, 4, 50)
	U(cpop, 0, 0, 51)
	U(cpop, -1, 64, 52)
	U(cpop, 0x8000000000000001, 2, 53)
	U(cpop, 0x0123456789abcdef, 32, 54)
	U(cpop, INT64_MIN, 1, 55)
	U(cpopw, -1, 32, 56)
	U(cpopw, HIGH_ONES, 0, 57)
	U(cpopw, 0x80000001, 2, 58)
	U(cpopw, 0, 0, 59)

	/* min/max: signed and unsigned disagree about INT64_MIN and -1 */
	T(max, INT64_MIN, -1, -1, 60)
	T(maxu, INT64_MIN, -1, -1, 61)
	T(min, INT64_MIN, -1, INT64_MIN, 62)
	T(minu, INT64_MIN, -1, INT64_MIN, 63)
	T(max, -1, 1, 1, 64)
	T(maxu, -1, 1, -1, 65)
	T(min, -1, 1, -1, 66)
	T(minu, -1, 1, 1, 67)
	T(max, INT64_MIN, INT64_MAX, INT64_MAX, 68)
	T(maxu, INT64_MIN, INT64_MAX, INT64_MIN, 69)
	T(min, INT64_MAX, INT64_MIN, INT64_MIN, 70)
	T(minu, INT64_MIN, INT64_MAX, INT64_MAX, 71)
	T(max, 5, 5, 5, 72)
	T(minu, 0, -1, 0, 73)

	/* sext.b, sext.h, zext.h */
	U(sext.b, 0x80, 0xffffffffffffff80, 80)
	U(sext.b, 0x7f, 0x7f, 81)
	U(sext.b, 0xffffffffffffff00, 0, 82)
	U(sext.b, 0x12345678abcdef01, 1, 83)
	U(sext.h, 0x8000, 0xffffffffffff8000, 84)
	U(sext.h, 0xffffffff7fff, 0x7fff, 85)
	U(sext.h, 0xffff, -1, 86)
	U(zext.h, -1, 0xffff, 87)
	U(zext.h, 0x123456789abc8000, 0x8000, 88)

	/* rol, ror, rori: the amount modulo 64 */
	T(rol, 0x8000000000000001, 1, 3, 90)
	T(rol, 0x0123456789abcdef, 4, 0x123456789abcdef0, 91)
	T(rol, 0x0123456789abcdef, 68, 0x123456789abcdef0, 92)
	T(rol, 0x0123456789abcdef, 0, 0x0123456789abcdef, 93)
	T(ror, 1, 1, INT64_MIN, 94)
	T(ror, 0x0123456789abcdef, 4, 0xf0123456789abcde, 95)
	T(ror, 0x8000000000000001, 63, 3, 96)
	T(ror, 0x0123456789abcdef, 64, 0x0123456789abcdef, 97)
	I(rori, 0x0123456789abcdef, 0, 0x0123456789abcdef, 98)
	I(rori, 0x8000000000000001, 63, 3, 99)
	I(rori, 0x0123456789abcdef, 32, 0x89abcdef01234567, 100)
	I(rori, 1, 1, INT64_MIN, 101)
	/* rolw, rorw, roriw: rotate the low word, amount modulo 32, result
	 * sign-extended (also when rotating by 0) */
	T(rolw, 0x80000001, 1, 3, 102)
	T(rolw, HIGH_ONES | 0x40000000, 1, 0xffffffff80000000, 103)
	T(rolw, 0x12345678, 36, 0x23456781, 104)
	T(rorw, 1, 1, 0xffffffff80000000, 105)
	T(rorw, 0x12345678, 4, 0xffffffff81234567, 106)
	T(rorw, HIGH_ONES | 0x12345678, 32, 0x12345678, 107)
	T(rolw, 0x0000000180000000, 0, 0xffffffff80000000, 108)
	I(roriw, HIGH_ONES | 0x80000000, 0, 0xffffffff80000000, 109)
	I(roriw, 0x5555555512345678, 0, 0x12345678, 110)
	I(roriw, 0x80000001, 31, 3, 111)
	I(roriw, 1, 1, 0xffffffff80000000, 112)
	I(roriw, 0x12345678, 16, 0x56781234, 113)
	I(roriw, 0xc0000000, 31, 0xffffffff80000001, 114)

	/* orc.b: every nonzero byte becomes 0xff */
	U(orc.b, 0, 0, 120)
	U(orc.b, 0x0100802000000001, 0xff00ffff000000ff, 121)
	U(orc.b, -1, -1, 122)
	U(orc.b, INT64_MIN, 0xff00000000000000, 123)
	/* rev8: bytes reversed */
	U(rev8, 0x0123456789abcdef, 0xefcdab8967452301, 124)
	U(rev8, 0xff, 0xff00000000000000, 125)
	U(rev8, 0, 0, 126)

	/* rd the same register as a source (a translator keeps them apart) */
	li a1, 3
	sh2add a1, a1, a1 /* 3 * 4 + 3 */
	CHECK_EQ(a1, 15, 130)
	li a1, 0xff
	li a2, 0x0f
	andn a2, a1, a2
	CHECK_EQ(a2, 0xf0, 131)
	li a1, 0x100
	clz a1, a1
	CHECK_EQ(a1, 55, 132)
	li a1, 0x8000000000000001
	rori a1, a1, 1
	CHECK_EQ(a1, 0xc000000000000000, 133)
	li a1, 5
	li a2, -7
	max a2, a2, a1
	CHECK_EQ(a2, 5, 134)
	li a1, 0xffffffff00000003
	add.uw a1, a1, a1
	CHECK_EQ(a1, 0xffffffff00000006, 135)
	li a1, 0x80000000
	rolw a1, a1, a1 /* amount 0x80000000 & 31 = 0 */
	CHECK_EQ(a1, 0xffffffff80000000, 136)
	PASS

GUEST_DATA
