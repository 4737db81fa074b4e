/* fork, execve, wait4: a forked child runs exec_target (argv[1], built
 * here too) with arguments and an environment of its own and exits 42; the
 * parent reads its line from a pipe and its status and rusage from wait4.
 * A child killed by SIGKILL and one by SIGTERM are seen with WIFSIGNALED;
 * execve of a missing file fails with ENOENT in the child; the fork's copy
 * of memory is private (a write in the child does not reach the parent). */
#define TEST_NAME "fork_exec_wait"
#include "check.h"

#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	CHECK(argc == 2, "usage: fork_exec_wait EXEC_TARGET");
	const char *target = argv[1];
	int p[2];
	char buf[128];
	int status;
	struct rusage ru;

	/* The copy of memory is private to the child. */
	volatile int shared = 1;
	pid_t pid = fork();
	CHECK_SYS(pid);
	if (pid == 0) {
		shared = 2;
		_exit(shared == 2 ? 7 : 8);
	}
	CHECK(wait4(pid, &status, 0, &ru) == pid, "wait4");
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 7, "child status %x", status);
	CHECK(shared == 1, "the child's write reached the parent");

	/* fork + execve with arguments and environment. */
	CHECK_SYS(pipe(p));
	pid = fork();
	CHECK_SYS(pid);
	if (pid == 0) {
		char fdvar[32];
		snprintf(fdvar, sizeof fdvar, "USER_TEST_FD=%d", p[1]);
		char *args[] = {(char *)target, "one", "two words", "", NULL};
		char *env[] = {"USER_TEST_VAR=forty two", fdvar, NULL};
		close(p[0]);
		execve(target, args, env);
		fprintf(stderr, "FAIL %s: execve %s: %s\n", TEST_NAME, target, strerror(errno));
		_exit(99);
	}
	CHECK_SYS(close(p[1]));
	ssize_t n = read(p[0], buf, sizeof buf - 1);
	CHECK(n > 0, "no line from exec_target (read gave %zd)", n);
	buf[n] = 0;
	int child_pid, child_argc;
	CHECK(sscanf(buf, "exec_target pid %d argc %d", &child_pid, &child_argc) == 2,
	      "line from exec_target: %s", buf);
	CHECK(child_pid == pid && child_argc == 4, "exec_target said pid %d argc %d (pid %d)",
	      child_pid, child_argc, (int)pid);
	CHECK_SYS(close(p[0]));
	memset(&ru, 0, sizeof ru);
	CHECK(wait4(pid, &status, 0, &ru) == pid, "wait4 for the exec'd child");
	CHECK(WIFEXITED(status), "exec'd child did not exit normally: status %x", status);
	CHECK(WEXITSTATUS(status) == 42,
	      "exec'd child exit %d (10-14: its checks failed, "
	      "99: execve failed)",
	      WEXITSTATUS(status));
	CHECK(ru.ru_utime.tv_sec >= 0 && ru.ru_utime.tv_usec < 1000000, "rusage");

	/* execve of a file that is not there: ENOENT, the child continues. */
	pid = fork();
	CHECK_SYS(pid);
	if (pid == 0) {
		char *args[] = {"nothing", NULL};
		execve("./no-such-program", args, args + 1);
		_exit(errno == ENOENT ? 5 : 6);
	}
	CHECK(waitpid(pid, &status, 0) == pid, "waitpid");
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 5, "execve ENOENT: status %x", status);

	/* A child killed by a signal: WIFSIGNALED with that signal. */
	int sigs[] = {SIGKILL, SIGTERM};
	for (int i = 0; i < 2; i++) {
		CHECK_SYS(pipe(p));
		pid = fork();
		CHECK_SYS(pid);
		if (pid == 0) {
			close(p[0]);
			(void)!write(p[1], "r", 1);
			for (;;)
				pause();
		}
		close(p[1]);
		CHECK(read(p[0], buf, 1) == 1, "child not ready");
		close(p[0]);
		CHECK_SYS(kill(pid, sigs[i]));
		CHECK(wait4(pid, &status, 0, NULL) == pid, "wait4 for the killed child");
		CHECK(WIFSIGNALED(status) && WTERMSIG(status) == sigs[i],
		      "child killed by %d: status %x", sigs[i], status);
	}

	/* A child that kills itself with SIGABRT (abort()). */
	pid = fork();
	CHECK_SYS(pid);
	if (pid == 0)
		abort();
	CHECK(waitpid(pid, &status, 0) == pid, "waitpid");
	CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT, "abort: status %x", status);

	/* WNOHANG with nothing finished yet; ECHILD with no children. */
	CHECK_SYS(pipe(p));
	pid = fork();
	CHECK_SYS(pid);
	if (pid == 0) {
		close(p[1]);
		(void)!read(p[0], buf, 1);
		_exit(0);
	}
	close(p[0]);
	CHECK(waitpid(pid, &status, WNOHANG) == 0, "WNOHANG returned a child still running");
	close(p[1]);
	CHECK(waitpid(pid, &status, 0) == pid && WIFEXITED(status), "the last child");
	CHECK(wait(&status) == -1 && errno == ECHILD, "wait with no children");
	PASS();
	return 0;
}
