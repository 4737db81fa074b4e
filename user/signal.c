/*
 * The guest's signals. This first version keeps the guest's dispositions,
 * mask and alternate stack as Linux would report them, and turns a fault
 * into the death Linux would give a process with no handler; delivery to
 * guest handlers comes with the signal frame.
 */
#define _GNU_SOURCE
#include "syscalls.h"
#include "user_signal.h"
#include <signal.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

/* riscv64's generic signal numbers are x86-64's too. */
#define SIG_BIT(n) (1ULL << ((n)-1))
#ifndef SS_AUTODISARM
#define SS_AUTODISARM (1 << 31)
#endif
#define UNBLOCKABLE (SIG_BIT(SIGKILL) | SIG_BIT(SIGSTOP))

static int signal_of_fault(uint64_t cause)
{
	switch (cause) {
	case CAUSE_ILLEGAL_INSN:
		return SIGILL;
	case CAUSE_BREAKPOINT:
		return SIGTRAP;
	case CAUSE_MISALIGNED_FETCH:
	case CAUSE_MISALIGNED_LOAD:
	case CAUSE_MISALIGNED_STORE:
		return SIGBUS;
	default:
		return SIGSEGV;
	}
}

_Noreturn void user_signal_die(struct user_process *p, int sig)
{
	fflush(NULL);
	fprintf(stderr, "rvjit-user: uncaught target signal %d (%s) - core dumped\n", sig,
		strsignal(sig));
	/* Die of the same signal, so that the parent sees it, but leave no
	 * core of the emulator. */
	const struct rlimit none = {0, 0};
	setrlimit(RLIMIT_CORE, &none);
	signal(sig, SIG_DFL);
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, sig);
	sigprocmask(SIG_UNBLOCK, &set, NULL);
	raise(sig);
	_exit(128 + sig);
}

void user_signal_fault(struct user_thread *t, uint64_t cause, uint64_t tval)
{
	user_signal_die(t->p, signal_of_fault(cause));
}

void user_signal_deliver(struct user_thread *t)
{
	(void)t;
}

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
	if (new)
		p->sigactions[sig] = *new;
	if (old)
		*old = was;
	return 0;
}

SYSCALL(rt_sigprocmask)
{
	if (a[3] != 8)
		return -EINVAL;
	const uint64_t *set = NULL;
	uint64_t *old = NULL;
	if (a[1] && !(set = user_ptr(p, a[1], 8, USER_PROT_READ)))
		return -EFAULT;
	if (a[2] && !(old = user_ptr(p, a[2], 8, USER_PROT_WRITE)))
		return -EFAULT;
	const uint64_t was = t->sigmask;
	if (set) {
		switch (a[0]) {
		case SIG_BLOCK:
			t->sigmask |= *set;
			break;
		case SIG_UNBLOCK:
			t->sigmask &= ~*set;
			break;
		case SIG_SETMASK:
			t->sigmask = *set;
			break;
		default:
			return -EINVAL;
		}
		t->sigmask &= ~UNBLOCKABLE;
	}
	if (old)
		*old = was;
	return 0;
}

SYSCALL(rt_sigpending)
{
	uint64_t *set = user_ptr(p, a[0], 8, USER_PROT_WRITE);
	if (!set)
		return -EFAULT;
	*set = (t->sigpending | p->sigpending) & t->sigmask;
	return 0;
}

SYSCALL(rt_sigsuspend)
{
	return -ENOSYS;
}

SYSCALL(rt_sigreturn)
{
	return -ENOSYS;
}

/* riscv64's stack_t: sp, flags (int, padded), size. */
struct rv_stack {
	uint64_t sp;
	int32_t flags, pad;
	uint64_t size;
};

SYSCALL(sigaltstack)
{
	const struct rv_stack *new = NULL;
	struct rv_stack *old = NULL;
	if (a[0] && !(new = user_ptr(p, a[0], sizeof(*new), USER_PROT_READ)))
		return -EFAULT;
	if (a[1] && !(old = user_ptr(p, a[1], sizeof(*old), USER_PROT_WRITE)))
		return -EFAULT;
	const struct rv_stack was = {.sp = t->sigaltstack_sp,
				     .flags = t->sigaltstack_size ? 0 : SS_DISABLE,
				     .size = t->sigaltstack_size};
	if (new) {
		if ((uint32_t) new->flags & ~(uint32_t)(SS_DISABLE | SS_AUTODISARM))
			return -EINVAL;
		if (new->flags & SS_DISABLE) {
			t->sigaltstack_sp = t->sigaltstack_size = 0;
		} else {
			if (new->size < (uint64_t)MINSIGSTKSZ)
				return -ENOMEM;
			t->sigaltstack_sp = new->sp;
			t->sigaltstack_size = new->size;
		}
	}
	if (old)
		*old = was;
	return 0;
}

SYSCALL(kill)
{
	return host_result(kill((pid_t)a[0], (int)a[1]));
}

SYSCALL(tkill)
{
	return host_result(syscall(SYS_tkill, (pid_t)a[0], (int)a[1]));
}

SYSCALL(tgkill)
{
	return host_result(syscall(SYS_tgkill, (pid_t)a[0], (pid_t)a[1], (int)a[2]));
}
