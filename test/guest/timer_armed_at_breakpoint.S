# host-run: clock_stops_gdb.py
/*
 * Driven by test/clock_stops_gdb.py through gdb-multiarch, not run as a
 * guest_ test: arms the machine timer ARM_TICKS ahead with interrupts on,
 * then reaches `timer_armed`, where gdb waits at a breakpoint for longer
 * than that. While the machine is stopped its clock stands still, so a
 * stepi from there runs the next instruction (`after_step`); the trap to
 * `timer_trap` comes only later, when the guest has run ARM_TICKS.
 */
#include "guest.h"
#define MTIMECMP (CLINT + 0x4000)
#define MTIME (CLINT + 0xbff8)
#define ARM_TICKS 1000000 /* 100 ms at 10 MHz */
GUEST_START
	la t0, timer_trap
	csrw mtvec, t0
	li t0, MTIME
	ld t1, 0(t0)
	li t2, ARM_TICKS
	add t1, t1, t2
	li t0, MTIMECMP
	sd t1, 0(t0)
	li t0, (1 << 7)         /* mie.MTIE */
	csrw mie, t0
	csrsi mstatus, (1 << 3) /* mstatus.MIE */
	.globl timer_armed
timer_armed:
	li s1, 1
	.globl after_step
after_step:
	addi s1, s1, 1
1:	j 1b                    /* wait for the timer */
	.align 2
	.globl timer_trap
timer_trap:
	csrr a0, mcause
	li t0, (1 << 63) | 7    /* machine timer interrupt */
	bne a0, t0, 2f
	PASS
2:	FAIL(2)
GUEST_DATA
