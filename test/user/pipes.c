/* Pipes: pipe2 with O_CLOEXEC and O_NONBLOCK, dup2 of a pipe end onto
 * another descriptor, poll on a pipe (not ready, ready for reading, POLLHUP
 * at the writer's close), EAGAIN from an empty non-blocking pipe, and data
 * larger than the pipe buffer through a forked writer. */
#define TEST_NAME "pipes"
#include "check.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

int main(void)
{
	int p[2];
	char buf[4096];

	CHECK_SYS(pipe2(p, O_CLOEXEC));
	CHECK(fcntl(p[0], F_GETFD) == FD_CLOEXEC && fcntl(p[1], F_GETFD) == FD_CLOEXEC,
	      "pipe2 O_CLOEXEC not set");

	/* poll: nothing to read yet (0 ms timeout), the write end is writable. */
	struct pollfd pf[2] = {{.fd = p[0], .events = POLLIN}, {.fd = p[1], .events = POLLOUT}};
	CHECK(poll(pf, 2, 0) == 1, "poll on an empty pipe");
	CHECK(pf[0].revents == 0 && pf[1].revents == POLLOUT, "revents %x %x", pf[0].revents,
	      pf[1].revents);
	CHECK(write(p[1], "ping", 4) == 4, "write ping");
	pf[0].revents = 0;
	CHECK(poll(pf, 1, 1000) == 1 && (pf[0].revents & POLLIN), "poll did not see data");
	CHECK(read(p[0], buf, sizeof buf) == 4 && !memcmp(buf, "ping", 4), "read ping");

	/* dup2 onto a chosen descriptor: both refer to the same pipe; the
	 * duplicate does not inherit FD_CLOEXEC. */
	CHECK(dup2(p[1], 20) == 20, "dup2");
	CHECK(fcntl(20, F_GETFD) == 0, "dup2 kept FD_CLOEXEC");
	CHECK(write(20, "dup", 3) == 3, "write through the duplicate");
	CHECK(read(p[0], buf, sizeof buf) == 3 && !memcmp(buf, "dup", 3), "read dup");
	CHECK(dup3(p[1], 21, O_CLOEXEC) == 21 && fcntl(21, F_GETFD) == FD_CLOEXEC, "dup3");
	CHECK_SYS(close(21));

	/* With every write end closed, poll says POLLHUP and read gives 0. */
	CHECK_SYS(close(20));
	CHECK_SYS(close(p[1]));
	pf[0].revents = 0;
	CHECK(poll(pf, 1, 1000) == 1 && (pf[0].revents & POLLHUP), "no POLLHUP: %x", pf[0].revents);
	CHECK(read(p[0], buf, sizeof buf) == 0, "read after the writers closed");
	CHECK_SYS(close(p[0]));

	/* Non-blocking: EAGAIN when empty. */
	CHECK_SYS(pipe2(p, O_NONBLOCK));
	CHECK(fcntl(p[0], F_GETFL) & O_NONBLOCK, "O_NONBLOCK not set");
	CHECK(read(p[0], buf, 1) == -1 && errno == EAGAIN, "read of an empty non-blocking pipe");
	/* Fill it: the write end stops with EAGAIN after the pipe's capacity. */
	memset(buf, 'x', sizeof buf);
	size_t filled = 0;
	ssize_t n;
	while ((n = write(p[1], buf, sizeof buf)) > 0)
		filled += n;
	CHECK(n == -1 && errno == EAGAIN, "a full non-blocking pipe");
	CHECK(filled >= 4096, "pipe held only %zu bytes", filled);
	CHECK_SYS(close(p[0]));
	CHECK_SYS(close(p[1]));

	/* 1 MiB through a pipe from a child, with poll waiting for it. */
	CHECK_SYS(pipe(p));
	pid_t pid = fork();
	CHECK_SYS(pid);
	if (pid == 0) {
		close(p[0]);
		for (int i = 0; i < 256; i++) {
			memset(buf, 'a' + i % 26, sizeof buf);
			size_t off = 0;
			while (off < sizeof buf) {
				ssize_t w = write(p[1], buf + off, sizeof buf - off);
				if (w <= 0)
					_exit(3);
				off += w;
			}
		}
		_exit(0);
	}
	CHECK_SYS(close(p[1]));
	size_t total = 0;
	for (;;) {
		struct pollfd rp = {.fd = p[0], .events = POLLIN};
		CHECK(poll(&rp, 1, 10000) == 1, "poll timed out after %zu bytes", total);
		n = read(p[0], buf, sizeof buf);
		CHECK_SYS(n);
		if (n == 0)
			break;
		for (ssize_t i = 0; i < n; i++)
			CHECK(buf[i] == 'a' + (int)((total + i) / 4096) % 26, "byte %zu is %c",
			      total + i, buf[i]);
		total += n;
	}
	CHECK(total == 256 * 4096, "got %zu bytes", total);
	int status;
	CHECK(waitpid(pid, &status, 0) == pid, "waitpid");
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0, "writer status %x", status);
	CHECK_SYS(close(p[0]));
	PASS();
	return 0;
}
