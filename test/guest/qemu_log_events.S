# host-run: qemu_log_format.py
# The events of QEMU's -d logs, for test/qemu_log_format.py, which parses
# rvjit's log as a script parses QEMU's: an M-mode ecall (cause 11, tval 0)
# and an illegal instruction (cause 2, tval = its bits), each handled by
# `handler`; offsets of the ACLINT (-d unimp), the PLIC and the test
# finisher (-d guest_errors) where there is no register, and the accesses
# QEMU's virtio-mmio rejects (the script attaches a virtio-blk device to
# the first slot); then the finisher's pass. The finisher ends the run on QEMU as on rvjit (QEMU's
# virt has no HTIF), so the two logs can be compared line by line.
#include "guest.h"
	.section .text.init
	.globl _start
	.type _start, @function
_start:
	la t0, handler
	csrw mtvec, t0
	.globl at_ecall
at_ecall:
	ecall
	.globl at_illegal
at_illegal:
	.word 0x1234506b	/* opcode 1101011: reserved */
	li t0, CLINT
	lw a0, 0x10(t0)		/* msip of hart 4: one hart here */
	sw a0, 0x10(t0)
	li t0, CLINT + 0x4000
	lw a0, 8(t0)		/* mtimecmp of hart 1 */
	li t0, PLIC + 0x1100	/* between the pending and enable arrays */
	lw a0, 0(t0)
	sw a0, 0(t0)
	li t0, 0x10001000	/* virtio-mmio slot 0, a modern device */
	lw a0, 0xd0(t0)		/* no register */
	lw a0, 0x50(t0)		/* QueueNotify: write-only */
	sw a0, 0x00(t0)		/* MagicValue: read-only */
	sw a0, 0x28(t0)		/* GuestPageSize: legacy only */
	lh a0, 0x00(t0)		/* registers are 32-bit */
	li t0, TEST_FINISHER
	li t1, 0x1234		/* no such finisher code: ignored */
	sw t1, 0(t0)
	li t1, 0x5555
	sw t1, 0(t0)
1:	j 1b

	.align 2
	.type handler, @function
handler:
	csrr t0, mepc
	addi t0, t0, 4
	csrw mepc, t0
	mret
	.size handler, . - handler
