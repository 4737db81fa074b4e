/* clang-format off */ /* assembler */
# args: -smp 64
# expect-output: all 64 harts ran, mhartid 0 to 63
#
# Every one of 64 harts runs, with its own CLINT and PLIC registers: the
# harts pass an IPI (CLINT msip) round a ring, 0 -> 1 -> ... -> 63 -> 0.
# Woken, hart i checks that its mtimecmp and its two PLIC contexts (2i for
# M, 2i+1 for S) hold what it writes, stores its mhartid in seen[i], counts
# itself, and wakes hart i+1. When the IPI comes back round, hart 0 checks
# seen[] and the count and prints the line above. Exit codes: 1 seen[i] is
# not i, 2 a PLIC threshold did not read back, 3 mtimecmp did not, 4 the
# count is not 64, 90 the ring did not come back within 40 s (fewer harts
# than 64?), 100 + mcause an unexpected trap. QEMU runs it the same way:
#   qemu-system-riscv64 -machine virt -bios none -smp 64 -nographic -kernel X.elf
#include "guest.h"

#define NHARTS 64
#define MSIP CLINT                   /* + 4 * hart */
#define MTIMECMP (CLINT + 0x4000)    /* + 8 * hart */
#define MTIME (CLINT + 0xbff8)
#define PLIC_THRESHOLD (PLIC + 0x200000) /* + 0x1000 * context */
#define TIMEOUT_TICKS (40 * 10000000)    /* 40 s of the 10 MHz mtime */

	.section .text.init
	.globl _start
_start:
	csrr tp, mhartid
	la t0, trap
	csrw mtvec, t0
	li t0, NHARTS
	bgeu tp, t0, park
	li t0, 0x8                   /* mie.MSIE; mstatus.MIE stays 0: no trap */
	csrw mie, t0
	beqz tp, hart0

	/* Hart i > 0: sleep until hart i-1's IPI. */
1:	wfi
	csrr t0, mip
	andi t0, t0, 0x8
	beqz t0, 1b
	call check_in
	j park

hart0:
	/* The timeout: mtimecmp[0] = now + TIMEOUT_TICKS, and MTIE. */
	li t0, MTIME
	ld s0, 0(t0)
	li t1, TIMEOUT_TICKS
	add s0, s0, t1
	li t0, MTIMECMP
	sd s0, 0(t0)
	li t0, 0x88                  /* MSIE | MTIE */
	csrw mie, t0
	call check_in
1:	wfi
	csrr t0, mip
	andi t1, t0, 0x8
	bnez t1, 2f
	andi t1, t0, 0x80
	beqz t1, 1b
	li a0, 90
	j finish
2:	fence iorw, iorw
	/* The ring came back: every seen[i] == i, and 64 check-ins. */
	la t0, seen
	li t1, 0
3:	lw t2, 0(t0)
	li a0, 1
	bne t2, t1, finish
	addi t0, t0, 4
	addi t1, t1, 1
	li t2, NHARTS
	bltu t1, t2, 3b
	la t0, count
	lw t1, 0(t0)
	li a0, 4
	li t2, NHARTS
	bne t1, t2, finish
	la a0, message
	li t0, UART0
4:	lbu t1, 0(a0)
	beqz t1, 6f
5:	lbu t2, 5(t0)                /* LSR.THRE */
	andi t2, t2, 0x20
	beqz t2, 5b
	sb t1, 0(t0)
	addi a0, a0, 1
	j 4b
6:	li a0, 0
	j finish

/* Hart tp was woken (or is hart 0, starting the ring): check its
 * registers, record itself, wake the next hart. Clobbers t0-t3, a0. */
check_in:
	li t0, MSIP
	slli t1, tp, 2
	add t0, t0, t1
	sw zero, 0(t0)               /* clear its own msip */
	/* Its PLIC contexts: thresholds 2i -> i % 7 + 1, 2i+1 -> the same. */
	li t0, PLIC_THRESHOLD
	slli t1, tp, 13              /* context 2i: 0x2000 * i */
	add t0, t0, t1
	li t1, 7
	remu t1, tp, t1
	addi t1, t1, 1
	li t3, 0x1000                /* context 2i+1 */
	add t3, t0, t3
	sw t1, 0(t0)
	sw t1, 0(t3)
	lw t2, 0(t0)
	li a0, 2
	bne t2, t1, finish
	lw t2, 0(t3)
	bne t2, t1, finish
	sw zero, 0(t0)
	sw zero, 0(t3)
	/* Its mtimecmp (hart 0's holds the timeout: leave it). */
	beqz tp, 1f
	li t0, MTIMECMP
	slli t1, tp, 3
	add t0, t0, t1
	slli t1, tp, 32
	addi t1, t1, 0x123
	sd t1, 0(t0)
	ld t2, 0(t0)
	li a0, 3
	bne t2, t1, finish
	li t1, -1
	sd t1, 0(t0)
1:	la t0, seen
	slli t1, tp, 2
	add t0, t0, t1
	sw tp, 0(t0)
	la t0, count
	li t1, 1
	amoadd.w.aqrl zero, t1, (t0)
	fence iorw, iorw
	/* Wake hart (i + 1) % NHARTS. */
	addi t1, tp, 1
	li t2, NHARTS
	bltu t1, t2, 2f
	li t1, 0
2:	li t0, MSIP
	slli t1, t1, 2
	add t0, t0, t1
	li t1, 1
	sw t1, 0(t0)
	ret

/* a0 = 0: pass; else fail with code a0 (the test finisher's encoding). */
finish:
	li t0, TEST_FINISHER
	li t1, 0x5555
	beqz a0, 1f
	slli t1, a0, 16
	li t2, 0x3333
	or t1, t1, t2
1:	sw t1, 0(t0)
	j park

park:
	csrw mie, zero
1:	wfi
	j 1b

	.align 2
trap:
	csrr a0, mcause
	andi a0, a0, 0xff
	addi a0, a0, 100
	j finish

	.section .rodata
message:
	.string "all 64 harts ran, mhartid 0 to 63\n"

	.data
	.balign 64
seen:	.fill NHARTS, 4, 0xffffffff
	.balign 64
count:	.word 0
