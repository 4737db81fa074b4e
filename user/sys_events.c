/*
 * Descriptors that deliver events: inotify, timerfd, eventfd. Their
 * structures (struct inotify_event, struct itimerspec, the eventfd counter)
 * are the same on riscv64 and x86-64, so they pass through.
 */
#include "syscalls.h"
#include <sys/inotify.h>
#include <sys/syscall.h>
#include <sys/timerfd.h>
#include <unistd.h>

SYSCALL(eventfd2)
{
	return host_result(syscall(SYS_eventfd2, (unsigned)a[0], (int)a[1]));
}

SYSCALL(inotify_init1)
{
	return host_result(inotify_init1((int)a[0]));
}

SYSCALL(inotify_add_watch)
{
	GUEST_PATH(path, a[1]);
	return host_result(inotify_add_watch((int)a[0], path, (uint32_t)a[2]));
}

SYSCALL(inotify_rm_watch)
{
	return host_result(inotify_rm_watch((int)a[0], (int)a[1]));
}

SYSCALL(timerfd_create)
{
	return host_result(timerfd_create((int)a[0], (int)a[1]));
}

SYSCALL(timerfd_settime)
{
	const struct itimerspec *new = user_ptr(p, a[2], sizeof(*new), USER_PROT_READ);
	struct itimerspec *old = NULL;
	if (!new || (a[3] && !(old = user_ptr(p, a[3], sizeof(*old), USER_PROT_WRITE))))
		return -EFAULT;
	return host_result(timerfd_settime((int)a[0], (int)a[1], new, old));
}

SYSCALL(timerfd_gettime)
{
	struct itimerspec *cur = user_ptr(p, a[1], sizeof(*cur), USER_PROT_WRITE);
	return cur ? host_result(timerfd_gettime((int)a[0], cur)) : -EFAULT;
}
