/*
 * A virtio device apart from its transport (virtio 1.2: 2.1 device status,
 * 2.2 features, 2.4 reset, 2.5 config space, 2.7 split virtqueues). A
 * device type (virtio_blk.c, virtio_net.c, virtio_rng.c) fills a struct
 * virtio_device_ops and makes a struct virtio_dev with virtio_dev_new; a
 * transport (virtio_mmio.c, virtio_pci.c) then binds it to its registers
 * and its interrupt line, and owns it from then on.
 *
 * What lives here is what every transport shares: the feature bits, the
 * device status and reset, the interrupt status (the ISR bits, 4.1.4.5 /
 * 4.2.2 InterruptStatus), the bounds of config space accesses, and the
 * rings. The rings are laid out the modern way (three addresses) or the
 * legacy way (one page frame number, 2.7.2's legacy layout), as the
 * transport says.
 *
 * The guest is not trusted. Every ring and buffer access goes through
 * machine_host_ptr() with its exact length, so the host never touches
 * anything but guest RAM. A descriptor chain whose shape cannot be trusted
 * (index out of range, a loop, a bad indirect table, rings outside RAM, an
 * avail index that moved by more than the queue size) puts the device in
 * DEVICE_NEEDS_RESET (2.1.2) and the queue is no longer processed. A chain
 * whose shape is sound but whose buffers are not (outside RAM, zero length,
 * readable after writable) is handed to the device marked `bad`: the device
 * fails the request without doing its work.
 *
 * Requests are processed synchronously when the driver notifies a queue,
 * on the thread of the hart that wrote the notification.
 */
#ifndef RVJIT_VIRTIO_H
#define RVJIT_VIRTIO_H

#include "core/machine.h"
#include <stdbool.h>
#include <stdint.h>

/* Interrupt status bits (4.1.4.5 ISR, 4.2.2 InterruptStatus). */
#define VIRTIO_ISR_VRING  1u /* used buffer notification */
#define VIRTIO_ISR_CONFIG 2u /* configuration change notification */

/* Device status (2.1). */
#define VIRTIO_CONFIG_S_ACKNOWLEDGE 1u
#define VIRTIO_CONFIG_S_DRIVER	    2u
#define VIRTIO_CONFIG_S_DRIVER_OK   4u
#define VIRTIO_CONFIG_S_FEATURES_OK 8u
#define VIRTIO_CONFIG_S_NEEDS_RESET 0x40u
#define VIRTIO_CONFIG_S_FAILED	    0x80u

/* Reserved feature bits (6). */
#define VIRTIO_RING_F_INDIRECT_DESC 28
#define VIRTIO_RING_F_EVENT_IDX	    29
#define VIRTIO_F_VERSION_1	    32

/* Split virtqueue flags (2.7.5, 2.7.6, 2.7.8). */
#define VIRTQ_DESC_F_NEXT	   1u
#define VIRTQ_DESC_F_WRITE	   2u
#define VIRTQ_DESC_F_INDIRECT	   4u
#define VIRTQ_AVAIL_F_NO_INTERRUPT 1u
#define VIRTQ_USED_F_NO_NOTIFY	   1u

/* QueueNumMax, as QEMU's virtio-blk (queue-size=256). */
#define VIRTQ_NUM_MAX 256u
/* The largest indirect table accepted, in descriptors (QEMU's
 * VIRTQUEUE_MAX_SIZE). */
#define VIRTQ_INDIRECT_MAX 1024u
#define VIRTIO_MAX_QUEUES  8u

struct virtio_dev;
struct vmstate_out;
struct vmstate_in;

/* Virtio structures are little-endian (1.2 section 1.4); these also work
 * at any alignment. */
static inline uint16_t virtio_le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static inline uint32_t virtio_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static inline uint64_t virtio_le64(const uint8_t *p)
{
	return virtio_le32(p) | (uint64_t)virtio_le32(p + 4) << 32;
}

static inline void virtio_put_le16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static inline void virtio_put_le32(uint8_t *p, uint32_t v)
{
	virtio_put_le16(p, (uint16_t)v);
	virtio_put_le16(p + 2, (uint16_t)(v >> 16));
}

static inline void virtio_put_le64(uint8_t *p, uint64_t v)
{
	virtio_put_le32(p, (uint32_t)v);
	virtio_put_le32(p + 4, (uint32_t)(v >> 32));
}

/* One buffer of a chain. host is NULL when the buffer is unusable (outside
 * RAM or empty); the element is then marked bad. Whoever writes through
 * host calls machine_ram_written for the bytes written: translated code
 * decoded from them is stale. */
struct virtq_buf {
	uint8_t *host;
	uint64_t pa;
	uint32_t len;
	bool writable; /* VIRTQ_DESC_F_WRITE: device-writable */
};

/* A popped descriptor chain: readable buffers buf[0, n_out), then writable
 * buffers buf[n_out, n_buf). The array belongs to the transport and is valid
 * until the next virtq_pop on that device. */
struct virtq_elem {
	uint16_t head; /* descriptor index, for the used ring */
	bool bad;      /* a buffer is unusable, or readable after writable */
	struct virtq_buf *buf;
	unsigned n_buf;
	unsigned n_out;
	uint64_t out_len; /* total readable bytes */
	uint64_t in_len;  /* total writable bytes */
};

struct virtio_device_ops {
	uint32_t device_id;   /* 5: e.g. 2 = block device */
	uint64_t features;    /* device-type bits; the transport adds its own */
	unsigned num_queues;  /* at most VIRTIO_MAX_QUEUES */
	uint32_t config_size; /* bytes of device-specific config space */
	/* Config space access, little-endian, size 1/2/4/8, always within
	 * config_size. config_write may be NULL (read-only config). */
	uint64_t (*config_read)(void *opaque, uint32_t offset, unsigned size);
	void (*config_write)(void *opaque, uint32_t offset, unsigned size, uint64_t val);
	/* The driver notified a live queue after DRIVER_OK. */
	void (*queue_notify)(void *opaque, struct virtio_dev *vd, unsigned queue);
	/* Device reset (Status = 0); may be NULL. */
	void (*reset)(void *opaque);
	/* Free the device state at virtio_dev_free; may be NULL. */
	void (*free)(void *opaque);
	/* QueueNumMax of every queue; 0: VIRTQ_NUM_MAX. */
	uint32_t queue_num_max;
	/* savevm/loadvm of the device's own state, after the transport's;
	 * may be NULL (nothing beyond the transport's). */
	void (*save)(void *opaque, struct vmstate_out *o);
	void (*load)(void *opaque, struct vmstate_in *in);
};

/* A device of `ops` (which must outlive it) for `opaque`, not yet on a
 * transport. NULL with a message on failure. */
struct virtio_dev *virtio_dev_new(struct machine *m, const struct virtio_device_ops *ops,
				  void *opaque);

/* Free the device and (ops->free) its type's state. Only once the machine
 * no longer runs. */
void virtio_dev_free(struct virtio_dev *vd);

/* The features both sides agreed on. */
uint64_t virtio_dev_features(const struct virtio_dev *vd);

/* Device status, for tests and the device. */
uint32_t virtio_dev_status(const struct virtio_dev *vd);

/* Enter DEVICE_NEEDS_RESET (2.1.2): stop processing every queue and send a
 * configuration change notification if the driver is running. */
void virtio_dev_needs_reset(struct virtio_dev *vd);

/* May the device use `queue` now: set up, DRIVER_OK, no NEEDS_RESET? For a
 * device that serves a queue later than at its notification. */
bool virtio_dev_queue_ready(const struct virtio_dev *vd, unsigned queue);

enum virtq_pop_result {
	VIRTQ_POP_EMPTY,  /* nothing available */
	VIRTQ_POP_OK,	  /* *elem filled; check elem->bad */
	VIRTQ_POP_BROKEN, /* the queue is unusable; the device now NEEDS_RESET */
};

/* Take the next available chain of `queue` and validate all of it
 * (2.7.13.2). */
enum virtq_pop_result virtq_pop(struct virtio_dev *vd, unsigned queue, struct virtq_elem *elem);

/* Give the chain the last virtq_pop took back to the available ring, as
 * if it had not been taken: a device that cannot serve it yet (no data)
 * takes it again later. Only right after that pop. */
void virtq_unpop(struct virtio_dev *vd, unsigned queue);

/* Return a chain to the driver through the used ring (2.7.8), `written`
 * being the bytes the device wrote to its writable buffers. */
void virtq_push(struct virtio_dev *vd, unsigned queue, const struct virtq_elem *elem,
		uint32_t written);

/* After a batch of pushes: send the used buffer notification unless the
 * driver suppressed it (2.7.7.2, 2.7.10). */
void virtq_notify_used(struct virtio_dev *vd, unsigned queue);

/* Scatter-gather copies between a chain and a host buffer: `offset` counts
 * from the start of the readable (copy_from) or writable (copy_to) bytes.
 * They return the bytes copied, less than `len` at the end of the buffers.
 * Only for elements that are not bad. copy_to reports what it wrote
 * (machine_ram_written); a device that writes a buffer through its host
 * pointer itself reports it the same way. */
uint64_t virtq_copy_from(const struct virtq_elem *elem, uint64_t offset, void *dst, uint64_t len);
uint64_t virtq_copy_to(struct virtio_dev *vd, const struct virtq_elem *elem, uint64_t offset,
		       const void *src, uint64_t len);

/* ---- for transports only ---- */

/* One queue as the driver set it up through the transport's registers. */
struct virtq {
	uint32_t num;		       /* queue size */
	bool ready;		       /* modern: queue_enable / QueueReady */
	uint32_t pfn;		       /* legacy: page frame number, 0 = not in use */
	uint32_t align;		       /* legacy: QueueAlign */
	uint64_t desc, driver, device; /* modern: ring addresses */
	uint16_t last_avail;	       /* next avail ring entry the device takes */
	uint16_t used_idx;	 /* the device's used->idx (the guest's copy is not trusted) */
	uint16_t signalled_used; /* used_idx when the driver was last considered for an interrupt */
};

struct virtio_dev {
	struct machine *m;
	const struct virtio_device_ops *ops;
	void *opaque;
	/* The transport: the legacy interface (rings from a PFN, no
	 * FEATURES_OK, no VERSION_1), and who drives the interrupt line
	 * from isr. */
	bool legacy;
	void (*isr_changed)(void *transport);
	void *transport;

	uint64_t host_features;	   /* offered: device bits + transport bits */
	uint64_t driver_features;  /* as written by the driver */
	uint32_t status;	   /* VIRTIO_CONFIG_S_* */
	uint32_t isr;		   /* VIRTIO_ISR_* */
	unsigned guest_page_shift; /* legacy: log2 of the page size of a PFN */

	struct virtq vq[VIRTIO_MAX_QUEUES];
	/* Storage for the chain virtq_pop hands out: at most VIRTQ_NUM_MAX
	 * direct descriptors, the last of which may point to an indirect table. */
	struct virtq_buf bufs[VIRTQ_NUM_MAX + VIRTQ_INDIRECT_MAX];
};

/* Put the device on a transport: `legacy` as above; isr_changed(transport)
 * is called whenever isr changes. Resets the device. */
void virtio_dev_bind(struct virtio_dev *vd, bool legacy, void (*isr_changed)(void *),
		     void *transport);

/* Status = 0 (2.4), and the other status writes (2.1, 3.1.1). */
void virtio_dev_reset(struct virtio_dev *vd);
void virtio_dev_set_status(struct virtio_dev *vd, uint32_t val);

/* 32 bits of the offered features, or write 32 bits of the driver's
 * (ignored once FEATURES_OK is set, 3.1.1); `word` 0 or 1, others read 0
 * and are ignored. */
uint32_t virtio_dev_host_features(const struct virtio_dev *vd, uint32_t word);
void virtio_dev_set_driver_features(struct virtio_dev *vd, uint32_t word, uint32_t val);

/* Clear isr bits (virtio-mmio's InterruptAck); the PCI ISR is
 * read-to-clear: virtio_dev_take_isr. */
void virtio_dev_ack_isr(struct virtio_dev *vd, uint32_t bits);
uint32_t virtio_dev_take_isr(struct virtio_dev *vd);

/* The queue `sel`, or NULL when the device has no such queue. */
struct virtq *virtio_dev_queue(struct virtio_dev *vd, uint32_t sel);
uint32_t virtio_dev_queue_num_max(const struct virtio_dev *vd);
/* Set up by the driver: ready (modern) or a PFN (legacy). */
bool virtio_dev_queue_live(const struct virtio_dev *vd, const struct virtq *q);
/* The driver starts a queue over at index 0 (new rings). */
void virtio_dev_queue_restart(struct virtq *q);

/* The driver notified queue `queue`: hand it to the device if it may run. */
void virtio_dev_notify(struct virtio_dev *vd, uint32_t queue);

/* Config space (2.5) at `offset`: out-of-range or odd-sized accesses read
 * 0 and are ignored. */
uint64_t virtio_dev_config_read(struct virtio_dev *vd, uint64_t offset, unsigned size);
void virtio_dev_config_write(struct virtio_dev *vd, uint64_t offset, unsigned size, uint64_t val);

/* savevm/loadvm (core/vmstate.h) of the device, after the transport's own
 * registers; load re-drives the interrupt through isr_changed. */
void virtio_dev_save(struct virtio_dev *vd, struct vmstate_out *o);
void virtio_dev_load(struct virtio_dev *vd, struct vmstate_in *in);

#endif
