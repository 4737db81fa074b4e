/*
 * Zicbom, Zicboz and Zicbop: the cache-block operations (unprivileged
 * spec, chapter "Cache-Block Operations"). rvjit has no cache, so clean,
 * flush and invalidate are ordering no-ops that still check their enables
 * and permissions and raise the faults the spec names; cbo.zero stores
 * zeros to the 64-byte block; the prefetches are hints that never fault.
 *
 * Enables ("CSR controls for CMO instructions"): below M, menvcfg's field,
 * and in U also senvcfg's, must be set, else illegal-instruction (the
 * virtual-instruction cases need the H extension, which rvjit lacks).
 * cbo.inval with CBIE=01 performs a flush instead of an invalidate, which
 * here is the same thing: neither changes memory.
 */
#include "envcfg.h"
#include "insn.h"
#include "mem.h"

int exec_cbo_clean(struct hart *h, const struct op *op)
{
	if (!envcfg_enabled(h, ENVCFG_CBCFE))
		return hart_illegal(h, op);
	return mem_cbo_manage(h, op, h->x[op->rs1]);
}

int exec_cbo_flush(struct hart *h, const struct op *op)
{
	if (!envcfg_enabled(h, ENVCFG_CBCFE))
		return hart_illegal(h, op);
	return mem_cbo_manage(h, op, h->x[op->rs1]);
}

int exec_cbo_inval(struct hart *h, const struct op *op)
{
	if (!envcfg_enabled(h, ENVCFG_CBIE))
		return hart_illegal(h, op);
	return mem_cbo_manage(h, op, h->x[op->rs1]);
}

int exec_cbo_zero(struct hart *h, const struct op *op)
{
	if (!envcfg_enabled(h, ENVCFG_CBZE))
		return hart_illegal(h, op);
	return mem_cbo_zero(h, op, h->x[op->rs1]);
}

/* Zicbop: "If access to the cache block is not permitted, a cache-block
 * prefetch instruction does not raise any exceptions"; nothing is cached
 * here, so there is nothing to do. Encoded as ORI with rd = x0, which
 * means the same. */
int exec_prefetch_i(struct hart *h, const struct op *op)
{
	(void)h;
	(void)op;
	return EXEC_NEXT;
}

int exec_prefetch_r(struct hart *h, const struct op *op)
{
	(void)h;
	(void)op;
	return EXEC_NEXT;
}

int exec_prefetch_w(struct hart *h, const struct op *op)
{
	(void)h;
	(void)op;
	return EXEC_NEXT;
}
