# Loads and stores through one base register that nothing changes in
# between share one probe in translated code (jit/emit_mem.c, memory
# groups); a failed probe sends each of them the slow way. Whatever the
# base, the result must be that of one access at a time: a group within a
# page, one that straddles two pages, a base misaligned for its widest
# member (misaligned accesses are carried out), two groups interleaved (a
# copy), a group that rewrites the page holding translated code, and a
# group whose third access faults (a store to the boot ROM), which must
# trap precisely, and in S-mode under Sv39 a group across two virtual
# pages that are not neighbours in physical memory. Each case runs several
# times, so that its blocks are translated and chained.
#include "guest.h"
#include "trap_helpers.h"
#include "paging.h"
#define VA_PAIR 0x40000000 /* page_x, then page_y at VA_PAIR + 4096 */
#define ROUNDS 5
#define SUM 0x1122222233334455 /* what touch returns */

GUEST_START
	INSTALL_RECORDERS
	li s1, ROUNDS
1:
	/* 1. Inside a page. */
	la a0, buf
	addi a0, a0, 64
	call touch
	CHECK_EQ(a1, SUM, 1)
	/* 2. Across a page boundary: [base, base + 16) has 8 bytes on each side. */
	la a0, buf
	li t0, 4096 - 8
	add a0, a0, t0
	call touch
	CHECK_EQ(a1, SUM, 2)
	/* 3. Misaligned for the doublewords. */
	la a0, buf
	addi a0, a0, 64 + 2
	call touch
	CHECK_EQ(a1, SUM, 3)
	/* 4. The same at the page boundary, misaligned. */
	la a0, buf
	li t0, 4096 - 5
	add a0, a0, t0
	call touch
	CHECK_EQ(a1, SUM, 4)
	/* 5. A copy: one group reads, the other writes. */
	la a0, src
	la a2, dst
	call copy32
	la a2, dst
	ld t0, 0(a2)
	ld t1, 8(a2)
	ld t2, 16(a2)
	ld t3, 24(a2)
	add t0, t0, t1
	add t0, t0, t2
	add t0, t0, t3
	CHECK_EQ(t0, 0x0a0a0a0a0a0a0a0a, 5)
	/* 6. Code rewritten by a group of stores: `patched` returns what
	 * its first instruction, li a0, N, was last made to load. */
	call patched
	mv s2, a0
	la a2, patched
	li t0, ROUNDS + 1
	sub t0, t0, s1 /* 1, 2, 3... */
	slli t1, t0, 20
	ori t1, t1, 0x513 /* addi a0, zero, N */
	li t2, 0x8067 /* jalr zero, 0(ra) */
	sw t1, 0(a2)
	sw t2, 4(a2)
	fence.i
	call patched
	CHECK_REG(a0, t0, 6)
	/* 7. A fault inside a group: the third access, a store to the boot
	 * ROM, traps with everything before it done and nothing after. */
	li a0, 0x1000
	li a3, -1
	li a4, -1
	li a5, -1
	la s11, 2f
	li s8, -1
	rdinstret s3
	ld a3, 0(a0)
	ld a4, 8(a0)
71:	sd a3, 16(a0)
	ld a5, 24(a0)
2:	CHECK_EQ(s8, 7, 7)
	la t0, 71b
	CHECK_REG(s9, t0, 8)
	CHECK_EQ(s10, 0x1010, 9)
	li t0, -1
	beq a3, t0, 3f
	beq a4, t0, 3f
	CHECK_EQ(a5, -1, 10)
	addi s1, s1, -1
	bnez s1, 1b

	/* 8. Across two virtual pages whose physical pages are apart: the
	 * bytes must land on both. */
	PMP_ALLOW_ALL
	SV39_LINK_TABLES
	la t0, page_x
	MAKE_PTE(t0, PTE_V | PTE_R | PTE_W | PTE_A | PTE_D)
	sd t0, 0(s2)
	la t0, page_y
	MAKE_PTE(t0, PTE_V | PTE_R | PTE_W | PTE_A | PTE_D)
	sd t0, 8(s2)
	SV39_ON
	ENTER_MODE(PRV_S, in_s)
in_s:
	li s1, ROUNDS
4:	li a0, VA_PAIR + 4096 - 8
	call touch
	CHECK_EQ(a1, SUM, 12)
	la t0, page_x
	li t1, 4096 - 8
	add t0, t0, t1
	ld t1, 0(t0)
	CHECK_EQ(t1, 0x1111111111111111, 13)
	sd zero, 0(t0)
	la t0, page_y
	ld t1, 0(t0)
	CHECK_EQ(t1, 0x0011111111111111, 14)
	sd zero, 0(t0)
	addi s1, s1, -1
	bnez s1, 4b
	PASS
3:	FAIL(11)

/* a0 = base. Stores a pattern of every width through a0, loads it back
 * with every width, and returns the sum in a1. */
touch:
	li t0, 0x1111111111111111
	sd t0, 0(a0)
	sw t0, 8(a0)
	sh t0, 12(a0)
	sb t0, 14(a0)
	sb zero, 15(a0)
	ld t1, 0(a0)
	lwu t2, 8(a0)
	lhu t3, 12(a0)
	lbu t4, 14(a0)
	ld t5, 8(a0)
	add a1, t1, t2
	add a1, a1, t3
	add a1, a1, t4
	add a1, a1, t5
	ret

/* 32 bytes from a0 to a2, loads and stores interleaved. */
copy32:
	ld t0, 0(a0)
	sd t0, 0(a2)
	ld t1, 8(a0)
	sd t1, 8(a2)
	ld t0, 16(a0)
	sd t0, 16(a2)
	ld t1, 24(a0)
	sd t1, 24(a2)
	ret

	.option push
	.option norvc
	.align 3
patched:
	addi a0, zero, 0
	ret
	.option pop

	TRAP_RECORDERS

GUEST_DATA
	.data
	.align 12
buf:	.fill 8192, 1, 0
src:	.fill 8, 1, 0x01
	.fill 8, 1, 0x02
	.fill 8, 1, 0x03
	.fill 8, 1, 0x04
dst:	.fill 32, 1, 0
	.balign 4096
page_x:	.skip 4096
	.skip 4096 /* keeps page_y from following page_x */
page_y:	.skip 4096
	SV39_TABLES_DATA
