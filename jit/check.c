/*
 * The lockstep check (--check): the interpreter, the reference semantics,
 * runs the same guest code as the translator and the two results must
 * agree. Chaining, loop translation and the indirect-jump cache stay on, so
 * they are checked too.
 *
 * The unit compared is a run: the translated code the dispatcher enters,
 * up to its return. Every block entry in translated code, from the
 * dispatcher, through a chained jump, through the jump cache or at a loop
 * head, counts one that the exit takes from h->budget (jit/emit_control.c:
 * emit_quantum_check; an entry that fails the test counts none, nor does a
 * killed block's dead stub). So a run that starts with budget L and
 * returns with budget L - R ran R blocks, the last of which may have
 * stopped early (trap, an exit to the dispatcher). For each run:
 *   1. copy the hart's architectural state (everything before the TLB)
 *      into a shadow hart;
 *   2. run up to CHECK_MAX_BLOCKS blocks on the shadow in the interpreter,
 *      the same decoded blocks (core/tb.c) the translated code was made
 *      from, with its stores going to a write log instead of guest memory
 *      (core/shadow.h explains the hook in core/mmu.c); after block k keep
 *      its state and the length of the log;
 *   3. run the translated code on the real hart with its budget set to the
 *      n blocks the shadow completed, so it cannot go further than the
 *      reference;
 *   4. from the budget left, R; compare every architectural field with the
 *      shadow's state after R blocks, and every byte the shadow stored in
 *      those R blocks with guest memory as the translated code left it.
 *
 * The shadow stops early, and the run is limited to the blocks before:
 *   - before a block that reaches a device: device accesses have side
 *     effects, so the shadow never performs them and the real run alone
 *     counts (a run whose very first block does so is not compared);
 *   - before a block that reads `time`: the host clock moves between the
 *     two runs (not compared either, when it is the first);
 *   - before a block whose stores overflow the log;
 *   - before a block the translated code could not enter without the
 *     dispatcher either: not decoded yet, a page-straddling instruction, a
 *     fetch fault;
 *   - after a block that leaves the chainable path, as translated code
 *     returns to the dispatcher there: a trap, an instruction that ends its
 *     block with EXEC_EXIT other than a jump or branch (CSR writes, xRET,
 *     fence.i, sfence.vma), wfi.
 * Interrupts are taken by the dispatcher only; one that becomes takeable
 * during a run zeroes the budget (hart_set_mip), which the translated code
 * sees at its next block entry. Then the budget no longer counts the blocks
 * run, and R is the last shadow state with the real run's pc, instret and
 * privilege. `mip` is not compared: devices change it. Neither is anything
 * that is not architectural state (the TLB, block_pc, the budget, the
 * spin-wait counters). The shadow finds its next block through the real
 * hart's fetch TLB, as the jump cache does, and walks the page table only
 * when that misses; a walk may set an A bit the real run would not have
 * (core/shadow.h). With -d exec or cpu the shadow's blocks are logged too.
 *
 * On the first difference the machine stops (STOP_FATAL, exit status 1)
 * after printing the differing fields, the blocks of the run, the states,
 * and the guest and host code of the blocks on stderr.
 */
#include "check.h"
#include "core/csr.h"
#include "core/insn.h"
#include "core/mmu.h"
#include "core/shadow.h"
#include "host_fp.h"
#include <inttypes.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

/* Blocks the shadow runs ahead of one run of translated code: bounds the
 * work thrown away when the translated code stops sooner, and the memory
 * the states take (STATE_BYTES, about 1 KiB, each). */
#define CHECK_MAX_BLOCKS 64

/* The architectural state: the hart up to its TLB. */
#define STATE_BYTES offsetof(struct hart, tlb)

/* The state compared, and printed in the dumps. */
struct field {
	const char *name;
	size_t off;
	unsigned size;
};
#define F64(n)                                                                                     \
	{                                                                                          \
#n, offsetof(struct hart, n), 8                                                    \
	}
#define F8(n)                                                                                      \
	{                                                                                          \
#n, offsetof(struct hart, n), 1                                                    \
	}
static const struct field fields[] = {
    F64(pc),
    F64(instret),
    F8(priv),
    F8(wfi),
    F8(reserved),
    F64(reservation),
    F64(reservation_value),
    F64(mhartid),
    F64(mstatus),
    F64(misa),
    F64(medeleg),
    F64(mideleg),
    F64(mie),
    F64(mtvec),
    F64(mscratch),
    F64(mepc),
    F64(mcause),
    F64(mtval),
    F64(mcounteren),
    F64(mcountinhibit),
    F64(menvcfg),
    {"mstateen0", offsetof(struct hart, mstateen[0]), 8},
    {"mstateen1", offsetof(struct hart, mstateen[1]), 8},
    {"mstateen2", offsetof(struct hart, mstateen[2]), 8},
    {"mstateen3", offsetof(struct hart, mstateen[3]), 8},
    F64(stvec),
    F64(sscratch),
    F64(sepc),
    F64(scause),
    F64(stval),
    F64(scounteren),
    F64(senvcfg),
    F64(satp),
    F64(stimecmp),
    F8(fflags),
    F8(frm),
    F64(ctr.mark),
    F64(ctr.base[0]),
    F64(ctr.base[2]),
    F64(ctr.base[3]),
    F64(ctr.base[4]),
    F64(ctr.base[5]),
    F64(ctr.base[6]),
    F64(ctr.base[7]),
    F64(ctr.base[8]),
    F64(ctr.base[9]),
    F64(ctr.base[10]),
    F64(ctr.base[11]),
    F64(ctr.base[12]),
    F64(ctr.base[13]),
    F64(ctr.base[14]),
    F64(ctr.base[15]),
    F64(ctr.base[16]),
    F64(ctr.base[17]),
    F64(ctr.base[18]),
    F64(ctr.base[19]),
    F64(ctr.base[20]),
    F64(ctr.base[21]),
    F64(ctr.base[22]),
    F64(ctr.base[23]),
    F64(ctr.base[24]),
    F64(ctr.base[25]),
    F64(ctr.base[26]),
    F64(ctr.base[27]),
    F64(ctr.base[28]),
    F64(ctr.base[29]),
    F64(ctr.base[30]),
    F64(ctr.base[31]),
    F64(ctr.event[3]),
    F64(ctr.event[4]),
    F64(ctr.event[5]),
    F64(ctr.event[6]),
    F64(ctr.event[7]),
    F64(ctr.event[8]),
    F64(ctr.event[9]),
    F64(ctr.event[10]),
    F64(ctr.event[11]),
    F64(ctr.event[12]),
    F64(ctr.event[13]),
    F64(ctr.event[14]),
    F64(ctr.event[15]),
    F64(ctr.event[16]),
    F64(ctr.event[17]),
    F64(ctr.event[18]),
    F64(ctr.event[19]),
    F64(ctr.event[20]),
    F64(ctr.event[21]),
    F64(ctr.event[22]),
    F64(ctr.event[23]),
    F64(ctr.event[24]),
    F64(ctr.event[25]),
    F64(ctr.event[26]),
    F64(ctr.event[27]),
    F64(ctr.event[28]),
    F64(ctr.event[29]),
    F64(ctr.event[30]),
    F64(ctr.event[31]),
};

struct code_size {
	const void *native;
	size_t size;
};

/* Why the shadow stopped. */
enum shadow_stop {
	SHADOW_LIMIT,	    /* ran CHECK_MAX_BLOCKS, or the quantum's blocks */
	SHADOW_LEFT,	    /* the last block leaves the chainable path */
	SHADOW_UNREACHABLE, /* the next block needs the dispatcher */
	SHADOW_DEVICE,	    /* the next block reaches a device */
	SHADOW_TIME,	    /* the next block reads time */
	SHADOW_LOG_FULL,    /* the next block's stores do not fit the log */
};

struct jit_check {
	struct hart *shadow; /* the interpreter's copy */
	struct shadow_log log;
	bool selftest;	    /* --check-selftest: corrupt x5 once, to be caught */
	bool selftest_done; /* ... and it was */
	uint64_t checked, chained, runs, skipped_device, skipped_other;
	/* The shadow run: state k (STATE_BYTES at states + k * STATE_BYTES)
	 * is the state after k blocks, state 0 the start; block[k] the k-th
	 * block, log_at[k] the log's length after it. */
	uint8_t *states;
	const struct block *block[CHECK_MAX_BLOCKS + 1];
	unsigned log_at[CHECK_MAX_BLOCKS + 1];
	/* Host code sizes of the blocks translated since the last flush. */
	struct code_size *sizes;
	size_t nsizes, cap;
	uint64_t generation;
};

struct jit_check *jit_check_new(bool selftest)
{
	struct jit_check *c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	c->shadow = calloc(1, sizeof(struct hart));
	c->states = calloc(CHECK_MAX_BLOCKS + 1, STATE_BYTES);
	if (!c->shadow || !c->states) {
		jit_check_free(c);
		return NULL;
	}
	/* The shadow never installs TLB entries, so every access it makes
	 * takes the slow path through the log (and its fill bitmaps stay
	 * clear, which its flushes rely on). */
	tlb_reset(c->shadow);
	c->shadow->shadow = &c->log;
	c->selftest = selftest;
	return c;
}

void jit_check_free(struct jit_check *c)
{
	if (!c)
		return;
	free(c->shadow);
	free(c->states);
	free(c->sizes);
	free(c);
}

void jit_check_summary(const struct jit_check *c, FILE *out)
{
	fprintf(out,
		"rvjit: --check: %" PRIu64 " blocks checked (%" PRIu64
		" of them entered from translated code, in %" PRIu64 " runs), %" PRIu64
		" not compared (device access), %" PRIu64
		" not compared (time, interrupt at entry, log full)\n",
		c->checked, c->chained, c->runs, c->skipped_device, c->skipped_other);
}

void jit_check_note_code(struct jit_check *c, uint64_t generation, const void *native, size_t size)
{
	if (generation != c->generation) {
		c->nsizes = 0;
		c->generation = generation;
	}
	if (c->nsizes == c->cap) {
		const size_t cap = c->cap ? c->cap * 2 : 1024;
		struct code_size *s = realloc(c->sizes, cap * sizeof(*s));
		if (!s)
			return;
		c->sizes = s;
		c->cap = cap;
	}
	c->sizes[c->nsizes++] = (struct code_size){native, size};
}

static size_t code_size_of(const struct jit_check *c, const void *native)
{
	for (size_t i = c->nsizes; i-- > 0;)
		if (c->sizes[i].native == native)
			return c->sizes[i].size;
	return 0;
}

/* State k of the shadow run, read through the fields before the TLB only. */
static const struct hart *state(const struct jit_check *c, unsigned k)
{
	return (const struct hart *)(const void *)(c->states + (size_t)k * STATE_BYTES);
}

static void save_state(struct jit_check *c, unsigned k, const struct hart *h)
{
	memcpy(c->states + (size_t)k * STATE_BYTES, h, STATE_BYTES);
}

/* Copy the architectural state and point the TLB selectors at the copy's
 * own TLB. */
static void copy_state(struct hart *to, const struct hart *from)
{
	memcpy(to, from, STATE_BYTES);
	to->tlb_data = &to->tlb[0][0] + (from->tlb_data - &from->tlb[0][0]);
	to->tlb_fetch = &to->tlb[0][0] + (from->tlb_fetch - &from->tlb[0][0]);
}

static uint64_t field_value(const struct hart *h, const struct field *f)
{
	const uint8_t *p = (const uint8_t *)h + f->off;
	uint64_t v = 0;
	memcpy(&v, p, f->size);
	return v;
}

static void dump_state(FILE *out, const char *title, const struct hart *h)
{
	fprintf(out, "--- %s\n", title);
	for (unsigned i = 0; i < 32; i += 4)
		fprintf(out,
			"  x%-2u %016" PRIx64 "  x%-2u %016" PRIx64 "  x%-2u %016" PRIx64
			"  x%-2u %016" PRIx64 "\n",
			i, h->x[i], i + 1, h->x[i + 1], i + 2, h->x[i + 2], i + 3, h->x[i + 3]);
	for (unsigned i = 0; i < 32; i += 4)
		fprintf(out,
			"  f%-2u %016" PRIx64 "  f%-2u %016" PRIx64 "  f%-2u %016" PRIx64
			"  f%-2u %016" PRIx64 "\n",
			i, h->f[i], i + 1, h->f[i + 1], i + 2, h->f[i + 2], i + 3, h->f[i + 3]);
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
		fprintf(out, "  %-17s %#" PRIx64 "%s", fields[i].name, field_value(h, &fields[i]),
			i % 3 == 2 ? "\n" : "");
	fprintf(out, "\n  pmpcfg ");
	for (unsigned i = 0; i < PMP_ENTRIES; i++)
		fprintf(out, " %02x", h->pmpcfg[i]);
	fprintf(out, "\n");
}

static unsigned compare_states(FILE *out, const struct hart *want, const struct hart *got,
			       const struct hart *before)
{
	unsigned diffs = 0;
#define DIFF(name_fmt, idx, w, g, b)                                                               \
	do {                                                                                       \
		if (diffs++ < 64 && out)                                                           \
			fprintf(out,                                                               \
				"  " name_fmt ": translated %#" PRIx64 ", interpreter %#" PRIx64   \
				" (before the last block: %#" PRIx64 ")\n",                        \
				idx, (uint64_t)(g), (uint64_t)(w), (uint64_t)(b));                 \
	} while (0)
	for (unsigned i = 1; i < 32; i++)
		if (want->x[i] != got->x[i])
			DIFF("x%u", i, want->x[i], got->x[i], before->x[i]);
	for (unsigned i = 0; i < 32; i++)
		if (want->f[i] != got->f[i])
			DIFF("f%u", i, want->f[i], got->f[i], before->f[i]);
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		const struct field *f = &fields[i];
		if (field_value(want, f) != field_value(got, f))
			DIFF("%s", f->name, field_value(want, f), field_value(got, f),
			     field_value(before, f));
	}
	for (unsigned i = 0; i < PMP_ENTRIES; i++) {
		if (want->pmpcfg[i] != got->pmpcfg[i])
			DIFF("pmpcfg%u", i, want->pmpcfg[i], got->pmpcfg[i], before->pmpcfg[i]);
		if (want->pmpaddr[i] != got->pmpaddr[i])
			DIFF("pmpaddr%u", i, want->pmpaddr[i], got->pmpaddr[i], before->pmpaddr[i]);
	}
#undef DIFF
	return diffs;
}

/* Every byte the shadow stored must be in guest memory now. */
static unsigned compare_memory(FILE *out, struct machine *m, const struct shadow_log *l)
{
	unsigned diffs = 0;
	for (unsigned i = 0; i < l->n && diffs < 16; i++) {
		const struct shadow_store *s = &l->s[i];
		uint8_t want[8], got[8];
		memcpy(want, &s->data, 8);
		shadow_overlay(l, s->pa, want, s->size); /* a later store may cover it */
		const uint8_t *host = machine_host_ptr(m, s->pa, s->size, false);
		if (!host)
			continue;
		memcpy(got, host, s->size);
		if (memcmp(want, got, s->size)) {
			uint64_t w = 0, g = 0;
			memcpy(&w, want, s->size);
			memcpy(&g, got, s->size);
			if (out)
				fprintf(out,
					"  memory %#" PRIx64 " (%u bytes): translated %#" PRIx64
					", interpreter %#" PRIx64 "\n",
					s->pa, s->size, g, w);
			diffs++;
		}
	}
	return diffs;
}

/* A block whose result depends on the host clock cannot run twice alike. */
static bool reads_time(const struct block *b)
{
	for (uint32_t i = 0; i < b->n_ops; i++) {
		const struct op *op = &b->ops[i];
		const enum insn_format fmt = insn_table[op->id].format;
		if ((fmt == FMT_CSR || fmt == FMT_CSRI) && (op->imm & 0xfff) == CSR_TIME)
			return true;
	}
	return false;
}

/* Did the block end in a jump or branch that retired? Translated code
 * continues from those without the dispatcher (chained, or through the
 * jump cache); any other EXEC_EXIT returns to it. */
static bool left_by_jump(const struct block *b, int r, uint64_t retired)
{
	if (r == EXEC_END)
		return true;
	if (r != EXEC_EXIT || !b->n_ops || retired != b->n_ops)
		return false;
	const struct op *last = &b->ops[b->n_ops - 1];
	return insn_table[last->id].format == FMT_B || last->id == INSN_jal ||
	       last->id == INSN_jalr;
}

/* The block the shadow runs next, or NULL where translated code would need
 * the dispatcher too. real is the hart as the run starts: the shadow's
 * privilege and satp are still its own (changing them ends the shadow's
 * run), so its fetch TLB serves the shadow as the jump cache serves the
 * translated code. */
static const struct block *next_block(struct hart *s, const struct hart *real)
{
	const uint64_t pc = s->pc;
	const struct tlb_entry *e = &real->tlb_fetch[(pc >> 12) & (TLB_ENTRIES - 1)];
	const uint8_t *host;
	if (s->priv == real->priv && s->satp == real->satp && e->tag_x == (pc & ~TLB_PAGE_MASK))
		host = (const uint8_t *)(uintptr_t)(pc + e->addend);
	else if (mmu_fetch(s, pc, &host))
		return NULL; /* a fetch fault: taken by the dispatcher */
	return tb_lookup(s->m, host, pc);
}

/* Steps 1 and 2: the shadow runs up to max blocks from h's state, the first
 * being b. Returns the blocks it completed, n (states 0..n are kept). */
static unsigned shadow_run(struct jit_check *c, const struct hart *h, const struct block *b,
			   unsigned max, enum shadow_stop *why)
{
	struct hart *s = c->shadow;
	copy_state(s, h);
	save_state(c, 0, s);
	c->log.n = 0;
	c->log.overflow = c->log.touched_mmio = false;
	c->log_at[0] = 0;
	unsigned n = 0;
	*why = SHADOW_LIMIT;
	while (n < max) {
		if (n > 0 && !(b = next_block(s, h))) {
			*why = SHADOW_UNREACHABLE;
			break;
		}
		if (reads_time(b)) {
			*why = SHADOW_TIME;
			break;
		}
		/* An AMO that overflows the log runs on entry 0 (core/mmu.c):
		 * keep it to take the block back. */
		const struct shadow_store first = c->log.s[0];
		const uint64_t instret = s->instret;
		const int r = interp_run_block(s, b);
		if (c->log.touched_mmio) {
			*why = SHADOW_DEVICE;
			break;
		}
		if (c->log.overflow) {
			c->log.s[0] = first;
			c->log.n = c->log_at[n];
			*why = SHADOW_LOG_FULL;
			break;
		}
		n++;
		save_state(c, n, s);
		c->block[n] = b;
		c->log_at[n] = c->log.n;
		if (s->wfi || !left_by_jump(b, r, s->instret - instret)) {
			*why = SHADOW_LEFT;
			break;
		}
	}
	return n;
}

/* The run's real state is state k's: the same place at the same count. */
static bool same_place(const struct hart *state, const struct hart *h)
{
	return state->pc == h->pc && state->instret == h->instret && state->priv == h->priv;
}

/* Step 4's R: the blocks the translated code entered, given the budget of
 * `limit` it started with and the `left` it returned with. */
static unsigned blocks_run(const struct jit_check *c, const struct hart *h, unsigned n,
			   unsigned limit, int32_t left)
{
	if (left > 0)
		return limit - (unsigned)left;
	/* All of them, or an interrupt zeroed the budget on the way. */
	if (n < limit || same_place(state(c, limit), h))
		return limit;
	for (unsigned k = limit; k-- > 0;)
		if (same_place(state(c, k), h))
			return k;
	return limit; /* nowhere the reference was: compare with the end */
}

static void print_block(struct jit *j, FILE *out, const struct block *b)
{
	struct jit_check *c = j->check;
	fprintf(out, "--- guest code of the block at %#" PRIx64 "\n", b->va);
	for (uint32_t i = 0; i < b->n_ops; i++) {
		char text[96];
		const struct op *op = &b->ops[i];
		insn_disasm(op, b->va + op->pc_off, text, sizeof(text));
		fprintf(out, "  %016" PRIx64 ": %0*" PRIx32 "  %s\n", b->va + op->pc_off,
			op_len(op) * 2, op->raw, text);
	}
	const void *native = __atomic_load_n(&b->native, __ATOMIC_ACQUIRE);
	const size_t size = native ? code_size_of(c, native) : 0;
	fprintf(out, "--- host code (%zu bytes)\n", size);
	if (size) {
		void *cs = j->capstone ? j->capstone : host_disasm_open();
		host_disasm_print(cs, out, native, size, (uint64_t)(uintptr_t)native);
		if (cs != j->capstone)
			host_disasm_close(cs);
	}
}

static void report(struct jit *j, struct hart *h, unsigned blocks, bool flushed)
{
	struct jit_check *c = j->check;
	FILE *out = stderr;
	const struct block *last = c->block[blocks];
	fprintf(out,
		"rvjit: --check: the translator and the interpreter disagree after %u block%s "
		"from %#" PRIx64 ", the last at %#" PRIx64 " (%u instructions; hart %" PRIu64
		", %" PRIu64 " blocks checked before)\n",
		blocks, blocks == 1 ? "" : "s", state(c, 0)->pc, last->va, last->n_ops, h->mhartid,
		c->checked);
	compare_states(out, state(c, blocks), h, state(c, blocks - 1));
	compare_memory(out, j->m, &c->log);
	fprintf(out, "--- blocks run, in order");
	for (unsigned k = 1; k <= blocks; k++)
		fprintf(out, "%s%#" PRIx64, k % 8 == 1 ? "\n  " : " ", c->block[k]->va);
	fprintf(out, "\n");
	dump_state(out, "before the run", state(c, 0));
	if (blocks > 1)
		dump_state(out, "before the last block", state(c, blocks - 1));
	dump_state(out, "interpreter (reference)", state(c, blocks));
	dump_state(out, "translated", h);
	if (flushed) {
		fprintf(out, "--- (the block cache was flushed during the run: no code shown)\n");
	} else {
		/* Each block once, the last first: it is where the difference
		 * showed, an earlier one may be where it came from. */
		unsigned shown = 0;
		for (unsigned k = blocks; k >= 1 && shown < 8; k--) {
			bool seen = false;
			for (unsigned i = k + 1; i <= blocks && !seen; i++)
				seen = c->block[i] == c->block[k];
			if (!seen) {
				print_block(j, out, c->block[k]);
				shown++;
			}
		}
	}
	fflush(out);
}

int jit_check_block(struct jit *j, struct hart *h, struct block *b,
		    int (*enter)(struct hart *h, void *code))
{
	struct jit_check *c = j->check;
	struct machine *m = h->m;
	/* Flags the translated code left in MXCSR belong to h before the copy. */
	if (m->sync_fflags)
		m->sync_fflags(h);
	const int32_t quantum = __atomic_load_n(&h->budget, __ATOMIC_RELAXED);
	const unsigned max = quantum < 1		  ? 1
			     : quantum < CHECK_MAX_BLOCKS ? (unsigned)quantum
							  : CHECK_MAX_BLOCKS;
	enum shadow_stop stop;
	const unsigned n = shadow_run(c, h, b, max, &stop);
	host_fp_flags_clear();

	/* Step 3: no further than the reference went (one block when it went
	 * nowhere: that run is not compared). */
	const unsigned limit = n ? n : 1;
	const uint64_t flushes = tb_flush_count(m);
	__atomic_store_n(&h->budget, (int32_t)limit, __ATOMIC_RELAXED);
	const int why = enter(h, b->native);
	const int32_t left = __atomic_load_n(&h->budget, __ATOMIC_RELAXED);
	if (m->sync_fflags)
		m->sync_fflags(h);
	const unsigned blocks = blocks_run(c, h, n, limit, left);
	/* The dispatcher's quantum: the blocks this run took. */
	__atomic_store_n(&h->budget, quantum - (int32_t)blocks, __ATOMIC_RELAXED);

	if (blocks == 0 || blocks > n) {
		/* The entry check sent control back before the block ran (an
		 * interrupt became pending in between), or the shadow could
		 * not run the first block. */
		if (blocks && stop == SHADOW_DEVICE)
			c->skipped_device++;
		else
			c->skipped_other++;
		return why;
	}
	c->runs++;
	c->checked += blocks;
	c->chained += blocks - 1;
	if (c->selftest && !c->selftest_done && c->checked >= 100) {
		h->x[5] ^= 1; /* --check-selftest: a wrong result that must be caught */
		c->selftest_done = true;
	}
	c->log.n = c->log_at[blocks]; /* the stores of the blocks that ran */
	unsigned diffs = compare_states(NULL, state(c, blocks), h, state(c, blocks - 1));
	diffs += compare_memory(NULL, m, &c->log);
	if (diffs) {
		report(j, h, blocks, tb_flush_count(m) != flushes);
		machine_request_stop(m, STOP_FATAL, 1);
	}
	return why;
}
