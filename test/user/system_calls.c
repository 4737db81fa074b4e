/* The rest of the system calls glibc programs lean on: epoll, ppoll,
 * pselect6 and select on pipes; fcntl (status flags, F_DUPFD_CLOEXEC,
 * record locks seen from another process); ioctl (FIONREAD on a pipe,
 * ENOTTY for terminal calls on a pipe, window size and termios on a
 * pseudo-terminal); prlimit64; /proc/self/maps as the guest sees its own
 * mappings; -ENOSYS for a call that does not exist and for rseq (refused,
 * so glibc runs without it); -EFAULT, never a crash, for wild pointers. */
#define TEST_NAME "system_calls"
#include "check.h"

#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/select.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

/* glibc 2.35 and later: the size of the rseq area it registered, 0 when
 * the kernel (here: the emulator) refused it. */
extern const unsigned int __rseq_size __attribute__((weak));

static void check_polls(void)
{
	int p[2], q[2];
	CHECK_SYS(pipe(p));
	CHECK_SYS(pipe(q));

	/* epoll: two pipes registered, one readable. */
	int ep = epoll_create1(EPOLL_CLOEXEC);
	CHECK_SYS(ep);
	struct epoll_event ev = {.events = EPOLLIN, .data.u64 = 0x1111222233334444ULL};
	CHECK_SYS(epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev));
	ev.data.u64 = 7;
	CHECK_SYS(epoll_ctl(ep, EPOLL_CTL_ADD, q[0], &ev));
	struct epoll_event out[4];
	CHECK(epoll_wait(ep, out, 4, 0) == 0, "epoll_wait on empty pipes");
	CHECK(write(p[1], "a", 1) == 1, "write");
	int n = epoll_wait(ep, out, 4, 1000);
	CHECK(n == 1 && out[0].data.u64 == 0x1111222233334444ULL && (out[0].events & EPOLLIN),
	      "epoll_wait: %d events, data %#llx", n, (unsigned long long)out[0].data.u64);
	/* epoll_pwait with a signal mask, and EPOLL_CTL_DEL. */
	sigset_t mask;
	sigemptyset(&mask);
	CHECK(epoll_pwait(ep, out, 4, 0, &mask) == 1, "epoll_pwait");
	CHECK_SYS(epoll_ctl(ep, EPOLL_CTL_DEL, p[0], NULL));
	CHECK(epoll_wait(ep, out, 4, 0) == 0, "epoll_wait after EPOLL_CTL_DEL");
	CHECK(epoll_ctl(ep, EPOLL_CTL_DEL, p[0], NULL) == -1 && errno == ENOENT, "second DEL");
	CHECK_SYS(close(ep));

	/* ppoll and pselect (ppoll and pselect6 underneath) with timeouts. */
	struct pollfd pf[2] = {{.fd = p[0], .events = POLLIN}, {.fd = q[0], .events = POLLIN}};
	struct timespec ts = {0, 20 * 1000 * 1000};
	CHECK(ppoll(pf, 2, &ts, &mask) == 1 && (pf[0].revents & POLLIN) && !pf[1].revents,
	      "ppoll: revents %x %x", pf[0].revents, pf[1].revents);
	fd_set rd;
	FD_ZERO(&rd);
	FD_SET(p[0], &rd);
	FD_SET(q[0], &rd);
	ts.tv_nsec = 20 * 1000 * 1000;
	CHECK(pselect(q[0] + 1, &rd, NULL, NULL, &ts, &mask) == 1 && FD_ISSET(p[0], &rd) &&
		  !FD_ISSET(q[0], &rd),
	      "pselect");
	/* select times out on nothing readable, and updates the timeval. */
	char c;
	CHECK(read(p[0], &c, 1) == 1 && c == 'a', "read");
	FD_ZERO(&rd);
	FD_SET(p[0], &rd);
	struct timeval tv = {0, 30000};
	CHECK(select(p[0] + 1, &rd, NULL, NULL, &tv) == 0 && !FD_ISSET(p[0], &rd),
	      "select on an empty pipe");
	for (int i = 0; i < 4; i++)
		CHECK_SYS(close(i < 2 ? p[i] : q[i - 2]));
}

static void check_fcntl_and_ioctl(void)
{
	int p[2];
	CHECK_SYS(pipe(p));
	int fl = fcntl(p[0], F_GETFL);
	CHECK_SYS(fl);
	CHECK((fl & O_ACCMODE) == O_RDONLY && !(fl & O_NONBLOCK), "F_GETFL %#x", fl);
	CHECK_SYS(fcntl(p[0], F_SETFL, fl | O_NONBLOCK));
	CHECK(fcntl(p[0], F_GETFL) & O_NONBLOCK, "F_SETFL O_NONBLOCK did not stick");
	int d = fcntl(p[0], F_DUPFD_CLOEXEC, 50);
	CHECK(d >= 50 && fcntl(d, F_GETFD) == FD_CLOEXEC, "F_DUPFD_CLOEXEC gave %d", d);
	CHECK_SYS(close(d));

	/* FIONREAD counts the bytes waiting; terminal ioctls are ENOTTY. */
	CHECK(write(p[1], "12345", 5) == 5, "write");
	int avail = -1;
	CHECK_SYS(ioctl(p[0], FIONREAD, &avail));
	CHECK(avail == 5, "FIONREAD %d", avail);
	struct termios tio;
	CHECK(tcgetattr(p[0], &tio) == -1 && errno == ENOTTY, "tcgetattr on a pipe");
	CHECK(!isatty(p[1]) && errno == ENOTTY, "isatty on a pipe");
	CHECK_SYS(close(p[0]));
	CHECK_SYS(close(p[1]));

	/* A pseudo-terminal: termios and window size round trips. */
	int m = posix_openpt(O_RDWR | O_NOCTTY);
	if (m >= 0) {
		CHECK_SYS(grantpt(m));
		CHECK_SYS(unlockpt(m));
		char *name = ptsname(m);
		CHECK(name != NULL, "ptsname");
		int s = open(name, O_RDWR | O_NOCTTY);
		CHECK_SYS(s);
		CHECK(isatty(s), "the pty's other end is not a tty");
		struct winsize ws = {.ws_row = 33, .ws_col = 101};
		CHECK_SYS(ioctl(m, TIOCSWINSZ, &ws));
		memset(&ws, 0, sizeof ws);
		CHECK_SYS(ioctl(s, TIOCGWINSZ, &ws));
		CHECK(ws.ws_row == 33 && ws.ws_col == 101, "TIOCGWINSZ %ux%u", ws.ws_row,
		      ws.ws_col);
		CHECK_SYS(tcgetattr(s, &tio));
		tio.c_lflag &= ~(ICANON | ECHO);
		tio.c_cc[VMIN] = 1;
		CHECK_SYS(tcsetattr(s, TCSANOW, &tio));
		struct termios back;
		CHECK_SYS(tcgetattr(s, &back));
		CHECK(!(back.c_lflag & (ICANON | ECHO)) && back.c_cc[VMIN] == 1,
		      "tcsetattr did not stick: lflag %#x", back.c_lflag);
		CHECK(write(m, "k", 1) == 1, "write to the pty master");
		char c = 0;
		CHECK(read(s, &c, 1) == 1 && c == 'k', "raw read from the pty");
		CHECK_SYS(close(s));
		CHECK_SYS(close(m));
	} else {
		/* No /dev/ptmx (a minimal container): the terminal checks need it. */
		FAIL("posix_openpt: %s", strerror(errno));
	}

	/* Record locks: a child sees the parent's lock and its pid. */
	int fd = open("locked", O_RDWR | O_CREAT, 0600);
	CHECK_SYS(fd);
	CHECK_SYS(ftruncate(fd, 100));
	struct flock lk = {.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 10, .l_len = 20};
	CHECK_SYS(fcntl(fd, F_SETLK, &lk));
	pid_t pid = fork();
	CHECK_SYS(pid);
	if (pid == 0) {
		struct flock q = {
		    .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 15};
		if (fcntl(fd, F_GETLK, &q) != 0 || q.l_type != F_WRLCK || q.l_pid != getppid() ||
		    q.l_start != 10 || q.l_len != 20)
			_exit(2);
		struct flock w = {
		    .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 12, .l_len = 1};
		if (fcntl(fd, F_SETLK, &w) != -1 || (errno != EAGAIN && errno != EACCES))
			_exit(3);
		w.l_start = 50; /* outside the parent's range: granted */
		_exit(fcntl(fd, F_SETLK, &w) == 0 ? 0 : 4);
	}
	int status;
	CHECK(waitpid(pid, &status, 0) == pid, "waitpid");
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	      "the child's view of the lock: status %#x (2: F_GETLK, 3: conflict, 4: grant)",
	      status);
	CHECK_SYS(close(fd));
	CHECK_SYS(unlink("locked"));
}

static void check_limits_and_refusals(void)
{
	struct rlimit old, now;
	CHECK_SYS(prlimit(0, RLIMIT_NOFILE, NULL, &old));
	struct rlimit lower = {.rlim_cur = 100, .rlim_max = old.rlim_max};
	CHECK_SYS(prlimit(0, RLIMIT_NOFILE, &lower, NULL));
	CHECK_SYS(getrlimit(RLIMIT_NOFILE, &now));
	CHECK(now.rlim_cur == 100 && now.rlim_max == old.rlim_max, "RLIMIT_NOFILE now %lu/%lu",
	      (unsigned long)now.rlim_cur, (unsigned long)now.rlim_max);
	CHECK(dup2(0, 150) == -1 && errno == EBADF, "dup2 beyond RLIMIT_NOFILE");
	CHECK_SYS(setrlimit(RLIMIT_NOFILE, &old));
	CHECK(dup2(0, 150) == 150, "dup2 after raising the limit again");
	CHECK_SYS(close(150));

	/* A system call number nobody has: -ENOSYS. */
	CHECK(syscall(4000) == -1 && errno == ENOSYS, "syscall 4000: errno %d", errno);
	/* rseq is refused (ENOSYS), so glibc registered none. */
	CHECK(syscall(SYS_rseq, NULL, 0, 0, 0) == -1 && (errno == ENOSYS || errno == EINVAL),
	      "rseq: errno %d", errno);
	if (&__rseq_size)
		CHECK(__rseq_size == 0, "glibc registered rseq (__rseq_size %u)", __rseq_size);

	/* Wild pointers: -EFAULT from the call, the program goes on. */
	int p[2];
	CHECK_SYS(pipe(p));
	CHECK(write(p[1], "data", 4) == 4, "write");
	void *const wild[] = {(void *)0x10, (void *)(1UL << 45), (void *)(1UL << 62),
			      (void *)-4096L};
	for (unsigned i = 0; i < sizeof wild / sizeof *wild; i++) {
		CHECK(write(p[1], wild[i], 4) == -1 && errno == EFAULT, "write from %p: errno %d",
		      wild[i], errno);
		struct stat st;
		CHECK(stat(wild[i], &st) == -1 && errno == EFAULT, "stat of %p: errno %d", wild[i],
		      errno);
		CHECK(fstat(p[0], (struct stat *)wild[i]) == -1 && errno == EFAULT,
		      "fstat into %p: errno %d", wild[i], errno);
		CHECK(syscall(SYS_clock_gettime, CLOCK_MONOTONIC, wild[i]) == -1 && errno == EFAULT,
		      "clock_gettime into %p: errno %d", wild[i], errno);
	}
	/* ... and a page that was mapped and is not any more. */
	char *gone = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(gone != MAP_FAILED, "mmap");
	CHECK_SYS(munmap(gone, 4096));
	CHECK(read(p[0], gone, 4) == -1 && errno == EFAULT, "read into an unmapped page: errno %d",
	      errno);
	/* A read-only page is no place for read() either. */
	char *ro = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(ro != MAP_FAILED, "mmap");
	CHECK(read(p[0], ro, 4) == -1 && errno == EFAULT, "read into a read-only page: errno %d",
	      errno);
	char buf[8];
	CHECK(read(p[0], buf, 8) == 4 && !memcmp(buf, "data", 4), "the pipe kept its data");
	CHECK_SYS(munmap(ro, 4096));
	CHECK_SYS(close(p[0]));
	CHECK_SYS(close(p[1]));
}

/* /proc/self/maps lists this program, the stack, and a mapping made here
 * with its protection as the guest set it. */
static void check_maps(const char *self)
{
	char *m = mmap(NULL, 3 * 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(m != MAP_FAILED, "mmap");
	CHECK_SYS(mprotect(m + 4096, 4096, PROT_READ | PROT_WRITE));
	FILE *f = fopen("/proc/self/maps", "r");
	CHECK(f != NULL, "fopen /proc/self/maps: %s", strerror(errno));
	char line[PATH_MAX + 128];
	int self_x = 0, stack = 0, ro = 0, rw = 0;
	uintptr_t a = (uintptr_t)m;
	while (fgets(line, sizeof line, f)) {
		unsigned long lo, hi;
		char perms[5];
		CHECK(sscanf(line, "%lx-%lx %4s", &lo, &hi, perms) == 3, "maps line: %s", line);
		if (strstr(line, self) && perms[2] == 'x')
			self_x++;
		if (strstr(line, "[stack]"))
			stack++;
		if (lo <= a && a + 4096 <= hi && !strncmp(perms, "r--p", 4))
			ro++;
		if (lo <= a + 4096 && a + 8192 <= hi && !strncmp(perms, "rw-p", 4))
			rw++;
	}
	fclose(f);
	CHECK(self_x >= 1, "no executable mapping of %s in /proc/self/maps", self);
	CHECK(stack == 1, "%d [stack] lines", stack);
	CHECK(ro == 1 && rw == 1, "the mapping at %p: %d read-only, %d read-write lines", m, ro,
	      rw);
	CHECK_SYS(munmap(m, 3 * 4096));
}

int main(void)
{
	char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
	CHECK(n > 0, "readlink /proc/self/exe");
	self[n] = 0;
	check_polls();
	check_fcntl_and_ioctl();
	check_limits_and_refusals();
	check_maps(self);
	PASS();
	return 0;
}
