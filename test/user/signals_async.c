/* Asynchronous signals: SIGALRM from setitimer ends a busy loop that only
 * reads a flag (the emulator must stop translated code to deliver it);
 * SA_RESTART restarts a read() that SIGALRM interrupts, and without it the
 * read fails with EINTR; SIGCHLD with the child's pid and status;
 * rt_sigsuspend waits with a mask of its own and puts the old one back;
 * sigtimedwait takes a blocked signal; ppoll, pselect and epoll_pwait
 * wait with a mask; SA_NODEFER lets a handler be interrupted by its own
 * signal; a signal blocked while its handler runs (sa_mask) waits for the
 * handler's return. */
#define TEST_NAME "signals_async"
#include "check.h"

#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <sys/epoll.h>
#include <sys/select.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

struct seen {
	volatile int alarms, usr1, usr2, depth, max_depth, chld_code, chld_status;
	volatile pid_t chld_pid;
	volatile int usr2_during_usr1;
};
static struct seen *seen_ptr;

static void on_alarm(int sig)
{
	(void)sig;
	seen_ptr->alarms++;
}

static void on_usr1(int sig)
{
	(void)sig;
	seen_ptr->usr1++;
}

/* Raises itself once more from inside: nested only with SA_NODEFER. */
static void on_usr1_nested(int sig)
{
	seen_ptr->depth++;
	if (seen_ptr->depth > seen_ptr->max_depth)
		seen_ptr->max_depth = seen_ptr->depth;
	if (++seen_ptr->usr1 == 1)
		raise(sig);
	seen_ptr->depth--;
}

/* Raises SIGUSR2, which its sa_mask blocks: that one runs after. */
static void on_usr1_masking(int sig)
{
	(void)sig;
	raise(SIGUSR2);
	seen_ptr->usr2_during_usr1 = seen_ptr->usr2;
	seen_ptr->usr1++;
}

static void on_usr2(int sig)
{
	(void)sig;
	seen_ptr->usr2++;
}

static void on_chld(int sig, siginfo_t *si, void *uc)
{
	(void)sig, (void)uc;
	seen_ptr->chld_pid = si->si_pid;
	seen_ptr->chld_code = si->si_code;
	seen_ptr->chld_status = si->si_status;
}

static void handle(int sig, void (*fn)(int), int flags, int blocked)
{
	struct sigaction sa = {.sa_handler = fn, .sa_flags = flags};
	sigemptyset(&sa.sa_mask);
	if (blocked)
		sigaddset(&sa.sa_mask, blocked);
	CHECK_SYS(sigaction(sig, &sa, NULL));
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void arm(long usec)
{
	struct itimerval it = {.it_value = {usec / 1000000, usec % 1000000}};
	CHECK_SYS(setitimer(ITIMER_REAL, &it, NULL));
}

/* A child that writes one byte to fd after `ms` milliseconds. */
static pid_t late_writer(int fd, int ms)
{
	fflush(NULL);
	pid_t pid = fork();
	CHECK_SYS(pid);
	if (pid == 0) {
		usleep((useconds_t)ms * 1000);
		_exit(write(fd, "x", 1) == 1 ? 0 : 1);
	}
	return pid;
}

/* A child that sends sig to its parent after `ms` milliseconds. */
static pid_t late_signal(int sig, int ms)
{
	fflush(NULL);
	pid_t pid = fork();
	CHECK_SYS(pid);
	if (pid == 0) {
		usleep((useconds_t)ms * 1000);
		_exit(kill(getppid(), sig) == 0 ? 0 : 1);
	}
	return pid;
}

static void reap(pid_t pid)
{
	int status;
	CHECK_SYS(waitpid(pid, &status, 0));
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0, "child status %#x", status);
}

int main(void)
{
	static struct seen seen;
	seen_ptr = &seen;

	/* 1. A busy loop in translated code, ended by SIGALRM alone. */
	handle(SIGALRM, on_alarm, 0, 0);
	const double start = now();
	arm(50000);
	unsigned long spins = 0;
	while (!seen.alarms)
		spins++;
	const double took = now() - start;
	CHECK(seen.alarms == 1, "%d SIGALRMs", seen.alarms);
	CHECK(took < 5.0, "SIGALRM after 50 ms arrived after %.3f s", took);

	/* 2. read() on a pipe interrupted by SIGALRM: restarted with
	 *    SA_RESTART (it then reads the byte written later), EINTR
	 *    without. */
	int p[2];
	CHECK_SYS(pipe(p));
	seen.alarms = 0;
	handle(SIGALRM, on_alarm, SA_RESTART, 0);
	pid_t w = late_writer(p[1], 300);
	arm(50000);
	char c = 0;
	ssize_t n = read(p[0], &c, 1);
	CHECK(n == 1 && c == 'x', "read with SA_RESTART: %zd (%s)", n,
	      n < 0 ? strerror(errno) : "");
	CHECK(seen.alarms == 1, "SIGALRM during the read: %d", seen.alarms);
	reap(w);
	seen.alarms = 0;
	handle(SIGALRM, on_alarm, 0, 0);
	w = late_writer(p[1], 300);
	arm(50000);
	n = read(p[0], &c, 1);
	CHECK(n == -1 && errno == EINTR, "read without SA_RESTART: %zd, errno %d", n, errno);
	CHECK(seen.alarms == 1, "SIGALRM during the read: %d", seen.alarms);
	reap(w);
	CHECK(read(p[0], &c, 1) == 1, "the late byte");

	/* 3. SIGCHLD with the child's pid, CLD_EXITED and its status. */
	struct sigaction sa = {.sa_sigaction = on_chld, .sa_flags = SA_SIGINFO | SA_RESTART};
	sigemptyset(&sa.sa_mask);
	CHECK_SYS(sigaction(SIGCHLD, &sa, NULL));
	fflush(NULL);
	pid_t child = fork();
	CHECK_SYS(child);
	if (child == 0)
		_exit(7);
	int status;
	CHECK_SYS(waitpid(child, &status, 0));
	for (int i = 0; i < 200 && !seen.chld_pid; i++)
		usleep(10000);
	CHECK(seen.chld_pid == child && seen.chld_code == CLD_EXITED && seen.chld_status == 7,
	      "SIGCHLD: pid %d (want %d) code %d status %d", seen.chld_pid, child, seen.chld_code,
	      seen.chld_status);
	signal(SIGCHLD, SIG_DFL);

	/* 4. rt_sigsuspend: SIGUSR1 blocked, then waited for with it open. */
	handle(SIGUSR1, on_usr1, 0, 0);
	sigset_t usr1, old, during, after;
	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);
	CHECK_SYS(sigprocmask(SIG_BLOCK, &usr1, &old));
	w = late_signal(SIGUSR1, 100);
	sigemptyset(&during);
	CHECK(sigsuspend(&during) == -1 && errno == EINTR, "sigsuspend");
	CHECK(seen.usr1 == 1, "SIGUSR1 handler ran %d times in sigsuspend", seen.usr1);
	CHECK_SYS(sigprocmask(SIG_SETMASK, NULL, &after));
	CHECK(sigismember(&after, SIGUSR1), "the mask after sigsuspend lost SIGUSR1");
	reap(w);

	/* 5. sigtimedwait takes a blocked pending signal (no handler runs),
	 *    and times out with EAGAIN when none comes. */
	CHECK_SYS(raise(SIGUSR1));
	siginfo_t si;
	struct timespec wait = {1, 0};
	CHECK(sigtimedwait(&usr1, &si, &wait) == SIGUSR1, "sigtimedwait");
	/* (Which si_code a queued tgkill gets varies between host kernels.) */
	CHECK(si.si_signo == SIGUSR1 && si.si_pid == getpid() &&
		  (si.si_code == SI_TKILL || si.si_code == SI_USER),
	      "siginfo %d code %d pid %d", si.si_signo, si.si_code, si.si_pid);
	CHECK(seen.usr1 == 1, "the handler ran for a signal sigtimedwait took");
	struct timespec brief = {0, 20000000};
	CHECK(sigtimedwait(&usr1, &si, &brief) == -1 && errno == EAGAIN, "sigtimedwait timeout");

	/* 6. ppoll with a mask that opens SIGUSR1 for the wait. */
	w = late_signal(SIGUSR1, 100);
	struct timespec two = {5, 0};
	CHECK(ppoll(NULL, 0, &two, &during) == -1 && errno == EINTR, "ppoll with a mask");
	CHECK(seen.usr1 == 2, "SIGUSR1 handler ran %d times in all", seen.usr1);
	CHECK_SYS(sigprocmask(SIG_SETMASK, NULL, &after));
	CHECK(sigismember(&after, SIGUSR1), "the mask after ppoll lost SIGUSR1");
	reap(w);
	/* pselect and epoll_pwait the same. */
	w = late_signal(SIGUSR1, 100);
	CHECK(pselect(0, NULL, NULL, NULL, &two, &during) == -1 && errno == EINTR,
	      "pselect with a mask");
	CHECK(seen.usr1 == 3, "SIGUSR1 handler ran %d times in all", seen.usr1);
	reap(w);
	int ep = epoll_create1(0);
	CHECK_SYS(ep);
	struct epoll_event ev;
	w = late_signal(SIGUSR1, 100);
	CHECK(epoll_pwait(ep, &ev, 1, 5000, &during) == -1 && errno == EINTR,
	      "epoll_pwait with a mask");
	CHECK(seen.usr1 == 4, "SIGUSR1 handler ran %d times in all", seen.usr1);
	CHECK_SYS(sigprocmask(SIG_SETMASK, NULL, &after));
	CHECK(sigismember(&after, SIGUSR1), "the mask after epoll_pwait lost SIGUSR1");
	reap(w);
	CHECK_SYS(close(ep));
	CHECK_SYS(sigprocmask(SIG_SETMASK, &old, NULL));

	/* 7. SA_NODEFER: the handler's own signal nests; without it, the
	 *    second runs after the first returns. */
	seen.usr1 = seen.depth = seen.max_depth = 0;
	handle(SIGUSR1, on_usr1_nested, SA_NODEFER, 0);
	CHECK_SYS(raise(SIGUSR1));
	CHECK(seen.usr1 == 2 && seen.max_depth == 2, "SA_NODEFER: %d runs, depth %d", seen.usr1,
	      seen.max_depth);
	seen.usr1 = seen.depth = seen.max_depth = 0;
	handle(SIGUSR1, on_usr1_nested, 0, 0);
	CHECK_SYS(raise(SIGUSR1));
	CHECK(seen.usr1 == 2 && seen.max_depth == 1, "deferred: %d runs, depth %d", seen.usr1,
	      seen.max_depth);

	/* 8. sa_mask: SIGUSR2 raised in the SIGUSR1 handler waits for it. */
	seen.usr1 = seen.usr2 = 0;
	handle(SIGUSR2, on_usr2, 0, 0);
	handle(SIGUSR1, on_usr1_masking, 0, SIGUSR2);
	CHECK_SYS(raise(SIGUSR1));
	CHECK(seen.usr1 == 1 && seen.usr2 == 1 && seen.usr2_during_usr1 == 0,
	      "sa_mask: usr1 %d usr2 %d (%d during the handler)", seen.usr1, seen.usr2,
	      seen.usr2_during_usr1);
	PASS();
	return 0;
}
