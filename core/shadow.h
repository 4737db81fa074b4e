/*
 * The shadow run of the lockstep check (--check, jit/check.c): a copy of a
 * hart runs one block in the interpreter without changing the machine.
 *
 * While h->shadow is set, core/mmu.c
 *   - records every store (and every AMO's word) in the log instead of
 *     writing guest memory, and lets later loads of the same run see the
 *     logged bytes over memory;
 *   - installs no TLB entries (the fast paths in mem.h would bypass the
 *     log) and drops no translated code;
 *   - never calls a device: an access to the bus sets touched_mmio and
 *     reads 0, and the checker throws the shadow result away.
 * Hardware A/D bit updates of the page walk do reach guest memory: the real
 * run makes the same update, so they are idempotent.
 */
#ifndef RVJIT_SHADOW_H
#define RVJIT_SHADOW_H

#include <stdbool.h>
#include <stdint.h>

/* A block has at most BLOCK_MAX_OPS instructions; a misaligned store
 * splits in two. */
#define SHADOW_MAX_STORES 256

struct shadow_store {
	uint64_t pa;
	uint64_t data; /* little-endian bytes; 8-aligned so AMOs can run on it */
	unsigned size;
};

struct shadow_log {
	unsigned n;
	bool overflow;	   /* more stores than fit: the check is skipped */
	bool touched_mmio; /* the run reached the bus: its result is void */
	struct shadow_store s[SHADOW_MAX_STORES];
};

/* Put the logged bytes of [pa, pa+size) over buf (later stores win). */
void shadow_overlay(const struct shadow_log *l, uint64_t pa, uint8_t *buf, unsigned size);

/* Log a store of `size` (<= 8) bytes; NULL on overflow, else the entry,
 * whose data an AMO may then update in place. */
struct shadow_store *shadow_record(struct shadow_log *l, uint64_t pa, const void *bytes,
				   unsigned size);

#endif
