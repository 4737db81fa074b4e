/*
 * -netdev tap: the guest's NIC on a host TAP interface (/dev/net/tun), as
 * QEMU's tap backend on Linux: ifname=, script=/downscript= (QEMU's
 * /etc/qemu-ifup and /etc/qemu-ifdown by default, "no" for none), fd=.
 */
#ifndef RVJIT_NET_TAP_H
#define RVJIT_NET_TAP_H

#include "devices/netdev.h"
#include <stddef.h>

/* A netdev `id` from "tap,id=...,ifname=..."; `origin` is the option as
 * typed. NULL with one line in err on failure. */
struct netdev *net_tap_new(const char *id, const char *arg, const char *origin, char *err,
			   size_t errlen);

#endif
