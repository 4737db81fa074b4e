/*
 * A host system call that may block and that no guest signal slips past
 * (QEMU's safe_syscall does the same). A signal the host gives the thread
 * while the guest's system call runs its emulator side, before the host
 * call has started to sleep, would otherwise wait for the call to return
 * (a read of a terminal: until a key is pressed). So the call checks a
 * flag the host signal handler sets (t->signal_kick, cleared when each
 * guest system call starts) immediately before the host's syscall
 * instruction, and the handler, when the thread was interrupted between
 * that check and the instruction, moves it on to return EINTR instead
 * (user_safe_syscall_rewind): the guest then gets the signal as if it had
 * interrupted the sleep. Once the instruction has run, the host kernel
 * itself returns EINTR from a sleep a handler interrupts.
 *
 * x86-64 only; elsewhere a plain call (the window stays open).
 */
#define _GNU_SOURCE
#include "user_signal.h"
#include <errno.h>
#include <signal.h>
#include <sys/syscall.h>
#include <ucontext.h>
#include <unistd.h>

#if defined(__x86_64__)
/* long user_safe_syscall_raw(const int *flag, long nr, long a1, ..., a6):
 * the kernel's result (-errno on failure), or -EINTR without the call
 * when *flag is set. Arguments: rdi flag, rsi nr, rdx rcx r8 r9 a1-a4,
 * the stack a5 a6; the kernel wants rax nr, rdi rsi rdx r10 r8 r9. */
long user_safe_syscall_raw(const int *flag, long nr, long a1, long a2, long a3, long a4, long a5,
			   long a6);
extern const char user_safe_syscall_start[], user_safe_syscall_end[], user_safe_syscall_eintr[];
__asm__(".pushsection .text\n"
	".globl user_safe_syscall_raw\n"
	".hidden user_safe_syscall_raw\n"
	".type user_safe_syscall_raw, @function\n"
	"user_safe_syscall_raw:\n\t"
	"movq %rdi, %r11\n\t"
	"movq %rsi, %rax\n\t"
	"movq %rdx, %rdi\n\t"
	"movq %rcx, %rsi\n\t"
	"movq %r8, %rdx\n\t"
	"movq %r9, %r10\n\t"
	"movq 8(%rsp), %r8\n\t"
	"movq 16(%rsp), %r9\n"
	".globl user_safe_syscall_start\n"
	".hidden user_safe_syscall_start\n"
	"user_safe_syscall_start:\n\t"
	"cmpl $0, (%r11)\n\t"
	"jne user_safe_syscall_eintr\n\t"
	"syscall\n"
	".globl user_safe_syscall_end\n"
	".hidden user_safe_syscall_end\n"
	"user_safe_syscall_end:\n\t"
	"ret\n"
	".globl user_safe_syscall_eintr\n"
	".hidden user_safe_syscall_eintr\n"
	"user_safe_syscall_eintr:\n\t"
	"movq $-4, %rax\n\t" /* -EINTR */
	"ret\n"
	".size user_safe_syscall_raw, . - user_safe_syscall_raw\n"
	".popsection");
_Static_assert(EINTR == 4, "the EINTR the code above returns");

long user_safe_syscall(struct user_thread *t, long nr, long a1, long a2, long a3, long a4, long a5,
		       long a6)
{
	return user_safe_syscall_raw(&t->signal_kick, nr, a1, a2, a3, a4, a5, a6);
}

void user_safe_syscall_rewind(void *ctx)
{
	ucontext_t *uc = ctx;
	const uintptr_t pc = (uintptr_t)uc->uc_mcontext.gregs[REG_RIP];
	if (pc >= (uintptr_t)user_safe_syscall_start && pc < (uintptr_t)user_safe_syscall_end)
		uc->uc_mcontext.gregs[REG_RIP] = (greg_t)(uintptr_t)user_safe_syscall_eintr;
}
#else
long user_safe_syscall(struct user_thread *t, long nr, long a1, long a2, long a3, long a4, long a5,
		       long a6)
{
	if (__atomic_load_n(&t->signal_kick, __ATOMIC_RELAXED))
		return -EINTR;
	const long r = syscall(nr, a1, a2, a3, a4, a5, a6);
	return r < 0 ? -errno : r;
}

void user_safe_syscall_rewind(void *ctx)
{
	(void)ctx;
}
#endif
