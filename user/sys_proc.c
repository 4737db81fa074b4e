/*
 * Process system calls: exit, identity, limits, the system's description
 * (uname answers riscv64), scheduling, randomness, and riscv_hwprobe
 * answering from the configured CPU (-cpu).
 */
#define _GNU_SOURCE
#include "syscalls.h"
#include <sched.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/sysinfo.h>
#include <sys/utsname.h>
#include <unistd.h>

SYSCALL(exit)
{
	(void)p;
	user_thread_exit(t, (int)a[0] & 0xff);
}

SYSCALL(exit_group)
{
	user_exit(p, (int)a[0] & 0xff);
}

SYSCALL(getpid)
{
	return getpid();
}
SYSCALL(getppid)
{
	return getppid();
}
SYSCALL(gettid)
{
	return gettid();
}
SYSCALL(getuid)
{
	return getuid();
}
SYSCALL(geteuid)
{
	return geteuid();
}
SYSCALL(getgid)
{
	return getgid();
}
SYSCALL(getegid)
{
	return getegid();
}

SYSCALL(getresuid)
{
	uid_t *r = user_ptr(p, a[0], 4, USER_PROT_WRITE),
	      *e = user_ptr(p, a[1], 4, USER_PROT_WRITE),
	      *s = user_ptr(p, a[2], 4, USER_PROT_WRITE);
	return r && e && s ? host_result(getresuid(r, e, s)) : -EFAULT;
}

SYSCALL(getresgid)
{
	gid_t *r = user_ptr(p, a[0], 4, USER_PROT_WRITE),
	      *e = user_ptr(p, a[1], 4, USER_PROT_WRITE),
	      *s = user_ptr(p, a[2], 4, USER_PROT_WRITE);
	return r && e && s ? host_result(getresgid(r, e, s)) : -EFAULT;
}

SYSCALL(getgroups)
{
	gid_t *list = user_ptr(p, a[1], a[0] * sizeof(gid_t), USER_PROT_WRITE);
	return list ? host_result(getgroups((int)a[0], list)) : -EFAULT;
}

SYSCALL(setpgid)
{
	return host_result(setpgid((pid_t)a[0], (pid_t)a[1]));
}
SYSCALL(getpgid)
{
	return host_result(getpgid((pid_t)a[0]));
}
SYSCALL(getsid)
{
	return host_result(getsid((pid_t)a[0]));
}
SYSCALL(setsid)
{
	return host_result(setsid());
}

SYSCALL(set_tid_address)
{
	t->clear_tid = a[0];
	return gettid();
}

SYSCALL(set_robust_list)
{
	/* Per thread; walked when the thread exits (user/thread.c). */
	(void)p;
	if (a[1] != 24)
		return -EINVAL;
	t->robust_list = a[0];
	t->robust_len = a[1];
	return 0;
}

SYSCALL(rseq)
{
	/* Restartable sequences need the kernel to rewrite the guest's pc on
	 * preemption; glibc runs without them when refused. */
	return -ENOSYS;
}

SYSCALL(prlimit64)
{
	const struct rlimit *new = NULL;
	struct rlimit *old = NULL;
	if (a[2] && !(new = user_ptr(p, a[2], sizeof(*new), USER_PROT_READ)))
		return -EFAULT;
	if (a[3] && !(old = user_ptr(p, a[3], sizeof(*old), USER_PROT_WRITE)))
		return -EFAULT;
	return host_result(prlimit((pid_t)a[0], (int)a[1], new, old));
}

SYSCALL(getrlimit)
{
	struct rlimit *r = user_ptr(p, a[1], sizeof(*r), USER_PROT_WRITE);
	return r ? host_result(getrlimit((int)a[0], r)) : -EFAULT;
}

SYSCALL(setrlimit)
{
	const struct rlimit *r = user_ptr(p, a[1], sizeof(*r), USER_PROT_READ);
	return r ? host_result(setrlimit((int)a[0], r)) : -EFAULT;
}

SYSCALL(getrusage)
{
	struct rusage *r = user_ptr(p, a[1], sizeof(*r), USER_PROT_WRITE);
	return r ? host_result(getrusage((int)a[0], r)) : -EFAULT;
}

SYSCALL(uname)
{
	struct utsname *u = user_ptr(p, a[0], sizeof(*u), USER_PROT_WRITE);
	if (!u)
		return -EFAULT;
	if (uname(u))
		return -errno;
	snprintf(u->machine, sizeof(u->machine), "riscv64");
	return 0;
}

SYSCALL(sysinfo)
{
	struct sysinfo *s = user_ptr(p, a[0], sizeof(*s), USER_PROT_WRITE);
	return s ? host_result(sysinfo(s)) : -EFAULT;
}

SYSCALL(prctl)
{
	const int op = (int)a[0];
	switch (op) {
	case PR_SET_NAME: {
		const char *name = user_string(p, a[1]);
		return name ? host_result(prctl(PR_SET_NAME, name)) : -EFAULT;
	}
	case PR_GET_NAME: {
		char *name = user_ptr(p, a[1], 16, USER_PROT_WRITE);
		return name ? host_result(prctl(PR_GET_NAME, name)) : -EFAULT;
	}
	case PR_SET_PDEATHSIG:
	case PR_SET_DUMPABLE:
	case PR_GET_DUMPABLE:
	case PR_SET_NO_NEW_PRIVS:
	case PR_GET_NO_NEW_PRIVS:
	case PR_SET_CHILD_SUBREAPER:
		return host_result(prctl(op, (unsigned long)a[1], 0UL, 0UL, 0UL));
	default:
		return -EINVAL;
	}
}

SYSCALL(personality)
{
	/* Linux personality 0 (PER_LINUX) and queries of it. */
	return a[0] == 0xffffffff || a[0] == 0 ? 0 : -EINVAL;
}

SYSCALL(sched_getaffinity)
{
	void *mask = user_ptr(p, a[2], a[1], USER_PROT_WRITE);
	return mask ? host_result(syscall(SYS_sched_getaffinity, (pid_t)a[0], (size_t)a[1], mask))
		    : -EFAULT;
}

SYSCALL(sched_setaffinity)
{
	const void *mask = user_ptr(p, a[2], a[1], USER_PROT_READ);
	return mask ? host_result(syscall(SYS_sched_setaffinity, (pid_t)a[0], (size_t)a[1], mask))
		    : -EFAULT;
}

SYSCALL(sched_yield)
{
	return host_result(sched_yield());
}

SYSCALL(getcpu)
{
	unsigned *cpu = NULL, *node = NULL;
	if (a[0] && !(cpu = user_ptr(p, a[0], 4, USER_PROT_WRITE)))
		return -EFAULT;
	if (a[1] && !(node = user_ptr(p, a[1], 4, USER_PROT_WRITE)))
		return -EFAULT;
	return host_result(syscall(SYS_getcpu, cpu, node, NULL));
}

SYSCALL(getpriority)
{
	/* The kernel's call returns 20 - nice, never negative. */
	return host_result(syscall(SYS_getpriority, (int)a[0], (id_t)a[1]));
}

SYSCALL(setpriority)
{
	return host_result(setpriority((int)a[0], (id_t)a[1], (int)a[2]));
}

SYSCALL(getrandom)
{
	void *buf = user_ptr(p, a[0], a[1], USER_PROT_WRITE);
	return buf ? host_result(getrandom(buf, a[1], (unsigned)a[2])) : -EFAULT;
}

SYSCALL(capget)
{
	/* Header then data; the header's version is checked by the host. */
	void *hdr = user_ptr(p, a[0], 8, USER_PROT_READ | USER_PROT_WRITE);
	void *data = NULL;
	if (!hdr || (a[1] && !(data = user_ptr(p, a[1], 24, USER_PROT_WRITE))))
		return -EFAULT;
	return host_result(syscall(SYS_capget, hdr, data));
}

/* riscv_hwprobe keys and IMA_EXT_0 bits (Linux's asm/hwprobe.h). */
enum {
	HWPROBE_MVENDORID = 0,
	HWPROBE_MARCHID = 1,
	HWPROBE_MIMPID = 2,
	HWPROBE_BASE_BEHAVIOR = 3,
	HWPROBE_IMA_EXT_0 = 4,
	HWPROBE_CPUPERF_0 = 5,
	HWPROBE_ZICBOZ_BLOCK_SIZE = 6,
	HWPROBE_BASE_BEHAVIOR_IMA = 1,
	HWPROBE_MISALIGNED_EMULATED = 1,
};

static uint64_t hwprobe_ima_ext(const struct isa *isa)
{
	static const struct {
		enum isa_ext ext;
		unsigned bit;
	} bits[] = {
	    {ISA_ZBA, 3},  {ISA_ZBB, 4},     {ISA_ZBS, 5},	    {ISA_ZICBOZ, 6},
	    {ISA_ZBC, 7},  {ISA_ZBKB, 8},    {ISA_ZBKC, 9},	    {ISA_ZBKX, 10},
	    {ISA_ZKT, 16}, {ISA_ZFH, 27},    {ISA_ZFHMIN, 28},	    {ISA_ZIHINTNTL, 29},
	    {ISA_ZFA, 32}, {ISA_ZICOND, 35}, {ISA_ZIHINTPAUSE, 36}, {ISA_ZIMOP, 39},
	    {ISA_ZCB, 40}, {ISA_ZCMOP, 41},  {ISA_ZAWRS, 48},
	};
	uint64_t v = 0;
	if (isa_has(isa, ISA_F) && isa_has(isa, ISA_D))
		v |= 1ULL << 0;
	if (isa_has(isa, ISA_C))
		v |= 1ULL << 1;
	for (unsigned i = 0; i < sizeof(bits) / sizeof(bits[0]); i++)
		if (isa_has(isa, bits[i].ext))
			v |= 1ULL << bits[i].bit;
	return v;
}

SYSCALL(riscv_hwprobe)
{
	/* Every guest hart is alike, so the cpu set does not matter. */
	if (a[4])
		return -EINVAL;
	int64_t *pairs = user_ptr(p, a[0], a[1] * 16, USER_PROT_READ | USER_PROT_WRITE);
	if (!pairs)
		return -EFAULT;
	const struct isa *isa = &p->m->isa;
	for (uint64_t i = 0; i < a[1]; i++) {
		int64_t *key = &pairs[2 * i];
		uint64_t *value = (uint64_t *)&pairs[2 * i + 1];
		switch (*key) {
		case HWPROBE_MVENDORID:
		case HWPROBE_MARCHID:
		case HWPROBE_MIMPID:
			*value = 0;
			break;
		case HWPROBE_BASE_BEHAVIOR:
			*value = HWPROBE_BASE_BEHAVIOR_IMA;
			break;
		case HWPROBE_IMA_EXT_0:
			*value = hwprobe_ima_ext(isa);
			break;
		case HWPROBE_CPUPERF_0:
			*value = HWPROBE_MISALIGNED_EMULATED;
			break;
		case HWPROBE_ZICBOZ_BLOCK_SIZE:
			*value = isa_has(isa, ISA_ZICBOZ) ? 64 : 0;
			break;
		default:
			*key = -1;
			*value = 0;
		}
	}
	return 0;
}

/* Changing identity: the host process's own, as the guest is that process. */
SYSCALL(setuid)
{
	return host_result(syscall(SYS_setuid, (uid_t)a[0]));
}
SYSCALL(setgid)
{
	return host_result(syscall(SYS_setgid, (gid_t)a[0]));
}
SYSCALL(setreuid)
{
	return host_result(syscall(SYS_setreuid, (uid_t)a[0], (uid_t)a[1]));
}
SYSCALL(setregid)
{
	return host_result(syscall(SYS_setregid, (gid_t)a[0], (gid_t)a[1]));
}
SYSCALL(setresuid)
{
	return host_result(syscall(SYS_setresuid, (uid_t)a[0], (uid_t)a[1], (uid_t)a[2]));
}
SYSCALL(setresgid)
{
	return host_result(syscall(SYS_setresgid, (gid_t)a[0], (gid_t)a[1], (gid_t)a[2]));
}
SYSCALL(setfsuid)
{
	return syscall(SYS_setfsuid, (uid_t)a[0]);
}
SYSCALL(setfsgid)
{
	return syscall(SYS_setfsgid, (gid_t)a[0]);
}

SYSCALL(setgroups)
{
	const gid_t *list = user_ptr(p, a[1], a[0] * sizeof(gid_t), USER_PROT_READ);
	return list ? host_result(syscall(SYS_setgroups, (size_t)a[0], list)) : -EFAULT;
}

SYSCALL(sched_getscheduler)
{
	return host_result(sched_getscheduler((pid_t)a[0]));
}

SYSCALL(sched_setscheduler)
{
	const struct sched_param *sp = user_ptr(p, a[2], sizeof(*sp), USER_PROT_READ);
	return sp ? host_result(sched_setscheduler((pid_t)a[0], (int)a[1], sp)) : -EFAULT;
}

SYSCALL(sched_getparam)
{
	struct sched_param *sp = user_ptr(p, a[1], sizeof(*sp), USER_PROT_WRITE);
	return sp ? host_result(sched_getparam((pid_t)a[0], sp)) : -EFAULT;
}

SYSCALL(sched_setparam)
{
	const struct sched_param *sp = user_ptr(p, a[1], sizeof(*sp), USER_PROT_READ);
	return sp ? host_result(sched_setparam((pid_t)a[0], sp)) : -EFAULT;
}

SYSCALL(sched_get_priority_max)
{
	return host_result(sched_get_priority_max((int)a[0]));
}

SYSCALL(sched_get_priority_min)
{
	return host_result(sched_get_priority_min((int)a[0]));
}

SYSCALL(sched_rr_get_interval)
{
	struct timespec *ts = user_ptr(p, a[1], sizeof(*ts), USER_PROT_WRITE);
	return ts ? host_result(sched_rr_get_interval((pid_t)a[0], ts)) : -EFAULT;
}

SYSCALL(mlockall)
{
	return 0;
}

SYSCALL(sethostname)
{
	const char *name = user_ptr(p, a[0], a[1], USER_PROT_READ);
	return name ? host_result(sethostname(name, a[1])) : -EFAULT;
}
