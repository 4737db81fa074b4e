/*
 * The slow half of guest memory access: TLB refill, the Sv39/Sv48/Sv57 walk
 * (with Svnapot, Svpbmt, and Svadu's hardware A/D updates or Svade's
 * faults), PMP, device accesses, misaligned accesses, the cache-block
 * operations of Zicbom/Zicboz, and stores that hit translated code or a
 * watched page. The fast half is inline in mem.h (and, later, emitted by
 * the JIT).
 */
#include "mmu.h"
#include "envcfg.h"
#include "guest_log.h"
#include "machine.h"
#include "mem.h"
#include "shadow.h"
#include "tb.h"

#define PTE_V	     (1ULL << 0)
#define PTE_R	     (1ULL << 1)
#define PTE_W	     (1ULL << 2)
#define PTE_X	     (1ULL << 3)
#define PTE_U	     (1ULL << 4)
#define PTE_A	     (1ULL << 6)
#define PTE_D	     (1ULL << 7)
#define PTE_PPN_MASK ((1ULL << 44) - 1)

#define SATP_MODE_BARE 0
#define SATP_MODE_SV39 8
#define SATP_MODE_SV48 9
#define SATP_MODE_SV57 10

#define PMP_R 0x01
#define PMP_W 0x02
#define PMP_X 0x04
#define PMP_A 0x18
#define PMP_L 0x80
enum { PMP_OFF = 0, PMP_TOR = 1, PMP_NA4 = 2, PMP_NAPOT = 3 };

/* tag_w atomically: tlb_drop_writes_to may be reading it from another
 * thread. */
static void tlb_invalidate_entry(struct tlb_entry *e)
{
	e->tag_r = e->tag_x = TLB_INVALID;
	__atomic_store_n(&e->tag_w, TLB_INVALID, __ATOMIC_RELAXED);
	__atomic_store_n(&e->addend, 0, __ATOMIC_RELAXED);
}

/* Invalidate the entries of one mode's TLB that the fill bitmap marks,
 * then clear the marks: every valid entry always has its bit set. */
static void tlb_flush_mode(struct hart *h, unsigned mode)
{
	struct tlb_entry *t = h->tlb[mode];
	uint64_t *filled = h->tlb_filled[mode];
	for (unsigned w = 0; w < TLB_FILL_WORDS; w++) {
		uint64_t bits = filled[w]; /* only this thread writes it */
		if (!bits)
			continue;
		do {
			tlb_invalidate_entry(&t[w * 64 + (unsigned)__builtin_ctzll(bits)]);
			bits &= bits - 1;
		} while (bits);
		__atomic_store_n(&filled[w], 0, __ATOMIC_RELAXED);
	}
}

void tlb_reset(struct hart *h)
{
	for (unsigned mode = 0; mode < TLB_MODES; mode++) {
		for (unsigned i = 0; i < TLB_ENTRIES; i++)
			tlb_invalidate_entry(&h->tlb[mode][i]);
		for (unsigned w = 0; w < TLB_FILL_WORDS; w++)
			__atomic_store_n(&h->tlb_filled[mode][w], 0, __ATOMIC_RELAXED);
	}
	h->fetch_epoch++;
}

void tlb_flush_all(struct hart *h)
{
	for (unsigned mode = 0; mode < TLB_MODES; mode++)
		tlb_flush_mode(h, mode);
	h->fetch_epoch++;
}

void tlb_flush_paged(struct hart *h)
{
	tlb_flush_mode(h, TLB_U);
	tlb_flush_mode(h, TLB_S);
	h->fetch_epoch++;
}

/* User mode: the translator's stores check USER_PROT_FAST_WRITE, not a
 * TLB (jit/emit_mem.c). Grant it for a page the guest may write, unless
 * the guest's protection changed meanwhile (the compare-and-swap fails
 * when mprotect rewrote the byte). */
static void user_grant_fast_write(struct machine *m, uint64_t page)
{
	uint8_t old = __atomic_load_n(&m->user_prot[page], __ATOMIC_RELAXED);
	while ((old & USER_PROT_WRITE) && !(old & USER_PROT_FAST_WRITE) &&
	       !__atomic_compare_exchange_n(&m->user_prot[page], &old,
					    (uint8_t)(old | USER_PROT_FAST_WRITE), false,
					    __ATOMIC_SEQ_CST, __ATOMIC_RELAXED))
		;
}

static void user_revoke_fast_write(struct machine *m, uint64_t page)
{
	__atomic_fetch_and(&m->user_prot[page], (uint8_t)~USER_PROT_FAST_WRITE, __ATOMIC_SEQ_CST);
}

/*
 * Other harts' threads may be filling and flushing their TLBs meanwhile. A
 * fill stores its entry and its bitmap bit, then (fence) checks the page
 * flags again (resolve); the caller set the flag before this (fence) reads
 * the bitmaps. So either that check sees the flag and the fill drops its
 * own write entry, or this scan sees the bit and the entry. A bit cleared
 * under us belongs to a flush that already invalidated its entry, and a
 * bit for an entry refilled since only makes us drop a good entry (a
 * miss). Only entries with a bit set can be valid, so the scan visits
 * those, not the whole TLB.
 */
void tlb_drop_writes_to(struct machine *m, uintptr_t host_page)
{
	if (m->user_prot)
		user_revoke_fast_write(m, (host_page - (uintptr_t)m->ram) >> PAGE_SHIFT);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	for (unsigned i = 0; i < m->nharts; i++) {
		struct hart *h = m->harts[i];
		for (unsigned mode = 0; mode < TLB_MODES; mode++) {
			struct tlb_entry *t = h->tlb[mode];
			for (unsigned w = 0; w < TLB_FILL_WORDS; w++) {
				uint64_t bits =
				    __atomic_load_n(&h->tlb_filled[mode][w], __ATOMIC_RELAXED);
				for (; bits; bits &= bits - 1) {
					struct tlb_entry *e =
					    &t[w * 64 + (unsigned)__builtin_ctzll(bits)];
					const uint64_t tag =
					    __atomic_load_n(&e->tag_w, __ATOMIC_RELAXED);
					const uintptr_t addend =
					    __atomic_load_n(&e->addend, __ATOMIC_RELAXED);
					if (tag != TLB_INVALID &&
					    ((tag + addend) & ~(uintptr_t)TLB_PAGE_MASK) ==
						host_page)
						__atomic_store_n(&e->tag_w, TLB_INVALID,
								 __ATOMIC_RELAXED);
				}
			}
		}
	}
}

static uint64_t page_fault(enum access acc)
{
	return acc == ACCESS_FETCH   ? CAUSE_FETCH_PAGE_FAULT
	       : acc == ACCESS_WRITE ? CAUSE_STORE_PAGE_FAULT
				     : CAUSE_LOAD_PAGE_FAULT;
}

static uint64_t access_fault(enum access acc)
{
	return acc == ACCESS_FETCH   ? CAUSE_FETCH_ACCESS
	       : acc == ACCESS_WRITE ? CAUSE_STORE_ACCESS
				     : CAUSE_LOAD_ACCESS;
}

/* The address range an active PMP entry covers (priv spec 3.7.1.1). */
static bool pmp_range(const struct hart *h, unsigned i, uint64_t *lo, uint64_t *hi)
{
	const uint64_t addr = h->pmpaddr[i];
	switch ((h->pmpcfg[i] & PMP_A) >> 3) {
	case PMP_TOR:
		*lo = i ? h->pmpaddr[i - 1] << 2 : 0;
		*hi = addr << 2;
		return *lo < *hi;
	case PMP_NA4:
		*lo = addr << 2;
		*hi = *lo + 4;
		return true;
	case PMP_NAPOT: {
		const uint64_t ones = addr ^ (addr + 1); /* trailing ones plus one bit */
		*lo = (addr & ~ones) << 2;
		*hi = *lo + ((ones + 1) << 2);
		return true;
	}
	default:
		return false;
	}
}

bool pmp_allows(const struct hart *h, uint64_t pa, uint64_t len, enum access acc, unsigned priv)
{
	for (unsigned i = 0; i < PMP_ENTRIES; i++) {
		uint64_t lo, hi;
		if (!pmp_range(h, i, &lo, &hi))
			continue;
		if (pa + len <= lo || pa >= hi)
			continue;
		/* The lowest-numbered entry matching any byte decides; it must
		 * cover the whole access (3.7.1.3). */
		if (pa < lo || pa + len > hi)
			return false;
		const uint8_t cfg = h->pmpcfg[i];
		if (priv == PRIV_M && !(cfg & PMP_L))
			return true;
		const uint8_t need = acc == ACCESS_READ	   ? PMP_R
				     : acc == ACCESS_WRITE ? PMP_W
							   : PMP_X;
		return (cfg & need) != 0;
	}
	/* No match: M-mode succeeds, S/U fail since entries are implemented. */
	return priv == PRIV_M;
}

/*
 * The PTE bits above the PPN (priv spec, Sv39 "bits 63-54"): N (Svnapot),
 * PBMT (Svpbmt), and bits 60:54, reserved. A PTE that uses one the hart
 * does not offer is a page fault (step 3 of the walk: "any bits or
 * encodings that are reserved for future standard use are set").
 */
#define PTE_N	       (1ULL << 63)
#define PTE_PBMT       (3ULL << 61)
#define PTE_PBMT_SHIFT 61
#define PTE_RESERVED   (0x7fULL << 54)
#define NAPOT_64K_PPN  0x8ULL /* Svnapot: ppn[0] ends in 1000 */
#define NAPOT_64K_MASK 0xfULL

/* Is pte's use of N and PBMT one this hart allows? leaf: a leaf PTE. */
static bool pte_high_bits_ok(const struct hart *h, uint64_t pte, bool leaf, int level)
{
	if (pte & PTE_RESERVED)
		return false;
	if (pte & PTE_PBMT) {
		/* Svpbmt: "When PBMTE=0, the implementation behaves as though
		 * Svpbmt were not implemented" (menvcfg); in non-leaf PTEs
		 * the bits stay reserved, and 3 is reserved in leaves. PMA,
		 * NC and IO all map RAM the same here: rvjit keeps no cache,
		 * and its host barriers already order every access. */
		if (!leaf || !isa_has(&h->m->isa, ISA_SVPBMT) || !envcfg_pbmt(h) ||
		    (pte >> PTE_PBMT_SHIFT & 3) == 3)
			return false;
	}
	if (pte & PTE_N) {
		/* Svnapot: only a level-0 leaf whose ppn ends in 1000 (64 KiB)
		 * is defined; every other N=1 encoding is reserved. */
		if (!leaf || level != 0 || !isa_has(&h->m->isa, ISA_SVNAPOT) ||
		    (((pte >> 10) & NAPOT_64K_MASK) != NAPOT_64K_PPN))
			return false;
	}
	return true;
}

/* Page-table walk (4.3.2; Sv39, Sv48, Sv57). On success sets *pa and
 * *writable_ok (the PTE is dirty, so a write TLB entry may be installed).
 * A `probe` (a debugger's look) checks no permission and updates no A/D
 * bit.
 *
 * The soft TLB caches 4 KiB pages only, whatever the leaf: a superpage or
 * a 64 KiB NAPOT leaf fills one entry per 4 KiB page it is used for, each
 * from its own walk (which for NAPOT reads the PTE of that page's own
 * vpn[0], as the Svnapot chapter allows: "implicit reads of NAPOT page
 * table entries may create address-translation cache entries mapping
 * a + j*PTESIZE ..."). sfence.vma flushes whole modes, so no entry of a
 * NAPOT range survives one. */
static uint64_t walk(struct hart *h, uint64_t va, enum access acc, unsigned priv, uint64_t *pa,
		     bool *dirty, bool probe)
{
	const unsigned mode = h->satp >> 60;
	const int levels = mode == SATP_MODE_SV57 ? 5 : mode == SATP_MODE_SV48 ? 4 : 3;
	const int va_bits = PAGE_SHIFT + 9 * levels;
	/* Bits above the VA width must all equal its top bit. */
	if ((uint64_t)(((int64_t)(va << (64 - va_bits))) >> (64 - va_bits)) != va)
		return page_fault(acc);
restart:;
	uint64_t table = (h->satp & PTE_PPN_MASK) << PAGE_SHIFT;
	for (int level = levels - 1; level >= 0; level--) {
		const uint64_t pte_pa = table + ((va >> (PAGE_SHIFT + 9 * level)) & 0x1ff) * 8;
		/* Implicit page-table accesses are checked as S-mode (3.7.1). */
		if (!probe && !pmp_allows(h, pte_pa, 8, ACCESS_READ, PRIV_S))
			return access_fault(acc);
		uint64_t *ptep = (uint64_t *)machine_host_ptr(h->m, pte_pa, 8, true);
		if (!ptep)
			return access_fault(acc);
		uint64_t pte = __atomic_load_n(ptep, __ATOMIC_ACQUIRE);
		if (!(pte & PTE_V) || (!(pte & PTE_R) && (pte & PTE_W)))
			return page_fault(acc);
		const bool leaf = (pte & (PTE_R | PTE_X)) != 0;
		if (!pte_high_bits_ok(h, pte, leaf, level))
			return page_fault(acc);
		if (!leaf) {
			if (pte & (PTE_U | PTE_A | PTE_D))
				return page_fault(acc);
			table = ((pte >> 10) & PTE_PPN_MASK) << PAGE_SHIFT;
			continue;
		}
		uint64_t ppn = (pte >> 10) & PTE_PPN_MASK;
		/* Svnapot: ppn[0][3:0] comes from vpn[0][3:0]. */
		if (pte & PTE_N)
			ppn = (ppn & ~NAPOT_64K_MASK) | ((va >> PAGE_SHIFT) & NAPOT_64K_MASK);
		const uint64_t span_mask = (1ULL << (9 * level)) - 1;
		if (probe) {
			*pa = (ppn << PAGE_SHIFT) |
			      (va & ((span_mask << PAGE_SHIFT) | PAGE_OFFSET_MASK));
			return 0;
		}
		/* Leaf: permissions. */
		if (priv == PRIV_U && !(pte & PTE_U))
			return page_fault(acc);
		if (priv == PRIV_S && (pte & PTE_U) &&
		    (acc == ACCESS_FETCH || !(h->mstatus & MSTATUS_SUM)))
			return page_fault(acc);
		switch (acc) {
		case ACCESS_FETCH:
			if (!(pte & PTE_X))
				return page_fault(acc);
			break;
		case ACCESS_READ:
			if (!(pte & PTE_R) && !((h->mstatus & MSTATUS_MXR) && (pte & PTE_X)))
				return page_fault(acc);
			break;
		case ACCESS_WRITE:
			if (!(pte & PTE_W))
				return page_fault(acc);
			break;
		}
		if (ppn & span_mask)
			return page_fault(acc); /* misaligned superpage */
		/* A/D (step 9): with Svadu's menvcfg.ADUE set, a hardware
		 * update, atomically so a concurrent change of the PTE restarts
		 * the walk (as QEMU); without it Svade's page fault. */
		const uint64_t want = PTE_A | (acc == ACCESS_WRITE ? PTE_D : 0);
		if ((pte & want) != want) {
			if (!envcfg_hardware_ad(h))
				return page_fault(acc);
			if (!pmp_allows(h, pte_pa, 8, ACCESS_WRITE, PRIV_S))
				return access_fault(acc);
			if (!__atomic_compare_exchange_n(ptep, &pte, pte | want, false,
							 __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST))
				goto restart;
			pte |= want;
		}
		*pa = (ppn << PAGE_SHIFT) | (va & ((span_mask << PAGE_SHIFT) | PAGE_OFFSET_MASK));
		*dirty = (pte & PTE_D) != 0;
		return 0;
	}
	return page_fault(acc);
}

/* User mode (m->user_prot): the guest's mappings in place of page
 * tables; guest address = offset in the address space. */
static uint64_t user_space_translate(const struct machine *m, uint64_t va, enum access acc,
				     uint64_t *pa)
{
	static const uint8_t need[] = {
	    [ACCESS_READ] = USER_PROT_READ,
	    [ACCESS_WRITE] = USER_PROT_WRITE,
	    [ACCESS_FETCH] = USER_PROT_EXEC,
	};
	/* Atomic: other harts' threads change the byte meanwhile (the
	 * translator's write grant, tlb_drop_writes_to). */
	if (va >= m->ram_size ||
	    !(__atomic_load_n(&m->user_prot[va >> PAGE_SHIFT], __ATOMIC_RELAXED) & need[acc]))
		return page_fault(acc);
	*pa = va;
	return 0;
}

static bool paging_on(const struct hart *h, unsigned priv)
{
	return priv != PRIV_M && (h->satp >> 60) != SATP_MODE_BARE;
}

uint64_t mmu_translate(struct hart *h, uint64_t va, enum access acc, unsigned priv, uint64_t *pa)
{
	bool dirty;
	if (h->m->user_prot)
		return user_space_translate(h->m, va, acc, pa);
	if (!paging_on(h, priv)) {
		*pa = va;
		return 0;
	}
	return walk(h, va, acc, priv, pa, &dirty, false);
}

uint64_t mmu_translate_debug(struct hart *h, uint64_t va, unsigned priv, uint64_t *pa)
{
	bool dirty;
	if (h->m->user_prot)
		return user_space_translate(h->m, va, ACCESS_READ, pa);
	if (!paging_on(h, priv)) {
		*pa = va;
		return 0;
	}
	return walk(h, va, ACCESS_READ, priv, pa, &dirty, true);
}

/* Privilege of loads and stores (MPRV, 3.1.6.3). */
static unsigned data_priv(const struct hart *h)
{
	if (h->priv == PRIV_M && (h->mstatus & MSTATUS_MPRV))
		return (h->mstatus & MSTATUS_MPP) >> MSTATUS_MPP_SHIFT;
	return h->priv;
}

static uint64_t *tag_of(struct tlb_entry *e, enum access acc)
{
	return acc == ACCESS_READ ? &e->tag_r : acc == ACCESS_WRITE ? &e->tag_w : &e->tag_x;
}

static void tlb_install(struct hart *h, unsigned priv, uint64_t va, uint8_t *host, enum access acc)
{
	const unsigned mode = tlb_mode_of(priv);
	const unsigned idx = (unsigned)(va >> PAGE_SHIFT) & (TLB_ENTRIES - 1);
	struct tlb_entry *e = &h->tlb[mode][idx];
	const uint64_t page = va & ~TLB_PAGE_MASK;
	const uintptr_t addend = (uintptr_t)host - (uintptr_t)va;
	/* Atomic stores: tlb_drop_writes_to reads tag_w, addend and the fill
	 * bitmap from other threads. */
	if (e->addend != addend || (e->tag_r != page && e->tag_x != page &&
				    __atomic_load_n(&e->tag_w, __ATOMIC_RELAXED) != page)) {
		e->tag_r = e->tag_x = TLB_INVALID;
		__atomic_store_n(&e->tag_w, TLB_INVALID, __ATOMIC_RELAXED);
	}
	__atomic_store_n(&e->addend, addend, __ATOMIC_RELAXED);
	__atomic_store_n(tag_of(e, acc), page, __ATOMIC_RELAXED);
	uint64_t *word = &h->tlb_filled[mode][idx / 64];
	const uint64_t bit = 1ULL << (idx % 64);
	if (!(*word & bit)) /* only this thread writes it */
		__atomic_store_n(word, *word | bit, __ATOMIC_RELAXED);
}

/*
 * Translate one access that stays within a page, check PMP, and find its
 * host memory. Returns 0 or a cause. *host is NULL for device memory. May
 * install a TLB entry when the whole page is plain memory for this access.
 */
static uint64_t resolve(struct hart *h, uint64_t va, unsigned size, enum access acc, unsigned priv,
			uint64_t *pa, uint8_t **host)
{
	struct machine *m = h->m;
	bool dirty = true;
	uint64_t cause = 0;
	if (m->user_prot)
		cause = user_space_translate(m, va, acc, pa);
	else if (paging_on(h, priv))
		cause = walk(h, va, acc, priv, pa, &dirty, false);
	else
		*pa = va;
	if (cause)
		return cause;
	/* A user-mode process has no PMP: its mappings are the whole check. */
	if (!m->user_prot && !pmp_allows(h, *pa, size, acc, priv))
		return access_fault(acc);
	/* Debugger watchpoints: see every data access, cache none. A hit
	 * abandons the access; the dispatcher redoes it unwatched. */
	const bool watched = m->watch_data && acc != ACCESS_FETCH;
	if (watched && m->debug.watch_matches && !h->shadow) {
		struct debug_hart *d = &m->debug.hart[h->mhartid];
		if (!d->watch_bypass) {
			machine_io_lock(m);
			const bool hit =
			    m->debug.watch_matches(m->debug.opaque, va, size, acc == ACCESS_WRITE);
			machine_io_unlock(m);
			if (hit) {
				d->watch_va = va;
				d->watch_size = size;
				d->watch_write = acc == ACCESS_WRITE;
				d->watch_pending = true;
				return CAUSE_DEBUG_WATCH;
			}
		}
	}
	*host = machine_host_ptr(m, *pa, size, acc == ACCESS_WRITE);
	if (!*host) {
		/* Writes to ROM and fetches from devices fault here; device
		 * loads and stores go to the bus. */
		if (machine_host_ptr(m, *pa, size, false))
			return access_fault(acc);
		if (!bus_find(&m->bus, *pa, size)) {
			log_invalid_access(m, acc == ACCESS_WRITE, *pa, size);
			return access_fault(acc);
		}
		if (acc == ACCESS_FETCH)
			return access_fault(acc);
		return 0;
	}
	if (h->shadow)
		return 0; /* the lockstep check's copy: no TLB fill, no invalidation */
	const uint64_t page_pa = *pa & ~PAGE_OFFSET_MASK;
	bool cacheable = !watched && (m->user_prot || pmp_allows(h, page_pa, PAGE_SIZE, acc, priv));
	if (acc == ACCESS_WRITE) {
		cacheable = cacheable && dirty;
		if (machine_is_ram(m, *pa, 1)) {
			const uint64_t page = (*pa - m->ram_base) >> PAGE_SHIFT;
			if (page_flags_of(m, page) & PAGE_CODE)
				tb_invalidate_page(m, page_pa);
			if (page_flags_of(m, page))
				cacheable = false;
		}
	}
	if (cacheable) {
		tlb_install(h, priv, va, *host - (*pa & PAGE_OFFSET_MASK) + (va & PAGE_OFFSET_MASK),
			    acc);
		/* Another hart may have decoded code from this page since the
		 * check above; its tlb_drop_writes_to scan may have missed the
		 * entry. Flag set then scan there, entry and fill bit then flag
		 * check here: one of the two sees the other. */
		if (acc == ACCESS_WRITE && m->user_prot)
			user_grant_fast_write(m, *pa >> PAGE_SHIFT);
		if (acc == ACCESS_WRITE && machine_is_ram(m, *pa, 1)) {
			__atomic_thread_fence(__ATOMIC_SEQ_CST);
			const uint64_t page = (*pa - m->ram_base) >> PAGE_SHIFT;
			if (page_flags_of(m, page)) {
				__atomic_store_n(&h->tlb[tlb_mode_of(priv)]
							[(va >> PAGE_SHIFT) & (TLB_ENTRIES - 1)]
							    .tag_w,
						 TLB_INVALID, __ATOMIC_RELAXED);
				if (m->user_prot)
					user_revoke_fast_write(m, page);
			}
		}
	}
	return 0;
}

static void after_ram_store(struct machine *m, uint64_t pa, unsigned size)
{
	if (!machine_is_ram(m, pa, 1))
		return;
	const uint8_t flags = page_flags_of(m, (pa - m->ram_base) >> PAGE_SHIFT);
	/* resolve() dropped the page's blocks before the store; a hart on
	 * another thread may have decoded the old bytes in between. */
	if (flags & PAGE_CODE)
		tb_invalidate_page(m, pa & ~PAGE_OFFSET_MASK);
	if ((flags & PAGE_WATCH) && m->watch) {
		machine_io_lock(m);
		m->watch(m->watch_opaque, pa, size);
		machine_io_unlock(m);
	}
}

static int misaligned_load(struct hart *h, const struct op *op, uint64_t va, unsigned size,
			   uint64_t *val)
{
	/* Split into the bytes of each page; translate both pages before
	 * touching anything so a fault on the second is still precise. */
	const unsigned priv = data_priv(h);
	const unsigned first = (unsigned)(PAGE_SIZE - (va & PAGE_OFFSET_MASK));
	const unsigned n1 = first < size ? first : size;
	uint64_t pa1, pa2 = 0;
	uint8_t *host1, *host2 = NULL;
	uint64_t cause = resolve(h, va, n1, ACCESS_READ, priv, &pa1, &host1);
	if (!cause && n1 < size)
		cause = resolve(h, va + n1, size - n1, ACCESS_READ, priv, &pa2, &host2);
	if (cause)
		return hart_exception(h, op, cause, va);
	if (!host1 || (n1 < size && !host2))
		return hart_exception(h, op, CAUSE_LOAD_ACCESS, va);
	uint8_t bytes[8];
	memcpy(bytes, host1, n1);
	if (n1 < size)
		memcpy(bytes + n1, host2, size - n1);
	if (h->shadow) {
		shadow_overlay(h->shadow, pa1, bytes, n1);
		if (n1 < size)
			shadow_overlay(h->shadow, pa2, bytes + n1, size - n1);
	}
	uint64_t v = 0;
	for (unsigned i = 0; i < size; i++)
		v |= (uint64_t)bytes[i] << (8 * i);
	*val = v;
	return EXEC_NEXT;
}

int mem_load_slow(struct hart *h, const struct op *op, uint64_t va, unsigned size, uint64_t *val)
{
	if (va & (size - 1))
		return misaligned_load(h, op, va, size, val);
	uint64_t pa;
	uint8_t *host;
	const uint64_t cause = resolve(h, va, size, ACCESS_READ, data_priv(h), &pa, &host);
	if (cause)
		return hart_exception(h, op, cause, va);
	if (!host && h->shadow) {
		h->shadow->touched_mmio = true; /* devices have side effects */
		*val = 0;
		return EXEC_NEXT;
	}
	if (!host) {
		machine_io_lock(h->m);
		const bool ok = bus_read(&h->m->bus, pa, size, val);
		machine_io_unlock(h->m);
		if (!ok)
			return hart_exception(h, op, CAUSE_LOAD_ACCESS, va);
		return EXEC_NEXT;
	}
	uint64_t v = 0;
	if (!(pa & (size - 1)))
		v = guest_ram_read(host, size);
	else
		memcpy(&v, host, size);
	if (h->shadow)
		shadow_overlay(h->shadow, pa, (uint8_t *)&v, size);
	*val = v;
	return EXEC_NEXT;
}

int mem_store_slow(struct hart *h, const struct op *op, uint64_t va, unsigned size, uint64_t val)
{
	const unsigned priv = data_priv(h);
	struct machine *m = h->m;
	if (va & (size - 1)) {
		const unsigned first = (unsigned)(PAGE_SIZE - (va & PAGE_OFFSET_MASK));
		const unsigned n1 = first < size ? first : size;
		uint64_t pa1, pa2 = 0;
		uint8_t *host1, *host2 = NULL;
		uint64_t cause = resolve(h, va, n1, ACCESS_WRITE, priv, &pa1, &host1);
		if (!cause && n1 < size)
			cause = resolve(h, va + n1, size - n1, ACCESS_WRITE, priv, &pa2, &host2);
		if (cause)
			return hart_exception(h, op, cause, va);
		if (!host1 || (n1 < size && !host2))
			return hart_exception(h, op, CAUSE_STORE_ACCESS, va);
		uint8_t bytes[8];
		for (unsigned i = 0; i < size; i++)
			bytes[i] = (uint8_t)(val >> (8 * i));
		if (h->shadow) {
			if (!shadow_record(h->shadow, pa1, bytes, n1) ||
			    (n1 < size && !shadow_record(h->shadow, pa2, bytes + n1, size - n1)))
				h->shadow->overflow = true;
			return EXEC_NEXT;
		}
		memcpy(host1, bytes, n1);
		after_ram_store(m, pa1, n1);
		if (n1 < size) {
			memcpy(host2, bytes + n1, size - n1);
			after_ram_store(m, pa2, size - n1);
		}
		return EXEC_NEXT;
	}
	uint64_t pa;
	uint8_t *host;
	const uint64_t cause = resolve(h, va, size, ACCESS_WRITE, priv, &pa, &host);
	if (cause)
		return hart_exception(h, op, cause, va);
	if (h->shadow) {
		if (!host)
			h->shadow->touched_mmio = true;
		else if (!shadow_record(h->shadow, pa, &val, size))
			h->shadow->overflow = true;
		return EXEC_NEXT;
	}
	if (!host) {
		machine_io_lock(m);
		const bool ok = bus_write(&m->bus, pa, size, val);
		machine_io_unlock(m);
		if (!ok)
			return hart_exception(h, op, CAUSE_STORE_ACCESS, va);
		return EXEC_NEXT;
	}
	if (!(pa & (size - 1)))
		guest_ram_write(host, size, val);
	else
		memcpy(host, &val, size);
	after_ram_store(m, pa, size);
	return EXEC_NEXT;
}

int mem_amo_ptr(struct hart *h, const struct op *op, uint64_t va, unsigned size, bool for_store,
		void **host_out, uint64_t *pa_out)
{
	struct machine *m = h->m;
	if (va & (size - 1))
		return hart_exception(
		    h, op, for_store ? CAUSE_MISALIGNED_STORE : CAUSE_MISALIGNED_LOAD, va);
	const struct tlb_entry *e = &h->tlb_data[(va >> PAGE_SHIFT) & (TLB_ENTRIES - 1)];
	const uint64_t tag = for_store ? e->tag_w : e->tag_r;
	if (tag == (va & ~TLB_PAGE_MASK)) {
		uint8_t *host = (uint8_t *)(uintptr_t)(va + e->addend);
		if (host >= m->ram && host < m->ram + m->ram_size) {
			*host_out = host;
			*pa_out = m->ram_base + (uint64_t)(host - m->ram);
			return EXEC_NEXT;
		}
	}
	uint64_t pa;
	uint8_t *host;
	const enum access acc = for_store ? ACCESS_WRITE : ACCESS_READ;
	const uint64_t cause = resolve(h, va, size, acc, data_priv(h), &pa, &host);
	if (cause)
		return hart_exception(h, op, cause, va);
	/* AMOs need RAM: device and ROM regions get an access fault. */
	if (!host || !machine_is_ram(m, pa, size))
		return hart_exception(h, op, for_store ? CAUSE_STORE_ACCESS : CAUSE_LOAD_ACCESS,
				      va);
	if (h->shadow) {
		/* The AMO runs on a logged copy of the word (overlaid with the
		 * run's earlier stores), which the log then holds as a store. */
		uint8_t cur[8] = {0};
		memcpy(cur, host, size);
		shadow_overlay(h->shadow, pa, cur, size);
		struct shadow_store *s = shadow_record(h->shadow, pa, cur, size);
		if (!s) {
			h->shadow->overflow = true;
			s = &h->shadow->s[0];
		}
		host = (uint8_t *)&s->data;
	}
	*host_out = host;
	*pa_out = pa;
	return EXEC_NEXT;
}

/* The data TLB's entry for the page holding va. A load (tag_r) or store
 * (tag_w) entry that matches was filled after the walk, PMP over the
 * whole page and, for stores, D; store entries exist only for RAM pages
 * without translated code or watchpoints (mem.h's fast path). */
static const struct tlb_entry *tlb_data_entry(const struct hart *h, uint64_t va)
{
	return &h->tlb_data[(va >> PAGE_SHIFT) & (TLB_ENTRIES - 1)];
}

/*
 * Cache-block management (unprivileged spec, CMO chapter, "Page-Fault,
 * Guest-Page-Fault, and Access-Fault Exceptions"): "permitted to access
 * the specified cache block whenever a load instruction or store
 * instruction is permitted to access the corresponding physical
 * addresses"; otherwise "a store page-fault ... if address translation
 * does not permit any access or ... a store access-fault exception
 * otherwise", with tval "the faulting effective address (i.e. the value
 * of rs1)". A store implies a load here (W without R is a reserved PTE
 * encoding and a reserved pmpcfg value), so the load check decides; it
 * sets or checks the A bit, never D ("a cache-block management instruction
 * does not check the dirty bit").
 */
int mem_cbo_manage(struct hart *h, const struct op *op, uint64_t va)
{
	struct machine *m = h->m;
	const unsigned priv = data_priv(h);
	const uint64_t block = va & ~(uint64_t)(CBO_BLOCK_SIZE - 1);
	if (tlb_data_entry(h, block)->tag_r == (block & ~TLB_PAGE_MASK))
		return EXEC_NEXT;
	uint64_t pa = block;
	if (paging_on(h, priv)) {
		bool dirty;
		const uint64_t cause = walk(h, block, ACCESS_READ, priv, &pa, &dirty, false);
		if (cause)
			return hart_exception(h, op,
					      cause == CAUSE_LOAD_PAGE_FAULT
						  ? CAUSE_STORE_PAGE_FAULT
						  : CAUSE_STORE_ACCESS,
					      va);
	}
	if (!pmp_allows(h, pa, CBO_BLOCK_SIZE, ACCESS_READ, priv) ||
	    (!machine_host_ptr(m, pa, CBO_BLOCK_SIZE, false) &&
	     !bus_find(&m->bus, pa, CBO_BLOCK_SIZE)))
		return hart_exception(h, op, CAUSE_STORE_ACCESS, va);
	return EXEC_NEXT;
}

/*
 * cbo.zero: "permitted to access the specified cache block whenever a
 * store instruction is permitted to access the corresponding physical
 * addresses and when the PMAs indicate that cache-block zero instructions
 * are a supported access type"; A and D as for a store. RAM supports it;
 * ROM and devices do not (store access fault, as for an AMO there). The
 * block is one access for PMP and watchpoints, and a store like any other
 * for translated code in its page.
 */
int mem_cbo_zero(struct hart *h, const struct op *op, uint64_t va)
{
	struct machine *m = h->m;
	const uint64_t block = va & ~(uint64_t)(CBO_BLOCK_SIZE - 1);
	const uint64_t zero = 0;
	/* The store fast path (Linux may clear pages with cbo.zero). */
	const struct tlb_entry *e = tlb_data_entry(h, block);
	if (e->tag_w == (block & ~TLB_PAGE_MASK)) {
		uint8_t *host = (uint8_t *)(uintptr_t)(block + e->addend);
		for (unsigned i = 0; i < CBO_BLOCK_SIZE; i += 8)
			guest_ram_write(host + i, 8, zero);
		return EXEC_NEXT;
	}
	uint64_t pa;
	uint8_t *host;
	const uint64_t cause =
	    resolve(h, block, CBO_BLOCK_SIZE, ACCESS_WRITE, data_priv(h), &pa, &host);
	if (cause)
		return hart_exception(h, op, cause, va);
	if (!host || !machine_is_ram(m, pa, CBO_BLOCK_SIZE))
		return hart_exception(h, op, CAUSE_STORE_ACCESS, va);
	if (h->shadow) {
		for (unsigned i = 0; i < CBO_BLOCK_SIZE; i += 8)
			if (!shadow_record(h->shadow, pa + i, &zero, 8))
				h->shadow->overflow = true;
		return EXEC_NEXT;
	}
	/* Eight aligned 8-byte stores, each single-copy atomic for other
	 * harts' threads (mem.h). */
	for (unsigned i = 0; i < CBO_BLOCK_SIZE; i += 8)
		guest_ram_write(host + i, 8, zero);
	after_ram_store(m, pa, CBO_BLOCK_SIZE);
	return EXEC_NEXT;
}

uint64_t mmu_fetch(struct hart *h, uint64_t va, const uint8_t **host_out)
{
	const struct tlb_entry *e = &h->tlb_fetch[(va >> PAGE_SHIFT) & (TLB_ENTRIES - 1)];
	if (e->tag_x == (va & ~TLB_PAGE_MASK)) {
		*host_out = (const uint8_t *)(uintptr_t)(va + e->addend);
		return 0;
	}
	uint64_t pa;
	uint8_t *host;
	const uint64_t cause = resolve(h, va, 2, ACCESS_FETCH, h->priv, &pa, &host);
	if (cause)
		return cause;
	if (!host)
		return CAUSE_FETCH_ACCESS;
	*host_out = host;
	return 0;
}
