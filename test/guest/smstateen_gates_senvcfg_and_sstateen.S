# args: -cpu max
# Smstateen (priv spec, "Smstateen/Ssstateen"): mstateen0-3 reset to 0;
# the writable bits are the ones for state rvjit has, SE0 (bit 63) in each
# and ENVCFG (bit 62) in mstateen0, the rest read-only zero; sstateen0-3
# have no implemented bit. From S, sstateenN is illegal unless
# mstateenN.SE0, and senvcfg unless mstateen0.ENVCFG; M is never gated.
#include "guest.h"
#include "trap_helpers.h"
#define SE0 (1 << 63)
#define ENVCFG (1 << 62)
GUEST_START
	INSTALL_RECORDERS
	PMP_ALLOW_ALL
	csrr t0, mstateen0
	CHECK_EQ(t0, 0, 1)
	csrr t0, mstateen3
	CHECK_EQ(t0, 0, 2)
	li t0, -1
	csrw mstateen0, t0
	csrr t1, mstateen0
	CHECK_EQ(t1, SE0 | ENVCFG, 3)
	csrw mstateen1, t0
	csrr t1, mstateen1
	CHECK_EQ(t1, SE0, 4)
	csrw mstateen2, t0
	csrr t1, mstateen2
	CHECK_EQ(t1, SE0, 5)
	csrw mstateen3, t0
	csrr t1, mstateen3
	CHECK_EQ(t1, SE0, 6)
	csrw sstateen0, t0
	csrr t1, sstateen0
	CHECK_EQ(t1, 0, 7)
	csrw mstateen0, zero
	csrw mstateen1, zero
	/* M reaches senvcfg whatever mstateen0 says. */
	TRY(csrw senvcfg, zero)
	CHECK_NO_TRAP(8)
	ENTER_MODE(PRV_S, s_nothing)
s_nothing:
	TRY(csrr a0, senvcfg)
	CHECK_ILLEGAL(10)
	TRY(csrw senvcfg, zero)
	CHECK_ILLEGAL(11)
	TRY(csrr a0, sstateen0)
	CHECK_ILLEGAL(12)
	TRY(csrw sstateen1, zero)
	CHECK_ILLEGAL(13)
	TRY(csrr a0, mstateen0) /* an M CSR */
	CHECK_ILLEGAL(14)
	TO_M(m_envcfg)
m_envcfg:
	li t0, ENVCFG
	csrw mstateen0, t0
	ENTER_MODE(PRV_S, s_envcfg)
s_envcfg:
	TRY(csrs senvcfg, 1)
	CHECK_NO_TRAP(20)
	csrr a0, senvcfg
	CHECK_EQ(a0, 1, 21)
	TRY(csrr a0, sstateen0)
	CHECK_ILLEGAL(22)
	TO_M(m_se0)
m_se0:
	li t0, SE0
	csrw mstateen0, t0
	ENTER_MODE(PRV_S, s_se0)
s_se0:
	TRY(csrr a0, sstateen0)
	CHECK_NO_TRAP(30)
	CHECK_EQ(a0, 0, 31)
	li t0, -1
	TRY(csrw sstateen0, t0)
	CHECK_NO_TRAP(32)
	csrr a0, sstateen0
	CHECK_EQ(a0, 0, 33)
	TRY(csrr a0, senvcfg)
	CHECK_ILLEGAL(34)
	TRY(csrr a0, sstateen1) /* mstateen1.SE0 is still 0 */
	CHECK_ILLEGAL(35)
	TO_M(m_se1)
m_se1:
	li t0, SE0
	csrw mstateen1, t0
	ENTER_MODE(PRV_U, u_mode)
u_mode:
	/* sstateen is an S CSR: U never reaches it. */
	TRY(csrr a0, sstateen0)
	CHECK_ILLEGAL(40)
	TO_M(m_s_again)
m_s_again:
	ENTER_MODE(PRV_S, s_se1)
s_se1:
	TRY(csrr a0, sstateen1)
	CHECK_NO_TRAP(41)
	TO_M(done)
done:
	CHECK_EQ(s8, 3, 50)
	PASS

TRAP_RECORDERS
GUEST_DATA
