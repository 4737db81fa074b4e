/*
 * A extension: LR/SC and AMOs (unprivileged spec chapter 8).
 *
 * AMOs are host atomic operations on guest RAM, so they stay atomic when
 * harts run on several host threads. SC is a compare-and-swap against the
 * value LR read (QEMU's approach): it fails when the reservation is gone
 * (only an SC drops it; traps keep it, which the spec allows, and kernels
 * clear it with an SC of their own on a context switch) or when the memory
 * no longer holds that value, which is what a write by another hart in
 * between looks like (a write of the same value is not seen, as in QEMU).
 */
#include "insn.h"
#include "mem.h"

#define X(n)	(h->x[op->n])
#define SX32(v) ((uint64_t)(int64_t)(int32_t)(v))

static int do_lr(struct hart *h, const struct op *op, unsigned size)
{
	void *p;
	uint64_t pa;
	int r = mem_amo_ptr(h, op, X(rs1), size, false, &p, &pa);
	if (r != EXEC_NEXT)
		return r;
	uint64_t v = size == 4 ? SX32(__atomic_load_n((uint32_t *)p, __ATOMIC_ACQUIRE))
			       : __atomic_load_n((uint64_t *)p, __ATOMIC_ACQUIRE);
	h->reserved = true;
	h->reservation = pa;
	h->reservation_value = v;
	X(rd) = v;
	return EXEC_NEXT;
}

static int do_sc(struct hart *h, const struct op *op, unsigned size)
{
	void *p;
	uint64_t pa;
	int r = mem_amo_ptr(h, op, X(rs1), size, true, &p, &pa);
	if (r != EXEC_NEXT)
		return r;
	bool ok = false;
	if (h->reserved && h->reservation == pa) {
		if (size == 4) {
			uint32_t expect = (uint32_t)h->reservation_value;
			ok = __atomic_compare_exchange_n((uint32_t *)p, &expect, (uint32_t)X(rs2),
							 false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
		} else {
			uint64_t expect = h->reservation_value;
			ok = __atomic_compare_exchange_n((uint64_t *)p, &expect, X(rs2), false,
							 __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
		}
	}
	/* Spec 8.2: an SC, successful or not, invalidates the reservation. */
	h->reserved = false;
	X(rd) = !ok;
	return EXEC_NEXT;
}

int exec_lr_w(struct hart *h, const struct op *op)
{
	return do_lr(h, op, 4);
}
int exec_lr_d(struct hart *h, const struct op *op)
{
	return do_lr(h, op, 8);
}
int exec_sc_w(struct hart *h, const struct op *op)
{
	return do_sc(h, op, 4);
}
int exec_sc_d(struct hart *h, const struct op *op)
{
	return do_sc(h, op, 8);
}

/* Fetch-and-op with a compare-exchange loop, for min/max which have no
 * __atomic builtin; the simple ones use the builtins directly. */
#define AMO_CAS(name, type, stype, combine)                                                        \
	int exec_##name(struct hart *h, const struct op *op)                                       \
	{                                                                                          \
		void *p;                                                                           \
		uint64_t pa;                                                                       \
		int r = mem_amo_ptr(h, op, X(rs1), sizeof(type), true, &p, &pa);                   \
		if (r != EXEC_NEXT)                                                                \
			return r;                                                                  \
		const type b = (type)X(rs2);                                                       \
		type old = __atomic_load_n((type *)p, __ATOMIC_RELAXED);                           \
		type nv;                                                                           \
		do {                                                                               \
			const type a = old;                                                        \
			nv = (combine);                                                            \
		} while (!__atomic_compare_exchange_n((type *)p, &old, nv, true, __ATOMIC_SEQ_CST, \
						      __ATOMIC_RELAXED));                          \
		X(rd) = (uint64_t)(int64_t)(stype)old;                                             \
		return EXEC_NEXT;                                                                  \
	}

#define AMO_BUILTIN(name, type, stype, builtin)                                                    \
	int exec_##name(struct hart *h, const struct op *op)                                       \
	{                                                                                          \
		void *p;                                                                           \
		uint64_t pa;                                                                       \
		int r = mem_amo_ptr(h, op, X(rs1), sizeof(type), true, &p, &pa);                   \
		if (r != EXEC_NEXT)                                                                \
			return r;                                                                  \
		type old = builtin((type *)p, (type)X(rs2), __ATOMIC_SEQ_CST);                     \
		X(rd) = (uint64_t)(int64_t)(stype)old;                                             \
		return EXEC_NEXT;                                                                  \
	}

AMO_BUILTIN(amoswap_w, uint32_t, int32_t, __atomic_exchange_n)
AMO_BUILTIN(amoadd_w, uint32_t, int32_t, __atomic_fetch_add)
AMO_BUILTIN(amoxor_w, uint32_t, int32_t, __atomic_fetch_xor)
AMO_BUILTIN(amoand_w, uint32_t, int32_t, __atomic_fetch_and)
AMO_BUILTIN(amoor_w, uint32_t, int32_t, __atomic_fetch_or)
AMO_CAS(amomin_w, uint32_t, int32_t, (int32_t)a < (int32_t)b ? a : b)
AMO_CAS(amomax_w, uint32_t, int32_t, (int32_t)a > (int32_t)b ? a : b)
AMO_CAS(amominu_w, uint32_t, int32_t, a < b ? a : b)
AMO_CAS(amomaxu_w, uint32_t, int32_t, a > b ? a : b)
AMO_BUILTIN(amoswap_d, uint64_t, int64_t, __atomic_exchange_n)
AMO_BUILTIN(amoadd_d, uint64_t, int64_t, __atomic_fetch_add)
AMO_BUILTIN(amoxor_d, uint64_t, int64_t, __atomic_fetch_xor)
AMO_BUILTIN(amoand_d, uint64_t, int64_t, __atomic_fetch_and)
AMO_BUILTIN(amoor_d, uint64_t, int64_t, __atomic_fetch_or)
AMO_CAS(amomin_d, uint64_t, int64_t, (int64_t)a < (int64_t)b ? a : b)
AMO_CAS(amomax_d, uint64_t, int64_t, (int64_t)a > (int64_t)b ? a : b)
AMO_CAS(amominu_d, uint64_t, int64_t, a < b ? a : b)
AMO_CAS(amomaxu_d, uint64_t, int64_t, a > b ? a : b)
