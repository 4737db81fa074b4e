/* A signal that comes while a blocking read is on its way into the
 * kernel must still end the read's sleep. Each round arms a one-shot
 * SIGALRM a few microseconds ahead and reads an empty pipe; the handler
 * writes the byte the read waits for, so the read returns at once however
 * the signal falls: before the read (the byte is there), while it sleeps
 * (restarted by SA_RESTART, it finds the byte), or on its way in, where an
 * emulator that lets the read go to sleep first leaves it asleep. A
 * periodic POSIX timer (every 500 ms, the same handler) stands in as a
 * watchdog: such a round then lasts until its next tick instead of
 * hanging, and the test counts the rounds that took over 200 ms, which
 * must be none. (Without the care, about one round in 10000 sleeps so.) */
#define TEST_NAME "signals_race"
#include "check.h"

#include <signal.h>
#include <stdint.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

static int pipe_fds[2];
static volatile unsigned long handled;

static void on_signal(int sig)
{
	(void)sig;
	handled++;
	(void)write(pipe_fds[1], "x", 1);
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

int main(void)
{
	CHECK_SYS(pipe(pipe_fds));
	struct sigaction sa = {.sa_handler = on_signal, .sa_flags = SA_RESTART};
	sigemptyset(&sa.sa_mask);
	CHECK_SYS(sigaction(SIGALRM, &sa, NULL));
	CHECK_SYS(sigaction(SIGUSR2, &sa, NULL));
	struct sigevent ev = {.sigev_notify = SIGEV_SIGNAL, .sigev_signo = SIGUSR2};
	timer_t watchdog;
	CHECK_SYS(timer_create(CLOCK_MONOTONIC, &ev, &watchdog));
	struct itimerspec every = {.it_interval = {0, 500000000}, .it_value = {0, 500000000}};
	CHECK_SYS(timer_settime(watchdog, 0, &every, NULL));

	const int rounds = 20000;
	int slow = 0;
	uint32_t lcg = 12345;
	const double start = now();
	for (int i = 0; i < rounds; i++) {
		lcg = lcg * 1103515245u + 12345u;
		struct itimerval it = {.it_value = {0, 1 + (long)((lcg >> 16) % 12)}};
		const double t0 = now();
		CHECK_SYS(setitimer(ITIMER_REAL, &it, NULL));
		char c;
		CHECK(read(pipe_fds[0], &c, 1) == 1, "read: %s", strerror(errno));
		if (now() - t0 > 0.2)
			slow++;
		/* Drain what a second signal (the watchdog) may have written. */
		struct itimerval off = {{0, 0}, {0, 0}};
		CHECK_SYS(setitimer(ITIMER_REAL, &off, NULL));
	}
	const double took = now() - start;
	CHECK_SYS(timer_delete(watchdog));
	CHECK(slow == 0, "%d of %d reads slept through a signal that came as they started (%.2f s)",
	      slow, rounds, took);
	CHECK(handled >= (unsigned long)rounds, "%lu signals handled in %d rounds", handled,
	      rounds);
	PASS();
	return 0;
}
