# Zcb (unprivileged spec, Zc chapter, "Zcb"), every form, encoded by hand
# (binutils 2.40 lacks Zcb) from the spec's encoding diagrams: c.lbu's
# uimm[0|1] at bits 6:5 is bit 6 = uimm[0] and bit 5 = uimm[1]; c.lhu, c.lh
# and c.sh take uimm[1] at bit 5, bit 6 telling c.lh from c.lhu. Each is
# its 32-bit equivalent: loads zero- or (c.lh) sign-extend, stores write
# only their byte or halfword, c.sext.b/c.zext.h/c.sext.h are Zbb's,
# c.zext.w is Zba's add.uw rd, rd, zero, c.not is xori rd, rd, -1, c.mul is
# mul rd, rd, rs2 (the low 64 bits).
# args: -cpu max
#include "guest.h"

GUEST_START
	la a1, bytes
	.hword 0x8188 /* c.lbu a0, 0(a1) */
	CHECK_EQ(a0, 0x81, 1)
	.hword 0x81c8 /* c.lbu a0, 1(a1) */
	CHECK_EQ(a0, 0x7f, 2)
	.hword 0x81a8 /* c.lbu a0, 2(a1) */
	CHECK_EQ(a0, 0xfe, 3)
	.hword 0x81e8 /* c.lbu a0, 3(a1) */
	CHECK_EQ(a0, 0x02, 4)
	.hword 0x8588 /* c.lhu a0, 0(a1) */
	CHECK_EQ(a0, 0x7f81, 5)
	.hword 0x85a8 /* c.lhu a0, 2(a1) */
	CHECK_EQ(a0, 0x02fe, 6)
	la s1, halves
	.hword 0x84c0 /* c.lh s0, 0(s1) */
	CHECK_EQ(s0, 0xffffffffffff8001, 7)
	.hword 0x84e0 /* c.lh s0, 2(s1) */
	CHECK_EQ(s0, 0x7ffe, 8)
	la a4, bytes
	.hword 0x837c /* c.lbu a5, 3(a4) */
	CHECK_EQ(a5, 0x02, 9)
	la a1, scratch
	li a2, 0x123456789abcdea0
	.hword 0x8990 /* c.sb a2, 0(a1) */
	li a2, 0x123456789abcdea1
	.hword 0x89d0 /* c.sb a2, 1(a1) */
	li a2, 0x123456789abcdea2
	.hword 0x89b0 /* c.sb a2, 2(a1) */
	li a2, 0x123456789abcdea3
	.hword 0x89f0 /* c.sb a2, 3(a1) */
	lwu a0, 0(a1)
	CHECK_EQ(a0, 0xa3a2a1a0, 10)
	lwu a0, 4(a1)
	CHECK_EQ(a0, 0x55555555, 11)
	li a3, 0xffffffff0000beef
	.hword 0x8d94 /* c.sh a3, 0(a1) */
	li a3, 0x1234dead
	.hword 0x8db4 /* c.sh a3, 2(a1) */
	lwu a0, 0(a1)
	CHECK_EQ(a0, 0xdeadbeef, 12)
	lwu a0, 4(a1)
	CHECK_EQ(a0, 0x55555555, 13)
	li s1, 0x123456789abcdef0
	.hword 0x9ce1 /* c.zext.b s1 */
	CHECK_EQ(s1, 0xf0, 14)
	li s1, 0x1234567800000080
	.hword 0x9ce5 /* c.sext.b s1 */
	CHECK_EQ(s1, 0xffffffffffffff80, 15)
	li s1, 0xffffffffffffff7f
	.hword 0x9ce5 /* c.sext.b s1 */
	CHECK_EQ(s1, 0x7f, 16)
	li s1, 0xffffffffffff8001
	.hword 0x9ce9 /* c.zext.h s1 */
	CHECK_EQ(s1, 0x8001, 17)
	li s1, 0x8000
	.hword 0x9ced /* c.sext.h s1 */
	CHECK_EQ(s1, 0xffffffffffff8000, 18)
	li s1, 0xffffffff12347fff
	.hword 0x9ced /* c.sext.h s1 */
	CHECK_EQ(s1, 0x7fff, 19)
	li s1, 0xffffffff80000000
	.hword 0x9cf1 /* c.zext.w s1 */
	CHECK_EQ(s1, 0x80000000, 20)
	li s1, 0x00ff00ff00ff00ff
	.hword 0x9cf5 /* c.not s1 */
	CHECK_EQ(s1, 0xff00ff00ff00ff00, 21)
	li a0, 0x100000001
	li a5, 0x100000001
	.hword 0x9d5d /* c.mul a0, a5 */
	CHECK_EQ(a0, 0x200000001, 22)
	li s0, -3
	li a2, 7
	.hword 0x9c51 /* c.mul s0, a2 */
	CHECK_EQ(s0, -21, 23)
	PASS

	.data
	.align 3
bytes:	.byte 0x81, 0x7f, 0xfe, 0x02
halves:	.hword 0x8001, 0x7ffe
scratch: .word 0, 0x55555555
GUEST_DATA
