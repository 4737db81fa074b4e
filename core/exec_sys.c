/*
 * Zicsr, Zifencei and the privileged instructions (priv spec 1.12 sections
 * 3.3 and 4.2). Each of them ends its block: CSR writes and xRET change
 * the context later instructions run in.
 */
#include "counters.h"
#include "insn.h"
#include "machine.h"
#include "mmu.h"
#include "tb.h"

static int next(struct hart *h, const struct op *op)
{
	h->pc = op_pc(h, op) + op_len(op);
	return EXEC_EXIT;
}

/* csrrw/csrrwi: no read (and no read side effect) when rd is x0. */
static int csr_swap(struct hart *h, const struct op *op, uint64_t src)
{
	const uint32_t csr = (uint32_t)op->imm;
	uint64_t old = 0;
	int r;
	if (op->rd != XREG_SINK && (r = csr_read(h, op, csr, &old)) != EXEC_NEXT)
		return r;
	if ((r = csr_write(h, op, csr, src)) != EXEC_NEXT)
		return r;
	h->x[op->rd] = old;
	return next(h, op);
}

/* csrrs/csrrc and immediates: no write when the source is x0 / uimm 0, so
 * read-only CSRs can be read with them. */
static int csr_modify(struct hart *h, const struct op *op, uint64_t bits, bool set)
{
	const uint32_t csr = (uint32_t)op->imm;
	uint64_t old;
	int r = csr_read(h, op, csr, &old);
	if (r != EXEC_NEXT)
		return r;
	if (op->rs1 != 0) {
		r = csr_write(h, op, csr, set ? old | bits : old & ~bits);
		if (r != EXEC_NEXT)
			return r;
	}
	h->x[op->rd] = old;
	return next(h, op);
}

int exec_csrrw(struct hart *h, const struct op *op)
{
	return csr_swap(h, op, h->x[op->rs1]);
}
int exec_csrrs(struct hart *h, const struct op *op)
{
	return csr_modify(h, op, h->x[op->rs1], true);
}
int exec_csrrc(struct hart *h, const struct op *op)
{
	return csr_modify(h, op, h->x[op->rs1], false);
}
int exec_csrrwi(struct hart *h, const struct op *op)
{
	return csr_swap(h, op, op->rs1);
}
int exec_csrrsi(struct hart *h, const struct op *op)
{
	return csr_modify(h, op, op->rs1, true);
}
int exec_csrrci(struct hart *h, const struct op *op)
{
	return csr_modify(h, op, op->rs1, false);
}

int exec_ecall(struct hart *h, const struct op *op)
{
	static const uint64_t cause[4] = {CAUSE_ECALL_U, CAUSE_ECALL_S, 0, CAUSE_ECALL_M};
	return hart_exception(h, op, cause[h->priv], 0);
}

int exec_ebreak(struct hart *h, const struct op *op)
{
	return hart_exception(h, op, CAUSE_BREAKPOINT, op_pc(h, op));
}

int exec_mret(struct hart *h, const struct op *op)
{
	if (h->priv < PRIV_M)
		return hart_illegal(h, op);
	const unsigned mpp = (h->mstatus & MSTATUS_MPP) >> MSTATUS_MPP_SHIFT;
	uint64_t s = h->mstatus & ~(MSTATUS_MIE | MSTATUS_MPP);
	if (s & MSTATUS_MPIE)
		s |= MSTATUS_MIE;
	s |= MSTATUS_MPIE;
	if (mpp != PRIV_M)
		s &= ~MSTATUS_MPRV;
	counters_settle(h, retired_with(h, op)); /* mret counts in M-mode */
	h->mstatus = s;
	h->priv = (uint8_t)mpp;
	h->pc = h->mepc;
	hart_update_mode(h);
	return EXEC_EXIT;
}

int exec_sret(struct hart *h, const struct op *op)
{
	if (h->priv < PRIV_S || (h->priv == PRIV_S && (h->mstatus & MSTATUS_TSR)))
		return hart_illegal(h, op);
	const unsigned spp = (h->mstatus & MSTATUS_SPP) ? PRIV_S : PRIV_U;
	uint64_t s = h->mstatus & ~(MSTATUS_SIE | MSTATUS_SPP | MSTATUS_MPRV);
	if (s & MSTATUS_SPIE)
		s |= MSTATUS_SIE;
	s |= MSTATUS_SPIE;
	counters_settle(h, retired_with(h, op)); /* sret counts in S-mode */
	h->mstatus = s;
	h->priv = (uint8_t)spp;
	h->pc = h->sepc;
	hart_update_mode(h);
	return EXEC_EXIT;
}

int exec_wfi(struct hart *h, const struct op *op)
{
	/* 3.1.6.5: TW traps wfi below M; in U-mode it is always illegal (as QEMU). */
	if (h->priv == PRIV_U || (h->priv == PRIV_S && (h->mstatus & MSTATUS_TW)))
		return hart_illegal(h, op);
	h->wfi = true;
	h->wfi_events = __atomic_load_n(&h->wake_events, __ATOMIC_SEQ_CST);
	return next(h, op);
}

int exec_fence(struct hart *h, const struct op *op)
{
	/* Harts may run on their own host threads (hart_threads.c), so the
	 * fence is a full host barrier (mfence on x86-64, as the translator
	 * emits). It covers every predecessor and successor set of RVWMO's
	 * fence; on a TSO host only the store-to-load order needs it. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	return EXEC_NEXT;
}

int exec_fence_i(struct hart *h, const struct op *op)
{
	/* Stores (by any hart) and DMA to pages holding decoded code already
	 * dropped those blocks; ending the block makes the next instruction
	 * come from memory. */
	return next(h, op);
}

int exec_sfence_vma(struct hart *h, const struct op *op)
{
	if (h->priv == PRIV_U || (h->priv == PRIV_S && (h->mstatus & MSTATUS_TVM)))
		return hart_illegal(h, op);
	tlb_flush_paged(h);
	return next(h, op);
}
