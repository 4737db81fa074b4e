# ecall raises the cause of the mode it runs in (priv 3.3.1: 11 from M,
# 9 from S, 8 from U) with xepc = the ecall and xtval = 0; with medeleg
# the U and S ecalls go to S-mode (scause/sepc/stval, SPP, SPIE) and sret
# returns to where they came from.
#include "guest.h"
#include "trap_helpers.h"
GUEST_START
	INSTALL_RECORDERS
	PMP_ALLOW_ALL

	/* M-mode: mtval is written (with 0), not left as it was. */
	li t0, 0x55
	csrw mtval, t0
	TRY(ecall)
	CHECK_TRAP(11, 1)
	CHECK_EQ(s10, 0, 2)
	srli t0, s4, 11
	andi t0, t0, 3
	CHECK_EQ(t0, PRV_M, 3)

	/* S-mode. */
	li t0, 0x55
	csrw mtval, t0
	ENTER_MODE(PRV_S, in_s)
in_s:
	TRY(ecall)
	CHECK_TRAP(9, 10)
	CHECK_EQ(s10, 0, 11)
	TO_M(back_from_s)
back_from_s:
	CHECK_EQ(s8, 3, 12) /* the ebreak of TO_M */
	srli t0, s4, 11
	andi t0, t0, 3
	CHECK_EQ(t0, PRV_S, 13) /* MPP = where the trap came from */

	/* U-mode. */
	li t0, 0x55
	csrw mtval, t0
	ENTER_MODE(PRV_U, in_u)
in_u:
	TRY(ecall)
	CHECK_TRAP(8, 20)
	CHECK_EQ(s10, 0, 21)
	TO_M(back_from_u)
back_from_u:
	srli t0, s4, 11
	andi t0, t0, 3
	CHECK_EQ(t0, PRV_U, 22)
	csrr t0, mcause
	CHECK_EQ(t0, 3, 23)

	/* Delegate U and S ecalls to S-mode. */
	li t0, (1 << 8) | (1 << 9)
	csrw medeleg, t0
	csrr t0, medeleg
	CHECK_EQ(t0, (1 << 8) | (1 << 9), 30)
	li t0, 0x77
	csrw stval, t0
	/* SIE = 1 before the trap: SPIE must capture it, SIE must clear. */
	csrsi mstatus, MSTATUS_SIE_BIT
	ENTER_MODE(PRV_U, deleg_u)
deleg_u:
	TRY(ecall)
	CHECK_TRAP(8, 31) /* recorded by the S handler: scause, sepc */
	CHECK_EQ(s10, 0, 32)
	andi t0, s5, MSTATUS_SPP_BIT
	CHECK_EQ(t0, 0, 33) /* came from U */
	andi t0, s5, MSTATUS_SPIE_BIT
	CHECK_EQ(t0, MSTATUS_SPIE_BIT, 34)
	andi t0, s5, MSTATUS_SIE_BIT
	CHECK_EQ(t0, 0, 35)
	/* sret came back to U-mode: an S CSR is illegal here. */
	TRY(csrr t0, sstatus)
	CHECK_EQ(s8, 2, 36)
	TO_M(deleg_u_done)
deleg_u_done:
	srli t0, s4, 11
	andi t0, t0, 3
	CHECK_EQ(t0, PRV_U, 37)
	/* sret set SIE from SPIE. */
	csrr t0, mstatus
	andi t0, t0, MSTATUS_SIE_BIT
	CHECK_EQ(t0, MSTATUS_SIE_BIT, 38)

	/* A delegated S-mode ecall: SPP = 1, and sret returns to S. */
	csrci mstatus, MSTATUS_SIE_BIT
	ENTER_MODE(PRV_S, deleg_s)
deleg_s:
	TRY(ecall)
	CHECK_TRAP(9, 40)
	CHECK_EQ(s10, 0, 41)
	andi t0, s5, MSTATUS_SPP_BIT
	CHECK_EQ(t0, MSTATUS_SPP_BIT, 42)
	andi t0, s5, MSTATUS_SPIE_BIT
	CHECK_EQ(t0, 0, 43)
	csrr t0, sstatus /* legal: still in S-mode */
	TO_M(deleg_s_done)
deleg_s_done:
	srli t0, s4, 11
	andi t0, t0, 3
	CHECK_EQ(t0, PRV_S, 44)

	/* An M-mode ecall is never delegated. */
	TRY(ecall)
	CHECK_TRAP(11, 50)
	PASS

TRAP_RECORDERS
GUEST_DATA
