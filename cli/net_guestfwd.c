/*
 * guestfwd= rules: parsing and the host end of a device (see
 * net_guestfwd.h). The syntax and the errors follow QEMU 7.2's
 * net/slirp.c; of its character devices the two that make sense for a
 * stream, tcp: (client) and unix:, are supported.
 */
#include "net_guestfwd.h"
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

/* The text up to `sep` into buf; *p moves past it. False without `sep`. */
static bool take_until(char *buf, size_t cap, const char **p, char sep)
{
	const char *end = strchr(*p, sep);
	if (!end || (size_t)(end - *p) >= cap)
		return false;
	memcpy(buf, *p, (size_t)(end - *p));
	buf[end - *p] = '\0';
	*p = end + 1;
	return true;
}

bool guestfwd_parse(const char *rule, struct guestfwd *g)
{
	memset(g, 0, sizeof(*g));
	if (strlen(rule) >= sizeof(g->rule))
		return false;
	strcpy(g->rule, rule);
	const char *p = g->rule;
	char buf[64];
	if (!take_until(buf, sizeof(buf), &p, ':') || (strcmp(buf, "tcp") && buf[0]))
		return false;
	if (!take_until(buf, sizeof(buf), &p, ':') || (buf[0] && !inet_aton(buf, &g->server)))
		return false;
	if (!take_until(buf, sizeof(buf), &p, '-'))
		return false;
	char *end;
	const long port = strtol(buf, &end, 10);
	if (!buf[0] || *end || port < 1 || port > 65535)
		return false;
	g->port = (int)port;
	snprintf(g->dev_name, sizeof(g->dev_name), "guestfwd.tcp.%d", g->port);
	if (!strncmp(p, "cmd:", 4))
		g->cmd = p + 4;
	else
		g->dev = p;
	return true;
}

static int connect_tcp(const char *hostport, char *why, size_t whylen)
{
	char host[128];
	const char *colon = strrchr(hostport, ':');
	if (!colon || (size_t)(colon - hostport) >= sizeof(host) || strchr(colon, ',')) {
		snprintf(why, whylen, "'tcp:%s' is not HOST:PORT", hostport);
		return -1;
	}
	memcpy(host, hostport, (size_t)(colon - hostport));
	host[colon - hostport] = '\0';
	struct addrinfo hints = {.ai_socktype = SOCK_STREAM}, *res = NULL;
	const int gai = getaddrinfo(host[0] ? host : "localhost", colon + 1, &hints, &res);
	if (gai) {
		snprintf(why, whylen, "address resolution failed for %s: %s", hostport,
			 gai_strerror(gai));
		return -1;
	}
	int fd = -1, saved = 0;
	for (const struct addrinfo *a = res; a && fd < 0; a = a->ai_next) {
		fd = socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
		if (fd >= 0 && connect(fd, a->ai_addr, a->ai_addrlen) != 0) {
			saved = errno;
			close(fd);
			fd = -1;
		}
	}
	freeaddrinfo(res);
	if (fd < 0)
		snprintf(why, whylen, "Failed to connect to '%s': %s", hostport, strerror(saved));
	return fd;
}

static int connect_unix(const char *path, char *why, size_t whylen)
{
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	if (strlen(path) >= sizeof(a.sun_path)) {
		snprintf(why, whylen, "UNIX socket path '%s' is too long", path);
		return -1;
	}
	strcpy(a.sun_path, path);
	const int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd >= 0 && connect(fd, (struct sockaddr *)&a, sizeof(a)) == 0)
		return fd;
	snprintf(why, whylen, "Failed to connect to '%s': %s", path, strerror(errno));
	if (fd >= 0)
		close(fd);
	return -1;
}

int guestfwd_open_device(const struct guestfwd *g, char *why, size_t whylen)
{
	if (!strncmp(g->dev, "tcp:", 4))
		return connect_tcp(g->dev + 4, why, whylen);
	if (!strncmp(g->dev, "unix:", 5))
		return connect_unix(g->dev + 5, why, whylen);
	snprintf(why, whylen,
		 "'%s' is not a valid char driver (rvjit forwards to tcp:HOST:PORT, "
		 "unix:PATH or cmd:COMMAND)",
		 g->dev);
	return -1;
}
