/*
 * Processes and waiting: clone and clone3, for a thread (user/thread.c)
 * or as fork (a new host process runs the same emulator, the guest's
 * memory copied by the host's fork), execve (a
 * riscv64 program runs under rvjit-user again, anything else on the host),
 * wait4, and futex on guest words (the host's futex on the same memory).
 */
#define _GNU_SOURCE
#include "jit/jit.h"
#include "syscalls.h"
#include "user_signal.h"
#include <elf.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/futex.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef EM_RISCV
#define EM_RISCV 243
#endif
#define MAX_EXEC_ARGS 4096

enum { REG_SP = 2 };

/* clone and clone3: a thread (user/thread.c), or a fork. */
static long do_clone(struct user_thread *t, uint64_t flags, uint64_t stack, uint64_t parent_tid,
		     uint64_t tls, uint64_t child_tid)
{
	/* Linux's own rules (kernel/fork.c, copy_process). */
	if ((flags & CLONE_THREAD) && !(flags & CLONE_SIGHAND))
		return -EINVAL;
	if ((flags & CLONE_SIGHAND) && !(flags & CLONE_VM))
		return -EINVAL;
	if ((flags & (CLONE_NEWNS | CLONE_FS)) == (CLONE_NEWNS | CLONE_FS))
		return -EINVAL;
	/* Threads share the address space; they come with their own harts. */
	if ((flags & CLONE_VM) && !(flags & CLONE_VFORK))
		return user_thread_clone(t, flags & ~(uint64_t)CSIGNAL, stack, tls, parent_tid,
					 child_tid);
	/* fork and vfork (run as a fork: the parent waits for nothing it
	 * does not also get from a fork). */
	const pid_t pid = user_fork(t);
	if (pid < 0)
		return -errno;
	struct user_process *p = t->p;
	if (pid == 0) {
		user_gdb_forget(p);
		if (stack)
			t->h->x[REG_SP] = stack; /* the child's stack */
		uint32_t *word = (flags & (CLONE_CHILD_SETTID | CLONE_CHILD_CLEARTID))
				     ? user_ptr(p, child_tid, 4, USER_PROT_WRITE)
				     : NULL;
		if (word && (flags & CLONE_CHILD_SETTID))
			*word = (uint32_t)t->tid;
		if (flags & CLONE_CHILD_CLEARTID)
			t->clear_tid = child_tid;
	} else if (flags & CLONE_PARENT_SETTID) {
		uint32_t *word = user_ptr(p, parent_tid, 4, USER_PROT_WRITE);
		if (word)
			*word = (uint32_t)pid;
	}
	return pid;
}

SYSCALL(clone)
{
	(void)p;
	/* riscv64's argument order: flags, stack, parent_tid, tls, child_tid. */
	return do_clone(t, a[0], a[1], a[2], a[3], a[4]);
}

/* Linux's struct clone_args (include/uapi/linux/sched.h). */
struct rv_clone_args {
	uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls, set_tid,
	    set_tid_size, cgroup;
};
#define CLONE_ARGS_SIZE_VER0 64

SYSCALL(clone3)
{
	const uint64_t size = a[1];
	if (size < CLONE_ARGS_SIZE_VER0)
		return -EINVAL;
	if (size > 4096)
		return -E2BIG;
	const uint8_t *raw = user_ptr(p, a[0], size, USER_PROT_READ);
	if (!raw)
		return -EFAULT;
	struct rv_clone_args ca = {0};
	memcpy(&ca, raw, size < sizeof(ca) ? size : sizeof(ca));
	/* A larger structure than this one knows must be zero beyond it. */
	for (uint64_t i = sizeof(ca); i < size; i++)
		if (raw[i])
			return -E2BIG;
	/* As Linux checks them (kernel/fork.c, copy_clone_args_from_user and
	 * clone3_args_valid); what a host thread or fork cannot give
	 * (pidfds, choosing the tid, cgroups, namespaces) is refused too. */
	if ((ca.flags & CSIGNAL) || ca.exit_signal > 64 ||
	    ((ca.flags & (CLONE_THREAD | CLONE_PARENT)) && ca.exit_signal))
		return -EINVAL;
	if ((ca.stack == 0) != (ca.stack_size == 0))
		return -EINVAL;
	if ((ca.flags & CLONE_PIDFD) || ca.set_tid || ca.set_tid_size || ca.cgroup ||
	    (ca.flags >> 32))
		return -EINVAL;
	return do_clone(t, ca.flags | ca.exit_signal, ca.stack ? ca.stack + ca.stack_size : 0,
			ca.parent_tid, ca.tls, ca.child_tid);
}

/* A guest argv or envp array, as host strings; NULL on a fault. */
static char **guest_vector(struct user_process *p, uint64_t addr, size_t reserve, size_t *count)
{
	size_t n = 0;
	const uint64_t *v = NULL;
	if (addr) {
		for (;; n++) {
			if (n >= MAX_EXEC_ARGS ||
			    !(v = user_ptr(p, addr + 8 * n, 8, USER_PROT_READ)))
				return NULL;
			if (!*v)
				break;
		}
	}
	char **out = calloc(n + reserve + 2, sizeof(char *)); /* room for argv[0] if absent */
	if (!out)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		const uint64_t *slot = user_ptr(p, addr + 8 * i, 8, USER_PROT_READ);
		const char *s = slot ? user_string(p, *slot) : NULL;
		if (!s) {
			free(out);
			return NULL;
		}
		out[reserve + i] = (char *)s;
	}
	*count = n;
	return out;
}

static bool is_riscv_elf(const char *path)
{
	const int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	Elf64_Ehdr eh;
	const bool yes = read(fd, &eh, sizeof(eh)) == (ssize_t)sizeof(eh) &&
			 !memcmp(eh.e_ident, ELFMAG, SELFMAG) && eh.e_machine == EM_RISCV;
	close(fd);
	return yes;
}

SYSCALL(execve)
{
	GUEST_PATH(path, a[0]);
	if (user_is_proc_self_exe(p, path_guest))
		path = p->exe_path;
	size_t argc = 0, envc = 0;
	const size_t self = p->self_argc;
	char **argv = guest_vector(p, a[1], self + 2, &argc);
	char **envp = guest_vector(p, a[2], 0, &envc);
	if (!argv || !envp) {
		free(argv);
		free(envp);
		return -EFAULT;
	}
	if (access(path, X_OK)) {
		const int e = errno;
		free(argv);
		free(envp);
		return -e;
	}
	fflush(NULL);
	if (is_riscv_elf(path)) {
		/* rvjit-user OPTIONS -0 ARGV0 PATH ARGS...: the same options
		 * (engine, sysroot, -strace) for the new program. */
		char **v = argv;
		for (size_t i = 0; i < self; i++)
			v[i] = p->self_argv[i];
		const char *argv0 = argc ? argv[self + 2] : path_guest;
		v[self] = "-0";
		v[self + 1] = (char *)argv0;
		v[self + 2] = (char *)path; /* argv[0] went in -0 */
		execve(p->self_exe, v, envp);
	} else {
		execve(path, argv + self + 2, envp);
	}
	const int e = errno;
	free(argv);
	free(envp);
	return -e;
}

SYSCALL(wait4)
{
	int *status = NULL;
	struct rusage *ru = NULL;
	if (a[1] && !(status = user_ptr(p, a[1], sizeof(int), USER_PROT_WRITE)))
		return -EFAULT;
	if (a[3] && !(ru = user_ptr(p, a[3], sizeof(*ru), USER_PROT_WRITE)))
		return -EFAULT;
	return user_safe_syscall(t, SYS_wait4, (long)(pid_t)a[0], (long)status, (long)(int)a[2],
				 (long)ru, 0, 0);
}

SYSCALL(futex)
{
	const int op = (int)a[1], cmd = op & FUTEX_CMD_MASK;
	uint32_t *word = user_ptr(p, a[0], 4, USER_PROT_READ);
	if (!word || (a[0] & 3))
		return -EFAULT;
	switch (cmd) {
	case FUTEX_WAIT:
	case FUTEX_WAIT_BITSET:
	case FUTEX_LOCK_PI:
	case FUTEX_WAIT_REQUEUE_PI: {
		const struct timespec *ts = NULL;
		if (a[3] && !(ts = user_ptr(p, a[3], sizeof(*ts), USER_PROT_READ)))
			return -EFAULT;
		uint32_t *word2 = NULL;
		if (cmd == FUTEX_WAIT_REQUEUE_PI && !(word2 = user_ptr(p, a[4], 4, USER_PROT_READ)))
			return -EFAULT;
		return host_result(
		    syscall(SYS_futex, word, op, (uint32_t)a[2], ts, word2, (uint32_t)a[5]));
	}
	case FUTEX_REQUEUE:
	case FUTEX_CMP_REQUEUE:
	case FUTEX_WAKE_OP:
	case FUTEX_CMP_REQUEUE_PI: {
		uint32_t *word2 = user_ptr(p, a[4], 4, USER_PROT_READ | USER_PROT_WRITE);
		if (!word2)
			return -EFAULT;
		return host_result(syscall(SYS_futex, word, op, (uint32_t)a[2], (unsigned long)a[3],
					   word2, (uint32_t)a[5]));
	}
	default:
		return host_result(syscall(SYS_futex, word, op, (uint32_t)a[2], (unsigned long)a[3],
					   NULL, (uint32_t)a[5]));
	}
}

SYSCALL(waitid)
{
	/* siginfo_t and struct rusage are laid out alike on both. */
	siginfo_t *info = NULL;
	struct rusage *ru = NULL;
	if (a[2] && !(info = user_ptr(p, a[2], sizeof(*info), USER_PROT_WRITE)))
		return -EFAULT;
	if (a[4] && !(ru = user_ptr(p, a[4], sizeof(*ru), USER_PROT_WRITE)))
		return -EFAULT;
	return host_result(syscall(SYS_waitid, (int)a[0], (id_t)a[1], info, (int)a[3], ru));
}
