# PMP (priv 3.7.1): with PMP implemented, an S-mode access no entry
# matches fails (fetch 1, load 5, store 7) while M-mode is unaffected;
# the lowest-numbered matching entry decides and must cover the whole
# access; unlocked entries do not bind M-mode, locked ones do.
#include "guest.h"
#include "trap_helpers.h"
GUEST_START
	INSTALL_RECORDERS
	la s0, data_word
	la s1, guarded

	/* No entry at all: S-mode cannot even fetch. */
	csrw pmpcfg0, zero
	csrw pmpcfg2, zero
	li s6, 1
	la s11, a_back
	li s8, -1
	ENTER_MODE(PRV_S, s_fetch)
s_fetch:
	FAIL(1)
a_back:
	CHECK_EQ(s8, 1, 2)
	la t0, s_fetch
	CHECK_REG(s9, t0, 3)
	CHECK_REG(s10, t0, 4)
	/* M-mode is fine without entries. */
	ld a0, 0(s0)
	CHECK_EQ(a0, 0x1234, 5)

	/* Entry 0 = TOR [0, pmp_boundary) RWX: code runs, data above fails. */
	la t0, pmp_boundary
	srli t0, t0, 2
	csrw pmpaddr0, t0
	li t0, 0x0f
	csrw pmpcfg0, t0
	ENTER_MODE(PRV_S, s_tor)
s_tor:
	TRY(ld a0, 0(s0))
	CHECK_TRAP(5, 10)
	CHECK_REG(s10, s0, 11)
	TRY(sd a0, 0(s0))
	CHECK_TRAP(7, 12)
	CHECK_REG(s10, s0, 13)
	la t1, below
	TRY(ld a0, 0(t1))
	CHECK_NO_TRAP(14)
	CHECK_EQ(a0, 0x5678, 15)
	/* An access straddling the boundary: entry 0 matches only part. */
	la t1, pmp_boundary - 4
	TRY(ld a0, 0(t1))
	CHECK_TRAP(5, 16)
	TO_M(b_done)
b_done:

	/* Entry 0 = NAPOT over everything, RWX. */
	PMP_ALLOW_ALL
	ENTER_MODE(PRV_S, s_all)
s_all:
	TRY(ld a0, 0(s0))
	CHECK_NO_TRAP(20)
	CHECK_EQ(a0, 0x1234, 21)
	TRY(sd a0, 8(s0))
	CHECK_NO_TRAP(22)
	TO_M(c_done)
c_done:

	/* Entry 1 = TOR [guarded, guarded + 4 KiB) read-only, entry 2 =
	 * everything RWX: S stores to the page fault, M stores do not. */
	srli t0, s1, 2
	csrw pmpaddr0, t0
	li t1, 4096 >> 2
	add t0, t0, t1
	csrw pmpaddr1, t0
	li t0, -1
	srli t0, t0, 10
	csrw pmpaddr2, t0
	li t0, 0x1f0900
	csrw pmpcfg0, t0
	ENTER_MODE(PRV_S, s_ro)
s_ro:
	TRY(ld a0, 0(s1))
	CHECK_NO_TRAP(30)
	CHECK_EQ(a0, 0x9abc, 31)
	TRY(sd a0, 16(s1))
	CHECK_TRAP(7, 32)
	addi t1, s1, 16
	CHECK_REG(s10, t1, 33)
	TRY(amoadd.d a0, a1, (s1))
	CHECK_TRAP(7, 34)
	li t1, 4096
	add t1, t1, s1
	TRY(sd a0, 0(t1)) /* just past the page: entry 2 */
	CHECK_NO_TRAP(35)
	TRY(sd a0, -8(s1)) /* just below */
	CHECK_NO_TRAP(36)
	TRY(sd a0, -4(s1)) /* straddles into the page */
	CHECK_TRAP(7, 37)
	TO_M(d_m)
d_m:
	li t0, 0x1111
	sd t0, 16(s1)
	ld a0, 16(s1)
	CHECK_EQ(a0, 0x1111, 38)

	/* Lock entry 1: now M-mode stores fault too; loads still work. */
	li t0, 0x1f8900
	csrw pmpcfg0, t0
	csrr a0, pmpcfg0
	CHECK_REG(a0, t0, 40)
	TRY(sd t0, 24(s1))
	CHECK_TRAP(7, 41)
	addi t1, s1, 24
	CHECK_REG(s10, t1, 42)
	TRY(ld a0, 16(s1))
	CHECK_NO_TRAP(43)
	CHECK_EQ(a0, 0x1111, 44)
	TRY(sd t0, 8(s0)) /* outside the locked range */
	CHECK_NO_TRAP(45)
	PASS

TRAP_RECORDERS

	.section .rodata
	.align 3
below:	.dword 0x5678

	.data
	.balign 4096
pmp_boundary:
data_word:
	.dword 0x1234, 0
	.balign 4096
	.skip 64
guarded:
	.dword 0x9abc
	.skip 8192
GUEST_DATA
