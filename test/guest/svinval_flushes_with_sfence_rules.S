# args: -cpu max
# Svinval (priv spec, "Svinval Extension for Fine-Grained Address-Translation
# Cache Invalidation"): sfence.w.inval; sinval.vma; sfence.inval.ir makes
# a changed PTE take effect as sfence.vma would; sinval.vma has
# sfence.vma's rules (illegal in U, and in S with mstatus.TVM = 1), the two
# fences are illegal in U only ("unaffected by the mstatus.TVM").
#include "guest.h"
#include "trap_helpers.h"
#define PTE_V 0x01
#define PTE_R 0x02
#define PTE_W 0x04
#define PTE_X 0x08
#define PTE_A 0x40
#define PTE_D 0x80
#define VA_SWAP 0x40000000
#define MAKE_PTE(reg, flags) \
	srli reg, reg, 12;   \
	slli reg, reg, 10;   \
	ori reg, reg, flags
	.option arch, +svinval
GUEST_START
	INSTALL_RECORDERS
	PMP_ALLOW_ALL
	la s0, root
	la s1, level1
	la s2, level0
	li t0, (0x80000000 >> 12) << 10 | PTE_V | PTE_R | PTE_W | PTE_X | PTE_A | PTE_D
	sd t0, 2*8(s0)
	mv t0, s1
	MAKE_PTE(t0, PTE_V)
	sd t0, 1*8(s0)
	mv t0, s2
	MAKE_PTE(t0, PTE_V)
	sd t0, 0(s1)
	la t0, page_a
	MAKE_PTE(t0, PTE_V | PTE_R | PTE_A)
	sd t0, 0(s2)
	li t0, 0xaaaa
	la t1, page_a
	sd t0, 0(t1)
	li t0, 0xbbbb
	la t1, page_b
	sd t0, 0(t1)
	li t0, 8 << 60
	srli t1, s0, 12
	or t0, t0, t1
	csrw satp, t0
	sfence.vma
	ENTER_MODE(PRV_S, in_s)
in_s:
	li t1, VA_SWAP
	ld a0, 0(t1)
	CHECK_EQ(a0, 0xaaaa, 1)
	la t0, page_b
	MAKE_PTE(t0, PTE_V | PTE_R | PTE_A)
	sd t0, 0(s2)
	sfence.w.inval
	sinval.vma t1, zero
	sfence.inval.ir
	ld a0, 0(t1)
	CHECK_EQ(a0, 0xbbbb, 2)
	/* And back, with the whole-space form. */
	la t0, page_a
	MAKE_PTE(t0, PTE_V | PTE_R | PTE_A)
	sd t0, 0(s2)
	sfence.w.inval
	sinval.vma zero, zero
	sfence.inval.ir
	ld a0, 0(t1)
	CHECK_EQ(a0, 0xaaaa, 3)
	TO_M(m_tvm)
m_tvm:
	li t0, MSTATUS_TVM_BIT
	csrs mstatus, t0
	ENTER_MODE(PRV_S, s_tvm)
s_tvm:
	TRY(sinval.vma zero, zero)
	CHECK_ILLEGAL(10)
	TRY(sinval.vma t1, zero)
	CHECK_ILLEGAL(11)
	TRY(sfence.w.inval)
	CHECK_NO_TRAP(12)
	TRY(sfence.inval.ir)
	CHECK_NO_TRAP(13)
	TO_M(m_user)
m_user:
	li t0, MSTATUS_TVM_BIT
	csrc mstatus, t0
	csrw satp, zero
	sfence.vma
	ENTER_MODE(PRV_U, in_u)
in_u:
	TRY(sinval.vma zero, zero)
	CHECK_ILLEGAL(20)
	TRY(sfence.w.inval)
	CHECK_ILLEGAL(21)
	TRY(sfence.inval.ir)
	CHECK_ILLEGAL(22)
	TO_M(done)
done:
	CHECK_EQ(s8, 3, 30)
	PASS

TRAP_RECORDERS

	.data
	.balign 4096
root:	.skip 4096
level1:	.skip 4096
level0:	.skip 4096
page_a:	.skip 4096
page_b:	.skip 4096
GUEST_DATA
