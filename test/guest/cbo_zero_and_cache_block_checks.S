# args: -cpu max
# Zicbom/Zicboz (unprivileged spec, "Cache-Block Operations"), block size
# 64: cbo.zero zeroes exactly the naturally aligned block holding rs1 and
# drops translated code there; faults are store faults (15, 7) with tval =
# rs1, not the block's base; cbo.zero needs write permission, the
# management ops only what a load needs and set A, never D; below M the
# menvcfg (and in U the senvcfg) CBZE/CBCFE/CBIE fields enable them, else
# illegal-instruction; prefetches never fault. menvcfg/senvcfg are WARL.
#include "guest.h"
#include "trap_helpers.h"
#include "paging.h"
#define VA_RW 0x40000000   /* page_a, R W A D */
#define VA_RO 0x40001000   /* page_b, R A */
#define VA_NONE 0x40002000 /* V = 0 */
#define VA_XO 0x40003000   /* page_b, X A only */
#define VA_NOAD 0x40004000 /* page_c, R W, A = D = 0 */
#define VA_NOAD2 0x40005000 /* page_c, R W, A = D = 0 */
#define HOLE 0x18000000 /* nothing there on QEMU virt (0x40000000 up is PCIe MMIO) */
#define CBIE_FLUSH (1 << 4)
#define CBIE_INVAL (3 << 4)
#define CBCFE (1 << 6)
#define CBZE (1 << 7)
#define PATTERN 0x5a5a5a5a5a5a5a5a
/* Fill the 32 dwords at reg with PATTERN. Clobbers t0-t2. */
#define FILL256(reg)         \
	li t0, PATTERN;      \
	mv t1, reg;          \
	addi t2, reg, 256;   \
1:	sd t0, 0(t1);        \
	addi t1, t1, 8;      \
	bne t1, t2, 1b
/* Check the 256 bytes at reg: dwords 8-15 zero, the others PATTERN.
 * Clobbers t0-t3. */
#define CHECK_ONE_BLOCK_ZERO(reg, n) \
	li t0, PATTERN;              \
	li t1, 0;                    \
1:	add t2, reg, t1;             \
	ld t2, 0(t2);                \
	addi t3, t1, -64;            \
	sltiu t3, t3, 64;            \
	beqz t3, 2f;                 \
	beqz t2, 3f;                 \
	FAIL(n);                     \
2:	beq t2, t0, 3f;              \
	FAIL(n);                     \
3:	addi t1, t1, 8;              \
	li t2, 256;                  \
	bne t1, t2, 1b
	.option arch, +zicbom, +zicboz, +zicbop
GUEST_START
	INSTALL_RECORDERS
	PMP_ALLOW_ALL

	/* --- WARL fields: everything on with -cpu max --- */
	csrr t0, menvcfg
	CHECK_EQ(t0, 1 << 61, 1) /* reset: ADUE only (Svadu's hardware A/D) */
	li t0, -1
	csrw menvcfg, t0
	csrr t1, menvcfg
	/* STCE PBMTE ADUE | CBZE CBCFE CBIE=11 | FIOM */
	li t2, (7 << 61) | 0xf1
	CHECK_REG(t1, t2, 2)
	li t0, 2 << 4 /* CBIE = 10 is reserved: the old value stays */
	csrw menvcfg, t0
	csrr t1, menvcfg
	CHECK_EQ(t1, 0x30, 3)
	csrw menvcfg, CBIE_FLUSH
	li t0, 2 << 4
	csrs menvcfg, t0 /* 01 | 10 = 11: legal */
	csrr t1, menvcfg
	CHECK_EQ(t1, 0x30, 4)
	li t0, -1
	csrw senvcfg, t0
	csrr t1, senvcfg
	CHECK_EQ(t1, 0xf1, 5) /* senvcfg has no ADUE, PBMTE or STCE */
	csrw senvcfg, zero
	li t0, 1 << 61
	csrw menvcfg, t0

	/* --- M-mode: always enabled --- */
	la s0, buf
	FILL256(s0)
	addi a0, s0, 64 + 13
	cbo.zero (a0)
	CHECK_ONE_BLOCK_ZERO(s0, 10)
	addi a0, s0, 255 /* the last byte: its block is 192..255 */
	cbo.zero (a0)
	ld t0, 248(s0)
	CHECK_EQ(t0, 0, 11)
	ld t0, 184(s0)
	li t1, PATTERN
	CHECK_REG(t0, t1, 12)
	TRY(cbo.clean (s0))
	CHECK_NO_TRAP(13)
	TRY(cbo.flush (s0))
	CHECK_NO_TRAP(14)
	TRY(cbo.inval (s0))
	CHECK_NO_TRAP(15)
	/* The boot ROM: management is allowed (loads are), zero is not. */
	li t1, 0x1010
	TRY(cbo.clean (t1))
	CHECK_NO_TRAP(16)
	li t1, 0x1013
	TRY(cbo.zero (t1))
	CHECK_TRAP(7, 17)
	CHECK_REG(s10, t1, 18)
	/* Nothing there: store access faults, tval = rs1. */
	li t1, HOLE + 0x21
	TRY(cbo.flush (t1))
	CHECK_TRAP(7, 19)
	CHECK_REG(s10, t1, 20)
	TRY(prefetch.w 0(t1))
	CHECK_NO_TRAP(21)

	/* cbo.zero over translated code drops it: the zeroed first
	 * halfword is the defined-illegal 0x0000 on the next call. */
	call code_block
	CHECK_EQ(a0, 5, 30)
	call code_block
	CHECK_EQ(a0, 5, 31)
	la t1, code_block
	addi t1, t1, 6
	cbo.zero (t1)
	fence.i
	la s11, 1f
	li s8, -1
	li a0, 0
	call code_block
1:	CHECK_EQ(s8, 2, 32)
	la t1, code_block
	CHECK_REG(s9, t1, 33)
	CHECK_EQ(s10, 0, 34)
	CHECK_EQ(a0, 0, 35)

	/* --- S-mode with Sv39 --- */
	SV39_LINK_TABLES
	la t0, page_a
	MAKE_PTE(t0, PTE_V | PTE_R | PTE_W | PTE_A | PTE_D)
	sd t0, 0*8(s2)
	la t0, page_b
	MAKE_PTE(t0, PTE_V | PTE_R | PTE_A)
	sd t0, 1*8(s2)
	la t0, page_b
	MAKE_PTE(t0, PTE_V | PTE_X | PTE_A)
	sd t0, 3*8(s2)
	la t0, page_c
	MAKE_PTE(t0, PTE_V | PTE_R | PTE_W)
	sd t0, 4*8(s2)
	la t0, page_c
	MAKE_PTE(t0, PTE_V | PTE_R | PTE_W)
	sd t0, 5*8(s2)
	la s3, page_a
	FILL256(s3)
	SV39_ON
	ENTER_MODE(PRV_S, s_disabled)
s_disabled:
	/* menvcfg's CBO fields are 0: illegal below M. */
	li t1, VA_RW
	TRY(cbo.zero (t1))
	CHECK_ILLEGAL(40)
	TRY(cbo.clean (t1))
	CHECK_ILLEGAL(41)
	TRY(cbo.flush (t1))
	CHECK_ILLEGAL(42)
	TRY(cbo.inval (t1))
	CHECK_ILLEGAL(43)
	/* Prefetches raise nothing, even where nothing is mapped. */
	li t1, VA_NONE
	TRY(prefetch.i 0(t1))
	CHECK_NO_TRAP(44)
	TRY(prefetch.r 32(t1))
	CHECK_NO_TRAP(45)
	TRY(prefetch.w -32(t1))
	CHECK_NO_TRAP(46)
	TO_M(m_enable_s)
m_enable_s:
	li t0, CBZE | CBCFE | CBIE_FLUSH
	csrs menvcfg, t0
	ENTER_MODE(PRV_S, s_enabled)
s_enabled:
	li t1, VA_RW + 0x47
	TRY(cbo.zero (t1))
	CHECK_NO_TRAP(50)
	la s3, page_a
	CHECK_ONE_BLOCK_ZERO(s3, 51)
	/* A read-only page: zero faults with tval = rs1 exactly. */
	li t1, VA_RO + 0x4a
	TRY(cbo.zero (t1))
	CHECK_TRAP(15, 52)
	CHECK_REG(s10, t1, 53)
	/* ... while the management ops need only read permission. */
	TRY(cbo.clean (t1))
	CHECK_NO_TRAP(54)
	TRY(cbo.flush (t1))
	CHECK_NO_TRAP(55)
	TRY(cbo.inval (t1))
	CHECK_NO_TRAP(56)
	/* No valid PTE: store page faults. */
	li t1, VA_NONE + 0x33
	TRY(cbo.clean (t1))
	CHECK_TRAP(15, 57)
	CHECK_REG(s10, t1, 58)
	TRY(cbo.inval (t1))
	CHECK_TRAP(15, 59)
	TRY(cbo.zero (t1))
	CHECK_TRAP(15, 60)
	/* Execute-only: no load permission, so no management either;
	 * with MXR a load may read it, and so may cbo.flush. */
	li t1, VA_XO + 8
	TRY(cbo.flush (t1))
	CHECK_TRAP(15, 61)
	CHECK_REG(s10, t1, 62)
	li t0, MSTATUS_MXR_BIT
	csrs sstatus, t0
	TRY(cbo.flush (t1))
	CHECK_NO_TRAP(63)
	li t0, MSTATUS_MXR_BIT
	csrc sstatus, t0
	/* A and D: management sets A only, zero sets both. */
	li t1, VA_NOAD + 0x100
	cbo.clean (t1)
	ld t0, 4*8(s2)
	andi t0, t0, PTE_A | PTE_D
	CHECK_EQ(t0, PTE_A, 64)
	li t1, VA_NOAD2 + 0x100
	cbo.zero (t1)
	ld t0, 5*8(s2)
	andi t0, t0, PTE_A | PTE_D
	CHECK_EQ(t0, PTE_A | PTE_D, 65)
	TO_M(m_user)

	/* --- U-mode (Bare): senvcfg too --- */
m_user:
	csrw satp, zero
	sfence.vma
	li t0, CBZE | CBCFE | CBIE_INVAL
	csrs menvcfg, t0
	la s0, buf
	FILL256(s0)
	ENTER_MODE(PRV_U, u_disabled)
u_disabled:
	addi t1, s0, 70
	TRY(cbo.zero (t1))
	CHECK_ILLEGAL(70)
	TRY(cbo.clean (t1))
	CHECK_ILLEGAL(71)
	TRY(cbo.inval (t1))
	CHECK_ILLEGAL(72)
	TRY(prefetch.r 0(t1))
	CHECK_NO_TRAP(73)
	TO_M(m_enable_u)
m_enable_u:
	li t0, CBZE | CBCFE | CBIE_FLUSH
	csrw senvcfg, t0
	ENTER_MODE(PRV_U, u_enabled)
u_enabled:
	addi t1, s0, 70
	TRY(cbo.zero (t1))
	CHECK_NO_TRAP(74)
	CHECK_ONE_BLOCK_ZERO(s0, 75)
	addi t1, s0, 70
	TRY(cbo.clean (t1))
	CHECK_NO_TRAP(76)
	TRY(cbo.inval (t1)) /* CBIE 01 in senvcfg: a flush */
	CHECK_NO_TRAP(77)
	TO_M(m_menvcfg_off)
m_menvcfg_off:
	/* menvcfg.CBZE = 0 disables it in U whatever senvcfg says. */
	li t0, CBZE
	csrc menvcfg, t0
	ENTER_MODE(PRV_U, u_menvcfg_off)
u_menvcfg_off:
	addi t1, s0, 70
	TRY(cbo.zero (t1))
	CHECK_ILLEGAL(78)
	TRY(cbo.flush (t1))
	CHECK_NO_TRAP(79)
	TO_M(done)
done:
	CHECK_EQ(s8, 3, 80)
	PASS

	.balign 64
code_block:
	li a0, 5
	ret
	.balign 64

TRAP_RECORDERS

	.data
	SV39_TABLES_DATA
page_a:	.skip 4096
page_b:	.skip 4096
page_c:	.skip 4096
	.balign 64
buf:	.skip 256
GUEST_DATA
