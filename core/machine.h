/*
 * A whole emulated machine: RAM, the physical bus, the harts and the block
 * cache. Nothing here is global: tests create many machines in one process.
 */
#ifndef RVJIT_MACHINE_H
#define RVJIT_MACHINE_H

#include "bus.h"
#include "hart.h"
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>

#define MAX_HARTS 8

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
#define MAX_POLLERS 8

struct tb_cache;

/* -d log categories (QEMU's names). */
enum {
	LOG_IN_ASM = 1 << 0,  /* each guest instruction as it executes */
	LOG_OUT_ASM = 1 << 1, /* generated host code */
	LOG_EXEC = 1 << 2,    /* each block as it starts */
	LOG_INT = 1 << 3,     /* interrupts and exceptions */
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
 * Hooks for a debugger (cli/gdbstub.c). While m->per_insn is set the run
 * loop runs harts in the interpreter one instruction at a time (the
 * translator would skip the checks) and calls before_insn and after_insn
 * around each one; while m->watch_data is set every load and store takes
 * the slow path (no TLB entry is installed for data) and data_access sees
 * it once translated. All run on the machine's thread.
 */
enum debug_verdict {
	DEBUG_RUN = 0, /* execute the instruction */
	DEBUG_STOP,    /* do not execute it: the hook paused the machine */
};
struct machine_debug {
	/* Before hart h executes the instruction at h->pc. */
	enum debug_verdict (*before_insn)(void *opaque, struct hart *h);
	/* After it retired or trapped: true when the hook paused the machine. */
	bool (*after_insn)(void *opaque, struct hart *h);
	/* A load (write false) or store of [va, va+size) by h was translated. */
	void (*data_access)(void *opaque, struct hart *h, uint64_t va, unsigned size, bool write);
	void *opaque;
	bool noirq; /* per-instruction mode takes no interrupts (gdb single-step, as QEMU) */
};

struct machine {
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

	struct {
		device_poll_fn fn;
		void *opaque;
	} pollers[MAX_POLLERS];
	unsigned npollers;
	uint64_t next_deadline_ns; /* minimum of the pollers' last answers */

	atomic_int stop; /* enum machine_stop; set from devices or signal handlers */
	/* The VM run state (QEMU's "stop"/"cont", gdb, -S): while paused no
	 * hart runs, but pollers still do (the monitor and the gdb stub are
	 * pollers). */
	atomic_bool paused;
	/* Per hart, the debugger's run state: a held hart stays stopped while
	 * the others run (gdb resumed only some threads, the vCont packet).
	 * Set by cli/gdbstub.c; nothing holds a hart without a debugger. */
	atomic_bool held[MAX_HARTS];
	bool per_insn; /* see struct machine_debug */
	bool watch_data;
	struct machine_debug debug;

	int exit_code; /* process exit status for STOP_EXIT */

	ram_watch_fn watch; /* called after a store to a PAGE_WATCH page */
	void *watch_opaque;

	/* wfi sleeping: harts wait on `wake` when every hart is idle. */
	pthread_mutex_t lock;
	pthread_cond_t wake;

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
	uint64_t start_ns; /* host monotonic time at creation: mtime 0 */

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

	unsigned log_mask; /* LOG_* */
	FILE *log;	   /* -D file, or stderr */
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

/* Run the harts (in m->run_hart's engine, or the interpreter) until
 * something stops the machine; core/run.c. Returns the reason (also left
 * in m->stop). */
enum machine_stop machine_run(struct machine *m);

/* machine_run with one host thread per hart (m->threaded). */
enum machine_stop machine_run_threaded(struct machine *m);

/* Take or release m->tb_lock / m->io_lock (no-ops unless m->threaded). */
void machine_tb_lock(struct machine *m);
void machine_tb_unlock(struct machine *m);
void machine_io_lock(struct machine *m);
void machine_io_unlock(struct machine *m);

/* Run one quantum of hart h in the interpreter. */
void interp_run_hart(struct hart *h);

/* A quantum that runs out while its hart is in M-mode goes on, block by
 * block, for up to this many blocks or until the hart leaves M-mode.
 * Firmware expects its short critical sections to run through: OpenSBI 1.1
 * marks a hart START_PENDING before it stores the start address, and the
 * stopped hart, spinning on that state (its wfi returns at once while the
 * boot IPI is still pending), would jump to a stale address if it ran in
 * between. A hart spinning in M-mode loses only these few blocks. */
#define M_MODE_GRACE_BLOCKS 64

/* Per-instruction mode (m->per_insn): run up to one quantum of h one
 * instruction at a time, consulting m->debug around each. */
void interp_step_hart(struct hart *h);

/* Ask every hart to take the data slow path from now on (m->watch_data
 * was just set): drops their TLBs. */
void machine_flush_tlbs(struct machine *m);

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

/* mtime: MTIME_HZ ticks of the host's monotonic clock since the machine
 * was created, or with -icount of the virtual clock: 2^shift ns per
 * instruction retired by any hart, plus the idle stretches the run loop
 * skips. */
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

static inline bool machine_is_ram(const struct machine *m, uint64_t pa, uint64_t len)
{
	return pa >= m->ram_base && pa - m->ram_base < m->ram_size &&
	       len <= m->ram_size - (pa - m->ram_base);
}

#endif
