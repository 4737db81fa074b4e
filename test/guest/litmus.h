/* clang-format off */ /* assembler macros, which clang-format would mangle */
/*
 * Multi-hart litmus tests: include this instead of using GUEST_START.
 *
 * With -bios none every hart starts at the ELF entry with a0 = mhartid (the
 * reset vector of QEMU's virt board, loader/bootrom.c). GUEST_START and
 * crt0.S are written for one hart: with -smp N every hart would run them on
 * the one stack. So these tests have their own entry, LITMUS_START:
 *
 *   every hart   tp = mhartid, a 4 KiB stack of its own, mtvec = a handler
 *                that fails the test with LITMUS_FAIL_TRAP + mcause;
 *   hart >= LITMUS_HARTS   parks in wfi for good;
 *   the others   check in; hart 0 zeroes .bss and waits up to
 *                LITMUS_START_TICKS for all LITMUS_HARTS (else fails with
 *                LITMUS_FAIL_HARTS: run with -smp 4), then lets them all go
 *                at once into the code after the macro, which dispatches on
 *                tp. .data holds what the program starts with, .bss zeroes.
 *
 * The run ends through the test finisher (0x100000), not HTIF: QEMU's virt
 * board has no HTIF, and QEMU, whose MTTCG runs each hart on its own host
 * thread, is the reference these programs are checked against:
 *   qemu-system-riscv64 -machine virt -bios none -smp 4 -nographic -kernel X.elf
 * Any hart may end the run. PASS, FAIL(n) and CHECK_EQ (guest.h) jump to
 * guest_exit, which LITMUS_START defines. Exit codes: 1..89 a test's own
 * checks, LITMUS_FAIL_HARTS, LITMUS_FAIL_TIMEOUT, LITMUS_FAIL_TRAP + mcause.
 *
 * Waiting. With a host thread per hart, harts can outnumber host CPUs (4
 * harts on 2 CPUs, ctest -j, a busy machine), and a hart spinning for one
 * that is not running holds a CPU for a scheduler slice: milliseconds per
 * hand-over, seconds per test. So:
 *   - a hart waiting in a litmus round (SPIN_UNTIL, litmus_barrier) spins
 *     for LITMUS_SPIN_TICKS, which is all it takes while both harts run,
 *     and outlasts a quantum of rvjit's round-robin mode. Then it naps:
 *     it sets its bit in litmus_napping, looks once more, and sleeps in wfi
 *     until an IPI (CLINT msip) or, should one be lost, the timer after
 *     LITMUS_NAP_TICKS. A hart that makes another's wait end calls
 *     litmus_wake after its store: fence rw,rw, then an IPI to every
 *     napping hart. (The bit and the store it waits for are the two sides
 *     of an SB shape, so one of them sees the other: no lost wake-up.)
 *   - a hart waiting for the others' whole run (litmus_wait_eq) sleeps in
 *     wfi and looks every LITMUS_POLL_TICKS; it takes no IPIs;
 *   - a hart with nothing left to do parks in wfi for good.
 * wfi ends on a pending interrupt enabled in mie even with mstatus.MIE = 0
 * (priv 3.3.3), so none of this traps. Polls run SPIN_PAUSE (Zihintpause
 * `pause`, a FENCE hint any RV64GC hart runs as a no-op) for an emulator
 * that yields there.
 *
 * Runtime, callable from any hart. It clobbers a0-a5, t0-t5 and ra only,
 * so tests keep their state in s0-s11 (and tp, sp):
 *   litmus_wait_eq   a0 = &word (32 bits), a1 = value, a2 = timeout in
 *                    mtime ticks: wait until the word holds a1, then
 *                    fence r,rw; on timeout fail with LITMUS_FAIL_TIMEOUT
 *   litmus_barrier   a0 = a LITMUS_BARRIER, a1 = how many harts use it:
 *                    sense-reversing barrier on AMOs; what a hart did
 *                    before it is visible to all after it
 *   litmus_wake      after a store another hart may be napping for: wake
 *                    the napping harts (clobbers t0-t3 only)
 *   litmus_print_naps   print how often each hart napped: how often the
 *                    harts did not run at the same time
 *   litmus_park      wfi forever (mie is 0, so nothing wakes the hart)
 *   litmus_puts      a0 = NUL-terminated string, to the UART
 *   litmus_put_dec   a0 = unsigned number, in decimal, to the UART
 * Macros:
 *   LITMUS_BARRIER name        (in .data) a barrier
 *   SPIN_UNTIL cond, load, addr, value   poll `load t0, 0(addr)` until
 *                              `b<cond> t0, value` is taken (cond: eq, ne,
 *                              ...), leaving the value in t0; no fence after
 *                              (the litmus shape decides); clobbers t0-t3, ra
 *   LITMUS_PRINT "text"        litmus_puts of a literal
 *   LITMUS_JOIN word           every hart adds 1 to the 32-bit word with
 *                              amoadd.w.aqrl; hart 0 then waits until all
 *                              LITMUS_HARTS have (litmus_wait_eq), the others
 *                              park: what each did before is visible to hart
 *                              0 after it; clobbers what litmus_wait_eq does
 */
#ifndef LITMUS_H
#define LITMUS_H
#include "guest.h"

#define LITMUS_HARTS 4
#define LITMUS_STACK_SHIFT 12 /* 4 KiB per hart; link.ld leaves 16 KiB */

#define MSIP CLINT                /* + 4 * hart */
#define MTIMECMP (CLINT + 0x4000) /* + 8 * hart */
#define MTIME (CLINT + 0xbff8)
#define MIP_MSIP (1 << 3)
#define MIP_MTIP (1 << 7)
#define MTIME_HZ 10000000

#define LITMUS_SPIN_TICKS (MTIME_HZ / 20000) /* 50 us of polling, then a nap */
#define LITMUS_SPIN_BATCH 256                /* polls between two clock reads */
#define LITMUS_NAP_TICKS (MTIME_HZ / 1000)   /* a nap without its IPI: 1 ms */
#define LITMUS_POLL_TICKS (MTIME_HZ / 1000)  /* litmus_wait_eq: 1 ms */
#define LITMUS_START_TICKS (5 * MTIME_HZ)
/* For a hart waiting on the others' whole run: generous, but below the
 * 50 s run_guest.sh gives a program, so a hang gets its own exit code. */
#define LITMUS_WAIT_TICKS (45 * MTIME_HZ)

#define LITMUS_FAIL_HARTS 90   /* fewer than LITMUS_HARTS harts arrived */
#define LITMUS_FAIL_TIMEOUT 91 /* litmus_wait_eq gave up */
#define LITMUS_FAIL_TRAP 100   /* + mcause: an unexpected trap */

#define SPIN_PAUSE .4byte 0x0100000f /* pause (fence w,0) */

/* A barrier: count and sense on one cache line, each hart's own sense on
 * the next. */
#define LITMUS_BARRIER_COUNT 0
#define LITMUS_BARRIER_SENSE 4
#define LITMUS_BARRIER_LOCAL 64

	.macro LITMUS_BARRIER name
	.balign 64
\name:
	.zero 128
	.endm

	.macro LITMUS_JOIN word
	la t0, \word
	li t1, 1
	amoadd.w.aqrl zero, t1, (t0)
	bnez tp, litmus_park
	la a0, \word
	li a1, LITMUS_HARTS
	li a2, LITMUS_WAIT_TICKS
	call litmus_wait_eq
	.endm

	.macro SPIN_UNTIL cond, load, addr, value
.Lspin_again\@:
	li t3, MTIME
	ld t1, 0(t3)
	li t2, LITMUS_SPIN_TICKS
	add t1, t1, t2
.Lspin_batch\@:
	li t2, LITMUS_SPIN_BATCH
.Lspin_poll\@:
	\load t0, 0(\addr)
	b\cond t0, \value, .Lspin_done\@
	SPIN_PAUSE
	addi t2, t2, -1
	bnez t2, .Lspin_poll\@
	li t3, MTIME
	ld t3, 0(t3)
	bltu t3, t1, .Lspin_batch\@
	/* Nap: say so, look once more, sleep until woken. */
	call litmus_nap_begin
	\load t0, 0(\addr)
	b\cond t0, \value, .Lspin_woken\@
	wfi
.Lspin_woken\@:
	call litmus_nap_end
	j .Lspin_again\@
.Lspin_done\@:
	.endm

	.macro LITMUS_PRINT text
	.pushsection .rodata
.Llitmus_text\@:
	.asciz "\text"
	.popsection
	la a0, .Llitmus_text\@
	call litmus_puts
	.endm

	.macro LITMUS_START
	.section .text.init
	.globl _start
_start:
	csrr tp, mhartid
	la t0, litmus_trap
	csrw mtvec, t0
	li t0, LITMUS_HARTS
	bgeu tp, t0, litmus_park
	la sp, __stack_top
	slli t0, tp, LITMUS_STACK_SHIFT
	sub sp, sp, t0
	la t0, litmus_arrived
	li t1, 1
	amoadd.w.aqrl zero, t1, (t0)
	bnez tp, 1f
	/* Hart 0: zero .bss, wait for everyone, then start them together. */
	la t0, __bss_start
	la t1, __bss_end
2:	bgeu t0, t1, 3f
	sd zero, 0(t0)
	addi t0, t0, 8
	j 2b
3:	la a0, litmus_arrived
	li a1, LITMUS_HARTS
	li a2, LITMUS_START_TICKS
	li a3, LITMUS_FAIL_HARTS
	call litmus_wait_eq_code
	la t0, litmus_go
	li t1, 1
	fence rw, w
	sw t1, 0(t0)
	call litmus_wake
	j litmus_main
1:	la s0, litmus_go
	li s1, 1
	SPIN_UNTIL eq, lw, s0, s1
	fence r, rw
	j litmus_main

	.align 2
litmus_trap:
	csrr a0, mcause
	andi a0, a0, 0x3f
	addi a0, a0, LITMUS_FAIL_TRAP
	/* fall through */

	.globl guest_exit
guest_exit: /* a0 = code; 0 passes */
	li t0, TEST_FINISHER
	li t1, 0x5555
	beqz a0, 1f
	slli t1, a0, 16
	li t2, 0x3333
	or t1, t1, t2
1:	sw t1, 0(t0)
	/* The machine stops soon after; this hart must not go on meanwhile. */
	fence
	j litmus_park

	.text
litmus_park:
	csrw mie, zero
1:	wfi
	j 1b

/* SPIN_UNTIL's nap; both clobber t0-t2 only. */
litmus_nap_begin:
	la t0, litmus_naps
	slli t1, tp, 3
	add t0, t0, t1
	ld t1, 0(t0)
	addi t1, t1, 1
	sd t1, 0(t0)
	/* The fallback timer, then the bit: .aqrl orders the caller's look
	 * once more after it. */
	li t0, MTIME
	ld t1, 0(t0)
	li t2, LITMUS_NAP_TICKS
	add t1, t1, t2
	li t0, MTIMECMP
	slli t2, tp, 3
	add t0, t0, t2
	sd t1, 0(t0)
	li t2, MIP_MSIP | MIP_MTIP
	csrs mie, t2
	la t0, litmus_napping
	li t1, 1
	sll t1, t1, tp
	amoor.w.aqrl zero, t1, (t0)
	ret

litmus_nap_end:
	li t2, MIP_MSIP | MIP_MTIP
	csrc mie, t2
	la t0, litmus_napping
	li t1, 1
	sll t1, t1, tp
	not t1, t1
	amoand.w.aqrl zero, t1, (t0)
	/* An IPI that came late (or never found us asleep) must not cut the
	 * next nap short: clear it. */
	li t0, MSIP
	slli t1, tp, 2
	add t0, t0, t1
	sw zero, 0(t0)
	ret

litmus_wake:
	fence rw, rw
	la t0, litmus_napping
	lw t0, 0(t0)
	beqz t0, 3f
	li t1, MSIP
	li t2, 1
1:	andi t3, t0, 1
	beqz t3, 2f
	sw t2, 0(t1)
2:	srli t0, t0, 1
	addi t1, t1, 4
	bnez t0, 1b
3:	ret

litmus_wait_eq:
	li a3, LITMUS_FAIL_TIMEOUT
litmus_wait_eq_code: /* a3 = the code to fail with */
	li t0, MTIME
	ld t1, 0(t0)
	add t1, t1, a2          /* t1 = deadline */
	li t2, MTIMECMP
	slli t3, tp, 3
	add t2, t2, t3          /* t2 = this hart's mtimecmp */
	li t3, MIP_MTIP
	csrs mie, t3
1:	lw t3, 0(a0)
	beq t3, a1, 3f
	ld t4, 0(t0)
	bgeu t4, t1, 2f
	li t5, LITMUS_POLL_TICKS
	add t4, t4, t5
	sd t4, 0(t2)
	wfi
	j 1b
2:	mv a0, a3
	j guest_exit
3:	li t3, MIP_MTIP
	csrc mie, t3
	fence r, rw
	ret

litmus_barrier:
	/* Flip this hart's sense: the value the shared sense takes when the
	 * last hart arrives. */
	slli t0, tp, 2
	add t0, t0, a0
	lw t1, LITMUS_BARRIER_LOCAL(t0)
	xori t1, t1, 1
	sw t1, LITMUS_BARRIER_LOCAL(t0)
	/* Arrive; .aqrl publishes this hart's earlier accesses. */
	li t2, 1
	amoadd.w.aqrl t3, t2, (a0)     /* LITMUS_BARRIER_COUNT is 0 */
	addi t2, a1, -1
	bne t3, t2, 1f
	/* Last to arrive: reset the count, then release the others. */
	sw zero, LITMUS_BARRIER_COUNT(a0)
	addi t2, a0, LITMUS_BARRIER_SENSE
	amoswap.w.rl zero, t1, (t2)
	tail litmus_wake
1:	mv a2, ra
	addi a3, a0, LITMUS_BARRIER_SENSE
	mv a4, t1
	SPIN_UNTIL eq, lw, a3, a4
	fence r, rw
	jr a2

litmus_print_naps:
	addi sp, sp, -16
	sd ra, 0(sp)
	sd s0, 8(sp)
	LITMUS_PRINT "naps:"
	li s0, 0
1:	LITMUS_PRINT " "
	la t0, litmus_naps
	add t0, t0, s0
	ld a0, 0(t0)
	call litmus_put_dec
	addi s0, s0, 8
	li t0, 8 * LITMUS_HARTS
	bltu s0, t0, 1b
	LITMUS_PRINT "\n"
	ld ra, 0(sp)
	ld s0, 8(sp)
	addi sp, sp, 16
	ret

litmus_puts:
	li t0, UART0
1:	lbu t1, 0(a0)
	beqz t1, 3f
2:	lbu t2, 5(t0)           /* LSR.THRE: room for a byte */
	andi t2, t2, 0x20
	beqz t2, 2b
	sb t1, 0(t0)
	addi a0, a0, 1
	j 1b
3:	ret

litmus_put_dec:
	addi sp, sp, -32
	sd ra, 0(sp)
	addi t0, sp, 31         /* digits backwards from the end */
	sb zero, 0(t0)
	li t1, 10
1:	remu t2, a0, t1
	divu a0, a0, t1
	addi t2, t2, '0'
	addi t0, t0, -1
	sb t2, 0(t0)
	bnez a0, 1b
	mv a0, t0
	call litmus_puts
	ld ra, 0(sp)
	addi sp, sp, 32
	ret

	.data
	.balign 64
litmus_arrived:
	.word 0
	.balign 64
litmus_go:
	.word 0
	.balign 64
litmus_napping: /* bit h: hart h is napping, or about to */
	.word 0
	.balign 64
litmus_naps: /* per hart: how often it napped */
	.zero 8 * LITMUS_HARTS
	.balign 64

	.text
litmus_main:
	.endm

#endif
