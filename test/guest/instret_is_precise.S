# minstret counts exactly the instructions that retired (unpriv Zicntr,
# priv 3.1.10): a straight line of N instructions adds N, a loop adds
# its dynamic count, an instruction that traps (including ecall and
# ebreak) does not count, and after a write the next instruction reads
# the written value.
#include "guest.h"
#include "trap_helpers.h"
GUEST_START
	la t0, count_handler
	csrw mtvec, t0

	/* Straight line: 10 instructions between the reads, plus the first
	 * read itself. */
	csrr a0, minstret
	addi t0, t0, 1
	addi t0, t0, 1
	addi t0, t0, 1
	addi t0, t0, 1
	addi t0, t0, 1
	c.addi t0, 1
	c.addi t0, 1
	c.nop
	xor t1, t1, t1
	lui t1, 1
	csrr a1, minstret
	sub a1, a1, a0
	CHECK_EQ(a1, 11, 1)

	/* rdinstret sees the same counter. */
	csrr a0, minstret
	rdinstret a1
	sub a1, a1, a0
	CHECK_EQ(a1, 1, 2)

	/* A loop: li + 100 * (addi, bnez) + the first read. */
	csrr a0, minstret
	li t0, 100
1:	addi t0, t0, -1
	bnez t0, 1b
	csrr a1, minstret
	sub a1, a1, a0
	CHECK_EQ(a1, 202, 3)

	/* A call and a return across blocks: read, jal, addi, ret. */
	csrr a0, minstret
	jal ra, leaf
	csrr a1, minstret
	sub a1, a1, a0
	CHECK_EQ(a1, 4, 4)

	/* A faulting load does not retire: the handler's first instruction
	 * sees only the read before it. */
	li t1, 0x18000000 /* a hole in the physical map */
	la s11, 1f
	csrr a0, minstret
	lw t2, 0(t1)
1:	sub a1, s5, a0
	CHECK_EQ(s8, 5, 5)
	CHECK_EQ(a1, 1, 6)
	/* Neither do ecall, ebreak and an illegal instruction. */
	la s11, 1f
	csrr a0, minstret
	ecall
1:	sub a1, s5, a0
	CHECK_EQ(s8, 11, 7)
	CHECK_EQ(a1, 1, 8)
	la s11, 1f
	csrr a0, minstret
	ebreak
1:	sub a1, s5, a0
	CHECK_EQ(s8, 3, 9)
	CHECK_EQ(a1, 1, 10)
	la s11, 1f
	csrr a0, minstret
	.word 0
1:	sub a1, s5, a0
	CHECK_EQ(s8, 2, 11)
	CHECK_EQ(a1, 1, 12)
	/* The handler's own instructions and mret count: from the read in
	 * the handler to the read after return: csrr mcause, csrw mepc,
	 * mret = 3, plus the handler's read itself. */
	la s11, 1f
	ecall
1:	csrr a1, minstret
	sub a1, a1, s5
	CHECK_EQ(a1, 4, 13)

	/* Writes: the next instruction reads the value written. */
	li t0, 1000
	csrw minstret, t0
	csrr a0, minstret
	CHECK_EQ(a0, 1000, 20)
	li t0, 5000
	csrw minstret, t0
	addi t1, t1, 1
	addi t1, t1, 1
	addi t1, t1, 1
	addi t1, t1, 1
	addi t1, t1, 1
	csrr a0, minstret
	CHECK_EQ(a0, 5005, 21)
	/* Also when the write is not the first instruction of a block. */
	li t0, 123456789
	addi t1, t1, 1
	csrw minstret, t0
	nop
	csrr a0, minstret
	CHECK_EQ(a0, 123456790, 22)
	/* Large values. */
	li t0, -3
	csrw minstret, t0
	csrr a0, minstret
	csrr a1, minstret
	CHECK_EQ(a0, -3, 23)
	CHECK_EQ(a1, -2, 24)
	PASS

leaf:
	addi t0, t0, 1
	ret

	.align 2
count_handler:
	csrr s5, minstret
	csrr s8, mcause
	csrw mepc, s11
	mret

GUEST_DATA
