# Sscofpmf's counter-overflow interrupt (privileged spec, "Sscofpmf"):
# an mhpmcounter counting instructions (event 2) that wraps while its
# mhpmevent.OF is clear sets OF and LCOFIP (mip bit 13), taken in M-mode
# as interrupt 13, or in S-mode once mideleg delegates it; with OF already
# set it only wraps. rvjit raises LCOFIP at the end of the block in which
# the counter wrapped (core/counters.h), so the interrupt comes at most a
# block (64 instructions) after the wrap. Counts are exact: the value
# written is what the next instruction reads, every retired instruction
# counts (trap entry is not one), a trapping one does not.
# args: -cpu max
#include "guest.h"
#include "trap_helpers.h"

#define LCOF_CAUSE 0x800000000000000d
#define LCOF_BIT   0x2000
#define EV_INSNS   2
#define OF_BIT     0x8000000000000000
/* dst = bit 13 (LCOFIP) of src */
#define LCOFIP_OF(dst, src) \
	srli dst, src, 13;  \
	andi dst, dst, 1

GUEST_START
	PMP_ALLOW_ALL
	la t0, m_handler
	csrw mtvec, t0
	la t0, s_handler
	csrw stvec, t0
	li s8, -1
	li s9, -1
	li s10, -1

	/* 1. M-mode: mhpmcounter3 = -10 overflows after 10 instructions:
	 * csrsi and 9 addis, so a0 = 9 when it wraps. */
	li t0, EV_INSNS
	csrw mhpmevent3, t0
	li t0, LCOF_BIT
	csrs mie, t0
	li a0, 0
	li t0, -10
	csrw mhpmcounter3, t0
	csrsi mstatus, 8
	.rept 200
	addi a0, a0, 1
	.endr
	csrci mstatus, 8
	csrr t1, mhpmcounter3
	CHECK_EQ(s8, LCOF_CAUSE, 1)
	li t0, 9
	blt s9, t0, fail_2
	li t0, 9 + 63
	bgt s9, t0, fail_2
	/* LCOFIP was pending in the handler, which cleared it. */
	LCOFIP_OF(t0, s10)
	CHECK_EQ(t0, 1, 3)
	csrr t0, mip
	LCOFIP_OF(t0, t0)
	CHECK_EQ(t0, 0, 4)
	csrr t0, mhpmevent3
	CHECK_EQ(t0, OF_BIT | EV_INSNS, 5)
	/* -10 + csrsi + 200 addi + csrci + the handler's 7 instructions */
	CHECK_EQ(t1, 199, 6)

	/* 2. With OF set the counter wraps without a request. */
	li s8, -1
	li t0, OF_BIT | EV_INSNS
	csrw mhpmevent3, t0
	li t0, -5
	csrw mhpmcounter3, t0
	csrsi mstatus, 8
	.rept 100
	addi a0, a0, 1
	.endr
	csrci mstatus, 8
	csrr t1, mhpmcounter3
	CHECK_EQ(s8, -1, 7)
	CHECK_EQ(t1, 97, 8) /* -5 + csrsi + 100 + csrci */
	csrr t0, mip
	LCOFIP_OF(t0, t0)
	CHECK_EQ(t0, 0, 9)

	/* 3. Writing OF, or a counter value, is never an overflow. */
	li t0, -1
	csrw mhpmcounter3, t0
	li t0, EV_INSNS
	csrw mhpmevent3, t0 /* counter wraps here: it is 0 after this */
	csrr t0, mip
	LCOFIP_OF(t0, t0)
	CHECK_EQ(t0, 0, 10)

	/* 4. Delegated to S-mode: scause = interrupt 13, sip shows LCOFIP,
	 * and the S handler clears it through sip. */
	li s8, -1
	li t0, LCOF_BIT
	csrs mideleg, t0
	csrr t1, mideleg
	and t1, t1, t0
	CHECK_EQ(t1, LCOF_BIT, 11)
	li t0, EV_INSNS
	csrw mhpmevent3, t0
	la s11, back_from_s
	li t0, MSTATUS_MPP_BITS
	csrc mstatus, t0
	li t0, PRV_S << 11
	csrs mstatus, t0
	la t0, in_s
	csrw mepc, t0
	li a0, 0
	li t2, -20
	csrw mhpmcounter3, t2
	mret /* 1 */
in_s:
	csrsi sstatus, 2 /* 2 */
	.rept 100
	addi a0, a0, 1 /* overflow at the 18th */
	.endr
	csrci sstatus, 2
	ecall
back_from_s:
	CHECK_EQ(s8, 9, 12) /* the ecall from S, after the interrupt */
	CHECK_EQ(s5, LCOF_CAUSE, 13)
	li t0, 18
	blt s9, t0, fail_14
	li t0, 18 + 63
	bgt s9, t0, fail_14
	LCOFIP_OF(t0, s10)
	CHECK_EQ(t0, 1, 15)
	csrr t0, mip
	LCOFIP_OF(t0, t0)
	CHECK_EQ(t0, 0, 16)
	csrr t0, scountovf
	andi t0, t0, 8
	CHECK_EQ(t0, 8, 17)
	PASS
fail_2:
	FAIL(2)
fail_14:
	FAIL(14)

	.align 2
m_handler:
	csrr s8, mcause
	bltz s8, m_irq
	csrw mepc, s11 /* an exception: go on at s11 in M-mode */
	li t6, MSTATUS_MPP_BITS
	csrs mstatus, t6
	mret
m_irq:
	mv s9, a0
	csrr s10, mip
	lui t6, LCOF_BIT >> 12
	csrc mip, t6
	mret

	.align 2
s_handler:
	csrr s5, scause
	mv s9, a0
	csrr s10, sip
	lui t6, LCOF_BIT >> 12
	csrc sip, t6
	sret
GUEST_DATA
