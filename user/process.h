/*
 * rvjit-user: one riscv64 Linux process run on the host's Linux.
 *
 * The guest's address space is one reservation of USER_SPACE_SIZE bytes of
 * host address space (m->ram), guest address a at host address m->ram + a,
 * so system calls hand guest buffers straight to the host kernel. The guest
 * reaches nothing outside it: every guest load, store and fetch goes
 * through the soft MMU, which checks the guest's own protections
 * (m->user_prot) and maps only into that reservation; every pointer a
 * system call receives is checked against the same protections first
 * (user_ptr, user_string), and a bad one is -EFAULT.
 *
 * System calls run on the thread of the hart that made them, as a kernel
 * would run them: its ecall (m->user_trap) ends the quantum and the call
 * runs right after, outside translated code and outside the quantum, so
 * a thread blocked in one (a futex wait, a read) holds up no other
 * (user/run.c). Each guest thread is a hart of the machine run by a host
 * thread of its own (user/thread.c).
 */
#ifndef RVJIT_USER_PROCESS_H
#define RVJIT_USER_PROCESS_H

#include "core/machine.h"
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

/* Sv39's user half: what riscv64 Linux gives a process on most boards. */
#define USER_SPACE_SIZE (1ULL << 38)
/* The top of the initial stack, and its size (RLIMIT_STACK's default). */
#define USER_STACK_TOP	(USER_SPACE_SIZE - 0x1000)
#define USER_STACK_SIZE (8ULL << 20)
/* Where mmap looks first for room, searching down (Linux's top-down
 * layout: below the stack and its gap). */
#define USER_MMAP_TOP (USER_STACK_TOP - USER_STACK_SIZE - (256ULL << 20))
/* Where a position-independent executable goes (Linux's ELF_ET_DYN_BASE
 * for Sv39: two thirds of the space), and the lowest mmap address. */
#define USER_PIE_BASE (((USER_SPACE_SIZE / 3) * 2) & ~0xffffULL)
#define USER_MMAP_MIN 0x10000ULL

#define USER_MAX_SIGNALS 64
#define USER_MAX_SHM	 64
/* Signals taken from the host and not yet delivered, per thread: standard
 * signals once each, real-time ones queued up to this many in all. */
#define USER_SIGQUEUE 64

/* A guest's sigaction (the riscv64 kernel's struct sigaction layout). */
struct user_sigaction {
	uint64_t handler; /* SIG_DFL 0, SIG_IGN 1, or a guest address */
	uint64_t flags;	  /* SA_* */
	uint64_t mask;	  /* blocked while the handler runs */
};

/* One guest thread: a hart of the machine, run by one host thread. What
 * Linux keeps per thread (the signal mask, the alternate stack, the tid
 * to clear at exit) lives here. */
struct user_thread {
	struct user_process *p;
	struct hart *h;
	int tid;	    /* the host thread's id, which the guest sees */
	uint64_t clear_tid; /* set_tid_address */
	uint64_t sigaltstack_sp, sigaltstack_size;
	uint32_t sigaltstack_flags;
	uint64_t sigmask;    /* blocked guest signals (bit n-1 for signal n); the host
				thread's own mask is kept the same (user/signal.c) */
	uint64_t sigpending; /* the signals in sigq */
	/* Signals the host delivered to this thread (its handler in
	 * user/signal.c) that wait for delivery to the guest, oldest first,
	 * each with its siginfo (riscv64's layout is x86-64's). Written by
	 * the host handler, and otherwise only with host signals blocked. */
	struct user_sigqueue {
		unsigned n;
		struct {
			uint8_t info[128];
		} q[USER_SIGQUEUE];
	} sigq;
	/* rt_sigsuspend, ppoll and pselect6 run with a mask of the guest's
	 * choosing: the mask to go back to once a handler ran (the one its
	 * frame saves) or the call ends. */
	uint64_t saved_sigmask;
	bool saved_sigmask_valid;
	/* The system call in progress (do_syscall), for restarting it when
	 * a signal interrupted it (SA_RESTART). Signals pending for the
	 * whole process are the host's to keep (user/signal.c). */
	bool in_syscall;
	uint64_t syscall_nr, syscall_a0, syscall_epc;
	/* Set by the host handler when it takes a signal, cleared when a
	 * guest system call starts: a host call made through
	 * user_safe_syscall does not start to sleep once it is set. */
	int signal_kick;
	/* Its ecall ended the quantum; the system call runs next, between
	 * quanta (user_thread_run), where the hart counts as not running. */
	bool syscall_pending;
	uint64_t tlb_gen;		  /* p->space_gen its hart's TLB was last flushed at */
	uint64_t robust_list, robust_len; /* set_robust_list */
};

/* A mapping with a name in /proc/self/maps: a file's, or [stack]. */
struct user_region {
	uint64_t start, end, offset;
	uint64_t dev, inode;
	char *name;
};

struct user_process {
	struct machine *m;
	/* The live threads, by hart index (mhartid): a slot is NULL once its
	 * thread exited, and a new thread may take it. Changed under `lock`
	 * (user/thread.c); a thread's own slot stays put while it runs. */
	struct user_thread *threads[MAX_HARTS];
	unsigned nthreads;	  /* live ones */
	pthread_mutex_t lock;	  /* threads[], nthreads */
	struct user_thread *main; /* the first thread (NULL once it exited) */
	/* Address-space changes (user/space.c): one at a time, under
	 * space_lock; space_gen counts those that may leave stale TLB
	 * entries, which every hart drops at its next quantum. */
	pthread_mutex_t space_lock;
	uint64_t space_gen;   /* atomic */
	bool space_exclusive; /* the change holding space_lock stopped the harts */
	const char *exe_path; /* absolute host path of the executable */
	const char *sysroot;  /* -L: prefix for absolute paths, or NULL */
	const char *self_exe; /* the emulator itself, for execve of riscv64 programs */
	char **self_argv;     /* its argv up to the program: passed on by execve */
	int self_argc;
	bool strace;		 /* -strace: log every system call */
	bool stats;		 /* --stats at exit */
	FILE *log;		 /* -strace and -d output */
	uint64_t brk_start, brk; /* the heap: from the end of the executable's bss */
	uint64_t mmap_hint;	 /* where the next search for room starts, going down */
	uint64_t exe_base, exe_entry, interp_base;
	uint64_t execfn;	 /* guest address of AT_EXECFN's string */
	uint64_t vdso;		 /* 0: none is provided */
	uint64_t sigreturn_code; /* the guest page whose code handlers return to (signal_frame.c) */
	struct user_sigaction sigactions[USER_MAX_SIGNALS + 1];
	uint64_t syscalls;	     /* counted for --stats (atomic) */
	struct gdbstub *gdb;	     /* -g, or NULL */
	struct user_region *regions; /* sorted by start, not overlapping */
	struct {
		uint64_t addr, len; /* len 0: a free slot */
	} shm[USER_MAX_SHM];	    /* System V segments attached (shmat) */
	size_t nregions;
};

/* ---- the address space (user/space.c) ---- */

bool user_space_init(struct user_process *p);
/* Around every change of the address space by a system call (mmap,
 * munmap, mprotect, mremap, brk): one thread at a time; see space.c for
 * how other threads' TLBs are kept right. */
void user_space_lock(struct user_process *p);
void user_space_unlock(struct user_process *p);
/* Before a change that removes host mappings or lowers protections,
 * with space_lock held: no hart runs guest code until user_space_unlock. */
void user_space_stop_harts(struct user_process *p);
/* Set m->user_prot of [addr, addr+len) (page-aligned) to `bits`, with
 * space_lock held. */
void user_space_set_prot(struct user_process *p, uint64_t addr, uint64_t len, uint8_t bits);
/* At the start of t's quantum: drop its TLB if the space changed since. */
void user_space_sync(struct user_thread *t);
/* Map [addr, addr+len) (page-aligned) with guest protections `prot`
 * (PROT_*): anonymous when fd < 0, else fd's bytes from `off`; shared or
 * private as `flags` (MAP_SHARED/MAP_PRIVATE) says. Replaces what was
 * there. Returns 0 or -errno. */
int user_map(struct user_process *p, uint64_t addr, uint64_t len, int prot, int flags, int fd,
	     uint64_t off);
int user_unmap(struct user_process *p, uint64_t addr, uint64_t len);
int user_protect(struct user_process *p, uint64_t addr, uint64_t len, int prot);
/* Find `len` free bytes, at or below `hint` if it is nonzero, else below
 * the last place found. Returns the address, or 0 when there is no room. */
uint64_t user_find_room(struct user_process *p, uint64_t len, uint64_t hint);
/* Name [addr, addr+len) in /proc/self/maps (a copy of name is kept). */
void user_name_region(struct user_process *p, uint64_t addr, uint64_t len, const char *name);
/* The guest's /proc/self/maps, as Linux writes it, to descriptor fd. */
void user_write_maps(const struct user_process *p, int fd);

/* The host mapped [addr, addr+len) itself (shmat): give it the guest
 * protections `prot` (PROT_*). */
void user_adopt_mapping(struct user_process *p, uint64_t addr, uint64_t len, int prot, bool shared);

/* Is [addr, addr+len) all mapped? */
bool user_range_mapped(const struct user_process *p, uint64_t addr, uint64_t len);

/* Host pointer to the guest's [addr, addr+len) when every page of it
 * allows `prot` (USER_PROT_READ / USER_PROT_WRITE), else NULL. len 0 is
 * always allowed (and addr may then be anything). */
void *user_ptr(const struct user_process *p, uint64_t addr, uint64_t len, unsigned prot);
/* The guest's NUL-terminated string at addr, readable to its end; NULL
 * when it is not. */
const char *user_string(const struct user_process *p, uint64_t addr);

/* A guest path as the host should open it: absolute paths are looked
 * up under the sysroot first (QEMU's -L). Returns path or buf. */
const char *user_path(const struct user_process *p, const char *path, char *buf, size_t size);

/* ---- loading (user/elf_load.c) ---- */

/* Load the executable at host path `path` (and its interpreter) and build
 * the initial stack: argv, envp, auxv. Sets the hart's pc and sp. Returns
 * 0, or -1 with a message in err. */
int user_load(struct user_process *p, const char *path, char *const argv[], char *const envp[],
	      char *err, size_t errlen);

/* ---- the gdb stub (user/gdb.c) ---- */

/* -g: listen for gdb on `port` and hold the program before its first
 * instruction until gdb continues it. False with a message in err. */
bool user_gdb_start(struct user_process *p, const char *port, char *err, size_t errlen);
/* The process ends with `code`: a connected gdb hears of it. */
void user_gdb_exit(struct user_process *p, int code);
/* In a forked child: run on undebugged. */
void user_gdb_forget(struct user_process *p);

/* ---- running (user/run.c) ---- */

/* Run thread t's guest code until the process or the thread ends. */
_Noreturn void user_thread_run(struct user_thread *t);

/* ---- threads (user/thread.c) ---- */

/* clone/clone3 of a thread (CLONE_VM without CLONE_VFORK): `flags` as
 * clone's (CLONE_*, no exit signal), `stack` the new sp (0: the
 * caller's), `tls` the new tp, and the guest addresses of the parent's
 * and the child's tid words. The new thread's tid, or -errno. */
long user_thread_clone(struct user_thread *t, uint64_t flags, uint64_t stack, uint64_t tls,
		       uint64_t parent_tid, uint64_t child_tid);
/* The exit system call: the thread ends (its clear_tid word is zeroed and
 * woken), and the process with it when it was the last. */
_Noreturn void user_thread_exit(struct user_thread *t, int code);
/* fork (clone without CLONE_VM, or vfork): the host's fork with the
 * machine's and the process's locks held, so the child, which keeps only
 * the calling thread, inherits none locked. The host fork's result. */
pid_t user_fork(struct user_thread *t);

/* ---- system calls (user/syscall.c) ---- */

/* m->user_trap: a U-mode exception of the guest (ecall: a system call,
 * which ends the quantum and runs in user_syscall; a fault: a signal). */
void user_trap(struct hart *h, uint64_t cause, uint64_t tval, uint64_t epc);
/* Run the system call t's ecall asked for (t->syscall_pending). */
void user_syscall(struct user_thread *t);

/* The guest thread running on hart h. */
static inline struct user_thread *user_thread_of(const struct hart *h)
{
	return ((struct user_process *)h->m->user)->threads[h->mhartid];
}

/* The guest process ends with status `code` (exit_group). */
_Noreturn void user_exit(struct user_process *p, int code);

#endif
