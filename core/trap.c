/*
 * Trap entry and interrupt selection (priv spec 1.12, sections 3.1.6-3.1.9,
 * 3.3.1 and 4.1.1).
 */
#include "counters.h"
#include "envcfg.h"
#include "guest_log.h"
#include "machine.h"
#include "mmu.h"
#include <inttypes.h>
#include <string.h>

void hart_update_mode(struct hart *h)
{
	/* Fetch translates by privilege (and the TLB, whose flushes start
	 * an epoch of their own): a new epoch only when the privilege
	 * changed. Every CSR write comes through here, and an epoch per
	 * write (an FP rounding-mode switch in user code, a kernel's
	 * interrupt enable and disable) emptied the translator's jump cache
	 * every few thousand instructions. */
	if (h->priv != h->fetch_priv) {
		h->fetch_priv = h->priv;
		h->fetch_epoch++;
	}
	unsigned data_priv = h->priv;
	/* 3.1.6.3: MPRV makes M-mode loads and stores use MPP's privilege. */
	if (h->priv == PRIV_M && (h->mstatus & MSTATUS_MPRV))
		data_priv = (h->mstatus & MSTATUS_MPP) >> MSTATUS_MPP_SHIFT;
	h->tlb_fetch = h->tlb[tlb_mode_of(h->priv)];
	h->tlb_data = h->tlb[tlb_mode_of(data_priv)];
	h->fs_off = (h->mstatus & MSTATUS_FS) == 0;
	counters_mode_changed(h);
	/* An interrupt for a more privileged mode is always enabled; for the
	 * current mode only when its xIE bit is set; for a less privileged one
	 * never (priv spec 3.1.6.1). */
	const bool m_on = h->priv < PRIV_M || (h->mstatus & MSTATUS_MIE);
	const bool s_on = h->priv < PRIV_S || (h->priv == PRIV_S && (h->mstatus & MSTATUS_SIE));
	/* Atomic: hart_set_mip reads it from device and other harts' threads. */
	__atomic_store_n(&h->irq_take,
			 h->mie & ((m_on ? ~h->mideleg : 0) | (s_on ? h->mideleg : 0)),
			 __ATOMIC_RELAXED);
}

void hart_init(struct hart *h, struct machine *m, uint64_t hartid, uint64_t reset_pc)
{
	memset(h, 0, sizeof(*h));
	h->m = m;
	h->mhartid = hartid;
	h->pc = reset_pc;
	h->priv = PRIV_M;
	h->misa = isa_misa(&m->isa); /* read-only: -cpu chooses the extensions */
	/* UXL = SXL = 64 bits, fixed. */
	h->mstatus = (2ULL << 32) | (2ULL << 34);
	h->menvcfg = menvcfg_reset(m);
	tlb_reset(h);
	counters_recompute(h);
	hart_update_mode(h);
}

void hart_enter_user_mode(struct hart *h)
{
	/* What Linux gives a process: FP on (dirty, so nothing tracks it),
	 * the counters readable (cycle, time, instret), the cache-block
	 * operations allowed. */
	h->priv = PRIV_U;
	h->mstatus |= MSTATUS_FS_DIRTY;
	h->mcounteren = h->scounteren = 7;
	h->menvcfg |= ENVCFG_CBIE_FLUSH | ENVCFG_CBCFE | ENVCFG_CBZE;
	h->senvcfg |= ENVCFG_CBIE_FLUSH | ENVCFG_CBCFE | ENVCFG_CBZE;
	hart_update_mode(h);
}

/* `retired`: the instructions retired before the trap (the trapping one
 * does not), where the counters change privilege filter. */
static void trap_enter(struct hart *h, uint64_t cause, uint64_t tval, uint64_t epc,
		       uint64_t retired)
{
	const bool interrupt = (cause & CAUSE_INTERRUPT) != 0;
	const uint64_t code = cause & ~CAUSE_INTERRUPT;
	const uint64_t deleg = interrupt ? h->mideleg : h->medeleg;
	const unsigned from = h->priv;

	if (h->m->log_mask & LOG_INT)
		log_trap(h, cause, epc, tval);
	if (h->m->user_trap && !interrupt && from == PRIV_U) {
		h->m->user_trap(h, cause, tval, epc); /* user mode: the front end is the kernel */
		return;
	}
	counters_settle(h, retired);
	if (from <= PRIV_S && code < 64 && ((deleg >> code) & 1)) {
		h->scause = cause;
		h->sepc = epc;
		h->stval = tval;
		uint64_t s = h->mstatus & ~(MSTATUS_SPIE | MSTATUS_SIE | MSTATUS_SPP);
		if (h->mstatus & MSTATUS_SIE)
			s |= MSTATUS_SPIE;
		if (from == PRIV_S)
			s |= MSTATUS_SPP;
		h->mstatus = s;
		h->priv = PRIV_S;
		h->pc = (h->stvec & ~3ULL) + ((interrupt && (h->stvec & 1)) ? 4 * code : 0);
	} else {
		h->mcause = cause;
		h->mepc = epc;
		h->mtval = tval;
		uint64_t s = h->mstatus & ~(MSTATUS_MPIE | MSTATUS_MIE | MSTATUS_MPP);
		if (h->mstatus & MSTATUS_MIE)
			s |= MSTATUS_MPIE;
		s |= (uint64_t)from << MSTATUS_MPP_SHIFT;
		h->mstatus = s;
		h->priv = PRIV_M;
		h->pc = (h->mtvec & ~3ULL) + ((interrupt && (h->mtvec & 1)) ? 4 * code : 0);
	}
	hart_update_mode(h);
}

int hart_exception(struct hart *h, const struct op *op, uint64_t cause, uint64_t tval)
{
	if (cause == CAUSE_DEBUG_WATCH) {
		h->pc = op_pc(h, op); /* the dispatcher redoes it (core/debug.c) */
		return EXEC_TRAP;
	}
	trap_enter(h, cause, tval, op_pc(h, op), retired_before(h, op));
	return EXEC_TRAP;
}

void hart_exception_at(struct hart *h, uint64_t pc, uint64_t cause, uint64_t tval)
{
	trap_enter(h, cause, tval, pc, h->instret);
}

int hart_illegal(struct hart *h, const struct op *op)
{
	return hart_exception(h, op, CAUSE_ILLEGAL_INSN, op->raw);
}

int exec_illegal(struct hart *h, const struct op *op)
{
	return hart_illegal(h, op);
}

/* Highest priority first (priv spec 3.1.9): MEI, MSI, MTI, SEI, SSI, STI,
 * LCOFI. */
static int highest_irq(uint64_t bits)
{
	static const int order[] = {IRQ_MEI, IRQ_MSI, IRQ_MTI, IRQ_SEI, IRQ_SSI, IRQ_STI, IRQ_LCOF};
	for (unsigned i = 0; i < sizeof(order) / sizeof(order[0]); i++)
		if (bits & (1ULL << order[i]))
			return order[i];
	return -1;
}

bool hart_check_interrupts(struct hart *h)
{
	const uint64_t pending = hart_wakeup_pending(h);
	if (!pending)
		return false;
	h->wfi = false;
	/* M-level interrupts first, then S-level (3.1.9). */
	uint64_t take = pending & h->irq_take & ~h->mideleg;
	if (!take)
		take = pending & h->irq_take & h->mideleg;
	const int irq = highest_irq(take);
	if (irq < 0)
		return false;
	trap_enter(h, CAUSE_INTERRUPT | (uint64_t)irq, 0, h->pc, h->instret);
	return true;
}

void hart_set_mip(struct hart *h, uint64_t bits, bool level)
{
	if (level)
		__atomic_fetch_or(&h->mip, bits, __ATOMIC_SEQ_CST);
	else
		__atomic_fetch_and(&h->mip, ~bits, __ATOMIC_SEQ_CST);
	/* An interrupt that can be taken now ends the translator's quantum at
	 * the next block entry, which checks nothing else (jit/translate.c). */
	if (__atomic_load_n(&h->mip, __ATOMIC_RELAXED) &
	    __atomic_load_n(&h->irq_take, __ATOMIC_RELAXED))
		__atomic_store_n(&h->budget, 0, __ATOMIC_RELAXED);
	hart_note_interrupt_event(h);
}

void hart_note_interrupt_event(struct hart *h)
{
	__atomic_fetch_add(&h->wake_events, 1, __ATOMIC_SEQ_CST);
	machine_kick(h->m);
}
