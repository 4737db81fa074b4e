/* The program fork_exec_wait.c runs with execve: it checks the arguments
 * and environment it was given and answers with an exit status and a line
 * on the pipe named by FD in its environment (not a test of its own). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv, char **envp)
{
	/* Expected: argv = {path, "one", "two words", ""} and
	 * envp = {"USER_TEST_VAR=forty two", "USER_TEST_FD=N"} (nothing else). */
	if (argc != 4 || strcmp(argv[1], "one") || strcmp(argv[2], "two words") || argv[3][0])
		return 10;
	int nenv = 0;
	for (char **e = envp; *e; e++)
		nenv++;
	if (nenv != 2)
		return 11;
	const char *v = getenv("USER_TEST_VAR");
	if (!v || strcmp(v, "forty two"))
		return 12;
	const char *fd = getenv("USER_TEST_FD");
	if (!fd)
		return 13;
	char line[64];
	int n = snprintf(line, sizeof line, "exec_target pid %d argc %d\n", (int)getpid(), argc);
	if (write(atoi(fd), line, n) != n)
		return 14;
	return 42;
}
