# Misaligned loads and stores are carried out (as QEMU does), also across
# a page boundary; misaligned AMOs and LRs raise address-misaligned (6
# and 4); accesses to holes in the physical map raise access faults (5,
# 7) with mtval = the address; stores to the boot ROM fault (7); fetches
# from a hole or from device memory raise instruction access fault (1)
# with mepc = mtval = the target.
#include "guest.h"
#include "trap_helpers.h"
#define HOLE 0x18000000 /* nothing there on QEMU virt (0x40000000 up is PCIe MMIO) */
GUEST_START
	INSTALL_RECORDERS
	li t0, 1 << 13 /* FS = Initial: fld below */
	csrs mstatus, t0

	/* Misaligned loads: bytes 0x00 0x11 0x22 ... at `bytes`. */
	la s0, bytes
	TRY(lw a0, 1(s0))
	CHECK_NO_TRAP(1)
	CHECK_EQ(a0, 0x44332211, 2)
	lw a0, 5(s0) /* 0x88776655: sign-extended */
	CHECK_EQ(a0, 0xffffffff88776655, 3)
	lwu a0, 5(s0)
	CHECK_EQ(a0, 0x88776655, 4)
	ld a0, 3(s0)
	CHECK_EQ(a0, 0xaa99887766554433, 5)
	lh a0, 7(s0)
	CHECK_EQ(a0, 0xffffffffffff8877, 6)
	lhu a0, 1(s0)
	CHECK_EQ(a0, 0x2211, 7)
	/* Misaligned stores, checked byte by byte. */
	li t0, 0x0102030405060708
	sd t0, 9(s0)
	lbu a0, 9(s0)
	CHECK_EQ(a0, 0x08, 8)
	lbu a0, 16(s0)
	CHECK_EQ(a0, 0x01, 9)
	lbu a0, 8(s0)
	CHECK_EQ(a0, 0x88, 10) /* neighbours untouched */
	lbu a0, 17(s0)
	CHECK_EQ(a0, 0x11, 11)
	li t0, 0xcafebabe
	sw t0, 2(s0)
	ld a0, 0(s0)
	CHECK_EQ(a0, 0x7766cafebabe1100, 12)
	sh t0, 31(s0)
	lbu a0, 31(s0)
	CHECK_EQ(a0, 0xbe, 13)
	lbu a0, 32(s0)
	CHECK_EQ(a0, 0xba, 14)

	/* Across a page boundary: 3 bytes in one page, 5 in the next. */
	la s1, page_end
	addi s1, s1, -3
	li t0, 0x8877665544332211
	sd t0, 0(s1)
	ld a0, 0(s1)
	CHECK_REG(a0, t0, 15)
	lbu a0, 2(s1)
	CHECK_EQ(a0, 0x33, 16)
	lbu a0, 3(s1)
	CHECK_EQ(a0, 0x44, 17)
	lw a0, 1(s1)
	CHECK_EQ(a0, 0x55443322, 18)
	fld f1, 0(s1)
	fmv.x.d a0, f1
	CHECK_REG(a0, t0, 19)

	/* Misaligned AMO: store/AMO address misaligned, mtval = address. */
	addi t1, s0, 2
	TRY(amoadd.w a0, a1, (t1))
	CHECK_TRAP(6, 20)
	CHECK_REG(s10, t1, 21)
	addi t1, s0, 4
	TRY(amoswap.d a0, a1, (t1))
	CHECK_TRAP(6, 22)
	CHECK_REG(s10, t1, 23)
	addi t1, s0, 1
	TRY(lr.w a0, (t1))
	CHECK_TRAP(4, 24)
	CHECK_REG(s10, t1, 25)
	addi t1, s0, 4
	TRY(sc.d a0, a1, (t1))
	CHECK_TRAP(6, 26)
	CHECK_REG(s10, t1, 27)

	/* Holes in the physical address map. */
	li t1, HOLE
	TRY(lw a0, 0(t1))
	CHECK_TRAP(5, 30)
	CHECK_REG(s10, t1, 31)
	TRY(sd a0, 0(t1))
	CHECK_TRAP(7, 32)
	CHECK_REG(s10, t1, 33)
	TRY(lb a0, 0(t1))
	CHECK_TRAP(5, 34)
	TRY(amoadd.w a0, a1, (t1))
	CHECK_TRAP(7, 35)
	addi t1, t1, 0x11
	TRY(lw a0, 0(t1)) /* misaligned and in a hole: the access fault wins */
	CHECK_TRAP(5, 36)
	CHECK_REG(s10, t1, 37)

	/* The boot ROM reads but does not write. */
	li t1, 0x1000
	TRY(lw a0, 0(t1))
	CHECK_NO_TRAP(40)
	TRY(sw a0, 0(t1))
	CHECK_TRAP(7, 41)
	CHECK_REG(s10, t1, 42)
	TRY(sb a0, 5(t1))
	CHECK_TRAP(7, 43)

	/* Fetch from a hole and from the UART's registers. */
	li t1, HOLE
	la s11, 1f
	li s8, -1
	jalr t1
1:	CHECK_EQ(s8, 1, 50)
	CHECK_REG(s9, t1, 51)
	CHECK_REG(s10, t1, 52)
	li t1, UART0
	la s11, 1f
	li s8, -1
	jr t1
1:	CHECK_EQ(s8, 1, 53)
	CHECK_REG(s9, t1, 54)
	CHECK_REG(s10, t1, 55)
	/* The same from S-mode (PMP allows everything). */
	PMP_ALLOW_ALL
	ENTER_MODE(PRV_S, in_s)
in_s:
	li t1, HOLE + 0x100
	TRY(ld a0, 0(t1))
	CHECK_TRAP(5, 60)
	CHECK_REG(s10, t1, 61)
	TRY(lw a0, 1(s0))
	CHECK_NO_TRAP(62)
	li t1, UART0
	la s11, 1f
	li s8, -1
	jr t1
1:	CHECK_EQ(s8, 1, 63)
	CHECK_REG(s10, t1, 64)
	TO_M(done)
done:
	PASS

TRAP_RECORDERS

	.data
	.align 4
bytes:
	.byte 0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77
	.byte 0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff
	.byte 0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77
	.byte 0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff
	.byte 0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77
	.balign 4096
	.skip 4096
page_end:
	.skip 64
GUEST_DATA
