/* Signals across execve (the program runs itself again): a handled signal
 * is back to its default, an ignored one stays ignored, and the mask and
 * a signal pending under it are kept, as under Linux. */
#define TEST_NAME "signals_exec"
#include "check.h"

#include <signal.h>
#include <unistd.h>

static void on_usr2(int sig)
{
	(void)sig;
}

static void after_exec(void)
{
	struct sigaction sa;
	CHECK_SYS(sigaction(SIGUSR1, NULL, &sa));
	CHECK(sa.sa_handler == SIG_IGN, "SIGUSR1 is no longer ignored after execve");
	CHECK_SYS(sigaction(SIGUSR2, NULL, &sa));
	CHECK(sa.sa_handler == SIG_DFL, "SIGUSR2's handler survived execve");
	sigset_t mask, pending;
	CHECK_SYS(sigprocmask(SIG_SETMASK, NULL, &mask));
	CHECK(sigismember(&mask, SIGTERM) && !sigismember(&mask, SIGUSR2), "the mask after execve");
	CHECK_SYS(sigpending(&pending));
	CHECK(sigismember(&pending, SIGTERM), "the pending SIGTERM was lost in execve");
	/* Ignoring it discards it. */
	signal(SIGTERM, SIG_IGN);
	CHECK_SYS(sigpending(&pending));
	CHECK(!sigismember(&pending, SIGTERM), "SIGTERM still pending once ignored");
	PASS();
}

int main(int argc, char **argv)
{
	if (argc > 1) {
		after_exec();
		return 0;
	}
	signal(SIGUSR1, SIG_IGN);
	struct sigaction sa = {.sa_handler = on_usr2};
	sigemptyset(&sa.sa_mask);
	CHECK_SYS(sigaction(SIGUSR2, &sa, NULL));
	sigset_t term;
	sigemptyset(&term);
	sigaddset(&term, SIGTERM);
	CHECK_SYS(sigprocmask(SIG_BLOCK, &term, NULL));
	CHECK_SYS(raise(SIGTERM));
	fflush(NULL);
	execl(argv[0], argv[0], "after", (char *)NULL);
	FAIL("execl %s: %s", argv[0], strerror(errno));
}
