/*
 * The dynamic binary translator: RV64 blocks to x86-64 code.
 *
 * What a block becomes. The interpreter's decoded block (core/tb.h) is the
 * unit of translation: a straight line of guest instructions at one
 * virtual pc, ending at a control transfer, a system instruction or the page
 * end. Its x86-64 code starts with an entry check (the hart's quantum
 * budget and pending interrupts; either sends control back to the
 * dispatcher), then each instruction in turn:
 *   - hot, simple instructions (integer ALU, Zba/Zbb/Zbs/Zicond bit
 *     manipulation, loads and stores, AMOs, LR/SC, the F/D operations SSE
 *     computes exactly, branches, jumps) are emitted natively, with the
 *     host's optional instructions (POPCNT, LZCNT, BMI1/2, FMA: asked once
 *     with CPUID, jit/host_cpu.h) where it has them;
 *   - loads and stores carry the soft-TLB lookup inline (the same compare
 *     as core/mem.h); a miss, a device page, a misaligned access or a store
 *     to a page holding translated code calls the instruction's exec
 *     function out of line, which does the full slow path;
 *   - every other instruction calls its exec function from core/insn.def
 *     (the helper ABI below), so the translator never lacks an instruction
 *     and both engines share one meaning.
 * jit/tctx.h says which file emits what.
 *
 * The register cache. Guest registers live in h->x[] in the hart struct,
 * which the fixed host register rbx points at. Within a block, the ones it
 * uses most are cached in host registers (jit/regcache.c): loaded on first
 * use, written back at every exit, and written back and reloaded around
 * every call into C, which reads and writes h->x[].
 *
 * Helper ABI. Generated code calls plain C functions with the System V
 * x86-64 convention, always through emit_c_call (jit/stubs.c), which keeps
 * the register cache right across the call: rdi = struct hart *, rsi =
 * const struct op * (the decoded op kept in the block), result in eax as
 * an exec_fn returns it (core/op.h). Before an exec call the code stores
 * h->block_pc and h->block_ops, so exec functions compute the pc and the
 * retired count exactly as under the interpreter. rbx is callee-saved, so
 * the hart pointer survives every call; the stack is 16-byte aligned at
 * each call.
 *
 * Leaving a block. Each exit adds the number of instructions it retired to
 * h->instret (known when translating), so instret is exact also after a
 * trap. An exit to a direct target on the same virtual page is a jmp that
 * the dispatcher patches ("chains") to the target's code once the target is
 * translated: same page means same physical page and permissions, so no
 * check is needed. Other exits (jalr, cross-page jumps) look the target up
 * in the hart's jump cache inline (pc -> code, direct-mapped, valid for
 * one fetch epoch), on a miss through a helper that checks the fetch TLB
 * and the block cache and fills the jump cache, and jump there, or back to
 * the dispatcher when it is not translated yet.
 *
 * Loops. A block whose last instruction branches back to its own start
 * runs as a loop: the back edge jumps to a loop head inside the block,
 * which checks the budget as the entry does, and the cached registers stay
 * in host registers across iterations. A loop that only polls memory
 * (waiting for another hart) with a thread per hart is not run so: its
 * back edge leaves the block and calls hart_spin_wait, which gives the
 * host CPU away now and then.
 *
 * Loop regions. A loop of several blocks that lies on one page, holds at
 * most BLOCK_MAX_OPS instructions and has no call, return, indirect jump
 * or system instruction in it is translated as one region when its first
 * block is (core/tb.h tb_build_region, jit/region.c): branches forward
 * inside it jump within its code, so cached registers stay in host
 * registers across the loop's ifs and elses, and only branches that
 * leave it exit. Every edge where the interpreter would start a block
 * still takes one from the quantum, and a jump over ops takes their
 * count back from instret, so both engines count alike on every path.
 *
 * Invalidation. A store to a page with translated code drops its blocks
 * (core/tb.c) and overwrites each dropped block's entry, and its loop
 * head, with a jump back to the dispatcher, so chained jumps into it and
 * harts looping in it stop at once. A full code buffer flushes everything:
 * at once without threads; with a thread per hart, once no hart runs
 * (tb_room, core/hart_threads.c).
 *
 * Debugging. A breakpoint's block is never translated (core/debug.c), so
 * no chained jump or jump-cache entry reaches it: the code before it
 * exits to the dispatcher, which stops there. A watched access abandons
 * its instruction through the trap exit; the dispatcher finishes it.
 * Changing the breakpoint set flushes everything, as a full buffer does.
 *
 * W^X. Code is written through one mapping (read/write) and run through
 * another (read/execute) of the same memory; no page is ever writable and
 * executable through the same mapping.
 */
#ifndef RVJIT_JIT_H
#define RVJIT_JIT_H

#include "core/machine.h"
#include <stdbool.h>
#include <stddef.h>

struct jit_options {
	size_t code_size;    /* code buffer bytes (--jit-cache) */
	bool perf_map;	     /* write /tmp/perf-PID.map */
	bool check;	     /* --check: compare every block with the interpreter */
	bool check_selftest; /* --check-selftest: corrupt one result on purpose */
};

/* Is a translator built for this host? */
bool jit_available(void);

/* Install the translator as m's engine. False with a message on failure. */
bool jit_attach(struct machine *m, const struct jit_options *opts);
void jit_detach(struct machine *m);
/* fork() of a process running translated code: jit_fork_prepare before
 * it (NULL with a message on failure; also when m has no translator, with
 * *ok true), jit_fork_finish after it in both processes, so that the
 * child has its own copy of the code (the code buffer is shared memory). */
void *jit_fork_prepare(struct machine *m, bool *ok);
bool jit_fork_finish(struct machine *m, void *prepared, bool child);

/* Statistics for --stats. */
struct jit_stats {
	uint64_t blocks_translated;
	uint64_t translate_ns;
	uint64_t code_bytes;
	uint64_t flushes;
	uint64_t blocks_plain; /* too big for the code budget: translated plainly */
	uint64_t regions;      /* blocks translated as the start of a loop region */
};
void jit_get_stats(const struct machine *m, struct jit_stats *s);

#endif
