/*
 * Processes and waiting: clone as fork (a new host process runs the same
 * emulator, the guest's memory copied by the host's fork), execve (a
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

SYSCALL(clone)
{
	const uint64_t flags = a[0];
	/* Threads share the address space; they come with their own harts. */
	if ((flags & CLONE_VM) && !(flags & CLONE_VFORK))
		return -ENOSYS;
	/* fork and vfork (run as a fork: the parent waits for nothing it
	 * does not also get from a fork). */
	fflush(NULL);
	bool ok;
	void *code = jit_fork_prepare(p->m, &ok);
	if (!ok)
		return -ENOMEM;
	const pid_t pid = fork();
	const int e = errno;
	if (!jit_fork_finish(p->m, code, pid == 0) && pid == 0)
		user_exit(p, 127);
	if (pid < 0)
		return -e;
	if (pid == 0 && a[1])
		t->h->x[2] = a[1]; /* the child's stack */
	return pid;
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
