/*
 * The translator fuzzer's program generator and runner (test/fuzz/rvgen.c).
 *
 * A program is a list of items, each one to six RV64GC instructions that
 * belong together (an AMO and the address it needs, a self-modifying store
 * and its fence.i). Machine code is written straight into a machine's RAM,
 * no cross compiler involved, and run twice: once translated (jit_attach)
 * and once interpreted. The final states must be identical.
 *
 * Guest memory (RAM at 0x80000000):
 *   0x80000000  trap handler (mtvec): appends mcause, mepc, mtval to the
 *               record area at x30 and resumes after the faulting
 *               instruction (2 or 4 bytes, from its low bits)
 *   0x80001000  the program; then a store of 0x5555 to the test finisher
 *   0x80010000  scratch data, 16 KiB of random bytes and special FP values;
 *               x2 = 0x80011000, x28 = 0x80012000 (a page boundary, so
 *               imm(x28) crosses pages), x8 = 0x80013000
 *   0x80020000  trap records (x30)
 * x2, x8, x28 (bases) and x29-x31 (handler) are never written by the
 * program. Branches and jumps only go forward, so every program ends.
 */
#ifndef RVGEN_H
#define RVGEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define RVGEN_MAX_ITEMS	 160
#define RVGEN_ITEM_WORDS 6

/* Where choices come from: libFuzzer's bytes, or a seeded generator. */
struct rvgen_rng {
	const uint8_t *data;
	size_t len, pos;
	uint64_t state; /* used when data is NULL */
};
void rvgen_rng_seed(struct rvgen_rng *r, uint64_t seed);
void rvgen_rng_bytes(struct rvgen_rng *r, const uint8_t *data, size_t len);

enum rvgen_fix {
	FIX_NONE,
	FIX_B,	  /* last word: a B-type branch to item[i + 1 + skip] */
	FIX_JAL,  /* last word: jal rd */
	FIX_JALR, /* words: auipc rt, 0; jalr rd, off(rt) */
	FIX_CB,	  /* last halfword: c.beqz / c.bnez */
	FIX_CJ,	  /* last halfword: c.j */
};

struct rvgen_item {
	uint8_t n;		       /* instructions */
	uint8_t len[RVGEN_ITEM_WORDS]; /* 2 or 4 bytes each */
	uint32_t word[RVGEN_ITEM_WORDS];
	uint8_t fix;  /* enum rvgen_fix */
	uint8_t skip; /* items jumped over */
};

struct rvgen_program {
	uint64_t state_seed; /* the initial state below comes from it */
	uint64_t x[32];
	uint64_t f[32];
	uint8_t frm;
	bool fs_off;	    /* start with mstatus.FS = Off: FP traps */
	uint32_t data_seed; /* scratch memory contents */
	unsigned n;
	struct rvgen_item item[RVGEN_MAX_ITEMS];
};

/* A random program of up to max_items items. */
void rvgen_generate(struct rvgen_rng *r, struct rvgen_program *p, unsigned max_items);

/* Only the initial state, from a seed (regression replays). */
void rvgen_initial_state(uint64_t seed, struct rvgen_program *p);

/* Run the translated program in a child process (default true), so a host
 * crash is reported and minimised; libFuzzer turns it off to see the
 * translator's coverage and catches crashes itself. */
extern bool rvgen_fork_translated;

/* Run p translated and interpreted; true when the final states agree.
 * When they differ and `out` is not NULL, the differences are printed. */
bool rvgen_check(const struct rvgen_program *p, FILE *out);

/* Remove items while the divergence stays (delta debugging). */
void rvgen_minimise(struct rvgen_program *p);

/* One line that replays p: "SEED HEX..." (items' bytes, '.' between items). */
void rvgen_print(FILE *out, uint64_t seed, const struct rvgen_program *p);
/* Parse such a line; false on a malformed one. */
bool rvgen_parse(const char *line, struct rvgen_program *p);

#endif
