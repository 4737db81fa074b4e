/*
 * A network backend as a NIC sees it (QEMU's NetClientState pair, reduced
 * to one link): the device hands the backend an Ethernet frame with
 * netdev_send; the backend hands frames for the guest to netdev_deliver,
 * from any thread (slirp runs on a host thread of its own), and they wait
 * in a bounded queue until the device has receive buffers and takes them
 * with netdev_receive. A backend that outruns the guest loses frames past
 * the queue's bound, as a real link would: TCP resends them.
 */
#ifndef RVJIT_NETDEV_H
#define RVJIT_NETDEV_H

#include "core/machine.h"
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The largest frame either way: 64 KiB, what an offloading backend could
 * produce; without offloads frames are at most 1514 bytes. */
#define NETDEV_FRAME_MAX 65536u
/* Frames waiting for the guest; more are dropped. */
#define NETDEV_QUEUE_MAX 256u

struct netdev_ops {
	/* A frame from the guest, on the thread of the device's queue
	 * processing; the backend copies what it keeps. */
	void (*send)(void *opaque, const uint8_t *frame, size_t len);
	/* For `info network`, after "type=user,": how it is configured, e.g.
	 * "net=10.0.2.0,restrict=on". May be NULL. */
	void (*describe)(void *opaque, char *buf, size_t len);
	/* Stop the backend's threads and free it; may be NULL. */
	void (*free)(void *opaque);
};

struct netdev_frame {
	uint8_t *data;
	size_t len;
};

struct netdev {
	char *id;	  /* -netdev id= */
	const char *type; /* "user" */
	const struct netdev_ops *ops;
	void *opaque;

	pthread_mutex_t lock; /* guards everything below */
	struct machine *m;    /* kicked when a frame arrives; NULL until attached */
	struct netdev_frame queue[NETDEV_QUEUE_MAX];
	unsigned head, count;
	bool sending;	  /* inside netdev_send: the device takes the queue next */
	uint64_t dropped; /* frames lost to a full queue */
};

/* A netdev for a backend; NULL when out of memory. */
struct netdev *netdev_new(const char *id, const char *type, const struct netdev_ops *ops,
			  void *opaque);
/* Stop the backend (ops->free) and drop what is queued. */
void netdev_free(struct netdev *nd);

/* The device's machine: deliveries wake it (its pollers run). */
void netdev_attach(struct netdev *nd, struct machine *m);

/* Device to backend. Frames longer than NETDEV_FRAME_MAX are not sent.
 * The device must look at the queue after sending (the frames the backend
 * delivered meanwhile kicked no one). */
void netdev_send(struct netdev *nd, const uint8_t *frame, size_t len);

/* Backend to device, from any thread: queued (copied) unless the queue is
 * full or the frame is empty or too long. Returns whether it was kept. */
bool netdev_deliver(struct netdev *nd, const uint8_t *frame, size_t len);

/* The oldest queued frame's length, 0 when none. */
size_t netdev_peek(struct netdev *nd);

/* Take the oldest queued frame: copy at most cap bytes of it into buf and
 * return its full length (0: none queued). The frame leaves the queue
 * even when cap was too small. */
size_t netdev_receive(struct netdev *nd, uint8_t *buf, size_t cap);

#endif
