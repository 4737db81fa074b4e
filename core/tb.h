/*
 * Decoded blocks ("translation blocks" for the interpreter): straight-line
 * guest code decoded once into ops, found again by the host address of its
 * first byte. The host address stands for the physical address (RAM and ROM
 * are host mappings), so a block is shared by every virtual alias of its
 * code and survives satp changes.
 *
 * A block ends at a control transfer, a system or CSR instruction, the end
 * of a page, BLOCK_MAX_OPS, or before a debugger breakpoint (machine.h). Its ops array ends with
 * one extra op that sets h->pc to the next instruction and returns EXEC_END.
 *
 * Invalidation: each RAM page that blocks were decoded from is flagged
 * PAGE_CODE and loses its TLB write entries; the first store to it lands in
 * the slow path, which calls tb_invalidate_page(); devices that write RAM
 * report it through machine_ram_written(), which does the same. The
 * storage of dead blocks is reclaimed when the arena fills and the whole
 * cache is flushed.
 */
#ifndef RVJIT_TB_H
#define RVJIT_TB_H

#include "op.h"
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct hart;
struct machine;

#define BLOCK_MAX_OPS 64

struct block {
	const uint8_t *host;	 /* host address of the first instruction byte */
	uint64_t va;		 /* the virtual pc it was decoded for: blocks are
				    keyed by (host, va), so translated code may
				    treat pc-relative values as constants */
	void *native;		 /* the engine's entry point for it (translated code),
				    NULL until it has one. Here rather than behind an
				    engine pointer: the dispatcher reads it for every
				    block without a lock, and tb.c tells the engine of
				    an invalidation only when it is set. An engine
				    keeps its other per-block state behind it. */
	struct block *hash_next; /* bucket chain */
	struct block *page_next; /* blocks decoded from the same RAM page */
	uint32_t n_ops;		 /* instructions, not counting the end op */
	bool valid;
	bool chainable;	       /* ends in a branch, a jump or the end op: the next
				  block runs in the same privilege and mapping */
	bool breakpoint;       /* starts at a debugger breakpoint: no ops, never
				  run or translated; the dispatcher stops there
				  (core/debug.c) */
	struct block *succ[2]; /* blocks that followed this one on the same page
				  (the interpreter's chaining) */
	struct op ops[];
};

/* A block for an instruction that straddles two pages: built per execution
 * into caller storage, never cached, since the two pages can be remapped
 * independently. */
struct block_scratch {
	struct block b;
	struct op ops[2];
};

/* What a translator needs to hear about: the cache was flushed (all blocks
 * gone), or one block was invalidated (its code must not be entered again). */
struct tb_hooks {
	void (*flush)(void *opaque);
	void (*invalidate)(void *opaque, struct block *b);
	void *opaque;
};

struct tb_cache *tb_cache_new(struct machine *m, size_t arena_bytes);
void tb_set_hooks(struct machine *m, const struct tb_hooks *hooks);

/* The cached block for (host, va), or NULL. No decoding. Without threads
 * a lookup moves the block to the front of its hash chain. */
struct block *tb_lookup(struct machine *m, const uint8_t *host, uint64_t va);
void tb_cache_free(struct tb_cache *tb);

/* The block at h->pc, decoded now if needed. On an instruction fetch fault
 * the exception is taken and NULL is returned. */
struct block *tb_find(struct hart *h, struct block_scratch *scratch);

/* The one instruction at h->pc decoded into scratch, whatever breakpoint
 * is there (the debugger's single instructions). On an instruction fetch
 * fault the exception is taken and NULL is returned. */
struct block *tb_decode_one(struct hart *h, struct block_scratch *scratch);

/*
 * A loop region for the translator: the loop that starts at `head`'s first
 * instruction, when the code from there to a branch or `jal x0` back to it
 * lies on head's page, holds at most BLOCK_MAX_OPS instructions, and has
 * no other instruction that ends a block than conditional branches and
 * `jal x0` (so no call, return, indirect jump or system instruction).
 * Decoded as one block of ops ending with that back edge, which is
 * neither hashed nor run by the interpreter: the translator emits its
 * branches to forward targets inside it as jumps within the code, and
 * charges the quantum and instret for each block the interpreter would
 * have run. NULL when there is no such loop beyond head itself (a block
 * that branches back to its own start is a loop already), while
 * breakpoints are set, or when the arena has no room (nothing is flushed).
 * The caller holds the TB lock.
 */
struct block *tb_build_region(struct machine *m, const struct block *head);

/* Number of whole-cache flushes so far: a block pointer held across a
 * tb_find() that flushed is dangling. */
uint64_t tb_flush_count(const struct machine *m);

/* Forget every block decoded from the RAM page holding pa. */
void tb_invalidate_page(struct machine *m, uint64_t pa);

/* Forget everything (fence.i on other harts' behalf, arena full). */
void tb_flush(struct machine *m);

/* Whether `need` more bytes fit after `used` in a cache of `size` bytes
 * (the block arena, the translator's code buffer, which tb_flush resets
 * through its hook). Without threads a full cache is flushed at once and
 * the answer is false: start over. With a thread per hart nothing is
 * flushed under running harts: near full (the last sixteenth) a flush is
 * requested for the next moment no hart runs (machine.h), and false means
 * no room until then. */
bool tb_room(struct machine *m, size_t used, size_t need, size_t size);

int exec_block_end(struct hart *h, const struct op *op);

/* Interpret one block at h->pc (logging as -d asks); returns the exec
 * result of its last op. (core/interp.c) */
int interp_run_block(struct hart *h, const struct block *b);

/* Threaded dispatch (core/threaded.c): point ops[0..n-1] at the threaded
 * wrappers of their instructions and ops[n] at the block end; running a
 * block is then one call of ops[0].fn. */
void threaded_link(struct op *ops, unsigned n);
bool threaded_is_end(const struct op *op);

#endif
