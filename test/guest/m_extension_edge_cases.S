# The M extension's defined corner cases (unpriv 7.2 table): division by
# zero gives all ones / the dividend, the signed overflow gives the
# dividend / 0, nothing traps; *w forms use the low 32 bits of their
# operands and sign-extend their 32-bit result; mulh* return the exact
# high halves of 128-bit products.
#include "guest.h"
#include "alu_checks.h"

#define INT64_MIN 0x8000000000000000
#define GARBAGE 0x5a5a5a5a00000000 /* upper bits the *w forms ignore */

GUEST_START
	/* Division by zero. */
	T(div, 42, 0, -1, 1)
	T(div, -42, 0, -1, 2)
	T(divu, 42, 0, 0xffffffffffffffff, 3)
	T(rem, 42, 0, 42, 4)
	T(rem, -42, 0, -42, 5)
	T(remu, -42, 0, -42, 6)
	T(divw, 42, 0, -1, 7)
	T(divw, GARBAGE | 42, GARBAGE, -1, 8)
	T(divuw, 42, 0, -1, 9) /* 0xffffffff sign-extended */
	T(remw, 0x80000000, 0, 0xffffffff80000000, 10)
	T(remw, GARBAGE | 0x12345678, GARBAGE, 0x12345678, 11)
	T(remuw, 0xfffffff0, 0, 0xfffffffffffffff0, 12)
	T(remuw, GARBAGE | 5, 0, 5, 13)

	/* Signed overflow. */
	T(div, INT64_MIN, -1, INT64_MIN, 20)
	T(rem, INT64_MIN, -1, 0, 21)
	T(divw, 0x80000000, -1, 0xffffffff80000000, 22)
	T(divw, GARBAGE | 0x80000000, 0xffffffff, 0xffffffff80000000, 23)
	T(remw, 0x80000000, -1, 0, 24)
	T(divu, INT64_MIN, -1, 0, 25)
	T(remu, INT64_MIN, -1, INT64_MIN, 26)

	/* Rounding toward zero, remainder takes the dividend's sign. */
	T(div, -7, 2, -3, 30)
	T(rem, -7, 2, -1, 31)
	T(div, 7, -2, -3, 32)
	T(rem, 7, -2, 1, 33)
	T(divw, -7, 2, -3, 34)
	T(remw, -7, 2, -1, 35)
	T(divu, -7, 2, 0x7ffffffffffffffc, 36)
	T(divuw, 0xffffffff, 2, 0x7fffffff, 37)
	T(divuw, 0xfffffffe, 1, 0xfffffffffffffffe, 38)
	T(remuw, 0x80000005, 0x80000000, 5, 39)
	T(divw, GARBAGE | 7, 0x1234567800000002, 3, 40)
	T(divuw, 0x80000000, 1, 0xffffffff80000000, 41)
	T(remw, GARBAGE | 0xfffffff9, 2, -1, 42)

	/* mul / mulw. */
	T(mul, INT64_MIN, -1, INT64_MIN, 50)
	T(mul, 0x100000001, 0x100000001, 0x200000001, 51)
	T(mulw, 0x7fffffff, 2, -2, 52)
	T(mulw, 0x100000003, 0x200000005, 15, 53)
	T(mulw, 0x10000, 0x10000, 0, 54)
	T(mulw, 0x8000, 0x10000, 0xffffffff80000000, 55)

	/* High halves. */
	T(mulh, INT64_MIN, INT64_MIN, 0x4000000000000000, 60)
	T(mulh, -1, -1, 0, 61)
	T(mulh, INT64_MIN, -1, 0, 62)
	T(mulh, INT64_MIN, 1, -1, 63)
	T(mulh, 0x7fffffffffffffff, 0x7fffffffffffffff, 0x3fffffffffffffff, 64)
	T(mulh, -2, 3, -1, 65)
	T(mulhu, -1, -1, 0xfffffffffffffffe, 66)
	T(mulhu, INT64_MIN, 2, 1, 67)
	T(mulhu, -1, 1, 0, 68)
	T(mulhsu, -1, -1, -1, 69)
	T(mulhsu, INT64_MIN, -1, INT64_MIN, 70)
	T(mulhsu, 5, INT64_MIN, 2, 71)
	T(mulhsu, -1, 1, -1, 72)
	T(mulhsu, 0x7fffffffffffffff, -1, 0x7ffffffffffffffe, 73)
	T(mulhsu, -2, 0, 0, 74)

	/* rd aliasing a source. */
	li a1, 100
	li a2, 7
	rem a1, a1, a2
	CHECK_EQ(a1, 2, 80)
	li a1, 100
	divu a2, a1, a2
	CHECK_EQ(a2, 14, 81)
	PASS
GUEST_DATA
