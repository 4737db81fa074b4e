/*
 * -netdev user's guestfwd= rules (QEMU's slirp_guestfwd): a guest's TCP
 * connection to SERVER:PORT on the virtual network goes to a host program
 * (cmd:COMMAND, one per connection, run by libslirp) or to a character
 * device opened once at start-up: tcp:HOST:PORT (a connection made then)
 * or unix:PATH. This file parses the rules and opens the devices; the
 * slirp side is in net_user.c.
 */
#ifndef RVJIT_NET_GUESTFWD_H
#define RVJIT_NET_GUESTFWD_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>

struct guestfwd {
	char rule[256];	       /* as typed, for messages */
	struct in_addr server; /* 0: libslirp's default, the net's .4 */
	int port;	       /* 1..65535 */
	const char *cmd;       /* into rule: the command of -cmd:, or NULL */
	const char *dev;       /* into rule: the device otherwise */
	char dev_name[32];     /* QEMU's name for it: guestfwd.tcp.PORT */
};

/* [tcp]:[SERVER]:PORT-DEV or [tcp]:[SERVER]:PORT-cmd:COMMAND. False when
 * malformed (QEMU: "Invalid guest forwarding rule"). */
bool guestfwd_parse(const char *rule, struct guestfwd *g);

/* Connect to the device g->dev: a blocking stream socket, close-on-exec;
 * -1 with the reason in `why` (QEMU's words where it has them). */
int guestfwd_open_device(const struct guestfwd *g, char *why, size_t whylen);

#endif
