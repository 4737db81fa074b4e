/*
 * One RISC-V hart: architectural state, its software TLB, and the trap
 * protocol every exec function follows.
 *
 * Trap protocol. An exec function that detects an exception calls
 * hart_exception(h, op, cause, tval) and returns its result (EXEC_TRAP). That
 * function computes the faulting pc from the op (h->block_pc + op->pc_off),
 * performs the trap entry of priv spec 1.12 section 3.1.6/4.1.1 (delegation
 * through medeleg, xEPC/xCAUSE/xTVAL, xPP/xPIE/xIE, the new privilege and pc),
 * and leaves every other register as it was before the instruction, so traps
 * are precise. Interrupts are taken between blocks by hart_check_interrupts().
 */
#ifndef RVJIT_HART_H
#define RVJIT_HART_H

#include "op.h"
#include "page.h"
#include <stdbool.h>
#include <stdint.h>

struct machine;

enum priv { PRIV_U = 0, PRIV_S = 1, PRIV_M = 3 };

/* Exception causes (priv spec table 3.6). */
enum {
	CAUSE_MISALIGNED_FETCH = 0,
	CAUSE_FETCH_ACCESS = 1,
	CAUSE_ILLEGAL_INSN = 2,
	CAUSE_BREAKPOINT = 3,
	CAUSE_MISALIGNED_LOAD = 4,
	CAUSE_LOAD_ACCESS = 5,
	CAUSE_MISALIGNED_STORE = 6,
	CAUSE_STORE_ACCESS = 7,
	CAUSE_ECALL_U = 8,
	CAUSE_ECALL_S = 9,
	CAUSE_ECALL_M = 11,
	CAUSE_FETCH_PAGE_FAULT = 12,
	CAUSE_LOAD_PAGE_FAULT = 13,
	CAUSE_STORE_PAGE_FAULT = 15,
};
#define CAUSE_INTERRUPT (1ULL << 63)
/* Not a trap: a debugger watchpoint matched a data access, which is
 * abandoned before it happens (core/debug.c). hart_exception leaves pc at
 * the instruction and takes nothing. */
#define CAUSE_DEBUG_WATCH (~0ULL)

/* Interrupt numbers, which are also bit positions in mip/mie. */
enum {
	IRQ_SSI = 1,
	IRQ_MSI = 3,
	IRQ_STI = 5,
	IRQ_MTI = 7,
	IRQ_SEI = 9,
	IRQ_MEI = 11,
	IRQ_LCOF = 13, /* Sscofpmf: local counter overflow */
};
#define MIP_SSIP   (1ULL << IRQ_SSI)
#define MIP_MSIP   (1ULL << IRQ_MSI)
#define MIP_STIP   (1ULL << IRQ_STI)
#define MIP_MTIP   (1ULL << IRQ_MTI)
#define MIP_SEIP   (1ULL << IRQ_SEI)
#define MIP_MEIP   (1ULL << IRQ_MEI)
#define MIP_LCOFIP (1ULL << IRQ_LCOF)

/* mstatus fields (priv spec 3.1.6). */
#define MSTATUS_SIE	  (1ULL << 1)
#define MSTATUS_MIE	  (1ULL << 3)
#define MSTATUS_SPIE	  (1ULL << 5)
#define MSTATUS_UBE	  (1ULL << 6)
#define MSTATUS_MPIE	  (1ULL << 7)
#define MSTATUS_SPP	  (1ULL << 8)
#define MSTATUS_VS	  (3ULL << 9)
#define MSTATUS_MPP	  (3ULL << 11)
#define MSTATUS_MPP_SHIFT 11
#define MSTATUS_FS	  (3ULL << 13)
#define MSTATUS_FS_DIRTY  (3ULL << 13)
#define MSTATUS_XS	  (3ULL << 15)
#define MSTATUS_MPRV	  (1ULL << 17)
#define MSTATUS_SUM	  (1ULL << 18)
#define MSTATUS_MXR	  (1ULL << 19)
#define MSTATUS_TVM	  (1ULL << 20)
#define MSTATUS_TW	  (1ULL << 21)
#define MSTATUS_TSR	  (1ULL << 22)
#define MSTATUS_UXL	  (3ULL << 32)
#define MSTATUS_SXL	  (3ULL << 34)
#define MSTATUS_SD	  (1ULL << 63)

/* fflags bits (unprivileged spec 11.2). */
enum { FFLAG_NX = 1, FFLAG_UF = 2, FFLAG_OF = 4, FFLAG_DZ = 8, FFLAG_NV = 16 };

/*
 * Software TLB entry. For an access of `size` bytes at virtual address va,
 * the entry at index (va >> PAGE_SHIFT) % TLB_ENTRIES hits when
 *     tag == (va & ~(TLB_PAGE_MASK & ~(size - 1)))
 * i.e. same page and naturally aligned (a misaligned access always misses and
 * takes the slow path). On a hit the host address is va + addend. A tag of
 * TLB_INVALID never matches: a tag keeps the page number and at most bits
 * 2:0 of va, never bit 11. (It used to be 1, which a misaligned access at
 * va 1, 5, 9, ... in page 0 matched, writing to host address va + 0.) The
 * JIT emits this same compare inline, so the layout is fixed.
 *
 * 4096 entries map 16 MiB per mode without a conflict between contiguous
 * pages: at 256, bench/workloads/pointer_chase (4096 pages in random
 * order) missed on most loads and memstream (2048 pages per pass) on every
 * new page. 8192 measured no better and doubles the hart (3 x 4096 x 32
 * bytes = 384 KiB now; harts are heap-allocated, machine_new).
 */
#define TLB_ENTRIES   4096
#define TLB_PAGE_MASK PAGE_OFFSET_MASK
#define TLB_INVALID   0x800ULL
struct tlb_entry {
	uint64_t tag_r; /* loads */
	uint64_t tag_w; /* stores and AMOs; invalid on pages holding translated code */
	uint64_t tag_x; /* instruction fetch */
	uintptr_t addend;
};
_Static_assert(sizeof(struct tlb_entry) == 32, "the JIT indexes TLB entries by shifting by 5");

/* Which TLB an access uses: one per effective privilege, so U<->S switches
 * (every xv6 system call) need no flush. */
enum { TLB_U = 0, TLB_S = 1, TLB_M = 2, TLB_MODES = 3 };

/*
 * Fill bitmap: bit i % 64 of word i / 64 is set when entry i of that mode's
 * TLB may hold a valid tag (set by every fill, cleared by the flush that
 * invalidates the entry). Flushes and tlb_drop_writes_to visit only the
 * set bits, so a large TLB costs them nothing but the bitmap's words: xv6
 * flushes on every trap to and from user mode, Linux on every change of
 * sstatus.SUM, and a memset of the whole TLB (384 KiB) would dwarf the
 * handful of pages a system call touches. A bitmap rather than a list of
 * filled indices has no overflow: a flush always costs the words plus one
 * store per entry filled since the last one, and each fill was a page walk.
 */
#define TLB_FILL_WORDS (TLB_ENTRIES / 64)
_Static_assert(TLB_ENTRIES % 64 == 0 && (TLB_ENTRIES & (TLB_ENTRIES - 1)) == 0,
	       "TLB indices are masked, and the fill bitmap has whole words");

#define PMP_ENTRIES 16

/*
 * The counters of Zicntr, Zihpm and Sscofpmf (core/counters.c): mcycle
 * (0), minstret (2) and mhpmcounter3..31 all count retired instructions,
 * each while it is not inhibited, so each is kept as its value at `mark`
 * (a point in h->instret's count) plus, while it runs, the instructions
 * retired since. `running` changes only at a settle, which moves mark.
 */
struct hart_counters {
	uint64_t base[32];	/* counter i at `mark` (1 is time, not kept here) */
	uint64_t mark;		/* instructions retired when last settled */
	uint64_t event[32];	/* mhpmevent3..31 */
	uint32_t running;	/* the counters that count in the current mode */
	uint32_t running_in[4]; /* the same for each privilege mode */
	uint64_t deadline;	/* h->instret at which a running counter with OF
				   clear overflows; UINT64_MAX: none armed */
};

struct hart {
	uint64_t x[33];		     /* x0..x31; x[0] stays 0, x[XREG_SINK] absorbs writes to x0 */
	uint64_t f[32];		     /* FP registers, NaN-boxed when they hold singles */
	uint64_t pc;		     /* pc of the next instruction to execute (between blocks) */
	uint64_t block_pc;	     /* virtual pc of the first op of the running block */
	const struct op *block_ops;  /* first op of the running block: op - block_ops
					instructions of it have retired */
	const struct op *exit_op;    /* the op that ended the last threaded run */
	int32_t budget;		     /* blocks left in this quantum (both engines, machine.h
					quantum_blocks); set to 0 when an interrupt becomes
					takeable (hart_set_mip) */
	int32_t chain_left;	     /* blocks the interpreter's threaded code may still
					enter without its run loop (core/interp_chain.h);
					0 outside that loop */
	void *engine_hart;	     /* the engine's own state for this hart, NULL under the
					interpreter (the translator's: struct jit_hart,
					jit/translate.h; translated code reads it) */
	uint64_t fetch_epoch;	     /* changes whenever instruction fetch may translate
					differently (privilege, satp, sfence, PMP): cached
					pc -> code mappings of older epochs are stale */
	uint8_t fetch_priv;	     /* the privilege fetch_epoch began at */
	uintptr_t host_sp;	     /* translated code: the host stack at its entry, and */
	uintptr_t return_floor;	     /* how far return frames may take it (jit/emit_control.c) */
	uintptr_t mem_group_base[2]; /* translated code: host address of the base register
					of each memory group being run (jit/emit_mem.c), 0
					when its one probe failed */
	struct tlb_entry *tlb_data;  /* TLB for loads/stores: effective privilege (MPRV) */
	struct tlb_entry *tlb_fetch; /* TLB for fetches: current privilege */
	struct machine *m;

	uint64_t instret;     /* instructions retired (never written by the guest:
				 minstret and mcycle are in ctr) */
	uint8_t priv;	      /* enum priv */
	uint8_t fs_off;	      /* cached mstatus.FS == Off: FP instructions are illegal */
	uint64_t irq_take;    /* mie bits that would trap now (priv, xIE, mideleg): the
				 run loop only looks closer when mip & irq_take */
	bool wfi;	      /* stopped in wfi until an interrupt is pending */
	uint64_t wfi_woke_on; /* threaded: the pending set that ended the last wfi */
	uint32_t wake_events; /* interrupt events for this hart (atomic; hart_set_mip,
				 hart_note_interrupt_event) */
	uint32_t wfi_events;  /* wake_events when it executed wfi */

	/* LR/SC: valid reservation on the naturally aligned physical address. */
	bool reserved;
	uint64_t reservation;	    /* physical address */
	uint64_t reservation_value; /* what LR read; SC succeeds only if memory still holds it */

	/* Machine-level CSRs. mip is updated by devices from other contexts, so
	 * it is only accessed with __atomic builtins. */
	uint64_t mhartid;
	uint64_t mstatus; /* the full register; sstatus is a view of it */
	uint64_t misa;
	uint64_t medeleg, mideleg;
	uint64_t mie;
	uint64_t mip;
	uint64_t mtvec, mscratch, mepc, mcause, mtval;
	uint64_t mcounteren, mcountinhibit, menvcfg;
	uint64_t mstateen[4]; /* Smstateen (sstateen0-3 have no writable bit: envcfg.c) */
	uint8_t pmpcfg[PMP_ENTRIES];
	uint64_t pmpaddr[PMP_ENTRIES];

	/* Supervisor-level CSRs. */
	uint64_t stvec, sscratch, sepc, scause, stval;
	uint64_t scounteren, senvcfg, satp;
	uint64_t stimecmp; /* Sstc */

	/* Floating point CSRs (fcsr = frm << 5 | fflags). */
	uint8_t fflags;
	uint8_t frm;

	struct hart_counters ctr;

	struct tlb_entry tlb[TLB_MODES][TLB_ENTRIES];
	/* Written only by this hart's thread (relaxed atomic stores), read by
	 * tlb_drop_writes_to from others. After the TLB: not architectural
	 * state, so the checker's copy keeps its own (all clear, like its TLB). */
	uint64_t tlb_filled[TLB_MODES][TLB_FILL_WORDS];

	/* A wait in progress (core/spin_wait.c): not architectural state. */
	struct hart_spin {
		uint32_t iterations;	    /* waiting-loop iterations run */
		uint64_t since_ns, last_ns; /* the current wait */
	} spin;

	/* Lockstep check (core/shadow.h): non-NULL only on the checker's copy
	 * of a hart, whose memory accesses go to this log. Kept after the TLB
	 * so the checker copies the state above it in one piece. */
	struct shadow_log *shadow;
};

/* Create a hart in its reset state (M-mode, pc = reset_pc). */
void hart_init(struct hart *h, struct machine *m, uint64_t hartid, uint64_t reset_pc);
/* Put a freshly initialised hart where a Linux process runs: U-mode,
 * with FP, the counters and the cache-block operations enabled. */
void hart_enter_user_mode(struct hart *h);

/* Take synchronous exception `cause` for the instruction `op` of the running
 * block. Returns EXEC_TRAP for the caller to return. */
int hart_exception(struct hart *h, const struct op *op, uint64_t cause, uint64_t tval);

/* Same, for an exception raised at an explicit pc outside any block
 * (instruction fetch faults found by the dispatcher). */
void hart_exception_at(struct hart *h, uint64_t pc, uint64_t cause, uint64_t tval);

/* Shorthand for the illegal-instruction exception of `op` (tval = its bits). */
int hart_illegal(struct hart *h, const struct op *op);

/* Take the highest-priority pending and enabled interrupt, if any (priv spec
 * 3.1.9). Returns true when one was taken. */
bool hart_check_interrupts(struct hart *h);

/* The same, between blocks: irq_take says without a call whether anything
 * pending could be taken now. */
static inline bool hart_take_interrupt(struct hart *h)
{
	return (__atomic_load_n(&h->mip, __ATOMIC_RELAXED) & h->irq_take) &&
	       hart_check_interrupts(h);
}

/* Interrupts pending and enabled in mie, regardless of the global enables:
 * what wakes a hart from wfi. */
static inline uint64_t hart_wakeup_pending(struct hart *h)
{
	return __atomic_load_n(&h->mip, __ATOMIC_RELAXED) & h->mie;
}

/* Set or clear interrupt-pending bits on behalf of a device. Safe to call
 * from any thread. */
void hart_set_mip(struct hart *h, uint64_t bits, bool level);

/* An interrupt was signalled to h whose mip bit may already be set (an IPI
 * to a hart with one pending): wakes a hart that polls in wfi. */
void hart_note_interrupt_event(struct hart *h);

/* The pc of `op` while its block runs. */
static inline uint64_t op_pc(const struct hart *h, const struct op *op)
{
	return h->block_pc + op->pc_off;
}

/* FP helpers shared by every F/D exec function. */
static inline void hart_fs_dirty(struct hart *h)
{
	h->mstatus |= MSTATUS_FS_DIRTY | MSTATUS_SD;
}

/* CSRs (core/csr.c). Both return EXEC_NEXT on success or raise
 * illegal-instruction for `op` and return EXEC_TRAP. */
int csr_read(struct hart *h, const struct op *op, uint32_t csr, uint64_t *val);
int csr_write(struct hart *h, const struct op *op, uint32_t csr, uint64_t val);

/* A debugger's CSR access (gdb stub, monitor), between instructions: as
 * M-mode would, without privilege checks or traps (FP CSRs even with
 * mstatus.FS off). False when the CSR does not exist or is read-only. */
bool csr_debug_read(struct hart *h, uint32_t csr, uint64_t *val);
bool csr_debug_write(struct hart *h, uint32_t csr, uint64_t val);

/* Sstc: raise or lower STIP from stimecmp and the current time. Returns
 * nanoseconds until it would fire (UINT64_MAX: not armed or already on). */
uint64_t hart_sstc_poll(struct hart *h);

/* Recompute the cached privilege-dependent state (TLB selection, fs_off,
 * irq_take) after priv, mstatus, mie or mideleg changed. */
void hart_update_mode(struct hart *h);

#endif
