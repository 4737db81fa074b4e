# A hostile kernel's address translation (priv 4.1.11, 4.3.2): satp with a
# reserved MODE is ignored (the write has no effect), and page tables that
# are not in RAM -- the root or a lower level in device memory, in a hole
# of the physical map, or past the end of the physical address space --
# give access faults of the access's own kind (load 5, store/AMO 7) with
# mtval = the virtual address, never a host access. Device memory and the
# boot ROM cannot be executed (1) nor the ROM written, also by AMOs (7).
# Data accesses run in M-mode with MPRV and MPP = S, so they are
# translated while this code is fetched untranslated.
#include "guest.h"
#include "trap_helpers.h"
#include "paging.h"
#define MSTATUS_MPRV_BIT (1 << 17)
#define HOLE 0x18000000 /* nothing there on QEMU virt (0x40000000 up is PCIe MMIO) */
#define VIRTIO_MMIO0 0x10001000

/* The next data access is translated as S-mode. */
#define MPRV_S                        \
	li t0, MSTATUS_MPP_BITS;      \
	csrc mstatus, t0;             \
	li t0, (PRV_S << 11) | MSTATUS_MPRV_BIT; \
	csrs mstatus, t0
#define MPRV_OFF                      \
	li t0, MSTATUS_MPRV_BIT;      \
	csrc mstatus, t0

/* Set satp to mode | (pa >> 12), the root table at physical address pa. */
#define SET_ROOT(pa)                     \
	li t0, SATP_SV39 | ((pa) >> 12); \
	csrw satp, t0;                   \
	sfence.vma

/* The load, store and AMO at VA t1 each fault with an access fault. */
#define EXPECT_ACCESS_FAULTS(n)            \
	MPRV_S;                            \
	TRY(ld a0, 0(t1));                 \
	MPRV_OFF;                          \
	CHECK_TRAP(5, n);                  \
	CHECK_REG(s10, t1, n + 1);         \
	MPRV_S;                            \
	TRY(sd a0, 0(t1));                 \
	MPRV_OFF;                          \
	CHECK_TRAP(7, n + 2);              \
	CHECK_REG(s10, t1, n + 3);         \
	MPRV_S;                            \
	TRY(amoadd.d a0, a0, (t1));        \
	MPRV_OFF;                          \
	CHECK_TRAP(7, n + 4);              \
	MPRV_S;                            \
	TRY(lw a0, 3(t1));                 \
	MPRV_OFF;                          \
	CHECK_TRAP(5, n + 5)

GUEST_START
	INSTALL_RECORDERS
	PMP_ALLOW_ALL
	la t1, victim

	/* Reserved MODEs (1-7, 10-15 but Sv57 = 10 is not implemented
	 * either): the write is ignored, satp stays 0 (Bare). */
	csrw satp, zero
	li t0, (1 << 60) | (HOLE >> 12)
	csrw satp, t0
	csrr a0, satp
	CHECK_EQ(a0, 0, 1)
	li t0, (7 << 60) | 0x12345
	csrw satp, t0
	csrr a0, satp
	CHECK_EQ(a0, 0, 2)
	li t0, (10 << 60) | (HOLE >> 12)
	csrw satp, t0
	csrr a0, satp
	CHECK_EQ(a0, 0, 3)
	li t0, (15 << 60) | -1
	csrw satp, t0
	csrr a0, satp
	CHECK_EQ(a0, 0, 4)
	/* ... so translation is still Bare: the access works. */
	MPRV_S
	ld a0, 0(t1)
	MPRV_OFF
	CHECK_EQ(a0, 0x600d, 5)

	/* The root table in a hole of the physical map. */
	SET_ROOT(HOLE)
	EXPECT_ACCESS_FAULTS(10)
	/* In device memory: the UART, the CLINT (mtime would make a fine
	 * random PTE), the PLIC, the test finisher. */
	SET_ROOT(UART0)
	EXPECT_ACCESS_FAULTS(20)
	SET_ROOT(CLINT)
	EXPECT_ACCESS_FAULTS(30)
	SET_ROOT(PLIC)
	EXPECT_ACCESS_FAULTS(40)
	SET_ROOT(TEST_FINISHER)
	EXPECT_ACCESS_FAULTS(50)
	/* The largest PPN: past the end of the 56-bit physical space. */
	li t0, SATP_SV39 | ((1 << 44) - 1)
	csrw satp, t0
	sfence.vma
	EXPECT_ACCESS_FAULTS(60)

	/* A good root whose entry for victim's gigapage points at a next
	 * level in device memory, then in the hole, then past RAM's end. */
	la s0, root
	SET_ROOT(0)           /* replaced below */
	srli t0, s0, 12
	li t2, SATP_SV39
	or t0, t0, t2
	csrw satp, t0
	sfence.vma
	li t0, (UART0 >> 12) << 10 | PTE_V
	sd t0, 2*8(s0)        /* root[2]: VA 0x80000000.. */
	sfence.vma
	EXPECT_ACCESS_FAULTS(70)
	li t0, (HOLE >> 12) << 10 | PTE_V
	sd t0, 2*8(s0)
	sfence.vma
	EXPECT_ACCESS_FAULTS(80)
	li t0, (0x80000000 + 0x40000000) >> 12 << 10 | PTE_V
	sd t0, 2*8(s0)
	sfence.vma
	EXPECT_ACCESS_FAULTS(90)
	/* A leaf gigapage onto the hole past RAM: the walk succeeds, the
	 * access itself faults. */
	li t0, (0xc0000000 >> 12) << 10 | PTE_V | PTE_R | PTE_W | PTE_A | PTE_D
	sd t0, 2*8(s0)
	sfence.vma
	EXPECT_ACCESS_FAULTS(100)

	/* Back to Bare: the same VA is fine again. */
	csrw satp, zero
	sfence.vma
	MPRV_S
	ld a0, 0(t1)
	MPRV_OFF
	CHECK_EQ(a0, 0x600d, 110)

	/* Executing device memory or the hole: instruction access fault,
	 * mepc = mtval = the target. */
	li t1, CLINT
	la s11, 1f
	li s8, -1
	jalr t1
1:	CHECK_EQ(s8, 1, 120)
	CHECK_REG(s9, t1, 121)
	CHECK_REG(s10, t1, 122)
	li t1, PLIC + 0x200000
	la s11, 1f
	li s8, -1
	jalr t1
1:	CHECK_EQ(s8, 1, 123)
	CHECK_REG(s9, t1, 124)
	li t1, VIRTIO_MMIO0
	la s11, 1f
	li s8, -1
	jalr t1
1:	CHECK_EQ(s8, 1, 125)
	CHECK_REG(s10, t1, 126)

	/* The boot ROM is read-only, for AMOs too. */
	li t1, 0x1000
	TRY(amoswap.w a0, zero, (t1))
	CHECK_TRAP(7, 130)
	CHECK_REG(s10, t1, 131)
	TRY(amoor.d a0, zero, (t1))
	CHECK_TRAP(7, 132)
	TRY(sc.d a0, zero, (t1))
	CHECK_TRAP(7, 133)
	/* ... and still holds its first instruction. */
	lw a0, 0(t1)
	CHECK_EQ(a0, 0x00000297, 134) /* auipc t0, 0 */
	PASS

TRAP_RECORDERS

	.data
	.balign 8
victim:	.dword 0x600d
	.balign 4096
root:	.skip 4096
GUEST_DATA
