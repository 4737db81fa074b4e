# host-run: gdb_fast_debug.py
/*
 * Driven by test/gdb_fast_debug.py through gdb-multiarch, on 1 and 3 harts
 * (a host thread each), not run as a guest_ test. Hart 0 calls f F_CALLS
 * times (f counts the calls in f_calls and `watched`), then runs hot_loop
 * work_iterations times (a loop the translator runs in place; hot_body is
 * in its middle) and exits 0. The other harts call g in a loop meanwhile,
 * in translated code too; they never meet gdb's breakpoints, whose
 * step-over (a temporary breakpoint and a vCont for one thread) then
 * involves hart 0 only. gdb sets work_iterations before a timed run.
 */
#include "guest.h"

#define F_CALLS 40

	.section .text.init
	.globl _start
_start:
	csrr s0, mhartid
	la sp, stacks_top
	slli t0, s0, 12
	sub sp, sp, t0 /* 4 KiB of stack per hart */
	la t0, unexpected_trap
	csrw mtvec, t0
	bnez s0, others
	li s1, F_CALLS
1:	call f
	addi s1, s1, -1
	bnez s1, 1b
	la t0, work_iterations
	ld s1, 0(t0)
	li s2, 0
	li s3, 0
	.globl hot_loop
hot_loop:
	addi s2, s2, 1
	xor s3, s3, s2
	.globl hot_body
hot_body:
	add s3, s3, s1
	addi s1, s1, -1
	bnez s1, hot_loop
	li a0, 0
	j guest_exit
others:
	call g
	j others

	/* f: counts the call in f_calls and watched. */
	.globl f
	.type f, @function
f:
	addi sp, sp, -16
	sd ra, 8(sp)
	la t0, f_calls
	li t1, 1
	amoadd.d zero, t1, (t0)
	la t0, watched
	ld t1, 0(t0)
	addi t1, t1, 1
	sd t1, 0(t0)
	ld ra, 8(sp)
	addi sp, sp, 16
	ret
	.size f, . - f

	/* g: counts the call in g_calls. */
	.globl g
	.type g, @function
g:
	la t0, g_calls
	li t1, 1
	amoadd.d zero, t1, (t0)
	ret
	.size g, . - g

	.align 2
unexpected_trap:
	csrr a0, mcause
	andi a0, a0, 0xff
	addi a0, a0, 1000
guest_exit: /* a0 = code */
	slli a0, a0, 1
	ori a0, a0, 1
	la t0, tohost
	sd a0, 0(t0)
1:	j 1b

	.data
	.align 3
	.globl f_calls, g_calls, watched, work_iterations
f_calls: .dword 0
g_calls: .dword 0
watched: .dword 0
work_iterations: .dword 0x7fffffffffffffff

	.bss
	.align 4
	.space 8 * 4096
stacks_top:

GUEST_DATA
