/*
 * The virtio-mmio transport (virtio 1.2, section 4.2) and split virtqueues
 * (section 2.7), apart from any one device type. A device (virtio_blk.c)
 * fills a struct virtio_device_ops; the transport owns the registers, the
 * feature negotiation, the device status, the rings and the interrupt line.
 *
 * Two register layouts, chosen per instance at creation:
 *   modern (Version 2, 4.2.2): QueueReady, 64-bit QueueDesc/Driver/Device
 *     addresses, FEATURES_OK, VIRTIO_F_VERSION_1 offered. What xv6 asks for
 *     with `-global virtio-mmio.force-legacy=false`.
 *   legacy (Version 1, 4.2.4): GuestPageSize, QueuePFN, QueueAlign; the
 *     three rings are laid out contiguously from QueuePFN * GuestPageSize
 *     (2.7.2 "Legacy Interfaces: A Note on Virtqueue Layout"). QEMU's virt
 *     default.
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
 * Requests are processed synchronously when the driver writes QueueNotify,
 * on the thread of the hart that wrote it.
 */
#ifndef RVJIT_VIRTIO_MMIO_H
#define RVJIT_VIRTIO_MMIO_H

#include "core/machine.h"
#include "devices/irq.h"
#include <stdbool.h>
#include <stdint.h>

/* QEMU virt: eight slots from 0x10001000, 0x1000 apart, PLIC IRQ 1 + i. */
#define VIRTIO_MMIO_SIZE   0x1000
#define VIRTIO_MMIO_MAGIC  0x74726976u /* "virt" */
#define VIRTIO_MMIO_VENDOR 0x554d4551u /* "QEMU" */

/* Registers (4.2.2; legacy-only ones from 4.2.4). */
#define VIRTIO_MMIO_MAGIC_VALUE		0x000
#define VIRTIO_MMIO_VERSION		0x004
#define VIRTIO_MMIO_DEVICE_ID		0x008
#define VIRTIO_MMIO_VENDOR_ID		0x00c
#define VIRTIO_MMIO_DEVICE_FEATURES	0x010
#define VIRTIO_MMIO_DEVICE_FEATURES_SEL 0x014
#define VIRTIO_MMIO_DRIVER_FEATURES	0x020
#define VIRTIO_MMIO_DRIVER_FEATURES_SEL 0x024
#define VIRTIO_MMIO_GUEST_PAGE_SIZE	0x028 /* legacy */
#define VIRTIO_MMIO_QUEUE_SEL		0x030
#define VIRTIO_MMIO_QUEUE_NUM_MAX	0x034
#define VIRTIO_MMIO_QUEUE_NUM		0x038
#define VIRTIO_MMIO_QUEUE_ALIGN		0x03c /* legacy */
#define VIRTIO_MMIO_QUEUE_PFN		0x040 /* legacy */
#define VIRTIO_MMIO_QUEUE_READY		0x044
#define VIRTIO_MMIO_QUEUE_NOTIFY	0x050
#define VIRTIO_MMIO_INTERRUPT_STATUS	0x060
#define VIRTIO_MMIO_INTERRUPT_ACK	0x064
#define VIRTIO_MMIO_STATUS		0x070
#define VIRTIO_MMIO_QUEUE_DESC_LOW	0x080
#define VIRTIO_MMIO_QUEUE_DESC_HIGH	0x084
#define VIRTIO_MMIO_QUEUE_DRIVER_LOW	0x090
#define VIRTIO_MMIO_QUEUE_DRIVER_HIGH	0x094
#define VIRTIO_MMIO_QUEUE_DEVICE_LOW	0x0a0
#define VIRTIO_MMIO_QUEUE_DEVICE_HIGH	0x0a4
#define VIRTIO_MMIO_SHM_SEL		0x0ac
#define VIRTIO_MMIO_SHM_LEN_LOW		0x0b0
#define VIRTIO_MMIO_SHM_LEN_HIGH	0x0b4
#define VIRTIO_MMIO_SHM_BASE_LOW	0x0b8
#define VIRTIO_MMIO_SHM_BASE_HIGH	0x0bc
#define VIRTIO_MMIO_QUEUE_RESET		0x0c0
#define VIRTIO_MMIO_CONFIG_GENERATION	0x0fc
#define VIRTIO_MMIO_CONFIG		0x100

/* InterruptStatus bits (4.2.2). */
#define VIRTIO_MMIO_INT_VRING  1u /* used buffer notification */
#define VIRTIO_MMIO_INT_CONFIG 2u /* configuration change notification */

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
#define VIRTQ_INDIRECT_MAX     1024u
#define VIRTIO_MMIO_MAX_QUEUES 8u

struct virtio_mmio;
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
	unsigned num_queues;  /* at most VIRTIO_MMIO_MAX_QUEUES */
	uint32_t config_size; /* bytes of config space at 0x100 */
	/* Config space access, little-endian, size 1/2/4/8, always within
	 * config_size. config_write may be NULL (read-only config). */
	uint64_t (*config_read)(void *opaque, uint32_t offset, unsigned size);
	void (*config_write)(void *opaque, uint32_t offset, unsigned size, uint64_t val);
	/* The driver wrote QueueNotify for a live queue after DRIVER_OK. */
	void (*queue_notify)(void *opaque, struct virtio_mmio *vm, unsigned queue);
	/* Device reset (Status = 0); may be NULL. */
	void (*reset)(void *opaque);
	/* Free the device state at virtio_mmio_free; may be NULL. */
	void (*free)(void *opaque);
	/* QueueNumMax of every queue; 0: VIRTQ_NUM_MAX. */
	uint32_t queue_num_max;
	/* savevm/loadvm of the device's own state, after the transport's;
	 * may be NULL (nothing beyond the transport's). */
	void (*save)(void *opaque, struct vmstate_out *o);
	void (*load)(void *opaque, struct vmstate_in *in);
};

/* Map a virtio-mmio device at `base` on m->bus (VIRTIO_MMIO_SIZE bytes).
 * `ops` must outlive the device. Returns NULL with a message on failure. */
struct virtio_mmio *virtio_mmio_new(struct machine *m, uint64_t base, struct irq_line irq,
				    bool legacy, const struct virtio_device_ops *ops, void *opaque);

/* Free the transport and (ops->free) the device. Only once the machine no
 * longer runs: the bus still points to it. */
void virtio_mmio_free(struct virtio_mmio *vm);

/* An unpopulated slot, as QEMU's virt board has: MagicValue and Version read
 * as usual, DeviceID reads 0 (4.2.3.1.1: "no device"), everything else reads
 * 0 and ignores writes. False if the bus refused it. */
bool virtio_mmio_empty(struct machine *m, uint64_t base, bool legacy);

/* Write a transport's device-tree node ("virtio,mmio", interrupt `irq` of
 * the interrupt controller with phandle `intc`). Empty slots get one too,
 * as on QEMU's virt: drivers find DeviceID 0 and skip them. */
struct fdt;
void virtio_mmio_fdt(struct fdt *f, uint64_t base, unsigned irq, uint32_t intc);

/* The features both sides agreed on. */
uint64_t virtio_mmio_features(const struct virtio_mmio *vm);

/* Device status, for tests and the device. */
uint32_t virtio_mmio_status(const struct virtio_mmio *vm);

/* Enter DEVICE_NEEDS_RESET (2.1.2): stop processing every queue and send a
 * configuration change notification if the driver is running. */
void virtio_mmio_needs_reset(struct virtio_mmio *vm);

enum virtq_pop_result {
	VIRTQ_POP_EMPTY,  /* nothing available */
	VIRTQ_POP_OK,	  /* *elem filled; check elem->bad */
	VIRTQ_POP_BROKEN, /* the queue is unusable; the device now NEEDS_RESET */
};

/* Take the next available chain of `queue` and validate all of it
 * (2.7.13.2). */
enum virtq_pop_result virtq_pop(struct virtio_mmio *vm, unsigned queue, struct virtq_elem *elem);

/* Give the chain the last virtq_pop took back to the available ring, as
 * if it had not been taken: a device that cannot serve it yet (no data)
 * takes it again later. Only right after that pop. */
void virtq_unpop(struct virtio_mmio *vm, unsigned queue);

/* May the device use `queue` now: set up, DRIVER_OK, no NEEDS_RESET? For a
 * device that serves a queue later than at its notification. */
bool virtio_mmio_queue_ready(const struct virtio_mmio *vm, unsigned queue);

/* Return a chain to the driver through the used ring (2.7.8), `written`
 * being the bytes the device wrote to its writable buffers. */
void virtq_push(struct virtio_mmio *vm, unsigned queue, const struct virtq_elem *elem,
		uint32_t written);

/* After a batch of pushes: send the used buffer notification unless the
 * driver suppressed it (2.7.7.2, 2.7.10). */
void virtq_notify_used(struct virtio_mmio *vm, unsigned queue);

/* Scatter-gather copies between a chain and a host buffer: `offset` counts
 * from the start of the readable (copy_from) or writable (copy_to) bytes.
 * They return the bytes copied, less than `len` at the end of the buffers.
 * Only for elements that are not bad. copy_to reports what it wrote
 * (machine_ram_written); a device that writes a buffer through its host
 * pointer itself reports it the same way. */
uint64_t virtq_copy_from(const struct virtq_elem *elem, uint64_t offset, void *dst, uint64_t len);
uint64_t virtq_copy_to(struct virtio_mmio *vm, const struct virtq_elem *elem, uint64_t offset,
		       const void *src, uint64_t len);

/* savevm/loadvm (core/vmstate.h): the device's state into or out of the
 * stream; load also re-drives its interrupt lines. */
void virtio_mmio_save(struct virtio_mmio *d, struct vmstate_out *o);
void virtio_mmio_load(struct virtio_mmio *d, struct vmstate_in *in);

#endif
