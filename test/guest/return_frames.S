# Returns in translated code come back through host return frames
# (jit/emit_control.c) only when the frame on top is the call's: same
# return address, same fetch epoch. Everything else must still return
# where the guest says: recursion deeper than the frames allowed (3000),
# a longjmp that skips four frames, a callee that returns past the
# instruction after its call, millicode called and returned through t0,
# a call whose frame was pushed in an earlier stretch of translated code
# (a timer interrupt in between), and a return after the callee changed
# what the return address maps to (S-mode, Sv39: the return lands on
# other code; the translated landing of the call would run the old code).
#include "guest.h"
#include "trap_helpers.h"
#include "paging.h"
#define WINDOW 0x40000000 /* level0[0]: stub_one or stub_two */
#define ROUNDS 6

GUEST_START
	INSTALL_RECORDERS
	la sp, stack_top /* 3000 frames do not fit the usual stack */
	li s1, ROUNDS
1:
	/* 1. 3000 deep: sum(n) = n + sum(n - 1). */
	li a0, 3000
	call sum
	CHECK_EQ(a0, 4501500, 1)
	/* 2. A longjmp from five calls down to the first caller. */
	call jump_base
	CHECK_EQ(a0, 77, 2)
	/* 3. A callee that skips the instruction after its call. */
	li a0, 5
	call skip_next
	.option push
	.option norvc
	addi a0, a0, 100 /* skipped */
	.option pop
	CHECK_EQ(a0, 6, 3)
	/* 4. Millicode: jal t0 / jr t0, nested inside an ordinary call. */
	li a0, 7
	call uses_millicode
	CHECK_EQ(a0, 7 * 3 + 1, 4)
	addi s1, s1, -1
	bnez s1, 1b

	/* 5. A timer interrupt (an exit from translated code) while deep
	 * in a recursion: mtimecmp soon, MTIE on, the handler pushes the
	 * compare far out and counts. */
	la t0, m_timer
	csrw mtvec, t0
	li s9, 0
	li t0, CLINT + 0xbff8
	ld t1, 0(t0)
	addi t1, t1, 200
	li t0, CLINT + 0x4000
	sd t1, 0(t0)
	li t0, 0x80
	csrs mie, t0
	csrsi mstatus, 8
	li s10, 0
2:	li a0, 400
	call sum
	CHECK_EQ(a0, 80200, 5)
	addi s10, s10, 1
	beqz s9, 2b /* until the interrupt came */
	csrci mstatus, 8
	INSTALL_RECORDERS

	/* 6. The callee remaps the page its return address is on. */
	PMP_ALLOW_ALL
	SV39_LINK_TABLES
	la t0, stub_one
	MAKE_PTE(t0, PTE_V | PTE_R | PTE_X | PTE_A)
	mv s5, t0
	la t0, stub_two
	MAKE_PTE(t0, PTE_V | PTE_R | PTE_X | PTE_A)
	mv s6, t0
	la s3, remap
	SV39_ON
	ENTER_MODE(PRV_S, in_s)
in_s:
	li s1, 0
3:	/* stub_one mapped; odd rounds the callee maps stub_two instead. */
	sd s5, 0(s2)
	sfence.vma
	andi s7, s1, 1
	la s4, 4f
	li t0, WINDOW
	jr t0
4:	addi t0, s7, 1 /* stub_one answers 1, stub_two 2 */
	CHECK_REG(a0, t0, 6)
	addi s1, s1, 1
	li t0, 2 * ROUNDS
	bne s1, t0, 3b
	PASS

/* a0 = a0 + (a0 - 1) + ... + 1 */
sum:
	beqz a0, 1f
	addi sp, sp, -16
	sd ra, 8(sp)
	sd a0, 0(sp)
	addi a0, a0, -1
	call sum
	ld t0, 0(sp)
	add a0, a0, t0
	ld ra, 8(sp)
	addi sp, sp, 16
1:	ret

/* Saves sp and its own return address, then goes five calls down,
 * where jump_deep returns 77 straight to jump_base's caller. */
jump_base:
	la t0, jump_sp
	sd sp, 0(t0)
	la t0, jump_ra
	sd ra, 0(t0)
	li a0, 5
	call jump_down
	li a0, -1 /* never reached */
	ret
jump_down:
	addi sp, sp, -16
	sd ra, 8(sp)
	addi a0, a0, -1
	beqz a0, jump_deep
	call jump_down
	li a0, -2 /* never reached */
	ld ra, 8(sp)
	addi sp, sp, 16
	ret
jump_deep:
	la t0, jump_sp
	ld sp, 0(t0)
	la t0, jump_ra
	ld ra, 0(t0)
	li a0, 77
	ret

skip_next:
	addi a0, a0, 1
	addi ra, ra, 4
	ret

uses_millicode:
	addi sp, sp, -16
	sd ra, 8(sp)
	jal t0, times_three
	addi a0, a0, 1
	ld ra, 8(sp)
	addi sp, sp, 16
	ret
times_three: /* millicode: link in t0, returns with jr t0 */
	slli t1, a0, 1
	add a0, a0, t1
	jr t0

/* In S-mode: when s7 is set, map stub_two at the window (and flush). */
remap:
	beqz s7, 1f
	sd s6, 0(s2)
	sfence.vma
1:	ret

	.align 2
m_timer: /* keeps every register but s9 */
	csrw mscratch, t0
	li t0, CLINT + 0x4000
	li s9, -1
	sd s9, 0(t0)
	li s9, 1
	csrr t0, mscratch
	mret

	TRAP_RECORDERS

	.data
	.balign 4096
/* Position-independent: run at WINDOW. Each calls remap through s3 and
 * goes back through s4, with its own answer in a0. */
stub_one:
	jalr ra, 0(s3)
	li a0, 1
	jr s4
	.balign 4096
stub_two:
	jalr ra, 0(s3)
	li a0, 2
	jr s4
	.balign 4096
jump_sp: .dword 0
jump_ra: .dword 0
	.balign 16
	.skip 65536
stack_top:
	SV39_TABLES_DATA

GUEST_DATA
