/*
 * The PLIC of QEMU's `virt` board (see plic.h for the register map),
 * following the RISC-V PLIC specification 1.0.0 and, where it leaves room,
 * QEMU's hw/intc/sifive_plic.c.
 *
 * Gateways behave as QEMU's (hw/intc/sifive_plic.c, sifive_plic_irq_request),
 * which software written for the virt board is tuned against: each time a
 * device signals its line the source's pending bit takes the line's value.
 *   - claim clears the pending bit and puts the source in flight;
 *   - completion ends the flight but does not look at the line again: a
 *     source re-pends when its device next signals a raised line.
 * A device therefore signals on the events that change its interrupt
 * condition (see the UART), not on every register access. The PLIC spec's
 * pure level gateway would re-pend a still-high line at completion, which
 * turns xv6's unacknowledged UART THRE interrupt into an interrupt storm.
 *
 * A context notifies its hart (MEIP or SEIP) while some pending source that
 * it enables has priority > its threshold; claim returns the best such
 * source: highest priority, then lowest id (spec: "Interrupt Priorities").
 * Priority 0 means "never interrupt". Priorities and thresholds have 3 bits
 * (QEMU virt's VIRT_IRQCHIP_NUM_PRIO_BITS), WARL: higher bits are dropped.
 * An access to no register reads 0 and writes nothing; -d guest_errors logs
 * it in QEMU's words.
 */
#include "plic.h"
#include "core/guest_log.h"
#include "core/machine.h"
#include "core/vmstate.h"
#include "fdt/fdt.h"
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#define PLIC_PRIORITY	    0x000000
#define PLIC_PENDING	    0x001000
#define PLIC_ENABLE	    0x002000
#define PLIC_ENABLE_STRIDE  0x80
#define PLIC_CONTEXT	    0x200000
#define PLIC_CONTEXT_STRIDE 0x1000
#define PLIC_THRESHOLD	    0x0 /* within a context's page */
#define PLIC_CLAIM	    0x4

#define PLIC_PRIO_MASK 7
#define PLIC_WORDS     (PLIC_MAX_SOURCES / 32)
#define PLIC_CONTEXTS  (2 * MAX_HARTS)

/* Every context's enable bits and its threshold/claim page fit the map. */
_Static_assert(PLIC_ENABLE + PLIC_CONTEXTS * PLIC_ENABLE_STRIDE <= PLIC_CONTEXT &&
		   PLIC_CONTEXT + PLIC_CONTEXTS * PLIC_CONTEXT_STRIDE <= PLIC_SIZE,
	       "MAX_HARTS exceeds the PLIC's register map");

struct plic {
	struct machine *m;
	unsigned nsources; /* ids 0 .. nsources-1; 0 is not a source */
	unsigned nwords;   /* 32-bit words of a bitmap of nsources bits */
	unsigned ncontexts;
	uint32_t valid[PLIC_WORDS]; /* ids 1 .. nsources-1: the bits that exist */

	/* Guards everything below: lines move from device threads while harts
	 * access the registers. */
	pthread_mutex_t lock;
	uint8_t priority[PLIC_MAX_SOURCES];
	uint32_t pending[PLIC_WORDS]; /* latched from the lines' signals */
	uint32_t claimed[PLIC_WORDS]; /* in flight: claimed, not yet completed */
	uint32_t enable[PLIC_CONTEXTS][PLIC_WORDS];
	uint8_t threshold[PLIC_CONTEXTS];
};

/* The claimable bits of word `w`: pending and not in flight. */
static uint32_t pending_word(const struct plic *p, unsigned w)
{
	return p->pending[w] & ~p->claimed[w] & p->valid[w];
}

/* The id a claim by `ctx` would return, 0 if none. Lock held. */
static unsigned best_source(const struct plic *p, unsigned ctx)
{
	unsigned best = 0, best_prio = p->threshold[ctx];

	for (unsigned w = 0; w < p->nwords; w++) {
		uint32_t bits = pending_word(p, w) & p->enable[ctx][w];
		while (bits) {
			const unsigned id = 32 * w + (unsigned)__builtin_ctz(bits);
			bits &= bits - 1;
			/* Strictly greater: on a tie the lower id, found first, wins. */
			if (p->priority[id] > best_prio) {
				best = id;
				best_prio = p->priority[id];
			}
		}
	}
	return best;
}

/* Drive every context's interrupt output to its hart. Lock held.
 *
 * The level is compared with the hart's actual mip bit, not with a copy of
 * what we last sent: M-mode software may write mip.SEIP (core/csr.c), and a
 * stale copy would then never re-raise it. */
static void update(struct plic *p)
{
	for (unsigned ctx = 0; ctx < p->ncontexts; ctx++) {
		struct hart *h = p->m->harts[ctx / 2];
		const uint64_t bit = (ctx & 1) ? MIP_SEIP : MIP_MEIP;
		const bool level = best_source(p, ctx) != 0;
		const bool cur = __atomic_load_n(&h->mip, __ATOMIC_RELAXED) & bit;
		if (level != cur)
			hart_set_mip(h, bit, level);
	}
}

static bool source_exists(const struct plic *p, unsigned id)
{
	return id < p->nsources && (p->valid[id / 32] >> (id % 32) & 1);
}

static uint32_t claim(struct plic *p, unsigned ctx)
{
	const unsigned id = best_source(p, ctx);
	if (id) {
		p->pending[id / 32] &= ~(1u << (id % 32));
		p->claimed[id / 32] |= 1u << (id % 32);
		update(p);
	}
	return id;
}

/* Spec: a completion for a source the context does not enable is ignored. */
static void complete(struct plic *p, unsigned ctx, uint32_t id)
{
	if (!source_exists(p, id) || !(p->enable[ctx][id / 32] >> (id % 32) & 1))
		return;
	p->claimed[id / 32] &= ~(1u << (id % 32));
	update(p);
}

static uint64_t plic_read(void *opaque, uint64_t off, unsigned size)
{
	struct plic *p = opaque;
	uint32_t val = 0;
	bool known = true;

	if (size != 4 || (off & 3))
		return 0;
	pthread_mutex_lock(&p->lock);
	if (off < PLIC_PENDING) {
		const uint64_t id = (off - PLIC_PRIORITY) / 4;
		if (source_exists(p, (unsigned)id))
			val = p->priority[id];
	} else if (off < PLIC_PENDING + 4ULL * p->nwords) {
		val = pending_word(p, (unsigned)((off - PLIC_PENDING) / 4));
	} else if (off >= PLIC_ENABLE &&
		   off < PLIC_ENABLE + (uint64_t)PLIC_ENABLE_STRIDE * p->ncontexts) {
		const unsigned ctx = (unsigned)((off - PLIC_ENABLE) / PLIC_ENABLE_STRIDE);
		const unsigned w = (unsigned)((off - PLIC_ENABLE) % PLIC_ENABLE_STRIDE / 4);
		if (w < p->nwords)
			val = p->enable[ctx][w];
		else
			known = false;
	} else if (off >= PLIC_CONTEXT &&
		   off < PLIC_CONTEXT + (uint64_t)PLIC_CONTEXT_STRIDE * p->ncontexts) {
		const unsigned ctx = (unsigned)((off - PLIC_CONTEXT) / PLIC_CONTEXT_STRIDE);
		const unsigned reg = (unsigned)((off - PLIC_CONTEXT) % PLIC_CONTEXT_STRIDE);
		if (reg == PLIC_THRESHOLD)
			val = p->threshold[ctx];
		else if (reg == PLIC_CLAIM)
			val = claim(p, ctx);
		else
			known = false;
	} else {
		known = false;
	}
	pthread_mutex_unlock(&p->lock);
	if (!known)
		log_device_access(p->m, LOG_GUEST_ERRORS,
				  "sifive_plic_read: Invalid register read 0x%" PRIx64 "\n", off);
	return val;
}

static void plic_write(void *opaque, uint64_t off, unsigned size, uint64_t val64)
{
	struct plic *p = opaque;
	const uint32_t val = (uint32_t)val64;
	bool known = true;

	if (size != 4 || (off & 3))
		return;
	pthread_mutex_lock(&p->lock);
	if (off < PLIC_PENDING) {
		const uint64_t id = (off - PLIC_PRIORITY) / 4;
		if (source_exists(p, (unsigned)id)) {
			p->priority[id] = val & PLIC_PRIO_MASK;
			update(p);
		}
	} else if (off >= PLIC_ENABLE &&
		   off < PLIC_ENABLE + (uint64_t)PLIC_ENABLE_STRIDE * p->ncontexts) {
		/* The pending array is read-only (spec), so it falls through. */
		const unsigned ctx = (unsigned)((off - PLIC_ENABLE) / PLIC_ENABLE_STRIDE);
		const unsigned w = (unsigned)((off - PLIC_ENABLE) % PLIC_ENABLE_STRIDE / 4);
		if (w < p->nwords) {
			p->enable[ctx][w] = val & p->valid[w];
			update(p);
		} else {
			known = false;
		}
	} else if (off >= PLIC_CONTEXT &&
		   off < PLIC_CONTEXT + (uint64_t)PLIC_CONTEXT_STRIDE * p->ncontexts) {
		const unsigned ctx = (unsigned)((off - PLIC_CONTEXT) / PLIC_CONTEXT_STRIDE);
		const unsigned reg = (unsigned)((off - PLIC_CONTEXT) % PLIC_CONTEXT_STRIDE);
		if (reg == PLIC_THRESHOLD) {
			p->threshold[ctx] = val & PLIC_PRIO_MASK;
			update(p);
		} else if (reg == PLIC_CLAIM) {
			complete(p, ctx, val);
		} else {
			known = false;
		}
	} else {
		known = false;
	}
	pthread_mutex_unlock(&p->lock);
	if (!known)
		log_device_access(p->m, LOG_GUEST_ERRORS,
				  "sifive_plic_write: Invalid register write 0x%" PRIx64 "\n", off);
}

void plic_set_irq(void *opaque, unsigned irq, bool level)
{
	struct plic *p = opaque;

	if (!source_exists(p, irq))
		return;
	pthread_mutex_lock(&p->lock);
	const uint32_t bit = 1u << (irq % 32);
	const uint32_t old = p->pending[irq / 32];
	p->pending[irq / 32] = level ? old | bit : old & ~bit;
	if (p->pending[irq / 32] != old)
		update(p);
	pthread_mutex_unlock(&p->lock);
}

struct irq_line plic_line(struct plic *p, unsigned irq)
{
	return (struct irq_line){.set = plic_set_irq, .opaque = p, .irq = irq};
}

struct plic *plic_new(struct machine *m, uint64_t base, unsigned nsources)
{
	if (nsources < 1 || nsources > PLIC_MAX_SOURCES) {
		fprintf(stderr, "rvjit: plic: %u sources: must be 1 to %u\n", nsources,
			PLIC_MAX_SOURCES);
		return NULL;
	}
	struct plic *p = calloc(1, sizeof(*p));
	if (!p) {
		fprintf(stderr, "rvjit: plic: out of memory\n");
		return NULL;
	}
	p->m = m;
	p->nsources = nsources;
	p->nwords = (nsources + 31) / 32;
	p->ncontexts = 2 * m->nharts;
	for (unsigned id = 1; id < nsources; id++)
		p->valid[id / 32] |= 1u << (id % 32);
	pthread_mutex_init(&p->lock, NULL);

	if (!bus_add(&m->bus, base, PLIC_SIZE, p, plic_read, plic_write, "plic")) {
		fprintf(stderr, "rvjit: plic: cannot map at %#llx (bus full or overlap)\n",
			(unsigned long long)base);
		plic_free(p);
		return NULL;
	}
	return p;
}

void plic_free(struct plic *p)
{
	if (!p)
		return;
	pthread_mutex_destroy(&p->lock);
	free(p);
}

void plic_fdt(struct fdt *f, uint64_t base, unsigned nsources, const uint32_t *intc,
	      unsigned nharts, uint32_t phandle)
{
	uint32_t cells[4 * MAX_HARTS];
	for (unsigned h = 0; h < nharts; h++) {
		cells[4 * h + 0] = intc[h];
		cells[4 * h + 1] = 11; /* context 2h: machine external interrupt */
		cells[4 * h + 2] = intc[h];
		cells[4 * h + 3] = 9; /* context 2h+1: supervisor external interrupt */
	}
	fdt_begin_node_at(f, "plic", base);
	fdt_prop_u32(f, "phandle", phandle);
	fdt_prop_strings(f, "compatible", "sifive,plic-1.0.0", "riscv,plic0", NULL);
	fdt_prop_reg(f, base, PLIC_SIZE);
	fdt_prop_u32(f, "#address-cells", 0);
	fdt_prop_u32(f, "#interrupt-cells", 1);
	fdt_prop_empty(f, "interrupt-controller");
	/* riscv,ndev is the highest source id: ids 1 .. nsources-1. */
	fdt_prop_u32(f, "riscv,ndev", nsources - 1);
	fdt_prop_cells(f, "interrupts-extended", cells, 4 * nharts);
	fdt_end_node(f);
}

/* The snapshot state (core/vmstate.h): the registers and what the device
 * keeps between accesses, not its configuration. */
void plic_save(struct plic *d, struct vmstate_out *o)
{
	pthread_mutex_lock(&d->lock);
	VMSTATE_PUT(o, d->priority);
	VMSTATE_PUT(o, d->pending);
	VMSTATE_PUT(o, d->claimed);
	VMSTATE_PUT(o, d->enable);
	VMSTATE_PUT(o, d->threshold);
	pthread_mutex_unlock(&d->lock);
}

void plic_load(struct plic *d, struct vmstate_in *in)
{
	pthread_mutex_lock(&d->lock);
	VMSTATE_GET(in, d->priority);
	VMSTATE_GET(in, d->pending);
	VMSTATE_GET(in, d->claimed);
	VMSTATE_GET(in, d->enable);
	VMSTATE_GET(in, d->threshold);
	update(d);
	pthread_mutex_unlock(&d->lock);
}
