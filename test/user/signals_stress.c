/* Many asynchronous signals landing anywhere in running code: a periodic
 * SIGALRM (every 200 us) whose handler clobbers every FP register, fcsr
 * and the integer temporaries, while the program computes a checksum with
 * integer and floating-point arithmetic. The checksum must be the one the
 * same computation gives with no signals, and the signals must have come
 * (hundreds of them, each interrupting the loop wherever it was). */
#define TEST_NAME "signals_stress"
#include "check.h"

#include <signal.h>
#include <stdint.h>
#include <sys/time.h>
#include <time.h>

static volatile unsigned long alarms;

static void on_alarm(int sig)
{
	(void)sig;
	alarms++;
#define Z(n) "fmv.d.x f" #n ", %0\n\t"
	__asm__ volatile(
	    Z(0) Z(1) Z(2) Z(3) Z(4) Z(5) Z(6) Z(7) Z(8) Z(9) Z(10) Z(11) Z(12) Z(13) Z(14) Z(15)
		Z(16) Z(17) Z(18) Z(19) Z(20) Z(21) Z(22) Z(23) Z(24) Z(25) Z(26) Z(27) Z(28) Z(29)
		    Z(30) Z(31) "fsrmi 1\n\t"
				"csrwi fflags, 0x1f\n\t"
				"li t0, -1\n\tli t1, -1\n\tli t2, -1\n\tli t3, -1\n\tli t4, -1\n\t"
				"li t5, -1\n\tli t6, -1" ::"r"(0x7ff8dead0000beefULL)
	    : "memory", "t0", "t1", "t2", "t3", "t4", "t5", "t6");
#undef Z
}

/* Deterministic work: an LCG, a few doubles, and their bits folded in. */
static uint64_t work(unsigned rounds)
{
	uint64_t x = 88172645463325252ULL, sum = 0;
	double a = 1.0, b = 0.5, c = 0.0;
	for (unsigned i = 0; i < rounds; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		a = a * 1.0000001 + (double)(x & 0xff) * 1e-9;
		b = b / 1.0000003 + a * 1e-7;
		c += a * b - (double)(i & 7);
		uint64_t bits;
		__builtin_memcpy(&bits, &c, 8);
		sum = sum * 31 + (x ^ bits);
	}
	return sum;
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

int main(void)
{
	/* Rounds for about 0.3 s here, at least 2 million. */
	unsigned rounds = 2000000;
	const double t0 = now();
	const uint64_t quiet = work(rounds);
	const double took = now() - t0;
	if (took < 0.3)
		rounds = (unsigned)((double)rounds * 0.3 / (took > 0.001 ? took : 0.001));
	const uint64_t want = rounds == 2000000 ? quiet : work(rounds);

	struct sigaction sa = {.sa_handler = on_alarm, .sa_flags = SA_RESTART};
	sigemptyset(&sa.sa_mask);
	CHECK_SYS(sigaction(SIGALRM, &sa, NULL));
	struct itimerval it = {.it_interval = {0, 200}, .it_value = {0, 200}};
	CHECK_SYS(setitimer(ITIMER_REAL, &it, NULL));
	const uint64_t got = work(rounds);
	struct itimerval off = {{0, 0}, {0, 0}};
	CHECK_SYS(setitimer(ITIMER_REAL, &off, NULL));
	CHECK(got == want, "checksum %#llx with signals, %#llx without (%lu signals)",
	      (unsigned long long)got, (unsigned long long)want, alarms);
	CHECK(alarms >= 50, "only %lu SIGALRMs arrived during the work", alarms);
	PASS();
	return 0;
}
