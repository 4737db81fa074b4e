# Loops of several blocks become one region in the translator
# (jit/region.c): forward branches and `j` inside the loop jump within its
# code. Each path must still retire exactly what the interpreter retires:
#   1. a load that faults in the middle of the 33rd iteration, on the
#      path a forward branch chose: mepc, the registers and minstret at
#      the trap are those of one instruction at a time; the handler skips
#      the load and the loop goes on; minstret over the whole loop counts
#      both sides of the if/else exactly (11 and 8 instructions);
#   2. the same loop 200000 times under a timer interrupt every 50 ticks,
#      which stops the region at block boundaries inside it;
#   3. code in the loop rewritten (and fence.i) between two runs: the
#      second run executes the new instruction.
#include "guest.h"
#define N 60
#define FAULT_AT 33
#define DATA 0x1234
#define LONG_N 200000

/* One iteration: odd t1 adds t1 to s2 and the word at a5 (or, at
 * iteration s5, at address 0, which faults) to s3; even t1 subtracts it
 * from s2, xors it into s3 and adds 5 to s4. 11 instructions odd, 8 even. */
#define LOOP_BODY               \
1:	addi t1, t1, 1;         \
	andi t2, t1, 1;         \
	beqz t2, 3f;            \
	add s2, s2, t1;         \
	mv a5, s6;              \
	bne t1, s5, 2f;         \
	li a5, 0;               \
2:	.option push;           \
	.option norvc;          \
	ld a4, 0(a5);           \
	.option pop;            \
	add s3, s3, a4;         \
	j 4f;                   \
3:	sub s2, s2, t1;         \
	xor s3, s3, t1;         \
	addi s4, s4, 5;         \
4:	addi s1, s1, 1;         \
	blt t1, t0, 1b

GUEST_START
	/* 1. A fault inside the region. */
	la t0, skip_fault
	csrw mtvec, t0
	li s8, -1
	li t0, N
	li t1, 0
	li s1, 0
	li s2, 0
	li s3, 0
	li s4, 0
	li s5, FAULT_AT
	la s6, data
	li a4, 0
	csrr a6, minstret
	LOOP_BODY
	csrr a7, minstret
	la t2, 2b			/* the body's load */
	CHECK_EQ(s8, 5, 1)		/* load access fault */
	beq s9, t2, 9f
	FAIL(2)
9:	sub s10, s10, a6
	CHECK_EQ(s10, 1 + 19 * (FAULT_AT - 1) / 2 + 7, 3)
	CHECK_EQ(a3, 17, 4)		/* s2 when the load faulted */
	sub a7, a7, a6
	CHECK_EQ(a7, 1 + 19 * N / 2 + 7, 5)
	CHECK_EQ(s1, N, 6)
	CHECK_EQ(s2, -30, 7)
	CHECK_EQ(s3, 0x222be, 8)
	CHECK_EQ(s4, 150, 9)
	CHECK_EQ(t1, N, 10)

	/* 2. The loop under a stream of timer interrupts. */
	la t0, timer
	csrw mtvec, t0
	li s11, 0
	li t3, CLINT + 0xbff8
	ld t4, 0(t3)
	addi t4, t4, 50
	li t3, CLINT + 0x4000
	sd t4, 0(t3)
	li t3, 0x80
	csrs mie, t3
	csrsi mstatus, 8
	li t0, LONG_N
	li t1, 0
	li s1, 0
	li s2, 0
	li s3, 0
	li s4, 0
	li s5, -1
	LOOP_BODY
	csrci mstatus, 8
	li t3, 0x80
	csrc mie, t3
	li t3, 2
	bgeu s11, t3, 5f
	FAIL(20)			/* no interrupt came during the loop */
5:	CHECK_EQ(s1, LONG_N, 21)
	CHECK_EQ(s2, -100000, 22)
	CHECK_EQ(s3, 0x1c635c40, 23)
	CHECK_EQ(s4, 500000, 24)

	/* 3. Rewriting the loop's code between two runs. */
	call smc_loop
	CHECK_EQ(s4, 550, 30)
	la t3, new_insn
	lw t4, 0(t3)
	la t3, patch_me
	sw t4, 0(t3)
	fence.i
	call smc_loop
	CHECK_EQ(s4, 750, 31)
	PASS

/* 100 iterations: +1 on odd ones, +5 (the instruction patched) always. */
smc_loop:
	li t0, 100
	li t1, 0
	li s4, 0
1:	addi t1, t1, 1
	andi t2, t1, 1
	beqz t2, 2f
	addi s4, s4, 1
2:	.option push
	.option norvc
patch_me:
	addi s4, s4, 5
	.option pop
	blt t1, t0, 1b
	ret
	.option push
	.option norvc
new_insn:
	addi s4, s4, 7
	.option pop

	.align 2
skip_fault:
	csrr s10, minstret
	csrr s8, mcause
	csrr s9, mepc
	mv a3, s2
	addi t3, s9, 4
	csrw mepc, t3
	mret

	.align 2
timer:
	addi s11, s11, 1
	li t3, CLINT + 0xbff8
	ld t4, 0(t3)
	addi t4, t4, 50
	li t3, CLINT + 0x4000
	sd t4, 0(t3)
	mret

	.data
	.align 3
data:	.dword DATA

GUEST_DATA
