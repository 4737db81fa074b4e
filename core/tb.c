/* The block cache; see tb.h for the model. */
#include "tb.h"
#include "guest_log.h"
#include "insn.h"
#include "machine.h"
#include "mmu.h"
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#define TB_HASH_BITS 16
#define TB_HASH_SIZE (1u << TB_HASH_BITS)

struct tb_cache {
	struct machine *m;
	uint8_t *arena;
	size_t arena_size;
	size_t used;
	struct block *hash[TB_HASH_SIZE];
	struct block **page_blocks; /* per RAM page: list through page_next */
	/* The pages given blocks since the last flush (a page may be listed
	 * twice), so that a flush clears those and not a table of all RAM:
	 * rvjit-user's "RAM" is a 256 GiB address space. NULL with
	 * code_pages_cap 0 once it would have grown past its limit: the
	 * next flush clears everything. */
	uint64_t *code_pages;
	size_t ncode_pages, code_pages_cap;
	bool code_pages_overflow;
	uint64_t flushes;
	struct tb_hooks hooks;
};

void tb_set_hooks(struct machine *m, const struct tb_hooks *hooks)
{
	m->tb->hooks = *hooks;
}

/* Both halves of the key: shared code (libc, under ASLR) is one host
 * address at a different pc in every process, and hashing the host address
 * alone put all of those blocks on one chain. */
static unsigned tb_hash(const uint8_t *host, uint64_t va)
{
	uint64_t v = ((uint64_t)(uintptr_t)host >> 1) ^ ((va >> 1) * 0x9e3779b97f4a7c15ull);
	v ^= v >> 32;
	return (unsigned)((v ^ (v >> TB_HASH_BITS)) & (TB_HASH_SIZE - 1));
}

struct tb_cache *tb_cache_new(struct machine *m, size_t arena_bytes)
{
	struct tb_cache *tb = calloc(1, sizeof(*tb));
	if (!tb)
		return NULL;
	tb->m = m;
	tb->arena_size = arena_bytes;
	tb->arena = mmap(NULL, arena_bytes, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	tb->page_blocks = calloc(m->ram_size >> PAGE_SHIFT, sizeof(*tb->page_blocks));
	if (tb->arena == MAP_FAILED || !tb->page_blocks) {
		if (tb->arena != MAP_FAILED)
			munmap(tb->arena, arena_bytes);
		free(tb->page_blocks);
		free(tb);
		return NULL;
	}
	return tb;
}

void tb_cache_free(struct tb_cache *tb)
{
	if (!tb)
		return;
	munmap(tb->arena, tb->arena_size);
	free(tb->page_blocks);
	free(tb->code_pages);
	free(tb);
}

/* Past this many listed pages (8 MiB of list) a flush clears every page. */
#define CODE_PAGES_LIMIT (1u << 20)

static void note_code_page(struct tb_cache *tb, uint64_t page)
{
	if (tb->code_pages_overflow)
		return;
	if (tb->ncode_pages == tb->code_pages_cap) {
		const size_t cap = tb->code_pages_cap ? 2 * tb->code_pages_cap : 1024;
		uint64_t *grown =
		    cap <= CODE_PAGES_LIMIT ? realloc(tb->code_pages, cap * sizeof(*grown)) : NULL;
		if (!grown) {
			tb->code_pages_overflow = true;
			return;
		}
		tb->code_pages = grown;
		tb->code_pages_cap = cap;
	}
	tb->code_pages[tb->ncode_pages++] = page;
}

uint64_t tb_flush_count(const struct machine *m)
{
	return __atomic_load_n(&m->tb->flushes, __ATOMIC_RELAXED);
}

void tb_flush(struct machine *m)
{
	struct tb_cache *tb = m->tb;
	tb->used = 0;
	__atomic_store_n(&tb->flushes, tb->flushes + 1, __ATOMIC_RELAXED);
	memset(tb->hash, 0, sizeof(tb->hash));
	if (tb->code_pages_overflow) {
		memset(tb->page_blocks, 0, (m->ram_size >> PAGE_SHIFT) * sizeof(*tb->page_blocks));
		for (uint64_t i = 0; i < (m->ram_size >> PAGE_SHIFT); i++)
			page_flags_remove(m, i, PAGE_CODE);
	} else {
		for (size_t i = 0; i < tb->ncode_pages; i++) {
			tb->page_blocks[tb->code_pages[i]] = NULL;
			page_flags_remove(m, tb->code_pages[i], PAGE_CODE);
		}
	}
	tb->ncode_pages = 0;
	tb->code_pages_overflow = false;
	atomic_store(&m->flush_requested, false);
	if (tb->hooks.flush)
		tb->hooks.flush(tb->hooks.opaque);
}

void tb_invalidate_page(struct machine *m, uint64_t pa)
{
	struct tb_cache *tb = m->tb;
	const uint64_t page = (pa - m->ram_base) >> PAGE_SHIFT;
	machine_tb_lock(m);
	for (struct block *b = tb->page_blocks[page]; b; b = b->page_next) {
		__atomic_store_n(&b->valid, false, __ATOMIC_RELEASE);
		if (b->native && tb->hooks.invalidate)
			tb->hooks.invalidate(tb->hooks.opaque, b);
		struct block **pp = &tb->hash[tb_hash(b->host, b->va)];
		while (*pp && *pp != b)
			pp = &(*pp)->hash_next;
		if (*pp)
			__atomic_store_n(pp, b->hash_next, __ATOMIC_RELEASE);
	}
	tb->page_blocks[page] = NULL;
	page_flags_remove(m, page, PAGE_CODE);
	machine_tb_unlock(m);
}

int exec_block_end(struct hart *h, const struct op *op)
{
	h->pc = op_pc(h, op);
	return EXEC_END;
}

bool tb_room(struct machine *m, size_t used, size_t need, size_t size)
{
	if (!m->threaded) {
		if (used + need <= size)
			return true;
		tb_flush(m);
		return false;
	}
	if (used + need > size - size / 16)
		atomic_store(&m->flush_requested, true);
	return used + need <= size;
}

/* Room for blocks, or NULL when the arena waits for a flush (threads). */
static void *arena_alloc(struct machine *m, size_t bytes)
{
	struct tb_cache *tb = m->tb;
	bytes = (bytes + 15) & ~(size_t)15;
	if (!tb_room(m, tb->used, bytes, tb->arena_size) && m->threaded)
		return NULL; /* (without threads it was just flushed: allocate afresh) */
	void *p = tb->arena + tb->used;
	tb->used += bytes;
	return p;
}

static uint16_t read16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

/* Decode a straddling instruction into scratch, or take its fetch fault. */
static struct block *build_straddling(struct hart *h, const uint8_t *host, struct block_scratch *s)
{
	const uint8_t *high;
	const uint64_t cause = mmu_fetch(h, h->pc + 2, &high);
	if (cause) {
		hart_exception_at(h, h->pc, cause, h->pc + 2);
		return NULL;
	}
	const uint32_t raw = read16(host) | (uint32_t)read16(high) << 16;
	memset(s, 0, sizeof(*s));
	s->b.host = host;
	s->b.va = h->pc;
	s->b.n_ops = 1;
	s->b.chainable = false;
	s->b.breakpoint = false;
	insn_decode(raw, 4, &s->ops[0], &h->m->isa);
	s->ops[1].pc_off = 4;
	s->ops[1].id = INSN_ILLEGAL;
	threaded_link(s->ops, 1);
	return &s->b;
}

/* Decode the instruction at host + off into op (pc_off set) and return
 * its length, or 0 when it would straddle the end of the `room` bytes
 * left on the page (it then starts the next block). */
static unsigned decode_at(const struct machine *m, const uint8_t *host, unsigned off, unsigned room,
			  struct op *op)
{
	uint32_t raw = read16(host + off);
	const unsigned len = (raw & 3) == 3 ? 4 : 2;
	if (off + len > room)
		return 0;
	if (len == 4)
		raw |= (uint32_t)read16(host + off + 2) << 16;
	insn_decode(raw, (int)len, op, &m->isa);
	op->pc_off = (uint16_t)off;
	return len;
}

/* ops[n], the end op at pc offset `end`, and the threaded links. */
static void finish_ops(struct op *ops, unsigned n, unsigned end)
{
	memset(&ops[n], 0, sizeof(ops[n]));
	ops[n].pc_off = (uint16_t)end;
	ops[n].id = INSN_ILLEGAL;
	threaded_link(ops, n);
}

static struct block *build(struct hart *h, const uint8_t *host, struct block_scratch *scratch)
{
	struct machine *m = h->m;
	const unsigned room = (unsigned)(PAGE_SIZE - (h->pc & PAGE_OFFSET_MASK));
	if (room == 2 && (host[0] & 3) == 3 && !machine_is_breakpoint(m, h->pc))
		return build_straddling(h, host, scratch);

	struct op ops[BLOCK_MAX_OPS + 1];
	unsigned n = 0, off = 0;
	/* A breakpoint starts a block of its own, with no ops, and ends the
	 * block before it (the set is read under m->tb_lock). */
	const bool bps = m->debug.nbps != 0;
	const bool at_breakpoint = bps && machine_is_breakpoint(m, h->pc);
	while (!at_breakpoint && n < BLOCK_MAX_OPS && off + 2 <= room) {
		if (bps && off && machine_is_breakpoint(m, h->pc + off))
			break;
		struct op *op = &ops[n];
		const unsigned len = decode_at(m, host, off, room, op);
		if (!len)
			break; /* straddles the page end: starts the next block */
		n++;
		off += len;
		if (insn_table[op->id].flags & INSN_ENDS_BLOCK)
			break;
	}
	finish_ops(ops, n, off);

	struct block *b = arena_alloc(m, sizeof(*b) + (n + 1) * sizeof(struct op));
	if (!b) {
		__atomic_store_n(&h->budget, 0, __ATOMIC_RELAXED); /* end the quantum: flush */
		return NULL;
	}
	b->host = host;
	b->va = h->pc;
	b->native = NULL;
	b->n_ops = n;
	b->valid = true;
	b->breakpoint = at_breakpoint;
	b->succ[0] = b->succ[1] = NULL;
	/* A block left by a trap or a system instruction goes back to the
	 * dispatcher; one that falls through or jumps may be chained. */
	const unsigned last = n ? insn_table[ops[n - 1].id].flags : 0;
	b->chainable = !(last & INSN_ENDS_BLOCK) || (last & INSN_JUMP);
	memcpy(b->ops, ops, (n + 1) * sizeof(struct op));

	struct tb_cache *tb = m->tb;
	const unsigned hidx = tb_hash(host, b->va);
	b->hash_next = tb->hash[hidx];
	__atomic_store_n(&tb->hash[hidx], b, __ATOMIC_RELEASE); /* published whole */
	b->page_next = NULL;
	if (host >= m->ram && host < m->ram + m->ram_size) {
		const uint64_t page = (uint64_t)(host - m->ram) >> PAGE_SHIFT;
		if (!tb->page_blocks[page])
			note_code_page(tb, page);
		b->page_next = tb->page_blocks[page];
		tb->page_blocks[page] = b;
		if (!(page_flags_of(m, page) & PAGE_CODE)) {
			page_flags_add(m, page, PAGE_CODE);
			tlb_drop_writes_to(m, (uintptr_t)(m->ram + (page << PAGE_SHIFT)));
		}
	}
	return b;
}

/* A conditional branch or `jal x0`: control ops a region may hold. */
static bool region_control(const struct op *op)
{
	return insn_table[op->id].format == FMT_B || (op->id == INSN_jal && op->rd == XREG_SINK);
}

struct block *tb_build_region(struct machine *m, const struct block *head)
{
	/* A loop beyond head goes on past head's last op, which must then be
	 * a branch or `jal x0`: a head ended by anything else (a call, a
	 * return, a system op, the page end, the op limit) would end the
	 * region there too. Most blocks stop here, before any decoding. */
	if (m->debug.nbps || !head->n_ops || head->breakpoint ||
	    !region_control(&head->ops[head->n_ops - 1]))
		return NULL;
	const unsigned room = (unsigned)(PAGE_SIZE - (head->va & PAGE_OFFSET_MASK));
	struct op ops[BLOCK_MAX_OPS + 1];
	unsigned n = 0, off = 0, end = 0;
	while (n < BLOCK_MAX_OPS && off + 2 <= room) {
		struct op *op = &ops[n];
		const unsigned len = decode_at(m, head->host, off, room, op);
		if (!len)
			break;
		if ((insn_table[op->id].flags & INSN_ENDS_BLOCK) && !region_control(op))
			break; /* not part of a region: the loop must end before it */
		off += len;
		n++;
	}
	/* The region runs to the last back edge that can be reached from its
	 * start without leaving it: a back edge only reached from outside (a
	 * switch's cases, entered through an indirect jump) makes no loop of
	 * the region's own, whose every pass would leave and enter again. The
	 * jumps inside go forward, so one pass in order finds what is
	 * reachable. */
	uint64_t reach = 1;
	for (unsigned k = 0; k < n; k++) {
		const struct op *op = &ops[k];
		if (!(reach >> k & 1))
			continue;
		const bool control = insn_table[op->id].flags & INSN_ENDS_BLOCK;
		if (!control || insn_table[op->id].format == FMT_B)
			reach |= 2ULL << k; /* falls through (k + 1 < 64 or unused) */
		if (!control)
			continue;
		const int64_t target = (int64_t)op->pc_off + op->imm;
		if (target == 0)
			end = k + 1; /* a back edge */
		for (unsigned i = k + 1; i < n; i++)
			if (ops[i].pc_off == target)
				reach |= 1ULL << i;
	}
	/* head alone, when its own last op is the only back edge. */
	if (end <= head->n_ops)
		return NULL;
	struct tb_cache *tb = m->tb;
	const size_t bytes =
	    (sizeof(struct block) + (end + 1) * sizeof(struct op) + 15) & ~(size_t)15;
	if (tb->used + bytes > tb->arena_size)
		return NULL;
	struct block *r = (struct block *)(void *)(tb->arena + tb->used);
	tb->used += bytes;
	finish_ops(ops, end, ops[end - 1].pc_off + op_len(&ops[end - 1]));
	*r = (struct block){
	    .host = head->host, .va = head->va, .n_ops = end, .valid = true, .chainable = true};
	memcpy(r->ops, ops, (end + 1) * sizeof(struct op));
	return r;
}

/* With one thread per hart, lookups run without the lock: blocks enter a
 * chain at its head with a release store, and an unlinked block keeps its
 * hash_next, so a reader never steps off the chain. A reader may still
 * meet a block that is being invalidated, as if it looked just before. */
static struct block *lookup(struct machine *m, const uint8_t *host, uint64_t va)
{
	struct block **head = &m->tb->hash[tb_hash(host, va)];
	if (m->threaded) {
		for (struct block *b = __atomic_load_n(head, __ATOMIC_ACQUIRE); b;
		     b = __atomic_load_n(&b->hash_next, __ATOMIC_ACQUIRE))
			if (b->host == host && b->va == va &&
			    __atomic_load_n(&b->valid, __ATOMIC_ACQUIRE))
				return b;
		return NULL;
	}
	for (struct block **pp = head; *pp; pp = &(*pp)->hash_next) {
		struct block *b = *pp;
		if (b->host == host && b->va == va) {
			if (pp != head) { /* move to front: the next lookup is one compare */
				*pp = b->hash_next;
				b->hash_next = *head;
				*head = b;
			}
			return b;
		}
	}
	return NULL;
}

struct block *tb_lookup(struct machine *m, const uint8_t *host, uint64_t va)
{
	return lookup(m, host, va);
}

struct block *tb_find(struct hart *h, struct block_scratch *scratch)
{
	const uint8_t *host;
	const uint64_t cause = mmu_fetch(h, h->pc, &host);
	if (cause) {
		hart_exception_at(h, h->pc, cause, h->pc);
		return NULL;
	}
	struct block *b = lookup(h->m, host, h->pc);
	if (b)
		return b;
	machine_tb_lock(h->m);
	b = lookup(h->m, host, h->pc); /* another hart may have just built it */
	if (!b) {
		b = build(h, host, scratch);
		if (b && (h->m->log_mask & LOG_IN_ASM))
			log_in_asm(h->m, h->priv, b->va, b->ops, b->n_ops);
	}
	machine_tb_unlock(h->m);
	return b;
}

struct block *tb_decode_one(struct hart *h, struct block_scratch *scratch)
{
	const uint8_t *host;
	const uint64_t cause = mmu_fetch(h, h->pc, &host);
	if (cause) {
		hart_exception_at(h, h->pc, cause, h->pc);
		return NULL;
	}
	const unsigned room = (unsigned)(PAGE_SIZE - (h->pc & PAGE_OFFSET_MASK));
	struct block *b;
	if (room == 2 && (host[0] & 3) == 3) {
		b = build_straddling(h, host, scratch);
		if (b && (h->m->log_mask & LOG_IN_ASM))
			log_in_asm(h->m, h->priv, b->va, b->ops, b->n_ops);
		return b;
	}
	uint32_t raw = read16(host);
	const unsigned len = (raw & 3) == 3 ? 4 : 2;
	if (len == 4)
		raw |= (uint32_t)read16(host + 2) << 16;
	memset(scratch, 0, sizeof(*scratch));
	scratch->b.host = host;
	scratch->b.va = h->pc;
	scratch->b.n_ops = 1;
	insn_decode(raw, (int)len, &scratch->ops[0], &h->m->isa);
	scratch->ops[1].pc_off = (uint16_t)len;
	scratch->ops[1].id = INSN_ILLEGAL;
	threaded_link(scratch->ops, 1);
	if (h->m->log_mask & LOG_IN_ASM)
		log_in_asm(h->m, h->priv, h->pc, scratch->ops, 1);
	return &scratch->b;
}
