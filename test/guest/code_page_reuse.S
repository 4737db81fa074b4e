# One RAM page reused for different code, as an OS does when exec()
# loads a new program into a recycled page: two position-independent
# programs are copied in turn to the same page, fence.i, and each call
# must return that program's result, never a stale translation of the
# other. Then the same under Sv39 from S-mode, with the page mapped at two
# virtual addresses: written through a R/W alias, run through an R/X alias
# (and through the identity map), sfence.vma + fence.i in between.
#include "guest.h"
#include "trap_helpers.h"
#include "paging.h"
#define VA_WRITE 0x40000000 /* reuse_page, R W */
#define VA_EXEC 0x40001000  /* reuse_page, R X */
/* Copy program `name` to the address in a0 (clobbers t0-t3). */
#define LOAD_PROGRAM(name)         \
	la t0, name;               \
	la t1, name##_end;         \
	mv t2, a0;                 \
1:	lw t3, 0(t0);              \
	sw t3, 0(t2);              \
	addi t0, t0, 4;            \
	addi t2, t2, 4;            \
	bltu t0, t1, 1b
GUEST_START
	/* M-mode, physical addresses: A, B, A, B, ... into the same page. */
	li s1, 0
2:	la a0, reuse_page
	LOAD_PROGRAM(prog_a)
	fence.i
	la t0, reuse_page
	jalr t0
	CHECK_EQ(a0, 15, 1)
	la a0, reuse_page
	LOAD_PROGRAM(prog_b)
	fence.i
	la t0, reuse_page
	jalr t0
	CHECK_EQ(a0, 0x770, 2)
	addi s1, s1, 1
	li t0, 10
	bne s1, t0, 2b

	/* Sv39: root[2] maps 0x80000000.. (a gigapage, RWX); root[1] ->
	 * level1[0] -> level0, whose entries 0 and 1 alias reuse_page. */
	PMP_ALLOW_ALL
	la s0, root
	li t0, (0x80000000 >> 12) << 10 | PTE_V | PTE_R | PTE_W | PTE_X | PTE_A | PTE_D
	sd t0, 2*8(s0)
	la t0, level1
	MAKE_PTE(t0, PTE_V)
	sd t0, 1*8(s0)
	la t0, level0
	MAKE_PTE(t0, PTE_V)
	la t1, level1
	sd t0, 0(t1)
	la t2, level0
	la t0, reuse_page
	MAKE_PTE(t0, PTE_V | PTE_R | PTE_W | PTE_A | PTE_D)
	sd t0, 0*8(t2)
	la t0, reuse_page
	MAKE_PTE(t0, PTE_V | PTE_R | PTE_X | PTE_A)
	sd t0, 1*8(t2)
	li t0, SATP_SV39
	srli t1, s0, 12
	or t0, t0, t1
	csrw satp, t0
	sfence.vma
	ENTER_MODE(PRV_S, in_s)
in_s:
	li s1, 0
2:	li a0, VA_WRITE
	LOAD_PROGRAM(prog_a)
	sfence.vma
	fence.i
	li t0, VA_EXEC
	jalr t0
	CHECK_EQ(a0, 15, 10)
	la t0, reuse_page   /* the identity mapping of the same page */
	jalr t0
	CHECK_EQ(a0, 15, 11)
	li a0, VA_WRITE
	LOAD_PROGRAM(prog_b)
	sfence.vma
	fence.i
	li t0, VA_EXEC
	jalr t0
	CHECK_EQ(a0, 0x770, 12)
	la t0, reuse_page
	jalr t0
	CHECK_EQ(a0, 0x770, 13)
	addi s1, s1, 1
	li t0, 10
	bne s1, t0, 2b
	PASS

/* The programs: position independent, returning in a0. Different
 * lengths and shapes, so their blocks differ. */
	.option push
	.option norvc
	.align 2
prog_a: /* 5 + 4 + 3 + 2 + 1 */
	li a0, 5
	li t0, 0
1:	add t0, t0, a0
	addi a0, a0, -1
	bnez a0, 1b
	mv a0, t0
	ret
prog_a_end:
prog_b:
	li a0, 0x77
	slli a0, a0, 4
	ret
prog_b_end:
	.option pop

	.section .data
	.align 12
reuse_page:
	.space 4096
root:	.space 4096
level1:	.space 4096
level0:	.space 4096
GUEST_DATA
