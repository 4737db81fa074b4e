/*
 * The lockstep check (--check): the interpreter, the reference semantics,
 * runs every block beside the translator and the two results must agree.
 *
 * For each block the dispatcher is about to enter (chaining and the
 * indirect-jump lookup are off, so every block comes back to it):
 *   1. copy the hart's architectural state into a shadow hart;
 *   2. run the block's decoded ops on the shadow in the interpreter, with
 *      its stores going to a write log instead of guest memory
 *      (core/shadow.h explains the hook in core/mmu.c);
 *   3. run the translated code on the real hart;
 *   4. compare every architectural field, and every byte the shadow stored
 *      against guest memory as the translated code left it.
 * A block whose shadow run reached a device is not compared: device
 * accesses have side effects, so the shadow never performs them, and the
 * real run alone counts. So are blocks that read `time` (the host clock
 * moves between the runs). `mip` is not compared: devices change it.
 *
 * On the first difference the machine stops (STOP_FATAL, exit status 1)
 * after printing the differing fields, both full states, the guest code of
 * the block and its host code on stderr.
 */
#include "check.h"
#include "core/insn.h"
#include "core/mmu.h"
#include "core/shadow.h"
#include <inttypes.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

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
};

struct code_size {
	const void *native;
	size_t size;
};

struct jit_check {
	struct hart *shadow; /* the interpreter's copy */
	struct hart *before; /* the state the block started from (dumps) */
	struct shadow_log log;
	bool selftest; /* --check-selftest: corrupt x5 once, to be caught */
	uint64_t checked, skipped_device, skipped_other;
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
	c->before = calloc(1, sizeof(struct hart));
	if (!c->shadow || !c->before) {
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
	free(c->before);
	free(c->sizes);
	free(c);
}

void jit_check_summary(const struct jit_check *c, FILE *out)
{
	fprintf(out,
		"rvjit: --check: %" PRIu64 " blocks checked, %" PRIu64
		" not compared (device access), %" PRIu64
		" not compared (time, interrupt at entry, log full)\n",
		c->checked, c->skipped_device, c->skipped_other);
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

/* Copy the architectural state (everything before the TLB) and point the
 * TLB selectors at the copy's own TLB. */
static void copy_state(struct hart *to, const struct hart *from)
{
	memcpy(to, from, offsetof(struct hart, tlb));
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
				" (before the block: %#" PRIx64 ")\n",                             \
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
		if ((fmt == FMT_CSR || fmt == FMT_CSRI) && (op->imm & 0xfff) == 0xc01)
			return true;
	}
	return false;
}

static void clear_host_fp_flags(void)
{
	uint32_t csr;
	__asm__ volatile("stmxcsr %0" : "=m"(csr));
	csr &= ~0x3fu;
	__asm__ volatile("ldmxcsr %0" : : "m"(csr));
}

static void report(struct jit *j, struct hart *h, const struct block *b)
{
	struct jit_check *c = j->check;
	FILE *out = stderr;
	fprintf(out,
		"rvjit: --check: the translator and the interpreter disagree after the block at "
		"%#" PRIx64 " (%u instructions, hart %" PRIu64 ", block %" PRIu64 " checked)\n",
		c->before->pc, b->n_ops, h->mhartid, c->checked);
	compare_states(out, c->shadow, h, c->before);
	compare_memory(out, j->m, &c->log);
	dump_state(out, "before the block", c->before);
	dump_state(out, "interpreter (reference)", c->shadow);
	dump_state(out, "translated", h);
	fprintf(out, "--- guest code\n");
	for (uint32_t i = 0; i < b->n_ops; i++) {
		char text[96];
		const struct op *op = &b->ops[i];
		insn_disasm(op, b->va + op->pc_off, text, sizeof(text));
		fprintf(out, "  %016" PRIx64 ": %0*" PRIx32 "  %s\n", b->va + op->pc_off,
			op->len * 2, op->raw, text);
	}
	const size_t size = code_size_of(c, b->native);
	fprintf(out, "--- host code (%zu bytes)\n", size);
	if (size) {
		void *cs = j->capstone ? j->capstone : host_disasm_open();
		host_disasm_print(cs, out, b->native, size, (uint64_t)(uintptr_t)b->native);
		if (cs != j->capstone)
			host_disasm_close(cs);
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
	copy_state(c->before, h);
	copy_state(c->shadow, h);
	c->log.n = 0;
	c->log.overflow = c->log.touched_mmio = false;
	interp_run_block(c->shadow, b);
	clear_host_fp_flags();

	const int why = enter(h, b->native);
	if (m->sync_fflags)
		m->sync_fflags(h);

	if (c->log.touched_mmio) {
		c->skipped_device++;
		return why;
	}
	if (c->log.overflow || reads_time(b) ||
	    (h->pc == c->before->pc && h->instret == c->before->instret &&
	     h->priv == c->before->priv)) {
		/* The last case: the entry check sent control back before the
		 * block ran (an interrupt became pending in between). */
		c->skipped_other++;
		return why;
	}
	c->checked++;
	if (c->selftest && c->checked == 100)
		h->x[5] ^= 1; /* --check-selftest: a wrong result that must be caught */
	unsigned diffs = compare_states(NULL, c->shadow, h, c->before);
	diffs += compare_memory(NULL, m, &c->log);
	if (diffs) {
		report(j, h, b);
		machine_request_stop(m, STOP_FATAL, 1);
	}
	return why;
}
