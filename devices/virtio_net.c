/*
 * virtio-net (virtio 1.2 section 5.1). Every frame either way is a
 * descriptor chain holding a struct virtio_net_hdr and then the Ethernet
 * frame, split among descriptors in any way (5.1.6.6 "Legacy Interface:
 * Framing Requirements": QEMU accepts any layout from legacy drivers too).
 *
 * Transmit (5.1.6.2): the header is the first hdr_len readable bytes and
 * is ignored (no offload was offered, so the frame is complete); the rest
 * goes to the backend. Receive (5.1.6.3, 5.1.6.4): a frame waiting in the
 * netdev queue takes the next receive chain, which must hold the header
 * and the whole frame (without MRG_RXBUF one chain per frame); a frame
 * that does not fit is dropped and the chain returned empty.
 *
 * Queue processing runs where MMIO does (a hart's QueueNotify) and in the
 * device's poller (frames the backend queued from its own thread, a
 * transmit burst that was cut short); both are serialised by the machine's
 * device lock, so the transport needs no lock of its own.
 */
#include "virtio_net.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* 5.1.4: struct virtio_net_config up to status (max_virtqueue_pairs and
 * mtu exist only with MQ and MTU, not offered). */
#define NET_CONFIG_SIZE	 8
#define NET_CFG_MAC	 0
#define NET_CFG_STATUS	 6
#define NET_ETH_HDR	 14	     /* the shortest frame worth sending: an Ethernet header */
#define NET_POLL_IDLE_NS 20000000ULL /* wake-ups can race the I/O thread's sleep */
#define NET_POLL_SOON_NS 1000000ULL

struct virtio_net {
	struct virtio_device_ops ops;
	struct machine *m;
	struct virtio_dev *vd;
	struct netdev *backend;
	uint8_t config[NET_CONFIG_SIZE];
	bool tx_more; /* a burst was cut short: the poller goes on */
	uint8_t frame[VIRTIO_NET_HDR_MODERN + NETDEV_FRAME_MAX];
};

static uint64_t net_config_read(void *opaque, uint32_t offset, unsigned size)
{
	const struct virtio_net *n = opaque;
	uint8_t bytes[8] = {0};
	memcpy(bytes, n->config + offset, size); /* the transport bounds offset + size */
	return virtio_le64(bytes);
}

/* 5.1.6: the header has num_buffers with VERSION_1 or MRG_RXBUF. */
static unsigned hdr_len(const struct virtio_net *n)
{
	const uint64_t f = virtio_dev_features(n->vd);
	return (f >> VIRTIO_F_VERSION_1 & 1) || (f >> VIRTIO_NET_F_MRG_RXBUF & 1)
		   ? VIRTIO_NET_HDR_MODERN
		   : VIRTIO_NET_HDR_LEGACY;
}

/* Move queued frames into the guest's receive buffers while both last. */
static void net_rx_flush(struct virtio_net *n)
{
	struct virtio_dev *vd = n->vd;
	if (!(virtio_dev_status(vd) & VIRTIO_CONFIG_S_DRIVER_OK))
		return; /* 5.1.6.3: nothing is received before the driver is ready */
	if (!n->backend)
		return; /* -device without netdev=: no link */
	const unsigned hlen = hdr_len(n);
	bool pushed = false;
	while (netdev_peek(n->backend)) {
		struct virtq_elem e;
		if (virtq_pop(vd, VIRTIO_NET_RXQ, &e) != VIRTQ_POP_OK)
			break; /* no buffer yet (the frame waits), or a broken queue */
		const size_t len =
		    netdev_receive(n->backend, n->frame + hlen, sizeof(n->frame) - hlen);
		uint32_t written = 0;
		/* A chain too small for the frame, or unusable, drops the frame
		 * (QEMU drops it too) and goes back to the driver empty. */
		if (!e.bad && e.n_out == 0 && e.in_len >= hlen + len) {
			memset(n->frame, 0, hlen); /* no flags, GSO_NONE */
			if (hlen == VIRTIO_NET_HDR_MODERN)
				virtio_put_le16(n->frame + 10, 1); /* num_buffers */
			written = (uint32_t)virtq_copy_to(vd, &e, 0, n->frame, hlen + len);
		}
		virtq_push(vd, VIRTIO_NET_RXQ, &e, written);
		pushed = true;
	}
	if (pushed)
		virtq_notify_used(vd, VIRTIO_NET_RXQ);
}

/* Send up to a burst of the guest's frames. */
static void net_tx(struct virtio_net *n)
{
	struct virtio_dev *vd = n->vd;
	const unsigned hlen = hdr_len(n);
	unsigned served = 0;
	struct virtq_elem e;
	n->tx_more = false;
	while (served < VIRTIO_NET_TX_BURST) {
		if (virtq_pop(vd, VIRTIO_NET_TXQ, &e) != VIRTQ_POP_OK)
			break;
		served++;
		/* 5.1.6.2: a transmit chain is device-readable only. A chain
		 * that lies (unusable buffers, writable parts, too short, too
		 * long for any frame) is returned unsent. */
		if (!e.bad && e.n_buf == e.n_out && e.out_len >= hlen + NET_ETH_HDR &&
		    e.out_len - hlen <= NETDEV_FRAME_MAX) {
			const size_t len = (size_t)(e.out_len - hlen);
			virtq_copy_from(&e, hlen, n->frame, len);
			if (n->backend)
				netdev_send(n->backend, n->frame, len);
		}
		virtq_push(vd, VIRTIO_NET_TXQ, &e, 0);
	}
	if (served == VIRTIO_NET_TX_BURST)
		n->tx_more = true;
	virtq_notify_used(vd, VIRTIO_NET_TXQ);
	/* A backend that answers at once (slirp's ARP) queued its reply. */
	net_rx_flush(n);
}

static void net_queue_notify(void *opaque, struct virtio_dev *vd, unsigned queue)
{
	struct virtio_net *n = opaque;
	if (queue == VIRTIO_NET_TXQ)
		net_tx(n);
	else
		net_rx_flush(n); /* new receive buffers */
}

static uint64_t net_poll(void *opaque)
{
	struct virtio_net *n = opaque;
	if (n->tx_more)
		net_tx(n);
	net_rx_flush(n);
	if (n->tx_more || (n->backend && netdev_peek(n->backend)))
		return NET_POLL_SOON_NS;
	return n->backend ? NET_POLL_IDLE_NS : UINT64_MAX;
}

static void net_reset(void *opaque)
{
	struct virtio_net *n = opaque;
	n->tx_more = false;
}

static void net_free(void *opaque)
{
	struct virtio_net *n = opaque;
	if (n->backend)
		netdev_attach(n->backend, NULL); /* its deliveries no longer kick this machine */
	free(n);
}

struct virtio_dev *virtio_net_create(struct machine *m, struct netdev *backend,
				     const uint8_t mac[6])
{
	struct virtio_net *n = calloc(1, sizeof(*n));
	if (!n) {
		fprintf(stderr, "rvjit: out of memory\n");
		return NULL;
	}
	n->m = m;
	n->backend = backend;
	memcpy(n->config + NET_CFG_MAC, mac, 6);
	virtio_put_le16(n->config + NET_CFG_STATUS, VIRTIO_NET_S_LINK_UP);
	n->ops = (struct virtio_device_ops){
	    .device_id = VIRTIO_ID_NET,
	    .features = 1ULL << VIRTIO_NET_F_MAC | 1ULL << VIRTIO_NET_F_STATUS,
	    .num_queues = 2,
	    .config_size = NET_CONFIG_SIZE,
	    .config_read = net_config_read,
	    .config_write = NULL, /* the MAC stays as given */
	    .queue_notify = net_queue_notify,
	    .reset = net_reset,
	    .free = net_free,
	};
	n->vd = virtio_dev_new(m, &n->ops, n);
	if (!n->vd) {
		free(n);
		return NULL;
	}
	if (!machine_add_poller(m, net_poll, n)) {
		fprintf(stderr, "rvjit: virtio-net: too many devices to poll\n");
		virtio_dev_free(n->vd);
		return NULL;
	}
	if (backend)
		netdev_attach(backend, m);
	return n->vd;
}

struct virtio_mmio *virtio_net_new(struct machine *m, uint64_t base, struct irq_line irq,
				   struct netdev *backend, const uint8_t mac[6], bool legacy)
{
	struct virtio_dev *vd = virtio_net_create(m, backend, mac);
	return vd ? virtio_mmio_attach(vd, base, irq, legacy) : NULL;
}

void virtio_net_free(struct virtio_mmio *vm)
{
	virtio_mmio_free(vm);
}
