# expect-exit: 0
# args: -icount shift=3
# -icount: mtime advances 2^shift ns per retired instruction (10 MHz mtime:
# 100 ns a tick). A loop of LOOPS * 2 instructions between two reads of
# `time` must take exactly that many virtual ticks, give or take the few
# instructions around it; the host's speed does not matter.
#include "guest.h"

#define LOOPS 500000
#define SHIFT 3
#define INSNS (LOOPS * 2 + 2)                 /* the loop, the li, the 2nd csrr */
#define TICKS (INSNS * (1 << SHIFT) / 100)

	GUEST_START
	csrr s0, time
	li t0, LOOPS
1:	addi t0, t0, -1
	bnez t0, 1b
	csrr s1, time
	sub s2, s1, s0
	/* Within 1 tick of the count (the division by 100 truncates). */
	li t1, TICKS - 1
	bltu s2, t1, too_slow
	li t1, TICKS + 1
	bgtu s2, t1, too_fast
	/* A wfi with a timer due: time jumps to the deadline at once. */
	li t0, CLINT + 0xbff8
	ld s3, 0(t0)                              /* mtime */
	li t1, 10000000                           /* one virtual second on */
	add s3, s3, t1
	li t0, CLINT + 0x4000
	sd s3, 0(t0)                              /* mtimecmp of hart 0 */
	li t0, 0x80                               /* mie.MTIE, mstatus.MIE off */
	csrw mie, t0
2:	wfi
	csrr t0, mip
	andi t0, t0, 0x80
	beqz t0, 2b
	csrr s4, time
	bltu s4, s3, woke_early
	sub s4, s4, s3
	li t1, 1000                               /* a few instructions past it */
	bgtu s4, t1, overslept
	PASS
too_slow: FAIL(2)
too_fast: FAIL(3)
woke_early: FAIL(4)
overslept: FAIL(5)

	GUEST_DATA
