/*
 * virtio-net (virtio 1.2 section 5.1) on the virtio-mmio transport, backed
 * by a struct netdev: QEMU's virtio-net-device with one queue pair, no
 * control queue and no offloads.
 */
#ifndef RVJIT_VIRTIO_NET_H
#define RVJIT_VIRTIO_NET_H

#include "devices/netdev.h"
#include "devices/virtio_mmio.h"

#define VIRTIO_ID_NET 1

/* Feature bits (5.1.3): only those the device implements are offered. */
#define VIRTIO_NET_F_MAC       5
#define VIRTIO_NET_F_MRG_RXBUF 15
#define VIRTIO_NET_F_STATUS    16

#define VIRTIO_NET_S_LINK_UP 1

/* Queues (5.1.2): receiveq1, transmitq1. */
#define VIRTIO_NET_RXQ 0
#define VIRTIO_NET_TXQ 1

/* The header before every frame (5.1.6): 10 bytes for a legacy driver
 * without MRG_RXBUF, 12 (with num_buffers) otherwise. */
#define VIRTIO_NET_HDR_LEGACY 10
#define VIRTIO_NET_HDR_MODERN 12

/* Chains served per transmit notification before the rest waits for the
 * next poll: a driver that keeps the ring full cannot hold the device
 * forever (QEMU's tx_burst). */
#define VIRTIO_NET_TX_BURST 256

/* Map a virtio-net device with address `mac` for `backend` at `base`,
 * interrupting on `irq`. The caller keeps ownership of `backend` and frees
 * it after virtio_net_free. Returns NULL with a message on failure. */
struct virtio_mmio *virtio_net_new(struct machine *m, uint64_t base, struct irq_line irq,
				   struct netdev *backend, const uint8_t mac[6], bool legacy);

/* The same device, not yet on a transport (virtio_mmio_attach,
 * virtio_pci_attach). */
struct virtio_dev *virtio_net_create(struct machine *m, struct netdev *backend,
				     const uint8_t mac[6]);

/* Same rules as virtio_mmio_free. */
void virtio_net_free(struct virtio_mmio *vm);

#endif
