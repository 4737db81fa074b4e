/*
 * The open character devices (see chardev.h): one reader thread per
 * device calls chardev_read, any thread calls chardev_write.
 *
 * A socket server or a pty has a connection that comes and goes: `conn`
 * (the client's socket, or -1) changes on the reader thread only, under
 * `lock`, and writers use it under the same lock, so a write never goes
 * to a descriptor that was closed and reused. Telnet (RFC 854) is handled
 * on the reader thread: commands are stripped from the input.
 */
#define _GNU_SOURCE /* accept4, posix_openpt, ptsname (POSIX + Linux) */
#include "chardev.h"
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <termios.h>
#include <unistd.h>

/* How often a pty nobody holds is looked at again (QEMU: each second). */
#define PTY_RECHECK_MS 100

/* How long a connected peer (socket client, pty holder) that reads
 * nothing may hold up the guest's output; after that its output is
 * dropped until it reads again. QEMU holds back the guest's UART
 * instead; rvjit's UART has no such back-pressure, and a peer that stops
 * reading must not stop the machine (its monitor, Ctrl-a x) for good. */
#define PEER_STALL_MS 2000

/* Telnet (RFC 854): Interpret As Command and what follows it. */
#define TELNET_IAC  255
#define TELNET_SB   250 /* subnegotiation, up to IAC SE */
#define TELNET_SE   240
#define TELNET_WILL 251
#define TELNET_DONT 254

enum telnet_state { TN_DATA, TN_IAC, TN_OPTION, TN_SUB, TN_SUB_IAC };

struct chardev {
	const struct chardev_spec *spec; /* NULL for chardev_open_fds */
	enum chardev_backend backend;
	int in_fd;     /* stdio: input; pty: the master; -1 when none */
	int out_fd;    /* stdio, file: output; pty: the master */
	int listen_fd; /* socket server: the listening socket, else -1 */

	pthread_mutex_t lock;	  /* guards conn and every write */
	int conn;		  /* socket: the connected client, or -1 */
	bool pty_open;		  /* pty: somebody holds the slave */
	bool stalled;		  /* the peer let a write time out (PEER_STALL_MS) */
	enum telnet_state telnet; /* reader thread only */
};

static struct chardev *alloc_chardev(const struct chardev_spec *s, enum chardev_backend b)
{
	struct chardev *c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	c->spec = s;
	c->backend = b;
	c->in_fd = c->out_fd = c->listen_fd = c->conn = -1;
	pthread_mutex_init(&c->lock, NULL);
	return c;
}

static int fail_null(char *err, size_t errlen, const char *fmt, const char *a, const char *b)
{
	snprintf(err, errlen, fmt, a, b);
	return -1;
}

void chardev_write_fd(int fd, const void *buf, size_t len)
{
	const uint8_t *p = buf;
	while (len) {
		const ssize_t n = write(fd, p, len);
		if (n > 0) {
			p += n;
			len -= (size_t)n;
		} else if (n < 0 && errno == EINTR) {
			continue;
		} else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			struct pollfd pfd = {.fd = fd, .events = POLLOUT};
			if (poll(&pfd, 1, -1) < 0 && errno != EINTR)
				return;
			if (pfd.revents & (POLLERR | POLLNVAL))
				return;
		} else {
			return;
		}
	}
}

/* A socket client or a pty holder, under c->lock: see PEER_STALL_MS. */
static void peer_write(struct chardev *c, int fd, const uint8_t *p, size_t len)
{
	const bool sock = c->backend == CHARDEV_SOCKET;
	while (len) {
		const ssize_t n =
		    sock ? send(fd, p, len, MSG_NOSIGNAL | MSG_DONTWAIT) : write(fd, p, len);
		if (n > 0) {
			p += n;
			len -= (size_t)n;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			struct pollfd pfd = {.fd = fd, .events = POLLOUT};
			const int r = poll(&pfd, 1, c->stalled ? 0 : PEER_STALL_MS);
			if (r < 0 && errno == EINTR)
				continue;
			if (r == 0)
				c->stalled = true;
			if (r > 0 && !(pfd.revents & (POLLHUP | POLLERR | POLLNVAL)))
				continue;
		}
		return; /* stalled, or the peer left: the reader notices that */
	}
	c->stalled = false;
}

/* ---- sockets ------------------------------------------------------------ */

static int unix_address(const char *path, struct sockaddr_un *sun, char *err, size_t errlen)
{
	memset(sun, 0, sizeof(*sun));
	sun->sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sun->sun_path))
		return fail_null(err, errlen, "UNIX socket path '%s' is too long%s", path, "");
	strcpy(sun->sun_path, path);
	return 0;
}

static int tcp_addresses(const struct chardev_spec *s, struct addrinfo **res, char *err,
			 size_t errlen)
{
	struct addrinfo hints = {.ai_family = AF_UNSPEC,
				 .ai_socktype = SOCK_STREAM,
				 .ai_flags = s->server ? AI_PASSIVE : 0};
	const char *host = s->host && *s->host ? s->host : NULL;
	const int rc = getaddrinfo(host, s->port, &hints, res);
	if (rc)
		return fail_null(err, errlen, "address resolution failed for '%s': %s",
				 host ? host : "", gai_strerror(rc));
	return 0;
}

static int open_server(struct chardev *c, char *err, size_t errlen)
{
	const struct chardev_spec *s = c->spec;
	int fd = -1;
	if (s->path) {
		struct sockaddr_un sun;
		if (unix_address(s->path, &sun, err, errlen))
			return -1;
		unlink(s->path); /* a stale socket of an earlier run, as QEMU does */
		fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (fd < 0 || bind(fd, (struct sockaddr *)&sun, sizeof(sun)) != 0) {
			fail_null(err, errlen, "Failed to bind socket to %s: %s", s->path,
				  strerror(errno));
			goto fail;
		}
	} else {
		struct addrinfo *res;
		if (tcp_addresses(s, &res, err, errlen))
			return -1;
		/* IPv4 first, as QEMU tries the addresses in order. */
		int last = 0;
		for (struct addrinfo *a = res; a && fd < 0; a = a->ai_next) {
			fd = socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, 0);
			if (fd < 0)
				continue;
			const int one = 1;
			setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
			if (bind(fd, a->ai_addr, a->ai_addrlen) != 0) {
				last = errno;
				close(fd);
				fd = -1;
			}
		}
		freeaddrinfo(res);
		if (fd < 0) {
			fail_null(err, errlen, "Failed to find an available port: %s%s",
				  strerror(last ? last : EADDRNOTAVAIL), "");
			return -1;
		}
	}
	if (listen(fd, 1) != 0) {
		fail_null(err, errlen, "listen: %s%s", strerror(errno), "");
		goto fail;
	}
	c->listen_fd = fd;
	return 0;
fail:
	if (fd >= 0)
		close(fd);
	return -1;
}

static int connect_client(struct chardev *c, char *err, size_t errlen)
{
	const struct chardev_spec *s = c->spec;
	int fd = -1;
	if (s->path) {
		struct sockaddr_un sun;
		if (unix_address(s->path, &sun, err, errlen))
			return -1;
		fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (fd < 0 || connect(fd, (struct sockaddr *)&sun, sizeof(sun)) != 0) {
			fail_null(err, errlen, "Failed to connect to '%s': %s", s->path,
				  strerror(errno));
			if (fd >= 0)
				close(fd);
			return -1;
		}
	} else {
		struct addrinfo *res;
		if (tcp_addresses(s, &res, err, errlen))
			return -1;
		int last = 0;
		for (struct addrinfo *a = res; a && fd < 0; a = a->ai_next) {
			fd = socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, 0);
			if (fd >= 0 && connect(fd, a->ai_addr, a->ai_addrlen) != 0) {
				last = errno;
				close(fd);
				fd = -1;
			}
		}
		freeaddrinfo(res);
		if (fd < 0) {
			char where[300];
			snprintf(where, sizeof(where), "%s:%s", s->host, s->port);
			fail_null(err, errlen, "Failed to connect to '%s': %s", where,
				  strerror(last));
			return -1;
		}
	}
	c->conn = fd;
	return 0;
}

/* A new client: it replaces no one (only one at a time is accepted). */
static void take_client(struct chardev *c, int fd)
{
	const int one = 1;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)); /* fails on unix: fine */
	c->telnet = TN_DATA;
	pthread_mutex_lock(&c->lock);
	c->conn = fd;
	c->stalled = false;
	if (c->spec->telnet) {
		/* RFC 857 echo and RFC 858 suppress-go-ahead from us, RFC 856
		 * binary both ways: character at a time, 8-bit clean. */
		static const uint8_t hello[] = {TELNET_IAC,  TELNET_WILL, 1,	      TELNET_IAC,
						TELNET_WILL, 3,		  TELNET_IAC, TELNET_WILL,
						0,	     TELNET_IAC,  253,	      0};
		peer_write(c, fd, hello, sizeof(hello));
	}
	pthread_mutex_unlock(&c->lock);
}

int chardev_wait_client(struct chardev *c, char *err, size_t errlen)
{
	const struct chardev_spec *s = c->spec;
	if (!s || s->backend != CHARDEV_SOCKET || !s->server || !s->wait)
		return 0;
	if (s->path)
		fprintf(stderr,
			"rvjit: %s: info: rvjit waiting for connection on: "
			"disconnected:unix:%s,server=on\n",
			s->origin, s->path);
	else
		fprintf(stderr,
			"rvjit: %s: info: rvjit waiting for connection on: "
			"disconnected:tcp:%s:%s,server=on\n",
			s->origin, s->host && *s->host ? s->host : "0.0.0.0", s->port);
	int fd;
	while ((fd = accept4(c->listen_fd, NULL, NULL, SOCK_CLOEXEC)) < 0)
		if (errno != EINTR)
			return fail_null(err, errlen, "accept: %s%s", strerror(errno), "");
	take_client(c, fd);
	return 0;
}

/* Drop telnet commands from buf in place; returns the data bytes left.
 * IAC IAC is a data 0xff. */
static size_t telnet_filter(struct chardev *c, uint8_t *buf, size_t n)
{
	size_t out = 0;
	for (size_t i = 0; i < n; i++) {
		const uint8_t b = buf[i];
		switch (c->telnet) {
		case TN_DATA:
			if (b == TELNET_IAC)
				c->telnet = TN_IAC;
			else
				buf[out++] = b;
			break;
		case TN_IAC:
			if (b == TELNET_IAC) {
				buf[out++] = b;
				c->telnet = TN_DATA;
			} else if (b == TELNET_SB) {
				c->telnet = TN_SUB;
			} else if (b >= TELNET_WILL && b <= TELNET_DONT) {
				c->telnet = TN_OPTION;
			} else {
				c->telnet = TN_DATA; /* a two-byte command */
			}
			break;
		case TN_OPTION:
			c->telnet = TN_DATA;
			break;
		case TN_SUB:
			if (b == TELNET_IAC)
				c->telnet = TN_SUB_IAC;
			break;
		case TN_SUB_IAC:
			c->telnet = b == TELNET_SE ? TN_DATA : TN_SUB;
			break;
		}
	}
	return out;
}

/* ---- pty ---------------------------------------------------------------- */

static int open_pty(struct chardev *c, char *err, size_t errlen)
{
	const int fd = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (fd < 0 || grantpt(fd) || unlockpt(fd)) {
		fail_null(err, errlen, "Failed to create PTY: %s%s", strerror(errno), "");
		if (fd >= 0)
			close(fd);
		return -1;
	}
	const char *name = ptsname(fd);
	/* Raw, as QEMU makes it: whoever opens the slave gets bytes as the
	 * guest sends them. The settings belong to the pty, so they hold for
	 * every later open of the slave. */
	const int slave = open(name, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (slave >= 0) {
		struct termios t;
		if (tcgetattr(slave, &t) == 0) {
			cfmakeraw(&t);
			tcsetattr(slave, TCSANOW, &t);
		}
		close(slave);
	}
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	c->in_fd = c->out_fd = fd;
	fprintf(stderr, "char device redirected to %s (label %s)\n", name, c->spec->id);
	return 0;
}

/* Whether somebody holds the slave: the master hangs up when nobody
 * does (Linux pty_poll). */
static bool pty_connected(int master)
{
	struct pollfd pfd = {.fd = master, .events = POLLIN};
	return poll(&pfd, 1, 0) >= 0 && !(pfd.revents & POLLHUP);
}

/* ---- the interface ------------------------------------------------------ */

struct chardev *chardev_open(const struct chardev_spec *s, char *err, size_t errlen)
{
	struct chardev *c = alloc_chardev(s, s->backend);
	if (!c) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	int rc = 0;
	switch (s->backend) {
	case CHARDEV_NULL:
		break;
	case CHARDEV_STDIO:
		c->in_fd = STDIN_FILENO;
		c->out_fd = STDOUT_FILENO;
		break;
	case CHARDEV_FILE:
		c->out_fd =
		    open(s->path, O_WRONLY | O_CREAT | O_CLOEXEC | (s->append ? O_APPEND : O_TRUNC),
			 0666);
		if (c->out_fd < 0)
			rc = fail_null(err, errlen, "Could not open '%s': %s", s->path,
				       strerror(errno));
		break;
	case CHARDEV_SOCKET:
		if (!s->server)
			rc = connect_client(c, err, errlen);
		else
			rc = open_server(c, err, errlen);
		break;
	case CHARDEV_PTY:
		rc = open_pty(c, err, errlen);
		break;
	}
	if (rc) {
		chardev_close(c);
		return NULL;
	}
	return c;
}

struct chardev *chardev_open_fds(int in_fd, int out_fd, char *err, size_t errlen)
{
	struct chardev *c = alloc_chardev(NULL, CHARDEV_STDIO);
	if (!c) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	c->in_fd = in_fd;
	c->out_fd = out_fd;
	return c;
}

/* Wait for fd to be readable or wake_fd to wake us; timeout_ms -1 for
 * ever. 1: fd is ready (or hung up), 0: timeout, CHARDEV_WOKEN. */
static int wait_readable(int fd, int wake_fd, int timeout_ms)
{
	for (;;) {
		struct pollfd pfd[2] = {
		    {.fd = wake_fd, .events = POLLIN},
		    {.fd = fd, .events = POLLIN},
		};
		const int n = poll(pfd, fd >= 0 ? 2 : 1, timeout_ms);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 || pfd[0].revents)
			return CHARDEV_WOKEN;
		return n ? 1 : 0;
	}
}

static ssize_t read_socket(struct chardev *c, uint8_t *buf, size_t len, int wake_fd)
{
	for (;;) {
		if (c->conn < 0) {
			if (c->listen_fd < 0)
				return CHARDEV_CLOSED; /* a client whose server left */
			if (wait_readable(c->listen_fd, wake_fd, -1) == CHARDEV_WOKEN)
				return CHARDEV_WOKEN;
			const int fd = accept4(c->listen_fd, NULL, NULL, SOCK_CLOEXEC);
			if (fd < 0)
				continue;
			take_client(c, fd);
			return CHARDEV_CONNECTED;
		}
		if (wait_readable(c->conn, wake_fd, -1) == CHARDEV_WOKEN)
			return CHARDEV_WOKEN;
		ssize_t n = recv(c->conn, buf, len, 0);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n <= 0) {
			/* The client left: output is dropped until the next. */
			pthread_mutex_lock(&c->lock);
			close(c->conn);
			c->conn = -1;
			pthread_mutex_unlock(&c->lock);
			continue;
		}
		if (c->spec->telnet && !(n = (ssize_t)telnet_filter(c, buf, (size_t)n)))
			continue;
		return n;
	}
}

static ssize_t read_pty(struct chardev *c, uint8_t *buf, size_t len, int wake_fd)
{
	for (;;) {
		const bool open_now = pty_connected(c->in_fd);
		pthread_mutex_lock(&c->lock);
		const bool was_open = c->pty_open;
		c->pty_open = open_now;
		pthread_mutex_unlock(&c->lock);
		if (!open_now) {
			/* poll() would report the hang-up at once, again and
			 * again: look again a little later. */
			if (wait_readable(-1, wake_fd, PTY_RECHECK_MS) == CHARDEV_WOKEN)
				return CHARDEV_WOKEN;
			continue;
		}
		if (!was_open)
			return CHARDEV_CONNECTED;
		if (wait_readable(c->in_fd, wake_fd, PTY_RECHECK_MS) == CHARDEV_WOKEN)
			return CHARDEV_WOKEN;
		const ssize_t n = read(c->in_fd, buf, len);
		if (n > 0)
			return n;
		/* EAGAIN, or EIO when the slave was closed: look again. */
	}
}

ssize_t chardev_read(struct chardev *c, uint8_t *buf, size_t len, int wake_fd)
{
	switch (c->backend) {
	case CHARDEV_SOCKET:
		return read_socket(c, buf, len, wake_fd);
	case CHARDEV_PTY:
		return read_pty(c, buf, len, wake_fd);
	case CHARDEV_STDIO:
		for (;;) {
			if (wait_readable(c->in_fd, wake_fd, -1) == CHARDEV_WOKEN)
				return CHARDEV_WOKEN;
			/* POLLIN, or POLLHUP / POLLERR: read() tells which. */
			const ssize_t n = read(c->in_fd, buf, len);
			if (n < 0 && (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK))
				continue;
			return n > 0 ? n : CHARDEV_CLOSED;
		}
	default:
		/* No input: wait until told to stop. */
		return wait_readable(-1, wake_fd, -1) == CHARDEV_WOKEN ? CHARDEV_WOKEN
								       : CHARDEV_CLOSED;
	}
}

void chardev_write(struct chardev *c, const void *buf, size_t len)
{
	pthread_mutex_lock(&c->lock);
	switch (c->backend) {
	case CHARDEV_SOCKET:
		if (c->conn >= 0)
			peer_write(c, c->conn, buf, len);
		break;
	case CHARDEV_PTY:
		if (pty_connected(c->out_fd))
			peer_write(c, c->out_fd, buf, len);
		break;
	case CHARDEV_STDIO:
	case CHARDEV_FILE:
		chardev_write_fd(c->out_fd, buf, len); /* waits as long as it takes */
		break;
	case CHARDEV_NULL:
		break;
	}
	pthread_mutex_unlock(&c->lock);
}

enum chardev_backend chardev_backend(const struct chardev *c)
{
	return c->backend;
}

int chardev_tty(const struct chardev *c, bool *signals)
{
	*signals = c->spec && c->spec->signal;
	return c->backend == CHARDEV_STDIO && isatty(c->in_fd) ? c->in_fd : -1;
}

void chardev_close(struct chardev *c)
{
	if (!c)
		return;
	if (c->spec) {
		/* Not stdio's descriptors, nor those of chardev_open_fds. */
		if (c->backend == CHARDEV_FILE || c->backend == CHARDEV_PTY)
			close(c->out_fd);
		if (c->conn >= 0)
			close(c->conn);
		if (c->listen_fd >= 0) {
			close(c->listen_fd);
			if (c->spec->path)
				unlink(c->spec->path);
		}
	}
	pthread_mutex_destroy(&c->lock);
	free(c);
}
