/*
 * A whole emulated machine: RAM, the physical bus, the harts and the block
 * cache. Nothing here is global: tests create many machines in one process.
 */
#ifndef RVJIT_MACHINE_H
#define RVJIT_MACHINE_H

#include "bus.h"
#include "hart.h"
#include "isa.h"
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>

/* QEMU virt's limit (VIRT_CPUS_MAX), which its memory map is laid out for:
 * the PLIC's 0x600000 bytes hold 2 contexts (M, S) for each of 512 harts,
 * the CLINT's registers 4095 (devices/ check this). A hart costs about
 * 400 KiB here, most of it its TLB. */
#define MAX_HARTS 512

/* Per RAM page flags. Pages with either flag never get write entries in a
 * TLB, so every store to them takes the slow path. */
enum {
	PAGE_CODE = 1,	/* blocks were decoded from it: stores invalidate them */
	PAGE_WATCH = 2, /* a device watches stores to it (HTIF tohost) */
};

typedef void (*ram_watch_fn)(void *opaque, uint64_t pa, unsigned size);

/* Devices with time-driven state (timers, host input) are polled between
 * rounds of the run loop. A poller returns the number of nanoseconds until
 * it next needs to run (UINT64_MAX: no deadline), which bounds how long an
 * all-idle machine sleeps. */
typedef uint64_t (*device_poll_fn)(void *opaque);
#define MAX_POLLERS 16

struct tb_cache;
struct guest_symbols;

/* -d log categories (QEMU's names). */
enum {
	LOG_IN_ASM = 1 << 0,	   /* each block as it is decoded */
	LOG_OUT_ASM = 1 << 1,	   /* generated host code */
	LOG_EXEC = 1 << 2,	   /* each block as it starts */
	LOG_INT = 1 << 3,	   /* interrupts and exceptions */
	LOG_NOCHAIN = 1 << 4,	   /* translated blocks do not jump straight to each other */
	LOG_CPU = 1 << 5,	   /* the hart's registers before each block (core/guest_log.c) */
	LOG_FPU = 1 << 6,	   /* and its f registers, with LOG_CPU */
	LOG_GUEST_ERRORS = 1 << 7, /* accesses where nothing is (core/guest_log.c) */
	LOG_UNIMP = 1 << 8,	   /* device registers rvjit does not model */
	LOG_PAGE = 1 << 9,	   /* QEMU: page dump of user-mode emulation; nothing here */
};

/* Why run() returned. */
enum machine_stop {
	STOP_NONE = 0,
	STOP_EXIT,  /* guest asked to end the run (HTIF, test finisher, poweroff) */
	STOP_RESET, /* guest asked for a reset */
	STOP_USER,  /* the user quit (Ctrl-a x, signal) */
	STOP_FATAL, /* unrecoverable emulator condition, message already printed */
};

/*
 * Hooks for a debugger (cli/gdbstub.c) and the state the core keeps for it
 * (core/debug.c). Breakpoints and watchpoints cost nothing per
 * instruction, in either engine:
 *  - breakpoints: blocks end before a breakpoint's pc, and the block that
 *    starts at one is marked and never run or translated: the dispatcher
 *    meets it and calls `stopped` instead (QEMU's way). Changing the set
 *    drops every block (as QEMU's tb_flush: the pc is virtual).
 *  - watchpoints: while m->watch_data is set no TLB entry is installed for
 *    data, so every load and store reaches the slow path, which asks
 *    watch_matches; a hit abandons the access before it happens (the
 *    instruction does not retire, pc stays at it), the dispatcher runs
 *    that one instruction again unwatched in the interpreter and then
 *    calls `stopped`: the report comes after the access, as QEMU's.
 * While m->per_insn is set (gdb single-step) the run loop runs harts in
 * the interpreter one instruction at a time and calls before_insn and
 * after_insn around each one. With a thread per hart every hook runs
 * under m->io_lock, on the hart's thread.
 */
enum debug_verdict {
	DEBUG_RUN = 0, /* execute the instruction */
	DEBUG_STOP,    /* do not execute it: the hook paused the machine */
};
enum debug_event {
	DEBUG_BREAK, /* h->pc is a breakpoint; the instruction has not run */
	DEBUG_WATCH, /* h's last instruction touched a watched address */
};
#define MAX_BREAKPOINTS 64
struct debug_hart {
	bool skip;	    /* resume through the breakpoint at skip_pc once */
	uint64_t skip_pc;   /* (the one this hart reported stopping at) */
	bool watch_pending; /* the access below hit: redo it unwatched, report */
	bool watch_bypass;  /* redoing it: the slow path asks nobody */
	uint64_t watch_va;  /* the access that hit */
	unsigned watch_size;
	bool watch_write;
};
struct machine_debug {
	/* Before hart h executes the instruction at h->pc (per_insn only). */
	enum debug_verdict (*before_insn)(void *opaque, struct hart *h);
	/* After it retired or trapped: true when the hook paused the machine. */
	bool (*after_insn)(void *opaque, struct hart *h);
	/* Does a load (write false) or store of [va, va+size) hit a watchpoint? */
	bool (*watch_matches)(void *opaque, uint64_t va, unsigned size, bool write);
	/* h met a breakpoint or a watchpoint: pause the machine. True when
	 * this is the stop the debugger hears of (false: already paused). */
	bool (*stopped)(void *opaque, struct hart *h, enum debug_event why,
			const struct debug_hart *d);
	void *opaque;
	bool noirq; /* per-instruction mode takes no interrupts (gdb single-step, as QEMU) */
	/* The breakpoint set (virtual pcs): changed through
	 * machine_set_breakpoint only, under m->tb_lock, which block
	 * building holds while it reads it. */
	uint64_t bps[MAX_BREAKPOINTS];
	unsigned nbps;
	struct debug_hart hart[MAX_HARTS]; /* by hart index (mhartid) */
};

struct machine {
	struct isa isa;	   /* the extensions every hart has (-cpu); fixed after start */
	uint8_t *ram;	   /* host mapping of guest RAM */
	uint64_t ram_base; /* guest physical address of ram[0] */
	uint64_t ram_size;
	uint8_t *page_flags; /* per RAM page: PAGE_* */

	struct bus bus;

	struct hart *harts[MAX_HARTS];
	unsigned nharts;

	struct tb_cache *tb;

	/* The execution engine for one quantum of a hart: NULL runs the
	 * interpreter; the translator installs itself here (jit/jit.h). */
	void (*run_hart)(struct hart *h);
	void *engine;
	/* Move FP exception flags the engine keeps elsewhere (the translator:
	 * in the host's MXCSR) into h->fflags; NULL when there are none. */
	void (*sync_fflags)(struct hart *h);
	/* Give a hart added while the engine runs (machine_add_hart) fresh
	 * per-hart engine state: h->engine_hart allocated when NULL, else
	 * (a retired hart's slot) reset. NULL when the engine needs none. */
	bool (*attach_hart)(struct hart *h);

	struct {
		device_poll_fn fn;
		void *opaque;
	} pollers[MAX_POLLERS];
	unsigned npollers;
	uint64_t next_deadline_ns; /* minimum of the pollers' last answers */

	atomic_int stop; /* enum machine_stop; set from devices or signal handlers */
	/* The VM run state (QEMU's "stop"/"cont", gdb, -S): while paused no
	 * hart runs, but pollers still do (the monitor and the gdb stub are
	 * pollers). Changed only by machine_pause and machine_resume, which
	 * stop and start the clock with it. */
	atomic_bool paused;
	/* The virtual clock (machine_clock_ns), a sequence lock: clock_seq is
	 * odd while machine_pause or machine_resume changes the three fields
	 * after it, and a reader that saw it odd or changed reads again. */
	atomic_uint clock_seq;
	_Atomic uint64_t clock_base_ns;	  /* running: host time of virtual 0 */
	_Atomic uint64_t clock_frozen_ns; /* stopped: virtual time at the stop */
	atomic_bool clock_stopped;
	/* See struct machine_debug. Set by the debugger (the I/O thread with
	 * a thread per hart), read by the harts. */
	atomic_bool per_insn;
	atomic_bool watch_data;
	/* Per hart, the debugger's run state: a held hart stays stopped while
	 * the others run (gdb resumed only some threads, the vCont packet).
	 * Set by cli/gdbstub.c; nothing holds a hart without a debugger. */
	atomic_bool held[MAX_HARTS];
	struct machine_debug debug;

	int exit_code; /* process exit status for STOP_EXIT */

	ram_watch_fn watch; /* called after a store to a PAGE_WATCH page */
	void *watch_opaque;

	/* wfi sleeping: harts wait on `wake` when every hart is idle. */
	pthread_mutex_t lock;
	pthread_cond_t wake;
	/* Under `lock`: a kick came since the pollers last ran, so the thread
	 * that runs them must not sleep (a kick while it was polling, before
	 * it waits, would otherwise be lost until the next deadline). */
	bool kicked;

	/* One host thread per hart (core/hart_threads.c); chosen before
	 * machine_run and fixed while it runs. Round-robin otherwise. */
	bool threaded;
	/* Threaded only. tb_lock: the block cache and the translated code
	 * (lookups, decoding, translation, chaining, invalidation). io_lock:
	 * the devices (every MMIO access, every poller, QEMU's BQL). Order:
	 * io_lock before tb_lock (device DMA invalidates blocks). */
	pthread_mutex_t tb_lock;
	pthread_mutex_t io_lock;
	/* The block arena or the code buffer is nearly full: the cache is
	 * flushed at the next point where no hart is running code. */
	atomic_bool flush_requested;
	/* Under `lock`: harts inside a quantum, and whether one hart has the
	 * machine to itself (a flush); `parked` is signalled as harts leave. */
	unsigned running;
	bool exclusive;
	pthread_cond_t parked;

	/* Blocks per quantum; 0 lets each engine use its own default (short
	 * in the interpreter, long in the translator). Both engines count
	 * the same events in h->budget: every block run (entered from the
	 * run loop, a chained jump, the jump cache or a loop's back edge),
	 * every fetch fault taken at a block's start, every instruction
	 * straddling a page (run on its own). A quantum ends at wfi, at a
	 * stop, or early when the budget is zeroed (hart_set_mip: an
	 * interrupt became takeable; a full block cache), and goes on in
	 * M-mode one block at a time (M_MODE_GRACE_BLOCKS). So with a value
	 * set, round-robin runs (one host thread, as -icount forces) switch
	 * harts at the same points in both engines: the same interleaving,
	 * hence the same results of harts racing on shared memory (the
	 * translator fuzzer compares them, test/fuzz/rvgen.h). */
	unsigned quantum_blocks;

	/* -icount: time follows retired instructions (machine_mtime) and the
	 * harts run round-robin, so a run repeats exactly given the same
	 * input. Only the run loop's thread touches these. */
	bool icount;
	unsigned icount_shift;
	uint64_t icount_ns;		/* virtual ns of the quanta already run */
	const struct hart *icount_hart; /* the hart running now, or NULL */
	uint64_t icount_hart_start;	/* its instret when its quantum began */

	uint64_t tohost_addr; /* HTIF mailbox from the ELF symbols, 0 if absent */
	uint64_t fromhost_addr;

	/* User-mode emulation (user/): the guest is one Linux process, not a
	 * board. Its whole address space is RAM at guest address 0 (so a
	 * guest address is an offset into m->ram); user_prot, one byte per
	 * page of it (USER_PROT_*, as the guest mapped the page), stands in
	 * for page tables: an access it does not allow is a page fault. Every
	 * exception taken in U-mode (ecall, faults) goes to user_trap in
	 * place of a trap into a kernel, which handles it (a system call, a
	 * signal) and sets the pc to go on at. */
	uint8_t *user_prot;
	void (*user_trap)(struct hart *h, uint64_t cause, uint64_t tval, uint64_t epc);
	void *user; /* the user-mode front end's process state */

	unsigned log_mask;	       /* LOG_* */
	FILE *log;		       /* -D file, or stderr */
	struct guest_symbols *symbols; /* the loaded ELFs' functions, for the logs */
};

/* Guest protections of a user-mode page (m->user_prot). */
enum {
	USER_PROT_READ = 1,
	USER_PROT_WRITE = 2,
	USER_PROT_EXEC = 4,
	/* Writable, and no store to it needs noticing (no translated code,
	 * no watcher): the translator's stores may go straight to it. Given
	 * by the slow path on a store, as a TLB fill would be (core/mmu.c). */
	USER_PROT_FAST_WRITE = 8,
};

/* Per-page flags are read and changed by every hart's thread. */
static inline uint8_t page_flags_of(const struct machine *m, uint64_t page)
{
	return __atomic_load_n(&m->page_flags[page], __ATOMIC_SEQ_CST);
}
static inline void page_flags_add(struct machine *m, uint64_t page, uint8_t flags)
{
	__atomic_fetch_or(&m->page_flags[page], flags, __ATOMIC_SEQ_CST);
}
static inline void page_flags_remove(struct machine *m, uint64_t page, uint8_t flags)
{
	__atomic_fetch_and(&m->page_flags[page], (uint8_t)~flags, __ATOMIC_SEQ_CST);
}

static inline bool machine_hart_held(struct machine *m, const struct hart *h)
{
	return atomic_load_explicit(&m->held[h->mhartid], memory_order_relaxed);
}

/* Allocate a machine with `ram_size` bytes of RAM at `ram_base` and `nharts`
 * harts starting at `reset_pc`. Returns NULL with a message on failure. */
struct machine *machine_new(uint64_t ram_base, uint64_t ram_size, unsigned nharts,
			    uint64_t reset_pc);
void machine_free(struct machine *m);

/* A machine for user-mode emulation: one hart with the extensions `isa`
 * in U-mode, and `space_size` bytes of address space at guest address 0,
 * reserved but mapped nowhere (the front end maps pages into m->ram as the
 * guest asks, and marks them in m->user_prot). NULL with a message on
 * failure. */
struct machine *machine_new_user(uint64_t space_size, const struct isa *isa);

/* Give every hart the extensions `isa` (misa and menvcfg's reset value
 * follow). Before the machine first runs: decoded and translated code
 * depend on it. */
void machine_set_isa(struct machine *m, const struct isa *isa);

/* Run the harts (in m->run_hart's engine, or the interpreter) until
 * something stops the machine; core/run.c. Returns the reason (also left
 * in m->stop). */
enum machine_stop machine_run(struct machine *m);

/* machine_run with one host thread per hart (m->threaded). */
enum machine_stop machine_run_threaded(struct machine *m);

/* The I/O side of a threaded machine: run the pollers (under io_lock),
 * sleeping between rounds until kicked or the next deadline, until the
 * machine stops. machine_run_threaded's own thread does this; rvjit-user
 * runs it on a thread of its own for the gdb stub. */
void machine_poll_until_stopped(struct machine *m);

/* A thread per hart outside machine_run_threaded (user mode, where each
 * guest thread's host thread runs its hart): the same rules as its hart
 * loop. machine_enter_quantum blocks until h may run a quantum (false:
 * the machine stops); h then counts as running until
 * machine_leave_quantum. A hart outside a quantum (between quanta, in a
 * system call) does not count: no exclusive section waits for it. */
bool machine_enter_quantum(struct hart *h);
void machine_leave_quantum(struct hart *h);
/* Between quanta: run the full cache flush that a full block arena or
 * code buffer requested (m->flush_requested), once no hart runs. */
void machine_flush_if_requested(struct machine *m);
/* An exclusive section: wait until no hart is inside a quantum (their
 * budgets are zeroed, so they leave at their next block entry), and keep
 * every hart out of one until machine_exclusive_end. The caller must not
 * be inside a quantum. No-ops unless m->threaded. */
void machine_exclusive_begin(struct machine *m);
void machine_exclusive_end(struct machine *m);
/* Around fork() with several threads (user mode; hart_threads.c): prepare
 * before, then parent or child after. The child is left with one thread,
 * so it runs round-robin (m->threaded false). */
void machine_fork_prepare(struct machine *m);
void machine_fork_parent(struct machine *m);
void machine_fork_child(struct machine *m);

/* Add hart `index` (below MAX_HARTS; a slot past nharts, or one whose
 * hart the caller has retired and nothing runs) as a copy of `from`'s
 * user-mode state: its registers, pc, fcsr and the CSRs of U-mode
 * (mstatus, the counter and envcfg enables), with an empty TLB and the
 * engine's per-hart state. For user mode's new threads, while `from` is
 * between quanta. NULL when memory runs out. */
struct hart *machine_add_hart(struct machine *m, unsigned index, const struct hart *from);

/* Take or release m->tb_lock / m->io_lock (no-ops unless m->threaded). */
void machine_tb_lock(struct machine *m);
void machine_tb_unlock(struct machine *m);
void machine_io_lock(struct machine *m);
void machine_io_unlock(struct machine *m);

/* Run one quantum of hart h in the interpreter. */
void interp_run_hart(struct hart *h);

/* A quantum that runs out while its hart is in M-mode goes on, block by
 * block (in both engines alike), for up to this many blocks or until the hart leaves M-mode.
 * Firmware expects its short critical sections to run through: OpenSBI 1.1
 * marks a hart START_PENDING before it stores the start address, and the
 * stopped hart, spinning on that state (its wfi returns at once while the
 * boot IPI is still pending), would jump to a stale address if it ran in
 * between. A hart spinning in M-mode loses only these few blocks. */
#define M_MODE_GRACE_BLOCKS 64

/* h->budget at the start of a quantum: m->quantum_blocks when set, else
 * the engine's default. */
static inline int32_t machine_quantum(const struct machine *m, int32_t engine_default)
{
	if (!m->quantum_blocks)
		return engine_default;
	return m->quantum_blocks < INT32_MAX ? (int32_t)m->quantum_blocks : INT32_MAX;
}

/* Per-instruction mode (m->per_insn): run up to one quantum of h one
 * instruction at a time, consulting m->debug around each. */
void interp_step_hart(struct hart *h);

/* Execute exactly the instruction at h->pc in the interpreter, whatever
 * breakpoint is there (core/interp.c). */
void interp_exec_one(struct hart *h);

/* Drop every hart's TLB (machine.c). Only where no hart runs: between
 * quanta without threads, in an exclusive flush with them. */
void machine_flush_tlbs(struct machine *m);

/* ---- the debugger's side of the core (core/debug.c) ---- */

/* Insert or remove a breakpoint at virtual pc; false when the set is
 * full. Drops the translated code (machine_drop_code). */
bool machine_set_breakpoint(struct machine *m, uint64_t pc, bool insert);
void machine_clear_breakpoints(struct machine *m);
/* Is pc in the breakpoint set? (Block building, under m->tb_lock.) */
bool machine_is_breakpoint(const struct machine *m, uint64_t pc);

/* Turn data watching (m->watch_data) on or off; turning it on drops the
 * TLBs so that every data access reaches the slow path. */
void machine_watch_data(struct machine *m, bool on);

/* Drop every block and its translated code: at once without threads
 * (the caller runs between quanta), else at the next moment no hart runs
 * and before any hart runs again (core/hart_threads.c). */
void machine_drop_code(struct machine *m);

/* Make every hart leave its quantum soon (the machine was just paused):
 * translated code leaves at its next block entry or loop head. */
void machine_halt_harts(struct machine *m);

/* No hart is inside a quantum (always true without threads): after a
 * pause, their state holds still. (core/hart_threads.c) */
bool machine_harts_parked(struct machine *m);

/* The dispatcher met the breakpoint block at h->pc: either h resumes
 * through it once (it reported stopping there) or the debugger hears of
 * it. True when the hart must leave its quantum. */
bool debug_breakpoint(struct hart *h);

/* An access of h's hit a watchpoint (its instruction did not run): run it
 * unwatched, then tell the debugger. */
static inline bool debug_watch_pending(const struct hart *h);
void debug_finish_watch(struct hart *h);

/* The debugger resumes the machine: forget resume-through marks of harts
 * whose pc it moved. */
void debug_resume(struct machine *m);

/* Ask the machine to stop at the next block boundary. */
void machine_request_stop(struct machine *m, enum machine_stop why, int exit_code);

/* Register a poller; false when the table is full. */
bool machine_add_poller(struct machine *m, device_poll_fn fn, void *opaque);

/* Run every poller (from the run loop). */
void machine_poll_devices(struct machine *m);

/* How long an all-idle machine may sleep before polling again. */
unsigned machine_idle_budget_ms(const struct machine *m);

/* Wake any hart sleeping in wfi (a device raised an interrupt). */
void machine_kick(struct machine *m);

/* mtime (and the `time` CSR) counts at 10 MHz, QEMU virt's
 * timebase-frequency, which the device tree gives: one tick is 100 ns. */
#define MTIME_HZ	  10000000ULL
#define NS_PER_MTIME_TICK (1000000000ULL / MTIME_HZ)

/*
 * The virtual clock, QEMU's QEMU_CLOCK_VIRTUAL: nanoseconds of the host's
 * monotonic clock since machine_new, less the time the machine spent
 * paused. It stands still from machine_pause to machine_resume, so a guest
 * stopped by the monitor, by gdb or by -S finds no time gone when it runs
 * again (no timer interrupt became due, no jump in `time`). Every hart
 * thread and the I/O thread read it without a lock; it never goes
 * backwards.
 */
uint64_t machine_clock_ns(const struct machine *m);

/* True while the virtual clock stands still (the machine is paused). */
bool machine_clock_stopped(const struct machine *m);

/*
 * Stop the machine (monitor `stop`, a gdb stop, -S): set m->paused and
 * stop the virtual clock at once, as QEMU's vm_stop stops its clock before
 * it waits for the vCPUs. Harts stop at their next quantum boundary.
 * machine_resume starts both again (`cont`, a gdb continue or step). Both
 * are idempotent, and are the only writers of m->paused.
 */
void machine_pause(struct machine *m);
void machine_resume(struct machine *m);

/* mtime: MTIME_HZ ticks of the virtual clock, or with -icount of the
 * instruction clock: 2^shift ns per instruction retired by any hart, plus
 * the idle stretches the run loop skips (that clock moves only while
 * harts run, so a pause stops it too). */
uint64_t machine_mtime(const struct machine *m);

/* The host's monotonic clock, in nanoseconds. */
uint64_t host_monotonic_ns(void);

/* Wait on m->wake, m->lock held, until kicked or `ns` nanoseconds pass. */
void machine_wait_wake(struct machine *m, uint64_t ns);

/* Mark a RAM page watched: after every guest store to it, watch(opaque, pa,
 * size) runs. One watcher per machine. */
void machine_watch_page(struct machine *m, uint64_t pa, ram_watch_fn watch, void *opaque);

/*
 * Something other than a hart's store wrote guest RAM [pa, pa+len): a
 * device's DMA (virtio buffers and rings, HTIF's mailbox). Every such
 * writer calls this after the write, and never reaches into the block
 * cache itself. Blocks decoded from the pages written are dropped, as a
 * hart's store to them would drop them (Linux reads executables straight
 * into the page cache). Nothing else needs telling: SC compares against the
 * value its LR read, so it sees the new bytes without help, and watched
 * pages (PAGE_WATCH) watch the harts' stores only. The part of the range
 * outside RAM is ignored.
 */
void machine_ram_written(struct machine *m, uint64_t pa, uint64_t len);

/* Host pointer for [pa, pa+len) if it is RAM, or ROM when !write; else NULL. */
uint8_t *machine_host_ptr(struct machine *m, uint64_t pa, uint64_t len, bool write);

static inline bool debug_watch_pending(const struct hart *h)
{
	return h->m->debug.hart[h->mhartid].watch_pending;
}

static inline bool machine_is_ram(const struct machine *m, uint64_t pa, uint64_t len)
{
	return pa >= m->ram_base && pa - m->ram_base < m->ram_size &&
	       len <= m->ram_size - (pa - m->ram_base);
}

#endif
