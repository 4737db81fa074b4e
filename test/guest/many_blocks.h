/* clang-format off */ /* assembler macros, which clang-format would mangle */
/*
 * The body of many_blocks_flush.S and many_blocks_flush_small_cache.S:
 * MANY_BLOCKS distinct blocks (c.addi t0, 1; c.j to the next), run
 * ROUNDS times over. Each block adds 1 to t0, so the count is exact only
 * if every block ran every time, whatever the translator flushed and
 * retranslated in between. Include after guest.h.
 */
#ifndef MANY_BLOCKS_H
#define MANY_BLOCKS_H

#define MANY_BLOCKS 20000
#define ROUNDS 5

GUEST_START
	li t0, 0
	li s1, 0
round:
	call many_blocks
	addi s1, s1, 1
	/* After each round the count is exact already. */
	li t1, MANY_BLOCKS
	mul t1, t1, s1
	beq t0, t1, 1f
	FAIL(1)
1:	li t1, ROUNDS
	bne s1, t1, round
	CHECK_EQ(t0, MANY_BLOCKS * ROUNDS, 2)
	PASS

	.align 12
many_blocks:
	.option push
	.option rvc
	.rept MANY_BLOCKS
	c.addi t0, 1
	c.j 1f
1:
	.endr
	.option pop
	ret
GUEST_DATA

#endif
