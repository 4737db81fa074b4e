/*
 * The guest page: 4 KiB, the unit of Sv39/Sv48 translation (priv spec
 * 4.3.1, 4.4.1), of the soft TLB, of per-page RAM flags and of translated
 * code invalidation. Larger mappings (superpages) are made of these.
 */
#ifndef RVJIT_PAGE_H
#define RVJIT_PAGE_H

#define PAGE_SHIFT	 12
#define PAGE_SIZE	 (1ULL << PAGE_SHIFT)
#define PAGE_OFFSET_MASK (PAGE_SIZE - 1) /* the offset within a page */

#include <stdint.h>

/* a rounded down, or up, to a page boundary. */
static inline uint64_t page_down(uint64_t a)
{
	return a & ~(uint64_t)PAGE_OFFSET_MASK;
}
static inline uint64_t page_up(uint64_t a)
{
	return (a + PAGE_OFFSET_MASK) & ~(uint64_t)PAGE_OFFSET_MASK;
}

#endif
