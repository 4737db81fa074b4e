# Every RV64C instruction (unpriv chapter 16) executes as its 32-bit
# expansion, checked by result; c.ebreak raises a breakpoint at its own
# address; a 32-bit instruction whose halves lie in two pages runs.
#include "guest.h"
#include "trap_helpers.h"
GUEST_START
	INSTALL_RECORDERS
	li t0, 1 << 13
	csrs mstatus, t0 /* FS on for the FP forms */
	la s0, buf
	la s1, buf

	/* c.addi4spn */
	mv s2, sp
	c.addi4spn a0, sp, 1020
	sub a0, a0, sp
	CHECK_EQ(a0, 1020, 1)
	/* c.addi16sp */
	c.addi16sp sp, -64
	sub a0, s2, sp
	CHECK_EQ(a0, 64, 2)
	c.addi16sp sp, 496
	sub a0, sp, s2
	CHECK_EQ(a0, 432, 3)
	mv sp, s2

	/* c.lw (sign-extends), c.ld, c.sw, c.sd */
	c.lw a0, 4(s0)
	CHECK_EQ(a0, 0xffffffff89abcdef, 4)
	c.ld a1, 8(s0)
	CHECK_EQ(a1, 0x0123456789abcdef, 5)
	li a2, 0x11223344
	c.sw a2, 124(s0)
	lwu a0, 124(s0)
	CHECK_EQ(a0, 0x11223344, 6)
	li a3, 0x5566778899aabbcc
	c.sd a3, 248(s1)
	ld a0, 248(s1)
	CHECK_REG(a0, a3, 7)
	/* c.fld, c.fsd */
	c.fld fa0, 16(s0)
	fmv.x.d a0, fa0
	CHECK_EQ(a0, 0x400921fb54442d18, 8)
	c.fsd fa0, 32(s1)
	ld a0, 32(s1)
	CHECK_EQ(a0, 0x400921fb54442d18, 9)

	/* c.nop, c.addi, c.addiw, c.li, c.lui */
	li a0, 7
	c.nop
	c.addi a0, -8
	CHECK_EQ(a0, -1, 10)
	li a0, 0x7fffffff
	c.addiw a0, 1
	CHECK_EQ(a0, 0xffffffff80000000, 11)
	li a0, 0x123456789
	c.addiw a0, 0 /* sext.w */
	CHECK_EQ(a0, 0x23456789, 12)
	c.li a0, -32
	CHECK_EQ(a0, -32, 13)
	c.li a0, 31
	CHECK_EQ(a0, 31, 14)
	c.lui a0, 0xfffe0 /* nzimm = -32: a0 = -32 << 12 */
	CHECK_EQ(a0, 0xfffffffffffe0000, 15)
	c.lui a0, 1
	CHECK_EQ(a0, 0x1000, 16)
	c.lui a0, 31
	CHECK_EQ(a0, 0x1f000, 17)

	/* c.srli, c.srai, c.andi, c.slli */
	li a0, 0x8000000000000000
	c.srli a0, 63
	CHECK_EQ(a0, 1, 18)
	li a0, 0x8000000000000000
	c.srai a0, 60
	CHECK_EQ(a0, 0xfffffffffffffff8, 19)
	li a0, 0x1234
	c.srli a0, 4
	CHECK_EQ(a0, 0x123, 20)
	li a0, 0xff
	c.andi a0, -16
	CHECK_EQ(a0, 0xf0, 21)
	li a0, 0xff
	c.andi a0, 5
	CHECK_EQ(a0, 5, 22)
	li a0, 3
	c.slli a0, 62
	CHECK_EQ(a0, 0xc000000000000000, 23)
	li t3, 1
	c.slli t3, 33 /* any register */
	CHECK_EQ(t3, 0x200000000, 24)

	/* c.sub, c.xor, c.or, c.and, c.subw, c.addw */
	li a0, 5
	li a1, 7
	c.sub a0, a1
	CHECK_EQ(a0, -2, 25)
	li a0, 0xff00
	li a1, 0x0ff0
	c.xor a0, a1
	CHECK_EQ(a0, 0xf0f0, 26)
	li a0, 0xff00
	c.or a0, a1
	CHECK_EQ(a0, 0xfff0, 27)
	li a0, 0xff00
	c.and a0, a1
	CHECK_EQ(a0, 0x0f00, 28)
	li a0, 0x80000000
	li a1, 1
	c.subw a0, a1
	CHECK_EQ(a0, 0x7fffffff, 29)
	li a0, 0x100000000
	c.subw a0, a1
	CHECK_EQ(a0, -1, 30)
	li a0, 0x7fffffff
	c.addw a0, a1
	CHECK_EQ(a0, 0xffffffff80000000, 31)

	/* c.mv, c.add */
	li t4, 0x1234
	c.mv t5, t4
	CHECK_EQ(t5, 0x1234, 32)
	li t4, 0x1000
	c.add t5, t4
	CHECK_EQ(t5, 0x2234, 33)

	/* c.j, c.beqz, c.bnez (taken and not taken, both directions) */
	li a0, 0
	c.j 1f
	li a0, 1
1:	CHECK_EQ(a0, 0, 34)
	li a1, 0
	c.beqz a1, 1f
	li a0, 2
1:	CHECK_EQ(a0, 0, 35)
	li a1, 5
	c.beqz a1, 1f
	li a0, 3
1:	CHECK_EQ(a0, 3, 36)
	li a1, 5
	c.bnez a1, 1f
	li a0, 4
1:	CHECK_EQ(a0, 3, 37)
	li a1, 0
	c.bnez a1, 1f
	li a0, 5
1:	CHECK_EQ(a0, 5, 38)
	li a1, 3 /* backward: count down to 0 */
	li a0, 0
2:	addi a0, a0, 1
	addi a1, a1, -1
	c.bnez a1, 2b
	CHECK_EQ(a0, 3, 39)

	/* c.jr, c.jalr */
	la t0, 1f
	li a0, 0
	c.jr t0
	li a0, 1
1:	CHECK_EQ(a0, 0, 40)
	la t0, c_leaf
	c.jalr t0
2:	la t1, 2b
	CHECK_REG(ra, t1, 41) /* ra = address of c.jalr + 2 */
	CHECK_EQ(a0, 0x77, 42)

	/* Stack-relative: c.lwsp, c.ldsp, c.fldsp, c.swsp, c.sdsp, c.fsdsp */
	mv s2, sp
	mv sp, s0
	c.lwsp a0, 4(sp)
	CHECK_EQ(a0, 0xffffffff89abcdef, 43)
	c.ldsp a0, 8(sp)
	CHECK_EQ(a0, 0x0123456789abcdef, 44)
	c.fldsp ft1, 16(sp)
	fmv.x.d a0, ft1
	CHECK_EQ(a0, 0x400921fb54442d18, 45)
	li t3, 0xdeadbeef
	c.swsp t3, 252(sp)
	lwu a0, 252(s0)
	CHECK_EQ(a0, 0xdeadbeef, 46)
	li t3, 0x0102030405060708
	c.sdsp t3, 504(sp)
	ld a0, 504(s0)
	CHECK_REG(a0, t3, 47)
	c.fsdsp ft1, 40(sp)
	ld a0, 40(s0)
	CHECK_EQ(a0, 0x400921fb54442d18, 48)
	mv sp, s2

	/* c.ebreak: breakpoint, mepc = its address. */
	TRY(c.ebreak)
	CHECK_TRAP(3, 50)
	INSN_BITS(t3)
	CHECK_EQ(t3, 0x9002, 51)

	/* A 32-bit instruction at offset 0xffe of a page. */
	li a0, 0
	call straddle
	CHECK_EQ(a0, 0x12345000, 60)
	PASS

c_leaf:
	li a0, 0x77
	ret

	/* Zero filler up to page offset 0xffe; never executed. */
	.balign 4096
	.skip 0xffe
straddle:
	.option push
	.option norvc
	lui a0, 0x12345
	.option pop
	ret

TRAP_RECORDERS

	.data
	.align 4
buf:
	.word 0x76543210, 0x89abcdef
	.dword 0x0123456789abcdef
	.dword 0x400921fb54442d18 /* pi */
	.skip 600
GUEST_DATA
