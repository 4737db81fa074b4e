# args: -cpu max
# Svinval (priv spec, "Svinval Extension for Fine-Grained Address-Translation
# Cache Invalidation"): sfence.w.inval; sinval.vma; sfence.inval.ir makes
# a changed PTE take effect as sfence.vma would; sinval.vma has
# sfence.vma's rules (illegal in U, and in S with mstatus.TVM = 1), the two
# fences are illegal in U only ("unaffected by the mstatus.TVM").
#include "guest.h"
#include "trap_helpers.h"
#include "paging.h"
#define VA_SWAP 0x40000000
	.option arch, +svinval
GUEST_START
	INSTALL_RECORDERS
	PMP_ALLOW_ALL
	SV39_LINK_TABLES
	la t0, page_a
	MAKE_PTE(t0, PTE_V | PTE_R | PTE_A)
	sd t0, 0(s2)
	li t0, 0xaaaa
	la t1, page_a
	sd t0, 0(t1)
	li t0, 0xbbbb
	la t1, page_b
	sd t0, 0(t1)
	SV39_ON
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
	SV39_TABLES_DATA
page_a:	.skip 4096
page_b:	.skip 4096
GUEST_DATA
