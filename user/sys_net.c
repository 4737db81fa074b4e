/*
 * Sockets. Addresses, socket options and control messages have the same
 * layout on riscv64 and x86-64 Linux (LP64 both), and descriptors are the
 * host's, so the calls pass through once every guest pointer, including
 * those inside a struct msghdr, is checked and turned into a host one.
 */
#define _GNU_SOURCE
#include "syscalls.h"
#include <limits.h>
#include <sys/socket.h>
#include <sys/uio.h>

/* An address the host reads (len bytes) or a buffer it fills, with the
 * guest's length word: NULL guest pointers stay NULL. */
static long in_addr(struct user_process *p, uint64_t addr, uint64_t len, const void **out)
{
	*out = NULL;
	if (addr && !(*out = user_ptr(p, addr, len, USER_PROT_READ)))
		return -EFAULT;
	return 0;
}

static long out_addr(struct user_process *p, uint64_t addr, uint64_t lenp, void **out,
		     socklen_t **len)
{
	*out = NULL;
	*len = NULL;
	if (!lenp)
		return 0;
	if (!(*len = user_ptr(p, lenp, sizeof(socklen_t), USER_PROT_READ | USER_PROT_WRITE)))
		return -EFAULT;
	if (addr && !(*out = user_ptr(p, addr, **len, USER_PROT_WRITE)))
		return -EFAULT;
	return 0;
}

SYSCALL(socket)
{
	return host_result(socket((int)a[0], (int)a[1], (int)a[2]));
}

SYSCALL(socketpair)
{
	int *sv = user_ptr(p, a[3], 2 * sizeof(int), USER_PROT_WRITE);
	return sv ? host_result(socketpair((int)a[0], (int)a[1], (int)a[2], sv)) : -EFAULT;
}

SYSCALL(bind)
{
	const void *sa;
	const long r = in_addr(p, a[1], a[2], &sa);
	return r ? r : host_result(bind((int)a[0], sa, (socklen_t)a[2]));
}

SYSCALL(connect)
{
	const void *sa;
	const long r = in_addr(p, a[1], a[2], &sa);
	return r ? r : host_result(connect((int)a[0], sa, (socklen_t)a[2]));
}

SYSCALL(listen)
{
	return host_result(listen((int)a[0], (int)a[1]));
}

SYSCALL(accept4)
{
	void *sa;
	socklen_t *len;
	const long r = out_addr(p, a[1], a[2], &sa, &len);
	return r ? r : host_result(accept4((int)a[0], sa, len, (int)a[3]));
}

SYSCALL(accept)
{
	const uint64_t b[6] = {a[0], a[1], a[2], 0, 0, 0};
	return sys_accept4(p, t, b);
}

SYSCALL(getsockname)
{
	void *sa;
	socklen_t *len;
	const long r = out_addr(p, a[1], a[2], &sa, &len);
	return r ? r : host_result(getsockname((int)a[0], sa, len));
}

SYSCALL(getpeername)
{
	void *sa;
	socklen_t *len;
	const long r = out_addr(p, a[1], a[2], &sa, &len);
	return r ? r : host_result(getpeername((int)a[0], sa, len));
}

SYSCALL(sendto)
{
	const void *buf = user_ptr(p, a[1], a[2], USER_PROT_READ);
	const void *sa;
	if (!buf || in_addr(p, a[4], a[5], &sa))
		return -EFAULT;
	return host_result(sendto((int)a[0], buf, a[2], (int)a[3], sa, (socklen_t)a[5]));
}

SYSCALL(recvfrom)
{
	void *buf = user_ptr(p, a[1], a[2], USER_PROT_WRITE);
	void *sa;
	socklen_t *len;
	if (!buf || out_addr(p, a[4], a[5], &sa, &len))
		return -EFAULT;
	return host_result(recvfrom((int)a[0], buf, a[2], (int)a[3], sa, len));
}

SYSCALL(setsockopt)
{
	const void *val = NULL;
	if (a[3] && !(val = user_ptr(p, a[3], a[4], USER_PROT_READ)))
		return -EFAULT;
	return host_result(setsockopt((int)a[0], (int)a[1], (int)a[2], val, (socklen_t)a[4]));
}

SYSCALL(getsockopt)
{
	void *val;
	socklen_t *len;
	if (!a[4] || out_addr(p, a[3], a[4], &val, &len))
		return -EFAULT;
	return host_result(getsockopt((int)a[0], (int)a[1], (int)a[2], val, len));
}

SYSCALL(shutdown)
{
	return host_result(shutdown((int)a[0], (int)a[1]));
}

/* riscv64's struct msghdr (the same words as x86-64's). */
struct rv_msghdr {
	uint64_t name;
	uint32_t namelen, pad1;
	uint64_t iov, iovlen, control, controllen;
	int32_t flags, pad2;
};

/* The guest's message header as a host one; `write` when the host fills
 * the buffers (recvmsg). Returns 0 or -errno. */
static long host_msghdr(struct user_process *p, struct rv_msghdr *g, bool write, struct msghdr *h,
			struct iovec *iov)
{
	const unsigned prot = write ? USER_PROT_WRITE : USER_PROT_READ;
	if (g->iovlen > IOV_MAX)
		return -EMSGSIZE;
	const uint64_t *giov = user_ptr(p, g->iov, g->iovlen * 16, USER_PROT_READ);
	if (!giov)
		return -EFAULT;
	for (uint64_t i = 0; i < g->iovlen; i++) {
		iov[i].iov_len = giov[2 * i + 1];
		if (!(iov[i].iov_base = user_ptr(p, giov[2 * i], iov[i].iov_len, prot)))
			return -EFAULT;
	}
	*h = (struct msghdr){.msg_iov = iov, .msg_iovlen = g->iovlen, .msg_flags = g->flags};
	if (g->name && !(h->msg_name = user_ptr(p, g->name, g->namelen, prot)))
		return -EFAULT;
	h->msg_namelen = g->name ? g->namelen : 0;
	if (g->control && !(h->msg_control = user_ptr(p, g->control, g->controllen, prot)))
		return -EFAULT;
	h->msg_controllen = g->control ? g->controllen : 0;
	return 0;
}

SYSCALL(sendmsg)
{
	struct rv_msghdr *g = user_ptr(p, a[1], sizeof(*g), USER_PROT_READ);
	if (!g)
		return -EFAULT;
	struct msghdr h;
	struct iovec iov[IOV_MAX];
	const long r = host_msghdr(p, g, false, &h, iov);
	return r ? r : host_result(sendmsg((int)a[0], &h, (int)a[2]));
}

SYSCALL(recvmsg)
{
	struct rv_msghdr *g = user_ptr(p, a[1], sizeof(*g), USER_PROT_READ | USER_PROT_WRITE);
	if (!g)
		return -EFAULT;
	struct msghdr h;
	struct iovec iov[IOV_MAX];
	long r = host_msghdr(p, g, true, &h, iov);
	if (r)
		return r;
	r = host_result(recvmsg((int)a[0], &h, (int)a[2]));
	if (r >= 0) {
		g->namelen = h.msg_namelen;
		g->controllen = h.msg_controllen;
		g->flags = h.msg_flags;
	}
	return r;
}
