# Interrupt enabling, delegation, vectoring and priority (priv 3.1.6.1,
# 3.1.7, 3.1.9, 4.1.3): M interrupts (CLINT msip and mtimecmp) are masked
# in M by MIE=0 but always taken from S; delegated S interrupts are never
# taken in M, taken in S only with SIE=1, always taken in U; a vectored
# stvec sends interrupt `code` to base + 4*code; several pending are taken
# highest priority first (MEI, MSI, MTI, SEI, SSI, STI).
#include "guest.h"
#include "trap_helpers.h"
#define MSIP_ADDR CLINT
#define MTIMECMP_ADDR (CLINT + 0x4000)
#define MTIME_ADDR (CLINT + 0xbff8)
#define IRQ(code) ((1 << 63) | (code))
/* s3 logs the interrupt codes taken, one per byte, oldest highest. The
 * handlers use a5-a7 only. */
#define SPIN(n)              \
	li t2, n;            \
1:	addi t2, t2, -1;     \
	bnez t2, 1b
/* Wait until s3 >= at_least, or fail with n. */
#define WAIT_LOG(at_least, n)  \
	li t1, at_least;       \
	li t2, 20000000;       \
1:	bgeu s3, t1, 2f;       \
	addi t2, t2, -1;       \
	bnez t2, 1b;           \
	FAIL(n);               \
2:
GUEST_START
	la t0, m_handler
	csrw mtvec, t0
	la t0, s_vectors
	ori t0, t0, 1
	csrw stvec, t0
	csrr t1, stvec
	CHECK_REG(t1, t0, 1)
	li s6, 0
	li s3, 0
	PMP_ALLOW_ALL
	li t0, -1
	li t1, MTIMECMP_ADDR
	sd t0, 0(t1)
	li t1, MSIP_ADDR
	sw zero, 0(t1)
	csrw mie, zero
	csrw mideleg, zero
	csrci mstatus, MSTATUS_MIE_BIT | MSTATUS_SIE_BIT

	/* A: a pending MSI is not taken in M with MIE = 0, then taken. */
	li t0, 1 << 3
	csrw mie, t0
	li t1, MSIP_ADDR
	li t0, 1
	sw t0, 0(t1)
	SPIN(1000)
	CHECK_EQ(s3, 0, 2)
	csrr t0, mip
	andi t0, t0, 1 << 3
	CHECK_EQ(t0, 1 << 3, 3)
	csrsi mstatus, MSTATUS_MIE_BIT
	WAIT_LOG(1, 4)
	csrci mstatus, MSTATUS_MIE_BIT
	CHECK_EQ(s3, 3, 5)
	CHECK_EQ(s8, IRQ(3), 6)
	srli t0, s4, 11
	andi t0, t0, 3
	CHECK_EQ(t0, PRV_M, 7)

	/* B: the machine timer. */
	li s3, 0
	li t0, 1 << 7
	csrw mie, t0
	li t1, MTIME_ADDR
	ld t0, 0(t1)
	addi t0, t0, 200
	li t1, MTIMECMP_ADDR
	sd t0, 0(t1)
	csrsi mstatus, MSTATUS_MIE_BIT
	WAIT_LOG(1, 10)
	csrci mstatus, MSTATUS_MIE_BIT
	CHECK_EQ(s3, 7, 11)
	CHECK_EQ(s8, IRQ(7), 12)
	csrr t0, mip
	andi t0, t0, 1 << 7
	CHECK_EQ(t0, 0, 13)

	/* C: MSI and MTI pending together: MSI first. */
	li s3, 0
	li t0, (1 << 3) | (1 << 7)
	csrw mie, t0
	li t1, MSIP_ADDR
	li t0, 1
	sw t0, 0(t1)
	li t1, MTIMECMP_ADDR
	sd zero, 0(t1)
	li t2, 1000000
1:	csrr t0, mip
	andi t0, t0, 0x88
	li t1, 0x88
	beq t0, t1, 2f
	addi t2, t2, -1
	bnez t2, 1b
	FAIL(20)
2:	CHECK_EQ(s3, 0, 21)
	csrsi mstatus, MSTATUS_MIE_BIT
	WAIT_LOG(0x100, 22)
	csrci mstatus, MSTATUS_MIE_BIT
	CHECK_EQ(s3, 0x0307, 23)

	/* D: an M interrupt is taken in S-mode even with MIE = 0. */
	li s3, 0
	li t0, 1 << 3
	csrw mie, t0
	li t1, MSIP_ADDR
	li t0, 1
	sw t0, 0(t1)
	li t0, MSTATUS_MPIE_BIT
	csrc mstatus, t0
	ENTER_MODE(PRV_S, d_in_s)
d_in_s:
	WAIT_LOG(1, 30)
	CHECK_EQ(s3, 3, 31)
	CHECK_EQ(s8, IRQ(3), 32)
	srli t0, s4, 11
	andi t0, t0, 3
	CHECK_EQ(t0, PRV_S, 33)
	andi t0, s4, MSTATUS_MIE_BIT
	CHECK_EQ(t0, 0, 34)
	TO_M(d_done)
d_done:
	csrw mie, zero

	/* E: a delegated SSI: never in M, not in S with SIE = 0, taken in
	 * S with SIE = 1 through stvec vector 1. */
	li s3, 0
	li t0, 0x22
	csrw mideleg, t0
	csrw mie, t0
	csrsi mip, 2
	csrsi mstatus, MSTATUS_MIE_BIT | MSTATUS_SIE_BIT
	SPIN(1000)
	csrci mstatus, MSTATUS_MIE_BIT | MSTATUS_SIE_BIT
	CHECK_EQ(s3, 0, 40)
	ENTER_MODE(PRV_S, e_in_s)
e_in_s:
	SPIN(1000)
	CHECK_EQ(s3, 0, 41)
	csrr t0, sip
	CHECK_EQ(t0, 2, 42)
	csrsi sstatus, MSTATUS_SIE_BIT
	WAIT_LOG(1, 43)
	CHECK_EQ(s3, 1, 44)
	CHECK_EQ(s8, IRQ(1), 45)
	andi t0, s5, MSTATUS_SPP_BIT
	CHECK_EQ(t0, MSTATUS_SPP_BIT, 46)
	andi t0, s5, MSTATUS_SPIE_BIT
	CHECK_EQ(t0, MSTATUS_SPIE_BIT, 47)
	andi t0, s5, MSTATUS_SIE_BIT
	CHECK_EQ(t0, 0, 48)
	csrr t0, sstatus /* sret restored SIE */
	andi t0, t0, MSTATUS_SIE_BIT
	CHECK_EQ(t0, MSTATUS_SIE_BIT, 49)
	csrci sstatus, MSTATUS_SIE_BIT
	TO_M(e_done)
e_done:

	/* F: SSI and STI pending in U-mode with SIE = 0: both taken, SSI
	 * first, through vectors 1 and 5. */
	li s3, 0
	li t0, 0x22
	csrw mie, t0
	csrs mip, t0
	csrr t1, mip
	and t1, t1, t0
	CHECK_REG(t1, t0, 50)
	csrci mstatus, MSTATUS_SIE_BIT
	ENTER_MODE(PRV_U, f_in_u)
f_in_u:
	WAIT_LOG(0x100, 51)
	CHECK_EQ(s3, 0x0105, 52)
	CHECK_EQ(s8, IRQ(5), 53)
	andi t0, s5, MSTATUS_SPP_BIT
	CHECK_EQ(t0, 0, 54)
	TO_M(f_done)
f_done:
	li t0, 0x22
	csrc mip, t0
	csrr t0, mip
	andi t0, t0, 0x22
	CHECK_EQ(t0, 0, 55)

	/* G: a vectored mtvec: MSI goes to base + 12. */
	la t0, m_vectors
	ori t0, t0, 1
	csrw mtvec, t0
	li s3, 0
	csrw mideleg, zero
	li t0, 1 << 3
	csrw mie, t0
	li t1, MSIP_ADDR
	li t0, 1
	sw t0, 0(t1)
	csrsi mstatus, MSTATUS_MIE_BIT
	WAIT_LOG(1, 60)
	csrci mstatus, MSTATUS_MIE_BIT
	CHECK_EQ(s3, 0x3003, 61)
	PASS

	/* Exceptions go to the recorder; interrupts are logged and their
	 * source silenced (msip cleared, mtimecmp pushed to the end). */
	.align 2
m_handler:
	csrr a6, mcause
	bgez a6, m_trap_record
m_irq:
	andi a7, a6, 0xff
	slli s3, s3, 8
	or s3, s3, a7
	mv s8, a6
	csrr s9, mepc
	csrr s4, mstatus
	li a6, 3
	bne a7, a6, 1f
	li a6, MSIP_ADDR
	sw zero, 0(a6)
	mret
1:	li a6, 7
	bne a7, a6, 2f
	li a6, MTIMECMP_ADDR
	li a7, -1
	sd a7, 0(a6)
	mret
2:	FAIL(80)

	.align 8
m_vectors:
	.option push
	.option norvc
	j m_handler /* 0: exceptions */
	j m_bad_vector
	j m_bad_vector
	j m_vec_msi /* 3 */
	j m_bad_vector
	j m_bad_vector
	j m_bad_vector
	j m_bad_vector
	.option pop
m_vec_msi:
	li s3, 0x30 /* marks vector 3; m_irq appends the code: 0x3003 */
	csrr a6, mcause
	j m_irq
m_bad_vector:
	FAIL(81)

	.align 8
s_vectors:
	.option push
	.option norvc
	j s_exception /* 0 */
	j s_vec1
	j s_bad_vector
	j s_bad_vector
	j s_bad_vector
	j s_vec5
	j s_bad_vector
	j s_bad_vector
	j s_bad_vector
	j s_bad_vector
	.option pop
s_vec1:
	li a7, 1
	j s_irq
s_vec5:
	li a7, 5
	j s_irq
/* Check scause matches the vector, log, disable that interrupt in sie. */
s_irq:
	csrr a6, scause
	li a5, 1
	slli a5, a5, 63
	or a5, a5, a7
	bne a6, a5, s_bad_cause
	slli s3, s3, 8
	or s3, s3, a7
	mv s8, a6
	csrr s5, sstatus
	li a6, 1
	sll a6, a6, a7
	csrc sie, a6
	csrc sip, a6
	sret
s_bad_vector:
	FAIL(82)
s_bad_cause:
	FAIL(83)
s_exception:
	FAIL(84)

TRAP_RECORDERS
GUEST_DATA
