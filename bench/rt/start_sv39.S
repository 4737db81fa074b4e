/*
 * start_sv39.S - run the workload in S-mode under Sv39 paging.
 *
 * M-mode start-up as in start.S, then:
 *   - a root page table (one 4 KiB page in .bss) with two 1 GiB superpages,
 *     identity-mapping 0x0-0x3fffffff (devices: test finisher, UART) and
 *     0x80000000-0xbfffffff (RAM), both V|R|W|X|A|D, so no page faults and
 *     no A/D updates are needed;
 *   - PMP entry 0 as NAPOT over all of memory with R|W|X (pmpcfg0 = 0x1f),
 *     otherwise S-mode may touch nothing;
 *   - satp = Sv39 (mode 8) | root PPN; sfence.vma;
 *   - mstatus.MPP = S, mepc = s_entry, mret.
 * No trap is delegated: any trap comes back to trap_entry in M-mode.
 */
#define PTE_VRWXAD 0xcf		/* V R W X A D */

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
2:
	/* Root page table: VPN[2] = 0 -> PA 0, VPN[2] = 2 -> PA 0x80000000. */
	la	t0, sv39_root
	li	t1, ((0x00000000 >> 12) << 10) | PTE_VRWXAD
	sd	t1, 0(t0)
	li	t1, ((0x80000000 >> 12) << 10) | PTE_VRWXAD
	sd	t1, 16(t0)

	/* PMP: one NAPOT region covering everything, R|W|X. */
	li	t1, 0x3fffffffffffff
	csrw	pmpaddr0, t1
	li	t1, 0x1f
	csrw	pmpcfg0, t1

	/* satp = MODE Sv39 (8) | PPN(root). */
	srli	t0, t0, 12
	li	t1, 8 << 60
	or	t0, t0, t1
	csrw	satp, t0
	sfence.vma

	/* Drop to S-mode at s_entry. */
	li	t1, 3 << 11
	csrc	mstatus, t1
	li	t1, 1 << 11		/* MPP = 01 (S) */
	csrs	mstatus, t1
	la	t1, s_entry
	csrw	mepc, t1
	mret

s_entry:
	call	bench_main
park:
	wfi
	j	park

	.align	2
	.globl	trap_entry
trap_entry:
	la	sp, __trap_stack_top
	call	bench_trap
	j	park

	.section .bss.sv39, "aw", @nobits
	.align	12
sv39_root:
	.space	4096
