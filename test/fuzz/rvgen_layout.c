/*
 * From items to machine code: where each item lands, the branch targets
 * the items name by item (rvgen.h, enum rvgen_fix), each hart's prologue
 * and end; and the reproducer lines that replay a program.
 */
#include "oracle_layout.h"
#include "rvgen.h"
#include "rvgen_encode.h"
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

static unsigned item_bytes(const struct rvgen_item *it)
{
	unsigned n = 0;
	for (unsigned k = 0; k < it->n; k++)
		n += it->len[k];
	return n;
}

void rvgen_hart_items(const struct rvgen_program *p, unsigned h, unsigned *first, unsigned *end)
{
	unsigned i = 0;
	while (i < p->n && p->item[i].hart < h)
		i++;
	*first = i;
	while (i < p->n && p->item[i].hart == h)
		i++;
	*end = i;
}

/* With several harts taking turns: wait for ticket h (x31 = &TURN, x29 =
 * TURN - h). Racing harts start at once. */
static size_t prologue(unsigned h, uint64_t pc, uint32_t *w)
{
	const int32_t turn = (int32_t)(RVGEN_TURN_PA - pc);
	w[0] = enc_u(0x17, 31, hi20(turn));	    /* auipc x31 */
	w[1] = enc_i(0x13, 0, 31, 31, lo12(turn));  /* addi x31 */
	w[2] = enc_i(0x03, 2, 29, 31, 0);	    /* 1: lw x29, TURN */
	w[3] = enc_i(0x13, 0, 29, 29, -(int32_t)h); /* addi x29, x29, -h */
	w[4] = enc_b(1, 29, 0, -8);		    /* bnez x29, 1b */
	return 5;
}

/* One hart: tell the test finisher we are done, then wait. Several: hand
 * TURN on and stop in wfi (the run ends when every hart is in wfi). For
 * an outside machine, the end is the oracle harness's dump instead of
 * the finisher or wfi (x29 and x31 are free there too). */
static size_t epilogue(unsigned nharts, bool oracle, uint64_t pc, uint32_t *w)
{
	if (oracle) {
		size_t n = 0;
		if (nharts > 1) {
			n = epilogue(nharts, false, pc, w) - 2; /* without wfi; j */
			pc += 4 * n;
		}
		const int32_t dump = (int32_t)(ORACLE_DUMP_PA - pc);
		w[n] = enc_u(0x17, 31, hi20(dump));	      /* auipc x31 */
		w[n + 1] = enc_i(0x67, 0, 0, 31, lo12(dump)); /* jr x31 */
		return n + 2;
	}
	if (nharts <= 1) {
		w[0] = 0x00100fb7; /* lui x31, 0x100 */
		w[1] = 0x00005eb7; /* lui x29, 5 */
		w[2] = 0x555e8e9b; /* addiw x29, x29, 0x555 */
		w[3] = 0x01dfa023; /* sw x29, 0(x31) */
		w[4] = 0x0000006f; /* j . */
		return 5;
	}
	const int32_t turn = (int32_t)(RVGEN_TURN_PA - pc);
	w[0] = 0x0ff0000f;			       /* fence */
	w[1] = enc_u(0x17, 31, hi20(turn - 4));	       /* auipc x31 */
	w[2] = enc_i(0x13, 0, 31, 31, lo12(turn - 4)); /* addi x31 */
	w[3] = enc_i(0x03, 2, 29, 31, 0);	       /* lw x29, TURN */
	w[4] = enc_i(0x13, 0, 29, 29, 1);	       /* addi x29, x29, 1 */
	w[5] = enc_s(0x23, 2, 31, 29, 0);	       /* sw x29, TURN */
	w[6] = 0x10500073;			       /* 1: wfi */
	w[7] = enc_j(0, -4);			       /* j 1b */
	return 8;
}

/* The item a forward transfer of item i lands on: skip items on, but not
 * past the hart's next phase end (a skipped hand-over would hang). */
static unsigned forward_target(const struct rvgen_program *p, unsigned i, unsigned end)
{
	unsigned t = i + 1 + p->item[i].skip;
	for (unsigned k = i + 1; k < t && k < end; k++)
		if (p->item[k].fix == FIX_SYNC)
			return k;
	return t < end ? t : end;
}

size_t rvgen_layout(const struct rvgen_program *p, unsigned h, uint8_t *code,
		    struct rvgen_item *resolved)
{
	const uint64_t base = RVGEN_CODE_PA(h);
	unsigned first, end;
	rvgen_hart_items(p, h, &first, &end);
	uint32_t w[8];
	size_t pos = 0;
	if (p->nharts > 1 && !p->race) {
		const size_t n = prologue(h, base, w);
		memcpy(code, w, 4 * n);
		pos = 4 * n;
	}
	uint32_t start[RVGEN_MAX_ITEMS + 1];
	uint32_t at = (uint32_t)pos;
	for (unsigned i = first; i < end; i++) {
		start[i] = at;
		at += item_bytes(&p->item[i]);
	}
	start[end] = at;
	for (unsigned i = first; i < end; i++) {
		struct rvgen_item it = p->item[i];
		if (!it.n) {
			if (resolved)
				resolved[i] = it;
			continue;
		}
		const unsigned last = it.n - 1;
		const uint32_t last_at = start[i] + item_bytes(&it) - it.len[last];
		const unsigned t = forward_target(p, i, end);
		const int32_t from_last = (int32_t)(start[t] - last_at);
		switch (it.fix) {
		case FIX_B:
			it.word[last] = enc_b((it.word[last] >> 12) & 7, (it.word[last] >> 15) & 31,
					      (it.word[last] >> 20) & 31, from_last);
			break;
		case FIX_JAL:
			it.word[last] = enc_j((it.word[last] >> 7) & 31, from_last);
			break;
		case FIX_JALR:
			it.word[1] =
			    (it.word[1] & 0xfffff) | ((uint32_t)(start[t] - start[i]) << 20);
			break;
		case FIX_CB: {
			/* c.beqz reaches 256 bytes: the farthest item it can. */
			unsigned c = t;
			while (c > i + 1 && start[c] - last_at > 254)
				c--;
			it.word[last] =
			    enc_cb((it.word[last] >> 13) == 7, 8 + ((it.word[last] >> 7) & 7),
				   (int32_t)(start[c] - last_at));
			break;
		}
		case FIX_CJ:
			it.word[last] = enc_cj(from_last);
			break;
		case FIX_BACK: {
			const unsigned to = (unsigned)((int)i + it.to);
			it.word[last] =
			    enc_b((it.word[last] >> 12) & 7, (it.word[last] >> 15) & 31,
				  (it.word[last] >> 20) & 31, (int32_t)(start[to] - last_at));
			break;
		}
		case FIX_FUNC:
			it.word[0] = enc_j(0, (int32_t)item_bytes(&it));
			break;
		case FIX_CALL: {
			const unsigned f = (unsigned)((int)i + it.to);
			const uint32_t body = start[f] + p->item[f].len[0];
			if ((it.word[last] & 0x7f) == 0x6f) {
				it.word[last] =
				    enc_j((it.word[last] >> 7) & 31, (int32_t)(body - last_at));
			} else { /* auipc rt; jalr link, rt */
				const int32_t off = (int32_t)(body - (last_at - 4));
				it.word[last - 1] = (it.word[last - 1] & 0xfff) | hi20(off) << 12;
				it.word[last] = (it.word[last] & 0xfffff) | (uint32_t)lo12(off)
										<< 20;
			}
			break;
		}
		case FIX_SYNC: {
			const int32_t turn = (int32_t)(RVGEN_TURN_PA - (base + start[i]));
			it.word[0] = enc_u(0x17, 31, hi20(turn));
			it.word[1] = enc_i(0x13, 0, 31, 31, lo12(turn));
			break;
		}
		}
		it.fix = FIX_NONE;
		if (resolved)
			resolved[i] = it;
		for (unsigned k = 0; k < it.n; k++) {
			memcpy(code + pos, &it.word[k], it.len[k]);
			pos += it.len[k];
		}
	}
	const size_t n = epilogue(p->nharts, p->oracle, base + pos, w);
	memcpy(code + pos, w, 4 * n);
	return pos + 4 * n;
}

void rvgen_initial_memory(const struct rvgen_program *p, uint8_t *ram)
{
	uint8_t *scratch = ram + (RVGEN_SCRATCH_PA - RVGEN_RAM_BASE);
	struct rvgen_rng r;
	rvgen_rng_seed(&r, p->data_seed);
	for (unsigned i = 0; i < RVGEN_SCRATCH_SIZE; i += 8) {
		const uint64_t v = rvgen_data_value(&r);
		memcpy(scratch + i, &v, 8);
	}
	for (unsigned h = 0; h < (p->nharts ? p->nharts : 1); h++) {
		rvgen_layout(p, h, ram + (RVGEN_CODE_PA(h) - RVGEN_RAM_BASE), NULL);
		const uint64_t ticket = h;
		memcpy(ram + (RVGEN_TURN_PA - RVGEN_RAM_BASE) + RVGEN_TICKET_OFF + 8 * h, &ticket,
		       8);
	}
}

void rvgen_initial_x(const struct rvgen_program *p, unsigned h, uint64_t x[32])
{
	memcpy(x, p->hart[h].x, 32 * sizeof(x[0]));
	x[0] = 0;
	x[2] = RVGEN_SCRATCH_PA + 0x1000;
	x[8] = RVGEN_SCRATCH_PA + 0x3000;
	x[28] = RVGEN_SCRATCH_PA + 0x2000;
	x[30] = RVGEN_RECORD_PA(h);
}

unsigned rvgen_regions(unsigned nharts, struct rvgen_region *r)
{
	unsigned n = 0;
	r[n++] = (struct rvgen_region){RVGEN_SCRATCH_PA, RVGEN_SCRATCH_SIZE};
	r[n++] = (struct rvgen_region){RVGEN_TURN_PA, 0x1000};
	for (unsigned h = 0; h < nharts; h++) {
		r[n++] = (struct rvgen_region){RVGEN_CODE_PA(h), RVGEN_CODE_MAX};
		r[n++] = (struct rvgen_region){RVGEN_RECORD_PA(h), RVGEN_RECORDS_SIZE};
	}
	return n;
}

void rvgen_print(FILE *out, const struct rvgen_program *p)
{
	static __thread uint8_t code[RVGEN_CODE_MAX];
	static __thread struct rvgen_item items[RVGEN_MAX_ITEMS];
	fprintf(out, "%" PRIu64 "%s", p->state_seed, p->threaded ? " threaded" : "");
	if (p->quantum)
		fprintf(out, " quantum=%u", p->quantum);
	if (p->race)
		fputs(" race", out);
	if (p->oracle)
		fputs(" oracle", out);
	for (unsigned h = 0; h < (p->nharts ? p->nharts : 1); h++) {
		unsigned first, end;
		rvgen_hart_items(p, h, &first, &end);
		rvgen_layout(p, h, code, items);
		if (h)
			fputs(" |", out);
		for (unsigned i = first; i < end; i++) {
			fputc(' ', out);
			for (unsigned k = 0; k < items[i].n; k++)
				fprintf(out, k ? ",%0*" PRIx32 : "%0*" PRIx32, items[i].len[k] * 2,
					items[i].word[k]);
		}
	}
	fputc('\n', out);
}

bool rvgen_parse(const char *line, struct rvgen_program *p)
{
	char *end;
	memset(p, 0, sizeof(*p));
	const uint64_t seed = strtoull(line, &end, 10);
	if (end == line)
		return false;
	rvgen_initial_state(seed, p);
	p->nharts = 1;
	const char *s = end;
	for (;;) {
		while (*s == ' ' || *s == '\t')
			s++;
		if (!*s || *s == '\n' || *s == '#')
			return true;
		if (!strncmp(s, "threaded", 8)) {
			p->threaded = true;
			s += 8;
			continue;
		}
		if (!strncmp(s, "quantum=", 8)) {
			const unsigned long q = strtoul(s + 8, &end, 10);
			if (end == s + 8 || !q || q > INT32_MAX)
				return false;
			p->quantum = (unsigned)q;
			s = end;
			continue;
		}
		if (!strncmp(s, "race", 4)) {
			p->race = true;
			s += 4;
			continue;
		}
		if (!strncmp(s, "oracle", 6)) {
			p->oracle = true;
			s += 6;
			continue;
		}
		if (*s == '|') {
			if (p->nharts == RVGEN_MAX_HARTS)
				return false;
			p->nharts++;
			s++;
			continue;
		}
		if (p->n == RVGEN_MAX_ITEMS)
			return false;
		struct rvgen_item *it = &p->item[p->n++];
		it->hart = (uint8_t)(p->nharts - 1);
		for (;;) {
			const char *w = s;
			const unsigned long v = strtoul(w, &end, 16);
			const size_t digits = (size_t)(end - w);
			if ((digits != 4 && digits != 8) || it->n == RVGEN_ITEM_WORDS)
				return false;
			it->word[it->n] = (uint32_t)v;
			it->len[it->n] = (uint8_t)(digits / 2);
			it->n++;
			s = end;
			if (*s != ',')
				break;
			s++;
		}
	}
}
