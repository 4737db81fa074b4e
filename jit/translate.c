/*
 * One block from start to end (the model is in jit.h, the division of the
 * work in tctx.h): choose the registers to cache, emit the dead stub, the
 * entry and each op in turn through the emitter its row in core/insn.def
 * names (or its exec function), then the stubs; publish the code once it
 * is complete.
 */
#include "core/insn.h"
#include "tctx.h"
#include <inttypes.h>
#include <string.h>

static void log_translation(struct jit *j, const struct block *b, size_t start, size_t len)
{
	struct machine *m = j->m;
	if ((m->log_mask & LOG_OUT_ASM) && j->capstone) {
		fprintf(m->log, "OUT: [size=%zu] for %#" PRIx64 "\n", len, b->va);
		host_disasm_print(j->capstone, m->log, j->cb.rw + start, len,
				  (uint64_t)(uintptr_t)code_buffer_rx(&j->cb, start));
		fputc('\n', m->log);
	}
	if (j->perf_map)
		fprintf(j->perf_map, "%" PRIxPTR " %zx rvjit:%#" PRIx64 "\n",
			(uintptr_t)code_buffer_rx(&j->cb, start), len, b->va);
}

/* The native emitter of each instruction (core/insn.def's emitter column);
 * NULL: it calls its exec function. */
typedef void emit_fn(struct tctx *t, const struct op *op, unsigned k);
#define EMIT(kind) emit_##kind
#define NONE	   NULL
static emit_fn *const native_emitter[INSN_COUNT + 1] = {
#define INSN(name, mnem, mask, match, fmt, flags, emitter, ext) [INSN_##name] = emitter,
#include "core/insn.def"
#undef INSN
};
#undef EMIT
#undef NONE

/* Emit b's code at t->e's position and return its entry's offset. plain:
 * every op through its exec function and no register caching, code whose
 * size is small and easy to bound. With t->region, b is a loop region
 * (region.c). */
static size_t emit_block(struct tctx *t, bool plain)
{
	const struct block *b = t->b;
	choose_cached(t);
	if (plain)
		t->cached = 0;
	t->loop = !plain && is_loop(t);
	if (t->region)
		region_begin(t);
	t->loop_head = t->loop_dead = 0;
	emit_dead_stub(t);
	const size_t entry = t->e.len;
	emit_entry(t);
	if (t->loop)
		emit_loop_head(t);
	unsigned k = 0;
	bool ended = false;
	for (; k < b->n_ops && !ended; k++) {
		const struct op *op = &b->ops[k];
		if (plain) {
			fallback(t, op, k);
			continue;
		}
		if (t->region && ((t->labels >> k & 1) || t->unreachable))
			region_bind(t, k);
		begin_op(t, op);
		mem_group_begin(t, k);
		emit_fn *const emit = native_emitter[op->id];
		if (!emit) {
			fallback(t, op, k); /* the shared semantics function */
			continue;
		}
		t->rax_kept = false;
		emit(t, op, k);
		/* A slow path the emitter gave no resume point resumes after
		 * the op's native code. */
		const struct stub *last = t->nstubs ? &t->stubs[t->nstubs - 1] : NULL;
		if (last && last->kind == STUB_SLOW && last->op == op && !last->resume)
			mark_resume(t);
		if (!t->rax_kept)
			t->rax_group = 0;
		/* A region's branches and jumps before its back edge stay inside. */
		ended = (insn_table[op->id].flags & INSN_JUMP) && (!t->region || k + 1 == b->n_ops);
	}
	if (!ended)
		emit_goto(t, b->va + b->ops[b->n_ops].pc_off, b->n_ops);
	emit_stubs(t);
	return entry;
}

bool jit_translate(struct jit *j, struct block *b)
{
	const uint64_t t0 = host_monotonic_ns();
	if (!tb_room(j->m, j->cb.used, BLOCK_CODE_MAX, j->cb.size))
		return false;	       /* flushed (decode again), or no room until the flush */
	static __thread struct tctx t; /* large; one translation at a time per thread */
	const size_t start = j->cb.used;
	const size_t code = start + sizeof(struct jit_block); /* the header first */
	size_t entry = 0;
	/* A loop of several blocks starting at b becomes one region, whose
	 * code b's entry leads to (region.c). Loops are where a program spends
	 * its time, so the region is made at b's first translation: no counter
	 * is needed to find hot code, and a region costs one decode of at
	 * most BLOCK_MAX_OPS ops more than the block alone. */
	struct block *region = j->chain ? tb_build_region(j->m, b) : NULL;
	/* A block whose native code outgrows BLOCK_CODE_MAX (long runs of ops
	 * with many slow paths) is translated again, plainly; a region that
	 * does is given up for its first block. */
	for (int attempt = region ? 0 : 1; attempt < 3; attempt++) {
		const bool plain = attempt == 2;
		memset(&t, 0, offsetof(struct tctx, stubs));
		t.nstubs = 0;
		t.j = j;
		t.b = attempt == 0 ? region : b;
		t.region = attempt == 0;
		t.e = (struct emitter){.buf = j->cb.rw, .cap = start + BLOCK_CODE_MAX, .len = code};
		entry = emit_block(&t, plain);
		if (!t.e.overflow) {
			j->stats.blocks_plain += (unsigned)plain;
			j->stats.regions += (unsigned)t.region;
			break;
		}
	}
	if (t.e.overflow) {
		/* The plain form has a fixed size per op well inside the bound,
		 * so this means the bound is wrong: start over rather than run
		 * broken code, flushing as for a full buffer (tb_room): at once
		 * without threads, and with them once no hart runs translated
		 * code, which a flush here would pull from under them. */
		fprintf(stderr, "rvjit: translated block at %#" PRIx64 " exceeds its code budget\n",
			b->va);
		(void)tb_room(j->m, j->cb.size, BLOCK_CODE_MAX, j->cb.size);
		return false;
	}
	/* Each block's code (its dead stub, then the entry) starts 16-byte
	 * aligned and its 8-byte header sits in the gap before it: the code
	 * lands where it did before blocks had headers, and hot loops are
	 * sensitive to that. */
	j->cb.used =
	    ((t.e.len + sizeof(struct jit_block) + 15) & ~(size_t)15) - sizeof(struct jit_block);
	const struct jit_block header = {
	    .loop_head = t.loop ? (uint32_t)(t.loop_head - entry) : 0,
	    .loop_dead = t.loop ? (uint32_t)(t.loop_dead - entry) : 0,
	};
	memcpy(j->cb.rw + start, &header, sizeof(header));
	/* Published last: harts look for it without the TB lock. */
	__atomic_store_n(&b->native, code_buffer_rx(&j->cb, entry), __ATOMIC_RELEASE);
	j->stats.blocks_translated++;
	j->stats.code_bytes += t.e.len - code;
	log_translation(j, b, code, t.e.len - code);
	j->stats.translate_ns += host_monotonic_ns() - t0;
	return true;
}
