/*
 * A virtio device apart from its transport (see virtio.h): features,
 * status and reset, the interrupt status, config space bounds, and split
 * virtqueues (virtio 1.2 section 2.7). This file reads in the order a
 * driver uses a device: features and status, then the rings.
 */
#include "virtio.h"
#include "core/vmstate.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define VIRTQ_DESC_SIZE	   16u
#define LEGACY_QUEUE_ALIGN 4096u /* QEMU's default before the driver writes QueueAlign */

struct virtio_dev *virtio_dev_new(struct machine *m, const struct virtio_device_ops *ops,
				  void *opaque)
{
	if (ops->num_queues > VIRTIO_MAX_QUEUES || ops->queue_num_max > VIRTQ_NUM_MAX) {
		fprintf(stderr, "rvjit: virtio device %u: too many queues\n", ops->device_id);
		return NULL;
	}
	struct virtio_dev *vd = calloc(1, sizeof(*vd));
	if (!vd) {
		fprintf(stderr, "rvjit: out of memory\n");
		return NULL;
	}
	vd->m = m;
	vd->ops = ops;
	vd->opaque = opaque;
	vd->guest_page_shift = 12; /* until a legacy driver says otherwise */
	return vd;
}

void virtio_dev_bind(struct virtio_dev *vd, bool legacy, void (*isr_changed)(void *),
		     void *transport)
{
	vd->legacy = legacy;
	vd->isr_changed = isr_changed;
	vd->transport = transport;
	vd->host_features = vd->ops->features | 1ULL << VIRTIO_RING_F_INDIRECT_DESC |
			    1ULL << VIRTIO_RING_F_EVENT_IDX;
	if (!legacy)
		vd->host_features |= 1ULL << VIRTIO_F_VERSION_1;
	virtio_dev_reset(vd);
}

void virtio_dev_free(struct virtio_dev *vd)
{
	if (!vd)
		return;
	if (vd->ops->free)
		vd->ops->free(vd->opaque);
	free(vd);
}

static void isr_changed(struct virtio_dev *vd)
{
	if (vd->isr_changed)
		vd->isr_changed(vd->transport);
}

/* ---- features and status (2.1, 2.2, 3.1) ---- */

uint64_t virtio_dev_features(const struct virtio_dev *vd)
{
	return vd->driver_features & vd->host_features;
}

uint32_t virtio_dev_status(const struct virtio_dev *vd)
{
	return vd->status;
}

static bool has_feature(const struct virtio_dev *vd, unsigned bit)
{
	return (virtio_dev_features(vd) >> bit) & 1;
}

uint32_t virtio_dev_host_features(const struct virtio_dev *vd, uint32_t word)
{
	return word > 1 ? 0 : (uint32_t)(vd->host_features >> (32 * word));
}

void virtio_dev_set_driver_features(struct virtio_dev *vd, uint32_t word, uint32_t val)
{
	/* Features are fixed once FEATURES_OK is set (3.1.1). */
	if (word > 1 || (vd->status & VIRTIO_CONFIG_S_FEATURES_OK))
		return;
	const unsigned shift = 32 * word;
	vd->driver_features = (vd->driver_features & ~(0xffffffffULL << shift)) | (uint64_t)val
										      << shift;
}

void virtio_dev_needs_reset(struct virtio_dev *vd)
{
	if (vd->status & VIRTIO_CONFIG_S_NEEDS_RESET)
		return;
	vd->status |= VIRTIO_CONFIG_S_NEEDS_RESET;
	/* 2.1.2: "If DRIVER_OK is set, after it sets DEVICE_NEEDS_RESET, the
	 * device MUST send a device configuration change notification." */
	if (vd->status & VIRTIO_CONFIG_S_DRIVER_OK) {
		vd->isr |= VIRTIO_ISR_CONFIG;
		isr_changed(vd);
	}
}

void virtio_dev_reset(struct virtio_dev *vd)
{
	if (vd->ops->reset)
		vd->ops->reset(vd->opaque);
	vd->driver_features = 0;
	vd->status = 0;
	vd->isr = 0;
	memset(vd->vq, 0, sizeof(vd->vq));
	for (unsigned i = 0; i < VIRTIO_MAX_QUEUES; i++)
		vd->vq[i].align = LEGACY_QUEUE_ALIGN;
	/* guest_page_shift survives: Linux writes GuestPageSize once at
	 * probe, before the reset that starts driver initialisation. */
	isr_changed(vd);
}

void virtio_dev_set_status(struct virtio_dev *vd, uint32_t val)
{
	if (val == 0) {
		virtio_dev_reset(vd);
		return;
	}
	/* 3.1.1 step 5: the device accepts FEATURES_OK only for a subset of
	 * what it offered. It does not insist on VERSION_1 (6.1 allows it):
	 * xv6 never writes the high feature word, and QEMU lets it run. Legacy
	 * has no FEATURES_OK handshake. */
	if (!vd->legacy && (val & VIRTIO_CONFIG_S_FEATURES_OK) &&
	    !(vd->status & VIRTIO_CONFIG_S_FEATURES_OK) &&
	    (vd->driver_features & ~vd->host_features))
		val &= ~VIRTIO_CONFIG_S_FEATURES_OK;
	vd->status = (val & 0xff) | (vd->status & VIRTIO_CONFIG_S_NEEDS_RESET);
}

void virtio_dev_ack_isr(struct virtio_dev *vd, uint32_t bits)
{
	vd->isr &= ~bits;
	isr_changed(vd);
}

uint32_t virtio_dev_take_isr(struct virtio_dev *vd)
{
	const uint32_t isr = vd->isr;
	vd->isr = 0;
	isr_changed(vd);
	return isr;
}

/* ---- config space (2.5) ---- */

static bool config_access_ok(const struct virtio_dev *vd, uint64_t off, unsigned size)
{
	return (size == 1 || size == 2 || size == 4 || size == 8) && off < vd->ops->config_size &&
	       size <= vd->ops->config_size - off;
}

uint64_t virtio_dev_config_read(struct virtio_dev *vd, uint64_t offset, unsigned size)
{
	if (!config_access_ok(vd, offset, size))
		return 0;
	return vd->ops->config_read(vd->opaque, (uint32_t)offset, size);
}

void virtio_dev_config_write(struct virtio_dev *vd, uint64_t offset, unsigned size, uint64_t val)
{
	if (vd->ops->config_write && config_access_ok(vd, offset, size))
		vd->ops->config_write(vd->opaque, (uint32_t)offset, size, val);
}

/* ---- queue setup ---- */

struct virtq *virtio_dev_queue(struct virtio_dev *vd, uint32_t sel)
{
	return sel < vd->ops->num_queues ? &vd->vq[sel] : NULL;
}

uint32_t virtio_dev_queue_num_max(const struct virtio_dev *vd)
{
	return vd->ops->queue_num_max ? vd->ops->queue_num_max : VIRTQ_NUM_MAX;
}

bool virtio_dev_queue_live(const struct virtio_dev *vd, const struct virtq *q)
{
	return vd->legacy ? q->pfn != 0 : q->ready;
}

void virtio_dev_queue_restart(struct virtq *q)
{
	q->last_avail = q->used_idx = q->signalled_used = 0;
}

void virtio_dev_notify(struct virtio_dev *vd, uint32_t queue)
{
	/* Without VIRTIO_F_NOTIFICATION_DATA the value is the queue index. */
	if (queue >= vd->ops->num_queues || !virtio_dev_queue_live(vd, &vd->vq[queue]))
		return;
	if (vd->status & VIRTIO_CONFIG_S_NEEDS_RESET)
		return;
	/* 3.1.1: no buffers are consumed before DRIVER_OK. QEMU does not wait
	 * for it in legacy mode, and some legacy drivers rely on that. */
	if (!vd->legacy && !(vd->status & VIRTIO_CONFIG_S_DRIVER_OK))
		return;
	vd->ops->queue_notify(vd->opaque, vd, queue);
}

/* ---- split virtqueues (2.7) ---- */

/* Guest RAM for [pa, pa+len), or NULL: DMA never reaches ROM or devices. */
static uint8_t *dma_ptr(struct virtio_dev *vd, uint64_t pa, uint64_t len)
{
	return machine_host_ptr(vd->m, pa, len, true);
}

struct virtq_rings {
	uint8_t *desc;	  /* 16 * num */
	uint8_t *avail;	  /* flags, idx, ring[num], used_event */
	uint8_t *used;	  /* flags, idx, ring[num] of {id, len}, avail_event */
	uint64_t used_pa; /* the device writes the used ring: it reports those writes */
	uint16_t num;
};

/*
 * The rings' indexes, flags and event fields are written by one side
 * while the other reads them (2.7.6, 2.7.10, 2.7.13): each is one 16-bit
 * access. Two byte accesses, which virtio_le16 and virtio_put_le16 may
 * compile to (they do in the sanitizer build), can be seen half old and
 * half new: a used index that jumps 255 back, which sent Linux's
 * virtio-net into an endless loop freeing transmit buffers. A ring
 * misaligned by a hostile driver takes the byte path. The host is
 * little-endian, as the rings are.
 */
static uint16_t ring_read16(const uint8_t *p)
{
	if ((uintptr_t)p & 1)
		return virtio_le16(p);
	return __atomic_load_n((const uint16_t *)(const void *)p, __ATOMIC_RELAXED);
}

static void ring_write16(uint8_t *p, uint16_t v)
{
	if ((uintptr_t)p & 1)
		virtio_put_le16(p, v);
	else
		__atomic_store_n((uint16_t *)(void *)p, v, __ATOMIC_RELAXED);
}

/* 2.7.10: avail_event, the driver's next available buffer that should
 * notify the device. */
static void set_avail_event(struct virtio_dev *vd, const struct virtq_rings *r, uint16_t idx)
{
	ring_write16(r->used + 4 + 8 * r->num, idx);
	machine_ram_written(vd->m, r->used_pa + 4 + 8 * r->num, 2);
}

/* Where the three rings are, all of them checked to be RAM (2.7.2). */
static bool virtq_map(struct virtio_dev *vd, const struct virtq *q, struct virtq_rings *r)
{
	const uint64_t num = q->num;
	/* 2.7: the size of a split queue is a power of two. */
	if (num == 0 || num > virtio_dev_queue_num_max(vd) || (num & (num - 1)))
		return false;
	uint64_t desc, avail, used;
	if (vd->legacy) {
		/* 2.7.2 legacy layout: descriptors, then the available ring,
		 * then the used ring at the next QueueAlign boundary. */
		if (q->align == 0)
			return false;
		desc = (uint64_t)q->pfn << vd->guest_page_shift;
		avail = desc + VIRTQ_DESC_SIZE * num;
		const uint64_t avail_end = avail + 6 + 2 * num;
		used = (avail_end + q->align - 1) / q->align * q->align;
	} else {
		desc = q->desc;
		avail = q->driver;
		used = q->device;
	}
	r->desc = dma_ptr(vd, desc, VIRTQ_DESC_SIZE * num);
	r->avail = dma_ptr(vd, avail, 6 + 2 * num);
	r->used = dma_ptr(vd, used, 6 + 8 * num);
	r->used_pa = used;
	r->num = (uint16_t)num;
	return r->desc && r->avail && r->used;
}

/* Append one buffer of the chain; an unusable one marks the element bad
 * but the walk goes on, so the device can still find the status byte. */
static void add_buf(struct virtio_dev *vd, struct virtq_elem *e, uint64_t addr, uint32_t len,
		    bool writable)
{
	struct virtq_buf *b = &e->buf[e->n_buf++];
	b->pa = addr;
	b->len = len;
	b->writable = writable;
	/* QEMU refuses zero-sized buffers too. */
	b->host = len ? dma_ptr(vd, addr, len) : NULL;
	if (!b->host)
		e->bad = true;
	if (writable) {
		e->in_len += len;
	} else {
		/* 2.7.4.2: readable buffers come before writable ones. */
		if (e->in_len || e->n_out != e->n_buf - 1)
			e->bad = true;
		else
			e->n_out = e->n_buf;
		e->out_len += len;
	}
}

/* Walk the chain starting at `head` (2.7.5). False when its shape cannot be
 * trusted. Every loop is bounded by a descriptor count, so a cyclic chain
 * ends as an error instead of hanging the emulator. */
static bool walk_chain(struct virtio_dev *vd, const struct virtq_rings *r, uint16_t head,
		       struct virtq_elem *e)
{
	const uint8_t *table = r->desc;
	unsigned table_num = r->num;
	unsigned idx = head;
	unsigned seen = 0;
	bool indirect = false;

	for (;;) {
		/* 2.7.5.3.1 / 2.7.5.3.2: a chain is never longer than its table. */
		if (++seen > table_num)
			return false;
		const uint8_t *d = table + VIRTQ_DESC_SIZE * idx;
		const uint64_t addr = virtio_le64(d);
		const uint32_t len = virtio_le32(d + 8);
		const uint16_t flags = virtio_le16(d + 12);
		const uint16_t next = virtio_le16(d + 14);

		if (flags & VIRTQ_DESC_F_INDIRECT) {
			/* 2.7.5.3.1: only with the feature, never inside an
			 * indirect table, never together with NEXT. */
			if (indirect || (flags & VIRTQ_DESC_F_NEXT) ||
			    !has_feature(vd, VIRTIO_RING_F_INDIRECT_DESC))
				return false;
			if (len == 0 || len % VIRTQ_DESC_SIZE ||
			    len / VIRTQ_DESC_SIZE > VIRTQ_INDIRECT_MAX)
				return false;
			table = dma_ptr(vd, addr, len);
			if (!table)
				return false;
			table_num = len / VIRTQ_DESC_SIZE;
			idx = 0;
			seen = 0;
			indirect = true;
			continue;
		}
		add_buf(vd, e, addr, len, flags & VIRTQ_DESC_F_WRITE);
		if (!(flags & VIRTQ_DESC_F_NEXT))
			return true;
		idx = next;
		if (idx >= table_num)
			return false;
	}
}

enum virtq_pop_result virtq_pop(struct virtio_dev *vd, unsigned queue, struct virtq_elem *elem)
{
	struct virtq *q = &vd->vq[queue];
	struct virtq_rings r;
	if (vd->status & VIRTIO_CONFIG_S_NEEDS_RESET)
		return VIRTQ_POP_BROKEN;
	if (!virtq_map(vd, q, &r))
		goto broken;

	const uint16_t avail_idx = ring_read16(r.avail + 2);
	/* Read the ring entries only after the index that publishes them. */
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	const uint16_t pending = (uint16_t)(avail_idx - q->last_avail);
	if (pending > r.num)
		goto broken; /* the driver cannot have made more than num available */
	if (pending == 0)
		return VIRTQ_POP_EMPTY;

	const uint16_t head = ring_read16(r.avail + 4 + 2 * (q->last_avail % r.num));
	q->last_avail++;
	/* 2.7.10: with EVENT_IDX, avail_event asks to be notified of the next
	 * buffer; processing is synchronous, so we always want it. */
	if (has_feature(vd, VIRTIO_RING_F_EVENT_IDX))
		set_avail_event(vd, &r, q->last_avail);
	if (head >= r.num)
		goto broken;

	memset(elem, 0, sizeof(*elem));
	elem->head = head;
	elem->buf = vd->bufs;
	if (!walk_chain(vd, &r, head, elem))
		goto broken;
	return VIRTQ_POP_OK;

broken:
	virtio_dev_needs_reset(vd);
	return VIRTQ_POP_BROKEN;
}

void virtq_unpop(struct virtio_dev *vd, unsigned queue)
{
	struct virtq *q = &vd->vq[queue];
	struct virtq_rings r;
	q->last_avail--;
	/* avail_event as it was: the chain is still to be taken. */
	if (has_feature(vd, VIRTIO_RING_F_EVENT_IDX) && virtq_map(vd, q, &r))
		set_avail_event(vd, &r, q->last_avail);
}

bool virtio_dev_queue_ready(const struct virtio_dev *vd, unsigned queue)
{
	return queue < vd->ops->num_queues && virtio_dev_queue_live(vd, &vd->vq[queue]) &&
	       (vd->status & VIRTIO_CONFIG_S_DRIVER_OK) &&
	       !(vd->status & VIRTIO_CONFIG_S_NEEDS_RESET);
}

void virtq_push(struct virtio_dev *vd, unsigned queue, const struct virtq_elem *elem,
		uint32_t written)
{
	struct virtq *q = &vd->vq[queue];
	struct virtq_rings r;
	if (!virtq_map(vd, q, &r)) {
		virtio_dev_needs_reset(vd);
		return;
	}
	const uint64_t ent_off = 4 + 8 * (uint64_t)(q->used_idx % r.num);
	virtio_put_le32(r.used + ent_off, elem->head);
	virtio_put_le32(r.used + ent_off + 4, written);
	machine_ram_written(vd->m, r.used_pa + ent_off, 8);
	/* 2.7.8.2: the entry is visible before the index that publishes it. */
	__atomic_thread_fence(__ATOMIC_RELEASE);
	q->used_idx++;
	ring_write16(r.used + 2, q->used_idx);
	machine_ram_written(vd->m, r.used_pa + 2, 2);
}

/* 2.7.10: vring_need_event() - has new_idx passed event since old_idx? */
static bool need_event(uint16_t event, uint16_t new_idx, uint16_t old_idx)
{
	return (uint16_t)(new_idx - event - 1) < (uint16_t)(new_idx - old_idx);
}

void virtq_notify_used(struct virtio_dev *vd, unsigned queue)
{
	struct virtq *q = &vd->vq[queue];
	struct virtq_rings r;
	const uint16_t old = q->signalled_used;
	q->signalled_used = q->used_idx;
	if (old == q->used_idx || !virtq_map(vd, q, &r))
		return;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	bool notify;
	if (has_feature(vd, VIRTIO_RING_F_EVENT_IDX))
		notify = need_event(ring_read16(r.avail + 4 + 2 * r.num), q->used_idx, old);
	else
		notify = !(ring_read16(r.avail) & VIRTQ_AVAIL_F_NO_INTERRUPT);
	if (notify) {
		vd->isr |= VIRTIO_ISR_VRING;
		isr_changed(vd);
	}
}

/* Walk the buffers [first, end) of a chain from byte `offset` of them on,
 * moving up to len bytes between them and `mem`: into the guest (the
 * device-writable buffers, vd told of the write) or out of it. */
static uint64_t copy_chain(struct virtio_dev *vd, const struct virtq_elem *elem, unsigned first,
			   unsigned end, uint64_t offset, uint8_t *mem, uint64_t len, bool to_guest)
{
	uint64_t done = 0;
	for (unsigned i = first; i < end && done < len; i++) {
		const struct virtq_buf *b = &elem->buf[i];
		if (offset >= b->len) {
			offset -= b->len;
			continue;
		}
		uint64_t n = b->len - offset;
		if (n > len - done)
			n = len - done;
		if (to_guest) {
			memcpy(b->host + offset, mem + done, n);
			machine_ram_written(vd->m, b->pa + offset, n);
		} else {
			memcpy(mem + done, b->host + offset, n);
		}
		done += n;
		offset = 0;
	}
	return done;
}

uint64_t virtq_copy_from(const struct virtq_elem *elem, uint64_t offset, void *dst, uint64_t len)
{
	return copy_chain(NULL, elem, 0, elem->n_out, offset, dst, len, false);
}

uint64_t virtq_copy_to(struct virtio_dev *vd, const struct virtq_elem *elem, uint64_t offset,
		       const void *src, uint64_t len)
{
	/* copy_chain only reads `mem` in this direction. */
	return copy_chain(vd, elem, elem->n_out, elem->n_buf, offset, (uint8_t *)(uintptr_t)src,
			  len, true);
}

/* The snapshot state (core/vmstate.h): what the driver set and what the
 * device keeps between accesses, not its configuration. */
void virtio_dev_save(struct virtio_dev *vd, struct vmstate_out *o)
{
	VMSTATE_PUT(o, vd->driver_features);
	VMSTATE_PUT(o, vd->status);
	VMSTATE_PUT(o, vd->isr);
	VMSTATE_PUT(o, vd->guest_page_shift);
	VMSTATE_PUT(o, vd->vq); /* plain numbers: sizes, ring addresses, indices */
	if (vd->ops->save)
		vd->ops->save(vd->opaque, o);
}

void virtio_dev_load(struct virtio_dev *vd, struct vmstate_in *in)
{
	VMSTATE_GET(in, vd->driver_features);
	VMSTATE_GET(in, vd->status);
	VMSTATE_GET(in, vd->isr);
	VMSTATE_GET(in, vd->guest_page_shift);
	VMSTATE_GET(in, vd->vq);
	isr_changed(vd);
	if (vd->ops->load)
		vd->ops->load(vd->opaque, in);
}
