/* The address space changing under running threads: one thread maps,
 * touches, write-protects, moves (mremap), replaces (MAP_FIXED) and
 * unmaps memory in a loop while the others run code and touch their own
 * memory; each change stops them, and they must then drop what they
 * cached of the old mappings. Then, in child processes, the cases a stale
 * cached translation would get wrong: another thread's store to a page
 * just made read-only, and its load from a page just unmapped, must both
 * fault (SIGSEGV: the child dies of it, or its handler exits 42), not go
 * through to the old page. */
#define TEST_NAME "threads_mmap"
#include "check.h"

#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#define WORKERS 4
#define ROUNDS	2000
#define PAGES	16

static atomic_int stop;
static long page;

static void *worker(void *arg)
{
	const long id = (long)arg;
	const size_t len = PAGES * page;
	uint64_t *mem = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(mem != MAP_FAILED, "worker mmap");
	const size_t n = len / sizeof(*mem);
	uint64_t sum = 0, passes = 0;
	while (!atomic_load_explicit(&stop, memory_order_relaxed)) {
		for (size_t i = 0; i < n; i++)
			mem[i] = i * 2654435761u + id + passes;
		for (size_t i = 0; i < n; i++)
			sum += mem[i] - (i * 2654435761u + id + passes);
		passes++;
	}
	CHECK(sum == 0, "worker %ld read back wrong values", id);
	munmap(mem, len);
	return (void *)passes;
}

/* The child's victim: a page another thread keeps using until the main
 * thread takes access away, then touches once more. */
static volatile uint8_t *victim;
static atomic_int phase; /* 0 using, 1 access taken away, 2 touched */

static void *toucher(void *arg)
{
	const int store = (int)(long)arg;
	while (atomic_load(&phase) == 0) {
		if (store)
			victim[0]++;
		else
			(void)victim[0];
	}
	if (store)
		victim[0] = 77; /* must fault */
	else
		(void)victim[0];
	atomic_store(&phase, 2);
	return NULL;
}

static void on_segv(int sig)
{
	(void)sig;
	_exit(42);
}

/* In a child: a thread uses the page, this one takes access away (store:
 * mprotect to read-only; load: munmap), the thread touches it again. */
static void stale_access(int store)
{
	const pid_t pid = fork();
	CHECK_SYS(pid);
	if (pid == 0) {
		struct sigaction sa = {.sa_handler = on_segv};
		sigemptyset(&sa.sa_mask);
		sigaction(SIGSEGV, &sa, NULL);
		victim =
		    mmap(NULL, page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (victim == MAP_FAILED)
			_exit(3);
		pthread_t t;
		if (pthread_create(&t, NULL, toucher, (void *)(long)store))
			_exit(4);
		usleep(20000); /* it runs and caches the page */
		if (store ? mprotect((void *)victim, page, PROT_READ)
			  : munmap((void *)victim, page))
			_exit(5);
		atomic_store(&phase, 1);
		while (atomic_load(&phase) != 2)
			;
		fprintf(stderr, "the %s went through\n",
			store ? "store to a read-only page" : "load from an unmapped page");
		_exit(1);
	}
	int status;
	CHECK_SYS(waitpid(pid, &status, 0));
	CHECK((WIFEXITED(status) && WEXITSTATUS(status) == 42) ||
		  (WIFSIGNALED(status) && WTERMSIG(status) == SIGSEGV),
	      "%s: child status 0x%x, want SIGSEGV", store ? "store" : "load", status);
}

int main(void)
{
	page = sysconf(_SC_PAGESIZE);
	pthread_t t[WORKERS];
	for (long i = 0; i < WORKERS; i++)
		CHECK(pthread_create(&t[i], NULL, worker, (void *)i) == 0, "create");

	for (int round = 0; round < ROUNDS; round++) {
		const size_t len = (1 + round % PAGES) * page;
		volatile uint8_t *m =
		    mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		CHECK(m != MAP_FAILED, "mmap round %d", round);
		for (size_t i = 0; i < len; i += page)
			m[i] = (uint8_t)(round + i);
		if (round % 4 == 1) {
			CHECK_SYS(mprotect((void *)m, len, PROT_READ));
			CHECK(m[0] == (uint8_t)round, "contents kept");
		} else if (round % 4 == 2) {
			/* Moved: the old place is gone, the new one has the data. */
			volatile uint8_t *n = mremap((void *)m, len, 2 * len, MREMAP_MAYMOVE);
			CHECK(n != MAP_FAILED, "mremap");
			CHECK(n[0] == (uint8_t)round, "moved contents");
			n[2 * len - 1] = 9;
			m = n;
			CHECK_SYS(munmap((void *)m, 2 * len));
			continue;
		} else if (round % 4 == 3) {
			/* Replaced in place by a fresh mapping: zeros. */
			void *r = mmap((void *)m, len, PROT_READ | PROT_WRITE,
				       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
			CHECK(r == (void *)m && m[0] == 0, "MAP_FIXED over a mapping");
		}
		CHECK_SYS(munmap((void *)m, len));
	}
	atomic_store(&stop, 1);
	for (int i = 0; i < WORKERS; i++) {
		void *passes;
		pthread_join(t[i], &passes);
		CHECK((long)passes > 0, "worker %d never ran", i);
	}
	stale_access(1);
	stale_access(0);
	PASS();
	return 0;
}
