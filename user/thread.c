/*
 * Guest threads, one host thread each: clone of a thread (glibc's
 * pthread_create: CLONE_VM, CLONE_FS, CLONE_FILES, CLONE_SIGHAND,
 * CLONE_THREAD, ...) adds a hart to the machine and a host thread that
 * runs it (user_thread_run); the guest sees the host thread's tid, so
 * gettid, tgkill and the futex words glibc keeps tids in need no
 * translation. The exit system call ends one thread, and the process
 * only with its last; fork keeps the calling thread alone in the child.
 *
 * The first thread the guest creates turns the machine threaded (the
 * block cache and translated code take m->tb_lock, a full cache waits for
 * a moment when no hart runs): the only thread is then in this system
 * call, outside any quantum, so nothing held a lock the switch would
 * start taking.
 */
#define _GNU_SOURCE
#include "jit/jit.h"
#include "process.h"
#include <errno.h>
#include <linux/futex.h>
#include <sched.h>
#include <semaphore.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

enum { REG_SP = 2, REG_TP = 4, REG_A0 = 10 };

/* What every thread clone must share (what a host thread shares), and
 * what else it may ask for. CLONE_DETACHED is ignored by Linux. */
#define THREAD_NEEDS (CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD)
#define THREAD_MAY                                                                                 \
	(THREAD_NEEDS | CLONE_SYSVSEM | CLONE_SETTLS | CLONE_PARENT_SETTID | CLONE_CHILD_SETTID |  \
	 CLONE_CHILD_CLEARTID | CLONE_DETACHED)

/* Handed from the creating thread to the new one, on the creator's
 * stack until `ready` is posted. */
struct thread_start {
	struct user_thread *t;
	uint64_t flags, parent_tid, child_tid;
	int tid;
	sem_t ready;
};

/* A tid stored in guest memory (CLONE_*_SETTID): Linux ignores a fault. */
static void store_tid(struct user_process *p, uint64_t addr, int tid)
{
	uint32_t *word = user_ptr(p, addr, 4, USER_PROT_WRITE);
	if (word && !(addr & 3))
		__atomic_store_n(word, (uint32_t)tid, __ATOMIC_SEQ_CST);
}

static void *thread_main(void *arg)
{
	struct thread_start *s = arg;
	struct user_thread *t = s->t;
	t->tid = (int)gettid();
	/* Both stores before the new thread runs and before clone returns,
	 * as Linux makes them: glibc's pthread_join waits for the word
	 * CLONE_PARENT_SETTID set to become 0, so the parent's store must not
	 * come after the thread's exit cleared it. */
	if (s->flags & CLONE_PARENT_SETTID)
		store_tid(t->p, s->parent_tid, t->tid);
	if (s->flags & CLONE_CHILD_SETTID)
		store_tid(t->p, s->child_tid, t->tid);
	if (s->flags & CLONE_CHILD_CLEARTID)
		t->clear_tid = s->child_tid;
	s->tid = t->tid;
	sem_post(&s->ready); /* s is gone after this */
	user_thread_run(t);
}

long user_thread_clone(struct user_thread *t, uint64_t flags, uint64_t stack, uint64_t tls,
		       uint64_t parent_tid, uint64_t child_tid)
{
	struct user_process *p = t->p;
	struct machine *m = p->m;
	/* A thread that would not share its files, directories or signal
	 * handlers cannot be a host thread. */
	if ((flags & THREAD_NEEDS) != THREAD_NEEDS || (flags & ~(uint64_t)THREAD_MAY))
		return -EINVAL;
	struct user_thread *nt = calloc(1, sizeof(*nt));
	if (!nt)
		return -ENOMEM;
	pthread_mutex_lock(&p->lock);
	unsigned slot = 0;
	while (slot < MAX_HARTS && p->threads[slot])
		slot++;
	if (slot == MAX_HARTS) {
		pthread_mutex_unlock(&p->lock);
		free(nt);
		return -EAGAIN;
	}
	/* Code translated before keeps polling loops that do not give
	 * their host CPU away (core/spin_wait.c) until the next full flush;
	 * one is not requested here: in a space of 2^38 bytes, a flush
	 * clears a page table of the whole space (tb_flush). */
	if (!m->threaded)
		m->threaded = true; /* (other threads read it: written only while alone) */
	struct hart *h = machine_add_hart(m, slot, t->h);
	if (!h) {
		pthread_mutex_unlock(&p->lock);
		free(nt);
		return -ENOMEM;
	}
	/* The parent's registers, pc after the ecall (user_trap set it),
	 * fcsr; a0 = 0 in the child. */
	if (stack)
		h->x[REG_SP] = stack;
	if (flags & CLONE_SETTLS)
		h->x[REG_TP] = tls;
	h->x[REG_A0] = 0;
	nt->p = p;
	nt->h = h;
	nt->sigmask = t->sigmask; /* inherited; the alternate stack is not (CLONE_VM) */
	nt->tlb_gen = __atomic_load_n(&p->space_gen, __ATOMIC_ACQUIRE); /* its TLB is empty */
	p->threads[slot] = nt;
	p->nthreads++;
	pthread_mutex_unlock(&p->lock);

	struct thread_start s = {
	    .t = nt, .flags = flags, .parent_tid = parent_tid, .child_tid = child_tid};
	sem_init(&s.ready, 0, 0);
	pthread_attr_t attr;
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	pthread_t host;
	const int err = pthread_create(&host, &attr, thread_main, &s);
	pthread_attr_destroy(&attr);
	if (err) {
		pthread_mutex_lock(&p->lock);
		p->threads[slot] = NULL;
		p->nthreads--;
		pthread_mutex_unlock(&p->lock);
		free(nt);
		sem_destroy(&s.ready);
		return -EAGAIN;
	}
	while (sem_wait(&s.ready) && errno == EINTR)
		;
	sem_destroy(&s.ready);
	return s.tid;
}

/* The robust futex list (set_robust_list) at a thread's exit: every
 * robust mutex the thread still holds gets FUTEX_OWNER_DIED and one
 * waiter woken, as Linux's exit_robust_list does (kernel/futex/core.c),
 * the entry it was acquiring or releasing (list_op_pending) included. */
#define ROBUST_LIST_LIMIT 2048
static void robust_death(struct user_thread *t, uint64_t entry, int64_t offset)
{
	uint32_t *word = user_ptr(t->p, entry + (uint64_t)offset, 4, USER_PROT_WRITE);
	if (!word || ((entry + (uint64_t)offset) & 3))
		return;
	uint32_t v = __atomic_load_n(word, __ATOMIC_SEQ_CST);
	for (;;) {
		if ((v & FUTEX_TID_MASK) != (uint32_t)t->tid)
			return;
		if (__atomic_compare_exchange_n(word, &v, (v & FUTEX_WAITERS) | FUTEX_OWNER_DIED,
						false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST))
			break;
	}
	if (v & FUTEX_WAITERS)
		syscall(SYS_futex, word, FUTEX_WAKE, 1, NULL, NULL, 0);
}

static void exit_robust_list(struct user_thread *t)
{
	const uint64_t *head = user_ptr(t->p, t->robust_list, 24, USER_PROT_READ);
	if (!head || t->robust_len != 24)
		return;
	/* Guest words other threads may store to: read as atomics. */
	const int64_t offset = (int64_t)__atomic_load_n(&head[1], __ATOMIC_RELAXED);
	const uint64_t pending = __atomic_load_n(&head[2], __ATOMIC_RELAXED) & ~1ULL;
	uint64_t entry = __atomic_load_n(&head[0], __ATOMIC_RELAXED) & ~1ULL;
	for (unsigned n = 0; n < ROBUST_LIST_LIMIT && entry != t->robust_list; n++) {
		const uint64_t *next = user_ptr(t->p, entry, 8, USER_PROT_READ);
		if (!next)
			return;
		const uint64_t after = __atomic_load_n(next, __ATOMIC_RELAXED) & ~1ULL;
		if (entry != pending)
			robust_death(t, entry, offset);
		entry = after;
	}
	if (pending)
		robust_death(t, pending, offset);
}

_Noreturn void user_thread_exit(struct user_thread *t, int code)
{
	struct user_process *p = t->p;
	pthread_mutex_lock(&p->lock);
	if (p->nthreads == 1) {
		pthread_mutex_unlock(&p->lock);
		user_exit(p, code); /* the last thread: the process's end */
	}
	exit_robust_list(t);
	const uint64_t clear_tid = t->clear_tid;
	/* From here the slot and its hart may go to a new thread: this
	 * thread touches neither again. */
	p->threads[t->h->mhartid] = NULL;
	p->nthreads--;
	if (p->main == t)
		p->main = NULL;
	pthread_mutex_unlock(&p->lock);
	free(t);
	/* CLONE_CHILD_CLEARTID: 0 in the word and a wake for who waits on it
	 * (pthread_join), as Linux's mm_release; the joiner may free the
	 * stack the word is in once it sees the 0. */
	uint32_t *word = clear_tid ? user_ptr(p, clear_tid, 4, USER_PROT_WRITE) : NULL;
	if (word && !(clear_tid & 3)) {
		__atomic_store_n(word, 0, __ATOMIC_SEQ_CST);
		syscall(SYS_futex, word, FUTEX_WAKE, 1, NULL, NULL, 0);
	}
	pthread_exit(NULL);
}

pid_t user_fork(struct user_thread *t)
{
	struct user_process *p = t->p;
	struct machine *m = p->m;
	/* No other thread may hold these in the child: take them all (the
	 * address space, the thread table, then the machine's). */
	user_space_lock(p);
	pthread_mutex_lock(&p->lock);
	machine_fork_prepare(m);
	fflush(NULL);
	bool ok;
	void *code = jit_fork_prepare(m, &ok);
	pid_t pid = -1;
	int e = ENOMEM;
	if (ok) {
		pid = fork();
		e = errno;
	}
	if (pid == 0) {
		machine_fork_child(m);
		for (unsigned i = 0; i < MAX_HARTS; i++) {
			if (p->threads[i] && p->threads[i] != t) {
				free(p->threads[i]); /* its host thread is not in the child */
				p->threads[i] = NULL;
			}
		}
		p->nthreads = 1;
		p->main = t;
		t->tid = (int)getpid();
	} else {
		machine_fork_parent(m);
	}
	pthread_mutex_unlock(&p->lock);
	user_space_unlock(p);
	if (!ok) {
		errno = ENOMEM;
		return -1;
	}
	if (!jit_fork_finish(m, code, pid == 0) && pid == 0)
		user_exit(p, 127);
	errno = e;
	return pid;
}
