/*
 * The translator's private interface: the state of one block's translation
 * (struct tctx), its out-of-line stubs, and what the files that emit code
 * share. Included only by the files in jit/; the rest of the tree sees jit.h.
 *
 * Who does what:
 *   translate.c     a block from start to end (emit_block, jit_translate)
 *   regcache.c      guest registers cached in host registers
 *   stubs.c         out-of-line paths, calls into C, the fallback to exec
 *   emit_int.c      integer ALU, multiply and divide
 *   emit_bitmanip.c Zba, Zbb, Zbs and Zicond
 *   emit_mem.c      the inline TLB probe (one for a group of accesses
 *                   through the same base), loads, stores, AMOs, LR/SC, fence
 *   emit_fp.c       F/D on the host's SSE unit
 *   emit_control.c  block entry and exits: goto, indirect jumps, loops,
 *                   the dead stub, patching, the enter/exit trampoline
 *   region.c        loop regions: branches that stay inside the code
 *
 * Register use inside translated code:
 *   rbx        the hart (callee-saved: survives helper calls)
 *   rax rcx rdx rsi rdi          scratch, dead across helper calls
 *   r15        blocks entered since the trampoline's entry (BLOCKS_RUN)
 *   r14        instructions retired not yet in h->instret (INSTRET_OWED)
 *   r12 r13 rbp r8-r11           guest registers cached for the block
 *
 * Layout of one block's code:
 *   header: struct jit_block, data (never executed)
 *   dead:   a stub that leaves for the dispatcher, entered only once
 *           jit_kill_block has pointed the entry's first bytes at it
 *   entry:  the quantum check
 *   body:   one sequence per instruction, in order
 *   stubs:  out-of-line paths: TLB-miss calls, trap exits, chain exits
 */
#ifndef RVJIT_TCTX_H
#define RVJIT_TCTX_H

#include "core/hart.h"
#include "translate.h"
#include "x86_64_emit.h"
#include <stddef.h>

#define H(field)   mem(RBX, (int32_t)offsetof(struct hart, field))
#define XREG(i)	   mem(RBX, (int32_t)(offsetof(struct hart, x) + 8 * (size_t)(i)))
#define FREG(i)	   mem(RBX, (int32_t)(offsetof(struct hart, f) + 8 * (size_t)(i)))
#define FREG_HI(i) mem(RBX, (int32_t)(offsetof(struct hart, f) + 8 * (size_t)(i) + 4))

/*
 * The quantum in translated code. h->budget (blocks left, machine.h) is
 * what other threads zero to make the hart leave (hart_set_mip); taking
 * one from it in memory at every block entry chained each block to the
 * one before through a store and a load. So the blocks entered since the
 * trampoline's entry count up in a register, each entry compares them
 * with the budget (a load nothing waits for) before counting itself, and
 * the exit takes them from the budget with one atomic add.
 */
#define BLOCKS_RUN R15

/* The same for h->instret, which every exit of every block adds to: the
 * count owed is added to it at the exit trampoline and before each call
 * into C (which reads h->instret as the count at the block's start, csr.c
 * retired_with). */
#define INSTRET_OWED R14

/* Room reserved for a block's code, checked before translating so a block
 * never straddles the end of the buffer: 300 bytes an op is more than any
 * real block has needed; a block that needs more (a long run of SCs, each
 * slow path writing back and reloading a full register cache: about 330)
 * is translated plainly (translate.c). */
#define BLOCK_CODE_MAX (BLOCK_MAX_OPS * 300 + 1024)
#define JIT_DEAD_STUB  24 /* bytes of the dead-block stub before each entry */

/* The translator's state for one block, kept in the code buffer right in
 * front of the block's dead stub, so struct block needs no field for it:
 * found from b->native (jit_kill_block). */
struct jit_block {
	uint32_t loop_head; /* a loop (emit_loop_head): its head and where a */
	uint32_t loop_dead; /* killed head leads, from the entry; 0: none */
};

/* Out-of-line paths collected while emitting the body. */
enum stub_kind {
	STUB_SLOW,     /* fast path not applicable (TLB miss, FP corner case):
			  run the op's exec function, then resume */
	STUB_RESULT,   /* a helper returned nonzero: account and leave */
	STUB_CHAIN,    /* exit to a same-page target, patchable */
	STUB_ENTRY,    /* entry check failed: leave with pc = block start */
	STUB_LOOP,     /* loop head check failed: write back, leave with pc =
			  block start */
	STUB_BOUNDARY, /* a region's quantum check failed where the
			  interpreter's next block starts: write back, leave
			  with pc = target */
};

struct stub {
	enum stub_kind kind;
	size_t field;	/* rel32 field of the jump/jcc that reaches the stub */
	size_t more[7]; /* STUB_SLOW: further jumps to the same stub */
	unsigned nmore;
	size_t resume;	     /* STUB_SLOW: where to continue */
	const struct op *op; /* STUB_SLOW: the op to call */
	unsigned retired;    /* instructions before this op */
	uint64_t target;     /* STUB_CHAIN: guest pc */
	uint64_t dirty;	     /* cached registers to write back on the way out */
	uint64_t loaded;     /* STUB_SLOW: cached registers loaded at the jump */
	uint64_t reload;     /* STUB_SLOW: cached registers to load before resuming */
	unsigned rax_group;  /* STUB_SLOW: 1 + the memory group whose base rax
				holds at the resume point; 0: none */
};

/* Loads and stores through one base register that one probe covers
 * (emit_mem.c, mem_group_begin): members by op index in the block. Two
 * can be open at once (h->mem_group_base has a slot for each): a copy
 * loop reads through one pointer and writes through another. */
struct mem_group {
	uint64_t members;
};
#define MEM_GROUPS 2
_Static_assert(sizeof(((struct hart *)0)->mem_group_base) == MEM_GROUPS * sizeof(uintptr_t),
	       "a slot of h->mem_group_base for each group");
_Static_assert(BLOCK_MAX_OPS <= 64, "mem_group.members has a bit per op");

/* A jump (its rel32 field) to the label of a region's op not yet emitted. */
struct region_fixup {
	size_t field;
	unsigned to;
};

struct tctx {
	struct jit *j;
	struct block *b;
	struct emitter e;
	bool context_stored; /* h->block_pc/block_ops hold this block's values
				on the path being emitted */
	bool fs_dirty_set;   /* mstatus.FS already marked dirty on this path */
	bool fs_checked;     /* mstatus.FS known not Off on this path */
	/* Guest register caching (regcache.c), as bit masks over x1..x31.
	 * The state is that of the point being emitted; the body is
	 * straight-line code, so it is known statically. */
	int8_t host[33]; /* host register caching x[i], -1: none */
	uint64_t cached, loaded, dirty;
	bool loop;	     /* the block branches back to its start */
	size_t loop_head;    /* where the loop's iterations start */
	size_t loop_dead;    /* where a killed loop head leads */
	uint64_t loop_dirty; /* loop: registers the body writes */
	struct mem_group group[MEM_GROUPS];
	/* 1 + the group whose slot rax holds on the path being emitted (0:
	 * none), and whether the op being emitted left it there. */
	unsigned rax_group;
	bool rax_kept;
	bool owed_paid; /* INSTRET_OWED is 0 on the path being emitted */
	/* A loop region (region.c): ops that forward branches inside it
	 * reach, the jumps still to point at labels not yet emitted, and
	 * whether the op being emitted can be reached by falling through. */
	bool region;
	uint64_t labels;
	struct region_fixup fixups[BLOCK_MAX_OPS];
	unsigned nfixups;
	bool unreachable;
	struct stub stubs[5 * BLOCK_MAX_OPS + 4];
	unsigned nstubs;
};

static inline uint64_t op_va(const struct tctx *t, const struct op *op)
{
	return t->b->va + op->pc_off;
}

/* ---- regcache.c ---- */
uint64_t xbit(unsigned x);
uint64_t x_reads(const struct op *op);
uint64_t x_writes(const struct op *op);
void choose_cached(struct tctx *t);
int x_host(const struct tctx *t, unsigned x);
void load_x(struct tctx *t, int reg, unsigned x);
void wrote_x(struct tctx *t, unsigned x);
void set_x(struct tctx *t, unsigned x, int reg);
void set_x_imm(struct tctx *t, unsigned x, int32_t imm);
void alu_x(struct tctx *t, enum x86_alu alu, bool wide, int dst, unsigned x);
struct x86_mem x_mem(struct tctx *t, unsigned x);
void writeback(struct tctx *t, uint64_t mask);
void reload(struct tctx *t, uint64_t mask);
void begin_op(struct tctx *t, const struct op *op);
void write_back_dirty(struct tctx *t);
void regcache_before_call(struct tctx *t, bool callee_uses_x);
void regcache_after_call(struct tctx *t, bool callee_uses_x);

/* ---- region.c ---- */
void region_begin(struct tctx *t);
void region_bind(struct tctx *t, unsigned k);
bool region_branch(struct tctx *t, const struct op *op, unsigned k, enum x86_cond taken);
bool region_jump(struct tctx *t, const struct op *op, unsigned k);

/* ---- stubs.c ---- */
void add_stub(struct tctx *t, struct stub s);
void slow_join(struct tctx *t, size_t field);
void slow_if(struct tctx *t, const struct op *op, unsigned k, enum x86_cond cc);
void slow_always(struct tctx *t, const struct op *op, unsigned k);
void mark_resume(struct tctx *t);
void emit_c_call(struct tctx *t, const void *fn, const struct op *op);
void add_instret(struct tctx *t, int n);
void check_result(struct tctx *t, unsigned retired);
void fallback(struct tctx *t, const struct op *op, unsigned k);
void emit_stubs(struct tctx *t);

/* ---- the emitters ----
 * One per EMIT(kind) in core/insn.def's emitter column, which translate.c
 * turns into its dispatch table: emit_<kind>(t, op, k) emits op, the k-th
 * op of the block, as host code, with out-of-line paths that run its exec
 * function where the native code does not apply. */
void emit_alu(struct tctx *t, const struct op *op, unsigned k);		/* emit_int.c */
void emit_slt(struct tctx *t, const struct op *op, unsigned k);		/* emit_int.c */
void emit_mulh(struct tctx *t, const struct op *op, unsigned k);	/* emit_int.c */
void emit_div(struct tctx *t, const struct op *op, unsigned k);		/* emit_int.c */
void emit_shadd(struct tctx *t, const struct op *op, unsigned k);	/* emit_bitmanip.c */
void emit_logic_not(struct tctx *t, const struct op *op, unsigned k);	/* emit_bitmanip.c */
void emit_bitcount(struct tctx *t, const struct op *op, unsigned k);	/* emit_bitmanip.c */
void emit_minmax(struct tctx *t, const struct op *op, unsigned k);	/* emit_bitmanip.c */
void emit_extend(struct tctx *t, const struct op *op, unsigned k);	/* emit_bitmanip.c */
void emit_rotate(struct tctx *t, const struct op *op, unsigned k);	/* emit_bitmanip.c */
void emit_bytes(struct tctx *t, const struct op *op, unsigned k);	/* emit_bitmanip.c */
void emit_single_bit(struct tctx *t, const struct op *op, unsigned k);	/* emit_bitmanip.c */
void emit_czero(struct tctx *t, const struct op *op, unsigned k);	/* emit_bitmanip.c */
void emit_load(struct tctx *t, const struct op *op, unsigned k);	/* emit_mem.c */
void emit_store(struct tctx *t, const struct op *op, unsigned k);	/* emit_mem.c */
void emit_amo(struct tctx *t, const struct op *op, unsigned k);		/* emit_mem.c */
void emit_lrsc(struct tctx *t, const struct op *op, unsigned k);	/* emit_mem.c */
void emit_fence(struct tctx *t, const struct op *op, unsigned k);	/* emit_mem.c */
void emit_prefetch(struct tctx *t, const struct op *op, unsigned k);	/* emit_mem.c */
void emit_fp_load(struct tctx *t, const struct op *op, unsigned k);	/* emit_fp.c */
void emit_fp_store(struct tctx *t, const struct op *op, unsigned k);	/* emit_fp.c */
void emit_fma(struct tctx *t, const struct op *op, unsigned k);		/* emit_fp.c */
void emit_fp_arith(struct tctx *t, const struct op *op, unsigned k);	/* emit_fp.c */
void emit_fp_from_int(struct tctx *t, const struct op *op, unsigned k); /* emit_fp.c */
void emit_fmv_to_x(struct tctx *t, const struct op *op, unsigned k);	/* emit_fp.c */
void emit_fmv_from_x(struct tctx *t, const struct op *op, unsigned k);	/* emit_fp.c */
void emit_fsgnj(struct tctx *t, const struct op *op, unsigned k);	/* emit_fp.c */
void emit_fp_compare(struct tctx *t, const struct op *op, unsigned k);	/* emit_fp.c */
void emit_fli(struct tctx *t, const struct op *op, unsigned k);		/* emit_fp.c */
void emit_fminmax(struct tctx *t, const struct op *op, unsigned k);	/* emit_fp.c */
void emit_jal(struct tctx *t, const struct op *op, unsigned k);		/* emit_control.c */
void emit_jalr(struct tctx *t, const struct op *op, unsigned k);	/* emit_control.c */
void emit_branch(struct tctx *t, const struct op *op, unsigned k);	/* emit_control.c */
/* emit_mem.c: the inline TLB probe, which emit_fp.c's loads use too. */
struct x86_mem emit_tlb_lookup(struct tctx *t, const struct op *op, unsigned size, bool store,
			       unsigned k);
void mem_group_begin(struct tctx *t, unsigned k);

/* ---- emit_control.c ---- */
void exit_dispatch(struct tctx *t);
void emit_quantum_check(struct tctx *t, struct stub s);
void emit_goto(struct tctx *t, uint64_t target, unsigned retired);
void emit_loop_back(struct tctx *t, unsigned retired);
bool is_loop(const struct tctx *t);
void emit_loop_head(struct tctx *t);
void emit_entry(struct tctx *t);
void emit_dead_stub(struct tctx *t);

#endif
