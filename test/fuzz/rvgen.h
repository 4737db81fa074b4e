/*
 * The translator fuzzer's program generator and runner.
 *
 * A program is a list of items, each a few instructions (RV64GC, the
 * bit-manipulation extensions, Zcb, Zimop and Zcmop: the machines run -cpu
 * max) that belong together (an AMO and the address it needs, a
 * self-modifying store and its fence.i, the end of a loop, a function
 * body). Machine code is written
 * straight into a machine's RAM, no cross compiler involved, and run twice:
 * once translated (jit_attach) and once interpreted. The final states must
 * be identical.
 *   rvgen.c         choices, instruction and item generators
 *   rvgen_layout.c  items -> machine code (branch targets), reproducer lines
 *   rvgen_run.c     running both engines, comparing, minimising
 *
 * Control flow. Branches and jumps go forward, except three shapes that
 * still always end:
 *  - loops: an item sets a counter register, body items follow (generated
 *    so that none writes the counter), and a FIX_BACK item decrements it,
 *    masks it to 7 bits and branches back while it is not zero: at most 128
 *    iterations whatever the counter held on entry. Polling loops are loops
 *    whose body only loads from the base registers and computes, the shape
 *    the translator treats as waiting for memory (jit/translate.c
 *    polls_memory);
 *  - calls: a FIX_FUNC item jumps over its own body, which ends in a return
 *    through a link register the body does not write; FIX_CALL items call
 *    it (jal, or auipc + jalr) from before or after it;
 *  - with several harts, FIX_SYNC items end a phase (below).
 *
 * Several harts. Each hart runs its own items from its own code area, all
 * on the same scratch data. Both engines run the harts round-robin, one
 * quantum each, and the program fixes the quantum (rvgen_program.quantum,
 * machine.h quantum_blocks): both engines then switch harts after the
 * same blocks, so they interleave the harts identically and everything is
 * compared, instret and the counters included. Nothing in a program
 * raises an interrupt, which could end a quantum early. Two kinds:
 *  - racing programs (race): the harts run at once, in S-mode (traps go
 *    to the M-mode handler, where the quantum's M-mode grace applies),
 *    and race on a few shared words (x28 + 0..63): plain loads and
 *    stores, AMOs, LR/SC pairs and read-modify-writes of loads and
 *    stores. A round-robin schedule switches harts only between blocks,
 *    so an LR/SC pair or a read-modify-write is often split over two
 *    blocks (a jump to the next instruction ends the first): the quantum
 *    can end in between and another hart's store land there;
 *  - phased programs: a ticket in memory (TURN) says whose phase it is,
 *    and a hart waits for its next ticket in a polling loop. Phases never
 *    overlap, so every phase computes the same thing whatever the
 *    schedule; only the number of times a waiting hart polls depends on
 *    it. The wait loops are written so their final state does not depend
 *    on that number (each iteration recomputes the same values): they
 *    come from the time the engines' quanta differed, and old reproducer
 *    lines (no quantum: each engine's own) still rely on it, without
 *    comparing instret. With a quantum they add hand-overs through memory
 *    and, threaded, polling loops that call hart_spin_wait.
 *
 * Guest memory (RAM at 0x80000000):
 *   0x80000000  trap handler (mtvec): appends mcause, mepc, mtval to the
 *               record area at x30 (until it is full) and resumes after
 *               the faulting instruction (2 or 4 bytes, from its low bits)
 *   0x80001000  hart 0's program, then its end: a store of 0x5555 to the
 *               test finisher (one hart), or the last hand-over and wfi
 *               (several: the run ends when every hart is in wfi)
 *   0x80010000  scratch data, 16 KiB of random bytes and special FP values;
 *               x2 = 0x80011000, x28 = 0x80012000 (a page boundary, so
 *               imm(x28) crosses pages), x8 = 0x80013000
 *   0x80018000  TURN (the ticket now served), then each hart's next ticket
 *   0x80020000  trap records of hart h at + h * 0x10000 (32 KiB each)
 *   0x80070000  the programs of harts 1-3, 0x10000 apart
 * x2, x8, x28 (bases) and x29-x31 (handler) are never written by the
 * program; the handler also writes x29 and x31.
 */
#ifndef RVGEN_H
#define RVGEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define RVGEN_MAX_ITEMS	 160 /* of all harts together */
#define RVGEN_ITEM_WORDS 24
#define RVGEN_MAX_HARTS	 4

/* Where choices come from: libFuzzer's bytes, or a seeded generator. */
struct rvgen_rng {
	const uint8_t *data;
	size_t len, pos;
	uint64_t state; /* used when data is NULL */
	/* Constraints on the item being generated: registers it must not
	 * write (a loop's counter, a function's link register). */
	uint32_t keep;
	/* Registers most choices come from when not 0 (a loop body's working
	 * set: the translator caches registers a block uses twice or more). */
	uint32_t prefer;
	/* Generate for an outside machine (rvgen_program.oracle); in user
	 * mode as well: one hart, and no ecall (a system call there). */
	bool oracle, user;
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
	FIX_BACK, /* last word: a B-type branch back to item[i + to] (to <= 0) */
	FIX_FUNC, /* first word: jal x0 over the rest, a function body */
	FIX_CALL, /* last word (jal rd), or the last two (auipc rt; jalr rd,
		     rt): a call of item[i + to]'s body, a FIX_FUNC item */
	FIX_SYNC, /* first two words: auipc, addi of TURN's address */
};

struct rvgen_item {
	uint8_t n;		       /* instructions */
	uint8_t len[RVGEN_ITEM_WORDS]; /* 2 or 4 bytes each */
	uint32_t word[RVGEN_ITEM_WORDS];
	uint8_t fix;  /* enum rvgen_fix */
	uint8_t skip; /* items jumped over */
	int16_t to;   /* FIX_BACK, FIX_CALL: the target item, relative */
	uint8_t hart; /* whose program it is in: harts' items come in order */
};

/* A hart's initial state. */
struct rvgen_hart_state {
	uint64_t x[32];
	uint64_t f[32];
	uint8_t frm;
	bool fs_off; /* start with mstatus.FS = Off: FP traps */
};

struct rvgen_program {
	uint64_t state_seed; /* the initial state below comes from it */
	struct rvgen_hart_state hart[RVGEN_MAX_HARTS];
	uint32_t data_seed; /* scratch memory contents */
	unsigned nharts;
	/* The machine is marked threaded while the translated run's driver
	 * still runs its harts in turn: the translator emits the code it
	 * emits for a thread per hart (polling loops call hart_spin_wait). */
	bool threaded;
	/* Blocks per quantum in both engines (several harts); 0: each
	 * engine's own, and instret is not compared (old reproducers). */
	unsigned quantum;
	bool race; /* several harts racing in S-mode, no tickets (above) */
	/* For an outside machine as well (oracle_qemu.c): no racing harts;
	 * counters only compared with themselves; items that raise
	 * interrupts and read device registers; and the end jumps to the
	 * oracle harness's dump instead of stopping the machine. Such a
	 * program needs the harness and QEMU virt's devices, so rvgen_check
	 * cannot run it. */
	bool oracle;
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
/* The same with another judge of "still diverges" (the outside oracle). */
void rvgen_minimise_by(struct rvgen_program *p,
		       bool (*diverges)(const struct rvgen_program *, void *), void *ctx);

/* One line that replays p: "SEED [threaded] [quantum=N] [race] [oracle] HEX...", the items' words
 * in hex with ',' between the words of one item, ' ' between items and " | " between harts. */
void rvgen_print(FILE *out, const struct rvgen_program *p);
/* Parse such a line; false on a malformed one. */
bool rvgen_parse(const char *line, struct rvgen_program *p);

/* --- Shared by the generator's files ------------------------------------ */

#define RVGEN_RAM_BASE	   0x80000000ULL
#define RVGEN_RAM_SIZE	   (1u << 20)
#define RVGEN_HANDLER_PA   RVGEN_RAM_BASE
#define RVGEN_SCRATCH_PA   (RVGEN_RAM_BASE + 0x10000)
#define RVGEN_SCRATCH_SIZE 0x4000
#define RVGEN_TURN_PA	   (RVGEN_RAM_BASE + 0x18000)
#define RVGEN_TICKET_OFF   64 /* hart h's next ticket: TURN + 64 + 8 h */
#define RVGEN_RECORD_PA(h) (RVGEN_RAM_BASE + 0x20000 + 0x10000 * (uint64_t)(h))
/* The handler stops recording once x30 has bit 15 set (the area is full). */
#define RVGEN_RECORD_SIZE 0x8000
/* What the handler may write: up to a record past the area's end. */
#define RVGEN_RECORDS_SIZE (RVGEN_RECORD_SIZE + 64)
#define RVGEN_CODE_PA(h)                                                                           \
	((h) ? RVGEN_RAM_BASE + 0x60000 + 0x10000 * (uint64_t)(h) : RVGEN_RAM_BASE + 0x1000)
#define RVGEN_CODE_MAX 0x4000 /* bytes of one hart's program and its end */

/* Write hart h's code at `code` (the host address of RVGEN_CODE_PA(h)):
 * its items with their branches resolved (copied to `resolved` when not
 * NULL, indexed like p->item) and its end. Returns the bytes written. */
size_t rvgen_layout(const struct rvgen_program *p, unsigned h, uint8_t *code,
		    struct rvgen_item *resolved);

/* The program's memory as it starts (`ram` is the host address of
 * RVGEN_RAM_BASE): the scratch data, each hart's code and first ticket. */
void rvgen_initial_memory(const struct rvgen_program *p, uint8_t *ram);

/* Hart h's integer registers as it starts: its generated values, with the
 * bases and the trap record pointer set. */
void rvgen_initial_x(const struct rvgen_program *p, unsigned h, uint64_t x[32]);

/* The memory a program can change, as (pa, size) regions: the shared
 * areas, then each hart's code (self-modifying stores) and trap records
 * (the handler writes up to a record past the area's end). Returns the
 * count, at most RVGEN_MAX_REGIONS. */
#define RVGEN_MAX_REGIONS (2 + 2 * RVGEN_MAX_HARTS)
struct rvgen_region {
	uint64_t pa;
	size_t size;
};
unsigned rvgen_regions(unsigned nharts, struct rvgen_region *r);

/* Where hart h's items are in p->item: [*first, *end). */
void rvgen_hart_items(const struct rvgen_program *p, unsigned h, unsigned *first, unsigned *end);

/* A random value with special meanings half the time (scratch memory). */
uint64_t rvgen_data_value(struct rvgen_rng *r);

#endif
