/* The futex operations glibc's mutexes, condition variables and joins do
 * not all use, from several threads, on private words: FUTEX_CMP_REQUEUE
 * moves 4 waiters from one word to another (and refuses when the word
 * changed: EAGAIN), FUTEX_WAKE_OP changes a word and wakes its waiters
 * when its old value matched, and waits time out (FUTEX_WAIT's relative
 * timeout, FUTEX_WAIT_BITSET's absolute one). */
#define TEST_NAME "threads_futex"
#include "check.h"

#include <limits.h>
#include <linux/futex.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define WAITERS 4

static _Atomic uint32_t a, b, c;
static atomic_int announced, finished;

static long futex(_Atomic uint32_t *word, int op, uint32_t val, uintptr_t val2,
		  _Atomic uint32_t *word2, uint32_t val3)
{
	return syscall(SYS_futex, word, op, val, val2, word2, val3);
}

static void *waiter(void *arg)
{
	(void)arg;
	atomic_fetch_add(&announced, 1);
	while (atomic_load(&a) == 0)
		futex(&a, FUTEX_WAIT_PRIVATE, 0, 0, NULL, 0);
	atomic_fetch_add(&finished, 1);
	return NULL;
}

static double now(clockid_t clock)
{
	struct timespec ts;
	clock_gettime(clock, &ts);
	return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* Move the waiters on a (a == 0) to b, each as it reaches its wait,
 * until `want` moved or 20 s passed; how many moved. */
static long requeue_all(long want)
{
	long moved = 0;
	const double give_up = now(CLOCK_MONOTONIC) + 20;
	while (moved < want && now(CLOCK_MONOTONIC) < give_up) {
		const long r = futex(&a, FUTEX_CMP_REQUEUE_PRIVATE, 0, INT_MAX, &b, 0);
		CHECK(r >= 0, "FUTEX_CMP_REQUEUE: errno %d", errno);
		moved += r;
		if (moved < want)
			usleep(1000);
	}
	return moved;
}

int main(void)
{
	pthread_t t[WAITERS];
	for (int i = 0; i < WAITERS; i++)
		CHECK(pthread_create(&t[i], NULL, waiter, NULL) == 0, "create");
	while (atomic_load(&announced) < WAITERS)
		usleep(1000);

	/* A changed word: nothing moves. */
	errno = 0;
	CHECK(futex(&a, FUTEX_CMP_REQUEUE_PRIVATE, 0, INT_MAX, &b, 1) == -1 && errno == EAGAIN,
	      "FUTEX_CMP_REQUEUE with a stale value: errno %d", errno);
	/* Every waiter from a to b. */
	const long moved = requeue_all(WAITERS);
	CHECK(moved == WAITERS, "FUTEX_CMP_REQUEUE moved %ld waiters, want %d", moved, WAITERS);
	CHECK(futex(&a, FUTEX_WAKE_PRIVATE, INT_MAX, 0, NULL, 0) == 0, "waiters left on a");
	CHECK(atomic_load(&finished) == 0, "a waiter left early");

	/* b := 1, its old value 0 matches: the 4 waiters on b wake (none
	 * were on c). */
	atomic_store(&a, 1);
	const long woken = futex(&c, FUTEX_WAKE_OP_PRIVATE, 1, INT_MAX, &b,
				 FUTEX_OP(FUTEX_OP_SET, 1, FUTEX_OP_CMP_EQ, 0));
	CHECK(woken == WAITERS, "FUTEX_WAKE_OP woke %ld, want %d (errno %d)", woken, WAITERS,
	      errno);
	CHECK(atomic_load(&b) == 1, "FUTEX_WAKE_OP left %u", (unsigned)atomic_load(&b));
	for (int i = 0; i < WAITERS; i++)
		pthread_join(t[i], NULL);
	CHECK(atomic_load(&finished) == WAITERS, "finished %d", atomic_load(&finished));
	/* b := 2, its old value 1 does not match: nobody is woken on b even
	 * with a waiter there. */
	pthread_t late;
	atomic_store(&a, 0);
	atomic_store(&announced, 0);
	CHECK(pthread_create(&late, NULL, waiter, NULL) == 0, "create");
	while (atomic_load(&announced) < 1)
		usleep(1000);
	CHECK(requeue_all(1) == 1, "FUTEX_CMP_REQUEUE did not move the late waiter");
	CHECK(futex(&c, FUTEX_WAKE_OP_PRIVATE, 1, INT_MAX, &b,
		    FUTEX_OP(FUTEX_OP_SET, 2, FUTEX_OP_CMP_EQ, 0)) == 0 &&
		  atomic_load(&b) == 2,
	      "FUTEX_WAKE_OP without a match");
	atomic_store(&a, 1);
	CHECK(futex(&b, FUTEX_WAKE_PRIVATE, 1, 0, NULL, 0) == 1, "the late waiter was still on b");
	pthread_join(late, NULL);

	/* Timeouts: 50 ms relative, and absolute on CLOCK_MONOTONIC. */
	const double t0 = now(CLOCK_MONOTONIC);
	const struct timespec rel = {.tv_nsec = 50000000};
	errno = 0;
	CHECK(futex(&c, FUTEX_WAIT_PRIVATE, 0, (uintptr_t)&rel, NULL, 0) == -1 &&
		  errno == ETIMEDOUT,
	      "FUTEX_WAIT timeout: errno %d", errno);
	CHECK(now(CLOCK_MONOTONIC) - t0 >= 0.045, "FUTEX_WAIT returned early");
	struct timespec abs;
	clock_gettime(CLOCK_MONOTONIC, &abs);
	abs.tv_nsec += 50000000;
	if (abs.tv_nsec >= 1000000000) {
		abs.tv_sec++;
		abs.tv_nsec -= 1000000000;
	}
	errno = 0;
	CHECK(futex(&c, FUTEX_WAIT_BITSET_PRIVATE, 0, (uintptr_t)&abs, NULL,
		    FUTEX_BITSET_MATCH_ANY) == -1 &&
		  errno == ETIMEDOUT,
	      "FUTEX_WAIT_BITSET timeout: errno %d", errno);
	CHECK(now(CLOCK_MONOTONIC) - t0 >= 0.095, "FUTEX_WAIT_BITSET returned early");
	PASS();
	return 0;
}
