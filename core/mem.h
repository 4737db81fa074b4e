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

#define likely(x)   __builtin_expect(!!(x), 1)
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

/* Zicbom/Zicboz cache blocks: 64 bytes, as the device tree's
 * riscv,cbom-block-size and riscv,cboz-block-size say. */
#define CBO_BLOCK_SIZE 64

/* cbo.clean/flush/inval: the access check of a cache-block management
 * instruction on the block holding va (no data changes: rvjit has no
 * cache). cbo.zero: store zeros to that block. Faults carry tval = va. */
int mem_cbo_manage(struct hart *h, const struct op *op, uint64_t va);
int mem_cbo_zero(struct hart *h, const struct op *op, uint64_t va);

static inline uint64_t tlb_tag(uint64_t va, unsigned size)
{
	return va & ~(TLB_PAGE_MASK & ~(uint64_t)(size - 1));
}

/* Naturally aligned guest RAM accesses are single-copy atomic (RVWMO):
 * relaxed host atomics, plain moves on x86-64, and what lets other harts'
 * threads race on guest memory as the guest's own business. */
static inline uint64_t guest_ram_read(const void *p, unsigned size)
{
	switch (size) {
	case 1:
		return __atomic_load_n((const uint8_t *)p, __ATOMIC_RELAXED);
	case 2:
		return __atomic_load_n((const uint16_t *)p, __ATOMIC_RELAXED);
	case 4:
		return __atomic_load_n((const uint32_t *)p, __ATOMIC_RELAXED);
	default:
		return __atomic_load_n((const uint64_t *)p, __ATOMIC_RELAXED);
	}
}

static inline void guest_ram_write(void *p, unsigned size, uint64_t val)
{
	switch (size) {
	case 1:
		__atomic_store_n((uint8_t *)p, (uint8_t)val, __ATOMIC_RELAXED);
		break;
	case 2:
		__atomic_store_n((uint16_t *)p, (uint16_t)val, __ATOMIC_RELAXED);
		break;
	case 4:
		__atomic_store_n((uint32_t *)p, (uint32_t)val, __ATOMIC_RELAXED);
		break;
	default:
		__atomic_store_n((uint64_t *)p, val, __ATOMIC_RELAXED);
		break;
	}
}

static inline int mem_load(struct hart *h, const struct op *op, uint64_t va, unsigned size,
			   uint64_t *val)
{
	const struct tlb_entry *e = &h->tlb_data[(va >> PAGE_SHIFT) & (TLB_ENTRIES - 1)];
	if (likely(e->tag_r == tlb_tag(va, size))) {
		/* The tag matches aligned accesses only. */
		*val = guest_ram_read((const void *)(uintptr_t)(va + e->addend), size);
		return EXEC_NEXT;
	}
	return mem_load_slow(h, op, va, size, val);
}

static inline int mem_store(struct hart *h, const struct op *op, uint64_t va, unsigned size,
			    uint64_t val)
{
	const struct tlb_entry *e = &h->tlb_data[(va >> PAGE_SHIFT) & (TLB_ENTRIES - 1)];
	if (likely(e->tag_w == tlb_tag(va, size))) {
		guest_ram_write((void *)(uintptr_t)(va + e->addend), size, val);
		return EXEC_NEXT;
	}
	return mem_store_slow(h, op, va, size, val);
}

#endif
