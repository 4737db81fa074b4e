# Zihpm counters with Sscofpmf's mode filtering (privileged spec,
# "Sscofpmf"; "Hardware Performance Monitor"): mhpmevent's MINH, SINH and
# UINH stop counting in M, S and U; mcountinhibit stops a counter; the
# write of mcountinhibit counts under the old setting, so a counter that
# mcountinhibit releases counts from the next instruction. scountovf
# shows the OF bits, in S-mode only those mcounteren allows, and U-mode
# cannot read it. VSINH and VUINH are read-only zero without H; every
# scounteren bit is writable (Sscounterenw); mip.LCOFIP is writable in
# M-mode.
# args: -cpu max
#include "guest.h"
#include "trap_helpers.h"

#define EV_INSNS 2
#define OF_BIT   0x8000000000000000
#define MINH     0x4000000000000000
#define SINH     0x2000000000000000
#define UINH     0x1000000000000000

/* Freeze every counter, zero counters 3..5 and minstret, release them all
 * with one write (rest of the macro runs in M-mode with them counting),
 * and enter mode prv at label. */
#define RUN_IN(prv, label)                 \
	li t0, -1;                         \
	csrw mcountinhibit, t0;            \
	csrw mhpmcounter3, zero;           \
	csrw mhpmcounter4, zero;           \
	csrw mhpmcounter5, zero;           \
	csrw minstret, zero;               \
	la s11, 1f;                        \
	li t0, MSTATUS_MPP_BITS;           \
	csrc mstatus, t0;                  \
	li t0, (prv) << 11;                \
	csrs mstatus, t0;                  \
	la t0, label;                      \
	csrw mepc, t0;                     \
	li t1, -1;                         \
	li s6, 1; /* the recorder returns to M */ \
	csrw mcountinhibit, zero;          \
	mret;                              \
1:	csrw mcountinhibit, t1;            \
	csrr a3, mhpmcounter3;             \
	csrr a4, mhpmcounter4;             \
	csrr a5, mhpmcounter5;             \
	csrr a6, minstret

GUEST_START
	PMP_ALLOW_ALL
	INSTALL_RECORDERS
	li t0, MINH | EV_INSNS
	csrw mhpmevent3, t0
	li t0, SINH | EV_INSNS
	csrw mhpmevent4, t0
	li t0, UINH | EV_INSNS
	csrw mhpmevent5, t0

	/* 20 instructions in U-mode, then ecall (which does not retire).
	 * M-mode ran mret, the recorder and the refreezing csrw: minstret
	 * counts both, counter 3 (MINH) only U's 20, counter 4 (SINH) all,
	 * counter 5 (UINH) all but U's. */
	RUN_IN(PRV_U, in_u)
	CHECK_EQ(a3, 20, 1)
	CHECK_REG(a4, a6, 2)
	addi t0, a6, -20
	CHECK_REG(a5, t0, 3)
	CHECK_EQ(s8, 8, 4)
	/* The M-mode part: mret, the M recorder's 11 instructions with
	 * s6 set (its mret is one) and the refreezing csrw. */
	CHECK_EQ(a5, 13, 5)

	/* The same with 30 instructions in S-mode. */
	RUN_IN(PRV_S, in_s)
	CHECK_EQ(s8, 9, 6)
	CHECK_EQ(a3, 30, 7)
	addi t0, a6, -30
	CHECK_REG(a4, t0, 8)
	CHECK_REG(a5, a6, 9)
	CHECK_EQ(a4, 13, 10)

	/* mcountinhibit stops one counter: mcycle (bit 0) stays while
	 * minstret (bit 2) runs. */
	csrw mcountinhibit, zero
	li t0, 1
	csrw mcountinhibit, t0
	csrr a1, mcycle
	csrr a2, minstret
	nop
	nop
	csrr a3, mcycle
	csrr a4, minstret
	CHECK_REG(a1, a3, 11)
	sub t0, a4, a2
	CHECK_EQ(t0, 4, 12) /* csrr, nop, nop, csrr */
	csrw mcountinhibit, zero

	/* mhpmevent: VSINH, VUINH (no H) and bits 57:56 (WPRI) read zero. */
	li t0, -1
	csrw mhpmevent6, t0
	csrr t0, mhpmevent6
	CHECK_EQ(t0, 0xf0ffffffffffffff, 13)
	csrw mhpmevent6, zero

	/* scountovf: the OF bits of mhpmevent3..31 at bits 3..31. */
	li t0, OF_BIT | EV_INSNS
	csrw mhpmevent3, t0
	li t0, OF_BIT
	csrw mhpmevent31, t0
	li t0, EV_INSNS
	csrw mhpmevent4, t0
	csrw mhpmevent5, t0
	csrr t0, scountovf
	CHECK_EQ(t0, 0x80000008, 14)
	/* S-mode reads only the bits mcounteren allows. */
	li t0, 0x80000000
	csrw mcounteren, t0
	la s11, 1f
	li s6, 1
	ENTER_MODE(PRV_S, read_in_s)
1:	CHECK_EQ(s8, 9, 15)
	CHECK_EQ(a1, 0x80000000, 16)
	li t0, -1
	csrw mcounteren, t0
	la s11, 1f
	li s6, 1
	ENTER_MODE(PRV_S, read_in_s)
1:	CHECK_EQ(a1, 0x80000008, 17)
	/* U-mode may not read it (a supervisor CSR). */
	li t0, -1
	csrw scounteren, t0
	la s11, 1f
	li s6, 1
	ENTER_MODE(PRV_U, read_in_u)
1:	CHECK_EQ(s8, 2, 18)
	csrr t0, mtval
	li t1, 0xda0025f3 /* csrr a1, scountovf */
	CHECK_REG(s10, t1, 19)
	/* ... but hpmcounter3 with mcounteren and scounteren bit 3 set */
	la s11, 1f
	li s6, 1
	ENTER_MODE(PRV_U, read_hpm_in_u)
1:	CHECK_EQ(s8, 8, 20)
	/* and not without scounteren's bit */
	li t0, 8
	csrc scounteren, t0
	la s11, 1f
	li s6, 1
	ENTER_MODE(PRV_U, read_hpm_in_u)
1:	CHECK_EQ(s8, 2, 21)

	/* Sscounterenw: every scounteren bit is writable. */
	li t0, -1
	csrw scounteren, t0
	csrr t0, scounteren
	CHECK_EQ(t0, 0xffffffff, 22)
	/* mip.LCOFIP is writable in M-mode (no interrupt: mie is 0). */
	li t0, 0x2000
	csrs mip, t0
	csrr t1, mip
	srli t1, t1, 13
	andi t1, t1, 1
	CHECK_EQ(t1, 1, 23)
	csrc mip, t0
	csrr t1, mip
	srli t1, t1, 13
	andi t1, t1, 1
	CHECK_EQ(t1, 0, 24)
	PASS

read_in_s:
	csrr a1, scountovf
	ecall
read_in_u:
	csrr a1, scountovf
	ecall
read_hpm_in_u:
	csrr a1, hpmcounter3
	ecall

in_u:
	.rept 20
	nop
	.endr
	ecall
in_s:
	.rept 30
	nop
	.endr
	ecall
	TRAP_RECORDERS
GUEST_DATA
