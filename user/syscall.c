/*
 * The guest's way into the "kernel": every exception taken in U-mode comes
 * here (m->user_trap). An ecall is a system call: a7 its number, a0-a5 its
 * arguments, the result back in a0, and the guest goes on after the ecall.
 * A fault becomes the signal Linux would send (user/signal.c).
 *
 * The table names every call rvjit-user implements; -strace prints each
 * call as QEMU's does (pid, name, arguments, result), and an unknown call
 * returns -ENOSYS and is reported with -strace.
 */
#include "syscall_numbers.h"
#include "syscalls.h"
#include "user_signal.h"
#include <inttypes.h>
#include <string.h>
#include <unistd.h>

enum { REG_A0 = 10, REG_A7 = 17 };

struct syscall_def {
	const char *name;
	syscall_fn fn;
	/* -strace's view of the arguments, one letter each: d decimal,
	 * x hex, o octal, s a string, p a path (a string). */
	const char *args;
};

#define CALL(nr, fmt) [RV_##nr] = {#nr, sys_##nr, fmt}

static const struct syscall_def syscall_table[] = {
    CALL(setxattr, "psxdx"),
    CALL(lsetxattr, "psxdx"),
    CALL(fsetxattr, "dsxdx"),
    CALL(getxattr, "psxd"),
    CALL(lgetxattr, "psxd"),
    CALL(fgetxattr, "dsxd"),
    CALL(listxattr, "pxd"),
    CALL(llistxattr, "pxd"),
    CALL(flistxattr, "dxd"),
    CALL(removexattr, "ps"),
    CALL(lremovexattr, "ps"),
    CALL(fremovexattr, "ds"),
    CALL(getcwd, "xd"),
    CALL(inotify_init1, "x"),
    CALL(inotify_add_watch, "dpx"),
    CALL(inotify_rm_watch, "dd"),
    CALL(splice, "dxdxdx"),
    CALL(tee, "dddx"),
    CALL(sync_file_range, "dddx"),
    CALL(timerfd_create, "dx"),
    CALL(timerfd_settime, "dxxx"),
    CALL(timerfd_gettime, "dx"),
    CALL(chroot, "p"),
    CALL(waitid, "ddxdx"),
    CALL(sched_setparam, "dx"),
    CALL(sched_setscheduler, "ddx"),
    CALL(sched_getscheduler, "d"),
    CALL(sched_getparam, "dx"),
    CALL(sched_get_priority_max, "d"),
    CALL(sched_get_priority_min, "d"),
    CALL(sched_rr_get_interval, "dx"),
    CALL(setregid, "dd"),
    CALL(setgid, "d"),
    CALL(setreuid, "dd"),
    CALL(setuid, "d"),
    CALL(setresuid, "ddd"),
    CALL(setresgid, "ddd"),
    CALL(setfsuid, "d"),
    CALL(setfsgid, "d"),
    CALL(setgroups, "dx"),
    CALL(sethostname, "xd"),
    CALL(msgget, "dx"),
    CALL(msgctl, "ddx"),
    CALL(msgrcv, "dxddx"),
    CALL(msgsnd, "dxdx"),
    CALL(semget, "ddx"),
    CALL(semctl, "dddx"),
    CALL(semtimedop, "dxdx"),
    CALL(semop, "dxd"),
    CALL(shmget, "ddx"),
    CALL(shmctl, "ddx"),
    CALL(shmat, "dxx"),
    CALL(shmdt, "x"),
    CALL(readahead, "ddd"),
    CALL(mlockall, "x"),
    CALL(openat2, "dpxd"),
    CALL(eventfd2, "dx"),
    CALL(epoll_create1, "x"),
    CALL(epoll_ctl, "ddx"),
    CALL(epoll_pwait, "dxdd"),
    CALL(dup, "d"),
    CALL(dup3, "ddx"),
    CALL(fcntl, "ddx"),
    CALL(ioctl, "dxx"),
    CALL(flock, "dd"),
    CALL(mknodat, "dpox"),
    CALL(mkdirat, "dpo"),
    CALL(unlinkat, "dpx"),
    CALL(symlinkat, "sdp"),
    CALL(linkat, "dpdpx"),
    CALL(renameat, "dpdp"),
    CALL(statfs, "px"),
    CALL(fstatfs, "dx"),
    CALL(truncate, "pd"),
    CALL(ftruncate, "dd"),
    CALL(fallocate, "dddd"),
    CALL(faccessat, "dpo"),
    CALL(chdir, "p"),
    CALL(fchdir, "d"),
    CALL(fchmod, "do"),
    CALL(fchmodat, "dpo"),
    CALL(fchownat, "dpddx"),
    CALL(fchown, "ddd"),
    CALL(openat, "dpxo"),
    CALL(close, "d"),
    CALL(pipe2, "xx"),
    CALL(getdents64, "dxd"),
    CALL(lseek, "ddd"),
    CALL(read, "dxd"),
    CALL(write, "dxd"),
    CALL(readv, "dxd"),
    CALL(writev, "dxd"),
    CALL(pread64, "dxdd"),
    CALL(pwrite64, "dxdd"),
    CALL(preadv, "dxdd"),
    CALL(pwritev, "dxdd"),
    CALL(sendfile, "ddxd"),
    CALL(pselect6, "dxxxxx"),
    CALL(ppoll, "xdxxd"),
    CALL(readlinkat, "dpxd"),
    CALL(newfstatat, "dpxx"),
    CALL(fstat, "dx"),
    CALL(sync, ""),
    CALL(fsync, "d"),
    CALL(fdatasync, "d"),
    CALL(utimensat, "dpxx"),
    CALL(capget, "xx"),
    CALL(personality, "x"),
    CALL(exit, "d"),
    CALL(exit_group, "d"),
    CALL(set_tid_address, "x"),
    CALL(set_robust_list, "xd"),
    CALL(nanosleep, "xx"),
    CALL(getitimer, "dx"),
    CALL(setitimer, "dxx"),
    CALL(clock_gettime, "dx"),
    CALL(clock_getres, "dx"),
    CALL(clock_nanosleep, "ddxx"),
    CALL(sched_setaffinity, "ddx"),
    CALL(sched_getaffinity, "ddx"),
    CALL(sched_yield, ""),
    CALL(kill, "dd"),
    CALL(tkill, "dd"),
    CALL(tgkill, "ddd"),
    CALL(sigaltstack, "xx"),
    CALL(rt_sigsuspend, "xd"),
    CALL(rt_sigaction, "dxxd"),
    CALL(rt_sigprocmask, "dxxd"),
    CALL(rt_sigpending, "xd"),
    CALL(rt_sigtimedwait, "xxxd"),
    CALL(rt_sigqueueinfo, "ddx"),
    CALL(rt_tgsigqueueinfo, "dddx"),
    CALL(pidfd_send_signal, "ddxx"),
    CALL(signalfd4, "dxdx"),
    CALL(timer_create, "dxx"),
    CALL(timer_settime, "ddxx"),
    CALL(timer_gettime, "dx"),
    CALL(timer_getoverrun, "d"),
    CALL(timer_delete, "d"),
    CALL(rt_sigreturn, ""),
    CALL(setpriority, "ddd"),
    CALL(getpriority, "dd"),
    CALL(getresuid, "xxx"),
    CALL(getresgid, "xxx"),
    CALL(times, "x"),
    CALL(setpgid, "dd"),
    CALL(getpgid, "d"),
    CALL(getsid, "d"),
    CALL(setsid, ""),
    CALL(getgroups, "dx"),
    CALL(uname, "x"),
    CALL(getrlimit, "dx"),
    CALL(setrlimit, "dx"),
    CALL(getrusage, "dx"),
    CALL(umask, "o"),
    CALL(prctl, "dxxxx"),
    CALL(getcpu, "xxx"),
    CALL(gettimeofday, "xx"),
    CALL(getpid, ""),
    CALL(getppid, ""),
    CALL(getuid, ""),
    CALL(geteuid, ""),
    CALL(getgid, ""),
    CALL(getegid, ""),
    CALL(gettid, ""),
    CALL(sysinfo, "x"),
    CALL(socket, "ddd"),
    CALL(socketpair, "dddx"),
    CALL(bind, "dxd"),
    CALL(listen, "dd"),
    CALL(accept, "dxx"),
    CALL(connect, "dxd"),
    CALL(getsockname, "dxx"),
    CALL(getpeername, "dxx"),
    CALL(sendto, "dxddxd"),
    CALL(recvfrom, "dxddxx"),
    CALL(setsockopt, "dddxd"),
    CALL(getsockopt, "dddxx"),
    CALL(shutdown, "dd"),
    CALL(sendmsg, "dxd"),
    CALL(recvmsg, "dxd"),
    CALL(brk, "x"),
    CALL(munmap, "xd"),
    CALL(mremap, "xddxx"),
    CALL(clone, "xxxxx"),
    CALL(clone3, "xd"),
    CALL(execve, "pxx"),
    CALL(mmap, "xdxxdd"),
    CALL(fadvise64, "dddd"),
    CALL(mprotect, "xdx"),
    CALL(msync, "xdx"),
    CALL(mlock, "xd"),
    CALL(mincore, "xdx"),
    CALL(madvise, "xdd"),
    CALL(accept4, "dxxd"),
    CALL(riscv_hwprobe, "xddxx"),
    CALL(riscv_flush_icache, "xxx"),
    CALL(wait4, "dxxx"),
    CALL(prlimit64, "ddxx"),
    CALL(renameat2, "dpdpx"),
    CALL(getrandom, "xdx"),
    CALL(memfd_create, "sx"),
    CALL(membarrier, "dx"),
    CALL(copy_file_range, "dxdxdx"),
    CALL(statx, "dpxxx"),
    CALL(rseq, "xdxx"),
    CALL(close_range, "ddx"),
    CALL(faccessat2, "dpox"),
    CALL(futex, "xdxxxx"),
};

static void strace_call(struct user_process *p, const struct syscall_def *def, uint64_t nr,
			const uint64_t a[6])
{
	FILE *f = p->log;
	if (!def) {
		fprintf(f, "%d Unknown syscall %" PRIu64 "\n", (int)getpid(), nr);
		return;
	}
	fprintf(f, "%d %s(", (int)getpid(), def->name);
	for (unsigned i = 0; def->args[i] && i < 6; i++) {
		const char *sep = i ? "," : "";
		switch (def->args[i]) {
		case 's':
		case 'p': {
			const char *s = user_string(p, a[i]);
			if (s)
				fprintf(f, "%s\"%.64s\"%s", sep, s, strlen(s) > 64 ? "..." : "");
			else
				fprintf(f, "%s0x%" PRIx64, sep, a[i]);
			break;
		}
		case 'd':
			fprintf(f, "%s%" PRId64, sep, (int64_t)a[i]);
			break;
		case 'o':
			fprintf(f, "%s0%" PRIo64, sep, a[i]);
			break;
		default:
			fprintf(f, "%s0x%" PRIx64, sep, a[i]);
		}
	}
	fputc(')', f);
}

static void strace_result(struct user_process *p, long r)
{
	if (r < 0 && r >= -4095)
		fprintf(p->log, " = -1 errno=%ld (%s)\n", -r, strerror((int)-r));
	else
		fprintf(p->log, " = %ld\n", r);
	fflush(p->log);
}

void user_syscall(struct user_thread *t)
{
	struct user_process *p = t->p;
	struct hart *h = t->h;
	t->syscall_pending = false;
	const uint64_t nr = h->x[REG_A7];
	uint64_t a[6];
	memcpy(a, &h->x[REG_A0], sizeof(a));
	/* What restarting it takes, should a signal interrupt it: the ecall
	 * (never compressed) again with its first argument. */
	t->in_syscall = true;
	t->syscall_nr = nr;
	t->syscall_a0 = a[0];
	t->syscall_epc = h->pc - 4;
	__atomic_store_n(&t->signal_kick, 0, __ATOMIC_RELAXED);
	if (user_signal_ready(t)) {
		/* A signal came while the guest ran up to the ecall: its
		 * handler runs first, then the ecall again, as when Linux
		 * interrupts the code before it (a blocking call would delay
		 * the signal until it returned). */
		t->in_syscall = false;
		h->pc = t->syscall_epc;
		return;
	}
	const size_t count = sizeof(syscall_table) / sizeof(syscall_table[0]);
	const struct syscall_def *def =
	    nr < count && syscall_table[nr].fn ? &syscall_table[nr] : NULL;
	__atomic_fetch_add(&p->syscalls, 1, __ATOMIC_RELAXED);
	if (p->strace) {
		strace_call(p, def, nr, a);
		/* A successful execve never returns to end its line: the
		 * line ends now, and a failure gets one of its own. */
		if (nr == RV_execve) {
			fputs(" ...\n", p->log);
			fflush(p->log);
		}
	}
	const long r = def ? def->fn(p, t, a) : -ENOSYS;
	if (p->strace) {
		if (nr == RV_execve)
			fprintf(p->log, "%d execve", (int)getpid());
		strace_result(p, r);
	}
	/* rt_sigreturn restores every register itself, a0 included. */
	if (nr != RV_rt_sigreturn || r < 0)
		h->x[REG_A0] = (uint64_t)r;
}

void user_trap(struct hart *h, uint64_t cause, uint64_t tval, uint64_t epc)
{
	struct user_thread *t = user_thread_of(h);
	if (cause == CAUSE_ECALL_U) {
		/* The call runs between quanta (user_thread_run): the
		 * translated code it came from may be flushed meanwhile. */
		h->pc = epc + 4;
		t->syscall_pending = true;
		__atomic_store_n(&h->budget, 0, __ATOMIC_RELAXED);
		return;
	}
	h->pc = epc;
	user_signal_fault(t, cause, tval);
	user_signal_deliver(t);
}
