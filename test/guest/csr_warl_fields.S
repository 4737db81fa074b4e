# The WARL and view rules of the machine and supervisor CSRs (priv 1.12
# chapters 3 and 4): which bits stick, which views alias which register,
# and which accesses the counter-enable and PMP lock bits refuse.
#include "guest.h"
#include "trap_helpers.h"
#define MISA_EXTS ((1 << 0) | (1 << 2) | (1 << 3) | (1 << 5) | (1 << 8) | (1 << 12) | (1 << 18) | (1 << 20))
GUEST_START
	INSTALL_RECORDERS
	PMP_ALLOW_ALL

	/* misa: RV64 (MXL = 2) with A C D F I M S U; writes change nothing. */
	csrr a0, misa
	srli t0, a0, 62
	CHECK_EQ(t0, 2, 1)
	li t1, MISA_EXTS
	and t0, a0, t1
	CHECK_REG(t0, t1, 2)
	csrw misa, zero
	csrr a1, misa
	CHECK_REG(a1, a0, 3)
	li t0, 1 << 2 /* try to turn C off */
	csrc misa, t0
	csrr a1, misa
	CHECK_REG(a1, a0, 4)

	/* mstatus.MPP: 2 is reserved; writing it keeps the previous value. */
	li t0, MSTATUS_MPP_BITS
	csrc mstatus, t0
	li t0, PRV_S << 11
	csrs mstatus, t0
	csrr t0, mstatus
	li t1, ~MSTATUS_MPP_BITS
	and t0, t0, t1
	li t1, 2 << 11
	or t0, t0, t1
	csrw mstatus, t0
	csrr t0, mstatus
	srli t0, t0, 11
	andi t0, t0, 3
	CHECK_EQ(t0, PRV_S, 5)
	li t0, MSTATUS_MPP_BITS
	csrc mstatus, t0
	csrr t0, mstatus
	srli t0, t0, 11
	andi t0, t0, 3
	CHECK_EQ(t0, PRV_U, 6)
	/* UXL and SXL read 2 (64-bit). */
	csrr t0, mstatus
	srli t0, t0, 32
	andi t0, t0, 0xf
	CHECK_EQ(t0, 0xa, 7)

	/* sstatus is a masked view: M-only fields read 0 and cannot be written. */
	li t0, MSTATUS_MIE_BIT | MSTATUS_MPIE_BIT | MSTATUS_MPP_BITS | MSTATUS_TVM_BIT | MSTATUS_TSR_BIT | MSTATUS_TW_BIT
	csrs mstatus, t0
	csrr a0, sstatus
	li t1, MSTATUS_MIE_BIT | MSTATUS_MPIE_BIT | MSTATUS_MPP_BITS | MSTATUS_TVM_BIT | MSTATUS_TSR_BIT | MSTATUS_TW_BIT | (1 << 17)
	and t0, a0, t1
	CHECK_EQ(t0, 0, 10)
	csrw sstatus, zero
	csrr a0, mstatus
	li t1, MSTATUS_MIE_BIT | MSTATUS_MPIE_BIT | MSTATUS_MPP_BITS | MSTATUS_TVM_BIT | MSTATUS_TSR_BIT | MSTATUS_TW_BIT
	and t0, a0, t1
	CHECK_REG(t0, t1, 11)
	/* ... while the S fields written through sstatus land in mstatus. */
	li t0, MSTATUS_SUM_BIT | MSTATUS_MXR_BIT | MSTATUS_SPP_BIT | MSTATUS_SPIE_BIT
	csrs sstatus, t0
	csrr a0, mstatus
	and a0, a0, t0
	CHECK_REG(a0, t0, 12)
	csrw sstatus, zero
	csrr a0, mstatus
	and a0, a0, t0
	CHECK_EQ(a0, 0, 13)
	li t0, MSTATUS_MIE_BIT | MSTATUS_MPIE_BIT | MSTATUS_MPP_BITS | MSTATUS_TVM_BIT | MSTATUS_TSR_BIT | MSTATUS_TW_BIT
	csrc mstatus, t0
	/* sstatus reads UXL = 2 too. */
	csrr t0, sstatus
	srli t0, t0, 32
	andi t0, t0, 3
	CHECK_EQ(t0, 2, 14)

	/* SD summarises FS = Dirty, in mstatus and sstatus. */
	li t0, MSTATUS_FS_BITS
	csrc mstatus, t0
	li t0, 1 << 13 /* Initial */
	csrs mstatus, t0
	csrr t0, mstatus
	bltz t0, fail_sd_clean
	csrr t0, sstatus
	bltz t0, fail_sd_clean
	fadd.d f1, f2, f3 /* writes an FP register: FS becomes Dirty */
	csrr t0, mstatus
	srli t1, t0, 13
	andi t1, t1, 3
	CHECK_EQ(t1, 3, 16)
	bgez t0, fail_sd_dirty
	csrr t0, sstatus
	bgez t0, fail_sd_dirty
	li t0, MSTATUS_FS_BITS
	csrc mstatus, t0
	csrr t0, mstatus
	bltz t0, fail_sd_clean

	/* medeleg: ecall from M (bit 11) cannot be delegated. */
	li t0, -1
	csrw medeleg, t0
	csrr a0, medeleg
	srli t0, a0, 11
	andi t0, t0, 1
	CHECK_EQ(t0, 0, 20)
	srli t0, a0, 8
	andi t0, t0, 3
	CHECK_EQ(t0, 3, 21) /* U and S ecalls can */
	csrw medeleg, zero

	/* mideleg: only the S interrupts. mie: the six standard ones. */
	li t0, -1
	csrw mideleg, t0
	csrr a0, mideleg
	CHECK_EQ(a0, 0x222, 22)
	li t0, -1
	csrw mie, t0
	csrr a0, mie
	CHECK_EQ(a0, 0xaaa, 23)
	/* sie is mie masked by mideleg. */
	csrr a0, sie
	CHECK_EQ(a0, 0x222, 24)
	li t0, 0x20
	csrw mideleg, t0
	csrr a0, sie
	CHECK_EQ(a0, 0x20, 25)
	csrw mie, zero
	li t0, -1
	csrw sie, t0 /* only the delegated STIE sticks */
	csrr a0, mie
	CHECK_EQ(a0, 0x20, 26)
	csrw mie, zero

	/* sip.SSIP is writable only when SSIP is delegated. */
	csrw mideleg, zero
	csrsi sip, 2
	csrr a0, mip
	andi a0, a0, 2
	CHECK_EQ(a0, 0, 27)
	csrr a0, sip
	CHECK_EQ(a0, 0, 28)
	li t0, 2
	csrw mideleg, t0
	csrsi sip, 2
	csrr a0, mip
	andi a0, a0, 2
	CHECK_EQ(a0, 2, 29)
	csrr a0, sip
	CHECK_EQ(a0, 2, 30)
	csrci sip, 2
	csrr a0, mip
	andi a0, a0, 2
	CHECK_EQ(a0, 0, 31)
	csrw mideleg, zero

	/* mtvec / stvec: modes 2 and 3 are reserved; such writes are ignored. */
	csrr a0, mtvec
	ori t0, a0, 2
	csrw mtvec, t0
	csrr a1, mtvec
	CHECK_REG(a1, a0, 32)
	ori t0, a0, 3
	csrw mtvec, t0
	csrr a1, mtvec
	CHECK_REG(a1, a0, 33)
	csrr a0, stvec
	ori t0, a0, 3
	csrw stvec, t0
	csrr a1, stvec
	CHECK_REG(a1, a0, 34)
	/* Mode 1 (vectored) sticks. */
	ori t0, a0, 1
	csrw stvec, t0
	csrr a1, stvec
	CHECK_REG(a1, t0, 35)
	csrw stvec, a0

	/* mepc / sepc bit 0 reads 0 (IALIGN = 16). */
	li t0, 0x80001235
	csrw mepc, t0
	csrr a0, mepc
	CHECK_EQ(a0, 0x80001234, 36)
	csrw sepc, t0
	csrr a0, sepc
	CHECK_EQ(a0, 0x80001234, 37)

	/* satp: an unsupported MODE leaves it unchanged (4.1.11). */
	li t0, (8 << 60) | 0x80123
	csrw satp, t0
	csrr a0, satp
	CHECK_REG(a0, t0, 38)
	li t1, (1 << 60) | 0x456
	csrw satp, t1
	csrr a0, satp
	CHECK_REG(a0, t0, 39)
	csrw satp, zero
	csrr a0, satp
	CHECK_EQ(a0, 0, 40)

	/* Counter gating from S-mode (mcounteren, 3.1.11). */
	csrw mcounteren, zero
	csrw scounteren, zero
	ENTER_MODE(PRV_S, s_gated)
s_gated:
	TRY(rdcycle a0)
	CHECK_TRAP(2, 41)
	TRY(rdtime a0)
	CHECK_TRAP(2, 42)
	TRY(rdinstret a0)
	CHECK_TRAP(2, 43)
	TO_M(m_open_s)
m_open_s:
	li t0, 7
	csrw mcounteren, t0
	csrr a0, mcounteren
	CHECK_EQ(a0, 7, 44)
	ENTER_MODE(PRV_S, s_open)
s_open:
	TRY(rdcycle a0; rdtime a0; rdinstret a0)
	CHECK_NO_TRAP(45)
	/* scounteren = 0 does not gate S itself. */
	TO_M(m_u_tests)
m_u_tests:
	/* U: needs both mcounteren and scounteren. */
	ENTER_MODE(PRV_U, u_gated)
u_gated:
	TRY(rdcycle a0)
	CHECK_TRAP(2, 46)
	TRY(rdtime a0)
	CHECK_TRAP(2, 47)
	TRY(rdinstret a0)
	CHECK_TRAP(2, 48)
	TO_M(m_open_u)
m_open_u:
	li t0, 7
	csrw scounteren, t0
	ENTER_MODE(PRV_U, u_open)
u_open:
	TRY(rdcycle a0; rdtime a0; rdinstret a0)
	CHECK_NO_TRAP(49)
	TO_M(m_close_m)
m_close_m:
	/* Only the time bit in mcounteren: cycle stays illegal for U. */
	li t0, 2
	csrw mcounteren, t0
	ENTER_MODE(PRV_U, u_time_only)
u_time_only:
	TRY(rdtime a0)
	CHECK_NO_TRAP(50)
	TRY(rdcycle a0)
	CHECK_TRAP(2, 51)
	TO_M(m_pmp)
m_pmp:
	/* pmpcfg1 and pmpcfg3 do not exist on RV64. */
	TRY(csrr a0, pmpcfg1)
	CHECK_TRAP(2, 60)
	TRY(csrw pmpcfg3, zero)
	CHECK_TRAP(2, 61)
	/* pmpaddr holds bits 55:2 of the address: 54 bits. */
	li t0, -1
	csrw pmpaddr1, t0
	csrr a0, pmpaddr1
	li t1, (1 << 54) - 1
	CHECK_REG(a0, t1, 62)
	csrw pmpaddr1, zero
	/* R = 0, W = 1 is reserved: entry 3 keeps its old configuration. */
	li t0, 0x1f
	slli t0, t0, 24
	csrs pmpcfg0, t0 /* entry 3 = NAPOT RWX */
	csrr a0, pmpcfg0
	srli a0, a0, 24
	andi a0, a0, 0xff
	CHECK_EQ(a0, 0x1f, 63)
	csrr t0, pmpcfg0
	li t1, ~(0xff << 24)
	and t0, t0, t1
	li t1, 0x1a << 24 /* NAPOT, W without R */
	or t0, t0, t1
	csrw pmpcfg0, t0
	csrr a0, pmpcfg0
	srli a0, a0, 24
	andi a0, a0, 0xff
	CHECK_EQ(a0, 0x1f, 69)
	/* A locked TOR entry 15 over an unused range: its cfg and address,
	 * and the pmpaddr14 below it, ignore writes (3.7.1.2). */
	li t0, 0x90000000 >> 2
	csrw pmpaddr14, t0
	li t0, 0x90001000 >> 2
	csrw pmpaddr15, t0
	li t0, 0x8f << 56 /* L | TOR | RWX */
	csrw pmpcfg2, t0
	csrr a0, pmpcfg2
	CHECK_REG(a0, t0, 64)
	csrw pmpaddr15, zero
	csrr a0, pmpaddr15
	CHECK_EQ(a0, 0x90001000 >> 2, 65)
	csrw pmpaddr14, zero
	csrr a0, pmpaddr14
	CHECK_EQ(a0, 0x90000000 >> 2, 66)
	li t0, 0x1f << 48 /* entry 14 unlocked: its cfg is writable */
	csrw pmpcfg2, t0
	csrr a0, pmpcfg2
	li t1, (0x8f << 56) | (0x1f << 48)
	CHECK_REG(a0, t1, 67)
	/* Entry 13 (not below a locked TOR) is writable. */
	li t0, 0x1234
	csrw pmpaddr13, t0
	csrr a0, pmpaddr13
	CHECK_EQ(a0, 0x1234, 68)
	PASS

fail_sd_clean:
	FAIL(15)
fail_sd_dirty:
	FAIL(17)

TRAP_RECORDERS
GUEST_DATA
