/*
 * virtio-rng, the entropy device (virtio 1.2 section 5.4), on the
 * virtio-mmio transport, as QEMU's virtio-rng-device: one request queue
 * of device-writable buffers, filled from a struct rng_backend, with
 * QEMU's rate limit (at most max-bytes per period of the virtual clock).
 */
#ifndef RVJIT_VIRTIO_RNG_H
#define RVJIT_VIRTIO_RNG_H

#include "devices/rng_backend.h"
#include "devices/virtio_mmio.h"

#define VIRTIO_ID_RNG 4

/* QEMU's defaults: no limit worth the name (INT64_MAX bytes per 65536 ms). */
#define VIRTIO_RNG_MAX_BYTES_DEFAULT INT64_MAX
#define VIRTIO_RNG_PERIOD_MS_DEFAULT 65536u

/* Map a virtio-rng device at `base` on m->bus reading `backend` (which the
 * caller keeps, and closes after virtio_rng_free). max_bytes <= INT64_MAX,
 * period_ms > 0. Registers a poller with the machine (a request may wait
 * for the backend or the rate limit). NULL with a message on failure. */
struct virtio_mmio *virtio_rng_new(struct machine *m, uint64_t base, struct irq_line irq,
				   struct rng_backend *backend, bool legacy, uint64_t max_bytes,
				   uint32_t period_ms);

/* The same device, not yet on a transport (virtio_mmio_attach,
 * virtio_pci_attach). */
struct virtio_dev *virtio_rng_create(struct machine *m, struct rng_backend *backend,
				     uint64_t max_bytes, uint32_t period_ms);

/* Same rules as virtio_mmio_free. */
void virtio_rng_free(struct virtio_mmio *vm);

#endif
