/* fork in a threaded program: while other threads spin, map and unmap
 * memory, and start and join threads of their own (so that locks of the
 * emulator are taken all the time), the main thread forks again and
 * again. Each child must have just the one thread (as many host threads
 * as the program had before it started any: an emulator may keep its
 * own), be able to start and join threads, map memory and run code, and
 * exit with the status it chose; the parent's threads go on unharmed. */
#define TEST_NAME "threads_fork"
#include "check.h"

#include <dirent.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#define FORKS 40

static atomic_int stop;
static atomic_long work;

static void *spinner(void *arg)
{
	(void)arg;
	while (!atomic_load_explicit(&stop, memory_order_relaxed))
		atomic_fetch_add_explicit(&work, 1, memory_order_relaxed);
	return NULL;
}

static void *mapper(void *arg)
{
	(void)arg;
	while (!atomic_load(&stop)) {
		char *m =
		    mmap(NULL, 65536, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		CHECK(m != MAP_FAILED, "mapper mmap");
		m[0] = m[65535] = 1;
		munmap(m, 65536);
	}
	return NULL;
}

static void *twice(void *arg)
{
	return (void *)((intptr_t)arg * 2);
}

static void *starter(void *arg)
{
	(void)arg;
	while (!atomic_load(&stop)) {
		pthread_t t;
		void *r;
		CHECK(pthread_create(&t, NULL, twice, (void *)21) == 0, "starter create");
		pthread_join(t, &r);
		CHECK((intptr_t)r == 42, "starter join");
	}
	return NULL;
}

/* Threads of this process, as the host sees them (/proc/self/task). */
static int count_tasks(void)
{
	DIR *d = opendir("/proc/self/task");
	if (!d)
		return -1;
	int n = 0;
	struct dirent *e;
	while ((e = readdir(d)))
		n += e->d_name[0] != '.';
	closedir(d);
	return n;
}

/* Host threads before the program started any (an emulator may have its
 * own: QEMU's RCU thread). */
static int baseline_tasks;

static int child(int i)
{
	if (count_tasks() != baseline_tasks)
		return 100 + count_tasks();
	pthread_t t;
	void *r;
	if (pthread_create(&t, NULL, twice, (void *)(intptr_t)i) || pthread_join(t, &r) ||
	    (intptr_t)r != 2 * i)
		return 98;
	volatile long *m =
	    mmap(NULL, 1 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (m == MAP_FAILED)
		return 97;
	long sum = 0;
	for (long k = 0; k < (1 << 17); k++)
		m[k] = k;
	for (long k = 0; k < (1 << 17); k++)
		sum += m[k];
	if (sum != (1L << 17) * ((1L << 17) - 1) / 2)
		return 96;
	return i % 50;
}

int main(void)
{
	baseline_tasks = count_tasks();
	CHECK(baseline_tasks >= 1, "/proc/self/task");
	pthread_t t[5];
	CHECK(pthread_create(&t[0], NULL, spinner, NULL) == 0, "spinner");
	CHECK(pthread_create(&t[1], NULL, spinner, NULL) == 0, "spinner");
	CHECK(pthread_create(&t[2], NULL, mapper, NULL) == 0, "mapper");
	CHECK(pthread_create(&t[3], NULL, starter, NULL) == 0, "starter");
	CHECK(pthread_create(&t[4], NULL, mapper, NULL) == 0, "mapper");
	for (int i = 0; i < FORKS; i++) {
		fflush(stdout);
		const pid_t pid = fork();
		CHECK_SYS(pid);
		if (pid == 0)
			_exit(child(i));
		int status;
		CHECK_SYS(waitpid(pid, &status, 0));
		CHECK(WIFEXITED(status) && WEXITSTATUS(status) == i % 50,
		      "child %d: status 0x%x, want exit %d", i, status, i % 50);
	}
	const long before = atomic_load(&work);
	usleep(10000);
	CHECK(atomic_load(&work) > before, "the spinners stopped");
	atomic_store(&stop, 1);
	for (int i = 0; i < 5; i++)
		pthread_join(t[i], NULL);
	PASS();
	return 0;
}
