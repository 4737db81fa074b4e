/*
 * The system call handlers of rvjit-user, by area (user/sys_*.c), and what
 * they share. A handler gets the call's six argument registers and returns
 * what goes back in a0: a result, or -errno.
 */
#ifndef RVJIT_USER_SYSCALLS_H
#define RVJIT_USER_SYSCALLS_H

#include "process.h"
#include <errno.h>

/* t: the calling thread (t->p its process). */
typedef long (*syscall_fn)(struct user_process *p, struct user_thread *t, const uint64_t a[6]);

#define SYSCALL(name)                                                                              \
	long sys_##name(struct user_process *p, struct user_thread *t, const uint64_t a[6])

/* A host call's result as the guest sees it: -errno on failure. */
static inline long host_result(long r)
{
	return r < 0 ? -errno : r;
}

/* Resolve a guest path argument (NULL: fault) into `buf`-backed host path. */
#define GUEST_PATH(var, addr)                                                                      \
	char var##_buf[4096];                                                                      \
	const char *var##_guest = user_string(p, (addr));                                          \
	if (!var##_guest)                                                                          \
		return -EFAULT;                                                                    \
	const char *var = user_path(p, var##_guest, var##_buf, sizeof(var##_buf))

/* user/sys_file.c */
/* Does the guest's path name its own executable (/proc/self/exe)? */
bool user_is_proc_self_exe(const struct user_process *p, const char *path);

SYSCALL(read);
SYSCALL(write);
SYSCALL(pread64);
SYSCALL(pwrite64);
SYSCALL(readv);
SYSCALL(writev);
SYSCALL(preadv);
SYSCALL(pwritev);
SYSCALL(openat);
SYSCALL(close);
SYSCALL(close_range);
SYSCALL(lseek);
SYSCALL(fstat);
SYSCALL(newfstatat);
SYSCALL(statx);
SYSCALL(statfs);
SYSCALL(fstatfs);
SYSCALL(getdents64);
SYSCALL(readlinkat);
SYSCALL(faccessat);
SYSCALL(faccessat2);
SYSCALL(mkdirat);
SYSCALL(mknodat);
SYSCALL(unlinkat);
SYSCALL(symlinkat);
SYSCALL(linkat);
SYSCALL(renameat);
SYSCALL(renameat2);
SYSCALL(fchmod);
SYSCALL(fchmodat);
SYSCALL(fchown);
SYSCALL(fchownat);
SYSCALL(truncate);
SYSCALL(ftruncate);
SYSCALL(fallocate);
SYSCALL(fsync);
SYSCALL(fdatasync);
SYSCALL(sync);
SYSCALL(utimensat);
SYSCALL(getcwd);
SYSCALL(chdir);
SYSCALL(fchdir);
SYSCALL(dup);
SYSCALL(dup3);
SYSCALL(fcntl);
SYSCALL(flock);
SYSCALL(pipe2);
SYSCALL(ioctl);
SYSCALL(sendfile);
SYSCALL(copy_file_range);
SYSCALL(fadvise64);
SYSCALL(umask);
SYSCALL(memfd_create);
SYSCALL(eventfd2);

/* user/sys_mem.c */
SYSCALL(brk);
SYSCALL(mmap);
SYSCALL(munmap);
SYSCALL(mprotect);
SYSCALL(mremap);
SYSCALL(madvise);
SYSCALL(msync);
SYSCALL(mincore);
SYSCALL(mlock);
SYSCALL(riscv_flush_icache);
SYSCALL(membarrier);

/* user/sys_proc.c */
SYSCALL(exit);
SYSCALL(exit_group);
SYSCALL(getpid);
SYSCALL(getppid);
SYSCALL(gettid);
SYSCALL(getuid);
SYSCALL(geteuid);
SYSCALL(getgid);
SYSCALL(getegid);
SYSCALL(getresuid);
SYSCALL(getresgid);
SYSCALL(getgroups);
SYSCALL(setpgid);
SYSCALL(getpgid);
SYSCALL(getsid);
SYSCALL(setsid);
SYSCALL(set_tid_address);
SYSCALL(set_robust_list);
SYSCALL(rseq);
SYSCALL(prlimit64);
SYSCALL(getrlimit);
SYSCALL(setrlimit);
SYSCALL(getrusage);
SYSCALL(uname);
SYSCALL(sysinfo);
SYSCALL(prctl);
SYSCALL(personality);
SYSCALL(sched_getaffinity);
SYSCALL(sched_setaffinity);
SYSCALL(sched_yield);
SYSCALL(getcpu);
SYSCALL(getpriority);
SYSCALL(setpriority);
SYSCALL(getrandom);
SYSCALL(riscv_hwprobe);
SYSCALL(capget);

/* user/sys_time.c */
SYSCALL(clock_gettime);
SYSCALL(clock_getres);
SYSCALL(clock_nanosleep);
SYSCALL(nanosleep);
SYSCALL(gettimeofday);
SYSCALL(times);
SYSCALL(getitimer);
SYSCALL(setitimer);

/* user/sys_poll.c */
SYSCALL(ppoll);
SYSCALL(pselect6);
SYSCALL(epoll_create1);
SYSCALL(epoll_ctl);
SYSCALL(epoll_pwait);

/* more of user/sys_file.c */
SYSCALL(getxattr);
SYSCALL(lgetxattr);
SYSCALL(fgetxattr);
SYSCALL(setxattr);
SYSCALL(lsetxattr);
SYSCALL(fsetxattr);
SYSCALL(listxattr);
SYSCALL(llistxattr);
SYSCALL(flistxattr);
SYSCALL(removexattr);
SYSCALL(lremovexattr);
SYSCALL(fremovexattr);
SYSCALL(splice);
SYSCALL(tee);
SYSCALL(sync_file_range);
SYSCALL(readahead);
SYSCALL(openat2);
SYSCALL(chroot);

/* user/sys_events.c */
SYSCALL(inotify_init1);
SYSCALL(inotify_add_watch);
SYSCALL(inotify_rm_watch);
SYSCALL(timerfd_create);
SYSCALL(timerfd_settime);
SYSCALL(timerfd_gettime);

/* more of user/sys_proc.c */
SYSCALL(setuid);
SYSCALL(setgid);
SYSCALL(setreuid);
SYSCALL(setregid);
SYSCALL(setresuid);
SYSCALL(setresgid);
SYSCALL(setfsuid);
SYSCALL(setfsgid);
SYSCALL(setgroups);
SYSCALL(sched_getscheduler);
SYSCALL(sched_setscheduler);
SYSCALL(sched_getparam);
SYSCALL(sched_setparam);
SYSCALL(sched_get_priority_max);
SYSCALL(sched_get_priority_min);
SYSCALL(sched_rr_get_interval);
SYSCALL(mlockall);
SYSCALL(sethostname);
SYSCALL(waitid);

/* user/sys_ipc.c */
SYSCALL(msgget);
SYSCALL(msgsnd);
SYSCALL(msgrcv);
SYSCALL(msgctl);
SYSCALL(semget);
SYSCALL(semop);
SYSCALL(semtimedop);
SYSCALL(semctl);
SYSCALL(shmget);
SYSCALL(shmctl);
SYSCALL(shmat);
SYSCALL(shmdt);

/* user/sys_net.c */
SYSCALL(socket);
SYSCALL(socketpair);
SYSCALL(bind);
SYSCALL(connect);
SYSCALL(listen);
SYSCALL(accept);
SYSCALL(accept4);
SYSCALL(getsockname);
SYSCALL(getpeername);
SYSCALL(sendto);
SYSCALL(recvfrom);
SYSCALL(setsockopt);
SYSCALL(getsockopt);
SYSCALL(shutdown);
SYSCALL(sendmsg);
SYSCALL(recvmsg);

/* user/signal.c */
SYSCALL(rt_sigaction);
SYSCALL(rt_sigprocmask);
SYSCALL(rt_sigpending);
SYSCALL(rt_sigsuspend);
SYSCALL(rt_sigtimedwait);
SYSCALL(rt_sigqueueinfo);
SYSCALL(rt_tgsigqueueinfo);
SYSCALL(pidfd_send_signal);
SYSCALL(signalfd4);
SYSCALL(timer_create);
SYSCALL(timer_settime);
SYSCALL(timer_gettime);
SYSCALL(timer_getoverrun);
SYSCALL(timer_delete);
SYSCALL(rt_sigreturn);
SYSCALL(sigaltstack);
SYSCALL(kill);
SYSCALL(tkill);
SYSCALL(tgkill);

/* user/sys_task.c */
SYSCALL(clone);
SYSCALL(clone3);
SYSCALL(execve);
SYSCALL(wait4);
SYSCALL(futex);

#endif
