/*
 * -netdev user (see net_user.h). libslirp is not thread-safe: every call
 * into it holds `lock`. The slirp thread polls slirp's sockets and runs its
 * timers; the device's queue processing calls slirp_input for the guest's
 * frames and wakes the thread (a pipe), whose next poll then includes any
 * socket that frame opened. Frames slirp sends to the guest go to the
 * netdev's bounded queue, never straight into guest memory: the slirp
 * thread never touches the machine.
 */
#include "net_user.h"
#include "core/errmsg.h"
#include "net_guestfwd.h"
#include "qemu_syntax.h"
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#ifndef RVJIT_HAVE_SLIRP

struct netdev *net_user_new(const char *id, const char *arg, const char *origin, char *err,
			    size_t errlen)
{
	errmsg(err, errlen,
	       "%s: this rvjit was built without libslirp: no user networking (install "
	       "libslirp-dev and rebuild)",
	       origin);
	return NULL;
}

#else

#include <libslirp.h>

#define MAX_POLLFDS   256
#define MAX_TIMERS    8
#define MAX_HOSTFWDS  16
#define MAX_GUESTFWDS 16
#define POLL_CAP_MS   1000 /* look at the stop flag at least this often */

struct user_timer {
	bool used;
	SlirpTimerId id;
	void *cb_opaque;
	int64_t expire_ms; /* -1: not armed */
};

/* A guestfwd to a device: its connection, read when the guest's socket
 * has room (slirp_socket_can_recv), written from slirp's callback. */
struct device_fwd {
	struct in_addr server; /* as libslirp completed it */
	int port;
	int fd;	       /* -1 once the device hung up */
	int pfd_index; /* slirp thread: its pollfd this round, or -1 */
};

struct net_user {
	pthread_mutex_t lock; /* every slirp call, the timers, the device forwards */
	Slirp *slirp;
	struct netdev *nd;
	struct user_timer timers[MAX_TIMERS];
	int wake[2];	/* the device sent a frame, or stop: poll again */
	bool stop;	/* under lock */
	bool in_poll;	/* under lock: the thread sleeps in poll() */
	bool wake_sent; /* under lock: a wake-up byte is in the pipe */
	pthread_t thread;
	bool started;
	/* slirp thread only: what slirp_pollfds_fill asked for */
	struct pollfd pfd[MAX_POLLFDS];
	unsigned npfd;
	struct device_fwd dev_fwd[MAX_GUESTFWDS];
	unsigned ndev_fwd;
	uint8_t dev_buf[65536]; /* slirp thread: a device's bytes for the guest */
	char description[512];
};

static int64_t now_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

static void wake_thread(struct net_user *u)
{
	const char c = 0;
	ssize_t r = write(u->wake[1], &c, 1); /* full pipe: a wake-up is pending anyway */
	(void)r;
}

/* ---- slirp's callbacks (lock held: they run inside slirp calls) ---- */

static ssize_t cb_send_packet(const void *buf, size_t len, void *opaque)
{
	struct net_user *u = opaque;
	netdev_deliver(u->nd, buf, len); /* dropped when the queue is full */
	return (ssize_t)len;
}

static void cb_guest_error(const char *msg, void *opaque) {}

static int64_t cb_clock_get_ns(void *opaque)
{
	return now_ms() * 1000000;
}

static void *cb_timer_new_opaque(SlirpTimerId id, void *cb_opaque, void *opaque)
{
	struct net_user *u = opaque;
	for (unsigned i = 0; i < MAX_TIMERS; i++) {
		if (!u->timers[i].used) {
			u->timers[i] = (struct user_timer){true, id, cb_opaque, -1};
			return &u->timers[i];
		}
	}
	return NULL;
}

static void cb_timer_free(void *timer, void *opaque)
{
	if (timer)
		((struct user_timer *)timer)->used = false;
}

static void cb_timer_mod(void *timer, int64_t expire_ms, void *opaque)
{
	if (timer)
		((struct user_timer *)timer)->expire_ms = expire_ms;
}

static void cb_register_poll_fd(int fd, void *opaque) {}
static void cb_unregister_poll_fd(int fd, void *opaque) {}

static void cb_notify(void *opaque)
{
	wake_thread(opaque);
}

static const SlirpCb callbacks = {
    .send_packet = cb_send_packet,
    .guest_error = cb_guest_error,
    .clock_get_ns = cb_clock_get_ns,
    .timer_free = cb_timer_free,
    .timer_mod = cb_timer_mod,
    .register_poll_fd = cb_register_poll_fd,
    .unregister_poll_fd = cb_unregister_poll_fd,
    .notify = cb_notify,
    .timer_new_opaque = cb_timer_new_opaque,
};

static int add_poll(int fd, int events, void *opaque)
{
	struct net_user *u = opaque;
	if (u->npfd == MAX_POLLFDS)
		return -1; /* that socket waits for a later round */
	short ev = 0;
	if (events & SLIRP_POLL_IN)
		ev |= POLLIN;
	if (events & SLIRP_POLL_OUT)
		ev |= POLLOUT;
	if (events & SLIRP_POLL_PRI)
		ev |= POLLPRI;
	u->pfd[u->npfd] = (struct pollfd){.fd = fd, .events = ev};
	return (int)u->npfd++;
}

static int get_revents(int idx, void *opaque)
{
	struct net_user *u = opaque;
	if (idx < 0 || (unsigned)idx >= u->npfd)
		return 0;
	const short r = u->pfd[idx].revents;
	return (r & POLLIN ? SLIRP_POLL_IN : 0) | (r & POLLOUT ? SLIRP_POLL_OUT : 0) |
	       (r & POLLPRI ? SLIRP_POLL_PRI : 0) | (r & POLLERR ? SLIRP_POLL_ERR : 0) |
	       (r & POLLHUP ? SLIRP_POLL_HUP : 0);
}

/* ---- the slirp thread ---- */

static void run_timers(struct net_user *u)
{
	const int64_t now = now_ms();
	for (unsigned i = 0; i < MAX_TIMERS; i++) {
		struct user_timer *t = &u->timers[i];
		if (t->used && t->expire_ms >= 0 && t->expire_ms <= now) {
			t->expire_ms = -1;
			slirp_handle_timer(u->slirp, t->id, t->cb_opaque);
		}
	}
}

/* A device's bytes are read only while the guest's socket has room for
 * them (no guest connection yet: none), so nothing is lost or spins. */
static void poll_device_fwds(struct net_user *u)
{
	for (unsigned i = 0; i < u->ndev_fwd; i++) {
		struct device_fwd *d = &u->dev_fwd[i];
		d->pfd_index = -1;
		if (d->fd >= 0 && slirp_socket_can_recv(u->slirp, d->server, d->port) > 0)
			d->pfd_index = add_poll(d->fd, SLIRP_POLL_IN, u);
	}
}

static void read_device_fwds(struct net_user *u)
{
	for (unsigned i = 0; i < u->ndev_fwd; i++) {
		struct device_fwd *d = &u->dev_fwd[i];
		if (d->pfd_index < 0 || !u->pfd[d->pfd_index].revents)
			continue;
		size_t room = slirp_socket_can_recv(u->slirp, d->server, d->port);
		if (room > sizeof(u->dev_buf))
			room = sizeof(u->dev_buf);
		const ssize_t n = room ? recv(d->fd, u->dev_buf, room, MSG_DONTWAIT) : 0;
		if (n > 0) {
			slirp_socket_recv(u->slirp, d->server, d->port, u->dev_buf, (int)n);
		} else if (room && (n == 0 || (errno != EAGAIN && errno != EINTR))) {
			close(d->fd); /* the device hung up: the guest's side stays open, as in QEMU
				       */
			d->fd = -1;
		}
	}
}

/* The guest's bytes for a device (slirp's callback, lock held). */
static ssize_t cb_device_fwd_write(const void *buf, size_t len, void *opaque)
{
	struct device_fwd *d = opaque;
	for (size_t done = 0; d->fd >= 0 && done < len;) {
		const ssize_t n =
		    send(d->fd, (const uint8_t *)buf + done, len - done, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break; /* a broken device: the bytes are lost, as on a dead line */
		done += (size_t)n;
	}
	return (ssize_t)len;
}

static void *slirp_thread(void *opaque)
{
	struct net_user *u = opaque;
	pthread_mutex_lock(&u->lock);
	while (!u->stop) {
		uint32_t timeout = POLL_CAP_MS;
		u->pfd[0] = (struct pollfd){.fd = u->wake[0], .events = POLLIN};
		u->npfd = 1;
		slirp_pollfds_fill(u->slirp, &timeout, add_poll, u);
		poll_device_fwds(u);
		const int64_t now = now_ms();
		for (unsigned i = 0; i < MAX_TIMERS; i++) {
			const struct user_timer *t = &u->timers[i];
			if (t->used && t->expire_ms >= 0) {
				const int64_t left = t->expire_ms > now ? t->expire_ms - now : 0;
				if (left < (int64_t)timeout)
					timeout = (uint32_t)left;
			}
		}
		u->in_poll = true;
		pthread_mutex_unlock(&u->lock);
		const int r = poll(u->pfd, u->npfd, (int)timeout);
		if (u->pfd[0].revents & POLLIN) {
			char buf[64];
			while (read(u->wake[0], buf, sizeof(buf)) > 0)
				;
		}
		pthread_mutex_lock(&u->lock);
		u->in_poll = false;
		u->wake_sent = false;
		if (u->stop)
			break;
		slirp_pollfds_poll(u->slirp, r < 0 && errno != EINTR, get_revents, u);
		if (r > 0)
			read_device_fwds(u);
		run_timers(u);
	}
	pthread_mutex_unlock(&u->lock);
	return NULL;
}

/* ---- the netdev ---- */

static void user_send(void *opaque, const uint8_t *frame, size_t len)
{
	struct net_user *u = opaque;
	pthread_mutex_lock(&u->lock);
	slirp_input(u->slirp, frame, (int)len);
	/* The frame may have opened a socket or queued bytes for one: the
	 * thread's next poll must include it. A thread that is not in poll()
	 * fills its set afresh anyway, and one byte in the pipe is enough:
	 * a write per frame cost a system call and a wake-up per segment. */
	if (u->in_poll && !u->wake_sent) {
		u->wake_sent = true;
		wake_thread(u);
	}
	pthread_mutex_unlock(&u->lock);
}

static void user_describe(void *opaque, char *buf, size_t len)
{
	const struct net_user *u = opaque;
	snprintf(buf, len, "%s", u->description);
}

static void user_free(void *opaque)
{
	struct net_user *u = opaque;
	if (u->started) {
		pthread_mutex_lock(&u->lock);
		u->stop = true;
		pthread_mutex_unlock(&u->lock);
		wake_thread(u);
		pthread_join(u->thread, NULL);
	}
	if (u->slirp)
		slirp_cleanup(u->slirp);
	for (unsigned i = 0; i < u->ndev_fwd; i++)
		if (u->dev_fwd[i].fd >= 0)
			close(u->dev_fwd[i].fd);
	close(u->wake[0]);
	close(u->wake[1]);
	pthread_mutex_destroy(&u->lock);
	free(u);
}

static const struct netdev_ops user_ops = {
    .send = user_send,
    .describe = user_describe,
    .free = user_free,
};

/* ---- options ---- */

struct hostfwd {
	char rule[128]; /* as typed, for messages */
	bool udp;
	struct in_addr host, guest;
	int host_port, guest_port;
};

struct user_config {
	SlirpConfig cfg;
	bool host_given, dhcp_given;
	bool host6_given, dns6_given, ipv6_options;
	struct hostfwd fwd[MAX_HOSTFWDS];
	unsigned nfwd;
	struct guestfwd gfwd[MAX_GUESTFWDS];
	unsigned ngfwd;
};

static bool parse_port(const char *s, int *port)
{
	char *end;
	const long v = strtol(s, &end, 10);
	if (!*s || *end || v < 0 || v > 65535)
		return false;
	*port = (int)v;
	return true;
}

/* hostfwd=[tcp|udp]:[HOSTADDR]:HOSTPORT-[GUESTADDR]:GUESTPORT, as QEMU's
 * slirp_hostfwd(): the reason in QEMU's words when it is malformed. */
static const char *parse_hostfwd(const char *rule, struct hostfwd *f)
{
	char buf[128];
	snprintf(f->rule, sizeof(f->rule), "%s", rule);
	snprintf(buf, sizeof(buf), "%s", rule);
	char *p = buf;
	char *colon = strchr(p, ':');
	if (!colon)
		return "No : separators";
	*colon = '\0';
	if (!strcmp(p, "tcp") || !*p)
		f->udp = false;
	else if (!strcmp(p, "udp"))
		f->udp = true;
	else
		return "Bad protocol name";
	p = colon + 1;
	colon = strchr(p, ':');
	if (!colon)
		return "No : separators";
	*colon = '\0';
	f->host.s_addr = INADDR_ANY;
	if (*p && !inet_aton(p, &f->host))
		return "Bad host address";
	p = colon + 1;
	char *dash = strchr(p, '-');
	if (!dash)
		return "No - separators";
	*dash = '\0';
	if (!parse_port(p, &f->host_port))
		return "Bad host port";
	p = dash + 1;
	colon = strchr(p, ':');
	if (!colon)
		return "No : separators";
	*colon = '\0';
	f->guest.s_addr = 0;
	if (*p && !inet_aton(p, &f->guest))
		return "Bad guest address";
	if (!parse_port(colon + 1, &f->guest_port) || f->guest_port == 0)
		return "Bad guest port";
	return NULL;
}

/* net=ADDR[/MASK|/BITS] */
static bool parse_net(const char *v, struct in_addr *net, struct in_addr *mask)
{
	char buf[64];
	snprintf(buf, sizeof(buf), "%s", v);
	char *slash = strchr(buf, '/');
	mask->s_addr = htonl(0xffffff00u);
	if (slash) {
		*slash++ = '\0';
		char *end;
		const long bits = strtol(slash, &end, 10);
		if (!*end && *slash) {
			if (bits < 0 || bits > 32)
				return false;
			mask->s_addr = htonl(bits ? 0xffffffffu << (32 - bits) : 0);
		} else if (!inet_aton(slash, mask)) {
			return false;
		}
	}
	if (!inet_aton(buf, net))
		return false;
	net->s_addr &= mask->s_addr;
	return true;
}

/* ipv6-net=ADDR[/LEN] in QEMU's words: NULL, or why it is refused
 * (prefix lengths run from 0 to 126). */
static const char *parse_net6(const char *v, struct in6_addr *prefix, uint8_t *len)
{
	char buf[INET6_ADDRSTRLEN + 8];
	snprintf(buf, sizeof(buf), "%s", v);
	char *slash = strchr(buf, '/');
	if (slash)
		*slash++ = '\0';
	if (inet_pton(AF_INET6, buf, prefix) != 1)
		return "Failed to parse IPv6 prefix";
	if (slash) {
		char *end;
		const long bits = strtol(slash, &end, 10);
		if (*end || !*slash || bits < 0 || bits > 126)
			return "Invalid IPv6 prefix provided (IPv6 prefix length must be between 0 "
			       "and 126)";
		*len = (uint8_t)bits;
	}
	return NULL;
}

static bool in_net6(const struct in6_addr *a, const struct in6_addr *prefix, unsigned len)
{
	for (unsigned i = 0; i < len; i++) {
		const unsigned bit = 0x80u >> (i % 8);
		if ((a->s6_addr[i / 8] & bit) != (prefix->s6_addr[i / 8] & bit))
			return false;
	}
	return true;
}

/* QEMU's IPv6 defaults and checks: fec0::/64, the host ::2 and the DNS
 * ::3 of the prefix unless given, both inside it. */
static int finish_ipv6(struct user_config *c, const char *origin, char *err, size_t errlen)
{
	SlirpConfig *cfg = &c->cfg;
	if (!cfg->in6_enabled)
		return c->ipv6_options
			   ? errmsg(err, errlen, "%s: IPv6 disabled but prefix/host6/dns6 provided",
				    origin)
			   : 0;
	if (!c->host6_given) {
		cfg->vhost6 = cfg->vprefix_addr6;
		cfg->vhost6.s6_addr[15] |= 2;
	} else if (!in_net6(&cfg->vhost6, &cfg->vprefix_addr6, cfg->vprefix_len)) {
		return errmsg(err, errlen, "%s: IPv6 Host doesn't belong to network", origin);
	}
	if (!c->dns6_given) {
		cfg->vnameserver6 = cfg->vprefix_addr6;
		cfg->vnameserver6.s6_addr[15] |= 3;
	} else if (!in_net6(&cfg->vnameserver6, &cfg->vprefix_addr6, cfg->vprefix_len)) {
		return errmsg(err, errlen, "%s: IPv6 DNS doesn't belong to network", origin);
	}
	return 0;
}

static int parse_user(struct user_config *c, const char *arg, const char *origin, char *err,
		      size_t errlen)
{
	SlirpConfig *cfg = &c->cfg;
	cfg->version = 4;
	cfg->in_enabled = true;
	inet_aton("10.0.2.0", &cfg->vnetwork);
	inet_aton("255.255.255.0", &cfg->vnetmask);
	/* QEMU's -netdev user has IPv6 on by default (slirp's router
	 * advertisements give the guest an address in the prefix). */
	cfg->in6_enabled = true;
	inet_pton(AF_INET6, "fec0::", &cfg->vprefix_addr6);
	cfg->vprefix_len = 64;
	char *copy = strdup(arg);
	char *save = NULL;
	int rc = 0;
	strtok_r(copy, ",", &save); /* the type */
	for (char *tok = strtok_r(NULL, ",", &save); tok && rc == 0;
	     tok = strtok_r(NULL, ",", &save)) {
		char *v = strchr(tok, '=');
		if (v)
			*v++ = '\0';
		if (!strcmp(tok, "id")) {
			continue;
		} else if (!strcmp(tok, "restrict") || !strcmp(tok, "ipv4") ||
			   !strcmp(tok, "ipv6")) {
			bool on;
			if (!qemu_bool_parse(v, &on))
				rc = errmsg(err, errlen, "%s: Parameter '%s' expects 'on' or 'off'",
					    origin, tok);
			else if (tok[0] == 'r')
				cfg->restricted = on;
			else if (tok[3] == '4')
				cfg->in_enabled = on;
			else
				cfg->in6_enabled = on;
		} else if (!strcmp(tok, "ipv6-net") && v) {
			c->ipv6_options = true;
			const char *why = parse_net6(v, &cfg->vprefix_addr6, &cfg->vprefix_len);
			if (why)
				rc = errmsg(err, errlen, "%s: %s", origin, why);
		} else if (!strcmp(tok, "ipv6-host") && v) {
			c->ipv6_options = true;
			c->host6_given = inet_pton(AF_INET6, v, &cfg->vhost6) == 1;
			if (!c->host6_given)
				rc = errmsg(err, errlen, "%s: Failed to parse IPv6 host", origin);
		} else if (!strcmp(tok, "ipv6-dns") && v) {
			c->ipv6_options = true;
			c->dns6_given = inet_pton(AF_INET6, v, &cfg->vnameserver6) == 1;
			if (!c->dns6_given)
				rc = errmsg(err, errlen, "%s: Failed to parse IPv6 DNS provided",
					    origin);
		} else if (!strcmp(tok, "net") && v) {
			if (!parse_net(v, &cfg->vnetwork, &cfg->vnetmask))
				rc = errmsg(err, errlen, "%s: Invalid net address '%s'", origin, v);
		} else if (!strcmp(tok, "host") && v) {
			c->host_given = inet_aton(v, &cfg->vhost);
			if (!c->host_given)
				rc =
				    errmsg(err, errlen, "%s: Invalid host address '%s'", origin, v);
		} else if (!strcmp(tok, "dhcpstart") && v) {
			c->dhcp_given = inet_aton(v, &cfg->vdhcp_start);
			if (!c->dhcp_given)
				rc = errmsg(err, errlen, "%s: Invalid dhcpstart address '%s'",
					    origin, v);
		} else if (!strcmp(tok, "hostfwd") && v) {
			if (c->nfwd == MAX_HOSTFWDS) {
				rc = errmsg(err, errlen, "%s: at most %d hostfwd rules", origin,
					    MAX_HOSTFWDS);
				continue;
			}
			const char *why = parse_hostfwd(v, &c->fwd[c->nfwd]);
			if (why)
				rc = errmsg(err, errlen,
					    "%s: Invalid host forwarding rule '%s' (%s)", origin, v,
					    why);
			c->nfwd++;
		} else if (!strcmp(tok, "guestfwd") && v) {
			if (c->ngfwd == MAX_GUESTFWDS)
				rc = errmsg(err, errlen, "%s: at most %d guestfwd rules", origin,
					    MAX_GUESTFWDS);
			else if (!guestfwd_parse(v, &c->gfwd[c->ngfwd++]))
				rc = errmsg(err, errlen, "%s: Invalid guest forwarding rule '%s'",
					    origin, v);
		} else {
			rc = errmsg(err, errlen, "%s: Invalid parameter '%s'", origin, tok);
		}
	}
	free(copy);
	if (rc)
		return rc;
	if (!cfg->in_enabled && !cfg->in6_enabled)
		return errmsg(err, errlen, "%s: IPv4 and IPv6 disabled", origin);
	if ((rc = finish_ipv6(c, origin, err, errlen)))
		return rc;
	const uint32_t net = ntohl(cfg->vnetwork.s_addr);
	if (!c->host_given)
		cfg->vhost.s_addr = htonl(net | 2);
	if (!c->dhcp_given)
		cfg->vdhcp_start.s_addr = htonl(net | 15);
	cfg->vnameserver.s_addr = htonl(net | 3);
	if ((cfg->vhost.s_addr & cfg->vnetmask.s_addr) != cfg->vnetwork.s_addr)
		return errmsg(err, errlen, "%s: host address is not in the net", origin);
	for (unsigned i = 0; i < c->nfwd; i++)
		if (!c->fwd[i].guest.s_addr)
			c->fwd[i].guest = cfg->vdhcp_start; /* QEMU's default guest */
	return 0;
}

/* The guestfwd= rules, in QEMU's order and words (libslirp refuses a
 * server outside the net, the host's or the DNS address, or a repeat). */
static int add_guestfwds(struct net_user *u, struct user_config *c, const char *origin, char *err,
			 size_t errlen)
{
	for (unsigned i = 0; i < c->ngfwd; i++) {
		struct guestfwd *g = &c->gfwd[i];
		int added;
		if (g->cmd) {
			added = slirp_add_exec(u->slirp, g->cmd, &g->server, g->port);
		} else {
			char why[256];
			const int fd = guestfwd_open_device(g, why, sizeof(why));
			if (fd < 0)
				return errmsg(
				    err, errlen,
				    "%s: Could not open guest forwarding device '%s' (%s)", origin,
				    g->dev_name, why);
			struct device_fwd *d = &u->dev_fwd[u->ndev_fwd++];
			*d = (struct device_fwd){.fd = fd, .port = g->port, .pfd_index = -1};
			added = slirp_add_guestfwd(u->slirp, cb_device_fwd_write, d, &g->server,
						   g->port);
			d->server = g->server;
		}
		if (added < 0)
			return errmsg(err, errlen,
				      "%s: Conflicting/invalid host:port in guest forwarding rule "
				      "'%s'",
				      origin, g->rule);
		const size_t used = strlen(u->description);
		snprintf(u->description + used, sizeof(u->description) - used, ",guestfwd=%s",
			 g->rule);
	}
	return 0;
}

struct netdev *net_user_new(const char *id, const char *arg, const char *origin, char *err,
			    size_t errlen)
{
	struct user_config c;
	memset(&c, 0, sizeof(c));
	if (parse_user(&c, arg, origin, err, errlen))
		return NULL;
	struct net_user *u = calloc(1, sizeof(*u));
	if (!u || pipe(u->wake)) {
		free(u);
		errmsg(err, errlen, "%s: %s", origin, strerror(errno));
		return NULL;
	}
	fcntl(u->wake[0], F_SETFL, O_NONBLOCK);
	fcntl(u->wake[1], F_SETFL, O_NONBLOCK);
	fcntl(u->wake[0], F_SETFD, FD_CLOEXEC);
	fcntl(u->wake[1], F_SETFD, FD_CLOEXEC);
	pthread_mutex_init(&u->lock, NULL);
	/* QEMU's `info network` words, then the forwards (its `info usernet`). */
	char net[INET_ADDRSTRLEN];
	inet_ntop(AF_INET, &c.cfg.vnetwork, net, sizeof(net));
	snprintf(u->description, sizeof(u->description), "net=%s,restrict=%s", net,
		 c.cfg.restricted ? "on" : "off");
	u->nd = netdev_new(id, "user", &user_ops, u);
	if (!u->nd) {
		user_free(u);
		errmsg(err, errlen, "%s: out of memory", origin);
		return NULL;
	}
	u->slirp = slirp_new(&c.cfg, &callbacks, u);
	if (!u->slirp) {
		netdev_free(u->nd);
		errmsg(err, errlen, "%s: cannot start user networking", origin);
		return NULL;
	}
	for (unsigned i = 0; i < c.nfwd; i++) {
		const struct hostfwd *f = &c.fwd[i];
		errno = 0;
		if (slirp_add_hostfwd(u->slirp, f->udp, f->host, f->host_port, f->guest,
				      f->guest_port) < 0) {
			/* QEMU's words, then why (libslirp keeps bind's errno). */
			const int why = errno;
			errmsg(err, errlen, "%s: Could not set up host forwarding rule '%s'%s%s%s",
			       origin, f->rule, why ? " (" : "", why ? strerror(why) : "",
			       why ? ")" : "");
			netdev_free(u->nd);
			return NULL;
		}
		const size_t used = strlen(u->description);
		snprintf(u->description + used, sizeof(u->description) - used, ",hostfwd=%s",
			 f->rule);
	}
	if (add_guestfwds(u, &c, origin, err, errlen)) {
		netdev_free(u->nd);
		return NULL;
	}
	if (pthread_create(&u->thread, NULL, slirp_thread, u)) {
		errmsg(err, errlen, "%s: cannot start the network thread", origin);
		netdev_free(u->nd);
		return NULL;
	}
	u->started = true;
	return u->nd;
}

#endif
