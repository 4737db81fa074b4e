/*
 * Guest memory accesses from exec functions: the soft-TLB fast path inline,
 * everything else (TLB miss, page walk, MMIO, misaligned, stores to pages
 * holding translated code) in core/mmu.c.
 *
 * All return EXEC_NEXT on success, or raise the access's exception for `op`
 * and return EXEC_TRAP. Values are little-endian (the guest's and every
 * supported host's byte order).
 */
#ifndef RVJIT_MEM_H
#define RVJIT_MEM_H

#include "hart.h"
#include <string.h>

#define likely(x) __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)

int mem_load_slow(struct hart *h, const struct op *op, uint64_t va, unsigned size, uint64_t *val);
int mem_store_slow(struct hart *h, const struct op *op, uint64_t va, unsigned size, uint64_t val);

/* For AMOs and LR/SC: translate va for a read-modify-write of `size` bytes
 * (naturally aligned, else the misaligned exception of `cause_misaligned`)
 * and return a host pointer into RAM in *host and the physical address in
 * *pa. Device memory gets an access fault: the virt board has no atomics
 * there. */
int mem_amo_ptr(struct hart *h, const struct op *op, uint64_t va, unsigned size, bool for_store,
                void **host, uint64_t *pa);

static inline uint64_t tlb_tag(uint64_t va, unsigned size)
{
	return va & ~(TLB_PAGE_MASK & ~(uint64_t)(size - 1));
}

static inline int mem_load(struct hart *h, const struct op *op, uint64_t va, unsigned size,
                           uint64_t *val)
{
	const struct tlb_entry *e = &h->tlb_data[(va >> 12) & (TLB_ENTRIES - 1)];
	if (likely(e->tag_r == tlb_tag(va, size))) {
		const void *p = (const void *)(uintptr_t)(va + e->addend);
		switch (size) {
		case 1: *val = *(const uint8_t *)p; break;
		case 2: { uint16_t v; memcpy(&v, p, 2); *val = v; break; }
		case 4: { uint32_t v; memcpy(&v, p, 4); *val = v; break; }
		default: memcpy(val, p, 8); break;
		}
		return EXEC_NEXT;
	}
	return mem_load_slow(h, op, va, size, val);
}

static inline int mem_store(struct hart *h, const struct op *op, uint64_t va, unsigned size,
                            uint64_t val)
{
	const struct tlb_entry *e = &h->tlb_data[(va >> 12) & (TLB_ENTRIES - 1)];
	if (likely(e->tag_w == tlb_tag(va, size))) {
		void *p = (void *)(uintptr_t)(va + e->addend);
		switch (size) {
		case 1: *(uint8_t *)p = (uint8_t)val; break;
		case 2: { uint16_t v = (uint16_t)val; memcpy(p, &v, 2); break; }
		case 4: { uint32_t v = (uint32_t)val; memcpy(p, &v, 4); break; }
		default: memcpy(p, &val, 8); break;
		}
		return EXEC_NEXT;
	}
	return mem_store_slow(h, op, va, size, val);
}

#endif
