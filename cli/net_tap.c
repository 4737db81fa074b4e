/*
 * -netdev tap (see net_tap.h). The interface is opened with IFF_TAP |
 * IFF_NO_PI: whole Ethernet frames, no packet-information prefix, and no
 * IFF_VNET_HDR since the NIC offers no offloads (every frame is complete).
 * A reader thread moves the interface's frames into the netdev's bounded
 * queue; the guest's frames are written straight to the interface, which
 * drops them itself when its queue is full, as a real link would.
 */
#include "net_tap.h"
#include "core/errmsg.h"
#include <errno.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <unistd.h>

#define TUN_PATH	   "/dev/net/tun"
#define DEFAULT_SCRIPT	   "/etc/qemu-ifup" /* QEMU's defaults */
#define DEFAULT_DOWNSCRIPT "/etc/qemu-ifdown"

struct net_tap {
	struct netdev *nd;
	int fd;
	int wake[2]; /* stop: the reader leaves */
	pthread_t thread;
	bool started;
	char ifname[IFNAMSIZ];
	char *downscript;			   /* NULL: none */
	char description[IFNAMSIZ + 2 * 256 + 32]; /* ifname, both scripts and the keys */
	uint8_t frame[NETDEV_FRAME_MAX];
};

/* Run `script IFNAME` and wait for it; -1 with QEMU's message. */
static int run_script(const char *script, const char *ifname, const char *origin, char *err,
		      size_t errlen)
{
	if (access(script, X_OK) != 0)
		return errmsg(err, errlen, "%s: network script %s: %s (script=no runs none)",
			      origin, script, strerror(errno));
	const pid_t pid = fork();
	if (pid < 0)
		return errmsg(err, errlen, "%s: network script %s: %s", origin, script,
			      strerror(errno));
	if (pid == 0) {
		execl(script, script, ifname, (char *)NULL);
		_exit(1);
	}
	int status;
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		return errmsg(err, errlen, "%s: network script %s failed with status %d", origin,
			      script, status);
	return 0;
}

static void *tap_reader(void *opaque)
{
	struct net_tap *t = opaque;
	for (;;) {
		struct pollfd p[2] = {{.fd = t->fd, .events = POLLIN},
				      {.fd = t->wake[0], .events = POLLIN}};
		if (poll(p, 2, -1) < 0 && errno != EINTR)
			break;
		if (p[1].revents)
			break; /* stop */
		if (p[0].revents & (POLLERR | POLLHUP | POLLNVAL))
			break; /* the interface went away: the link is down */
		if (!(p[0].revents & POLLIN))
			continue;
		const ssize_t n = read(t->fd, t->frame, sizeof(t->frame));
		if (n > 0)
			netdev_deliver(t->nd, t->frame, (size_t)n); /* full queue: dropped */
	}
	return NULL;
}

static void tap_send(void *opaque, const uint8_t *frame, size_t len)
{
	struct net_tap *t = opaque;
	ssize_t r = write(t->fd, frame, len); /* a refused frame is a lost frame */
	(void)r;
}

static void tap_describe(void *opaque, char *buf, size_t len)
{
	const struct net_tap *t = opaque;
	snprintf(buf, len, "%s", t->description);
}

static void tap_free(void *opaque)
{
	struct net_tap *t = opaque;
	if (t->started) {
		const char c = 0;
		ssize_t r = write(t->wake[1], &c, 1);
		(void)r;
		pthread_join(t->thread, NULL);
	}
	if (t->downscript) {
		char err[256];
		if (run_script(t->downscript, t->ifname, "-netdev tap", err, sizeof(err)))
			fprintf(stderr, "rvjit: warning: %s\n", err);
	}
	if (t->fd >= 0)
		close(t->fd);
	close(t->wake[0]);
	close(t->wake[1]);
	free(t->downscript);
	free(t);
}

static const struct netdev_ops tap_ops = {
    .send = tap_send,
    .describe = tap_describe,
    .free = tap_free,
};

struct tap_config {
	char ifname[IFNAMSIZ];
	char script[256], downscript[256]; /* "" for none */
	int fd;				   /* fd=, or -1 */
};

static int parse_tap(struct tap_config *c, const char *arg, const char *origin, char *err,
		     size_t errlen)
{
	snprintf(c->script, sizeof(c->script), "%s", DEFAULT_SCRIPT);
	snprintf(c->downscript, sizeof(c->downscript), "%s", DEFAULT_DOWNSCRIPT);
	c->fd = -1;
	char *copy = strdup(arg);
	char *save = NULL;
	int rc = copy ? 0 : errmsg(err, errlen, "%s: out of memory", origin);
	if (copy)
		strtok_r(copy, ",", &save); /* the type */
	for (char *tok = copy ? strtok_r(NULL, ",", &save) : NULL; tok && rc == 0;
	     tok = strtok_r(NULL, ",", &save)) {
		char *v = strchr(tok, '=');
		if (v)
			*v++ = '\0';
		if (!strcmp(tok, "id")) {
			continue;
		} else if (!strcmp(tok, "ifname") && v) {
			if (strlen(v) >= IFNAMSIZ)
				rc = errmsg(err, errlen, "%s: interface name '%s' is too long",
					    origin, v);
			else
				snprintf(c->ifname, sizeof(c->ifname), "%s", v);
		} else if ((!strcmp(tok, "script") || !strcmp(tok, "downscript")) && v) {
			char *dst = tok[0] == 's' ? c->script : c->downscript;
			snprintf(dst, sizeof(c->script), "%s", strcmp(v, "no") ? v : "");
		} else if (!strcmp(tok, "vhost") && v && !strcmp(v, "off")) {
			continue; /* vhost-net is never used */
		} else if (!strcmp(tok, "fd") && v) {
			char *end;
			const long fd = strtol(v, &end, 10);
			if (!*v || *end || fd < 0 || fd > 65535 || fcntl((int)fd, F_GETFD) < 0)
				rc = errmsg(err, errlen, "%s: Can't use file descriptor %s: %s",
					    origin, v, strerror(errno ? errno : EBADF));
			c->fd = (int)fd;
		} else {
			rc = errmsg(err, errlen, "%s: Invalid parameter '%s'", origin, tok);
		}
	}
	free(copy);
	return rc;
}

/* /dev/net/tun as a TAP interface named c->ifname (empty: the kernel
 * picks tapN); its name in ifname. -1 with QEMU's message. */
static int open_tap(const struct tap_config *c, char ifname[IFNAMSIZ], const char *origin,
		    char *err, size_t errlen)
{
	const int fd = open(TUN_PATH, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return errmsg(err, errlen, "%s: could not open %s: %s", origin, TUN_PATH,
			      strerror(errno));
	struct ifreq ifr;
	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", c->ifname[0] ? c->ifname : "tap%d");
	if (ioctl(fd, TUNSETIFF, &ifr) != 0) {
		errmsg(err, errlen, "%s: could not configure %s (%s): %s", origin, TUN_PATH,
		       ifr.ifr_name, strerror(errno));
		close(fd);
		return -1;
	}
	snprintf(ifname, IFNAMSIZ, "%s", ifr.ifr_name);
	return fd;
}

struct netdev *net_tap_new(const char *id, const char *arg, const char *origin, char *err,
			   size_t errlen)
{
	struct tap_config c;
	memset(&c, 0, sizeof(c));
	if (parse_tap(&c, arg, origin, err, errlen))
		return NULL;
	struct net_tap *t = calloc(1, sizeof(*t));
	if (!t || pipe(t->wake)) {
		free(t);
		errmsg(err, errlen, "%s: %s", origin, strerror(errno));
		return NULL;
	}
	fcntl(t->wake[0], F_SETFD, FD_CLOEXEC);
	fcntl(t->wake[1], F_SETFD, FD_CLOEXEC);
	t->fd = -1;
	t->nd = netdev_new(id, "tap", &tap_ops, t);
	if (!t->nd) {
		tap_free(t);
		errmsg(err, errlen, "%s: out of memory", origin);
		return NULL;
	}
	if (c.fd >= 0) {
		/* QEMU's fd=: an interface opened by whoever started us; no
		 * scripts run for it. */
		t->fd = c.fd;
		snprintf(t->description, sizeof(t->description), "fd=%d", c.fd);
	} else {
		t->fd = open_tap(&c, t->ifname, origin, err, errlen);
		if (t->fd < 0 ||
		    (c.script[0] && run_script(c.script, t->ifname, origin, err, errlen))) {
			netdev_free(t->nd);
			return NULL;
		}
		if (c.downscript[0])
			t->downscript = strdup(c.downscript);
		snprintf(t->description, sizeof(t->description),
			 "ifname=%s,script=%s,downscript=%s", t->ifname,
			 c.script[0] ? c.script : "no", c.downscript[0] ? c.downscript : "no");
	}
	if (pthread_create(&t->thread, NULL, tap_reader, t)) {
		errmsg(err, errlen, "%s: cannot start the network thread", origin);
		netdev_free(t->nd);
		return NULL;
	}
	t->started = true;
	return t->nd;
}
