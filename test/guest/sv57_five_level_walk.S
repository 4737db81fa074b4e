# args: -cpu max
# Sv57 (priv spec, "Sv57: Page-Based 57-bit Virtual-Memory System"): satp
# mode 10 is accepted; a VA is translated through five levels, vpn[4] being
# bits 56:48; bits 63:57 must equal bit 56 or the access page-faults; a
# leaf may sit at any level (a 1 GiB page at level 2 maps the code). The
# same tables read as Sv48 (mode 9) do not reach the page.
#include "guest.h"
#include "trap_helpers.h"
#include "paging.h"
#define RWAD (PTE_V | PTE_R | PTE_W | PTE_A | PTE_D)
/* vpn[4] = 0x1a3, vpn[3] = 0x45, vpn[2] = 0x67, vpn[1] = 0x89, vpn[0] = 0x12 */
#define VA_FAR ((0x1a3 << 48) | (0x45 << 39) | (0x67 << 30) | (0x89 << 21) | (0x12 << 12))
/* Sign-extended from bit 56, which is set in VA_FAR. */
#define VA_FAR_CANON (VA_FAR | (0x7f << 57))
/* table[index] = a pointer PTE to next. Clobbers t0, t1. */
#define LINK(table, index, next) \
	la t0, next;             \
	MAKE_PTE(t0, PTE_V);     \
	li t1, (index)*8;        \
	add t1, t1, table;       \
	sd t0, 0(t1)
GUEST_START
	INSTALL_RECORDERS
	PMP_ALLOW_ALL
	/* Code: vpn[4] = vpn[3] = 0, a gigapage at level 2, index 2. */
	la s0, l4
	la s1, l3_code
	la s2, l2_code
	LINK(s0, 0, l3_code)
	LINK(s1, 0, l2_code)
	li t0, (0x80000000 >> 12) << 10 | RWAD | PTE_X
	sd t0, 2*8(s2)
	sd t0, 2*8(s1) /* the code's gigapage when the tables read as Sv48 */
	/* The far page, five levels down (each level a table of its own). */
	la s3, l3_far
	la s4, l2_far
	la s5, l1_far
	la s6, l0_far
	LINK(s0, 0x1a3, l3_far)
	LINK(s3, 0x45, l2_far)
	LINK(s4, 0x67, l1_far)
	LINK(s5, 0x89, l0_far)
	la t0, page
	MAKE_PTE(t0, RWAD)
	sd t0, 0x12*8(s6)
	li s6, 0 /* trap_helpers' resume flag */
	li t0, 0x5757
	la t1, page
	sd t0, 0x38(t1)

	li t0, 10 << 60
	srli t1, s0, 12
	or s1, t0, t1
	csrw satp, s1
	csrr t1, satp
	CHECK_REG(t1, s1, 1)
	sfence.vma
	ENTER_MODE(PRV_S, in_s)
in_s:
	li t1, VA_FAR_CANON
	ld a0, 0x38(t1)
	CHECK_EQ(a0, 0x5757, 10)
	li t0, 0x57570
	sd t0, 0x40(t1)
	la t2, page
	ld a0, 0x40(t2)
	CHECK_EQ(a0, 0x57570, 11)
	/* Bit 56 set but bit 57 clear: not canonical. */
	li t1, VA_FAR
	TRY(ld a0, 0(t1))
	CHECK_TRAP(13, 12)
	CHECK_REG(s10, t1, 13)
	/* vpn[4] = 0x1a2: no entry there. */
	li t1, VA_FAR_CANON - (1 << 48)
	TRY(ld a0, 0(t1))
	CHECK_TRAP(13, 14)
	CHECK_REG(s10, t1, 15)
	TO_M(sv48)
sv48:
	/* As Sv48, the same root is one level short: the far VA is not
	 * canonical for 48 bits. */
	li t0, 9 << 60
	csrr t1, satp
	slli t1, t1, 20
	srli t1, t1, 20
	or t0, t0, t1
	csrw satp, t0
	sfence.vma
	ENTER_MODE(PRV_S, in_s48)
in_s48:
	li t1, VA_FAR_CANON
	TRY(ld a0, 0x38(t1))
	CHECK_TRAP(13, 20)
	TO_M(done)
done:
	CHECK_EQ(s8, 3, 30)
	PASS

TRAP_RECORDERS

	.data
	.balign 4096
l4:	.skip 4096
l3_code:	.skip 4096
l2_code:	.skip 4096
l3_far:	.skip 4096
l2_far:	.skip 4096
l1_far:	.skip 4096
l0_far:	.skip 4096
page:	.skip 4096
GUEST_DATA
