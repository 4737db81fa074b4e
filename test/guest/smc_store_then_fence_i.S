# Self-modifying code (unpriv "Zifencei"): after a store to an instruction
# and fence.i, the hart fetches the new instruction. A code page in RAM is
# patched and called again and again: a 32-bit addi, a 16-bit c.addi, an
# instruction of the very block that is running (patched before it is
# reached, and for its next run), and one function of a page whose other
# functions are hot: they must still run correctly afterwards, since
# invalidation drops every translated block of the page.
#include "guest.h"
/* addi a0, a0, imm (I-type, rd = rs1 = x10) and c.addi a0, imm (CI). */
#define ADDI_A0(imm) (((imm) << 20) | (10 << 15) | (10 << 7) | 0x13)
#define C_ADDI_A0(imm) (0x0001 | (10 << 7) | (((imm) & 0x1f) << 2) | ((((imm) >> 5) & 1) << 12))
GUEST_START
	/* 1. A 32-bit instruction, rewritten with eight immediates. */
	li s1, 1
1:	li t0, ADDI_A0(0)
	slli t1, s1, 20
	or t0, t0, t1
	la t3, f_addi
	sw t0, 0(t3)
	fence.i
	li a0, 1000
	call f_addi
	addi t2, s1, 1000
	beq a0, t2, 2f
	FAIL(1)
2:	addi s1, s1, 1
	li t0, 9
	bne s1, t0, 1b

	/* 2. A 16-bit instruction, rewritten 31 times. */
	li s1, 1
1:	li t0, C_ADDI_A0(0)
	slli t1, s1, 2
	or t0, t0, t1
	la t3, f_caddi
	sh t0, 0(t3)
	fence.i
	li a0, 2000
	call f_caddi
	addi t2, s1, 2000
	beq a0, t2, 2f
	FAIL(2)
2:	addi s1, s1, 1
	li t0, 32
	bne s1, t0, 1b
	/* Its neighbour, the c.jr, is untouched. */
	la t3, f_caddi
	lhu t0, 2(t3)
	CHECK_EQ(t0, 0x8082, 3)

	/* 3. The running block patches an instruction ahead of itself: after
	 * fence.i the new one executes, on this very run. */
	li s1, 1
1:	li t0, ADDI_A0(0)
	slli t1, s1, 20
	or t1, t0, t1
	la t2, f_ahead_target
	li a0, 0
	call f_ahead
	beq a0, s1, 2f
	FAIL(4)
2:	addi s1, s1, 1
	li t0, 6
	bne s1, t0, 1b

	/* 4. The running block patches its own first instruction: this run
	 * already executed the old one, the next run executes the new one. */
	li a0, 0
	li t1, ADDI_A0(5)
	la t2, f_self
	call f_self      /* +1, then patches itself to +5 */
	CHECK_EQ(a0, 1, 5)
	li t1, ADDI_A0(7)
	call f_self      /* +5, patches to +7 */
	CHECK_EQ(a0, 6, 6)
	call f_self      /* +7 */
	CHECK_EQ(a0, 13, 7)

	/* 5. Hot neighbours: run f_sum (a loop of chained blocks), f_eleven
	 * and f_addi many times, patch f_patched on the same page, then run
	 * them all again. */
	li s1, 0
1:	li a0, 10
	call f_sum
	CHECK_EQ(a0, 55, 10)
	call f_eleven
	CHECK_EQ(a0, 11, 11)
	li a0, 0
	call f_addi
	CHECK_EQ(a0, 8, 12)
	addi s1, s1, 1
	li t0, 50
	bne s1, t0, 1b
	li t0, ADDI_A0(-3)
	la t3, f_patched
	sw t0, 0(t3)
	fence.i
	li a0, 100
	call f_patched
	CHECK_EQ(a0, 97, 13)
	li s1, 0
1:	li a0, 10
	call f_sum
	CHECK_EQ(a0, 55, 14)
	call f_eleven
	CHECK_EQ(a0, 11, 15)
	li a0, 0
	call f_addi
	CHECK_EQ(a0, 8, 16)
	/* Patch it back and forth while its neighbours stay hot. */
	andi t0, s1, 1
	li t1, ADDI_A0(-3)
	beqz t0, 2f
	li t1, ADDI_A0(3)
2:	la t3, f_patched
	sw t1, 0(t3)
	fence.i
	li a0, 100
	call f_patched
	li t1, 97
	beqz t0, 3f
	li t1, 103
3:	beq a0, t1, 4f
	FAIL(17)
4:	addi s1, s1, 1
	li t0, 20
	bne s1, t0, 1b
	PASS

/* The code page: its own 4 KiB page of RAM, written by the code above. */
	.section .text.smc, "ax", @progbits
	.align 12
code_page:
	.option push
	.option norvc
f_addi:
	addi a0, a0, 1       /* patched */
	ret
	.align 4
f_caddi:
	.option rvc
	c.addi a0, 1         /* patched */
	c.jr ra
	.option norvc
	.align 4
f_ahead:                     /* t1 = new instruction, t2 = f_ahead_target */
	sw t1, 0(t2)
	fence.i
f_ahead_target:
	addi a0, a0, 100     /* replaced before it runs */
	ret
	.align 4
f_self:                      /* t1 = new first instruction, t2 = f_self */
	addi a0, a0, 1
	sw t1, 0(t2)
	fence.i
	ret
	.align 6
f_sum:                       /* a0 = 1 + 2 + ... + a0 */
	li t3, 0
1:	add t3, t3, a0
	addi a0, a0, -1
	bnez a0, 1b
	mv a0, t3
	ret
	.align 6
f_eleven:
	li a0, 11
	ret
	.align 6
f_patched:
	nop                  /* patched */
	ret
	.option pop
	.align 12
GUEST_DATA
