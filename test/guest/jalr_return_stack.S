# Indirect jumps (jalr): deep recursion (every return a jalr to a
# different return address), call chains whose functions sit on
# different pages, a switch-style jump table whose cases are spread over
# pages, and jalr's own rules (unpriv 2.5.1): the target is
# (rs1 + imm) & ~1, computed before rd is written, so rd = rs1 works.
#include "guest.h"
#include "trap_helpers.h"
GUEST_START
	/* 1. Recursion 1000 deep: sum(n) = n + sum(n - 1). */
	li a0, 1000
	call sum
	CHECK_EQ(a0, 500500, 1)

	/* 2. Doubly recursive fib(20): 21891 calls, returns to two sites. */
	li a0, 20
	call fib
	CHECK_EQ(a0, 6765, 2)

	/* 3. A call chain across four pages, many times. */
	li s1, 0
1:	li a0, 1
	call page1_fn
	CHECK_EQ(a0, ((1 * 3 + 5) * 7 + 11) * 2, 3)
	addi s1, s1, 1
	li t0, 100
	bne s1, t0, 1b

	/* 4. A jump table: case i % 8 for i = 0..799. Case k adds k * k + 1. */
	li s1, 0
	li s2, 0
1:	andi t0, s1, 7
	slli t0, t0, 3
	la t1, jump_table
	add t1, t1, t0
	ld t1, 0(t1)
	jalr ra, 0(t1)
	addi s1, s1, 1
	li t0, 800
	bne s1, t0, 1b
	/* 100 * sum over k < 8 of (k * k + 1) = 100 * (140 + 8) */
	CHECK_EQ(s2, 14800, 4)

	/* 5. jalr rules. An odd target: bit 0 is dropped. */
	la t0, land_odd
	addi t0, t0, 1
	li a0, 0
	jalr ra, 0(t0)
	CHECK_EQ(a0, 0x0dd, 5)
	/* rd = rs1: the target uses the old value. */
	la t0, land_same
	li a0, 0
	jalr t0, 0(t0)
after_same:
	CHECK_EQ(a0, 0x5a, 6)
	la t1, after_same
	CHECK_REG(t0, t1, 7)
	/* A nonzero offset, negative too. */
	la t0, land_odd
	addi t0, t0, 64
	li a0, 0
	jalr ra, -64(t0)
	CHECK_EQ(a0, 0x0dd, 8)
	PASS

sum:	/* a0 = a0 + (a0 - 1) + ... + 1 */
	beqz a0, 1f
	addi sp, sp, -16
	sd ra, 8(sp)
	sd a0, 0(sp)
	addi a0, a0, -1
	call sum
	ld t0, 0(sp)
	ld ra, 8(sp)
	addi sp, sp, 16
	add a0, a0, t0
1:	ret

fib:
	li t0, 2
	blt a0, t0, 1f
	addi sp, sp, -32
	sd ra, 24(sp)
	sd s0, 16(sp)
	sd s1, 8(sp)
	mv s0, a0
	addi a0, a0, -1
	call fib
	mv s1, a0
	addi a0, s0, -2
	call fib
	add a0, a0, s1
	ld s1, 8(sp)
	ld s0, 16(sp)
	ld ra, 24(sp)
	addi sp, sp, 32
1:	ret

land_odd:
	li a0, 0x0dd
	ret
land_same:
	li a0, 0x5a
	jr t0

/* Call chain and jump-table cases, a page apart. */
#define CASE(k) \
case_##k:              \
	addi s2, s2, (k) * (k) + 1; \
	ret

	.align 12
page1_fn:
	addi sp, sp, -16
	sd ra, 8(sp)
	li t0, 3
	mul a0, a0, t0
	call page2_fn
	ld ra, 8(sp)
	addi sp, sp, 16
	slli a0, a0, 1
	ret
CASE(0)
CASE(1)
	.align 12
page2_fn:
	addi sp, sp, -16
	sd ra, 8(sp)
	addi a0, a0, 5
	call page3_fn
	ld ra, 8(sp)
	addi sp, sp, 16
	addi a0, a0, 11
	ret
CASE(2)
CASE(3)
	.align 12
page3_fn:
	li t0, 7
	mul a0, a0, t0
	ret
CASE(4)
CASE(5)
	.align 12
CASE(6)
CASE(7)

	.section .rodata
	.align 3
jump_table:
	.dword case_0, case_1, case_2, case_3, case_4, case_5, case_6, case_7
GUEST_DATA
