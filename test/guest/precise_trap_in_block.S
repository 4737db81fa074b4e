# A trap in the middle of a straight-line block is precise (priv 3.1.15,
# 3.3.1): xepc is the faulting instruction, every instruction before it
# has written its register, none after it has, and minstret counts exactly
# the instructions before it. Three faults: a load access fault
# (0x18000000 is unmapped), a load page fault in S-mode under Sv39, and
# an illegal instruction (an FP add with mstatus.FS = Off).
#include "guest.h"
#include "trap_helpers.h"
#include "paging.h"
#define UNMAPPED 0x18000000
#define VA_INVALID 0x40000000 /* root[1] is not valid */

/* Old values in a1..a7 and s2 = instret now (rdinstret: S-mode can read
 * it through mcounteren.IR). Ends in the csrr, so the block under test
 * starts right after it. */
#define PREPARE                  \
	li a1, -1;               \
	li a2, -2;               \
	li a3, -3;               \
	li a4, -4;               \
	li a5, -5;               \
	li a6, -6;               \
	li a7, -7;               \
	la s11, 72f;             \
	rdinstret s2

/* Six ALU instructions, then `fault` at label 71, then more ALU
 * instructions that must not run. */
#define BLOCK(...)               \
	addi a1, zero, 1;        \
	addi a2, a1, 1;          \
	add a3, a1, a2;          \
	xori a4, a3, 0x70;       \
	slli a5, a4, 3;          \
	sub a5, a5, a1;          \
71:	__VA_ARGS__;             \
	addi a7, zero, 7;        \
	addi a1, zero, 100;      \
	addi a2, zero, 200;      \
	addi a5, zero, 500;      \
	addi a6, zero, 600;      \
72:

/* After a BLOCK: cause, epc, registers, and the count (s3: instret the
 * handler read first thing). */
#define CHECK_BLOCK(cause, n)    \
	CHECK_EQ(s8, cause, n);  \
	la t0, 71b;              \
	CHECK_REG(s9, t0, n + 1); \
	CHECK_EQ(a1, 1, n + 2);  \
	CHECK_EQ(a2, 2, n + 2);  \
	CHECK_EQ(a3, 3, n + 2);  \
	CHECK_EQ(a4, 0x73, n + 2); \
	CHECK_EQ(a5, 0x397, n + 2); \
	CHECK_EQ(a6, -6, n + 3); \
	CHECK_EQ(a7, -7, n + 3); \
	sub t0, s3, s2;          \
	CHECK_EQ(t0, 7, n + 4) /* rdinstret + 6 */

GUEST_START
	la t0, m_handler
	csrw mtvec, t0
	la t0, s_handler
	csrw stvec, t0
	li t0, 7
	csrw mcounteren, t0
	li t0, MSTATUS_FS_BITS
	csrc mstatus, t0
	li t0, UNMAPPED

	/* 1. Load access fault. The loop runs the block several times so
	 * that it is translated and hot. */
	li s1, 0
1:	li t0, UNMAPPED
	PREPARE
	BLOCK(ld a6, 0(t0))
	CHECK_BLOCK(5, 10)
	CHECK_EQ(s10, UNMAPPED, 15)
	addi s1, s1, 1
	li t0, 5
	bne s1, t0, 1b

	/* 2. Illegal instruction: FP with FS = Off. */
	li s1, 0
1:	PREPARE
	BLOCK(fadd.d fa0, fa1, fa2)
	CHECK_BLOCK(2, 20)
	addi s1, s1, 1
	li t0, 5
	bne s1, t0, 1b

	/* 3. Load page fault in S-mode (delegated, so sepc/scause). */
	PMP_ALLOW_ALL
	la s0, root
	li t0, (0x80000000 >> 12) << 10 | PTE_V | PTE_R | PTE_W | PTE_X | PTE_A | PTE_D
	sd t0, 2*8(s0)
	li t0, 1 << 13
	csrw medeleg, t0
	li t0, SATP_SV39
	srli t1, s0, 12
	or t0, t0, t1
	csrw satp, t0
	sfence.vma
	ENTER_MODE(PRV_S, in_s)
in_s:
	li s1, 0
1:	li t0, VA_INVALID
	PREPARE
	BLOCK(ld a6, 8(t0))
	CHECK_BLOCK(13, 30)
	CHECK_EQ(s10, VA_INVALID + 8, 35)
	addi s1, s1, 1
	li t0, 5
	bne s1, t0, 1b
	PASS

	.align 2
m_handler:
	csrr s3, minstret
	csrr s8, mcause
	csrr s9, mepc
	csrr s10, mtval
	csrw mepc, s11
	mret
	.align 2
s_handler:
	rdinstret s3
	csrr s8, scause
	csrr s9, sepc
	csrr s10, stval
	csrw sepc, s11
	sret

	.section .data
	.align 12
root:	.space 4096
GUEST_DATA
