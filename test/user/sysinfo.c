/* What a program asks of its system: clock_gettime (CLOCK_MONOTONIC moves
 * forward by at least 50 ms across nanosleep of 50 ms; CLOCK_REALTIME is a
 * recent date), getrandom fills its buffer with varying bytes, uname says
 * the machine is riscv64, readlink("/proc/self/exe") names this program by
 * its absolute path, and the auxiliary vector has the page size and
 * AT_RANDOM. */
#define TEST_NAME "sysinfo"
#include "check.h"

#include <limits.h>
#include <stdint.h>
#include <sys/auxv.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

static int64_t ns_of(const struct timespec *t)
{
	return (int64_t)t->tv_sec * 1000000000 + t->tv_nsec;
}

int main(int argc, char **argv)
{
	(void)argc;
	/* Clocks. */
	struct timespec t0, t1, rt, res;
	CHECK_SYS(clock_gettime(CLOCK_MONOTONIC, &t0));
	struct timespec nap = {0, 50 * 1000 * 1000};
	CHECK_SYS(nanosleep(&nap, NULL));
	CHECK_SYS(clock_gettime(CLOCK_MONOTONIC, &t1));
	int64_t slept = ns_of(&t1) - ns_of(&t0);
	CHECK(slept >= 50 * 1000 * 1000, "monotonic clock advanced %lld ns across a 50 ms sleep",
	      (long long)slept);
	CHECK(slept < 5LL * 1000 * 1000 * 1000, "a 50 ms sleep took %lld ns", (long long)slept);
	CHECK_SYS(clock_gettime(CLOCK_REALTIME, &rt));
	CHECK(rt.tv_sec > 1700000000, "CLOCK_REALTIME %lld is before 2023", (long long)rt.tv_sec);
	CHECK(llabs((long long)time(NULL) - rt.tv_sec) <= 2, "time() and CLOCK_REALTIME differ");
	CHECK_SYS(clock_getres(CLOCK_MONOTONIC, &res));
	CHECK(res.tv_sec == 0 && res.tv_nsec > 0 && res.tv_nsec <= 1000000, "resolution %ld ns",
	      res.tv_nsec);
	struct timespec cpu;
	CHECK_SYS(clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &cpu));
	CHECK(ns_of(&cpu) > 0, "no process CPU time");

	/* getrandom: full buffers, and two of them differ. */
	unsigned char r1[256], r2[256];
	CHECK(getrandom(r1, sizeof r1, 0) == sizeof r1, "getrandom");
	CHECK(getrandom(r2, sizeof r2, GRND_NONBLOCK) == sizeof r2, "getrandom GRND_NONBLOCK");
	CHECK(memcmp(r1, r2, sizeof r1) != 0, "two getrandom buffers are equal");
	int distinct = 0;
	unsigned char seen[256] = {0};
	for (size_t i = 0; i < sizeof r1; i++)
		if (!seen[r1[i]]++)
			distinct++;
	CHECK(distinct > 64, "only %d distinct values in 256 random bytes", distinct);

	/* uname. */
	struct utsname u;
	CHECK_SYS(uname(&u));
	CHECK(!strcmp(u.machine, "riscv64"), "uname machine is \"%s\"", u.machine);
	CHECK(!strcmp(u.sysname, "Linux"), "uname sysname is \"%s\"", u.sysname);
	int major = 0, minor = 0;
	CHECK(sscanf(u.release, "%d.%d", &major, &minor) == 2 && major >= 3, "release \"%s\"",
	      u.release);

	/* /proc/self/exe: this program, as an absolute path. */
	char exe[PATH_MAX], real[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	CHECK(n > 0, "readlink(/proc/self/exe): %s", strerror(errno));
	exe[n] = 0;
	CHECK(exe[0] == '/', "/proc/self/exe is not absolute: %s", exe);
	CHECK(realpath(argv[0], real) != NULL, "realpath(%s)", argv[0]);
	CHECK(!strcmp(exe, real), "/proc/self/exe is %s, this program is %s", exe, real);
	const char *base = strrchr(exe, '/') + 1;
	CHECK(!strcmp(base, "sysinfo"), "/proc/self/exe names %s", base);

	/* The auxiliary vector. */
	CHECK(getauxval(AT_PAGESZ) == 4096, "AT_PAGESZ %lu", getauxval(AT_PAGESZ));
	const unsigned char *ar = (const unsigned char *)getauxval(AT_RANDOM);
	CHECK(ar != NULL, "no AT_RANDOM");
	int nonzero = 0;
	for (int i = 0; i < 16; i++)
		nonzero += ar[i] != 0;
	CHECK(nonzero >= 8, "AT_RANDOM has %d nonzero bytes of 16", nonzero);
	CHECK(getauxval(AT_PHDR) != 0 && getauxval(AT_ENTRY) != 0, "AT_PHDR/AT_ENTRY");
	CHECK(getauxval(AT_BASE) != 0, "AT_BASE: no dynamic linker base (dynamic program)");
	const char *execfn = (const char *)getauxval(AT_EXECFN);
	CHECK(execfn && !strcmp(execfn, argv[0]), "AT_EXECFN \"%s\", argv[0] \"%s\"",
	      execfn ? execfn : "(none)", argv[0]);
	CHECK(getauxval(AT_UID) == getuid() && getauxval(AT_EUID) == geteuid(), "AT_UID");

	/* Process identity and limits. */
	CHECK(getpid() > 1 && getppid() > 0, "pid %d ppid %d", getpid(), getppid());
	struct rlimit rl;
	CHECK_SYS(getrlimit(RLIMIT_NOFILE, &rl));
	CHECK(rl.rlim_cur >= 64, "RLIMIT_NOFILE %lu", (unsigned long)rl.rlim_cur);
	CHECK_SYS(getrlimit(RLIMIT_STACK, &rl));
	CHECK(rl.rlim_cur >= 1 << 20, "RLIMIT_STACK %lu", (unsigned long)rl.rlim_cur);
	char host[HOST_NAME_MAX + 1];
	CHECK_SYS(gethostname(host, sizeof host));
	CHECK(!strcmp(host, u.nodename), "gethostname %s, uname nodename %s", host, u.nodename);
	PASS();
	return 0;
}
