/*
 * Waiting on descriptors: ppoll, pselect6, epoll. struct pollfd and fd_set
 * are alike on both sides; struct epoll_event is not (x86-64's is packed,
 * 12 bytes; riscv64's has its 64-bit data aligned, 16 bytes).
 */
#define _GNU_SOURCE
#include "syscalls.h"
#include "user_signal.h"
#include <poll.h>
#include <sys/epoll.h>
#include <sys/select.h>
#include <sys/syscall.h>
#include <unistd.h>

struct rv_epoll_event {
	uint32_t events;
	uint32_t pad;
	uint64_t data;
};

/* The guest's sigmask argument (8 bytes at addr, or none: NULL); *bad
 * set when it is unreadable. */
static const uint64_t *mask_arg(struct user_process *p, uint64_t addr, bool *bad)
{
	const uint64_t *mask = NULL;
	*bad = addr && !(mask = user_ptr(p, addr, 8, USER_PROT_READ));
	return mask;
}

/* The guest's timeout, NULL for none; *bad set when unreadable. */
static struct timespec *timeout_arg(struct user_process *p, uint64_t addr, unsigned prot, bool *bad)
{
	struct timespec *ts = NULL;
	*bad = addr && !(ts = user_ptr(p, addr, sizeof(*ts), prot));
	return ts;
}

SYSCALL(ppoll)
{
	struct pollfd *fds =
	    user_ptr(p, a[0], a[1] * sizeof(struct pollfd), USER_PROT_READ | USER_PROT_WRITE);
	bool bad;
	struct timespec *ts = timeout_arg(p, a[2], USER_PROT_READ | USER_PROT_WRITE, &bad);
	if (!fds || bad || (a[3] && a[4] != 8))
		return !fds || bad ? -EFAULT : -EINVAL;
	const uint64_t *mask = mask_arg(p, a[3], &bad);
	if (bad)
		return -EFAULT;
	/* Waits with the guest's mask (the call's, or its own) set by the
	 * host call, so that no signal is missed (user_signal_wait_begin). */
	struct user_wait w;
	if (!user_signal_wait_begin(t, mask, &w))
		return -EINTR;
	const long r = syscall(SYS_ppoll, fds, (nfds_t)a[1], ts, &w.host, (size_t)8);
	user_signal_wait_end(&w);
	return host_result(r);
}

SYSCALL(pselect6)
{
	const int n = (int)a[0];
	if (n < 0 || n > FD_SETSIZE)
		return -EINVAL;
	const uint64_t bytes = ((uint64_t)n + 63) / 64 * 8;
	fd_set *sets[3] = {NULL, NULL, NULL};
	for (int i = 0; i < 3; i++)
		if (a[1 + i] &&
		    !(sets[i] = user_ptr(p, a[1 + i], bytes, USER_PROT_READ | USER_PROT_WRITE)))
			return -EFAULT;
	bool bad;
	struct timespec *ts = timeout_arg(p, a[4], USER_PROT_READ | USER_PROT_WRITE, &bad);
	if (bad)
		return -EFAULT;
	/* The sixth argument: {const sigset_t *ss; size_t ss_len}. */
	const uint64_t *sig = NULL;
	if (a[5] && !(sig = user_ptr(p, a[5], 16, USER_PROT_READ)))
		return -EFAULT;
	const uint64_t *mask = NULL;
	if (sig && sig[0]) {
		if (sig[1] != 8)
			return -EINVAL;
		if (!(mask = mask_arg(p, sig[0], &bad)))
			return -EFAULT;
	}
	struct user_wait w;
	if (!user_signal_wait_begin(t, mask, &w))
		return -EINTR;
	const struct {
		const sigset_t *ss;
		size_t len;
	} host_sig = {&w.host, 8};
	const long r = syscall(SYS_pselect6, n, sets[0], sets[1], sets[2], ts, &host_sig);
	user_signal_wait_end(&w);
	return host_result(r);
}

SYSCALL(epoll_create1)
{
	return host_result(epoll_create1((int)a[0]));
}

SYSCALL(epoll_ctl)
{
	struct epoll_event ev = {0};
	if (a[1] != EPOLL_CTL_DEL) {
		const struct rv_epoll_event *g = user_ptr(p, a[3], sizeof(*g), USER_PROT_READ);
		if (!g)
			return -EFAULT;
		ev.events = g->events;
		ev.data.u64 = g->data;
	}
	return host_result(epoll_ctl((int)a[0], (int)a[1], (int)a[2], &ev));
}

SYSCALL(epoll_pwait)
{
	const int max = (int)a[2];
	if (max <= 0 || max > 4096)
		return -EINVAL;
	struct rv_epoll_event *g = user_ptr(p, a[1], (uint64_t)max * sizeof(*g), USER_PROT_WRITE);
	if (!g)
		return -EFAULT;
	bool bad;
	if (a[4] && a[5] != 8)
		return -EINVAL;
	const uint64_t *mask = mask_arg(p, a[4], &bad);
	if (bad)
		return -EFAULT;
	struct epoll_event ev[4096];
	struct user_wait w;
	if (!user_signal_wait_begin(t, mask, &w))
		return -EINTR;
	const int n =
	    (int)syscall(SYS_epoll_pwait, (int)a[0], ev, max, (int)a[3], &w.host, (size_t)8);
	user_signal_wait_end(&w);
	if (n < 0)
		return -errno;
	for (int i = 0; i < n; i++)
		g[i] = (struct rv_epoll_event){.events = ev[i].events, .data = ev[i].data.u64};
	return n;
}
