/*
 * menvcfg, senvcfg and the state-enable CSRs (core/envcfg.h).
 *
 * menvcfg (priv spec, "Machine Environment Configuration Register"):
 * FIOM; CBIE, CBCFE (Zicbom) and CBZE (Zicboz); ADUE (Svadu), PBMTE
 * (Svpbmt) and STCE (Sstc). Each field is read-only zero when its
 * extension is off. CBIE is WARL over 00, 01 and 11: the reserved 10
 * keeps the old value. senvcfg has FIOM and the CBO fields, which the
 * CMO chapter says are independent of menvcfg's ("The
 * cbie/cbcfe/cbze fields in each envcfg register do not affect the read
 * and write behavior of the same fields in the other envcfg registers").
 *
 * Smstateen: mstateen0-3 reset to 0 (the spec: "all writable mstateen
 * bits are initialized by the hardware to zeros"). Writable bits are the
 * ones for state rvjit has: SE0 (bit 63) in each, gating sstateenN, and
 * ENVCFG (bit 62) in mstateen0, gating senvcfg. C (custom state), FCSR
 * (only with Zfinx: misa.F=1 makes it read-only zero), JVT (Zcmt), and
 * the AIA, IMSIC, CSRIND, CONTEXT, P1P13, SRMCFG and CTR bits control
 * state rvjit does not implement, so they are read-only zero ("Bits in any
 * stateen CSR that are defined to control state that a hart doesn't
 * implement are read-only zeros"). That leaves sstateen0-3 with no
 * writable bit (their bits control user-level state: C, FCSR, JVT), so
 * they read zero and ignore writes, and keep no storage.
 *
 * Ssstateen alone (no Smstateen) gives S-mode its sstateen registers
 * with no mstateen above them: nothing is gated.
 */
#include "envcfg.h"
#include "csr.h"
#include "machine.h"
#include "mmu.h"

#define SENVCFG_MASK (ENVCFG_FIOM | ENVCFG_CBIE | ENVCFG_CBCFE | ENVCFG_CBZE)

uint64_t menvcfg_reset(const struct machine *m)
{
	return isa_has(&m->isa, ISA_SVADU) ? MENVCFG_ADUE : 0;
}

/* The envcfg bits the machine's extensions make writable. */
static uint64_t envcfg_writable(const struct isa *isa, bool machine)
{
	uint64_t mask = ENVCFG_FIOM;
	if (isa_has(isa, ISA_ZICBOM))
		mask |= ENVCFG_CBIE | ENVCFG_CBCFE;
	if (isa_has(isa, ISA_ZICBOZ))
		mask |= ENVCFG_CBZE;
	if (!machine)
		return mask;
	if (isa_has(isa, ISA_SVADU))
		mask |= MENVCFG_ADUE;
	if (isa_has(isa, ISA_SVPBMT))
		mask |= MENVCFG_PBMTE;
	if (isa_has(isa, ISA_SSTC))
		mask |= MENVCFG_STCE;
	return mask;
}

static uint64_t envcfg_warl(uint64_t old, uint64_t val, uint64_t mask)
{
	uint64_t nv = (old & ~mask) | (val & mask);
	if ((mask & ENVCFG_CBIE) && (nv & ENVCFG_CBIE) == (2ULL << 4))
		nv = (nv & ~ENVCFG_CBIE) | (old & ENVCFG_CBIE);
	return nv;
}

void menvcfg_write(struct hart *h, uint64_t val)
{
	const uint64_t old = h->menvcfg;
	h->menvcfg = envcfg_warl(old, val, envcfg_writable(&h->m->isa, true));
	/* PBMTE and ADUE change how PTEs read: translations cached under
	 * the old meaning go (the spec asks software for an sfence.vma; a
	 * flush here costs nothing and keeps the soft TLB honest). */
	if ((old ^ h->menvcfg) & (MENVCFG_PBMTE | MENVCFG_ADUE))
		tlb_flush_paged(h);
}

void senvcfg_write(struct hart *h, uint64_t val)
{
	h->senvcfg = envcfg_warl(h->senvcfg, val, envcfg_writable(&h->m->isa, false));
}

bool senvcfg_allowed(const struct hart *h, uint8_t priv)
{
	return priv == PRIV_M || !isa_has(&h->m->isa, ISA_SMSTATEEN) ||
	       (h->mstateen[0] & STATEEN_ENVCFG);
}

static bool stateen_index(uint32_t csr, uint32_t first, unsigned *n)
{
	if (csr < first || csr > first + 3)
		return false;
	*n = csr - first;
	return true;
}

bool stateen_read(const struct hart *h, uint8_t priv, uint32_t csr, uint64_t *val)
{
	const struct isa *isa = &h->m->isa;
	unsigned n;
	if (stateen_index(csr, CSR_MSTATEEN0, &n)) {
		if (!isa_has(isa, ISA_SMSTATEEN))
			return false;
		*val = h->mstateen[n];
		return true;
	}
	if (stateen_index(csr, CSR_SSTATEEN0, &n)) {
		if (!isa_has(isa, ISA_SMSTATEEN) && !isa_has(isa, ISA_SSSTATEEN))
			return false;
		if (priv < PRIV_M && isa_has(isa, ISA_SMSTATEEN) && !(h->mstateen[n] & STATEEN_SE0))
			return false;
		*val = 0;
		return true;
	}
	return false;
}

bool stateen_write(struct hart *h, uint8_t priv, uint32_t csr, uint64_t val)
{
	uint64_t ignored;
	if (!stateen_read(h, priv, csr, &ignored))
		return false;
	unsigned n;
	if (stateen_index(csr, CSR_MSTATEEN0, &n))
		h->mstateen[n] = val & (STATEEN_SE0 | (n == 0 ? STATEEN_ENVCFG : 0));
	return true;
}
