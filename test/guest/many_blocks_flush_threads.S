# args: -smp 2 --jit-cache 1M --stats
# expect-output: engine=interp|flushes=[1-9]
# Two harts, each on its own host thread, run thousands of distinct blocks
# (the shape of test/guest/many_blocks.h) over and over with a 1 MiB code
# buffer, which they fill again and again while both run. A flush must
# wait until neither hart is inside translated code (core/hart_threads.c);
# each hart's count must still be exact. Hart 1 reports its count to
# hart 0, which checks it and ends the run.
#include "guest.h"

#define MANY_BLOCKS 20000
#define ROUNDS 5

GUEST_START
	csrr tp, mhartid
	li t0, 0
	li s1, 0
round:
	call many_blocks
	addi s1, s1, 1
	/* After each round the count is exact already. */
	li t1, MANY_BLOCKS
	mul t1, t1, s1
	beq t0, t1, 1f
	addi a0, tp, 1 /* fail with 1 + hartid */
	j guest_exit
1:	li t1, ROUNDS
	bne s1, t1, round
	la t2, hart1_count
	bnez tp, report
	/* Hart 0: wait for hart 1's count (a failing hart 1 ends the run). */
2:	ld t1, 0(t2)
	beqz t1, 2b
	CHECK_EQ(t0, MANY_BLOCKS * ROUNDS, 3)
	CHECK_EQ(t1, MANY_BLOCKS * ROUNDS, 4)
	PASS
report:
	sd t0, 0(t2)
	csrw mie, zero
3:	wfi
	j 3b

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

	.data
	.balign 64
hart1_count: .dword 0

GUEST_DATA
