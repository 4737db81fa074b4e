/*
 * Hints and may-be-operations: Zihintpause's pause, Zawrs's wrs.nto and
 * wrs.sto, Zimop's mop.r.n and mop.rr.n, Zcmop's c.mop.n (unprivileged
 * spec, the chapters of those names). Zihintntl's ntl.* are add x0 forms
 * and need nothing here.
 */
#include "insn.h"
#include "machine.h"
#include "spin_wait.h"

/* How long a wrs waits at most for its reservation to be lost (with a
 * thread per hart, core/spin_wait.h). wrs.sto's "short timeout" is about
 * 10 to 100 cache misses (Zawrs, non-normative note): 10 us here. wrs.nto
 * has no timeout, but may end "for any reason": 100 us bounds it, and the
 * guest's loop around it waits longer. */
#define WRS_STO_NS (10 * 1000)
#define WRS_NTO_NS (100 * 1000)

static int next(struct hart *h, const struct op *op)
{
	h->pc = op_pc(h, op) + op_len(op);
	return EXEC_EXIT;
}

/* A fence with pred=W and succ=0 orders nothing: only the hint is left. A
 * hart that pauses is most likely spinning on a lock or a flag. */
int exec_pause(struct hart *h, const struct op *op)
{
	(void)op;
	hart_spin_wait(h);
	return EXEC_NEXT;
}

/* Zawrs: "When the TW bit in mstatus is set and WRS.NTO is executed in any
 * privilege mode other than M-mode, and it does not complete within an
 * implementation-specific bounded time limit, the WRS.NTO instruction will
 * cause an illegal-instruction exception." rvjit's limit is zero, as
 * QEMU's: with TW set, wrs.nto below M-mode is illegal at once. wrs.sto
 * has no such rule. Both end their block, so an interrupt that ended the
 * wait is taken before the next instruction. */
int exec_wrs_nto(struct hart *h, const struct op *op)
{
	if (h->priv != PRIV_M && (h->mstatus & MSTATUS_TW))
		return hart_illegal(h, op);
	hart_wait_on_reservation(h, WRS_NTO_NS);
	return next(h, op);
}

int exec_wrs_sto(struct hart *h, const struct op *op)
{
	hart_wait_on_reservation(h, WRS_STO_NS);
	return next(h, op);
}

/* "Unless redefined by another extension, these instructions simply write
 * 0 to x[rd]." */
int exec_mop_r(struct hart *h, const struct op *op)
{
	h->x[op->rd] = 0;
	return EXEC_NEXT;
}

int exec_mop_rr(struct hart *h, const struct op *op)
{
	h->x[op->rd] = 0;
	return EXEC_NEXT;
}

/* "the C.MOP.n instructions are defined to not write any register" */
int exec_c_mop(struct hart *h, const struct op *op)
{
	(void)h;
	(void)op;
	return EXEC_NEXT;
}
