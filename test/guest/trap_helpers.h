/* clang-format off */ /* assembler macros, which clang-format would mangle */
/*
 * Helpers for guest tests that provoke traps on purpose (include after
 * guest.h). Register conventions while they are in use:
 *   s7   address of the instruction TRY ran
 *   s8   cause, s9 epc, s10 tval recorded by the last trap (-1: none)
 *   s4   mstatus at the last M-mode trap, s5 sstatus at the last S-mode trap
 *   s11  where the trap handlers resume
 *   s6   nonzero: the M handler resumes in M-mode (see TO_M)
 * Place TRAP_RECORDERS once, after the test's code; INSTALL_RECORDERS
 * points mtvec and stvec at them.
 */
#ifndef TRAP_HELPERS_H
#define TRAP_HELPERS_H

#define PRV_U 0
#define PRV_S 1
#define PRV_M 3

#define MSTATUS_SIE_BIT 0x2
#define MSTATUS_MIE_BIT 0x8
#define MSTATUS_SPIE_BIT 0x20
#define MSTATUS_MPIE_BIT 0x80
#define MSTATUS_SPP_BIT 0x100
#define MSTATUS_MPP_BITS 0x1800
#define MSTATUS_FS_BITS 0x6000
#define MSTATUS_SUM_BIT 0x40000
#define MSTATUS_MXR_BIT 0x80000
#define MSTATUS_TVM_BIT 0x100000
#define MSTATUS_TW_BIT 0x200000
#define MSTATUS_TSR_BIT 0x400000

#define TRAP_RECORDERS          \
	.align 2;               \
m_trap_record:                  \
	csrr s8, mcause;        \
	csrr s9, mepc;          \
	csrr s10, mtval;        \
	csrr s4, mstatus;       \
	csrw mepc, s11;         \
	beqz s6, 1f;            \
	li s6, MSTATUS_MPP_BITS; \
	csrs mstatus, s6;       \
	li s6, 0;               \
1:	mret;                   \
	.align 2;               \
s_trap_record:                  \
	csrr s8, scause;        \
	csrr s9, sepc;          \
	csrr s10, stval;        \
	csrr s5, sstatus;       \
	csrw sepc, s11;         \
	sret

#define INSTALL_RECORDERS            \
	la t0, m_trap_record;        \
	csrw mtvec, t0;              \
	la t0, s_trap_record;        \
	csrw stvec, t0;              \
	li s6, 0

/* One NAPOT entry granting RWX over the whole physical address space:
 * S and U need a matching PMP entry to touch anything (priv 3.7.1). */
#define PMP_ALLOW_ALL                \
	li t0, -1;                   \
	srli t0, t0, 10;             \
	csrw pmpaddr0, t0;           \
	li t0, 0x1f;                 \
	csrw pmpcfg0, t0

/* Run the instruction(s) given, expecting a trap on the first one. */
#define TRY(...)                                                  \
	la s7, 71f;                                               \
	la s11, 72f;                                              \
	li s8, -1;                                                \
	li s9, -1;                                                \
	li s10, -1;                                               \
71:	__VA_ARGS__;                                              \
72:

/* Fail with code n unless the two registers are equal. */
#define CHECK_REG(reg, other, n) \
	beq reg, other, 8f;      \
	FAIL(n);                 \
8:

/* The last TRY trapped with this cause, at the instruction it ran. */
#define CHECK_TRAP(cause, n)   \
	CHECK_EQ(s8, cause, n); \
	CHECK_REG(s9, s7, n)

/* The last TRY did not trap. */
#define CHECK_NO_TRAP(n) CHECK_EQ(s8, -1, n)

/* Leave M-mode for privilege prv at label target (mret). */
#define ENTER_MODE(prv, target)       \
	li t0, MSTATUS_MPP_BITS;      \
	csrc mstatus, t0;             \
	li t0, (prv) << 11;           \
	csrs mstatus, t0;             \
	la t0, target;                \
	csrw mepc, t0;                \
	mret

/* From S or U (ebreak not delegated), continue at target in M-mode. */
#define TO_M(target)     \
	li s6, 1;        \
	la s11, target;  \
	ebreak

/* dst = the bits of the instruction at s7, 16 or 32 of them. Clobbers t4, t5. */
#define INSN_BITS(dst)          \
	lhu dst, 0(s7);         \
	andi t5, dst, 3;        \
	li t4, 3;               \
	bne t5, t4, 9f;         \
	lhu t5, 2(s7);          \
	slli t5, t5, 16;        \
	or dst, dst, t5;        \
9:

/* The last TRY raised illegal-instruction with mtval = its bits. */
#define CHECK_ILLEGAL(n)        \
	CHECK_TRAP(2, n);       \
	INSN_BITS(t3);          \
	CHECK_REG(s10, t3, n)

/* An instruction of an extension that is off: it raises illegal-instruction
 * with mtval = its bits and writes nothing, so a0, which the test sets to
 * OFF_MARK beforehand, keeps that value. */
#define OFF_MARK 0x5a
#define CHECK_OFF(n, ...)      \
	TRY(__VA_ARGS__);      \
	CHECK_ILLEGAL(n);      \
	CHECK_EQ(a0, OFF_MARK, n)

#endif
