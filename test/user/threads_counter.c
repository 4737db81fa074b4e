/* Threads under load: 8 pthreads each add 1e6 times to a shared counter
 * with atomic adds (the total is exact only if every AMO is atomic across
 * host threads), a mutex-protected plain counter, a producer/consumer
 * queue of 100000 items on a mutex and two condition variables (futex
 * waits and wakes, FUTEX_WAIT_BITSET), barriers, pthread_join results, a
 * distinct __thread per thread, a robust mutex whose owner dies (the
 * kernel's robust-list walk at thread exit), and clone refusing flag
 * combinations Linux refuses. */
#define TEST_NAME "threads_counter"
#include "check.h"

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <unistd.h>

#define NTHREADS 8
#define ADDS	 1000000
#define LOCKED	 20000
#define ITEMS	 100000
#define QSIZE	 64

static atomic_long total;
static long locked_total;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_barrier_t barrier;
static __thread long mine = -1;
static atomic_int tids[NTHREADS];

static void *adder(void *arg)
{
	const long id = (long)arg;
	mine = id;
	tids[id] = (int)gettid();
	pthread_barrier_wait(&barrier);
	for (int i = 0; i < ADDS; i++)
		atomic_fetch_add_explicit(&total, 1, memory_order_relaxed);
	for (int i = 0; i < LOCKED; i++) {
		pthread_mutex_lock(&lock);
		locked_total++;
		pthread_mutex_unlock(&lock);
	}
	pthread_barrier_wait(&barrier);
	sched_yield();
	return (void *)(mine * 1000 + 7); /* its own __thread, after all the others ran */
}

struct queue {
	long items[QSIZE];
	int head, count, producers_done;
	pthread_mutex_t lock;
	pthread_cond_t not_empty, not_full;
};

static struct queue q = {.lock = PTHREAD_MUTEX_INITIALIZER,
			 .not_empty = PTHREAD_COND_INITIALIZER,
			 .not_full = PTHREAD_COND_INITIALIZER};

static void *producer(void *arg)
{
	const long base = (long)arg;
	for (long i = 0; i < ITEMS / 2; i++) {
		pthread_mutex_lock(&q.lock);
		while (q.count == QSIZE)
			pthread_cond_wait(&q.not_full, &q.lock);
		q.items[(q.head + q.count++) % QSIZE] = base + i;
		pthread_cond_signal(&q.not_empty);
		pthread_mutex_unlock(&q.lock);
	}
	pthread_mutex_lock(&q.lock);
	q.producers_done++;
	pthread_cond_broadcast(&q.not_empty);
	pthread_mutex_unlock(&q.lock);
	return NULL;
}

struct consumed {
	long n, sum, sq;
};

static void *consumer(void *arg)
{
	struct consumed *c = arg;
	for (;;) {
		pthread_mutex_lock(&q.lock);
		while (q.count == 0 && q.producers_done < 2)
			pthread_cond_wait(&q.not_empty, &q.lock);
		if (q.count == 0) {
			pthread_mutex_unlock(&q.lock);
			return NULL;
		}
		const long v = q.items[q.head];
		q.head = (q.head + 1) % QSIZE;
		q.count--;
		pthread_cond_signal(&q.not_full);
		pthread_mutex_unlock(&q.lock);
		c->n++;
		c->sum += v;
		c->sq += v * v % 1000003;
	}
}

static pthread_mutex_t robust;

static void *die_holding(void *arg)
{
	(void)arg;
	CHECK(pthread_mutex_lock(&robust) == 0, "robust lock");
	return NULL; /* ends holding it */
}

int main(void)
{
	/* Atomic and locked counters, __thread, join values, tids. */
	pthread_barrier_init(&barrier, NULL, NTHREADS);
	pthread_t t[NTHREADS];
	for (long i = 0; i < NTHREADS; i++)
		CHECK(pthread_create(&t[i], NULL, adder, (void *)i) == 0, "create %ld", i);
	for (long i = 0; i < NTHREADS; i++) {
		void *r;
		CHECK(pthread_join(t[i], &r) == 0, "join %ld", i);
		CHECK((long)r == i * 1000 + 7, "thread %ld returned %ld", i, (long)r);
	}
	CHECK(atomic_load(&total) == (long)NTHREADS * ADDS, "atomic total %ld",
	      atomic_load(&total));
	CHECK(locked_total == (long)NTHREADS * LOCKED, "locked total %ld", locked_total);
	CHECK(mine == -1, "main's __thread changed: %ld", mine);
	for (int i = 0; i < NTHREADS; i++) {
		CHECK(tids[i] > 0 && tids[i] != getpid(), "tid %d", tids[i]);
		for (int j = 0; j < i; j++)
			CHECK(tids[i] != tids[j], "threads %d and %d share tid %d", i, j, tids[i]);
	}

	/* Producer/consumer: every item once (count, sum, and a checksum). */
	pthread_t p[2], c[3];
	struct consumed got[3] = {0};
	for (int i = 0; i < 2; i++)
		CHECK(pthread_create(&p[i], NULL, producer, (void *)(long)(i * ITEMS)) == 0, "p");
	for (int i = 0; i < 3; i++)
		CHECK(pthread_create(&c[i], NULL, consumer, &got[i]) == 0, "c");
	for (int i = 0; i < 2; i++)
		pthread_join(p[i], NULL);
	long n = 0, sum = 0, sq = 0, want_sum = 0, want_sq = 0;
	for (int i = 0; i < 3; i++) {
		pthread_join(c[i], NULL);
		n += got[i].n;
		sum += got[i].sum;
		sq += got[i].sq;
	}
	for (int b = 0; b < 2; b++)
		for (long i = 0; i < ITEMS / 2; i++) {
			const long v = b * ITEMS + i;
			want_sum += v;
			want_sq += v * v % 1000003;
		}
	CHECK(n == ITEMS && sum == want_sum && sq == want_sq,
	      "consumed %ld items, sum %ld (want %ld), checksum %ld (want %ld)", n, sum, want_sum,
	      sq, want_sq);

	/* A robust mutex whose owner thread ended: EOWNERDEAD for the next. */
	pthread_mutexattr_t ma;
	pthread_mutexattr_init(&ma);
	pthread_mutexattr_setrobust(&ma, PTHREAD_MUTEX_ROBUST);
	pthread_mutex_init(&robust, &ma);
	pthread_t d;
	CHECK(pthread_create(&d, NULL, die_holding, NULL) == 0, "create");
	pthread_join(d, NULL);
	const int r = pthread_mutex_lock(&robust);
	CHECK(r == EOWNERDEAD, "lock after the owner died: %d (%s)", r, strerror(r));
	pthread_mutex_consistent(&robust);
	pthread_mutex_unlock(&robust);

	/* Flags Linux refuses: CLONE_THREAD without CLONE_SIGHAND,
	 * CLONE_SIGHAND without CLONE_VM. */
	errno = 0;
	CHECK(syscall(SYS_clone, CLONE_VM | CLONE_THREAD, 0, 0, 0, 0) == -1 && errno == EINVAL,
	      "clone(CLONE_THREAD without CLONE_SIGHAND): errno %d", errno);
	errno = 0;
	CHECK(syscall(SYS_clone, CLONE_SIGHAND, 0, 0, 0, 0) == -1 && errno == EINVAL,
	      "clone(CLONE_SIGHAND without CLONE_VM): errno %d", errno);
	PASS();
	return 0;
}
