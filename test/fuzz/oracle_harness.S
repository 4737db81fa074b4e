/*
 * The bare-metal harness that runs one rvgen program (rvgen.h) in any
 * machine that boots like QEMU's virt with -bios none: QEMU itself, and
 * rvjit in either engine. oracle_image.c puts a program, its data and
 * this harness into one ELF image; the harness loads each hart's initial
 * state, enters the program, and at its end prints the final state on the
 * UART (oracle_print.c). Comparing the printed text of two machines is the
 * whole oracle: nothing of rvjit's own is trusted on either side.
 *
 * The handler is rvgen_run.c's (record mcause, mepc and mtval at x30, then
 * resume after the faulting instruction) with one addition: interrupts,
 * which the oracle's programs raise on purpose through the CLINT, are
 * recorded too, their source is silenced (msip cleared, mtimecmp set to
 * its maximum), and the interrupted instruction is not skipped. And an
 * instruction access fault, where there is no instruction to skip,
 * resumes at the address the jumping item left at -8(x2) (rvgen.c
 * gen_fetch_fault).
 */
#include "oracle_layout.h"

	.section .text.entry, "ax"
	.globl _start
	.option push
	.option norvc			/* two 4-byte jumps at fixed addresses */
_start:
	j	boot			/* ORACLE_ENTRY_PA */
	j	dump			/* ORACLE_DUMP_PA */
	.option pop

	.section .text.handler, "ax"
	.balign 16
	.globl handler
handler:
	csrr	x31, mcause
	srli	x29, x30, 15		/* the record area is full */
	andi	x29, x29, 1
	bnez	x29, 1f
	sd	x31, 0(x30)
	csrr	x31, mepc
	sd	x31, 8(x30)
	csrr	x31, mtval
	sd	x31, 16(x30)
	addi	x30, x30, 24
1:	csrr	x31, mcause
	bltz	x31, interrupt
	addi	x29, x31, -1
	beqz	x29, fetch_fault
	csrr	x29, mepc		/* skip the instruction: 2 or 4 bytes */
	lhu	x31, 0(x29)
	andi	x31, x31, 3
	addi	x31, x31, -3
	addi	x29, x29, 2
	bnez	x31, 2f
	addi	x29, x29, 2
2:	csrw	mepc, x29
	mret
fetch_fault:				/* resume where the jump's item said */
	ld	x29, -8(x2)
	csrw	mepc, x29
	mret
interrupt:
	andi	x31, x31, 63
	addi	x31, x31, -3
	bnez	x31, 3f
	csrr	x29, mhartid		/* machine software interrupt: msip = 0 */
	slli	x29, x29, 2
	li	x31, ORACLE_CLINT_PA
	add	x31, x31, x29
	sw	zero, 0(x31)
	mret
3:	csrr	x29, mhartid		/* machine timer interrupt: mtimecmp = max */
	slli	x29, x29, 3
	li	x31, ORACLE_MTIMECMP_PA
	add	x31, x31, x29
	li	x29, -1
	sd	x29, 0(x31)
	mret

	.text
/* Every hart: its state from the table, then mret into the program in
 * M-mode with interrupts off. */
boot:
	csrr	t0, mhartid
	slli	t0, t0, 10		/* ORACLE_STATE_STRIDE */
	li	x31, ORACLE_STATE_PA
	add	x31, x31, t0
	la	t0, handler
	csrw	mtvec, t0
	li	t0, 3 << 13		/* FS on while the FP registers load */
	csrs	mstatus, t0
	.irp	n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	fld	f\n, ORACLE_ST_F + 8 * \n(x31)
	.endr
	ld	t1, ORACLE_ST_FRM(x31)
	csrw	frm, t1
	csrw	fflags, zero
	csrc	mstatus, t0
	ld	t1, ORACLE_ST_FS(x31)
	csrs	mstatus, t1
	li	t0, 3 << 11		/* MPP = M, MPIE = 0 */
	csrs	mstatus, t0
	li	t0, 1 << 7
	csrc	mstatus, t0
	ld	t0, ORACLE_ST_PC(x31)
	csrw	mepc, t0
	.irp	n, 1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30
	ld	x\n, ORACLE_ST_X + 8 * \n(x31)
	.endr
	ld	x31, ORACLE_ST_X + 8 * 31(x31)
	mret

/* A program's end jumps here with x29 and x31 free (rvgen_layout's
 * epilogue): save this hart's state, then hart 0 prints every hart's. */
dump:
	csrr	x29, mhartid
	slli	x29, x29, 10		/* ORACLE_SAVE_STRIDE */
	li	x31, ORACLE_SAVE_PA
	add	x31, x31, x29
	.irp	n, 1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,30
	sd	x\n, ORACLE_SV_X + 8 * \n(x31)
	.endr
	csrr	x29, mstatus		/* before FS is forced on */
	sd	x29, ORACLE_SV_MSTATUS(x31)
	csrr	x29, mscratch
	sd	x29, ORACLE_SV_MSCRATCH(x31)
	csrr	x29, mepc
	sd	x29, ORACLE_SV_MEPC(x31)
	csrr	x29, mcause
	sd	x29, ORACLE_SV_MCAUSE(x31)
	csrr	x29, mtval
	sd	x29, ORACLE_SV_MTVAL(x31)
	csrr	x29, mie
	sd	x29, ORACLE_SV_MIE(x31)
	csrr	x29, mip
	sd	x29, ORACLE_SV_MIP(x31)
	li	x29, 3 << 13
	csrs	mstatus, x29
	.irp	n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	fsd	f\n, ORACLE_SV_F + 8 * \n(x31)
	.endr
	frcsr	x29
	sd	x29, ORACLE_SV_FCSR(x31)
	fence	rw, rw
	li	x29, 1
	sd	x29, ORACLE_SV_DONE(x31)
	csrr	x29, mhartid
	bnez	x29, idle
	li	sp, ORACLE_STACK_TOP
	call	oracle_print
idle:
	wfi
	j	idle
