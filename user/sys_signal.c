/*
 * The signal system calls other than rt_sigaction (user/signal.c) and
 * rt_sigreturn (user/signal_frame.c): masks, waiting for signals, the
 * alternate stack, signalfd, and sending signals, now or by a timer,
 * which the host does (the guest's pids and tids are the host's, and its
 * siginfo has the host's layout).
 */
#define _GNU_SOURCE
#include "syscalls.h"
#include "user_signal.h"
#include <signal.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#ifndef SS_AUTODISARM
#define SS_AUTODISARM (1U << 31)
#endif
#define UNBLOCKABLE (USER_SIG_BIT(SIGKILL) | USER_SIG_BIT(SIGSTOP))

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
		/* Signals the host kept pending reach host_signal as this
		 * returns, and the guest before its call returns. */
		user_signal_sync_mask(t);
	}
	if (old)
		*old = was;
	return 0;
}

SYSCALL(rt_sigpending)
{
	if (a[1] != 8)
		return -EINVAL;
	uint64_t *set = user_ptr(p, a[0], 8, USER_PROT_WRITE);
	if (!set)
		return -EFAULT;
	sigset_t host;
	sigpending(&host);
	uint64_t pending = t->sigpending;
	for (int sig = 1; sig <= USER_MAX_SIGNALS; sig++)
		if (sigismember(&host, sig) == 1)
			pending |= USER_SIG_BIT(sig);
	*set = pending & t->sigmask;
	return 0;
}

SYSCALL(rt_sigsuspend)
{
	if (a[1] != 8)
		return -EINVAL;
	const uint64_t *set = user_ptr(p, a[0], 8, USER_PROT_READ);
	if (!set)
		return -EFAULT;
	/* It returns once a handler ran: EINTR (and, when no handler ran
	 * after all, user_signal_deliver makes it wait again). */
	struct user_wait w;
	if (user_signal_wait_begin(t, set, &w)) {
		sigsuspend(&w.host);
		user_signal_wait_end(&w);
	}
	return -EINTR;
}

SYSCALL(rt_sigtimedwait)
{
	if (a[3] != 8)
		return -EINVAL;
	const uint64_t *set = user_ptr(p, a[0], 8, USER_PROT_READ);
	uint8_t *info = NULL;
	const struct timespec *ts = NULL;
	if (!set || (a[1] && !(info = user_ptr(p, a[1], 128, USER_PROT_WRITE))) ||
	    (a[2] && !(ts = user_ptr(p, a[2], sizeof(*ts), USER_PROT_READ))))
		return -EFAULT;
	const uint64_t want = *set & ~UNBLOCKABLE;
	/* One taken already, or one the host holds. */
	uint8_t got[128];
	const int sig = user_signal_take(t, want, got);
	if (sig) {
		if (info)
			memcpy(info, got, 128);
		return sig;
	}
	sigset_t host;
	user_signal_host_set(&host, want);
	siginfo_t si;
	const long r = syscall(SYS_rt_sigtimedwait, &host, &si, ts, (size_t)8);
	if (r > 0 && info)
		memcpy(info, &si, 128);
	return host_result(r);
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
	const uint64_t sp = t->h->x[2];
	const bool on = user_on_altstack(t, sp);
	const struct rv_stack was = {
	    .sp = t->sigaltstack_sp,
	    .flags = (int32_t)((t->sigaltstack_size ? (on ? SS_ONSTACK : 0) : SS_DISABLE) |
			       (t->sigaltstack_flags & SS_AUTODISARM)),
	    .size = t->sigaltstack_size};
	if (new) {
		const uint32_t flags = (uint32_t) new->flags;
		const uint32_t mode = flags & ~(uint32_t)SS_AUTODISARM;
		if (on)
			return -EPERM;
		if (mode != 0 && mode != SS_DISABLE && mode != SS_ONSTACK)
			return -EINVAL;
		if (mode == SS_DISABLE) {
			t->sigaltstack_sp = t->sigaltstack_size = 0;
			t->sigaltstack_flags = 0;
		} else {
			if (new->size < (uint64_t)MINSIGSTKSZ)
				return -ENOMEM;
			t->sigaltstack_sp = new->sp;
			t->sigaltstack_size = new->size;
			t->sigaltstack_flags = flags & SS_AUTODISARM;
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

/* The siginfo goes to the host as it is: the layouts are the same. */
SYSCALL(rt_sigqueueinfo)
{
	const void *info = user_ptr(p, a[2], 128, USER_PROT_READ);
	if (!info)
		return -EFAULT;
	return host_result(syscall(SYS_rt_sigqueueinfo, (pid_t)a[0], (int)a[1], info));
}

SYSCALL(rt_tgsigqueueinfo)
{
	const void *info = user_ptr(p, a[3], 128, USER_PROT_READ);
	if (!info)
		return -EFAULT;
	return host_result(
	    syscall(SYS_rt_tgsigqueueinfo, (pid_t)a[0], (pid_t)a[1], (int)a[2], info));
}

SYSCALL(pidfd_send_signal)
{
	const void *info = NULL;
	if (a[2] && !(info = user_ptr(p, a[2], 128, USER_PROT_READ)))
		return -EFAULT;
	return host_result(
	    syscall(SYS_pidfd_send_signal, (int)a[0], (int)a[1], info, (unsigned)a[3]));
}

/* signalfd: the signals it reads are the ones the guest blocks, which the
 * host thread blocks too, so the host's signalfd reads them; its struct
 * signalfd_siginfo and flags are the same on both sides. */
SYSCALL(signalfd4)
{
	if (a[2] != 8)
		return -EINVAL;
	const uint64_t *mask = user_ptr(p, a[1], 8, USER_PROT_READ);
	if (!mask)
		return -EFAULT;
	sigset_t host;
	user_signal_host_set(&host, *mask & ~UNBLOCKABLE);
	return host_result(syscall(SYS_signalfd4, (int)a[0], &host, (size_t)8, (int)a[3]));
}

/* POSIX timers are the host's: struct sigevent (64 bytes) and struct
 * itimerspec have the same layout, a SIGEV_THREAD_ID names a host thread
 * (guest tids are host tids), and the timer's signal comes like any. */
SYSCALL(timer_create)
{
	const void *ev = NULL;
	if (a[1] && !(ev = user_ptr(p, a[1], 64, USER_PROT_READ)))
		return -EFAULT;
	int *id = user_ptr(p, a[2], sizeof(int), USER_PROT_WRITE);
	if (!id)
		return -EFAULT;
	return host_result(syscall(SYS_timer_create, (clockid_t)a[0], ev, id));
}

SYSCALL(timer_settime)
{
	const struct itimerspec *v = user_ptr(p, a[2], sizeof(*v), USER_PROT_READ);
	struct itimerspec *old = NULL;
	if (!v || (a[3] && !(old = user_ptr(p, a[3], sizeof(*old), USER_PROT_WRITE))))
		return -EFAULT;
	return host_result(syscall(SYS_timer_settime, (int)a[0], (int)a[1], v, old));
}

SYSCALL(timer_gettime)
{
	struct itimerspec *v = user_ptr(p, a[1], sizeof(*v), USER_PROT_WRITE);
	if (!v)
		return -EFAULT;
	return host_result(syscall(SYS_timer_gettime, (int)a[0], v));
}

SYSCALL(timer_getoverrun)
{
	return host_result(syscall(SYS_timer_getoverrun, (int)a[0]));
}

SYSCALL(timer_delete)
{
	return host_result(syscall(SYS_timer_delete, (int)a[0]));
}
