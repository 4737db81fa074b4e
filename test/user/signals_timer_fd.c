/* Signals from POSIX timers and through a signalfd: timer_create with
 * SIGEV_SIGNAL delivers its signal with SI_TIMER and the timer's value;
 * a periodic timer blocked for 100 ms counts overruns; a blocked signal is read from a
 * signalfd (struct signalfd_siginfo) and never reaches a handler. */
#define TEST_NAME "signals_timer_fd"
#include "check.h"

#include <signal.h>
#include <stdint.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

static volatile int timer_hits, timer_code, timer_value, timer_overrun, usr1_handled;

static void on_timer(int sig, siginfo_t *si, void *uc)
{
	(void)sig, (void)uc;
	timer_hits++;
	timer_code = si->si_code;
	timer_value = si->si_value.sival_int;
	if (timer_hits == 1)
		timer_overrun = si->si_overrun;
}

static void on_usr1(int sig)
{
	(void)sig;
	usr1_handled++;
}

int main(void)
{
	/* 1. A one-shot timer's signal, with its value. */
	struct sigaction sa = {.sa_sigaction = on_timer, .sa_flags = SA_SIGINFO};
	sigemptyset(&sa.sa_mask);
	CHECK_SYS(sigaction(SIGUSR2, &sa, NULL));
	struct sigevent ev = {.sigev_notify = SIGEV_SIGNAL, .sigev_signo = SIGUSR2};
	ev.sigev_value.sival_int = 77;
	timer_t timer;
	CHECK_SYS(timer_create(CLOCK_MONOTONIC, &ev, &timer));
	struct itimerspec its = {.it_value = {0, 20000000}};
	CHECK_SYS(timer_settime(timer, 0, &its, NULL));
	struct itimerspec left;
	CHECK_SYS(timer_gettime(timer, &left));
	CHECK(left.it_value.tv_sec == 0 && left.it_value.tv_nsec > 0, "timer_gettime: %ld.%09ld",
	      (long)left.it_value.tv_sec, left.it_value.tv_nsec);
	for (int i = 0; i < 500 && !timer_hits; i++)
		usleep(10000);
	CHECK(timer_hits == 1, "timer signal arrived %d times", timer_hits);
	CHECK(timer_code == SI_TIMER && timer_value == 77, "si_code %d (want %d) value %d",
	      timer_code, SI_TIMER, timer_value);

	/* 2. Periodic and blocked: one pending signal, the rest overruns. */
	sigset_t usr2;
	sigemptyset(&usr2);
	sigaddset(&usr2, SIGUSR2);
	CHECK_SYS(sigprocmask(SIG_BLOCK, &usr2, NULL));
	its = (struct itimerspec){.it_value = {0, 1000000}, .it_interval = {0, 1000000}};
	CHECK_SYS(timer_settime(timer, 0, &its, NULL));
	usleep(100000);
	timer_hits = 0;
	CHECK_SYS(sigprocmask(SIG_UNBLOCK, &usr2, NULL));
	/* (A timer's pending signal is dropped once it is disarmed.) */
	its = (struct itimerspec){{0, 0}, {0, 0}};
	CHECK_SYS(timer_settime(timer, 0, &its, NULL));
	CHECK(timer_hits >= 1, "periodic timer while blocked: %d deliveries", timer_hits);
	CHECK(timer_overrun >= 10, "the first signal after 100 ms blocked: overrun %d, want >= 10",
	      timer_overrun);
	CHECK_SYS(timer_delete(timer));

	/* 3. signalfd. */
	signal(SIGUSR1, on_usr1);
	sigset_t usr1;
	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);
	CHECK_SYS(sigprocmask(SIG_BLOCK, &usr1, NULL));
	int fd = signalfd(-1, &usr1, SFD_CLOEXEC);
	CHECK_SYS(fd);
	CHECK_SYS(kill(getpid(), SIGUSR1));
	struct signalfd_siginfo ssi;
	CHECK(read(fd, &ssi, sizeof(ssi)) == (ssize_t)sizeof(ssi), "read from the signalfd");
	CHECK(ssi.ssi_signo == SIGUSR1 && ssi.ssi_code == SI_USER &&
		  ssi.ssi_pid == (uint32_t)getpid(),
	      "signalfd: signo %u code %d pid %u", ssi.ssi_signo, ssi.ssi_code, ssi.ssi_pid);
	CHECK_SYS(sigprocmask(SIG_UNBLOCK, &usr1, NULL));
	CHECK(usr1_handled == 0, "the handler ran for a signal read from the signalfd");
	CHECK_SYS(close(fd));
	PASS();
	return 0;
}
