/*
 * File and directory system calls. Descriptors are the host's own (the
 * guest's fd 3 is rvjit-user's fd 3, as under QEMU); paths are looked up
 * under the sysroot first (user_path); buffers are checked against the
 * guest's mappings and handed to the host kernel in place. Where riscv64's
 * structure differs from x86-64's (struct stat), it is converted; where it
 * is the same (statx, linux_dirent64, statfs, termios, flock) it passes.
 */
#define _GNU_SOURCE
#include "syscalls.h"
#include "user_signal.h"
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/xattr.h>
#include <termios.h>
#include <unistd.h>

static const char *const proc_self_exe[] = {"/proc/self/exe", "/proc/thread-self/exe"};

bool user_is_proc_self_exe(const struct user_process *p, const char *path)
{
	char own[64];
	snprintf(own, sizeof(own), "/proc/%d/exe", (int)getpid());
	for (unsigned i = 0; i < sizeof(proc_self_exe) / sizeof(proc_self_exe[0]); i++)
		if (!strcmp(path, proc_self_exe[i]))
			return true;
	return !strcmp(path, own);
}

SYSCALL(read)
{
	void *buf = user_ptr(p, a[1], a[2], USER_PROT_WRITE);
	return buf ? user_safe_syscall(t, SYS_read, (long)a[0], (long)buf, (long)a[2], 0, 0, 0)
		   : -EFAULT;
}

SYSCALL(write)
{
	const void *buf = user_ptr(p, a[1], a[2], USER_PROT_READ);
	return buf ? user_safe_syscall(t, SYS_write, (long)a[0], (long)buf, (long)a[2], 0, 0, 0)
		   : -EFAULT;
}

SYSCALL(pread64)
{
	void *buf = user_ptr(p, a[1], a[2], USER_PROT_WRITE);
	return buf ? host_result(pread((int)a[0], buf, a[2], (off_t)a[3])) : -EFAULT;
}

SYSCALL(pwrite64)
{
	const void *buf = user_ptr(p, a[1], a[2], USER_PROT_READ);
	return buf ? host_result(pwrite((int)a[0], buf, a[2], (off_t)a[3])) : -EFAULT;
}

/* A guest iovec array as host iovecs; `prot` is what the buffers must
 * allow. Returns the count or -errno. */
static long host_iovecs(struct user_process *p, uint64_t addr, uint64_t count, unsigned prot,
			struct iovec *out)
{
	if (count > IOV_MAX)
		return -EINVAL;
	const uint64_t *g = user_ptr(p, addr, count * 16, USER_PROT_READ);
	if (!g)
		return -EFAULT;
	for (uint64_t i = 0; i < count; i++) {
		out[i].iov_len = g[2 * i + 1];
		out[i].iov_base = user_ptr(p, g[2 * i], out[i].iov_len, prot);
		if (!out[i].iov_base)
			return -EFAULT;
	}
	return (long)count;
}

static long vector_io(struct user_process *p, struct user_thread *t, const uint64_t a[6],
		      bool write_op, bool positioned)
{
	struct iovec iov[IOV_MAX];
	const long n = host_iovecs(p, a[1], a[2], write_op ? USER_PROT_READ : USER_PROT_WRITE, iov);
	if (n < 0)
		return n;
	const int fd = (int)a[0];
	if (positioned)
		return host_result(write_op ? pwritev(fd, iov, (int)n, (off_t)a[3])
					    : preadv(fd, iov, (int)n, (off_t)a[3]));
	return user_safe_syscall(t, write_op ? SYS_writev : SYS_readv, fd, (long)iov, n, 0, 0, 0);
}

SYSCALL(readv)
{
	return vector_io(p, t, a, false, false);
}
SYSCALL(writev)
{
	return vector_io(p, t, a, true, false);
}
SYSCALL(preadv)
{
	return vector_io(p, t, a, false, true);
}
SYSCALL(pwritev)
{
	return vector_io(p, t, a, true, true);
}

/* Is path the guest's /proc/self/<file> (also as /proc/<pid>/<file>)? */
static bool is_proc_self(const char *path, const char *file)
{
	char own[64];
	snprintf(own, sizeof(own), "/proc/%d/%s", (int)getpid(), file);
	return !strcmp(path, own) ||
	       (!strncmp(path, "/proc/self/", 11) && !strcmp(path + 11, file)) ||
	       (!strncmp(path, "/proc/thread-self/", 18) && !strcmp(path + 18, file));
}

/* /proc files that must describe the guest, not rvjit-user: an unnamed
 * file with their text, or -1 when path is not one of them. */
static long open_proc_file(struct user_process *p, const char *path)
{
	if (!is_proc_self(path, "maps"))
		return -1;
	const int fd = memfd_create("maps", MFD_CLOEXEC);
	if (fd < 0)
		return -errno;
	user_space_lock(p); /* (another thread may be changing the mappings) */
	user_write_maps(p, fd);
	user_space_unlock(p);
	lseek(fd, 0, SEEK_SET);
	return fd;
}

SYSCALL(openat)
{
	GUEST_PATH(path, a[1]);
	if (user_is_proc_self_exe(p, path_guest))
		path = p->exe_path;
	const long special = open_proc_file(p, path_guest);
	if (special != -1) {
		if (special >= 0 && (a[2] & O_CLOEXEC) == 0)
			fcntl((int)special, F_SETFD, 0);
		return special;
	}
	return host_result(openat((int)a[0], path, (int)a[2], (mode_t)a[3]));
}

SYSCALL(close)
{
	return host_result(close((int)a[0]));
}

SYSCALL(close_range)
{
	return host_result(syscall(SYS_close_range, (unsigned)a[0], (unsigned)a[1], (int)a[2]));
}

SYSCALL(lseek)
{
	return host_result(lseek((int)a[0], (off_t)a[1], (int)a[2]));
}

/* riscv64's struct stat (the generic layout), 128 bytes. */
struct rv_stat {
	uint64_t dev, ino;
	uint32_t mode, nlink, uid, gid;
	uint64_t rdev, pad1;
	int64_t size;
	int32_t blksize, pad2;
	int64_t blocks;
	int64_t atime, atime_nsec, mtime, mtime_nsec, ctime, ctime_nsec;
	uint32_t unused[2];
};
_Static_assert(sizeof(struct rv_stat) == 128, "riscv64 struct stat is 128 bytes");

static long put_stat(struct user_process *p, uint64_t addr, const struct stat *st)
{
	struct rv_stat *g = user_ptr(p, addr, sizeof(*g), USER_PROT_WRITE);
	if (!g)
		return -EFAULT;
	*g = (struct rv_stat){
	    .dev = st->st_dev,
	    .ino = st->st_ino,
	    .mode = st->st_mode,
	    .nlink = (uint32_t)st->st_nlink,
	    .uid = st->st_uid,
	    .gid = st->st_gid,
	    .rdev = st->st_rdev,
	    .size = st->st_size,
	    .blksize = (int32_t)st->st_blksize,
	    .blocks = st->st_blocks,
	    .atime = st->st_atim.tv_sec,
	    .atime_nsec = st->st_atim.tv_nsec,
	    .mtime = st->st_mtim.tv_sec,
	    .mtime_nsec = st->st_mtim.tv_nsec,
	    .ctime = st->st_ctim.tv_sec,
	    .ctime_nsec = st->st_ctim.tv_nsec,
	};
	return 0;
}

SYSCALL(fstat)
{
	struct stat st;
	if (fstat((int)a[0], &st))
		return -errno;
	return put_stat(p, a[1], &st);
}

SYSCALL(newfstatat)
{
	GUEST_PATH(path, a[1]);
	if (user_is_proc_self_exe(p, path_guest))
		path = p->exe_path;
	struct stat st;
	if (fstatat((int)a[0], path, &st, (int)a[3]))
		return -errno;
	return put_stat(p, a[2], &st);
}

SYSCALL(statx)
{
	GUEST_PATH(path, a[1]);
	if (user_is_proc_self_exe(p, path_guest))
		path = p->exe_path;
	void *buf = user_ptr(p, a[4], sizeof(struct statx), USER_PROT_WRITE);
	if (!buf)
		return -EFAULT;
	return host_result(syscall(SYS_statx, (int)a[0], path, (int)a[2], (unsigned)a[3], buf));
}

SYSCALL(statfs)
{
	GUEST_PATH(path, a[0]);
	void *buf = user_ptr(p, a[1], sizeof(struct statfs), USER_PROT_WRITE);
	return buf ? host_result(statfs(path, buf)) : -EFAULT;
}

SYSCALL(fstatfs)
{
	void *buf = user_ptr(p, a[1], sizeof(struct statfs), USER_PROT_WRITE);
	return buf ? host_result(fstatfs((int)a[0], buf)) : -EFAULT;
}

SYSCALL(getdents64)
{
	void *buf = user_ptr(p, a[1], a[2], USER_PROT_WRITE);
	return buf ? host_result(syscall(SYS_getdents64, (int)a[0], buf, (size_t)a[2])) : -EFAULT;
}

SYSCALL(readlinkat)
{
	GUEST_PATH(path, a[1]);
	char *buf = user_ptr(p, a[2], a[3], USER_PROT_WRITE);
	if (!buf)
		return -EFAULT;
	if (user_is_proc_self_exe(p, path_guest)) {
		/* The guest's executable, not rvjit-user (readlink does not
		 * terminate the string). */
		const size_t n = strlen(p->exe_path);
		const size_t len = n < a[3] ? n : a[3];
		memcpy(buf, p->exe_path, len);
		return (long)len;
	}
	return host_result(readlinkat((int)a[0], path, buf, a[3]));
}

SYSCALL(faccessat)
{
	GUEST_PATH(path, a[1]);
	return host_result(faccessat((int)a[0], path, (int)a[2], 0));
}

SYSCALL(faccessat2)
{
	GUEST_PATH(path, a[1]);
	return host_result(syscall(SYS_faccessat2, (int)a[0], path, (int)a[2], (int)a[3]));
}

SYSCALL(mkdirat)
{
	GUEST_PATH(path, a[1]);
	return host_result(mkdirat((int)a[0], path, (mode_t)a[2]));
}

SYSCALL(mknodat)
{
	GUEST_PATH(path, a[1]);
	return host_result(mknodat((int)a[0], path, (mode_t)a[2], (dev_t)a[3]));
}

SYSCALL(unlinkat)
{
	GUEST_PATH(path, a[1]);
	return host_result(unlinkat((int)a[0], path, (int)a[2]));
}

SYSCALL(symlinkat)
{
	/* The link's text is stored as given: it is not a path to look up. */
	const char *target = user_string(p, a[0]);
	if (!target)
		return -EFAULT;
	GUEST_PATH(path, a[2]);
	return host_result(symlinkat(target, (int)a[1], path));
}

SYSCALL(linkat)
{
	GUEST_PATH(from, a[1]);
	GUEST_PATH(to, a[3]);
	return host_result(linkat((int)a[0], from, (int)a[2], to, (int)a[4]));
}

SYSCALL(renameat)
{
	GUEST_PATH(from, a[1]);
	GUEST_PATH(to, a[3]);
	return host_result(renameat((int)a[0], from, (int)a[2], to));
}

SYSCALL(renameat2)
{
	GUEST_PATH(from, a[1]);
	GUEST_PATH(to, a[3]);
	return host_result(syscall(SYS_renameat2, (int)a[0], from, (int)a[2], to, (unsigned)a[4]));
}

SYSCALL(fchmod)
{
	return host_result(fchmod((int)a[0], (mode_t)a[1]));
}

SYSCALL(fchmodat)
{
	GUEST_PATH(path, a[1]);
	return host_result(fchmodat((int)a[0], path, (mode_t)a[2], 0));
}

SYSCALL(fchown)
{
	return host_result(fchown((int)a[0], (uid_t)a[1], (gid_t)a[2]));
}

SYSCALL(fchownat)
{
	GUEST_PATH(path, a[1]);
	return host_result(fchownat((int)a[0], path, (uid_t)a[2], (gid_t)a[3], (int)a[4]));
}

SYSCALL(truncate)
{
	GUEST_PATH(path, a[0]);
	return host_result(truncate(path, (off_t)a[1]));
}

SYSCALL(ftruncate)
{
	return host_result(ftruncate((int)a[0], (off_t)a[1]));
}

SYSCALL(fallocate)
{
	return host_result(fallocate((int)a[0], (int)a[1], (off_t)a[2], (off_t)a[3]));
}

SYSCALL(fsync)
{
	return host_result(fsync((int)a[0]));
}

SYSCALL(fdatasync)
{
	return host_result(fdatasync((int)a[0]));
}

SYSCALL(sync)
{
	sync();
	return 0;
}

SYSCALL(utimensat)
{
	const struct timespec *times = NULL;
	if (a[2] && !(times = user_ptr(p, a[2], 2 * sizeof(struct timespec), USER_PROT_READ)))
		return -EFAULT;
	if (!a[1]) /* futimens: the path is NULL */
		return host_result(syscall(SYS_utimensat, (int)a[0], NULL, times, (int)a[3]));
	GUEST_PATH(path, a[1]);
	return host_result(utimensat((int)a[0], path, times, (int)a[3]));
}

SYSCALL(getcwd)
{
	char *buf = user_ptr(p, a[0], a[1], USER_PROT_WRITE);
	if (!buf)
		return -EFAULT;
	/* The kernel's call returns the length with its NUL. */
	return host_result(syscall(SYS_getcwd, buf, (size_t)a[1]));
}

SYSCALL(chdir)
{
	GUEST_PATH(path, a[0]);
	return host_result(chdir(path));
}

SYSCALL(fchdir)
{
	return host_result(fchdir((int)a[0]));
}

SYSCALL(dup)
{
	return host_result(dup((int)a[0]));
}

SYSCALL(dup3)
{
	return host_result(dup3((int)a[0], (int)a[1], (int)a[2]));
}

SYSCALL(fcntl)
{
	const int fd = (int)a[0], cmd = (int)a[1];
	switch (cmd) {
	case F_GETLK:
	case F_SETLK:
	case F_SETLKW:
	case F_OFD_GETLK:
	case F_OFD_SETLK:
	case F_OFD_SETLKW: {
		/* struct flock is laid out alike on both. */
		void *fl =
		    user_ptr(p, a[2], sizeof(struct flock),
			     cmd == F_GETLK || cmd == F_OFD_GETLK ? USER_PROT_READ | USER_PROT_WRITE
								  : USER_PROT_READ);
		return fl ? host_result(fcntl(fd, cmd, fl)) : -EFAULT;
	}
	case F_DUPFD:
	case F_DUPFD_CLOEXEC:
	case F_GETFD:
	case F_SETFD:
	case F_GETFL:
	case F_SETFL:
	case F_SETOWN:
	case F_GETOWN:
	case F_SETSIG:
	case F_GETSIG:
	case F_SETLEASE:
	case F_GETLEASE:
	case F_NOTIFY:
	case F_SETPIPE_SZ:
	case F_GETPIPE_SZ:
	case F_ADD_SEALS:
	case F_GET_SEALS:
		return host_result(fcntl(fd, cmd, (long)a[2]));
	default:
		return -EINVAL;
	}
}

SYSCALL(flock)
{
	return host_result(flock((int)a[0], (int)a[1]));
}

SYSCALL(pipe2)
{
	int *fds = user_ptr(p, a[0], 2 * sizeof(int), USER_PROT_WRITE);
	return fds ? host_result(pipe2(fds, (int)a[1])) : -EFAULT;
}

/* Terminal and descriptor ioctls, whose structures (termios, winsize)
 * riscv64 and x86-64 Linux share: the argument's size for each, or -1
 * for a call without a pointer argument. */
static long ioctl_arg_size(unsigned long req)
{
	switch (req) {
	case TCGETS:
	case TCSETS:
	case TCSETSW:
	case TCSETSF:
		return sizeof(struct termios);
	case TIOCGWINSZ:
	case TIOCSWINSZ:
		return sizeof(struct winsize);
	case FIONREAD:
	case FIONBIO:
	case TIOCGPGRP:
	case TIOCSPGRP:
	case TIOCOUTQ:
	case TIOCGSID:
	case TIOCGPTN:
	case TIOCSPTLCK:
	case TIOCGEXCL:
	case TIOCMGET:
	case TIOCMSET:
		return sizeof(int);
	case FIOCLEX:
	case FIONCLEX:
	case TIOCSCTTY:
	case TIOCNOTTY:
	case TCFLSH:
	case TCXONC:
	case TCSBRK:
	case TIOCGPTPEER:
	case TIOCEXCL:
	case TIOCNXCL:
		return -1;
	default:
		return 0;
	}
}

SYSCALL(ioctl)
{
	const unsigned long req = (unsigned long)a[1];
	const long size = ioctl_arg_size(req);
	if (size == 0)
		return -ENOTTY;
	if (size < 0)
		return host_result(ioctl((int)a[0], req, (long)a[2]));
	void *arg = user_ptr(p, a[2], (uint64_t)size, USER_PROT_READ | USER_PROT_WRITE);
	return arg ? host_result(ioctl((int)a[0], req, arg)) : -EFAULT;
}

SYSCALL(sendfile)
{
	off_t *off = NULL;
	if (a[2] && !(off = user_ptr(p, a[2], sizeof(off_t), USER_PROT_READ | USER_PROT_WRITE)))
		return -EFAULT;
	return host_result(syscall(SYS_sendfile, (int)a[0], (int)a[1], off, (size_t)a[3]));
}

SYSCALL(copy_file_range)
{
	off_t *in = NULL, *out = NULL;
	if (a[1] && !(in = user_ptr(p, a[1], sizeof(off_t), USER_PROT_READ | USER_PROT_WRITE)))
		return -EFAULT;
	if (a[3] && !(out = user_ptr(p, a[3], sizeof(off_t), USER_PROT_READ | USER_PROT_WRITE)))
		return -EFAULT;
	return host_result(
	    copy_file_range((int)a[0], in, (int)a[2], out, (size_t)a[4], (unsigned)a[5]));
}

SYSCALL(fadvise64)
{
	const int r = posix_fadvise((int)a[0], (off_t)a[1], (off_t)a[2], (int)a[3]);
	return -r;
}

SYSCALL(umask)
{
	return umask((mode_t)a[0]);
}

SYSCALL(memfd_create)
{
	const char *name = user_string(p, a[0]);
	return name ? host_result(memfd_create(name, (unsigned)a[1])) : -EFAULT;
}

/* Extended attributes: the same bytes on both sides. flavour: 0 follows
 * links (path), 1 does not (lpath), 2 is a descriptor. */
static long xattr_get(struct user_process *p, const uint64_t a[6], int flavour)
{
	const char *name = user_string(p, a[1]);
	void *val = user_ptr(p, a[2], a[3], USER_PROT_WRITE);
	if (!name || !val)
		return -EFAULT;
	if (flavour == 2)
		return host_result(fgetxattr((int)a[0], name, val, a[3]));
	GUEST_PATH(path, a[0]);
	return host_result(flavour ? lgetxattr(path, name, val, a[3])
				   : getxattr(path, name, val, a[3]));
}

static long xattr_set(struct user_process *p, const uint64_t a[6], int flavour)
{
	const char *name = user_string(p, a[1]);
	const void *val = user_ptr(p, a[2], a[3], USER_PROT_READ);
	if (!name || !val)
		return -EFAULT;
	if (flavour == 2)
		return host_result(fsetxattr((int)a[0], name, val, a[3], (int)a[4]));
	GUEST_PATH(path, a[0]);
	return host_result(flavour ? lsetxattr(path, name, val, a[3], (int)a[4])
				   : setxattr(path, name, val, a[3], (int)a[4]));
}

static long xattr_list(struct user_process *p, const uint64_t a[6], int flavour)
{
	char *list = user_ptr(p, a[1], a[2], USER_PROT_WRITE);
	if (!list)
		return -EFAULT;
	if (flavour == 2)
		return host_result(flistxattr((int)a[0], list, a[2]));
	GUEST_PATH(path, a[0]);
	return host_result(flavour ? llistxattr(path, list, a[2]) : listxattr(path, list, a[2]));
}

static long xattr_remove(struct user_process *p, const uint64_t a[6], int flavour)
{
	const char *name = user_string(p, a[1]);
	if (!name)
		return -EFAULT;
	if (flavour == 2)
		return host_result(fremovexattr((int)a[0], name));
	GUEST_PATH(path, a[0]);
	return host_result(flavour ? lremovexattr(path, name) : removexattr(path, name));
}

SYSCALL(getxattr)
{
	return xattr_get(p, a, 0);
}
SYSCALL(lgetxattr)
{
	return xattr_get(p, a, 1);
}
SYSCALL(fgetxattr)
{
	return xattr_get(p, a, 2);
}
SYSCALL(setxattr)
{
	return xattr_set(p, a, 0);
}
SYSCALL(lsetxattr)
{
	return xattr_set(p, a, 1);
}
SYSCALL(fsetxattr)
{
	return xattr_set(p, a, 2);
}
SYSCALL(listxattr)
{
	return xattr_list(p, a, 0);
}
SYSCALL(llistxattr)
{
	return xattr_list(p, a, 1);
}
SYSCALL(flistxattr)
{
	return xattr_list(p, a, 2);
}
SYSCALL(removexattr)
{
	return xattr_remove(p, a, 0);
}
SYSCALL(lremovexattr)
{
	return xattr_remove(p, a, 1);
}
SYSCALL(fremovexattr)
{
	return xattr_remove(p, a, 2);
}

SYSCALL(splice)
{
	loff_t *in = NULL, *out = NULL;
	if (a[1] && !(in = user_ptr(p, a[1], sizeof(*in), USER_PROT_READ | USER_PROT_WRITE)))
		return -EFAULT;
	if (a[3] && !(out = user_ptr(p, a[3], sizeof(*out), USER_PROT_READ | USER_PROT_WRITE)))
		return -EFAULT;
	return host_result(splice((int)a[0], in, (int)a[2], out, a[4], (unsigned)a[5]));
}

SYSCALL(tee)
{
	return host_result(tee((int)a[0], (int)a[1], a[2], (unsigned)a[3]));
}

SYSCALL(sync_file_range)
{
	return host_result(sync_file_range((int)a[0], (off_t)a[1], (off_t)a[2], (unsigned)a[3]));
}

SYSCALL(readahead)
{
	return host_result(readahead((int)a[0], (off_t)a[1], a[2]));
}

SYSCALL(openat2)
{
	GUEST_PATH(path, a[1]);
	const void *how = user_ptr(p, a[2], a[3], USER_PROT_READ);
	if (!how)
		return -EFAULT;
	if (user_is_proc_self_exe(p, path_guest))
		path = p->exe_path;
	return host_result(syscall(SYS_openat2, (int)a[0], path, how, (size_t)a[3]));
}

SYSCALL(chroot)
{
	GUEST_PATH(path, a[0]);
	return host_result(chroot(path));
}
