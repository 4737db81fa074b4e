/* Signals and threads: a signal sent to the process runs its handler on
 * the one thread that does not block it; pthread_kill runs it on the
 * thread named, which was busy in a loop; pthread_cancel ends a thread
 * blocked in read() (glibc cancels with a signal of its own, 32). */
#define TEST_NAME "signals_threads"
#include "check.h"

#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <unistd.h>

static volatile pid_t usr1_tid, usr2_tid;
static volatile int stop, ready;

static void on_usr1(int sig)
{
	(void)sig;
	usr1_tid = (pid_t)syscall(SYS_gettid);
}

static void on_usr2(int sig)
{
	(void)sig;
	usr2_tid = (pid_t)syscall(SYS_gettid);
}

/* Unblocks SIGUSR1 (the others block it), then spins until told. */
static void *worker(void *arg)
{
	pid_t *tid = arg;
	*tid = (pid_t)syscall(SYS_gettid);
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	pthread_sigmask(SIG_UNBLOCK, &set, NULL);
	__atomic_store_n(&ready, 1, __ATOMIC_RELEASE);
	unsigned long spins = 0;
	while (!stop)
		spins++;
	return (void *)spins;
}

static void *reader(void *arg)
{
	int fd = *(int *)arg;
	char c;
	__atomic_store_n(&ready, 1, __ATOMIC_RELEASE);
	(void)read(fd, &c, 1); /* a cancellation point that never returns */
	return NULL;
}

int main(void)
{
	struct sigaction sa = {.sa_handler = on_usr1};
	sigemptyset(&sa.sa_mask);
	CHECK_SYS(sigaction(SIGUSR1, &sa, NULL));
	sa.sa_handler = on_usr2;
	CHECK_SYS(sigaction(SIGUSR2, &sa, NULL));
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	CHECK(pthread_sigmask(SIG_BLOCK, &set, NULL) == 0, "block SIGUSR1");

	pid_t worker_tid = 0;
	pthread_t w;
	CHECK(pthread_create(&w, NULL, worker, &worker_tid) == 0, "pthread_create");
	while (!__atomic_load_n(&ready, __ATOMIC_ACQUIRE))
		usleep(1000);
	/* 1. To the process: only the worker can take it. */
	CHECK_SYS(kill(getpid(), SIGUSR1));
	for (int i = 0; i < 500 && !usr1_tid; i++)
		usleep(10000);
	CHECK(usr1_tid == worker_tid, "SIGUSR1 ran on thread %d, want the worker %d", usr1_tid,
	      worker_tid);
	/* 2. To the busy worker by name. */
	CHECK(pthread_kill(w, SIGUSR2) == 0, "pthread_kill");
	for (int i = 0; i < 500 && !usr2_tid; i++)
		usleep(10000);
	CHECK(usr2_tid == worker_tid, "SIGUSR2 ran on thread %d, want the worker %d", usr2_tid,
	      worker_tid);
	stop = 1;
	void *r;
	CHECK(pthread_join(w, &r) == 0, "join");

	/* 3. pthread_cancel of a thread blocked in read. */
	int p[2];
	CHECK_SYS(pipe(p));
	ready = 0;
	pthread_t rd;
	CHECK(pthread_create(&rd, NULL, reader, &p[0]) == 0, "pthread_create");
	while (!__atomic_load_n(&ready, __ATOMIC_ACQUIRE))
		usleep(1000);
	usleep(20000);
	CHECK(pthread_cancel(rd) == 0, "pthread_cancel");
	CHECK(pthread_join(rd, &r) == 0 && r == PTHREAD_CANCELED, "the reader was not cancelled");
	PASS();
	return 0;
}
