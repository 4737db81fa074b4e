# args: -cpu max
# Sv39 PTE extensions (priv spec, Svpbmt, Svnapot, Svadu/Svade chapters):
# - PBMT (bits 62:61) in a leaf is a page fault while menvcfg.PBMTE = 0
#   ("behaves as though Svpbmt were not implemented"); with PBMTE = 1, NC
#   and IO map memory and 3 stays reserved; PBMT or N in a non-leaf PTE is
#   always a page fault;
# - a 64 KiB NAPOT leaf (N = 1, ppn[3:0] = 1000) maps its 16 pages, page j
#   to the physical page with ppn[3:0] = j; the other N = 1 encodings
#   (ppn[3:0] = 0100 or 0000, or a megapage) are page faults;
# - menvcfg.ADUE = 0 makes A = 0 (any access) and D = 0 (a store) page
#   faults that leave the PTE alone; ADUE = 1 sets the bits in hardware.
#include "guest.h"
#include "trap_helpers.h"
#include "paging.h"
#define PTE_N (1 << 63)
#define PBMT_NC (1 << 61)
#define PBMT_IO (2 << 61)
#define PBMT_RSV (3 << 61)
#define MENVCFG_ADUE (1 << 61)
#define MENVCFG_PBMTE (1 << 62)
#define VA_NC 0x40000000    /* page_a, PBMT = NC */
#define VA_IO 0x40001000    /* page_a, PBMT = IO */
#define VA_PBMT3 0x40002000 /* page_a, PBMT = 3 */
#define VA_NOA 0x40003000   /* page_b, A = D = 0 */
#define VA_NOD 0x40004000   /* page_b, A = 1, D = 0 */
#define VA_NAPOT 0x40010000 /* 16 PTEs: the NAPOT leaf for `napot` */
#define VA_NAPOT32K 0x40020000 /* N = 1, ppn[3:0] = 0100 */
#define VA_NAPOT0 0x40021000   /* N = 1, ppn[3:0] = 0000 */
#define VA_NMEGA 0x40200000    /* level1[1]: a megapage with N = 1 */
#define VA_PBMT_PTR 0x40400000 /* level1[2]: pointer with PBMT = NC */
#define VA_N_PTR 0x40600000    /* level1[3]: pointer with N = 1 */
#define RWAD (PTE_V | PTE_R | PTE_W | PTE_A | PTE_D)
/* t0 = t0 | the 64-bit constant c (PTE bits beyond ori's reach). */
#define OR_HIGH(c)   \
	li t1, c;    \
	or t0, t0, t1
GUEST_START
	INSTALL_RECORDERS
	PMP_ALLOW_ALL
	SV39_LINK_TABLES
	la t0, page_a
	MAKE_PTE(t0, RWAD)
	OR_HIGH(PBMT_NC)
	sd t0, 0*8(s2)
	la t0, page_a
	MAKE_PTE(t0, RWAD)
	OR_HIGH(PBMT_IO)
	sd t0, 1*8(s2)
	la t0, page_a
	MAKE_PTE(t0, RWAD)
	OR_HIGH(PBMT_RSV)
	sd t0, 2*8(s2)
	la t0, page_b
	MAKE_PTE(t0, PTE_V | PTE_R | PTE_W)
	sd t0, 3*8(s2)
	la t0, page_b
	MAKE_PTE(t0, PTE_V | PTE_R | PTE_W | PTE_A)
	sd t0, 4*8(s2)
	/* The NAPOT leaf, in each of the 16 PTEs of its range. */
	la t0, napot
	srli t0, t0, 12
	ori t0, t0, 8
	slli t0, t0, 10
	ori t0, t0, RWAD
	OR_HIGH(PTE_N)
	li t2, 16
	addi t3, s2, 16*8
1:	sd t0, 0(t3)
	addi t3, t3, 8
	addi t2, t2, -1
	bnez t2, 1b
	/* Reserved NAPOT forms. */
	la t0, napot
	srli t0, t0, 12
	ori t0, t0, 4
	slli t0, t0, 10
	ori t0, t0, RWAD
	OR_HIGH(PTE_N)
	sd t0, 32*8(s2)
	la t0, napot
	MAKE_PTE(t0, RWAD)
	OR_HIGH(PTE_N)
	sd t0, 33*8(s2)
	li t0, (0x80000000 >> 12) << 10 | RWAD
	OR_HIGH(PTE_N)
	sd t0, 1*8(s1)
	/* Pointers to level0 with PBMT, and with N. */
	mv t0, s2
	MAKE_PTE(t0, PTE_V)
	OR_HIGH(PBMT_NC)
	sd t0, 2*8(s1)
	mv t0, s2
	MAKE_PTE(t0, PTE_V)
	OR_HIGH(PTE_N)
	sd t0, 3*8(s1)
	/* Page j of the NAPOT region holds 100 + j at offset 8. */
	la t0, napot
	li t1, 0
1:	addi t2, t1, 100
	sd t2, 8(t0)
	li t2, 4096
	add t0, t0, t2
	addi t1, t1, 1
	li t2, 16
	bne t1, t2, 1b
	li t0, 0xaaaa
	la t1, page_a
	sd t0, 0(t1)
	li t0, 0xbbbb
	la t1, page_b
	sd t0, 0(t1)

	csrr t0, menvcfg
	CHECK_EQ(t0, MENVCFG_ADUE, 1) /* PBMTE = 0 at reset */
	SV39_ON
	ENTER_MODE(PRV_S, s_no_pbmte)
s_no_pbmte:
	li t1, VA_NC
	TRY(ld a0, 0(t1))
	CHECK_TRAP(13, 10)
	CHECK_REG(s10, t1, 11)
	li t1, VA_IO + 8
	TRY(sd a0, 0(t1))
	CHECK_TRAP(15, 12)
	CHECK_REG(s10, t1, 13)
	/* NAPOT: all 16 pages, each to its own physical page. */
	li t1, VA_NAPOT
	li t2, 0
1:	ld a0, 8(t1)
	addi t3, t2, 100
	CHECK_REG(a0, t3, 20)
	li t3, 4096
	add t1, t1, t3
	addi t2, t2, 1
	li t3, 16
	bne t2, t3, 1b
	/* A store through page 9 lands in the physical page 9. */
	li t1, VA_NAPOT + 9*4096
	li t0, 0x9999
	sd t0, 16(t1)
	la t1, napot
	li t2, 9*4096
	add t1, t1, t2
	ld a0, 16(t1)
	CHECK_EQ(a0, 0x9999, 21)
	/* Reserved NAPOT encodings. */
	li t1, VA_NAPOT32K + 0x10
	TRY(ld a0, 0(t1))
	CHECK_TRAP(13, 22)
	CHECK_REG(s10, t1, 23)
	li t1, VA_NAPOT0
	TRY(sd a0, 0(t1))
	CHECK_TRAP(15, 24)
	li t1, VA_NMEGA + 0x1000
	TRY(ld a0, 0(t1))
	CHECK_TRAP(13, 25)
	/* Pointers with N or PBMT. */
	li t1, VA_N_PTR + 0x10000 /* level0[16]: the NAPOT leaf, if reached */
	TRY(ld a0, 0(t1))
	CHECK_TRAP(13, 26)
	TO_M(m_pbmte)
m_pbmte:
	li t0, MENVCFG_PBMTE
	csrs menvcfg, t0
	ENTER_MODE(PRV_S, s_pbmte)
s_pbmte:
	sfence.vma
	li t1, VA_NC
	TRY(ld a0, 0(t1))
	CHECK_NO_TRAP(30)
	CHECK_EQ(a0, 0xaaaa, 31)
	li t1, VA_IO
	li t0, 0x1010
	TRY(sd t0, 8(t1))
	CHECK_NO_TRAP(32)
	li t1, VA_NC
	ld a0, 8(t1)
	CHECK_EQ(a0, 0x1010, 33)
	li t1, VA_PBMT3 + 0x20
	TRY(ld a0, 0(t1))
	CHECK_TRAP(13, 34)
	CHECK_REG(s10, t1, 35)
	li t1, VA_PBMT_PTR + 0x1000 /* level0[1]: the IO page, if reached */
	TRY(ld a0, 0(t1))
	CHECK_TRAP(13, 36)
	TO_M(m_no_adue)
m_no_adue:
	li t0, MENVCFG_ADUE
	csrc menvcfg, t0
	csrr t0, menvcfg
	CHECK_EQ(t0, MENVCFG_PBMTE, 39)
	ENTER_MODE(PRV_S, s_svade)
s_svade:
	sfence.vma
	li t1, VA_NOA
	TRY(ld a0, 0(t1))
	CHECK_TRAP(13, 40)
	CHECK_REG(s10, t1, 41)
	ld t0, 3*8(s2)
	andi t0, t0, PTE_A | PTE_D
	CHECK_EQ(t0, 0, 42)
	li t1, VA_NOD + 0x18
	TRY(sd a0, 0(t1))
	CHECK_TRAP(15, 43)
	CHECK_REG(s10, t1, 44)
	TRY(ld a0, 0(t1)) /* A is set: a load is fine */
	CHECK_NO_TRAP(45)
	ld t0, 4*8(s2)
	andi t0, t0, PTE_A | PTE_D
	CHECK_EQ(t0, PTE_A, 46)
	TO_M(m_adue)
m_adue:
	li t0, MENVCFG_ADUE
	csrs menvcfg, t0
	ENTER_MODE(PRV_S, s_svadu)
s_svadu:
	sfence.vma
	li t1, VA_NOA
	TRY(ld a0, 0(t1))
	CHECK_NO_TRAP(50)
	CHECK_EQ(a0, 0xbbbb, 51)
	ld t0, 3*8(s2)
	andi t0, t0, PTE_A | PTE_D
	CHECK_EQ(t0, PTE_A, 52)
	li t1, VA_NOD + 0x18
	TRY(sd a0, 0(t1))
	CHECK_NO_TRAP(53)
	ld t0, 4*8(s2)
	andi t0, t0, PTE_A | PTE_D
	CHECK_EQ(t0, PTE_A | PTE_D, 54)
	TO_M(done)
done:
	CHECK_EQ(s8, 3, 60)
	PASS

TRAP_RECORDERS

	.data
	SV39_TABLES_DATA
page_a:	.skip 4096
page_b:	.skip 4096
	.balign 65536
napot:	.skip 65536
GUEST_DATA
