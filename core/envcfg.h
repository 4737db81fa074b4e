/*
 * The environment-configuration and state-enable CSRs: menvcfg and senvcfg
 * (priv spec, "Machine/Supervisor Environment Configuration Register"),
 * mstateen0-3 and sstateen0-3 (Smstateen/Ssstateen). Their fields switch
 * on, per privilege, what the CMO extensions, Svpbmt, Svadu and Sstc
 * offer; the exec functions and the page-table walk read them through the
 * helpers here. The CSR accessors themselves are in core/envcfg.c.
 */
#ifndef RVJIT_ENVCFG_H
#define RVJIT_ENVCFG_H

#include "hart.h"
#include <stdbool.h>
#include <stdint.h>

/* menvcfg and senvcfg fields (senvcfg has FIOM and the CBO fields only). */
#define ENVCFG_FIOM	  (1ULL << 0)
#define ENVCFG_CBIE	  (3ULL << 4)  /* Zicbom: cbo.inval below this level */
#define ENVCFG_CBIE_FLUSH (1ULL << 4)  /* 01: cbo.inval performs a flush */
#define ENVCFG_CBIE_INVAL (3ULL << 4)  /* 11: it invalidates; 10 is reserved */
#define ENVCFG_CBCFE	  (1ULL << 6)  /* Zicbom: cbo.clean and cbo.flush */
#define ENVCFG_CBZE	  (1ULL << 7)  /* Zicboz: cbo.zero */
#define MENVCFG_ADUE	  (1ULL << 61) /* Svadu: hardware A/D updates */
#define MENVCFG_PBMTE	  (1ULL << 62) /* Svpbmt: PTE bits 62:61 */
#define MENVCFG_STCE	  (1ULL << 63) /* Sstc: stimecmp */

/* mstateen0 bits (Smstateen, "State Enable 0 Registers"); bit 63 of every
 * mstateenN is SE0 for the matching sstateenN. */
#define STATEEN_SE0    (1ULL << 63)
#define STATEEN_ENVCFG (1ULL << 62) /* senvcfg */

struct machine;

/* menvcfg's value after reset: ADUE set when Svadu is on, so software
 * that never heard of Svadu gets the hardware A/D updates rvjit always
 * made (as QEMU resets it). */
uint64_t menvcfg_reset(const struct machine *m);

/* WARL writes: fields of extensions that are off read 0, CBIE keeps its
 * old value when written the reserved 10. */
void menvcfg_write(struct hart *h, uint64_t val);
void senvcfg_write(struct hart *h, uint64_t val);

/* May an access at privilege `priv` reach senvcfg (mstateen0.ENVCFG)? */
bool senvcfg_allowed(const struct hart *h, uint8_t priv);

/* mstateen0-3 (csr 0x30c-0x30f) and sstateen0-3 (0x10c-0x10f): false when
 * the CSR does not exist with the machine's extensions or an access at
 * `priv` may not reach it (mstateenN.SE0 gates sstateenN for S). */
bool stateen_read(const struct hart *h, uint8_t priv, uint32_t csr, uint64_t *val);
bool stateen_write(struct hart *h, uint8_t priv, uint32_t csr, uint64_t val);

/* Does the hart update A/D bits in hardware (Svadu with menvcfg.ADUE),
 * rather than raise a page fault as Svade asks? */
static inline bool envcfg_hardware_ad(const struct hart *h)
{
	return (h->menvcfg & MENVCFG_ADUE) != 0;
}

/* May PTEs use the PBMT field (Svpbmt with menvcfg.PBMTE)? */
static inline bool envcfg_pbmt(const struct hart *h)
{
	return (h->menvcfg & MENVCFG_PBMTE) != 0;
}

/* Is a CMO enable field set for the current privilege: menvcfg's below M
 * and senvcfg's too in U (the CMO chapter's "CSR controls")? */
static inline bool envcfg_enabled(const struct hart *h, uint64_t field)
{
	if (h->priv == PRIV_M)
		return true;
	if (!(h->menvcfg & field))
		return false;
	return h->priv == PRIV_S || (h->senvcfg & field);
}

#endif
