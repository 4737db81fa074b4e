/*
 * The guest's signals: dispositions, masks, the alternate stack, and when
 * and how a signal reaches the guest (the frame itself: signal_frame.c).
 *
 * The host kernel does the bookkeeping a kernel does for signals sent from
 * outside: every guest thread is a host thread whose host signal mask is
 * the guest's (user_signal_sync_mask), so the host routes a process-wide
 * signal to a thread that does not block it, keeps blocked ones pending
 * (real-time ones queued, with their siginfo), and interrupts a blocking
 * host system call only for a signal the guest would be interrupted by.
 * Each guest disposition has a host one (host_disposition): ignored is
 * ignored, default is the host's default (the same action) except for the
 * signals whose default dumps core, and a guest handler, or a core-dumping
 * default, is host_signal. host_signal does only async-signal-safe things:
 * it queues the signal and its siginfo on the thread it ran on and ends
 * that hart's quantum (zeroing h->budget, which translated code checks at
 * every block entry and loop back edge), so the guest's handler runs
 * within a block's time, or when the interrupted system call returns
 * (EINTR, as the host handler is installed without SA_RESTART; the call
 * is restarted for the guest as Linux would restart it).
 *
 * So SIGPIPE needs nothing of its own: a guest handler is a host handler,
 * and the host's write both raises it and fails with EPIPE; default, the
 * host kills the process with it; ignored, the write fails with EPIPE.
 *
 * A signal the host gives a thread between the guest's ecall and the host
 * call that sleeps in it must still end the sleep: the calls that wait
 * with a mask, and rt_sigsuspend, block host signals until the host call
 * opens them (user_signal_wait_begin); the others that may sleep for
 * long (read, write, readv, writev, wait4) go through user_safe_syscall,
 * which does not sleep once a signal came (user/safe_syscall.c).
 *
 * Faults of the guest (user_signal_fault) are delivered at once without
 * the host, as Linux's force_sig.
 */
#define _GNU_SOURCE
#include "syscall_numbers.h"
#include "syscalls.h"
#include "user_signal.h"
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#define SIG_BIT	      USER_SIG_BIT
#define UNBLOCKABLE   (SIG_BIT(SIGKILL) | SIG_BIT(SIGSTOP))
#define GUEST_SIG_DFL 0
#define GUEST_SIG_IGN 1
/* The guest's first real-time signal (its glibc keeps 32 and 33). */
#define FIRST_RT 32

/* Default actions (signal(7)). */
#define CORE_SET                                                                                   \
	(SIG_BIT(SIGQUIT) | SIG_BIT(SIGILL) | SIG_BIT(SIGTRAP) | SIG_BIT(SIGABRT) |                \
	 SIG_BIT(SIGBUS) | SIG_BIT(SIGFPE) | SIG_BIT(SIGSEGV) | SIG_BIT(SIGXCPU) |                 \
	 SIG_BIT(SIGXFSZ) | SIG_BIT(SIGSYS))
#define IGNORE_SET (SIG_BIT(SIGCHLD) | SIG_BIT(SIGURG) | SIG_BIT(SIGWINCH) | SIG_BIT(SIGCONT))
#define STOP_SET   (SIG_BIT(SIGSTOP) | SIG_BIT(SIGTSTP) | SIG_BIT(SIGTTIN) | SIG_BIT(SIGTTOU))
/* Signals the host sends for its own faults as well as on request. */
#define FAULT_SET                                                                                  \
	(SIG_BIT(SIGILL) | SIG_BIT(SIGTRAP) | SIG_BIT(SIGBUS) | SIG_BIT(SIGFPE) | SIG_BIT(SIGSEGV))

/* The guest thread this host thread runs. The one piece of mutable state
 * outside the process structure: a host signal handler gets no argument
 * to find its thread by, and this is what it reads. */
static _Thread_local struct user_thread *current_thread;

/* ---- host masks ---- */

void user_signal_host_set(sigset_t *set, uint64_t mask)
{
	sigemptyset(set);
	for (int sig = 1; sig <= USER_MAX_SIGNALS; sig++)
		if (mask & SIG_BIT(sig))
			sigaddset(set, sig);
}

void user_signal_sync_mask(const struct user_thread *t)
{
	sigset_t set;
	user_signal_host_set(&set, t->sigmask);
	pthread_sigmask(SIG_SETMASK, &set, NULL);
}

/* Host signals off while the thread's queue is changed outside the
 * handler (which runs on the same thread, so this is all the locking it
 * needs). */
static void host_block_all(sigset_t *old)
{
	sigset_t all;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, old);
}

/* ---- the queue of signals taken from the host ---- */

static void queue_push(struct user_thread *t, int sig, const void *info)
{
	struct user_sigqueue *q = &t->sigq;
	if (sig < FIRST_RT && (t->sigpending & SIG_BIT(sig)))
		return; /* standard signals do not queue */
	if (q->n == USER_SIGQUEUE)
		return;
	memcpy(q->q[q->n].info, info, sizeof(q->q[0].info));
	q->n++;
	t->sigpending |= SIG_BIT(sig);
}

static int info_signo(const uint8_t *info)
{
	int32_t s;
	memcpy(&s, info, 4);
	return s;
}

/* Take the oldest entry for sig out of the queue (host signals blocked). */
static void queue_take(struct user_thread *t, int sig, uint8_t info[128])
{
	struct user_sigqueue *q = &t->sigq;
	bool more = false;
	unsigned i = 0;
	while (i < q->n && info_signo(q->q[i].info) != sig)
		i++;
	if (i == q->n) { /* (never: sigpending names only signals in the queue) */
		t->sigpending &= ~SIG_BIT(sig);
		memset(info, 0, 128);
		memcpy(info, &sig, sizeof(sig));
		return;
	}
	memcpy(info, q->q[i].info, 128);
	memmove(&q->q[i], &q->q[i + 1], (q->n - i - 1) * sizeof(q->q[0]));
	q->n--;
	for (unsigned j = 0; j < q->n; j++)
		more |= info_signo(q->q[j].info) == sig;
	if (!more)
		t->sigpending &= ~SIG_BIT(sig);
}

static void queue_drop(struct user_thread *t, int sig)
{
	uint8_t info[128];
	while (t->sigpending & SIG_BIT(sig))
		queue_take(t, sig, info);
}

/* ---- host dispositions ---- */

/* glibc keeps signals 32 and 33 (thread cancellation, set*id across
 * threads) and refuses them to sigaction; the guest's glibc uses them for
 * the same, so they are set with the kernel's call, which on x86-64 needs
 * the return code a handler goes back to (SA_RESTORER: rt_sigreturn). The
 * emulator itself never cancels a thread nor calls set*id through glibc. */
#define GLIBC_SIGNAL(sig) ((sig) == 32 || (sig) == 33)
#if defined(__x86_64__)
#define HOST_SA_RESTORER 0x04000000
struct kernel_sigaction {
	void *handler;
	unsigned long flags;
	void (*restorer)(void);
	uint64_t mask;
};
void user_signal_host_restorer(void);
__asm__(".pushsection .text\n"
	".type user_signal_host_restorer, @function\n"
	"user_signal_host_restorer:\n\t"
	"movq $15, %rax\n\t" /* __NR_rt_sigreturn */
	"syscall\n"
	".popsection");
#endif

static int host_sigaction(int sig, const struct sigaction *sa)
{
	if (!GLIBC_SIGNAL(sig))
		return sigaction(sig, sa, NULL);
#if defined(__x86_64__)
	const bool info = sa->sa_flags & SA_SIGINFO;
	const struct kernel_sigaction k = {.handler = info ? (void *)sa->sa_sigaction
							   : (void *)sa->sa_handler,
					   .flags = (unsigned long)sa->sa_flags | HOST_SA_RESTORER,
					   .restorer = user_signal_host_restorer,
					   .mask = info ? ~0ULL : 0};
	return (int)syscall(SYS_rt_sigaction, sig, &k, NULL, (size_t)8);
#else
	return -1;
#endif
}

static void host_signal(int sig, siginfo_t *si, void *ctx)
{
	const int saved_errno = errno;
	if ((SIG_BIT(sig) & FAULT_SET) && si->si_code > 0) {
		/* The host's own fault in the emulator, not a guest's signal:
		 * die of it where it happened. */
		struct sigaction dfl = {.sa_handler = SIG_DFL};
		sigaction(sig, &dfl, NULL);
		errno = saved_errno;
		return;
	}
	struct user_thread *t = current_thread;
	if (t) {
		queue_push(t, sig, si);
		__atomic_store_n(&t->h->budget, 0, __ATOMIC_RELAXED);
		__atomic_store_n(&t->signal_kick, 1, __ATOMIC_RELAXED);
		user_safe_syscall_rewind(ctx);
	}
	errno = saved_errno;
}

static bool host_settable(int sig)
{
	return sig != SIGKILL && sig != SIGSTOP && sig <= SIGRTMAX;
}

static void host_disposition(struct user_process *p, int sig)
{
	if (!host_settable(sig))
		return;
	const struct user_sigaction *g = &p->sigactions[sig];
	struct sigaction sa = {.sa_flags = (int)(g->flags & (SA_NOCLDSTOP | SA_NOCLDWAIT))};
	if (g->handler == GUEST_SIG_IGN) {
		sa.sa_handler = SIG_IGN;
	} else if (g->handler == GUEST_SIG_DFL && !(SIG_BIT(sig) & CORE_SET)) {
		sa.sa_handler = SIG_DFL;
	} else {
		sa.sa_sigaction = host_signal;
		sa.sa_flags |= SA_SIGINFO;
		sigfillset(&sa.sa_mask);
	}
	host_sigaction(sig, &sa);
}

/* A forked child starts with no signals pending (Linux's fork): those
 * its parent's thread had taken from the host stay the parent's. */
static void forked_child(void)
{
	struct user_thread *t = current_thread;
	if (!t)
		return;
	sigset_t host_old;
	host_block_all(&host_old);
	t->sigq.n = 0;
	t->sigpending = 0;
	pthread_sigmask(SIG_SETMASK, &host_old, NULL);
}

void user_signal_thread_start(struct user_thread *t)
{
	struct user_process *p = t->p;
	current_thread = t;
	if (t != p->main || p->sigreturn_code) {
		user_signal_sync_mask(t);
		return;
	}
	/* The process: what was ignored before execve stays ignored, the
	 * mask is inherited; handlers and the sigreturn code. */
	sigset_t cur;
	sigprocmask(SIG_SETMASK, NULL, &cur);
	t->sigmask = 0;
	for (int sig = 1; sig <= USER_MAX_SIGNALS; sig++) {
		struct sigaction old;
		if (host_settable(sig) && !GLIBC_SIGNAL(sig) && sigaction(sig, NULL, &old) == 0 &&
		    old.sa_handler == SIG_IGN)
			p->sigactions[sig].handler = GUEST_SIG_IGN;
		if (sigismember(&cur, sig) == 1)
			t->sigmask |= SIG_BIT(sig);
		host_disposition(p, sig);
	}
	t->sigmask &= ~UNBLOCKABLE;
	pthread_atfork(NULL, NULL, forked_child);
	if (!user_signal_code_map(p)) {
		fprintf(stderr, "rvjit-user: no room for the signal return code\n");
		user_exit(p, 1);
	}
}

/* ---- default actions and death ---- */

_Noreturn void user_signal_die(struct user_process *p, int sig)
{
	(void)p;
	fflush(NULL);
	if (SIG_BIT(sig) & CORE_SET)
		fprintf(stderr, "rvjit-user: uncaught target signal %d (%s) - core dumped\n", sig,
			strsignal(sig));
	/* Die of the same signal, so that the parent sees it, but leave no
	 * core of the emulator. */
	const struct rlimit none = {0, 0};
	setrlimit(RLIMIT_CORE, &none);
	struct sigaction dfl = {.sa_handler = SIG_DFL};
	sigaction(sig, &dfl, NULL);
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, sig);
	pthread_sigmask(SIG_UNBLOCK, &set, NULL);
	raise(sig);
	_exit(128 + sig);
}

/* Stop the process as the default action of a stop signal, until
 * SIGCONT. */
static void stop_process(void)
{
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGSTOP);
	pthread_sigmask(SIG_UNBLOCK, &set, NULL);
	raise(SIGSTOP);
}

/* ---- delivery ---- */

/* Enter sig's handler with `info`; false when it has none to run (ignored
 * or handled by default without dying). */
/* -strace: a signal reaching the guest, as QEMU logs it. */
static void strace_signal(const struct user_thread *t, int sig, const uint8_t info[128])
{
	int32_t code;
	uint64_t addr;
	memcpy(&code, info + 8, 4);
	memcpy(&addr, info + 16, 8);
	const char *name = sigabbrev_np(sig);
	if (SIG_BIT(sig) & FAULT_SET)
		fprintf(t->p->log, "%d --- SIG%s {si_signo=%d, si_code=%d, si_addr=0x%llx} ---\n",
			t->tid, name ? name : "?", sig, code, (unsigned long long)addr);
	else
		fprintf(t->p->log, "%d --- SIG%s {si_signo=%d, si_code=%d, si_pid=%d} ---\n",
			t->tid, name ? name : "?", sig, code, (int)(uint32_t)addr);
	fflush(t->p->log);
}

static bool deliver_one(struct user_thread *t, int sig, const uint8_t info[128])
{
	struct user_process *p = t->p;
	const struct user_sigaction act = p->sigactions[sig];
	if (p->strace)
		strace_signal(t, sig, info);
	if (act.handler == GUEST_SIG_IGN)
		return false;
	if (act.handler == GUEST_SIG_DFL) {
		if (SIG_BIT(sig) & IGNORE_SET)
			return false;
		if (SIG_BIT(sig) & STOP_SET) {
			stop_process();
			return false;
		}
		user_signal_die(p, sig);
	}
	const uint64_t oldmask = t->saved_sigmask_valid ? t->saved_sigmask : t->sigmask;
	if (!user_signal_frame_push(t, sig, info, &act, oldmask))
		user_signal_die(p, SIGSEGV);
	t->saved_sigmask_valid = false;
	t->sigmask |= act.mask;
	if (!(act.flags & SA_NODEFER))
		t->sigmask |= SIG_BIT(sig);
	t->sigmask &= ~UNBLOCKABLE;
	if (act.flags & SA_RESETHAND) {
		p->sigactions[sig] = (struct user_sigaction){0};
		host_disposition(p, sig);
	}
	return true;
}

/* Calls that return EINTR after a handler even with SA_RESTART (signal(7);
 * Linux's -ERESTARTNOHAND and -ERESTART_RESTARTBLOCK, the sleeps giving
 * back the time left). */
static bool restartable(uint64_t nr)
{
	switch (nr) {
	case RV_ppoll:
	case RV_pselect6:
	case RV_epoll_pwait:
	case RV_epoll_pwait2:
	case RV_nanosleep:
	case RV_clock_nanosleep:
	case RV_rt_sigsuspend:
	case RV_rt_sigtimedwait:
		return false;
	default:
		return true;
	}
}

/* Lowest pending unblocked signal, 0 when none. */
static int next_signal(const struct user_thread *t)
{
	const uint64_t ready = t->sigpending & ~t->sigmask;
	return ready ? __builtin_ctzll(ready) + 1 : 0;
}

void user_signal_deliver(struct user_thread *t)
{
	struct hart *h = t->h;
	const bool interrupted = t->in_syscall && (int64_t)h->x[10] == -EINTR;
	t->in_syscall = false;
	if (!(__atomic_load_n(&t->sigpending, __ATOMIC_RELAXED) & ~t->sigmask) && !interrupted &&
	    !t->saved_sigmask_valid)
		return;
	sigset_t host_old;
	host_block_all(&host_old);
	bool ran = false;
	int sig;
	while ((sig = next_signal(t))) {
		uint8_t info[128];
		queue_take(t, sig, info);
		if (interrupted && !ran && (t->p->sigactions[sig].handler > GUEST_SIG_IGN) &&
		    (t->p->sigactions[sig].flags & SA_RESTART) && restartable(t->syscall_nr)) {
			/* Restarted after the handler: the ecall again, with
			 * its first argument back in a0. */
			h->pc = t->syscall_epc;
			h->x[10] = t->syscall_a0;
		}
		ran |= deliver_one(t, sig, info);
	}
	if (interrupted && !ran) {
		/* No handler ran: the guest was never interrupted (Linux
		 * restarts every kind of interrupted call then). */
		h->pc = t->syscall_epc;
		h->x[10] = t->syscall_a0;
	}
	if (t->saved_sigmask_valid) {
		t->sigmask = t->saved_sigmask;
		t->saved_sigmask_valid = false;
	}
	user_signal_sync_mask(t); /* and host signals back on */
}

bool user_signal_wait_begin(struct user_thread *t, const uint64_t *mask, struct user_wait *w)
{
	if (mask) {
		t->saved_sigmask = t->sigmask;
		t->saved_sigmask_valid = true;
		t->sigmask = *mask & ~UNBLOCKABLE;
	}
	host_block_all(&w->restore);
	user_signal_host_set(&w->host, t->sigmask);
	if (t->sigpending & ~t->sigmask) {
		user_signal_wait_end(w);
		return false;
	}
	return true;
}

void user_signal_wait_end(struct user_wait *w)
{
	const int e = errno; /* the waiting call's */
	pthread_sigmask(SIG_SETMASK, &w->restore, NULL);
	errno = e;
}

/* ---- faults ---- */

void user_signal_fault(struct user_thread *t, uint64_t cause, uint64_t tval)
{
	struct user_process *p = t->p;
	struct hart *h = t->h;
	int sig, code;
	uint64_t addr = tval;
	switch (cause) {
	case CAUSE_ILLEGAL_INSN:
		sig = SIGILL, code = ILL_ILLOPC, addr = h->pc;
		break;
	case CAUSE_BREAKPOINT:
		sig = SIGTRAP, code = TRAP_BRKPT, addr = h->pc;
		break;
	case CAUSE_MISALIGNED_FETCH:
	case CAUSE_MISALIGNED_LOAD:
	case CAUSE_MISALIGNED_STORE:
		sig = SIGBUS, code = BUS_ADRALN;
		break;
	default: {
		/* A page or access fault: nothing mapped there, or a page the
		 * access is not allowed on. */
		const bool mapped = tval < USER_SPACE_SIZE && p->m->user_prot[tval >> 12];
		sig = SIGSEGV, code = mapped ? SEGV_ACCERR : SEGV_MAPERR;
	}
	}
	const struct user_sigaction *act = &p->sigactions[sig];
	if ((t->sigmask & SIG_BIT(sig)) || act->handler <= GUEST_SIG_IGN)
		user_signal_die(p, sig);
	uint8_t info[128] = {0};
	const int32_t head[3] = {sig, 0, code};
	memcpy(info, head, sizeof(head));
	memcpy(info + 16, &addr, 8); /* si_addr */
	sigset_t host_old;
	host_block_all(&host_old);
	deliver_one(t, sig, info);
	user_signal_sync_mask(t);
}

int user_signal_take(struct user_thread *t, uint64_t set, uint8_t info[128])
{
	if (!(t->sigpending & set))
		return 0;
	const int sig = __builtin_ctzll(t->sigpending & set) + 1;
	sigset_t host_old;
	host_block_all(&host_old);
	queue_take(t, sig, info);
	pthread_sigmask(SIG_SETMASK, &host_old, NULL);
	return sig;
}

/* ---- dispositions ---- */

SYSCALL(rt_sigaction)
{
	const int sig = (int)a[0];
	if (sig < 1 || sig > USER_MAX_SIGNALS || a[3] != 8)
		return -EINVAL;
	struct user_sigaction *old = NULL;
	const struct user_sigaction *new = NULL;
	if (a[1] && !(new = user_ptr(p, a[1], sizeof(*new), USER_PROT_READ)))
		return -EFAULT;
	if (a[2] && !(old = user_ptr(p, a[2], sizeof(*old), USER_PROT_WRITE)))
		return -EFAULT;
	if (new && (sig == SIGKILL || sig == SIGSTOP))
		return -EINVAL;
	const struct user_sigaction was = p->sigactions[sig];
	if (new) {
		p->sigactions[sig] = *new;
		p->sigactions[sig].mask &= ~UNBLOCKABLE;
		host_disposition(p, sig);
		/* Setting a signal ignored discards it where pending. */
		if (new->handler == GUEST_SIG_IGN ||
		    (new->handler == GUEST_SIG_DFL && (SIG_BIT(sig) & IGNORE_SET))) {
			sigset_t host_old;
			host_block_all(&host_old);
			queue_drop(t, sig);
			pthread_sigmask(SIG_SETMASK, &host_old, NULL);
		}
	}
	if (old)
		*old = was;
	return 0;
}
