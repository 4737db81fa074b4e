# host-run: idle_cpu.sh
# Every hart sleeps in wfi until its own timer, SLEEP_TICKS from the start
# (2 s of guest time); hart 0 then waits for the others to check out and
# ends the run. idle_cpu.sh runs it with -smp 4 and checks that rvjit,
# all its threads together, used little host CPU meanwhile.
#include "litmus.h"

#define SLEEP_TICKS (2 * MTIME_HZ)

	LITMUS_START
	li t0, CLINT + 0xbff8
	ld s0, 0(t0)                 /* mtime now */
	li t1, SLEEP_TICKS
	add s0, s0, t1
	li t0, CLINT + 0x4000
	slli t1, tp, 3
	add t0, t0, t1
	sd s0, 0(t0)                 /* this hart's mtimecmp */
	li t0, 0x80                  /* mie.MTIE; mstatus.MIE stays 0: no trap */
	csrw mie, t0
1:	wfi
	csrr t0, mip
	andi t0, t0, 0x80
	beqz t0, 1b
	li t0, CLINT + 0xbff8
	ld t1, 0(t0)
	bltu t1, s0, woke_early
	LITMUS_JOIN done
	PASS
woke_early:
	FAIL(1)

	.bss
	.balign 64
done:	.zero 4
