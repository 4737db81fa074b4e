/*
 * The hart's counters (core/counters.h says what counts and when an
 * overflow is seen).
 */
#include "counters.h"
#include "machine.h"
#include "tb.h"

#define CY_IR	    ((1u << 0) | (1u << 2)) /* mcycle and minstret */
#define HPM_MASK    0xfffffff8u		    /* mhpmcounter3..31 */
#define INHIBITABLE (CY_IR | HPM_MASK)	    /* mcountinhibit bit 1 (time) is zero */

static bool sscofpmf(const struct hart *h)
{
	return isa_has(&h->m->isa, ISA_SSCOFPMF);
}

static bool counts(uint64_t event)
{
	const uint64_t e = event & MHPMEVENT_EVENT;
	return e == HPM_EVENT_CYCLES || e == HPM_EVENT_INSTRUCTIONS;
}

/* Sscofpmf: the xINH bit of privilege mode `priv` (VS/VU do not exist). */
static bool inhibited_in(uint64_t event, unsigned priv)
{
	switch (priv) {
	case PRIV_M:
		return event & MHPMEVENT_MINH;
	case PRIV_S:
		return event & MHPMEVENT_SINH;
	default:
		return event & MHPMEVENT_UINH;
	}
}

/* The earliest h->instret at which a running counter with OF clear wraps
 * (its value reaches 2^64), counted from mark where base is its value. */
static void set_deadline(struct hart *h)
{
	struct hart_counters *c = &h->ctr;
	uint64_t deadline = UINT64_MAX;
	if (sscofpmf(h)) {
		for (uint32_t armed = c->running & HPM_MASK; armed; armed &= armed - 1) {
			const unsigned i = (unsigned)__builtin_ctz(armed);
			const uint64_t left = -c->base[i]; /* 0: a whole 2^64 away */
			if ((c->event[i] & MHPMEVENT_OF) || left == 0)
				continue;
			if (left < deadline - c->mark)
				deadline = c->mark + left;
		}
	}
	c->deadline = deadline;
}

/* Which counters run in each privilege mode: mcountinhibit, then for the
 * hpm counters a counted event and Sscofpmf's xINH bits. */
static void set_running(struct hart *h)
{
	struct hart_counters *c = &h->ctr;
	const uint32_t on = ~(uint32_t)h->mcountinhibit & INHIBITABLE;
	for (unsigned priv = 0; priv < 4; priv++) {
		uint32_t r = on & CY_IR;
		if (isa_has(&h->m->isa, ISA_ZIHPM))
			for (unsigned i = 3; i < 32; i++)
				if (((on >> i) & 1) && counts(c->event[i]) &&
				    !inhibited_in(c->event[i], priv))
					r |= 1u << i;
		c->running_in[priv] = r;
	}
	c->running = c->running_in[h->priv];
	set_deadline(h);
}

uint64_t counter_read(const struct hart *h, unsigned i, uint64_t now)
{
	const struct hart_counters *c = &h->ctr;
	return c->base[i] + (((c->running >> i) & 1) ? now - c->mark : 0);
}

void counters_settle(struct hart *h, uint64_t now)
{
	struct hart_counters *c = &h->ctr;
	const uint64_t n = now - c->mark;
	if (n == 0)
		return;
	uint32_t wrapped = 0;
	for (uint32_t r = c->running; r; r &= r - 1) {
		const unsigned i = (unsigned)__builtin_ctz(r);
		const uint64_t old = c->base[i];
		c->base[i] = old + n;
		if (c->base[i] < old)
			wrapped |= 1u << i;
	}
	c->mark = now;
	/* Sscofpmf: an overflow while OF is clear sets OF and requests the
	 * interrupt; with OF set it only wraps. */
	wrapped &= HPM_MASK;
	if (!wrapped || !sscofpmf(h))
		return;
	bool request = false;
	for (; wrapped; wrapped &= wrapped - 1) {
		const unsigned i = (unsigned)__builtin_ctz(wrapped);
		if (!(c->event[i] & MHPMEVENT_OF)) {
			c->event[i] |= MHPMEVENT_OF;
			request = true;
		}
	}
	if (request)
		hart_set_mip(h, MIP_LCOFIP, true);
	set_deadline(h);
}

void counter_write(struct hart *h, unsigned i, uint64_t val, uint64_t now)
{
	counters_settle(h, now);
	h->ctr.base[i] = val;
	set_deadline(h);
}

void counters_set_inhibit(struct hart *h, uint64_t val, uint64_t now)
{
	counters_settle(h, now);
	h->mcountinhibit = val & INHIBITABLE;
	set_running(h);
}

void counters_set_event(struct hart *h, unsigned i, uint64_t val, uint64_t now)
{
	counters_settle(h, now);
	/* Without Sscofpmf bits 63:56 are not fields: keep the selector. With
	 * it, VSINH and VUINH are read-only zero (no H) and 57:56 WPRI. */
	uint64_t keep = MHPMEVENT_EVENT;
	if (sscofpmf(h))
		keep |= MHPMEVENT_OF | MHPMEVENT_MINH | MHPMEVENT_SINH | MHPMEVENT_UINH;
	h->ctr.event[i] = val & keep;
	set_running(h);
}

void counters_mode_changed(struct hart *h)
{
	h->ctr.running = h->ctr.running_in[h->priv];
	set_deadline(h);
}

uint32_t counters_overflow_bits(const struct hart *h)
{
	uint32_t of = 0;
	for (unsigned i = 3; i < 32; i++)
		if (h->ctr.event[i] & MHPMEVENT_OF)
			of |= 1u << i;
	return of;
}

void counters_overflow_due(struct hart *h)
{
	counters_settle(h, h->instret);
	set_deadline(h);
}

int32_t counters_block_limit(const struct hart *h)
{
	const uint64_t deadline = h->ctr.deadline;
	if (deadline == UINT64_MAX)
		return INT32_MAX;
	if (deadline <= h->instret)
		return 1;
	const uint64_t blocks = (deadline - h->instret) / BLOCK_MAX_OPS;
	return blocks < 1 ? 1 : blocks > INT32_MAX ? INT32_MAX : (int32_t)blocks;
}

void counters_recompute(struct hart *h)
{
	set_running(h);
}
