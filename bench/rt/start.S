/*
 * start.S - M-mode start-up for a bench workload on the virt board.
 *
 * Hart 0 gets a stack, a trap vector, the FPU (mstatus.FS = Initial) and a
 * zeroed .bss, then calls bench_main(), which never returns. Other harts
 * park in wfi.
 */
	.section .text.start, "ax"
	.globl _start
_start:
	csrr	t0, mhartid
	bnez	t0, park
	la	sp, __stack_top
	la	t0, trap_entry
	csrw	mtvec, t0
	li	t0, 1 << 13		/* mstatus.FS = 1 (Initial) */
	csrs	mstatus, t0
	csrwi	fcsr, 0
	la	t0, __bss_start
	la	t1, __bss_end
1:	bgeu	t0, t1, 2f
	sd	zero, 0(t0)
	addi	t0, t0, 8
	j	1b
2:	call	bench_main
park:
	wfi
	j	park

	.align	2
	.globl	trap_entry
trap_entry:
	la	sp, __trap_stack_top
	call	bench_trap
	j	park
