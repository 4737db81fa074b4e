/* Signals: a SIGUSR1 handler (SA_SIGINFO, si_pid/si_code) for
 * kill(getpid()); the integer and FP registers the handler clobbers come
 * back (the RISC-V signal frame and rt_sigreturn); sigaltstack with the
 * handler's locals on the alternate stack; SIGSEGV on an unmapped page with
 * si_addr, recovered with sigsetjmp/siglongjmp; SIGILL with the pc in the
 * ucontext, which the handler moves past the instruction; SIGALRM from
 * alarm and setitimer interrupting pause (EINTR); SIGPIPE and EPIPE;
 * sigprocmask blocking a signal (pending) then delivering it on unblock. */
#define TEST_NAME "signals"
#include "check.h"

#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/time.h>
#include <ucontext.h>
#include <unistd.h>

/* What the handlers saw: the handlers write, main reads (volatile, and a
 * signal handler may only touch volatile sig_atomic_t-like objects). */
struct seen {
	volatile int signo, count, code, pid;
	volatile uintptr_t addr, local, pc;
	volatile int on_altstack;
	sigjmp_buf jump;
};

/* Handlers cannot take an argument: main's one instance is reached
 * through this pointer, set once before any handler is installed. */
static struct seen *seen_ptr;

static void on_siginfo(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	seen_ptr->signo = sig;
	seen_ptr->count++;
	seen_ptr->code = si->si_code;
	seen_ptr->pid = si->si_pid;
	/* Clobber a temporary and an FP temporary: the interrupted code's
	 * values must come back from the signal frame. */
	__asm__ volatile("li t3, 0\n\tfmv.d.x ft0, zero" ::: "t3", "ft0");
}

static void on_altstack(int sig)
{
	int local = sig;
	stack_t ss;
	seen_ptr->local = (uintptr_t)&local;
	seen_ptr->on_altstack = sigaltstack(NULL, &ss) == 0 && (ss.ss_flags & SS_ONSTACK);
	seen_ptr->count++;
}

static void on_segv(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	seen_ptr->signo = sig;
	seen_ptr->code = si->si_code;
	seen_ptr->addr = (uintptr_t)si->si_addr;
	siglongjmp(seen_ptr->jump, 1);
}

static void on_sigill(int sig, siginfo_t *si, void *ucv)
{
	ucontext_t *uc = ucv;
	seen_ptr->signo = sig;
	seen_ptr->code = si->si_code;
	seen_ptr->addr = (uintptr_t)si->si_addr;
	seen_ptr->pc = uc->uc_mcontext.__gregs[REG_PC];
	uc->uc_mcontext.__gregs[REG_PC] += 4; /* past the 32-bit illegal instruction */
}

static void on_count(int sig)
{
	seen_ptr->signo = sig;
	seen_ptr->count++;
}

static void handle(int sig, void (*fn)(int), int flags)
{
	struct sigaction sa = {.sa_handler = fn, .sa_flags = flags};
	sigemptyset(&sa.sa_mask);
	CHECK_SYS(sigaction(sig, &sa, NULL));
}

static void handle_info(int sig, void (*fn)(int, siginfo_t *, void *), int flags)
{
	struct sigaction sa = {.sa_sigaction = fn, .sa_flags = SA_SIGINFO | flags};
	sigemptyset(&sa.sa_mask);
	CHECK_SYS(sigaction(sig, &sa, NULL));
}

static void reset(struct seen *s)
{
	s->signo = s->count = s->code = s->pid = s->on_altstack = 0;
	s->addr = s->local = s->pc = 0;
}

int main(void)
{
	static struct seen seen; /* static: siglongjmp leaves main's frame intact */
	seen_ptr = &seen;

	/* 1. SIGUSR1 from kill(getpid()), registers preserved across it. */
	reset(&seen);
	handle_info(SIGUSR1, on_siginfo, 0);
	uint64_t t3_out, ft0_out;
	const uint64_t t3_in = 0x1234567890abcdefULL, ft0_in = 0x400921fb54442d18ULL; /* pi */
	__asm__ volatile("mv t3, %2\n\t"
			 "fmv.d.x ft0, %3\n\t"
			 "li a7, 129\n\t" /* __NR_kill */
			 "mv a0, %4\n\t"
			 "li a1, 10\n\t" /* SIGUSR1 */
			 "ecall\n\t"
			 "mv %0, t3\n\t"
			 "fmv.x.d %1, ft0"
			 : "=r"(t3_out), "=r"(ft0_out)
			 : "r"(t3_in), "r"(ft0_in), "r"((long)getpid())
			 : "a0", "a1", "a7", "t3", "ft0", "memory");
	CHECK(seen.count == 1 && seen.signo == SIGUSR1, "SIGUSR1 handler ran %d times (sig %d)",
	      seen.count, seen.signo);
	CHECK(seen.code == SI_USER && seen.pid == getpid(), "si_code %d si_pid %d", seen.code,
	      seen.pid);
	CHECK(t3_out == t3_in, "t3 after the handler: %#llx, want %#llx",
	      (unsigned long long)t3_out, (unsigned long long)t3_in);
	CHECK(ft0_out == ft0_in, "ft0 after the handler: %#llx, want %#llx",
	      (unsigned long long)ft0_out, (unsigned long long)ft0_in);
	CHECK_SYS(raise(SIGUSR1));
	CHECK(seen.count == 2 && seen.code == SI_TKILL, "raise: count %d si_code %d", seen.count,
	      seen.code);

	/* 2. sigaltstack: the handler's local is inside the alternate stack. */
	reset(&seen);
	size_t alt_size = 64 * 1024;
	char *alt =
	    mmap(NULL, alt_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(alt != MAP_FAILED, "mmap for the alternate stack");
	stack_t ss = {.ss_sp = alt, .ss_size = alt_size, .ss_flags = 0}, old;
	CHECK_SYS(sigaltstack(&ss, &old));
	CHECK(old.ss_flags & SS_DISABLE, "an alternate stack was already set");
	handle(SIGUSR2, on_altstack, SA_ONSTACK);
	CHECK_SYS(kill(getpid(), SIGUSR2));
	CHECK(seen.count == 1, "SIGUSR2 handler ran %d times", seen.count);
	CHECK(seen.local >= (uintptr_t)alt && seen.local < (uintptr_t)alt + alt_size,
	      "handler's local at %#lx, alternate stack %p..+%#zx", (unsigned long)seen.local, alt,
	      alt_size);
	CHECK(seen.on_altstack, "sigaltstack in the handler did not say SS_ONSTACK");
	/* Without SA_ONSTACK it runs on the normal stack. */
	reset(&seen);
	handle(SIGUSR2, on_altstack, 0);
	CHECK_SYS(kill(getpid(), SIGUSR2));
	CHECK(seen.count == 1 &&
		  !(seen.local >= (uintptr_t)alt && seen.local < (uintptr_t)alt + alt_size),
	      "handler without SA_ONSTACK ran on the alternate stack");
	CHECK_SYS(sigaltstack(NULL, &old));
	CHECK(old.ss_sp == alt && old.ss_size == alt_size && !(old.ss_flags & SS_ONSTACK),
	      "sigaltstack query");

	/* 3. SIGSEGV on an unmapped page (on the alternate stack), recovered
	 *    with siglongjmp; si_addr is the address touched. */
	reset(&seen);
	char *page = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(page != MAP_FAILED, "mmap");
	CHECK_SYS(munmap(page + 4096, 4096));
	volatile char *target = page + 4096 + 123;
	handle_info(SIGSEGV, on_segv, SA_ONSTACK);
	int rounds = 0;
	if (sigsetjmp(seen.jump, 1) == 0) {
		*target = 1;
		FAIL("the store to an unmapped page did not fault");
	}
	rounds++;
	CHECK(seen.signo == SIGSEGV && seen.code == SEGV_MAPERR, "signal %d code %d", seen.signo,
	      seen.code);
	CHECK(seen.addr == (uintptr_t)target, "si_addr %#lx, want %p", (unsigned long)seen.addr,
	      (void *)target);
	/* siglongjmp restored the mask: a second fault is caught too (a load). */
	reset(&seen);
	if (sigsetjmp(seen.jump, 1) == 0) {
		(void)*(target + 1000);
		FAIL("the load from an unmapped page did not fault");
	}
	rounds++;
	CHECK(seen.signo == SIGSEGV && seen.addr == (uintptr_t)(target + 1000),
	      "second fault: signal %d si_addr %#lx", seen.signo, (unsigned long)seen.addr);
	CHECK(rounds == 2, "rounds %d", rounds);
	CHECK_SYS(munmap(page, 4096));

	/* 4. SIGILL: si_addr and the ucontext pc are the instruction; the
	 *    handler steps over it by changing the pc in the frame. */
	reset(&seen);
	handle_info(SIGILL, on_sigill, 0);
	uintptr_t ill_pc;
	__asm__ volatile("lla %0, 1f\n"
			 "1:\t.4byte 0xc0001073\n\t" /* csrw cycle, zero: read-only CSR */
			 : "=r"(ill_pc)::"memory");
	CHECK(seen.signo == SIGILL && seen.code == ILL_ILLOPC, "signal %d code %d", seen.signo,
	      seen.code);
	CHECK(seen.pc == ill_pc, "ucontext pc %#lx, want %#lx", (unsigned long)seen.pc,
	      (unsigned long)ill_pc);
	CHECK(seen.addr == ill_pc, "si_addr %#lx, want %#lx", (unsigned long)seen.addr,
	      (unsigned long)ill_pc);

	/* 5. SIGALRM: alarm(1) and a 20 ms setitimer interrupt pause. */
	reset(&seen);
	handle(SIGALRM, on_count, 0);
	alarm(1);
	CHECK(pause() == -1 && errno == EINTR, "pause after alarm");
	CHECK(seen.signo == SIGALRM && seen.count == 1, "alarm: sig %d count %d", seen.signo,
	      seen.count);
	reset(&seen);
	struct itimerval it = {.it_interval = {0, 20000}, .it_value = {0, 20000}};
	CHECK_SYS(setitimer(ITIMER_REAL, &it, NULL));
	for (int i = 0; i < 3; i++)
		CHECK(pause() == -1 && errno == EINTR, "pause %d after setitimer", i);
	struct itimerval off = {{0, 0}, {0, 0}};
	CHECK_SYS(setitimer(ITIMER_REAL, &off, &it));
	CHECK(seen.count >= 3, "%d SIGALRMs from setitimer", seen.count);
	CHECK(it.it_interval.tv_sec == 0 && it.it_interval.tv_usec == 20000,
	      "getitimer interval %ld.%06ld", (long)it.it_interval.tv_sec,
	      (long)it.it_interval.tv_usec);

	/* 6. SIGPIPE and EPIPE: a write to a pipe with no reader. */
	reset(&seen);
	handle(SIGPIPE, on_count, 0);
	int p[2];
	CHECK_SYS(pipe(p));
	CHECK_SYS(close(p[0]));
	CHECK(write(p[1], "x", 1) == -1 && errno == EPIPE, "write with no reader");
	CHECK(seen.signo == SIGPIPE && seen.count == 1, "SIGPIPE: sig %d count %d", seen.signo,
	      seen.count);
	signal(SIGPIPE, SIG_IGN);
	CHECK(write(p[1], "x", 1) == -1 && errno == EPIPE, "write with SIGPIPE ignored");
	CHECK(seen.count == 1, "SIGPIPE handler ran while ignored");
	CHECK_SYS(close(p[1]));

	/* 7. sigprocmask: blocked signals wait (sigpending), and arrive once
	 *    unblocked, before sigprocmask returns. */
	reset(&seen);
	handle(SIGUSR2, on_count, 0);
	sigset_t block, prev, pending;
	sigemptyset(&block);
	sigaddset(&block, SIGUSR2);
	CHECK_SYS(sigprocmask(SIG_BLOCK, &block, &prev));
	CHECK(!sigismember(&prev, SIGUSR2), "SIGUSR2 was blocked already");
	CHECK_SYS(kill(getpid(), SIGUSR2));
	CHECK_SYS(kill(getpid(), SIGUSR2)); /* standard signals do not queue */
	CHECK(seen.count == 0, "a blocked signal was delivered");
	CHECK_SYS(sigpending(&pending));
	CHECK(sigismember(&pending, SIGUSR2), "SIGUSR2 is not pending");
	CHECK_SYS(sigprocmask(SIG_SETMASK, &prev, NULL));
	CHECK(seen.count == 1 && seen.signo == SIGUSR2, "on unblock: %d deliveries", seen.count);
	CHECK_SYS(sigpending(&pending));
	CHECK(!sigismember(&pending, SIGUSR2), "SIGUSR2 still pending");
	/* Real-time signals queue: three sent while blocked, three delivered. */
	reset(&seen);
	handle(SIGRTMIN + 1, on_count, 0);
	sigemptyset(&block);
	sigaddset(&block, SIGRTMIN + 1);
	CHECK_SYS(sigprocmask(SIG_BLOCK, &block, NULL));
	for (int i = 0; i < 3; i++) {
		union sigval v = {.sival_int = i};
		CHECK_SYS(sigqueue(getpid(), SIGRTMIN + 1, v));
	}
	CHECK(seen.count == 0, "blocked real-time signal delivered");
	CHECK_SYS(sigprocmask(SIG_UNBLOCK, &block, NULL));
	CHECK(seen.count == 3, "%d of 3 queued real-time signals delivered", seen.count);
	PASS();
	return 0;
}
