/*
 * rusage_exec.c - run a command and report its peak RSS accurately.
 *
 *     rusage_exec OUTFILE COMMAND [ARGS...]
 *
 * Linux carries a process's RSS high-water mark across exec: a child forked
 * from the (large) Python runner would report at least the runner's size in
 * ru_maxrss. This small program forks and execs the command from its own
 * small address space, waits with wait4 and writes "maxrss_kib=N" to
 * OUTFILE. Its exit status is the command's (128 + signal if killed), and
 * it forwards SIGTERM/SIGINT/SIGKILL-less termination requests to the child.
 */
#define _DEFAULT_SOURCE
#include <signal.h>
#include <stdio.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile pid_t child;

static void forward(int sig)
{
	if (child > 0)
		kill(child, sig);
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: %s OUTFILE COMMAND [ARGS...]\n", argv[0]);
		return 125;
	}
	signal(SIGTERM, forward);
	signal(SIGINT, forward);
	child = fork();
	if (child < 0) {
		perror("fork");
		return 125;
	}
	if (child == 0) {
		signal(SIGTERM, SIG_DFL);
		signal(SIGINT, SIG_DFL);
		execvp(argv[2], argv + 2);
		perror(argv[2]);
		_exit(127);
	}
	int status;
	struct rusage ru;
	while (wait4(child, &status, 0, &ru) < 0)
		;
	FILE *f = fopen(argv[1], "w");
	if (f) {
		fprintf(f, "maxrss_kib=%ld\n", ru.ru_maxrss);
		fclose(f);
	}
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	return 128 + WTERMSIG(status);
}
