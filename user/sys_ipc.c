/*
 * System V IPC: message queues, semaphores and shared memory, the host's
 * own (structures alike on both sides). A shared memory segment is
 * attached inside the guest's space: at the address asked for, or where
 * mmap would put it, replacing the reservation there (SHM_REMAP).
 */
#define _GNU_SOURCE
#include "syscalls.h"
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <sys/syscall.h>

SYSCALL(msgget)
{
	return host_result(msgget((key_t)a[0], (int)a[1]));
}

SYSCALL(msgsnd)
{
	const void *msg = user_ptr(p, a[1], a[2] + sizeof(long), USER_PROT_READ);
	return msg ? host_result(msgsnd((int)a[0], msg, a[2], (int)a[3])) : -EFAULT;
}

SYSCALL(msgrcv)
{
	void *msg = user_ptr(p, a[1], a[2] + sizeof(long), USER_PROT_WRITE);
	return msg ? host_result(msgrcv((int)a[0], msg, a[2], (long)a[3], (int)a[4])) : -EFAULT;
}

SYSCALL(msgctl)
{
	void *buf = NULL;
	if (a[2] &&
	    !(buf = user_ptr(p, a[2], sizeof(struct msqid_ds), USER_PROT_READ | USER_PROT_WRITE)))
		return -EFAULT;
	return host_result(msgctl((int)a[0], (int)a[1], buf));
}

SYSCALL(semget)
{
	return host_result(semget((key_t)a[0], (int)a[1], (int)a[2]));
}

SYSCALL(semop)
{
	struct sembuf *ops = user_ptr(p, a[1], a[2] * sizeof(struct sembuf), USER_PROT_READ);
	return ops ? host_result(semop((int)a[0], ops, a[2])) : -EFAULT;
}

SYSCALL(semtimedop)
{
	struct sembuf *ops = user_ptr(p, a[1], a[2] * sizeof(struct sembuf), USER_PROT_READ);
	const struct timespec *ts = NULL;
	if (!ops || (a[3] && !(ts = user_ptr(p, a[3], sizeof(*ts), USER_PROT_READ))))
		return -EFAULT;
	return host_result(semtimedop((int)a[0], ops, a[2], ts));
}

SYSCALL(semctl)
{
	/* The fourth argument is a union: a value, or a pointer to an
	 * array or a semid_ds, by command. */
	const int cmd = (int)a[2] & 0xff;
	union semun {
		int val;
		void *buf;
	} arg = {.val = (int)a[3]};
	switch (cmd) {
	case IPC_STAT:
	case IPC_SET:
	case SEM_STAT:
	case SEM_STAT_ANY:
		if (!(arg.buf = user_ptr(p, a[3], sizeof(struct semid_ds),
					 USER_PROT_READ | USER_PROT_WRITE)))
			return -EFAULT;
		break;
	case IPC_INFO:
	case SEM_INFO:
		if (!(arg.buf = user_ptr(p, a[3], sizeof(struct seminfo),
					 USER_PROT_READ | USER_PROT_WRITE)))
			return -EFAULT;
		break;
	case GETALL:
	case SETALL: {
		struct semid_ds ds;
		if (semctl((int)a[0], 0, IPC_STAT, &ds))
			return -errno;
		if (!(arg.buf = user_ptr(p, a[3], ds.sem_nsems * sizeof(unsigned short),
					 USER_PROT_READ | USER_PROT_WRITE)))
			return -EFAULT;
		break;
	}
	default:
		break;
	}
	return host_result(semctl((int)a[0], (int)a[1], (int)a[2], arg));
}

SYSCALL(shmget)
{
	return host_result(shmget((key_t)a[0], a[1], (int)a[2]));
}

SYSCALL(shmctl)
{
	void *buf = NULL;
	if (a[2] &&
	    !(buf = user_ptr(p, a[2], sizeof(struct shmid_ds), USER_PROT_READ | USER_PROT_WRITE)))
		return -EFAULT;
	return host_result(shmctl((int)a[0], (int)a[1], buf));
}

static long shmat_locked(struct user_process *p, const uint64_t a[6])
{
	struct shmid_ds ds;
	if (shmctl((int)a[0], IPC_STAT, &ds))
		return -errno;
	const uint64_t len = page_up(ds.shm_segsz);
	const int flags = (int)a[2];
	uint64_t at = a[1];
	if (at && (flags & SHM_RND))
		at &= ~(uint64_t)(SHMLBA - 1);
	if (at & PAGE_OFFSET_MASK)
		return -EINVAL;
	if (!at && !(at = user_find_room(p, len, 0)))
		return -ENOMEM;
	if (at >= USER_SPACE_SIZE || len > USER_SPACE_SIZE - at)
		return -EINVAL;
	if (!(flags & SHM_REMAP) && a[1])
		for (uint64_t x = at; x < at + len; x += PAGE_SIZE)
			if (user_range_mapped(p, x, 1))
				return -EINVAL;
	user_space_stop_harts(p); /* (SHM_REMAP may replace pages in use) */
	if (shmat((int)a[0], p->m->ram + at, (flags & ~SHM_RND) | SHM_REMAP) == (void *)-1)
		return -errno;
	unsigned slot = 0;
	while (slot < USER_MAX_SHM && p->shm[slot].len)
		slot++;
	if (slot == USER_MAX_SHM) {
		shmdt(p->m->ram + at);
		user_unmap(p, at, len);
		return -EMFILE;
	}
	p->shm[slot].addr = at;
	p->shm[slot].len = len;
	const int prot = (flags & SHM_RDONLY) ? PROT_READ : PROT_READ | PROT_WRITE;
	user_adopt_mapping(p, at, len, prot | ((flags & SHM_EXEC) ? PROT_EXEC : 0), true);
	return (long)at;
}

static long shmdt_locked(struct user_process *p, const uint64_t a[6])
{
	const uint64_t at = a[0];
	for (unsigned i = 0; i < USER_MAX_SHM; i++) {
		if (!p->shm[i].len || p->shm[i].addr != at)
			continue;
		user_space_stop_harts(p);
		if (shmdt(p->m->ram + at))
			return -errno;
		/* Back to the reservation: no hole in it for the host's
		 * own mmap to land in. */
		const int r = user_unmap(p, at, p->shm[i].len);
		p->shm[i].len = 0;
		return r;
	}
	return -EINVAL;
}

/* Attaching and detaching change the address space: one thread at a time,
 * other threads stopped (space.c). */
SYSCALL(shmat)
{
	(void)t;
	user_space_lock(p);
	const long r = shmat_locked(p, a);
	user_space_unlock(p);
	return r;
}

SYSCALL(shmdt)
{
	(void)t;
	user_space_lock(p);
	const long r = shmdt_locked(p, a);
	user_space_unlock(p);
	return r;
}
