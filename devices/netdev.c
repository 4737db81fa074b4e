/*
 * The queue between a network backend and its NIC (see netdev.h).
 */
#include "netdev.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct netdev *netdev_new(const char *id, const char *type, const struct netdev_ops *ops,
			  void *opaque)
{
	struct netdev *nd = calloc(1, sizeof(*nd));
	if (!nd || !(nd->id = strdup(id))) {
		free(nd);
		fprintf(stderr, "rvjit: out of memory\n");
		return NULL;
	}
	nd->type = type;
	nd->ops = ops;
	nd->opaque = opaque;
	pthread_mutex_init(&nd->lock, NULL);
	return nd;
}

void netdev_free(struct netdev *nd)
{
	if (!nd)
		return;
	/* The backend's thread may deliver until it is stopped. */
	if (nd->ops && nd->ops->free)
		nd->ops->free(nd->opaque);
	for (unsigned i = 0; i < nd->count; i++)
		free(nd->queue[(nd->head + i) % NETDEV_QUEUE_MAX].data);
	pthread_mutex_destroy(&nd->lock);
	free(nd->id);
	free(nd);
}

void netdev_attach(struct netdev *nd, struct machine *m)
{
	pthread_mutex_lock(&nd->lock);
	nd->m = m;
	pthread_mutex_unlock(&nd->lock);
}

void netdev_send(struct netdev *nd, const uint8_t *frame, size_t len)
{
	if (!len || len > NETDEV_FRAME_MAX || !nd->ops || !nd->ops->send)
		return;
	pthread_mutex_lock(&nd->lock);
	nd->sending = true;
	pthread_mutex_unlock(&nd->lock);
	nd->ops->send(nd->opaque, frame, len);
	pthread_mutex_lock(&nd->lock);
	nd->sending = false;
	pthread_mutex_unlock(&nd->lock);
}

bool netdev_deliver(struct netdev *nd, const uint8_t *frame, size_t len)
{
	if (len == 0 || len > NETDEV_FRAME_MAX)
		return false;
	uint8_t *copy = malloc(len);
	if (!copy)
		return false;
	memcpy(copy, frame, len);
	pthread_mutex_lock(&nd->lock);
	if (nd->count == NETDEV_QUEUE_MAX) {
		nd->dropped++;
		pthread_mutex_unlock(&nd->lock);
		free(copy);
		return false;
	}
	struct netdev_frame *f = &nd->queue[(nd->head + nd->count) % NETDEV_QUEUE_MAX];
	f->data = copy;
	f->len = len;
	nd->count++;
	/* The device's poller moves it to the guest. Only the first frame of
	 * a burst kicks: while the queue is not empty a kick is already on its
	 * way or the poller is draining it (it takes frames until none are
	 * left or the guest has no buffers, and new buffers are a queue
	 * notification of their own). One kick per frame made every ACK of a
	 * transfer wake every sleeping hart. Nor does a frame that comes
	 * while the device is sending (slirp's ACK, made inside slirp_input):
	 * the device looks at the queue once netdev_send returns. Kicked
	 * under the lock: a device being freed detaches first, and then no
	 * kick reaches its machine. */
	if (nd->m && nd->count == 1 && !nd->sending)
		machine_kick(nd->m);
	pthread_mutex_unlock(&nd->lock);
	return true;
}

size_t netdev_peek(struct netdev *nd)
{
	pthread_mutex_lock(&nd->lock);
	const size_t len = nd->count ? nd->queue[nd->head].len : 0;
	pthread_mutex_unlock(&nd->lock);
	return len;
}

size_t netdev_receive(struct netdev *nd, uint8_t *buf, size_t cap)
{
	pthread_mutex_lock(&nd->lock);
	if (!nd->count) {
		pthread_mutex_unlock(&nd->lock);
		return 0;
	}
	struct netdev_frame f = nd->queue[nd->head];
	nd->head = (nd->head + 1) % NETDEV_QUEUE_MAX;
	nd->count--;
	pthread_mutex_unlock(&nd->lock);
	memcpy(buf, f.data, f.len < cap ? f.len : cap);
	free(f.data);
	return f.len;
}
