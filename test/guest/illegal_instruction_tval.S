# Every way to raise illegal-instruction (priv 3.1.6.5, 3.3.1, 2.1, unpriv
# 16.x reserved RVC encodings) reports mcause 2 and mtval = the exact
# instruction bits, zero-extended (16-bit instructions as 16 bits).
#include "guest.h"
#include "trap_helpers.h"
GUEST_START
	INSTALL_RECORDERS
	PMP_ALLOW_ALL

	/* --- M-mode --- */
	TRY(.half 0x0000) /* all-zero: defined illegal */
	CHECK_ILLEGAL(1)
	CHECK_EQ(s10, 0, 2)
	TRY(.word 0x1234506b) /* opcode 1101011: reserved */
	CHECK_ILLEGAL(3)
	CHECK_EQ(s10, 0x1234506b, 4)
	TRY(.word 0xfedcb06b) /* bit 31 set: zero-extended */
	CHECK_ILLEGAL(5)
	li t0, 0xfedcb06b
	CHECK_REG(s10, t0, 6)
	TRY(.half 0x4002) /* c.lwsp rd=0: reserved */
	CHECK_ILLEGAL(7)
	CHECK_EQ(s10, 0x4002, 8)
	TRY(.half 0x6002) /* c.ldsp rd=0: reserved */
	CHECK_ILLEGAL(9)
	TRY(.half 0x0004) /* c.addi4spn with nzuimm 0, rd' != 0: reserved */
	CHECK_ILLEGAL(10)
	TRY(.half 0x6081) /* c.lui ra, 0: reserved */
	CHECK_ILLEGAL(11)
	TRY(.half 0x6101) /* c.addi16sp with imm 0: reserved */
	CHECK_ILLEGAL(12)
	TRY(.half 0x8002) /* c.jr x0: reserved */
	CHECK_ILLEGAL(13)
	/* Writes to read-only CSRs (bits 11:10 = 3), even with csrrw rd=x0. */
	TRY(csrw mhartid, a0)
	CHECK_ILLEGAL(14)
	TRY(csrw cycle, a0)
	CHECK_ILLEGAL(15)
	TRY(csrwi instret, 0)
	CHECK_ILLEGAL(16)
	li a1, 1
	TRY(csrs mvendorid, a1)
	CHECK_ILLEGAL(17)
	/* ... but reading them, and csrrs with rs1 = x0, is fine. */
	TRY(csrr a0, mhartid; csrrs a0, cycle, x0)
	CHECK_NO_TRAP(18)
	/* A CSR that does not exist. */
	TRY(csrr a0, 0x7c0)
	CHECK_ILLEGAL(19)
	/* FP with mstatus.FS = Off: instructions and FP CSRs. */
	li t0, MSTATUS_FS_BITS
	csrc mstatus, t0
	TRY(fadd.d f0, f1, f2)
	CHECK_ILLEGAL(20)
	TRY(fmv.x.d a0, f1)
	CHECK_ILLEGAL(21)
	TRY(csrr a0, fflags)
	CHECK_ILLEGAL(22)
	TRY(csrwi frm, 1)
	CHECK_ILLEGAL(23)
	TRY(c.fldsp f8, 8(sp))
	CHECK_ILLEGAL(24)
	TRY(flw f1, 0(sp))
	CHECK_ILLEGAL(25)
	li t0, 1 << 13
	csrs mstatus, t0
	TRY(fadd.d f0, f1, f2; csrr a0, fflags)
	CHECK_NO_TRAP(26)

	/* --- S-mode, TVM = TSR = 0: sfence.vma, satp and sret are legal --- */
	ENTER_MODE(PRV_S, s_plain)
s_plain:
	la t0, s_after_sret
	csrw sepc, t0
	li t0, MSTATUS_SPP_BIT
	csrs sstatus, t0 /* sret to S */
	TRY(sfence.vma; csrr a0, satp; csrw satp, zero; sret)
	FAIL(30)
s_after_sret:
	CHECK_NO_TRAP(31)
	/* Too privileged for S. */
	TRY(csrr a0, mstatus)
	CHECK_ILLEGAL(32)
	TRY(csrw mscratch, a0)
	CHECK_ILLEGAL(33)
	TRY(csrr a0, mcycle)
	CHECK_ILLEGAL(34)
	TRY(mret)
	CHECK_ILLEGAL(35)
	TO_M(m_set_traps)
m_set_traps:
	li t0, MSTATUS_TSR_BIT | MSTATUS_TVM_BIT | MSTATUS_TW_BIT
	csrs mstatus, t0
	ENTER_MODE(PRV_S, s_trapped)
s_trapped:
	TRY(sret)
	CHECK_ILLEGAL(40)
	TRY(sfence.vma)
	CHECK_ILLEGAL(41)
	TRY(sfence.vma a0, a1)
	CHECK_ILLEGAL(42)
	TRY(csrr a0, satp)
	CHECK_ILLEGAL(43)
	TRY(csrw satp, zero)
	CHECK_ILLEGAL(44)
	TRY(wfi)
	CHECK_ILLEGAL(45)
	TO_M(m_clear_traps)
m_clear_traps:
	li t0, MSTATUS_TSR_BIT | MSTATUS_TVM_BIT | MSTATUS_TW_BIT
	csrc mstatus, t0

	/* --- U-mode --- */
	ENTER_MODE(PRV_U, in_u)
in_u:
	TRY(sret)
	CHECK_ILLEGAL(50)
	TRY(mret)
	CHECK_ILLEGAL(51)
	TRY(wfi)
	CHECK_ILLEGAL(52)
	TRY(sfence.vma)
	CHECK_ILLEGAL(53)
	TRY(csrr a0, sstatus)
	CHECK_ILLEGAL(54)
	TRY(csrr a0, satp)
	CHECK_ILLEGAL(55)
	TRY(.half 0x0000)
	CHECK_ILLEGAL(56)
	TO_M(done)
done:
	PASS

TRAP_RECORDERS
GUEST_DATA
