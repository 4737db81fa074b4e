/* How threads end: exit() in a thread that is not the main one ends the
 * process with its status while the others run or wait (exit_group from
 * any thread); the main thread's pthread_exit leaves the process to the
 * other threads, and it ends with the last one (status 0 when it returns,
 * its own with exit); a thread's own end (the exit system call, which
 * pthread_exit makes) wakes who joins it, many times over with threads
 * reusing the freed places; and a thread made with the clone or clone3
 * system call itself stores its tid where CLONE_PARENT_SETTID says and clears it with
 * a wake at its exit (CLONE_CHILD_CLEARTID). The cases that end a
 * process run in a child whose exit status is checked. */
#define TEST_NAME "threads_exit"
#include "check.h"

#include <linux/futex.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static atomic_long spins;

static void *spin(void *arg)
{
	(void)arg;
	for (;;)
		atomic_fetch_add(&spins, 1);
	return NULL;
}

static void *exit_42(void *arg)
{
	(void)arg;
	while (atomic_load(&spins) < 1000)
		;
	exit(42);
}

static pthread_mutex_t never = PTHREAD_MUTEX_INITIALIZER;

static void *block(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&never); /* held by main: waits in futex */
	return NULL;
}

static void *outlive_main(void *arg)
{
	const int code = (int)(long)arg;
	usleep(50000); /* main has ended meanwhile */
	printf("survivor\n");
	fflush(stdout);
	if (code)
		exit(code);
	return NULL; /* the last thread returning: exit(0) */
}

static void *value(void *arg)
{
	pthread_exit((void *)((intptr_t)arg * 3));
}

static volatile int child_ran;

#define THREAD_FLAGS                                                                               \
	(CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD | CLONE_SYSVSEM |        \
	 CLONE_PARENT_SETTID | CLONE_CHILD_CLEARTID)

/* System call nr (clone or clone3) making a thread whose code is a few
 * instructions: it stores its tid (from gettid) to child_ran and ends
 * with the exit system call. */
static long raw_thread(long nr, long x0, long x1, long x2, long x3, long x4)
{
	register long a0 __asm__("a0") = x0;
	register long a1 __asm__("a1") = x1;
	register long a2 __asm__("a2") = x2;
	register long a3 __asm__("a3") = x3;
	register long a4 __asm__("a4") = x4;
	register long a7 __asm__("a7") = nr;
	register long t1 __asm__("t1") = (long)&child_ran;
	__asm__ volatile("ecall\n\t"
			 "bnez a0, 1f\n\t"
			 "li a7, %[gettid]\n\t"
			 "ecall\n\t"
			 "sw a0, 0(t1)\n\t"
			 "li a0, 0\n\t"
			 "li a7, %[exit]\n\t"
			 "ecall\n\t"
			 "1:"
			 : "+r"(a0), "+r"(a7)
			 : "r"(a1), "r"(a2), "r"(a3), "r"(a4),
			   "r"(t1), [gettid] "i"(SYS_gettid), [exit] "i"(SYS_exit)
			 : "memory");
	return a0;
}

static char stack[65536] __attribute__((aligned(16)));

/* Linux's struct clone_args (linux/sched.h), version 0. */
struct clone_args_v0 {
	uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls;
};

/* A raw thread made with clone (clone3 when `use_clone3`): tid gets its
 * tid (CLONE_PARENT_SETTID), then 0 and a wake when it exits
 * (CLONE_CHILD_CLEARTID), which is waited for as pthread_join does. */
static void raw_thread_case(int use_clone3)
{
	static int tid;
	tid = -1;
	child_ran = 0;
	struct clone_args_v0 ca = {.flags = THREAD_FLAGS,
				   .child_tid = (uintptr_t)&tid,
				   .parent_tid = (uintptr_t)&tid,
				   .stack = (uintptr_t)stack,
				   .stack_size = sizeof(stack)};
	const long r = use_clone3
			   ? raw_thread(SYS_clone3, (long)&ca, sizeof(ca), 0, 0, 0)
			   : raw_thread(SYS_clone, THREAD_FLAGS, (long)(stack + sizeof(stack)),
					(long)&tid, 0, (long)&tid);
	CHECK(r > 0, "%s: %ld", use_clone3 ? "clone3" : "clone", r);
	for (;;) {
		const int v = __atomic_load_n(&tid, __ATOMIC_ACQUIRE);
		if (v == 0)
			break;
		CHECK(v == r, "CLONE_PARENT_SETTID stored %d, clone returned %ld", v, r);
		syscall(SYS_futex, &tid, FUTEX_WAIT, v, NULL, NULL, 0);
	}
	CHECK(child_ran == r, "the thread saw tid %d, clone returned %ld", child_ran, r);
}

/* Run case(arg) in a child; its exit status. */
static int in_child(void (*fn)(long), long arg)
{
	fflush(stdout);
	const pid_t pid = fork();
	CHECK_SYS(pid);
	if (pid == 0) {
		fn(arg);
		_exit(99);
	}
	int status;
	CHECK_SYS(waitpid(pid, &status, 0));
	CHECK(WIFEXITED(status), "child status 0x%x: not an exit", status);
	return WEXITSTATUS(status);
}

static void thread_exits_process(long arg)
{
	(void)arg;
	pthread_t t;
	pthread_mutex_lock(&never);
	for (int i = 0; i < 3; i++)
		pthread_create(&t, NULL, spin, NULL);
	pthread_create(&t, NULL, block, NULL);
	pthread_create(&t, NULL, exit_42, NULL);
	pthread_join(t, NULL); /* never returns: exit_42 ends everything */
	_exit(1);
}

static void main_leaves_first(long code)
{
	pthread_t t;
	pthread_create(&t, NULL, outlive_main, (void *)code);
	pthread_exit(NULL);
}

int main(void)
{
	CHECK(in_child(thread_exits_process, 0) == 42, "exit(42) in a thread");
	CHECK(in_child(main_leaves_first, 0) == 0, "the last thread returned");
	CHECK(in_child(main_leaves_first, 7) == 7, "the last thread called exit(7)");

	/* Many short threads: joins see every value, places are reused. */
	for (long round = 0; round < 200; round++) {
		pthread_t t[4];
		for (long i = 0; i < 4; i++)
			CHECK(pthread_create(&t[i], NULL, value, (void *)(round * 4 + i)) == 0,
			      "create in round %ld", round);
		for (long i = 0; i < 4; i++) {
			void *r;
			CHECK(pthread_join(t[i], &r) == 0, "join");
			CHECK((intptr_t)r == (round * 4 + i) * 3, "round %ld thread %ld: %ld",
			      round, i, (long)(intptr_t)r);
		}
	}

	/* The clone and clone3 system calls themselves. */
	raw_thread_case(0);
	raw_thread_case(1);
	PASS();
	return 0;
}
