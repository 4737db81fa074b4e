# expect-exit: 0
# args: -smp 2
# Another hart rewrites code inside a running loop region (jit/region.c).
# Hart 0 spins in a loop of several blocks (an if inside it) that the
# translator makes one region; the loop ends only when the instruction at
# `site` loads 1 instead of 0, and nothing but hart 1's store changes it.
# Hart 1 waits 10 ms of mtime and stores the new instruction. The store
# drops the page's blocks, region included: hart 0 must come to run the
# new instruction (its loop head is cut off at once; at the latest the
# quantum's end sends it to the dispatcher, which decodes the page again),
# or it never leaves the loop and the test times out. The two halves of
# the loop's if must have run in turn.
#include "guest.h"

#define MTIME (CLINT + 0xbff8)
#define WAIT_TICKS 100000 /* 10 ms at 10 MHz */

GUEST_START
	csrr tp, mhartid
	bnez tp, writer

	li t1, 0
	li s1, 0
loop:
	addi t1, t1, 1
	andi t2, t1, 1
	beqz t2, 1f
	addi s1, s1, 1
1:	.option push
	.option norvc
site:
	li a0, 0
	.option pop
	beqz a0, loop

	li t3, 1000
	bltu s1, t3, 2f
	srli t3, t1, 1 /* the odd iterations: half of them, rounded up */
	sub t3, t3, s1
	addi t3, t3, 1
	li t4, 1
	bgtu t3, t4, 3f
	PASS
2:	FAIL(1) /* too few iterations before the store: no region ran */
3:	FAIL(2) /* the if's halves did not alternate */

writer:
	li t0, MTIME
	ld t1, 0(t0)
	li t2, WAIT_TICKS
	add t1, t1, t2
4:	ld t2, 0(t0)
	bltu t2, t1, 4b
	la t3, new_insn
	lw t4, 0(t3)
	la t3, site
	sw t4, 0(t3)
5:	wfi
	j 5b

	.option push
	.option norvc
new_insn:
	li a0, 1
	.option pop

GUEST_DATA
