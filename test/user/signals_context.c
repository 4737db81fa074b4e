/* The signal frame's contents: all 32 FP registers and fcsr of the
 * interrupted code are in the handler's ucontext and come back after a
 * handler that clobbers every one of them; an integer register the handler
 * changes in its ucontext is the interrupted code's on return; the stack
 * handler's siginfo is at its 16-byte aligned stack pointer, the
 * ucontext after it; on an alternate stack with
 * SS_AUTODISARM the ucontext's uc_stack says so, and the stack is disarmed
 * while the handler runs and armed again after it. */
#define TEST_NAME "signals_context"
#include "check.h"

#include <signal.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <ucontext.h>
#include <unistd.h>

#ifndef SS_AUTODISARM
#define SS_AUTODISARM (1U << 31)
#endif

struct seen {
	volatile int count;
	uint64_t f[32];
	volatile uint32_t fcsr;
	volatile uintptr_t sp, uc_stack_sp;
	volatile int uc_stack_flags, inner_flags;
	volatile uintptr_t info, uc; /* where the handler's siginfo and ucontext are */
};
static struct seen *seen_ptr;

static void on_fp(int sig, siginfo_t *si, void *ucv)
{
	(void)sig, (void)si;
	ucontext_t *uc = ucv;
	for (int i = 0; i < 32; i++)
		seen_ptr->f[i] = uc->uc_mcontext.__fpregs.__d.__f[i];
	seen_ptr->fcsr = uc->uc_mcontext.__fpregs.__d.__fcsr;
	seen_ptr->count++;
	/* Every FP register and fcsr clobbered. */
#define Z(n) "fmv.d.x f" #n ", zero\n\t"
	__asm__ volatile(Z(0) Z(1) Z(2) Z(3) Z(4) Z(5) Z(6) Z(7) Z(8) Z(9) Z(10) Z(11) Z(12) Z(13)
			     Z(14) Z(15) Z(16) Z(17) Z(18) Z(19) Z(20) Z(21) Z(22) Z(23) Z(24) Z(25)
				 Z(26) Z(27) Z(28) Z(29) Z(30) Z(31) "fscsr zero" ::
				     : "memory");
#undef Z
	/* The interrupted code's s2 becomes 99. */
	uc->uc_mcontext.__gregs[18] = 99;
}

static void on_alt(int sig, siginfo_t *si, void *ucv)
{
	(void)sig;
	seen_ptr->info = (uintptr_t)si;
	seen_ptr->uc = (uintptr_t)ucv;
	ucontext_t *uc = ucv;
	stack_t now;
	seen_ptr->sp = (uintptr_t)__builtin_frame_address(0);
	seen_ptr->uc_stack_sp = (uintptr_t)uc->uc_stack.ss_sp;
	seen_ptr->uc_stack_flags = uc->uc_stack.ss_flags;
	seen_ptr->inner_flags = sigaltstack(NULL, &now) == 0 ? now.ss_flags : -1;
	seen_ptr->count++;
}

int main(void)
{
	static struct seen seen;
	seen_ptr = &seen;

	/* 1. FP registers and fcsr through a handler (SIGUSR1 by a raw
	 *    tgkill, so nothing between the loads and the stores). */
	struct sigaction sa = {.sa_sigaction = on_fp, .sa_flags = SA_SIGINFO};
	sigemptyset(&sa.sa_mask);
	CHECK_SYS(sigaction(SIGUSR1, &sa, NULL));
	uint64_t in[32], out[32];
	for (int i = 0; i < 32; i++)
		in[i] = 0x4000000000000000ULL + (uint64_t)i * 0x0101010101010ULL;
	uint64_t s2_out;
	uint32_t fcsr_out;
	const uint32_t fcsr_in = (2u << 5) | 0x15; /* rm RDN, flags NV OF NX */
	const long pid = getpid(), tid = syscall(SYS_gettid);
#define L(n) "fld f" #n ", " #n "*8(%[in])\n\t"
#define S(n) "fsd f" #n ", " #n "*8(%[out])\n\t"
	__asm__ volatile(
	    L(0) L(1) L(2) L(3) L(4) L(5) L(6) L(7) L(8) L(9) L(10) L(11) L(12) L(13) L(14) L(15)
		L(16) L(17) L(18) L(19) L(20) L(21) L(22) L(23) L(24) L(25) L(26) L(27) L(28) L(29)
		    L(30) L(31) "fscsr %[fcsr_in]\n\t"
				"li s2, 1\n\t"
				"li a7, 131\n\t" /* __NR_tgkill */
				"mv a0, %[pid]\n\t"
				"mv a1, %[tid]\n\t"
				"li a2, 10\n\t" /* SIGUSR1 */
				"ecall\n\t"
				"frcsr %[fcsr_out]\n\t"
				"mv %[s2_out], s2\n\t" S(0) S(1) S(2) S(3) S(4) S(5) S(6) S(7) S(8)
				    S(9) S(10) S(11) S(12) S(13) S(14) S(15) S(16) S(17) S(18) S(19)
					S(20) S(21) S(22) S(23) S(24) S(25) S(26) S(27) S(28) S(29)
					    S(30) S(31)
	    : [fcsr_out] "=&r"(fcsr_out), [s2_out] "=&r"(s2_out)
	    : [in] "r"(in), [out] "r"(out), [fcsr_in] "r"(fcsr_in), [pid] "r"(pid), [tid] "r"(tid)
	    : "a0", "a1", "a2", "a7", "s2", "memory", "f0", "f1", "f2", "f3", "f4", "f5", "f6",
	      "f7", "f8", "f9", "f10", "f11", "f12", "f13", "f14", "f15", "f16", "f17", "f18",
	      "f19", "f20", "f21", "f22", "f23", "f24", "f25", "f26", "f27", "f28", "f29", "f30",
	      "f31");
#undef L
#undef S
	CHECK(seen.count == 1, "handler ran %d times", seen.count);
	for (int i = 0; i < 32; i++) {
		CHECK(seen.f[i] == in[i], "f%d in the ucontext: %#llx, want %#llx", i,
		      (unsigned long long)seen.f[i], (unsigned long long)in[i]);
		CHECK(out[i] == in[i], "f%d after the handler: %#llx, want %#llx", i,
		      (unsigned long long)out[i], (unsigned long long)in[i]);
	}
	CHECK(seen.fcsr == fcsr_in, "fcsr in the ucontext %#x, want %#x", seen.fcsr, fcsr_in);
	CHECK(fcsr_out == fcsr_in, "fcsr after the handler %#x, want %#x", fcsr_out, fcsr_in);
	CHECK(s2_out == 99, "s2 set in the ucontext: %llu after the handler, want 99",
	      (unsigned long long)s2_out);

	/* 2. An auto-disarming alternate stack. */
	const size_t size = 64 * 1024;
	char *alt = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(alt != MAP_FAILED, "mmap");
	stack_t ss = {.ss_sp = alt, .ss_size = size, .ss_flags = (int)SS_AUTODISARM};
	CHECK_SYS(sigaltstack(&ss, NULL));
	sa = (struct sigaction){.sa_sigaction = on_alt, .sa_flags = SA_SIGINFO | SA_ONSTACK};
	sigemptyset(&sa.sa_mask);
	CHECK_SYS(sigaction(SIGUSR2, &sa, NULL));
	seen.count = 0;
	CHECK_SYS(raise(SIGUSR2));
	CHECK(seen.count == 1, "SIGUSR2 handler ran %d times", seen.count);
	CHECK(seen.sp > (uintptr_t)alt && seen.sp <= (uintptr_t)alt + size,
	      "handler frame at %#lx, not on the alternate stack %p", (unsigned long)seen.sp, alt);
	/* The frame starts with the siginfo, at the handler's 16-byte aligned
	 * sp, and the ucontext follows it (riscv64's struct rt_sigframe). */
	CHECK(seen.info % 16 == 0 && seen.uc == seen.info + 128 && seen.info >= (uintptr_t)alt &&
		  seen.info < (uintptr_t)alt + size,
	      "siginfo at %#lx, ucontext at %#lx", (unsigned long)seen.info,
	      (unsigned long)seen.uc);
	CHECK(seen.uc_stack_sp == (uintptr_t)alt &&
		  (unsigned)seen.uc_stack_flags == (unsigned)SS_AUTODISARM,
	      "uc_stack: sp %#lx flags %#x", (unsigned long)seen.uc_stack_sp,
	      (unsigned)seen.uc_stack_flags);
	CHECK(seen.inner_flags == SS_DISABLE,
	      "sigaltstack in the handler: flags %#x, want disabled", (unsigned)seen.inner_flags);
	stack_t after;
	CHECK_SYS(sigaltstack(NULL, &after));
	CHECK(after.ss_sp == alt && after.ss_size == size &&
		  (unsigned)after.ss_flags == (unsigned)SS_AUTODISARM,
	      "after the handler: sp %p size %zu flags %#x", after.ss_sp, after.ss_size,
	      (unsigned)after.ss_flags);
	PASS();
	return 0;
}
