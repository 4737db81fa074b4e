/* Signals from faults and default actions: a write to a read-only page is
 * SIGSEGV with SEGV_ACCERR and si_addr (recovered with siglongjmp); a
 * handler resumes after a faulting load by editing the pc and the
 * destination register in its ucontext, which shows the registers of the
 * faulting instruction; ebreak is SIGTRAP; a fault with SIGSEGV blocked,
 * abort(), a default SIGPIPE and SA_RESETHAND kill the process with that
 * signal, as its parent sees (WIFSIGNALED, WTERMSIG). */
#define TEST_NAME "signals_faults"
#include "check.h"

#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <ucontext.h>
#include <unistd.h>

struct seen {
	volatile int signo, code, count;
	volatile uintptr_t addr, pc, s1;
	sigjmp_buf jump;
};
static struct seen *seen_ptr; /* handlers take no argument: main's instance */

static void on_segv_jump(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	seen_ptr->signo = sig;
	seen_ptr->code = si->si_code;
	seen_ptr->addr = (uintptr_t)si->si_addr;
	siglongjmp(seen_ptr->jump, 1);
}

/* Step over the 4-byte load at the pc and give its destination (t0) 42. */
static void on_segv_skip(int sig, siginfo_t *si, void *ucv)
{
	ucontext_t *uc = ucv;
	seen_ptr->signo = sig;
	seen_ptr->code = si->si_code;
	seen_ptr->addr = (uintptr_t)si->si_addr;
	seen_ptr->pc = uc->uc_mcontext.__gregs[REG_PC];
	seen_ptr->s1 = uc->uc_mcontext.__gregs[9];
	seen_ptr->count++;
	uc->uc_mcontext.__gregs[5] = 42; /* t0 */
	uc->uc_mcontext.__gregs[REG_PC] += 4;
}

static void on_trap(int sig, siginfo_t *si, void *ucv)
{
	ucontext_t *uc = ucv;
	seen_ptr->signo = sig;
	seen_ptr->code = si->si_code;
	seen_ptr->addr = (uintptr_t)si->si_addr;
	seen_ptr->pc = uc->uc_mcontext.__gregs[REG_PC];
	uc->uc_mcontext.__gregs[REG_PC] += 4; /* a 4-byte ebreak */
}

static void on_usr1(int sig)
{
	(void)sig;
	seen_ptr->count++;
}

static void handle_info(int sig, void (*fn)(int, siginfo_t *, void *), int flags)
{
	struct sigaction sa = {.sa_sigaction = fn, .sa_flags = SA_SIGINFO | flags};
	sigemptyset(&sa.sa_mask);
	CHECK_SYS(sigaction(sig, &sa, NULL));
}

/* Run fn in a child; it must die of signal `sig`. */
static void child_dies_of(const char *what, void (*fn)(void), int sig)
{
	fflush(NULL);
	pid_t pid = fork();
	CHECK_SYS(pid);
	if (pid == 0) {
		fn();
		_exit(0);
	}
	int status;
	CHECK_SYS(waitpid(pid, &status, 0));
	CHECK(WIFSIGNALED(status) && WTERMSIG(status) == sig,
	      "%s: status %#x, want death by signal %d", what, status, sig);
}

/* An address nothing is mapped at (through a volatile, so that the
 * compiler does not see a null pointer). */
static volatile uintptr_t nowhere = 16;

static void fault_blocked(void)
{
	/* A handler is set, but SIGSEGV is blocked: a fault kills anyway. */
	handle_info(SIGSEGV, on_segv_jump, 0);
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGSEGV);
	sigprocmask(SIG_BLOCK, &set, NULL);
	*(volatile int *)nowhere = 1;
}

static void fault_ignored(void)
{
	signal(SIGSEGV, SIG_IGN);
	*(volatile int *)nowhere = 1;
}

static void do_abort(void)
{
	abort();
}

static void default_sigpipe(void)
{
	int p[2];
	if (pipe(p) == 0 && close(p[0]) == 0)
		(void)write(p[1], "x", 1);
}

static void resethand(void)
{
	struct sigaction sa = {.sa_handler = on_usr1, .sa_flags = SA_RESETHAND};
	sigemptyset(&sa.sa_mask);
	sigaction(SIGUSR1, &sa, NULL);
	raise(SIGUSR1); /* handled, and the handler is reset */
	if (seen_ptr->count != 1)
		_exit(3);
	struct sigaction now;
	sigaction(SIGUSR1, NULL, &now);
	if (now.sa_handler != SIG_DFL)
		_exit(4);
	raise(SIGUSR1); /* default: terminate */
}

int main(void)
{
	static struct seen seen;
	seen_ptr = &seen;
	const long pagesz = sysconf(_SC_PAGESIZE);

	/* 1. A store to a read-only page: SEGV_ACCERR, si_addr. */
	char *ro = mmap(NULL, pagesz, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(ro != MAP_FAILED, "mmap");
	handle_info(SIGSEGV, on_segv_jump, 0);
	volatile char *target = ro + 100;
	if (sigsetjmp(seen.jump, 1) == 0) {
		*target = 1;
		FAIL("the store to a read-only page did not fault");
	}
	CHECK(seen.signo == SIGSEGV && seen.code == SEGV_ACCERR, "signal %d code %d, want %d %d",
	      seen.signo, seen.code, SIGSEGV, SEGV_ACCERR);
	CHECK(seen.addr == (uintptr_t)target, "si_addr %#lx, want %p", (unsigned long)seen.addr,
	      (void *)target);
	/* Unmapped: SEGV_MAPERR. */
	CHECK_SYS(munmap(ro, pagesz));
	if (sigsetjmp(seen.jump, 1) == 0) {
		(void)*target;
		FAIL("the load from an unmapped page did not fault");
	}
	CHECK(seen.code == SEGV_MAPERR && seen.addr == (uintptr_t)target,
	      "unmapped: code %d si_addr %#lx", seen.code, (unsigned long)seen.addr);

	/* 2. The handler steps over the faulting load and sets its result. */
	handle_info(SIGSEGV, on_segv_skip, 0);
	uintptr_t out, fault_pc;
	const uintptr_t bad = (uintptr_t)target + 8;
	__asm__ volatile("li t0, 7\n\t"
			 "li s1, 0x5eed\n\t"
			 "lla %1, 1f\n\t"
			 ".option push\n\t"
			 ".option norvc\n"
			 "1:\tld t0, 0(%2)\n\t"
			 ".option pop\n\t"
			 "mv %0, t0"
			 : "=r"(out), "=&r"(fault_pc)
			 : "r"(bad)
			 : "t0", "s1", "memory");
	CHECK(seen.count == 1 && seen.signo == SIGSEGV, "skip handler ran %d times", seen.count);
	CHECK(seen.pc == fault_pc, "ucontext pc %#lx, want the load at %#lx",
	      (unsigned long)seen.pc, (unsigned long)fault_pc);
	CHECK(seen.addr == bad, "si_addr %#lx, want %#lx", (unsigned long)seen.addr,
	      (unsigned long)bad);
	CHECK(seen.s1 == 0x5eed, "s1 in the ucontext %#lx, want 0x5eed", (unsigned long)seen.s1);
	CHECK(out == 42, "the load's register after the handler: %lu, want 42", (unsigned long)out);

	/* 3. ebreak: SIGTRAP, TRAP_BRKPT, at the instruction. */
	handle_info(SIGTRAP, on_trap, 0);
	uintptr_t trap_pc;
	__asm__ volatile("lla %0, 1f\n\t"
			 ".option push\n\t"
			 ".option norvc\n"
			 "1:\tebreak\n\t"
			 ".option pop"
			 : "=r"(trap_pc)::"memory");
	CHECK(seen.signo == SIGTRAP && seen.code == TRAP_BRKPT, "ebreak: signal %d code %d",
	      seen.signo, seen.code);
	CHECK(seen.pc == trap_pc && seen.addr == trap_pc, "ebreak: pc %#lx si_addr %#lx, want %#lx",
	      (unsigned long)seen.pc, (unsigned long)seen.addr, (unsigned long)trap_pc);

	/* 4. Deaths the parent sees. */
	seen.count = 0;
	child_dies_of("fault with SIGSEGV blocked", fault_blocked, SIGSEGV);
	child_dies_of("fault with SIGSEGV ignored", fault_ignored, SIGSEGV);
	child_dies_of("abort", do_abort, SIGABRT);
	child_dies_of("write to a pipe with no reader", default_sigpipe, SIGPIPE);
	child_dies_of("SA_RESETHAND", resethand, SIGUSR1);
	PASS();
	return 0;
}
