# Sv39 translation from S-mode (priv 4.3-4.4): a 1 GiB identity gigapage
# for code and data, 4 KiB pages at VA 0x40000000 aliasing other memory;
# page faults (12, 13, 15) delegated to S report stval = the VA; R/W/X/U
# permissions with SUM and MXR; a misaligned megapage and a non-canonical
# VA fault; the hardware sets A and D; sfence.vma makes a changed PTE
# take effect.
#include "guest.h"
#include "trap_helpers.h"
#include "paging.h"
#define VA_ALIAS 0x40000000 /* page_a, R W, A = D = 0 at first */
#define VA_RO 0x40001000    /* page_b, read-only */
#define VA_USER 0x40002000  /* page_c, U R W */
#define VA_UX 0x40003000    /* page_a, U R X */
#define VA_NONE 0x40004000  /* V = 0 */
#define VA_SWAP 0x40005000  /* page_a, then page_b */
#define VA_XONLY 0x40006000 /* page_a, X only */
#define VA_BADMEGA 0x40200000 /* level-1 leaf with PPN[0] != 0 */
GUEST_START
	INSTALL_RECORDERS
	PMP_ALLOW_ALL
	/* paging.h's layout: RAM an identity gigapage, level0 at VA 0x40000000. */
	SV39_LINK_TABLES
	/* level1[1]: a 2 MiB leaf at PPN 0x80001, not 2 MiB aligned. */
	li t0, (0x80001 << 10) | PTE_V | PTE_R | PTE_W | PTE_A | PTE_D
	sd t0, 1*8(s1)
	la t0, page_a
	MAKE_PTE(t0, PTE_V | PTE_R | PTE_W)
	sd t0, 0*8(s2)
	la t0, page_b
	MAKE_PTE(t0, PTE_V | PTE_R | PTE_A)
	sd t0, 1*8(s2)
	la t0, page_c
	MAKE_PTE(t0, PTE_V | PTE_R | PTE_W | PTE_U | PTE_A | PTE_D)
	sd t0, 2*8(s2)
	la t0, page_a
	MAKE_PTE(t0, PTE_V | PTE_R | PTE_X | PTE_U | PTE_A)
	sd t0, 3*8(s2)
	la t0, page_a
	MAKE_PTE(t0, PTE_V | PTE_R | PTE_A)
	sd t0, 5*8(s2)
	la t0, page_a
	MAKE_PTE(t0, PTE_V | PTE_X | PTE_A)
	sd t0, 6*8(s2)

	li t0, (1 << 12) | (1 << 13) | (1 << 15)
	csrw medeleg, t0
	li t0, SATP_SV39
	srli t1, s0, 12
	or t0, t0, t1
	csrw satp, t0
	csrr t1, satp
	CHECK_REG(t1, t0, 1)
	sfence.vma
	/* M-mode ignores satp: VA_ALIAS is the physical address, in the PCIe
	 * MMIO window where no BAR is, which reads 0 (not page_a's 0xaaaa). */
	li t0, VA_ALIAS
	TRY(ld a0, 0(t0))
	CHECK_NO_TRAP(2)
	CHECK_EQ(a0, 0, 2)
	ENTER_MODE(PRV_S, in_s)
in_s:
	/* A load through the alias; the walk sets A, not D. */
	li t1, VA_ALIAS
	ld a0, 0(t1)
	CHECK_EQ(a0, 0xaaaa, 10)
	ld a1, 0(s2)
	andi t0, a1, PTE_A | PTE_D
	CHECK_EQ(t0, PTE_A, 11)
	/* A store sets D; it lands in page_a. */
	li t0, 0x1234
	sd t0, 8(t1)
	la t2, page_a
	ld a0, 8(t2)
	CHECK_EQ(a0, 0x1234, 12)
	ld a1, 0(s2)
	andi t0, a1, PTE_A | PTE_D
	CHECK_EQ(t0, PTE_A | PTE_D, 13)

	/* Read-only page: loads work, stores fault with cause 15. */
	li t1, VA_RO
	ld a0, 0(t1)
	CHECK_EQ(a0, 0xbbbb, 20)
	addi t1, t1, 0x10
	TRY(sd a0, 0(t1))
	CHECK_TRAP(15, 21)
	CHECK_REG(s10, t1, 22)
	TRY(amoadd.d a0, a0, (t1))
	CHECK_TRAP(15, 23)

	/* A U page from S: faults without SUM, readable with it. */
	li t1, VA_USER
	TRY(ld a0, 0(t1))
	CHECK_TRAP(13, 30)
	CHECK_REG(s10, t1, 31)
	TRY(sd a0, 0(t1))
	CHECK_TRAP(15, 32)
	li t0, MSTATUS_SUM_BIT
	csrs sstatus, t0
	TRY(ld a0, 0(t1))
	CHECK_NO_TRAP(33)
	CHECK_EQ(a0, 0xcccc, 34)
	/* ... but S never executes from a U page, SUM or not. */
	li t1, VA_UX
	la s11, 1f
	li s8, -1
	jalr t1
1:	CHECK_EQ(s8, 12, 35)
	CHECK_REG(s9, t1, 36)
	CHECK_REG(s10, t1, 37)
	li t0, MSTATUS_SUM_BIT
	csrc sstatus, t0

	/* Invalid PTE, misaligned megapage, non-canonical VA. */
	li t1, VA_NONE + 0x18
	TRY(lw a0, 0(t1))
	CHECK_TRAP(13, 40)
	CHECK_REG(s10, t1, 41)
	li t1, VA_BADMEGA + 0x40
	TRY(ld a0, 0(t1))
	CHECK_TRAP(13, 42)
	CHECK_REG(s10, t1, 43)
	li t1, 0x8000000000 /* bit 39 set, bit 38 clear */
	TRY(ld a0, 0(t1))
	CHECK_TRAP(13, 44)
	CHECK_REG(s10, t1, 45)
	li t1, 0x2000 /* root[0] is empty */
	la s11, 1f
	li s8, -1
	jalr t1
1:	CHECK_EQ(s8, 12, 46)
	CHECK_REG(s10, t1, 47)

	/* X-only page: loads fault unless MXR. */
	li t1, VA_XONLY
	TRY(ld a0, 0(t1))
	CHECK_TRAP(13, 50)
	li t0, MSTATUS_MXR_BIT
	csrs sstatus, t0
	TRY(ld a0, 0(t1))
	CHECK_NO_TRAP(51)
	CHECK_EQ(a0, 0xaaaa, 52)
	li t0, MSTATUS_MXR_BIT
	csrc sstatus, t0

	/* Remap VA_SWAP from page_a to page_b; sfence.vma makes it seen. */
	li t1, VA_SWAP
	ld a0, 0(t1)
	CHECK_EQ(a0, 0xaaaa, 60)
	la t0, page_b
	MAKE_PTE(t0, PTE_V | PTE_R | PTE_A)
	sd t0, 5*8(s2)
	sfence.vma t1, zero
	ld a0, 0(t1)
	CHECK_EQ(a0, 0xbbbb, 61)
	/* Unmap it: after sfence.vma the load faults. */
	sd zero, 5*8(s2)
	sfence.vma
	TRY(ld a0, 0(t1))
	CHECK_TRAP(13, 62)

	/* Page faults were delegated: they never reached M. */
	TO_M(done)
done:
	CHECK_EQ(s8, 3, 70)
	PASS

TRAP_RECORDERS

	.data
	SV39_TABLES_DATA
page_a:	.dword 0xaaaa
	.balign 4096
page_b:	.dword 0xbbbb
	.balign 4096
page_c:	.dword 0xcccc
	.balign 4096
GUEST_DATA
