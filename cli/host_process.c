/*
 * -pidfile and -daemonize (see host_process.h), with QEMU's messages.
 */
#include "host_process.h"
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

int pidfile_create(const char *path, char *err, size_t errlen)
{
	const int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0) {
		snprintf(err, errlen, "cannot create PID file: Could not create '%s': %s", path,
			 strerror(errno));
		return -1;
	}
	if (lockf(fd, F_TLOCK, 0)) {
		snprintf(err, errlen, "cannot create PID file: Cannot lock pid file: %s",
			 strerror(errno));
		close(fd);
		return -1;
	}
	char pid[24];
	const int len = snprintf(pid, sizeof(pid), "%d\n", (int)getpid());
	if (ftruncate(fd, 0) || write(fd, pid, (size_t)len) != len) {
		snprintf(err, errlen, "cannot create PID file: Failed to write pid file: %s",
			 strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

void pidfile_remove(const char *path, int fd)
{
	if (fd < 0)
		return;
	unlink(path);
	close(fd);
}

int daemon_start(char *err, size_t errlen)
{
	int fds[2];
	if (pipe(fds)) {
		snprintf(err, errlen, "-daemonize: %s", strerror(errno));
		return -1;
	}
	const pid_t pid = fork();
	if (pid < 0) {
		snprintf(err, errlen, "-daemonize: %s", strerror(errno));
		return -1;
	}
	if (pid > 0) {
		/* The parent: the child's one byte says start-up worked. */
		close(fds[1]);
		char ok;
		ssize_t n;
		while ((n = read(fds[0], &ok, 1)) < 0 && errno == EINTR)
			;
		if (n != 1)
			waitpid(pid, NULL, WNOHANG);
		_exit(n == 1 ? 0 : 1);
	}
	close(fds[0]);
	setsid();
	return fds[1];
}

void daemon_ready(int fd)
{
	const char ok = 0;
	if (write(fd, &ok, 1) != 1) {
		/* the parent is gone: nobody to tell */
	}
	close(fd);
	const int null = open("/dev/null", O_RDWR);
	if (null >= 0) {
		dup2(null, STDIN_FILENO);
		dup2(null, STDOUT_FILENO);
		dup2(null, STDERR_FILENO);
		if (null > STDERR_FILENO)
			close(null);
	}
}
