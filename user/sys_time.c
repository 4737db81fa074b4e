/*
 * Clocks, sleeps and interval timers. struct timespec and struct timeval
 * are two 64-bit words on both riscv64 and x86-64, so they pass as they are.
 */
#include "syscalls.h"
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/times.h>
#include <time.h>
#include <unistd.h>

SYSCALL(clock_gettime)
{
	struct timespec *ts = user_ptr(p, a[1], sizeof(*ts), USER_PROT_WRITE);
	return ts ? host_result(clock_gettime((clockid_t)a[0], ts)) : -EFAULT;
}

SYSCALL(clock_getres)
{
	struct timespec *ts = NULL;
	if (a[1] && !(ts = user_ptr(p, a[1], sizeof(*ts), USER_PROT_WRITE)))
		return -EFAULT;
	return host_result(clock_getres((clockid_t)a[0], ts));
}

SYSCALL(clock_nanosleep)
{
	const struct timespec *req = user_ptr(p, a[2], sizeof(*req), USER_PROT_READ);
	struct timespec *rem = NULL;
	if (!req || (a[3] && !(rem = user_ptr(p, a[3], sizeof(*rem), USER_PROT_WRITE))))
		return -EFAULT;
	/* This one returns the error number itself. */
	return -clock_nanosleep((clockid_t)a[0], (int)a[1], req, rem);
}

SYSCALL(nanosleep)
{
	const struct timespec *req = user_ptr(p, a[0], sizeof(*req), USER_PROT_READ);
	struct timespec *rem = NULL;
	if (!req || (a[1] && !(rem = user_ptr(p, a[1], sizeof(*rem), USER_PROT_WRITE))))
		return -EFAULT;
	return host_result(nanosleep(req, rem));
}

SYSCALL(gettimeofday)
{
	struct timeval *tv = NULL;
	if (a[0] && !(tv = user_ptr(p, a[0], sizeof(*tv), USER_PROT_WRITE)))
		return -EFAULT;
	return host_result(gettimeofday(tv, NULL));
}

SYSCALL(times)
{
	struct tms *buf = NULL;
	if (a[0] && !(buf = user_ptr(p, a[0], sizeof(*buf), USER_PROT_WRITE)))
		return -EFAULT;
	return host_result(syscall(SYS_times, buf));
}

SYSCALL(getitimer)
{
	struct itimerval *v = user_ptr(p, a[1], sizeof(*v), USER_PROT_WRITE);
	return v ? host_result(getitimer((int)a[0], v)) : -EFAULT;
}

SYSCALL(setitimer)
{
	const struct itimerval *v = user_ptr(p, a[1], sizeof(*v), USER_PROT_READ);
	struct itimerval *old = NULL;
	if (!v || (a[2] && !(old = user_ptr(p, a[2], sizeof(*old), USER_PROT_WRITE))))
		return -EFAULT;
	return host_result(setitimer((int)a[0], v, old));
}
