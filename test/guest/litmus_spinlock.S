# expect-exit: 0
# args: -smp 4
# A spinlock gives mutual exclusion (unpriv chapter 8.4's amoswap lock):
# four harts take it with amoswap.w.aq (test-and-test-and-set), and release
# it with amoswap.w.rl or with fence rw,w + sw, on alternate rounds. Inside,
# a plain ld/addi/sd counter must lose no increment, and the hart's id,
# stored on entry, must still be there when it leaves. Without .aq/.rl
# (and the emulator keeping them), the counter's accesses could leak out of
# the critical section; without the AMO, two harts could hold the lock.
#include "litmus.h"

#define ITERS 200000 /* lock acquisitions per hart */

	LITMUS_START
	li s0, ITERS
	la s1, lock
	la s2, counter
	la s3, owner
	li s4, 1
loop:
	amoswap.w.aq t0, s4, (s1)
	beqz t0, 2f
	/* Held: wait until it looks free, then try again. */
	SPIN_UNTIL eq, lw, s1, zero
	j loop
2:	/* Critical section. */
	sd tp, 0(s3)
	ld t0, 0(s2)
	addi t0, t0, 1
	sd t0, 0(s2)
	ld t1, 0(s3)
	bne t1, tp, not_exclusive
	andi t0, s0, 1
	beqz t0, 3f
	amoswap.w.rl zero, zero, (s1)
	j 4f
3:	fence rw, w
	sw zero, 0(s1)
4:	call litmus_wake        /* a hart waiting for the lock may nap */
	addi s0, s0, -1
	bnez s0, loop

	LITMUS_JOIN done
	ld t0, 0(s2)
	CHECK_EQ(t0, ITERS * LITMUS_HARTS, 1)
	lw t0, 0(s1)
	CHECK_EQ(t0, 0, 3)
	call litmus_print_naps
	PASS

not_exclusive:
	FAIL(2)

	.data
	.balign 64
lock:
	.word 0
	.balign 64
counter:
	.dword 0
	.balign 64
owner:
	.dword -1
	.balign 64
done:
	.word 0
