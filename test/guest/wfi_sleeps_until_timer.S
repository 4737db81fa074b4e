# expect-exit: 0
# wfi with only a far timer pending must sleep the host thread; the
# interrupt still arrives on time. test/idle_cpu.sh checks the host CPU time
# of this program; here the guest checks that it woke by the timer, not early.
#include "guest.h"
#define MTIMECMP (CLINT + 0x4000)
#define MTIME (CLINT + 0xbff8)
#define WAIT_TICKS 15000000 /* 1.5 s at 10 MHz */
GUEST_START
	la t0, timer_handler
	csrw mtvec, t0
	li t0, MTIME
	ld s0, 0(t0)            /* s0 = start time */
	li t1, WAIT_TICKS
	add t1, s0, t1
	li t0, MTIMECMP
	sd t1, 0(t0)
	li t0, (1 << 7)         /* mie.MTIE */
	csrw mie, t0
	/* Interrupts globally off: wfi still wakes on a pending enabled
	 * interrupt (priv spec 3.3.3), the loop then checks the time. */
1:	wfi
	li t0, MTIME
	ld t1, 0(t0)
	sub t1, t1, s0
	li t2, WAIT_TICKS
	bltu t1, t2, 1b
	csrr t0, mip
	andi t0, t0, (1 << 7)
	CHECK_EQ(t0, (1 << 7), 2)
	PASS
	.align 2
timer_handler:
	FAIL(3)                 /* MIE is clear: no trap may be taken */
GUEST_DATA
