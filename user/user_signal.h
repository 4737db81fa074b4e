/*
 * Signals of the guest process (user/signal.c, user/signal_frame.c): the
 * guest's dispositions and masks, synchronous signals from its faults,
 * asynchronous ones taken from the host, and delivery on the guest's stack
 * with riscv64 Linux's signal frame.
 */
#ifndef RVJIT_USER_SIGNAL_H
#define RVJIT_USER_SIGNAL_H

#include "process.h"
#include <signal.h>

/* riscv64's generic signal numbers and SA_ and SS_ flags are x86-64's. */
#define USER_SIG_BIT(n) (1ULL << ((n)-1))

/* The host thread starts running guest thread t: host signals reach it
 * from now on. The first thread also sets up the process's signals: the
 * dispositions the host inherited (ignored stays ignored across execve),
 * its mask, the host handlers, the sigreturn code page. */
void user_signal_thread_start(struct user_thread *t);

/* The guest took exception `cause` (not an ecall) with `tval` at h->pc:
 * the signal Linux would send for it is delivered at once; blocked or
 * ignored, the process dies of it (Linux's force_sig). */
void user_signal_fault(struct user_thread *t, uint64_t cause, uint64_t tval);

/* Run a handler for every pending, unblocked signal: called when the guest
 * leaves a system call or a fault, and after every quantum (a host signal
 * ends the quantum at once). Restarts an interrupted system call as
 * Linux would (SA_RESTART). */
void user_signal_deliver(struct user_thread *t);

/* Is a signal waiting that t does not block? */
static inline bool user_signal_ready(const struct user_thread *t)
{
	return __atomic_load_n(&t->sigpending, __ATOMIC_RELAXED) & ~t->sigmask;
}

/* Die of host signal sig as Linux kills a process: the parent sees
 * WIFSIGNALED; no core of the emulator is left. Signals whose default
 * action dumps core are reported on stderr as QEMU does. */
_Noreturn void user_signal_die(struct user_process *p, int sig);

/* The host's set of the guest signals in mask. */
void user_signal_host_set(sigset_t *set, uint64_t mask);

/* Take the lowest signal of `set` that t has taken from the host and not
 * delivered yet, with its siginfo; 0 when there is none. */
int user_signal_take(struct user_thread *t, uint64_t set, uint8_t info[128]);

/* A host system call that may block, for a guest system call: its
 * result as the kernel gives it (-errno), or -EINTR without sleeping when
 * a signal came since the guest's call started (user/safe_syscall.c). */
long user_safe_syscall(struct user_thread *t, long nr, long a1, long a2, long a3, long a4, long a5,
		       long a6);
/* From the host signal handler, with its ucontext: a thread interrupted
 * inside user_safe_syscall before its syscall instruction returns EINTR. */
void user_safe_syscall_rewind(void *ctx);

/* The host thread's signal mask becomes the guest's t->sigmask. */
void user_signal_sync_mask(const struct user_thread *t);

/* A host call that waits (ppoll, pselect6, epoll_pwait, rt_sigsuspend)
 * with the guest's `mask` in place of its own (NULL: with its own) and
 * must not miss a signal that comes before it sleeps: host signals are
 * blocked from user_signal_wait_begin to the call, which opens them with
 * w->host (its sigmask argument) atomically, so that one coming meanwhile
 * ends the wait at once (EINTR). False when one taken from the host
 * already is deliverable: the caller returns -EINTR without waiting.
 * t->sigmask is the wait's mask until the call's signals are delivered
 * (user_signal_deliver), then what it was. */
struct user_wait {
	sigset_t host;	  /* the mask to wait with */
	sigset_t restore; /* the host mask before */
};
bool user_signal_wait_begin(struct user_thread *t, const uint64_t *mask, struct user_wait *w);
/* After the waiting call (whether or not it waited). */
void user_signal_wait_end(struct user_wait *w);

/* ---- the frame (user/signal_frame.c) ---- */

/* Map the page of code handlers return to (li a7, 139; ecall), as Linux's
 * vDSO provides __vdso_rt_sigreturn. Returns false when there is no room. */
bool user_signal_code_map(struct user_process *p);

/* Enter handler `act` for signal sig with `info` (128 bytes): the frame on
 * the guest's stack (or its alternate stack) saves every register, the
 * mask `oldmask` and the alternate stack. False when the frame cannot be
 * written (the caller kills the process with SIGSEGV, as Linux does). */
bool user_signal_frame_push(struct user_thread *t, int sig, const uint8_t info[128],
			    const struct user_sigaction *act, uint64_t oldmask);

/* Is guest address sp on t's alternate signal stack? */
bool user_on_altstack(const struct user_thread *t, uint64_t sp);

#endif
