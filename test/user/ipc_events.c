/* System V IPC (shared memory attached at a chosen and a free address,
 * seen by a forked child; semaphores; message queues), inotify, timerfd,
 * eventfd, waitid, splice and sockets (TCP, UDP, a descriptor passed over a
 * Unix socket), each checked for what it must do. */
#define TEST_NAME "ipc_events"
#include "check.h"
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdint.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static void shared_memory(void)
{
	const int id = shmget(IPC_PRIVATE, 3 * 4096, IPC_CREAT | 0600);
	CHECK_SYS(id);
	char *a = shmat(id, NULL, 0);
	CHECK(a != (void *)-1, "shmat anywhere: %s", strerror(errno));
	strcpy(a + 5000, "from the parent");
	/* A second attachment at an address of our choosing: the same bytes. */
	char *want = mmap(NULL, 3 * 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(want != MAP_FAILED, "mmap");
	CHECK_SYS(munmap(want, 3 * 4096));
	char *b = shmat(id, want, 0);
	CHECK(b == want, "shmat at %p gave %p", (void *)want, (void *)b);
	CHECK(!strcmp(b + 5000, "from the parent"), "second view reads '%s'", b + 5000);
	const pid_t child = fork();
	CHECK_SYS(child);
	if (child == 0) {
		strcpy(a + 100, "from the child");
		_exit(0);
	}
	int st;
	CHECK_SYS(waitpid(child, &st, 0));
	CHECK(!strcmp(b + 100, "from the child"), "the child's write is not seen: '%s'", b + 100);
	CHECK_SYS(shmdt(b));
	CHECK_SYS(shmdt(a));
	CHECK(shmdt(a) == -1 && errno == EINVAL, "detaching twice");
	CHECK_SYS(shmctl(id, IPC_RMID, NULL));
}

static void semaphores_and_messages(void)
{
	const int sem = semget(IPC_PRIVATE, 2, IPC_CREAT | 0600);
	CHECK_SYS(sem);
	unsigned short init[2] = {3, 0};
	CHECK_SYS(semctl(sem, 0, SETALL, init));
	struct sembuf down = {.sem_num = 0, .sem_op = -2};
	CHECK_SYS(semop(sem, &down, 1));
	CHECK(semctl(sem, 0, GETVAL) == 1, "semaphore 0 is %d", semctl(sem, 0, GETVAL));
	struct sembuf block = {.sem_num = 1, .sem_op = -1, .sem_flg = IPC_NOWAIT};
	CHECK(semop(sem, &block, 1) == -1 && errno == EAGAIN, "semop on 0 must not pass");
	CHECK_SYS(semctl(sem, 0, IPC_RMID));

	const int q = msgget(IPC_PRIVATE, IPC_CREAT | 0600);
	CHECK_SYS(q);
	struct {
		long type;
		char text[32];
	} out = {7, "queued"}, in = {0, ""};
	CHECK_SYS(msgsnd(q, &out, sizeof(out.text), 0));
	CHECK(msgrcv(q, &in, sizeof(in.text), 7, 0) == sizeof(in.text), "msgrcv");
	CHECK(in.type == 7 && !strcmp(in.text, "queued"), "got type %ld '%s'", in.type, in.text);
	CHECK_SYS(msgctl(q, IPC_RMID, NULL));
}

static void event_descriptors(void)
{
	char dir[] = "/tmp/rvjit-user-inotify-XXXXXX";
	CHECK(mkdtemp(dir), "mkdtemp");
	const int in = inotify_init1(IN_NONBLOCK);
	CHECK_SYS(in);
	CHECK_SYS(inotify_add_watch(in, dir, IN_CREATE));
	char path[64];
	snprintf(path, sizeof(path), "%s/new-file", dir);
	const int fd = open(path, O_CREAT | O_WRONLY, 0600);
	CHECK_SYS(fd);
	close(fd);
	char buf[256] __attribute__((aligned(8)));
	const ssize_t n = read(in, buf, sizeof(buf));
	CHECK(n >= (ssize_t)sizeof(struct inotify_event), "no inotify event (%zd)", n);
	const struct inotify_event *ev = (const struct inotify_event *)buf;
	CHECK((ev->mask & IN_CREATE) && !strcmp(ev->name, "new-file"), "event %x '%s'", ev->mask,
	      ev->name);
	unlink(path);
	rmdir(dir);
	close(in);

	const int t = timerfd_create(CLOCK_MONOTONIC, 0);
	CHECK_SYS(t);
	struct itimerspec its = {.it_value = {0, 20 * 1000 * 1000}};
	CHECK_SYS(timerfd_settime(t, 0, &its, NULL));
	uint64_t expirations = 0;
	CHECK(read(t, &expirations, 8) == 8 && expirations == 1, "timerfd read %llu",
	      (unsigned long long)expirations);
	close(t);

	const int e = eventfd(0, 0);
	CHECK_SYS(e);
	uint64_t v = 5;
	CHECK(write(e, &v, 8) == 8 && write(e, &v, 8) == 8, "eventfd write");
	CHECK(read(e, &v, 8) == 8 && v == 10, "eventfd counter %llu", (unsigned long long)v);
	close(e);
}

static void waitid_and_splice(void)
{
	const pid_t child = fork();
	CHECK_SYS(child);
	if (child == 0)
		_exit(23);
	siginfo_t si = {0};
	CHECK_SYS(waitid(P_PID, child, &si, WEXITED));
	CHECK(si.si_pid == child && si.si_code == CLD_EXITED && si.si_status == 23,
	      "waitid: pid %d code %d status %d", si.si_pid, si.si_code, si.si_status);

	int a[2], b[2];
	CHECK_SYS(pipe(a));
	CHECK_SYS(pipe(b));
	CHECK(write(a[1], "spliced", 7) == 7, "write");
	CHECK(splice(a[0], NULL, b[1], NULL, 7, 0) == 7, "splice: %s", strerror(errno));
	char buf[8] = {0};
	CHECK(read(b[0], buf, 7) == 7 && !strcmp(buf, "spliced"), "read '%s'", buf);
}

static void sockets(void)
{
	const int s = socket(AF_INET, SOCK_STREAM, 0);
	CHECK_SYS(s);
	struct sockaddr_in addr = {.sin_family = AF_INET,
				   .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	CHECK_SYS(bind(s, (struct sockaddr *)&addr, sizeof(addr)));
	CHECK_SYS(listen(s, 4));
	socklen_t len = sizeof(addr);
	CHECK_SYS(getsockname(s, (struct sockaddr *)&addr, &len));
	CHECK(addr.sin_port != 0, "no port");
	const int c = socket(AF_INET, SOCK_STREAM, 0);
	CHECK_SYS(connect(c, (struct sockaddr *)&addr, sizeof(addr)));
	struct sockaddr_in peer;
	len = sizeof(peer);
	const int d = accept(s, (struct sockaddr *)&peer, &len);
	CHECK_SYS(d);
	CHECK(peer.sin_addr.s_addr == htonl(INADDR_LOOPBACK), "peer address");
	char buf[16] = {0};
	CHECK(send(c, "ping", 4, 0) == 4 && recv(d, buf, sizeof(buf), 0) == 4 &&
		  !strcmp(buf, "ping"),
	      "TCP round trip");
	int type = 0;
	len = sizeof(type);
	CHECK(getsockopt(c, SOL_SOCKET, SO_TYPE, &type, &len) == 0 && type == SOCK_STREAM,
	      "SO_TYPE %d", type);

	/* A descriptor passed over a Unix socket reads the pipe it names. */
	int sv[2], pp[2];
	CHECK_SYS(socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
	CHECK_SYS(pipe(pp));
	char cbuf[CMSG_SPACE(sizeof(int))] = {0};
	struct iovec io = {"x", 1};
	struct msghdr m = {
	    .msg_iov = &io, .msg_iovlen = 1, .msg_control = cbuf, .msg_controllen = sizeof(cbuf)};
	struct cmsghdr *cm = CMSG_FIRSTHDR(&m);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &pp[0], sizeof(int));
	CHECK(sendmsg(sv[0], &m, 0) == 1, "sendmsg: %s", strerror(errno));
	char x = 0, cbuf2[CMSG_SPACE(sizeof(int))] = {0};
	struct iovec io2 = {&x, 1};
	struct msghdr m2 = {.msg_iov = &io2,
			    .msg_iovlen = 1,
			    .msg_control = cbuf2,
			    .msg_controllen = sizeof(cbuf2)};
	CHECK(recvmsg(sv[1], &m2, 0) == 1 && x == 'x', "recvmsg: %s", strerror(errno));
	struct cmsghdr *c2 = CMSG_FIRSTHDR(&m2);
	CHECK(c2 && c2->cmsg_type == SCM_RIGHTS, "no SCM_RIGHTS");
	int fd;
	memcpy(&fd, CMSG_DATA(c2), sizeof(fd));
	CHECK(write(pp[1], "via fd", 6) == 6 && read(fd, buf, 6) == 6 && !memcmp(buf, "via fd", 6),
	      "the passed descriptor");

	const int u = socket(AF_INET, SOCK_DGRAM, 0);
	struct sockaddr_in ua = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	CHECK_SYS(bind(u, (struct sockaddr *)&ua, sizeof(ua)));
	len = sizeof(ua);
	CHECK_SYS(getsockname(u, (struct sockaddr *)&ua, &len));
	CHECK(sendto(u, "dgram", 5, 0, (struct sockaddr *)&ua, sizeof(ua)) == 5, "sendto");
	struct sockaddr_in from;
	len = sizeof(from);
	CHECK(recvfrom(u, buf, sizeof(buf), 0, (struct sockaddr *)&from, &len) == 5 &&
		  from.sin_port == ua.sin_port,
	      "recvfrom");
}

int main(void)
{
	shared_memory();
	semaphores_and_messages();
	event_descriptors();
	waitid_and_splice();
	sockets();
	PASS();
	return 0;
}
