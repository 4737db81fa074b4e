# args: -cpu rv64
# -cpu rv64 has none of Zicbom, Zicboz, Zicbop, Svinval, Smstateen, Svpbmt,
# Svnapot or Sv57: their instructions raise illegal-instruction with mtval
# = the bits, a prefetch is the ORI it is encoded as, the stateen CSRs do
# not exist, menvcfg/senvcfg fields of absent extensions read 0 (priv spec:
# "When the Zicboz extension is not implemented, CBZE is read-only zero",
# and so on), satp refuses mode 10, and PTE bits 63:61 are reserved (a page
# fault). Svadu is there: menvcfg.ADUE resets to 1, the hardware A/D
# updates rvjit always made.
#include "guest.h"
#include "trap_helpers.h"
#include "paging.h"
	.option arch, +zicbom, +zicboz, +zicbop, +svinval
GUEST_START
	INSTALL_RECORDERS
	PMP_ALLOW_ALL
	la a0, buf
	TRY(cbo.zero (a0))
	CHECK_ILLEGAL(1)
	TRY(cbo.clean (a0))
	CHECK_ILLEGAL(2)
	TRY(cbo.flush (a0))
	CHECK_ILLEGAL(3)
	TRY(cbo.inval (a0))
	CHECK_ILLEGAL(4)
	TRY(sinval.vma zero, zero)
	CHECK_ILLEGAL(5)
	TRY(sinval.vma a0, a1)
	CHECK_ILLEGAL(6)
	TRY(sfence.w.inval)
	CHECK_ILLEGAL(7)
	TRY(sfence.inval.ir)
	CHECK_ILLEGAL(8)
	/* prefetch.i/r/w = ori x0, rs1, imm: nothing happens. */
	TRY(prefetch.i 64(a0))
	CHECK_NO_TRAP(9)
	TRY(prefetch.r -32(a0))
	CHECK_NO_TRAP(10)
	TRY(prefetch.w 0(zero))
	CHECK_NO_TRAP(11)
	/* mstateen0-3, sstateen0-3 */
	TRY(csrr t0, 0x30c)
	CHECK_ILLEGAL(20)
	TRY(csrr t0, 0x30f)
	CHECK_ILLEGAL(21)
	TRY(csrr t0, 0x10c)
	CHECK_ILLEGAL(22)
	TRY(csrw 0x10f, zero)
	CHECK_ILLEGAL(23)

	/* menvcfg: reset ADUE; of the rest only FIOM and STCE (Sstc). */
	csrr t0, menvcfg
	CHECK_EQ(t0, 1 << 61, 30)
	li t0, -1
	csrw menvcfg, t0
	csrr t1, menvcfg
	li t2, (5 << 61) | 1
	CHECK_REG(t1, t2, 31)
	csrw senvcfg, t0
	csrr t1, senvcfg
	CHECK_EQ(t1, 1, 32)

	/* satp: Sv57 is not there, so mode 10 leaves satp as it was. */
	la s0, root
	srli s1, s0, 12
	li t0, 10 << 60
	or t0, t0, s1
	csrw satp, t0
	csrr t1, satp
	CHECK_EQ(t1, 0, 40)

	/* Sv39 from S: PBMT and N set in a leaf are reserved bits. */
	li t0, (0x80000000 >> 12) << 10 | PTE_V | PTE_R | PTE_W | PTE_X | PTE_A | PTE_D
	sd t0, 2*8(s0)
	la t0, buf
	srli t0, t0, 30
	slli t0, t0, 28 /* the gigapage holding buf, at VA 1 GiB */
	ori t0, t0, PTE_V | PTE_R | PTE_W | PTE_A | PTE_D
	li t1, 1 << 61 /* PBMT = NC */
	or t1, t1, t0
	sd t1, 1*8(s0)
	li t1, 1 << 63 /* N */
	or t1, t1, t0
	sd t1, 3*8(s0)
	li t0, SATP_SV39
	or t0, t0, s1
	csrw satp, t0
	sfence.vma
	ENTER_MODE(PRV_S, in_s)
in_s:
	li t1, 0x40000000
	TRY(ld a0, 0(t1))
	CHECK_TRAP(13, 50)
	CHECK_REG(s10, t1, 51)
	li t1, 0xc0000000
	TRY(sd a0, 8(t1))
	CHECK_TRAP(15, 52)
	/* sinval.vma is illegal in S too, not a TLB flush. */
	TRY(sinval.vma zero, zero)
	CHECK_ILLEGAL(53)
	TO_M(done)
done:
	CHECK_EQ(s8, 3, 60)
	PASS

TRAP_RECORDERS

	.data
	.balign 4096
root:	.skip 4096
buf:	.skip 64
GUEST_DATA
