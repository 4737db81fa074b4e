# Zimop, Zcmop, Zihintpause, Zihintntl and Zawrs (unprivileged spec, the
# chapters of those names). mop.r.n and mop.rr.n write 0 to rd and leave
# their sources alone; c.mop.n writes no register; pause and ntl.* (add
# x0, x0, x2..x5, also as c.add) change nothing; wrs.nto and wrs.sto
# return (no reservation, or one still held), in every mode, except
# wrs.nto below M-mode with mstatus.TW set, which is illegal at once (an
# implementation-specific time limit of zero, which Zawrs allows) while
# wrs.sto is not.
# args: -cpu max
#include "guest.h"
#include "trap_helpers.h"

/* mop.r.n rd, rs1: 1 n4 00 n3:2 0111 n1:0 rs1 100 rd 1110011 */
#define MOP_R(n, rd, rs1)                                                           \
	.word 0x81c04073 | (((n) >> 4) << 30) | ((((n) >> 2) & 3) << 26) |          \
	      (((n) & 3) << 20) | ((rs1) << 15) | ((rd) << 7)
/* mop.rr.n rd, rs1, rs2: 1 n2 00 n1:0 1 rs2 rs1 100 rd 1110011 */
#define MOP_RR(n, rd, rs1, rs2)                                                     \
	.word 0x82004073 | (((n) >> 2) << 30) | (((n) & 3) << 26) | ((rs2) << 20) | \
	      ((rs1) << 15) | ((rd) << 7)
/* c.mop.n: 0110 0 n 00000 01 with n odd, in the c.lui rd field */
#define C_MOP(n) .hword 0x6001 | ((n) << 7)

#define A0 10
#define A1 11
#define A2 12

	.option arch, +zawrs
GUEST_START
	PMP_ALLOW_ALL
	INSTALL_RECORDERS
	li a1, 0x1111
	li a2, 0x2222
	li a0, -1
	MOP_R(0, A0, A1)
	CHECK_EQ(a0, 0, 1)
	CHECK_EQ(a1, 0x1111, 2)
	li a0, -1
	MOP_R(31, A0, A1)
	CHECK_EQ(a0, 0, 3)
	li a1, -1
	MOP_R(21, A1, A1) /* rd = rs1 */
	CHECK_EQ(a1, 0, 4)
	li a1, 0x1111
	li a0, -1
	MOP_RR(0, A0, A1, A2)
	CHECK_EQ(a0, 0, 5)
	li a0, -1
	MOP_RR(7, A0, A1, A2)
	CHECK_EQ(a0, 0, 6)
	CHECK_EQ(a1, 0x1111, 7)
	CHECK_EQ(a2, 0x2222, 8)
	MOP_R(5, 0, A1) /* rd = x0 */
	MOP_RR(3, 0, A1, A2)

	/* c.mop.n may read xN but writes nothing. */
	li ra, 0x1001
	li gp, 0x1003
	li t0, 0x1005
	li t2, 0x1007
	li s1, 0x1009
	li a1, 0x100b
	li a3, 0x100d
	li a5, 0x100f
	C_MOP(1)
	C_MOP(3)
	C_MOP(5)
	C_MOP(7)
	C_MOP(9)
	C_MOP(11)
	C_MOP(13)
	C_MOP(15)
	CHECK_EQ(ra, 0x1001, 9)
	CHECK_EQ(gp, 0x1003, 10)
	CHECK_EQ(t0, 0x1005, 11)
	CHECK_EQ(t2, 0x1007, 12)
	CHECK_EQ(s1, 0x1009, 13)
	CHECK_EQ(a1, 0x100b, 14)
	CHECK_EQ(a3, 0x100d, 15)
	CHECK_EQ(a5, 0x100f, 16)

	/* pause and the ntl hints */
	li a0, 7
	.word 0x0100000f /* pause */
	.word 0x00200033 /* ntl.p1 */
	.word 0x00300033 /* ntl.pall */
	.word 0x00400033 /* ntl.s1 */
	.word 0x00500033 /* ntl.all */
	.hword 0x900a /* c.ntl.p1 */
	.hword 0x900e /* c.ntl.pall */
	.hword 0x9012 /* c.ntl.s1 */
	.hword 0x9016 /* c.ntl.all */
	CHECK_EQ(a0, 7, 17)

	/* wrs in M-mode: without a reservation, and with one still held. */
	wrs.nto
	wrs.sto
	la a1, word
	lr.d a0, (a1)
	wrs.sto
	wrs.nto
	sc.d a2, a0, (a1) /* the reservation survives the waits */
	CHECK_EQ(a2, 0, 18)
	/* with TW set, M-mode is not affected */
	li t0, MSTATUS_TW_BIT
	csrs mstatus, t0
	wrs.nto

	/* U-mode and S-mode with TW set: wrs.nto illegal, wrs.sto not */
	la s11, 1f
	li s6, 1
	ENTER_MODE(PRV_U, u_wrs_nto)
1:	CHECK_ILLEGAL(19)
	la s11, 1f
	li s6, 1
	ENTER_MODE(PRV_S, s_wrs_nto)
1:	CHECK_ILLEGAL(20)
	la s11, 1f
	li s6, 1
	ENTER_MODE(PRV_U, u_wrs_sto)
1:	CHECK_EQ(s8, 8, 21)
	/* TW clear: wrs.nto returns in U-mode (unlike wfi) */
	li t0, MSTATUS_TW_BIT
	csrc mstatus, t0
	la s11, 1f
	li s6, 1
	ENTER_MODE(PRV_U, u_wrs_nto)
1:	CHECK_EQ(s8, 8, 22)
	PASS

u_wrs_nto:
s_wrs_nto:
	la s7, 1f
1:	wrs.nto
	ecall
u_wrs_sto:
	wrs.sto
	ecall
	TRAP_RECORDERS

	.data
	.align 3
word:	.dword 42
GUEST_DATA
