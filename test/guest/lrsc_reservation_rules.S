# LR/SC and AMOs (unpriv chapter 8): an SC succeeds (rd = 0) only on the
# address of the last LR, once; otherwise it fails with rd = 1 and stores
# nothing. Every AMO returns the old value (sign-extended for .w) and
# stores op(old, rs2); min/max come signed and unsigned.
#include "guest.h"
#include "trap_helpers.h"

/* AMO check: mem = init; amo rd, src, (s0); rd == old, mem == new. */
#define AMO_W(op, init, src, old, new, n) \
	li t0, init;                      \
	sw t0, 0(s0);                     \
	li t1, src;                       \
	op a0, t1, (s0);                  \
	CHECK_EQ(a0, old, n);             \
	lwu a1, 0(s0);                    \
	CHECK_EQ(a1, new, n + 1);         \
	lwu a1, 4(s0);                    \
	CHECK_EQ(a1, 0x5a5a5a5a, n + 2)
#define AMO_D(op, init, src, old, new, n) \
	li t0, init;                      \
	sd t0, 0(s0);                     \
	li t1, src;                       \
	op a0, t1, (s0);                  \
	CHECK_EQ(a0, old, n);             \
	ld a1, 0(s0);                     \
	CHECK_EQ(a1, new, n + 1)

GUEST_START
	INSTALL_RECORDERS
	la s0, word_a
	la s1, word_b

	/* SC before any LR: no reservation, fails, stores nothing. */
	li t1, 99
	sc.d a1, t1, (s0)
	CHECK_EQ(a1, 1, 97)
	sc.w a1, t1, (s0)
	CHECK_EQ(a1, 1, 98)
	ld a0, 0(s0)
	CHECK_EQ(a0, 0, 99)

	/* Plain success. */
	li t0, 10
	sd t0, 0(s0)
	lr.d a0, (s0)
	CHECK_EQ(a0, 10, 1)
	li t1, 11
	sc.d a1, t1, (s0)
	CHECK_EQ(a1, 0, 2)
	ld a0, 0(s0)
	CHECK_EQ(a0, 11, 3)
	/* A second SC without a new LR fails. */
	li t1, 12
	sc.d a1, t1, (s0)
	CHECK_EQ(a1, 1, 4)
	ld a0, 0(s0)
	CHECK_EQ(a0, 11, 5)
	/* SC to another address than the LR's fails and stores nothing. */
	li t0, 20
	sd t0, 0(s1)
	lr.d a0, (s0)
	li t1, 21
	sc.d a1, t1, (s1)
	CHECK_EQ(a1, 1, 6)
	ld a0, 0(s1)
	CHECK_EQ(a0, 20, 7)
	/* ... and that failed SC ended the reservation. */
	sc.d a1, t1, (s0)
	CHECK_EQ(a1, 1, 8)
	ld a0, 0(s0)
	CHECK_EQ(a0, 11, 9)

	/* .w: lr.w sign-extends, sc.w stores 32 bits only. */
	li t0, 0x5a5a5a5a80000000
	sd t0, 0(s0)
	lr.w a0, (s0)
	CHECK_EQ(a0, 0xffffffff80000000, 10)
	li t1, 0x123456789
	sc.w a1, t1, (s0)
	CHECK_EQ(a1, 0, 11)
	ld a0, 0(s0)
	CHECK_EQ(a0, 0x5a5a5a5a23456789, 12)
	sc.w a1, t1, (s0)
	CHECK_EQ(a1, 1, 13)
	/* A newer LR on another address moves the reservation there. */
	lr.w a0, (s0)
	lr.w a0, (s1)
	sc.w a1, t1, (s0)
	CHECK_EQ(a1, 1, 14)
	lr.w a0, (s1)
	sc.w a1, t1, (s1)
	CHECK_EQ(a1, 0, 15)

	/* Storing x0 through SC works, and again the second SC fails. */
	lr.d a0, (s0)
	sc.d a1, zero, (s0)
	CHECK_EQ(a1, 0, 16)
	sc.d a1, zero, (s0)
	CHECK_EQ(a1, 1, 17)

	/* AMOs, .w: the upper neighbour (0x5a5a5a5a) must survive. */
	li t0, 0x5a5a5a5a00000000
	sd t0, 0(s0)
	AMO_W(amoswap.w, 0x80000001, 0x1234, 0xffffffff80000001, 0x1234, 20)
	AMO_W(amoadd.w, 0x7fffffff, 1, 0x7fffffff, 0x80000000, 23)
	AMO_W(amoadd.w, 0xffffffff, 2, -1, 1, 26)
	AMO_W(amoxor.w, 0xf0f0f0f0, 0xff00ff00, 0xfffffffff0f0f0f0, 0x0ff00ff0, 29)
	AMO_W(amoand.w, 0xf0f0f0f0, 0xff00ff00, 0xfffffffff0f0f0f0, 0xf000f000, 32)
	AMO_W(amoor.w, 0x0000f0f0, 0xff00ff00, 0x0000f0f0, 0xff00fff0, 35)
	AMO_W(amomin.w, 0xfffffffe, 5, -2, 0xfffffffe, 38)
	AMO_W(amomin.w, 7, 5, 7, 5, 41)
	AMO_W(amomax.w, 0xfffffffe, 5, -2, 5, 44)
	AMO_W(amominu.w, 0xfffffffe, 5, -2, 5, 47)
	AMO_W(amomaxu.w, 0xfffffffe, 5, -2, 0xfffffffe, 50)
	AMO_W(amomaxu.w, 3, 0x80000000, 3, 0x80000000, 53)
	/* .w compares only the low 32 bits of rs2: 0x1_00000000 is 0. */
	AMO_W(amomin.w, 7, 0x100000000, 7, 0, 56)
	AMO_W(amomaxu.w, 7, 0xffffffff00000003, 7, 7, 59)

	/* AMOs, .d. */
	AMO_D(amoswap.d, 0x8000000000000001, -1, 0x8000000000000001, -1, 70)
	AMO_D(amoadd.d, 0x7fffffffffffffff, 1, 0x7fffffffffffffff, 0x8000000000000000, 72)
	AMO_D(amoadd.d, -1, 2, -1, 1, 74)
	AMO_D(amoxor.d, 0xff00ff00ff00ff00, 0x0ff00ff00ff00ff0, 0xff00ff00ff00ff00, 0xf0f0f0f0f0f0f0f0, 76)
	AMO_D(amoand.d, 0xff00ff00ff00ff00, 0x0ff00ff00ff00ff0, 0xff00ff00ff00ff00, 0x0f000f000f000f00, 78)
	AMO_D(amoor.d, 0xff00ff00ff00ff00, 0x0ff00ff00ff00ff0, 0xff00ff00ff00ff00, 0xfff0fff0fff0fff0, 80)
	AMO_D(amomin.d, -2, 5, -2, -2, 82)
	AMO_D(amomax.d, -2, 5, -2, 5, 84)
	AMO_D(amominu.d, -2, 5, -2, 5, 86)
	AMO_D(amomaxu.d, -2, 5, -2, -2, 88)
	AMO_D(amomin.d, 0x8000000000000000, 0x7fffffffffffffff, 0x8000000000000000, 0x8000000000000000, 90)
	AMO_D(amomaxu.d, 0x8000000000000000, 0x7fffffffffffffff, 0x8000000000000000, 0x8000000000000000, 92)
	/* rd = x0 still stores; rd == rs2 gets the old value. */
	li t0, 5
	sd t0, 0(s0)
	li t1, 7
	amoadd.d zero, t1, (s0)
	ld a0, 0(s0)
	CHECK_EQ(a0, 12, 94)
	amoswap.d t1, t1, (s0)
	CHECK_EQ(t1, 12, 95)
	ld a0, 0(s0)
	CHECK_EQ(a0, 7, 96)
	PASS

TRAP_RECORDERS

	.data
	.align 4
word_a:	.dword 0
word_b:	.dword 0
GUEST_DATA
