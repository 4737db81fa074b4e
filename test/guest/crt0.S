/* Start-up for C guest programs: stack, zeroed bss, main(), exit. */
#include "guest.h"
	.section .text.init
	.globl _start
_start:
	la sp, __stack_top
	la t0, unexpected_trap
	csrw mtvec, t0
	/* FP on: C code may use it. */
	li t0, (1 << 13)
	csrs mstatus, t0
	la t0, __bss_start
	la t1, __bss_end
1:	bgeu t0, t1, 2f
	sd zero, 0(t0)
	addi t0, t0, 8
	j 1b
2:	call main
	call guest_exit
	.align 2
unexpected_trap:
	csrr a0, mcause
	andi a0, a0, 0xff
	addi a0, a0, 1000
	call guest_exit

	.globl guest_exit
guest_exit:
	slli a0, a0, 1
	ori a0, a0, 1
	la t0, tohost
	sd a0, 0(t0)
1:	j 1b

	.section .tohost, "aw", @progbits
	.align 6
	.globl tohost
tohost:	.dword 0
	.align 6
	.globl fromhost
fromhost: .dword 0
