/*
 * The hart's counters: mcycle, minstret and mhpmcounter3..31 with their
 * mhpmevent3..31 (priv spec 3.1.10, "Hardware Performance Monitor"), the
 * Sscofpmf overflow and privilege-mode filtering, and mcountinhibit
 * (3.1.12). The state is struct hart_counters (core/hart.h); the CSR
 * access rules are core/csr.c's.
 *
 * What counts. rvjit has no notion of cycles: a cycle is an instruction,
 * as mcycle always read the same count as minstret. mhpmcounterN counts
 * when mhpmeventN selects one of the two events below (QEMU's numbers for
 * them, the SBI PMU's hardware event codes that OpenSBI writes into
 * mhpmevent from the device tree's riscv,event-to-mhpmevent), and any
 * other event value counts nothing.
 *
 * When an overflow is seen. A counter is advanced when it is settled: at a
 * change of privilege, at every write of a counter CSR, and between
 * blocks once h->instret reaches ctr.deadline, the point at which the
 * first armed counter (running, OF clear) wraps. Both engines compare
 * h->instret with the deadline after every block (the translator limits
 * its quantum so it returns to the dispatcher then: counters_block_limit),
 * so an overflow sets OF and LCOFIP at the end of the block in which the
 * counter wrapped, at most BLOCK_MAX_OPS - 1 instructions after it, and
 * the interrupt is taken before the next block when it is enabled.
 */
#ifndef RVJIT_COUNTERS_H
#define RVJIT_COUNTERS_H

#include "hart.h"
#include <stdbool.h>
#include <stdint.h>

/* mhpmevent fields (Sscofpmf, "Count Overflow Control"). */
#define MHPMEVENT_OF	(1ULL << 63)
#define MHPMEVENT_MINH	(1ULL << 62)
#define MHPMEVENT_SINH	(1ULL << 61)
#define MHPMEVENT_UINH	(1ULL << 60)
#define MHPMEVENT_VSINH (1ULL << 59)
#define MHPMEVENT_VUINH (1ULL << 58)
/* The event selector: bits 55:0 (57:56 are WPRI). */
#define MHPMEVENT_EVENT ((1ULL << 56) - 1)

/* The events mhpmcounterN counts (SBI PMU hardware event codes). */
enum { HPM_EVENT_CYCLES = 1, HPM_EVENT_INSTRUCTIONS = 2 };

/* Instructions retired before `op` of the running block (the ops of the
 * block before it have), and once op itself retires. */
static inline uint64_t retired_before(const struct hart *h, const struct op *op)
{
	return h->instret + (uint64_t)(op - h->block_ops);
}
static inline uint64_t retired_with(const struct hart *h, const struct op *op)
{
	return retired_before(h, op) + 1;
}

/* Counter i (0 mcycle, 2 minstret, 3..31 mhpmcounter) when `now`
 * instructions have retired. */
uint64_t counter_read(const struct hart *h, unsigned i, uint64_t now);

/* Write counter i, `now` being the count after the writing instruction
 * retires (the next instruction reads val). Never an overflow. */
void counter_write(struct hart *h, unsigned i, uint64_t val, uint64_t now);

/* mcountinhibit and mhpmevent writes, settled at `now` as counter_write. */
void counters_set_inhibit(struct hart *h, uint64_t val, uint64_t now);
void counters_set_event(struct hart *h, unsigned i, uint64_t val, uint64_t now);

/* Bring every running counter up to `now` (an overflow sets OF and
 * LCOFIP). Called before the privilege changes (trap entry, mret, sret);
 * hart_update_mode then calls counters_mode_changed. */
void counters_settle(struct hart *h, uint64_t now);
void counters_mode_changed(struct hart *h);

/* scountovf (0xda0): the OF bits of mhpmevent3..31 at bits 3..31. */
uint32_t counters_overflow_bits(const struct hart *h);

/* Between blocks: settle when an armed counter has wrapped. */
void counters_overflow_due(struct hart *h);
static inline void counters_poll(struct hart *h)
{
	if (__builtin_expect(h->instret >= h->ctr.deadline, 0))
		counters_overflow_due(h);
}

/* The blocks the hart may run before the next deadline is due without
 * missing it by more than one block (each retires at most BLOCK_MAX_OPS
 * instructions); at least 1, INT32_MAX when nothing is armed. */
int32_t counters_block_limit(const struct hart *h);

/* At reset and after a VM state load: recompute what is derived from
 * mcountinhibit, the events and the privilege mode. */
void counters_recompute(struct hart *h);

#endif
