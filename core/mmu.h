/*
 * Address translation: the soft TLB, the Sv39/Sv48/Sv57 page-table walk and PMP
 * (priv spec 1.12, sections 3.7 and 4.3-4.4).
 */
#ifndef RVJIT_MMU_H
#define RVJIT_MMU_H

#include "hart.h"

enum access { ACCESS_READ = 0, ACCESS_WRITE = 1, ACCESS_FETCH = 2 };

static inline unsigned tlb_mode_of(unsigned priv)
{
	return priv == PRIV_M ? TLB_M : priv == PRIV_S ? TLB_S : TLB_U;
}

/* Invalidate every entry and clear the fill bitmaps, whatever they say:
 * for a hart whose memory was just zeroed (a zero tag would match page 0). */
void tlb_reset(struct hart *h);
/* Flush every mode's TLB (only the entries filled since the last flush). */
void tlb_flush_all(struct hart *h);
/* Flush the translations satp governs (S and U modes). */
void tlb_flush_paged(struct hart *h);
/* Remove write permission for the host page `host_page` from every TLB of
 * every hart (that page now holds translated code). */
void tlb_drop_writes_to(struct machine *m, uintptr_t host_page);

/*
 * Translate va for an access of kind `acc` by privilege `priv` (already
 * MPRV-adjusted), including PMP on the final address. On success returns 0
 * and the physical address; on failure the exception cause to raise (the
 * tval is va).
 */
uint64_t mmu_translate(struct hart *h, uint64_t va, enum access acc, unsigned priv, uint64_t *pa);

/*
 * A debugger's translation (gdb stub, monitor): va as privilege `priv` sees
 * it, with no permission or PMP check, no A/D update and no TLB change.
 * Returns 0 with *pa, or the page-fault cause.
 */
uint64_t mmu_translate_debug(struct hart *h, uint64_t va, unsigned priv, uint64_t *pa);

/*
 * Instruction fetch for block building: translate the pc in the current
 * privilege and return a host pointer to the instruction bytes (RAM or ROM)
 * with the number of bytes readable up to the page end. On failure returns
 * the cause; fetching from device memory is an access fault.
 */
uint64_t mmu_fetch(struct hart *h, uint64_t va, const uint8_t **host);

/* PMP check of [pa, pa+len) for privilege priv (3.7.1). */
bool pmp_allows(const struct hart *h, uint64_t pa, uint64_t len, enum access acc, unsigned priv);

#endif
