/*
 * -netdev user: QEMU's user-mode networking, libslirp on a host thread of
 * its own. Built without libslirp, asking for it is an error that says so.
 */
#ifndef RVJIT_NET_USER_H
#define RVJIT_NET_USER_H

#include "devices/netdev.h"
#include <stddef.h>

/* A netdev `id` from the backend's options `arg` ("user,id=n0,hostfwd=...":
 * the type and id are skipped); `origin` is the option as typed, for
 * messages. NULL with one line in err (QEMU's words) on failure. */
struct netdev *net_user_new(const char *id, const char *arg, const char *origin, char *err,
			    size_t errlen);

#endif
