# expect-exit: 0
# args: -smp 2
# A polling loop keeps its state in registers while it waits for another
# hart's store, and the state must survive the wait. Hart 0 polls a flag
# and counts its polls in eight registers, each twice per poll: with
# the flag's register that is nine registers used twice in one block,
# which the translator caches in host registers down to r11. With a thread
# per hart the loop's back edge calls into C to give the host CPU away now
# and then (jit_spin_wait: sched_yield, nanosleep), which may clobber
# r8-r11; the cached registers must be written back before that call and
# reloaded after it. Hart 1 stores the flag after 100 ms of mtime, so the
# loop polls many thousand times. The eight counts must end equal.
#include "guest.h"

#define MTIME (CLINT + 0xbff8)
#define WAIT_TICKS 1000000 /* 100 ms at 10 MHz */

GUEST_START
	csrr tp, mhartid
	bnez tp, writer

	la a0, flag
	li t0, 0
	li s2, 0
	li s3, 0
	li s4, 0
	li s5, 0
	li s6, 0
	li s7, 0
	li s8, 0
	li s9, 0
poll:	/* one block: a load from a base it keeps, and arithmetic */
	ld t0, 0(a0)
	addi s2, s2, 1
	addi s3, s3, 1
	addi s4, s4, 1
	addi s5, s5, 1
	addi s6, s6, 1
	addi s7, s7, 1
	addi s8, s8, 1
	addi s9, s9, 1
	addi s2, s2, 1
	addi s3, s3, 1
	addi s4, s4, 1
	addi s5, s5, 1
	addi s6, s6, 1
	addi s7, s7, 1
	addi s8, s8, 1
	addi s9, s9, 1
	beqz t0, poll

	CHECK_EQ(t0, 1, 1)
	bne s3, s2, fail
	bne s4, s2, fail
	bne s5, s2, fail
	bne s6, s2, fail
	bne s7, s2, fail
	bne s8, s2, fail
	bne s9, s2, fail
	PASS
fail:	FAIL(2)

writer:
	li t0, MTIME
	ld t1, 0(t0)
	li t2, WAIT_TICKS
	add t1, t1, t2
1:	ld t2, 0(t0)
	bltu t2, t1, 1b
	la t0, flag
	li t1, 1
	sd t1, 0(t0)
	csrw mie, zero
2:	wfi
	j 2b

	.data
	.balign 64
flag:	.dword 0

GUEST_DATA
