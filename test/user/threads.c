/* Threads: 8 pthreads add to a shared counter with atomic adds (and a
 * compare-and-swap loop, LR/SC on RISC-V), a mutex-protected counter, a
 * producer/consumer queue on a mutex and two condition variables (futex
 * waits and wakes), thread-local storage, and pthread_join results. */
#define TEST_NAME "threads"
#include "check.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <unistd.h>

#define NTHREADS 8
#define ADDS	 200000
#define ITEMS	 20000
#define QSIZE	 16

struct counters {
	atomic_long added;   /* atomic_fetch_add (amoadd) */
	atomic_long swapped; /* compare-and-swap loop (lr/sc) */
	long locked;	     /* under the mutex */
	pthread_mutex_t lock;
	pthread_barrier_t start;
};

struct queue {
	int items[QSIZE];
	int head, count, done_producers;
	pthread_mutex_t lock;
	pthread_cond_t not_empty, not_full;
	long sum;      /* of consumed items, under lock */
	long consumed; /* under lock */
};

static _Thread_local int tls_value = 5;

static void *count_thread(void *arg)
{
	struct counters *c = arg;
	tls_value = (int)gettid(); /* each thread its own copy */
	pthread_barrier_wait(&c->start);
	for (int i = 0; i < ADDS; i++) {
		atomic_fetch_add_explicit(&c->added, 1, memory_order_relaxed);
		long old = atomic_load_explicit(&c->swapped, memory_order_relaxed);
		while (!atomic_compare_exchange_weak(&c->swapped, &old, old + 2))
			;
		if (i % 64 == 0) {
			pthread_mutex_lock(&c->lock);
			c->locked++;
			pthread_mutex_unlock(&c->lock);
		}
	}
	return (void *)(intptr_t)(tls_value == (int)gettid() ? 1 : 0);
}

static void *producer(void *arg)
{
	struct queue *q = arg;
	for (int i = 1; i <= ITEMS; i++) {
		pthread_mutex_lock(&q->lock);
		while (q->count == QSIZE)
			pthread_cond_wait(&q->not_full, &q->lock);
		q->items[(q->head + q->count) % QSIZE] = i;
		q->count++;
		pthread_cond_signal(&q->not_empty);
		pthread_mutex_unlock(&q->lock);
	}
	pthread_mutex_lock(&q->lock);
	q->done_producers++;
	pthread_cond_broadcast(&q->not_empty);
	pthread_mutex_unlock(&q->lock);
	return NULL;
}

static void *consumer(void *arg)
{
	struct queue *q = arg;
	long mine = 0;
	for (;;) {
		pthread_mutex_lock(&q->lock);
		while (q->count == 0 && q->done_producers < NTHREADS / 2)
			pthread_cond_wait(&q->not_empty, &q->lock);
		if (q->count == 0) {
			pthread_mutex_unlock(&q->lock);
			break;
		}
		int v = q->items[q->head];
		q->head = (q->head + 1) % QSIZE;
		q->count--;
		q->sum += v;
		q->consumed++;
		mine++;
		pthread_cond_signal(&q->not_full);
		pthread_mutex_unlock(&q->lock);
	}
	return (void *)(intptr_t)mine;
}

int main(void)
{
	pthread_t t[NTHREADS];
	struct counters c = {.lock = PTHREAD_MUTEX_INITIALIZER};
	CHECK(pthread_barrier_init(&c.start, NULL, NTHREADS) == 0, "barrier");
	for (int i = 0; i < NTHREADS; i++)
		CHECK(pthread_create(&t[i], NULL, count_thread, &c) == 0, "pthread_create %d", i);
	for (int i = 0; i < NTHREADS; i++) {
		void *ret;
		CHECK(pthread_join(t[i], &ret) == 0, "pthread_join %d", i);
		CHECK(ret == (void *)1, "thread %d saw another thread's TLS", i);
	}
	CHECK(tls_value == 5, "main's TLS copy changed to %d", tls_value);
	CHECK(c.added == (long)NTHREADS * ADDS, "atomic add: %ld, want %ld", (long)c.added,
	      (long)NTHREADS * ADDS);
	CHECK(c.swapped == 2L * NTHREADS * ADDS, "compare-and-swap: %ld, want %ld", (long)c.swapped,
	      2L * NTHREADS * ADDS);
	CHECK(c.locked == (long)NTHREADS * ((ADDS + 63) / 64), "mutex counter %ld", c.locked);

	/* Four producers, four consumers, one bounded queue. */
	struct queue q = {.lock = PTHREAD_MUTEX_INITIALIZER,
			  .not_empty = PTHREAD_COND_INITIALIZER,
			  .not_full = PTHREAD_COND_INITIALIZER};
	for (int i = 0; i < NTHREADS; i++)
		CHECK(pthread_create(&t[i], NULL, i % 2 ? producer : consumer, &q) == 0,
		      "pthread_create %d", i);
	long by_consumers = 0;
	for (int i = 0; i < NTHREADS; i++) {
		void *ret;
		CHECK(pthread_join(t[i], &ret) == 0, "pthread_join %d", i);
		if (i % 2 == 0)
			by_consumers += (intptr_t)ret;
	}
	long want_sum = (long)(NTHREADS / 2) * ITEMS * (ITEMS + 1) / 2;
	CHECK(q.consumed == (long)(NTHREADS / 2) * ITEMS && by_consumers == q.consumed,
	      "consumed %ld (%ld by the consumers' count)", q.consumed, by_consumers);
	CHECK(q.sum == want_sum, "sum of consumed items %ld, want %ld", q.sum, want_sum);
	CHECK(q.count == 0, "%d items left in the queue", q.count);

	/* Threads share the process: one pid, different tids. */
	CHECK(getpid() == gettid(), "main thread's tid is not the pid");
	PASS();
	return 0;
}
