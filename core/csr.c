/*
 * Control and status registers (priv spec 1.12 chapters 2, 3 and 4; the
 * Sstc extension for stimecmp; Zicntr and Zihpm for the counters, whose
 * counting is core/counters.c's; Sscofpmf for scountovf and LCOFI).
 * menvcfg, senvcfg and the Smstateen registers have their fields and rules
 * in core/envcfg.c.
 *
 * Access rules (2.1): bits 11:10 == 3 means read-only, bits 9:8 give the
 * lowest privilege allowed. Anything unimplemented, too privileged, or a
 * write to a read-only CSR raises illegal-instruction. Fields are WARL with
 * the legal values QEMU's virt CPU keeps.
 */
#include "csr.h"
#include "counters.h"
#include "envcfg.h"
#include "machine.h"
#include "mmu.h"

#define SSTATUS_MASK                                                                               \
	(MSTATUS_SIE | MSTATUS_SPIE | MSTATUS_UBE | MSTATUS_SPP | MSTATUS_VS | MSTATUS_FS |        \
	 MSTATUS_XS | MSTATUS_SUM | MSTATUS_MXR | MSTATUS_UXL | MSTATUS_SD)
#define MSTATUS_WRITABLE                                                                           \
	(MSTATUS_SIE | MSTATUS_MIE | MSTATUS_SPIE | MSTATUS_MPIE | MSTATUS_SPP | MSTATUS_MPP |     \
	 MSTATUS_FS | MSTATUS_MPRV | MSTATUS_SUM | MSTATUS_MXR | MSTATUS_TVM | MSTATUS_TW |        \
	 MSTATUS_TSR)
#define S_INTERRUPTS   (MIP_SSIP | MIP_STIP | MIP_SEIP)
#define ALL_INTERRUPTS (S_INTERRUPTS | MIP_MSIP | MIP_MTIP | MIP_MEIP)
/* Exceptions that may be delegated to S-mode: all but ecall from M (QEMU). */
#define DELEGABLE_EXCEPTIONS                                                                       \
	((1ULL << CAUSE_MISALIGNED_FETCH) | (1ULL << CAUSE_FETCH_ACCESS) |                         \
	 (1ULL << CAUSE_ILLEGAL_INSN) | (1ULL << CAUSE_BREAKPOINT) |                               \
	 (1ULL << CAUSE_MISALIGNED_LOAD) | (1ULL << CAUSE_LOAD_ACCESS) |                           \
	 (1ULL << CAUSE_MISALIGNED_STORE) | (1ULL << CAUSE_STORE_ACCESS) |                         \
	 (1ULL << CAUSE_ECALL_U) | (1ULL << CAUSE_ECALL_S) | (1ULL << CAUSE_FETCH_PAGE_FAULT) |    \
	 (1ULL << CAUSE_LOAD_PAGE_FAULT) | (1ULL << CAUSE_STORE_PAGE_FAULT))
#define COUNTEREN_TM (1ULL << 1)

/* Sscofpmf adds LCOFI (13), an S-level interrupt M-mode may delegate. */
static uint64_t s_interrupts(const struct hart *h)
{
	return S_INTERRUPTS | (isa_has(&h->m->isa, ISA_SSCOFPMF) ? MIP_LCOFIP : 0);
}

/* A debugger's access runs no instruction (csr_debug_read/write) and is
 * checked as M-mode's with FP on. It changes nothing in the hart to be
 * so: the monitor reads the CSRs of harts that run on other threads. */
static const struct op debug_op;

/* The privilege op's access is checked at. */
static uint8_t access_priv(const struct hart *h, const struct op *op)
{
	return op == &debug_op ? PRIV_M : h->priv;
}

/* FP CSRs are out of reach (mstatus.FS is Off). */
static bool fp_off(const struct hart *h, const struct op *op)
{
	return op != &debug_op && h->fs_off;
}

/* The count a counter read sees: the instructions before op. */
static uint64_t retired_for_read(const struct hart *h, const struct op *op)
{
	return op == &debug_op ? h->instret : retired_before(h, op);
}

/* The count a counter write takes effect at: after the writing
 * instruction retires, so the next one reads the value written. */
static uint64_t retired_after_write(const struct hart *h, const struct op *op)
{
	return op == &debug_op ? h->instret : retired_with(h, op);
}

static bool has(const struct hart *h, enum isa_ext e)
{
	return isa_has(&h->m->isa, e);
}

/* Sstc (2.1): STIP mirrors stimecmp <= time when menvcfg.STCE is set. */
static void sstc_update(struct hart *h)
{
	if (h->menvcfg & MENVCFG_STCE)
		hart_set_mip(h, MIP_STIP, machine_mtime(h->m) >= h->stimecmp);
}

/* Counters visible below M-mode only through mcounteren/scounteren (3.1.11). */
uint64_t hart_sstc_poll(struct hart *h)
{
	if (!(h->menvcfg & MENVCFG_STCE))
		return UINT64_MAX;
	const uint64_t now = machine_mtime(h->m);
	const bool fired = now >= h->stimecmp;
	if (fired != ((__atomic_load_n(&h->mip, __ATOMIC_RELAXED) & MIP_STIP) != 0))
		hart_set_mip(h, MIP_STIP, fired);
	return fired ? UINT64_MAX : (h->stimecmp - now) * NS_PER_MTIME_TICK;
}

static bool counter_allowed(const struct hart *h, uint8_t priv, unsigned bit)
{
	if (priv == PRIV_M)
		return true;
	if (!((h->mcounteren >> bit) & 1))
		return false;
	return priv == PRIV_S || ((h->scounteren >> bit) & 1);
}

/* Sstc 2.1: M-mode may always access stimecmp (OpenSBI detects Sstc by
 * reading it before it sets STCE); lower modes need menvcfg.STCE, and
 * mcounteren.TM as for the time CSR. */
static bool stimecmp_allowed(const struct hart *h, uint8_t priv)
{
	if (priv == PRIV_M)
		return true;
	return (h->menvcfg & MENVCFG_STCE) && (h->mcounteren & COUNTEREN_TM);
}

static uint64_t mstatus_read(const struct hart *h)
{
	uint64_t s = h->mstatus & ~MSTATUS_SD;
	if ((s & MSTATUS_FS) == MSTATUS_FS_DIRTY)
		s |= MSTATUS_SD;
	return s;
}

/* Returns false when the CSR does not exist (or may not be read now). */
static bool read_csr(struct hart *h, const struct op *op, uint32_t csr, uint64_t *v)
{
	switch (csr) {
	case CSR_FFLAGS:
		if (fp_off(h, op))
			return false;
		*v = h->fflags;
		return true;
	case CSR_FRM:
		if (fp_off(h, op))
			return false;
		*v = h->frm;
		return true;
	case CSR_FCSR:
		if (fp_off(h, op))
			return false;
		*v = (uint64_t)h->frm << 5 | h->fflags;
		return true;
	case CSR_CYCLE:
	case CSR_INSTRET:
		if (!has(h, ISA_ZICNTR) || !counter_allowed(h, access_priv(h, op), csr - CSR_CYCLE))
			return false;
		*v = counter_read(h, csr - CSR_CYCLE, retired_for_read(h, op));
		return true;
	case CSR_TIME:
		if (!has(h, ISA_ZICNTR) || !counter_allowed(h, access_priv(h, op), 1))
			return false;
		*v = machine_mtime(h->m);
		return true;
	case CSR_SSTATUS:
		*v = mstatus_read(h) & SSTATUS_MASK;
		return true;
	case CSR_SIE:
		*v = h->mie & h->mideleg;
		return true;
	case CSR_STVEC:
		*v = h->stvec;
		return true;
	case CSR_SCOUNTEREN:
		*v = h->scounteren;
		return true;
	case CSR_SENVCFG:
		if (!senvcfg_allowed(h, access_priv(h, op)))
			return false;
		*v = h->senvcfg;
		return true;
	case CSR_SSCRATCH:
		*v = h->sscratch;
		return true;
	case CSR_SEPC:
		*v = h->sepc;
		return true;
	case CSR_SCAUSE:
		*v = h->scause;
		return true;
	case CSR_STVAL:
		*v = h->stval;
		return true;
	case CSR_SIP:
		*v = __atomic_load_n(&h->mip, __ATOMIC_RELAXED) & h->mideleg;
		return true;
	case CSR_SCOUNTOVF:
		/* Sscofpmf: bit X readable in S-mode when mcounteren bit X is
		 * set, else zero; in M-mode always. */
		if (!has(h, ISA_SSCOFPMF))
			return false;
		*v = counters_overflow_bits(h) &
		     (access_priv(h, op) == PRIV_M ? ~0u : (uint32_t)h->mcounteren);
		return true;
	case CSR_STIMECMP:
		if (!stimecmp_allowed(h, access_priv(h, op)))
			return false;
		*v = h->stimecmp;
		return true;
	case CSR_SATP:
		if (access_priv(h, op) == PRIV_S && (h->mstatus & MSTATUS_TVM))
			return false;
		*v = h->satp;
		return true;
	case CSR_MVENDORID:
	case CSR_MARCHID:
	case CSR_MIMPID:
	case CSR_MCONFIGPTR:
		*v = 0;
		return true;
	case CSR_MHARTID:
		*v = h->mhartid;
		return true;
	case CSR_MSTATUS:
		*v = mstatus_read(h);
		return true;
	case CSR_MISA:
		*v = h->misa;
		return true;
	case CSR_MEDELEG:
		*v = h->medeleg;
		return true;
	case CSR_MIDELEG:
		*v = h->mideleg;
		return true;
	case CSR_MIE:
		*v = h->mie;
		return true;
	case CSR_MTVEC:
		*v = h->mtvec;
		return true;
	case CSR_MCOUNTEREN:
		*v = h->mcounteren;
		return true;
	case CSR_MENVCFG:
		*v = h->menvcfg;
		return true;
	case CSR_MCOUNTINHIBIT:
		*v = h->mcountinhibit;
		return true;
	case CSR_MSCRATCH:
		*v = h->mscratch;
		return true;
	case CSR_MEPC:
		*v = h->mepc;
		return true;
	case CSR_MCAUSE:
		*v = h->mcause;
		return true;
	case CSR_MTVAL:
		*v = h->mtval;
		return true;
	case CSR_MIP:
		*v = __atomic_load_n(&h->mip, __ATOMIC_RELAXED);
		return true;
	case CSR_MCYCLE:
	case CSR_MINSTRET:
		*v = counter_read(h, csr - CSR_MCYCLE, retired_for_read(h, op));
		return true;
	/* Sdtrig with no triggers: tselect holds 0, tdata1 reads type 0
	 * ("no trigger at this tselect", debug spec 5.7.2) and tinfo says
	 * only type 0 exists, so probing software finds nothing to use. */
	case CSR_TSELECT:
	case CSR_TDATA1:
	case CSR_TDATA2:
	case CSR_TDATA3:
		*v = 0;
		return true;
	case CSR_TINFO:
		*v = 1;
		return true;
	default:
		break;
	}
	if ((csr >= CSR_MSTATEEN0 && csr <= CSR_MSTATEEN3) ||
	    (csr >= CSR_SSTATEEN0 && csr <= CSR_SSTATEEN3))
		return stateen_read(h, access_priv(h, op), csr, v);
	if (csr >= CSR_HPMCOUNTER3 && csr <= CSR_HPMCOUNTER31) {
		if (!has(h, ISA_ZIHPM) || !counter_allowed(h, access_priv(h, op), csr - CSR_CYCLE))
			return false;
		*v = counter_read(h, csr - CSR_CYCLE, retired_for_read(h, op));
		return true;
	}
	if (csr >= CSR_MHPMCOUNTER3 && csr <= CSR_MHPMCOUNTER31) {
		if (!has(h, ISA_ZIHPM))
			return false;
		*v = counter_read(h, csr - CSR_MCYCLE, retired_for_read(h, op));
		return true;
	}
	if (csr >= CSR_MHPMEVENT3 && csr <= CSR_MHPMEVENT31) {
		if (!has(h, ISA_ZIHPM))
			return false;
		*v = h->ctr.event[csr - CSR_MCOUNTINHIBIT];
		return true;
	}
	if (csr >= CSR_PMPCFG0 && csr <= CSR_PMPCFG15) {
		const unsigned idx = csr - CSR_PMPCFG0;
		if ((idx & 1) || idx * 4 >= PMP_ENTRIES) /* RV64: only even pmpcfg exist */
			return false;
		uint64_t val = 0;
		for (unsigned i = 0; i < 8; i++)
			val |= (uint64_t)h->pmpcfg[idx * 4 + i] << (8 * i);
		*v = val;
		return true;
	}
	if (csr >= CSR_PMPADDR0 && csr <= CSR_PMPADDR15) {
		*v = h->pmpaddr[csr - CSR_PMPADDR0];
		return true;
	}
	return false;
}

static bool pmp_locked(const struct hart *h, unsigned i)
{
	return (h->pmpcfg[i] & 0x80) != 0;
}

static void write_pmpcfg(struct hart *h, unsigned first, uint64_t val)
{
	for (unsigned i = 0; i < 8; i++) {
		const unsigned e = first + i;
		uint8_t cfg = (uint8_t)(val >> (8 * i)) & 0x9f; /* bits 6:5 are reserved */
		if (pmp_locked(h, e))
			continue;
		if ((cfg & 3) == 2) /* R=0 W=1 is reserved: keep the old value */
			continue;
		h->pmpcfg[e] = cfg;
	}
}

static void write_pmpaddr(struct hart *h, unsigned i, uint64_t val)
{
	if (pmp_locked(h, i))
		return;
	/* A locked TOR entry also locks the address below it (3.7.1.2). */
	if (i + 1 < PMP_ENTRIES && pmp_locked(h, i + 1) && ((h->pmpcfg[i + 1] >> 3) & 3) == 1)
		return;
	h->pmpaddr[i] = val & ((1ULL << 54) - 1);
}

static void write_mstatus(struct hart *h, uint64_t val, uint64_t mask)
{
	const uint64_t old = h->mstatus;
	/* Without F, FS is read-only zero (privileged spec, "Extension Context
	 * Status"), which keeps every FP instruction and CSR illegal. */
	if (!isa_has(&h->m->isa, ISA_F))
		mask &= ~MSTATUS_FS;
	uint64_t nv = (old & ~mask) | (val & mask);
	/* MPP is WARL over {U, S, M}: the reserved value 2 keeps the old one. */
	if (((nv & MSTATUS_MPP) >> MSTATUS_MPP_SHIFT) == 2)
		nv = (nv & ~MSTATUS_MPP) | (old & MSTATUS_MPP);
	h->mstatus = nv;
	if ((old ^ nv) & (MSTATUS_SUM | MSTATUS_MXR | MSTATUS_MPRV | MSTATUS_MPP))
		tlb_flush_all(h);
	hart_update_mode(h);
}

static void write_satp(struct hart *h, uint64_t val)
{
	const unsigned mode = val >> 60;
	const struct isa *isa = &h->m->isa;
	/* Unsupported modes leave satp unchanged (4.1.11): Bare, Sv39, and
	 * Sv48 and Sv57 when -cpu has them. */
	if (mode != 0 && mode != 8 && !(mode == 9 && isa_has(isa, ISA_SV48)) &&
	    !(mode == 10 && isa_has(isa, ISA_SV57)))
		return;
	/* 16 ASID bits, 44 PPN bits. */
	h->satp = val & ((0xfULL << 60) | (0xffffULL << 44) | ((1ULL << 44) - 1));
	tlb_flush_paged(h);
}

static bool write_csr(struct hart *h, const struct op *op, uint32_t csr, uint64_t val)
{
	switch (csr) {
	case CSR_FFLAGS:
		if (fp_off(h, op))
			return false;
		h->fflags = val & 0x1f;
		hart_fs_dirty(h);
		return true;
	case CSR_FRM:
		if (fp_off(h, op))
			return false;
		h->frm = val & 7;
		hart_fs_dirty(h);
		return true;
	case CSR_FCSR:
		if (fp_off(h, op))
			return false;
		h->fflags = val & 0x1f;
		h->frm = (val >> 5) & 7;
		hart_fs_dirty(h);
		return true;
	case CSR_SSTATUS:
		write_mstatus(h, val, MSTATUS_WRITABLE & SSTATUS_MASK);
		return true;
	case CSR_SIE:
		h->mie = (h->mie & ~h->mideleg) | (val & h->mideleg & s_interrupts(h));
		return true;
	case CSR_STVEC:
		if ((val & 3) < 2)
			h->stvec = val;
		return true;
	case CSR_SCOUNTEREN:
		h->scounteren = val & 0xffffffff;
		return true;
	case CSR_SENVCFG:
		if (!senvcfg_allowed(h, access_priv(h, op)))
			return false;
		senvcfg_write(h, val);
		return true;
	case CSR_SSCRATCH:
		h->sscratch = val;
		return true;
	case CSR_SEPC:
		h->sepc = val & ~1ULL;
		return true;
	case CSR_SCAUSE:
		h->scause = val;
		return true;
	case CSR_STVAL:
		h->stval = val;
		return true;
	case CSR_SIP: {
		/* Only SSIP (and Sscofpmf's LCOFIP) is writable through sip,
		 * and only when delegated. */
		const uint64_t mask = (MIP_SSIP | (s_interrupts(h) & MIP_LCOFIP)) & h->mideleg;
		const uint64_t cur = __atomic_load_n(&h->mip, __ATOMIC_RELAXED);
		hart_set_mip(h, mask & val, true);
		hart_set_mip(h, mask & ~val & cur, false);
		return true;
	}
	case CSR_STIMECMP:
		if (!stimecmp_allowed(h, access_priv(h, op)))
			return false;
		h->stimecmp = val;
		sstc_update(h);
		return true;
	case CSR_SATP:
		if (access_priv(h, op) == PRIV_S && (h->mstatus & MSTATUS_TVM))
			return false;
		write_satp(h, val);
		return true;
	case CSR_MSTATUS:
		write_mstatus(h, val, MSTATUS_WRITABLE);
		return true;
	case CSR_MISA:
		return true; /* read-only WARL: writes are ignored */
	case CSR_MEDELEG:
		h->medeleg = val & DELEGABLE_EXCEPTIONS;
		return true;
	case CSR_MIDELEG:
		h->mideleg = val & s_interrupts(h);
		return true;
	case CSR_MIE:
		h->mie = val & (ALL_INTERRUPTS | s_interrupts(h));
		return true;
	case CSR_MTVEC:
		if ((val & 3) < 2)
			h->mtvec = val;
		return true;
	case CSR_MCOUNTEREN:
		h->mcounteren = val & 0xffffffff;
		return true;
	case CSR_MENVCFG:
		menvcfg_write(h, val);
		sstc_update(h);
		return true;
	case CSR_MCOUNTINHIBIT:
		counters_set_inhibit(h, val, retired_after_write(h, op));
		return true;
	case CSR_MSCRATCH:
		h->mscratch = val;
		return true;
	case CSR_MEPC:
		h->mepc = val & ~1ULL;
		return true;
	case CSR_MCAUSE:
		h->mcause = val;
		return true;
	case CSR_MTVAL:
		h->mtval = val;
		return true;
	case CSR_MIP: {
		/* SSIP is writable; STIP too unless Sstc drives it. SEIP is
		 * left to the PLIC, as QEMU does, so software cannot clear a
		 * level the PLIC asserts; MSIP, MTIP and MEIP belong to the
		 * CLINT and PLIC. */
		uint64_t mask = MIP_SSIP | (s_interrupts(h) & MIP_LCOFIP);
		if (!(h->menvcfg & MENVCFG_STCE))
			mask |= MIP_STIP;
		const uint64_t cur = __atomic_load_n(&h->mip, __ATOMIC_RELAXED);
		hart_set_mip(h, mask & val, true);
		hart_set_mip(h, mask & ~val & cur, false);
		return true;
	}
	case CSR_TSELECT:
	case CSR_TDATA1:
	case CSR_TDATA2:
	case CSR_TDATA3:
		return true; /* WARL over the single value 0 */
	case CSR_MCYCLE:
	case CSR_MINSTRET:
		counter_write(h, csr - CSR_MCYCLE, val, retired_after_write(h, op));
		return true;
	default:
		break;
	}
	if (csr >= CSR_MHPMCOUNTER3 && csr <= CSR_MHPMCOUNTER31) {
		if (!has(h, ISA_ZIHPM))
			return false;
		counter_write(h, csr - CSR_MCYCLE, val, retired_after_write(h, op));
		return true;
	}
	if (csr >= CSR_MHPMEVENT3 && csr <= CSR_MHPMEVENT31) {
		if (!has(h, ISA_ZIHPM))
			return false;
		counters_set_event(h, csr - CSR_MCOUNTINHIBIT, val, retired_after_write(h, op));
		return true;
	}
	if ((csr >= CSR_MSTATEEN0 && csr <= CSR_MSTATEEN3) ||
	    (csr >= CSR_SSTATEEN0 && csr <= CSR_SSTATEEN3))
		return stateen_write(h, access_priv(h, op), csr, val);
	if (csr >= CSR_PMPCFG0 && csr <= CSR_PMPCFG15) {
		const unsigned idx = csr - CSR_PMPCFG0;
		if ((idx & 1) || idx * 4 >= PMP_ENTRIES)
			return false;
		write_pmpcfg(h, idx * 4, val);
		tlb_flush_all(h);
		return true;
	}
	if (csr >= CSR_PMPADDR0 && csr <= CSR_PMPADDR15) {
		write_pmpaddr(h, csr - CSR_PMPADDR0, val);
		tlb_flush_all(h);
		return true;
	}
	return false;
}

static bool csr_accessible(const struct hart *h, uint32_t csr)
{
	return ((csr >> 8) & 3) <= h->priv;
}

/* fflags may have accrued outside h->fflags (see machine.h). */
static void sync_fflags(struct hart *h, uint32_t csr)
{
	if ((csr == CSR_FFLAGS || csr == CSR_FCSR) && h->m->sync_fflags)
		h->m->sync_fflags(h);
}

int csr_read(struct hart *h, const struct op *op, uint32_t csr, uint64_t *val)
{
	sync_fflags(h, csr);
	if (!csr_accessible(h, csr) || !read_csr(h, op, csr, val))
		return hart_illegal(h, op);
	return EXEC_NEXT;
}

int csr_write(struct hart *h, const struct op *op, uint32_t csr, uint64_t val)
{
	sync_fflags(h, csr);
	if (!csr_accessible(h, csr) || (csr >> 10) == 3 || !write_csr(h, op, csr, val))
		return hart_illegal(h, op);
	hart_update_mode(h);
	return EXEC_NEXT;
}

/* A debugger's access (debug_op): between instructions, so instret is
 * h->instret exactly. */

bool csr_debug_read(struct hart *h, uint32_t csr, uint64_t *val)
{
	sync_fflags(h, csr);
	return read_csr(h, &debug_op, csr, val);
}

bool csr_debug_write(struct hart *h, uint32_t csr, uint64_t val)
{
	sync_fflags(h, csr);
	const bool ok = (csr >> 10) != 3 && write_csr(h, &debug_op, csr, val);
	hart_update_mode(h);
	return ok;
}
