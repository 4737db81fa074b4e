/*
 * virtio-mmio transport and split virtqueues (virtio 1.2: 2.1 device
 * status, 2.2 features, 2.7 split virtqueues, 4.2 virtio over MMIO). See
 * virtio_mmio.h for the model; this file reads in the order a driver uses
 * the device: registers, status and reset, then the rings. A register
 * access QEMU 7.2 rejects (a read of a write-only register, a bad offset,
 * a legacy register in modern mode...) is answered as before, and logged
 * with -d guest_errors in QEMU's words.
 */
#include "virtio_mmio.h"
#include "core/guest_log.h"
#include "core/vmstate.h"
#include "fdt/fdt.h"
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define VIRTQ_DESC_SIZE	   16u
#define LEGACY_QUEUE_ALIGN 4096u /* QEMU's default before the driver writes QueueAlign */

struct virtq {
	uint32_t num;		       /* QueueNum */
	bool ready;		       /* modern: QueueReady */
	uint32_t pfn;		       /* legacy: QueuePFN, 0 = not in use */
	uint32_t align;		       /* legacy: QueueAlign */
	uint64_t desc, driver, device; /* modern: ring addresses */
	uint16_t last_avail;	       /* next avail ring entry the device takes */
	uint16_t used_idx;	 /* the device's used->idx (the guest's copy is not trusted) */
	uint16_t signalled_used; /* used_idx when the driver was last considered for an interrupt */
};

struct virtio_mmio {
	struct machine *m;
	struct irq_line irq;
	bool legacy;
	const struct virtio_device_ops *ops;
	void *opaque;

	uint64_t host_features;	  /* offered: device bits + transport bits */
	uint64_t driver_features; /* as written by the driver */
	uint32_t device_features_sel;
	uint32_t driver_features_sel;
	uint32_t queue_sel;
	uint32_t status;	   /* VIRTIO_CONFIG_S_* */
	uint32_t int_status;	   /* VIRTIO_MMIO_INT_* */
	unsigned guest_page_shift; /* legacy: log2(GuestPageSize) */

	struct virtq vq[VIRTIO_MMIO_MAX_QUEUES];
	/* Storage for the chain virtq_pop hands out: at most VIRTQ_NUM_MAX
	 * direct descriptors, the last of which may point to an indirect table. */
	struct virtq_buf bufs[VIRTQ_NUM_MAX + VIRTQ_INDIRECT_MAX];
};

static uint32_t queue_num_max(const struct virtio_mmio *vm)
{
	return vm->ops->queue_num_max ? vm->ops->queue_num_max : VIRTQ_NUM_MAX;
}

static bool has_feature(const struct virtio_mmio *vm, unsigned bit)
{
	return (virtio_mmio_features(vm) >> bit) & 1;
}

static struct virtq *selected_queue(struct virtio_mmio *vm)
{
	return vm->queue_sel < vm->ops->num_queues ? &vm->vq[vm->queue_sel] : NULL;
}

/* A queue the driver has set up: QueueReady (modern) or QueuePFN (legacy). */
static bool queue_live(const struct virtio_mmio *vm, const struct virtq *q)
{
	return vm->legacy ? q->pfn != 0 : q->ready;
}

/* ---- interrupt ---- */

static void update_irq(struct virtio_mmio *vm)
{
	irq_set(&vm->irq, vm->int_status != 0);
}

void virtio_mmio_needs_reset(struct virtio_mmio *vm)
{
	if (vm->status & VIRTIO_CONFIG_S_NEEDS_RESET)
		return;
	vm->status |= VIRTIO_CONFIG_S_NEEDS_RESET;
	/* 2.1.2: "If DRIVER_OK is set, after it sets DEVICE_NEEDS_RESET, the
	 * device MUST send a device configuration change notification." */
	if (vm->status & VIRTIO_CONFIG_S_DRIVER_OK) {
		vm->int_status |= VIRTIO_MMIO_INT_CONFIG;
		update_irq(vm);
	}
}

/* ---- status and reset (2.1, 3.1) ---- */

static void device_reset(struct virtio_mmio *vm)
{
	if (vm->ops->reset)
		vm->ops->reset(vm->opaque);
	vm->driver_features = 0;
	vm->device_features_sel = 0;
	vm->driver_features_sel = 0;
	vm->queue_sel = 0;
	vm->status = 0;
	vm->int_status = 0;
	memset(vm->vq, 0, sizeof(vm->vq));
	for (unsigned i = 0; i < VIRTIO_MMIO_MAX_QUEUES; i++)
		vm->vq[i].align = LEGACY_QUEUE_ALIGN;
	/* GuestPageSize survives: Linux writes it once at probe, before the
	 * reset that starts driver initialisation. */
	update_irq(vm);
}

static void write_status(struct virtio_mmio *vm, uint32_t val)
{
	if (val == 0) {
		device_reset(vm);
		return;
	}
	/* 3.1.1 step 5: the device accepts FEATURES_OK only for a subset of
	 * what it offered. It does not insist on VERSION_1 (6.1 allows it):
	 * xv6 never writes the high feature word, and QEMU lets it run. Legacy
	 * has no FEATURES_OK handshake. */
	if (!vm->legacy && (val & VIRTIO_CONFIG_S_FEATURES_OK) &&
	    !(vm->status & VIRTIO_CONFIG_S_FEATURES_OK) &&
	    (vm->driver_features & ~vm->host_features))
		val &= ~VIRTIO_CONFIG_S_FEATURES_OK;
	vm->status = (val & 0xff) | (vm->status & VIRTIO_CONFIG_S_NEEDS_RESET);
}

uint64_t virtio_mmio_features(const struct virtio_mmio *vm)
{
	return vm->driver_features & vm->host_features;
}

uint32_t virtio_mmio_status(const struct virtio_mmio *vm)
{
	return vm->status;
}

/* ---- registers (4.2.2, 4.2.4) ---- */

static bool config_access_ok(const struct virtio_mmio *vm, uint64_t off, unsigned size)
{
	return (size == 1 || size == 2 || size == 4 || size == 8) && off < vm->ops->config_size &&
	       size <= vm->ops->config_size - off;
}

/* -d guest_errors: QEMU 7.2's virtio-mmio complaint about a register
 * access, in its words ("virtio_mmio_read: bad register offset (0xd0)"). */
static void complain(const struct virtio_mmio *vm, const char *fn, const char *what,
		     uint64_t offset, const char *mode)
{
	log_device_access(vm->m, LOG_GUEST_ERRORS, "%s: %s (0x%" PRIx64 ")%s\n", fn, what, offset,
			  mode);
}

/* What QEMU says of reading `offset` (before rvjit answers it as usual). */
static void check_read(const struct virtio_mmio *vm, uint64_t offset)
{
	switch (offset) {
	case VIRTIO_MMIO_MAGIC_VALUE:
	case VIRTIO_MMIO_VERSION:
	case VIRTIO_MMIO_DEVICE_ID:
	case VIRTIO_MMIO_VENDOR_ID:
	case VIRTIO_MMIO_DEVICE_FEATURES:
	case VIRTIO_MMIO_QUEUE_NUM_MAX:
	case VIRTIO_MMIO_INTERRUPT_STATUS:
	case VIRTIO_MMIO_STATUS:
	case VIRTIO_MMIO_SHM_LEN_LOW:
	case VIRTIO_MMIO_SHM_LEN_HIGH:
		return;
	case VIRTIO_MMIO_QUEUE_PFN:
		if (!vm->legacy)
			complain(vm, "virtio_mmio_read", "read from legacy register", offset,
				 " in non-legacy mode");
		return;
	case VIRTIO_MMIO_QUEUE_READY:
	case VIRTIO_MMIO_CONFIG_GENERATION:
		if (vm->legacy)
			complain(vm, "virtio_mmio_read", "read from non-legacy register", offset,
				 " in legacy mode");
		return;
	case VIRTIO_MMIO_DEVICE_FEATURES_SEL:
	case VIRTIO_MMIO_DRIVER_FEATURES:
	case VIRTIO_MMIO_DRIVER_FEATURES_SEL:
	case VIRTIO_MMIO_GUEST_PAGE_SIZE:
	case VIRTIO_MMIO_QUEUE_SEL:
	case VIRTIO_MMIO_QUEUE_NUM:
	case VIRTIO_MMIO_QUEUE_ALIGN:
	case VIRTIO_MMIO_QUEUE_NOTIFY:
	case VIRTIO_MMIO_INTERRUPT_ACK:
	case VIRTIO_MMIO_QUEUE_DESC_LOW:
	case VIRTIO_MMIO_QUEUE_DESC_HIGH:
	case VIRTIO_MMIO_QUEUE_DRIVER_LOW:
	case VIRTIO_MMIO_QUEUE_DRIVER_HIGH:
	case VIRTIO_MMIO_QUEUE_DEVICE_LOW:
	case VIRTIO_MMIO_QUEUE_DEVICE_HIGH:
		complain(vm, "virtio_mmio_read", "read of write-only register", offset, "");
		return;
	default: /* QEMU 7.2 has no SHM_SEL, SHM_BASE or QUEUE_RESET */
		complain(vm, "virtio_mmio_read", "bad register offset", offset, "");
		return;
	}
}

/* What QEMU says of writing `offset` (before rvjit handles it as usual). */
static void check_write(const struct virtio_mmio *vm, uint64_t offset)
{
	switch (offset) {
	case VIRTIO_MMIO_DEVICE_FEATURES_SEL:
	case VIRTIO_MMIO_DRIVER_FEATURES:
	case VIRTIO_MMIO_DRIVER_FEATURES_SEL:
	case VIRTIO_MMIO_QUEUE_SEL:
	case VIRTIO_MMIO_QUEUE_NUM:
	case VIRTIO_MMIO_QUEUE_NOTIFY:
	case VIRTIO_MMIO_INTERRUPT_ACK:
	case VIRTIO_MMIO_STATUS:
		return;
	case VIRTIO_MMIO_GUEST_PAGE_SIZE:
	case VIRTIO_MMIO_QUEUE_ALIGN:
	case VIRTIO_MMIO_QUEUE_PFN:
		if (!vm->legacy)
			complain(vm, "virtio_mmio_write", "write to legacy register", offset,
				 " in non-legacy mode");
		return;
	case VIRTIO_MMIO_QUEUE_READY:
	case VIRTIO_MMIO_QUEUE_DESC_LOW:
	case VIRTIO_MMIO_QUEUE_DESC_HIGH:
	case VIRTIO_MMIO_QUEUE_DRIVER_LOW:
	case VIRTIO_MMIO_QUEUE_DRIVER_HIGH:
	case VIRTIO_MMIO_QUEUE_DEVICE_LOW:
	case VIRTIO_MMIO_QUEUE_DEVICE_HIGH:
		if (vm->legacy)
			complain(vm, "virtio_mmio_write", "write to non-legacy register", offset,
				 " in legacy mode");
		return;
	case VIRTIO_MMIO_MAGIC_VALUE:
	case VIRTIO_MMIO_VERSION:
	case VIRTIO_MMIO_DEVICE_ID:
	case VIRTIO_MMIO_VENDOR_ID:
	case VIRTIO_MMIO_DEVICE_FEATURES:
	case VIRTIO_MMIO_QUEUE_NUM_MAX:
	case VIRTIO_MMIO_INTERRUPT_STATUS:
	case VIRTIO_MMIO_CONFIG_GENERATION:
		complain(vm, "virtio_mmio_write", "write to read-only register", offset, "");
		return;
	default:
		complain(vm, "virtio_mmio_write", "bad register offset", offset, "");
		return;
	}
}

static uint64_t virtio_mmio_read(void *opaque, uint64_t offset, unsigned size)
{
	struct virtio_mmio *vm = opaque;
	if (offset >= VIRTIO_MMIO_CONFIG) {
		const uint64_t off = offset - VIRTIO_MMIO_CONFIG;
		if (!config_access_ok(vm, off, size))
			return 0;
		return vm->ops->config_read(vm->opaque, (uint32_t)off, size);
	}
	/* 4.2.2.2: the driver uses only 32-bit aligned accesses here. */
	if (size != 4 || (offset & 3)) {
		log_device_access(vm->m, LOG_GUEST_ERRORS,
				  "virtio_mmio_read: wrong size access to register!\n");
		return 0;
	}
	if (vm->m->log_mask & LOG_GUEST_ERRORS)
		check_read(vm, offset);
	const struct virtq *q = selected_queue(vm);
	switch (offset) {
	case VIRTIO_MMIO_MAGIC_VALUE:
		return VIRTIO_MMIO_MAGIC;
	case VIRTIO_MMIO_VERSION:
		return vm->legacy ? 1 : 2;
	case VIRTIO_MMIO_DEVICE_ID:
		return vm->ops->device_id;
	case VIRTIO_MMIO_VENDOR_ID:
		return VIRTIO_MMIO_VENDOR;
	case VIRTIO_MMIO_DEVICE_FEATURES:
		if (vm->device_features_sel > 1)
			return 0;
		return (uint32_t)(vm->host_features >> (32 * vm->device_features_sel));
	case VIRTIO_MMIO_QUEUE_NUM_MAX:
		/* 0 tells the driver the queue does not exist. */
		return q ? queue_num_max(vm) : 0;
	case VIRTIO_MMIO_QUEUE_NUM:
		return q ? q->num : 0;
	case VIRTIO_MMIO_QUEUE_PFN:
		return vm->legacy && q ? q->pfn : 0;
	case VIRTIO_MMIO_QUEUE_READY:
		return !vm->legacy && q ? q->ready : 0;
	case VIRTIO_MMIO_INTERRUPT_STATUS:
		return vm->int_status;
	case VIRTIO_MMIO_STATUS:
		return vm->status;
	case VIRTIO_MMIO_SHM_LEN_LOW:
	case VIRTIO_MMIO_SHM_LEN_HIGH:
	case VIRTIO_MMIO_SHM_BASE_LOW:
	case VIRTIO_MMIO_SHM_BASE_HIGH:
		/* 4.2.2: a region that does not exist has length and base -1. */
		return vm->legacy ? 0 : 0xffffffffu;
	case VIRTIO_MMIO_CONFIG_GENERATION:
		return 0; /* config space never changes behind the driver's back */
	default:
		return 0; /* write-only and reserved registers */
	}
}

static void set_low(uint64_t *reg, uint32_t val)
{
	*reg = (*reg & ~0xffffffffULL) | val;
}

static void set_high(uint64_t *reg, uint32_t val)
{
	*reg = (*reg & 0xffffffffULL) | (uint64_t)val << 32;
}

static void write_queue_reg(struct virtio_mmio *vm, struct virtq *q, uint64_t offset, uint32_t val)
{
	/* The layout of a live queue is fixed until it is stopped or reset. */
	if (queue_live(vm, q) && offset != VIRTIO_MMIO_QUEUE_READY &&
	    offset != VIRTIO_MMIO_QUEUE_PFN)
		return;
	switch (offset) {
	case VIRTIO_MMIO_QUEUE_NUM:
		q->num = val; /* validated when the rings are mapped */
		break;
	case VIRTIO_MMIO_QUEUE_ALIGN:
		if (vm->legacy)
			q->align = val;
		break;
	case VIRTIO_MMIO_QUEUE_PFN:
		if (!vm->legacy)
			break;
		/* A new ring, or none: the driver starts over at index 0. */
		q->pfn = val;
		q->last_avail = q->used_idx = q->signalled_used = 0;
		break;
	case VIRTIO_MMIO_QUEUE_READY:
		if (vm->legacy)
			break;
		if ((val & 1) && !q->ready)
			q->last_avail = q->used_idx = q->signalled_used = 0;
		q->ready = val & 1;
		break;
	case VIRTIO_MMIO_QUEUE_DESC_LOW:
		if (!vm->legacy)
			set_low(&q->desc, val);
		break;
	case VIRTIO_MMIO_QUEUE_DESC_HIGH:
		if (!vm->legacy)
			set_high(&q->desc, val);
		break;
	case VIRTIO_MMIO_QUEUE_DRIVER_LOW:
		if (!vm->legacy)
			set_low(&q->driver, val);
		break;
	case VIRTIO_MMIO_QUEUE_DRIVER_HIGH:
		if (!vm->legacy)
			set_high(&q->driver, val);
		break;
	case VIRTIO_MMIO_QUEUE_DEVICE_LOW:
		if (!vm->legacy)
			set_low(&q->device, val);
		break;
	case VIRTIO_MMIO_QUEUE_DEVICE_HIGH:
		if (!vm->legacy)
			set_high(&q->device, val);
		break;
	default:
		break;
	}
}

static void queue_notify(struct virtio_mmio *vm, uint32_t val)
{
	/* Without VIRTIO_F_NOTIFICATION_DATA the value is the queue index. */
	if (val >= vm->ops->num_queues || !queue_live(vm, &vm->vq[val]))
		return;
	if (vm->status & VIRTIO_CONFIG_S_NEEDS_RESET)
		return;
	/* 3.1.1: no buffers are consumed before DRIVER_OK. QEMU does not wait
	 * for it in legacy mode, and some legacy drivers rely on that. */
	if (!vm->legacy && !(vm->status & VIRTIO_CONFIG_S_DRIVER_OK))
		return;
	vm->ops->queue_notify(vm->opaque, vm, val);
}

static void virtio_mmio_write(void *opaque, uint64_t offset, unsigned size, uint64_t val64)
{
	struct virtio_mmio *vm = opaque;
	if (offset >= VIRTIO_MMIO_CONFIG) {
		const uint64_t off = offset - VIRTIO_MMIO_CONFIG;
		if (vm->ops->config_write && config_access_ok(vm, off, size))
			vm->ops->config_write(vm->opaque, (uint32_t)off, size, val64);
		return;
	}
	if (size != 4 || (offset & 3)) {
		log_device_access(vm->m, LOG_GUEST_ERRORS,
				  "virtio_mmio_write: wrong size access to register!\n");
		return;
	}
	if (vm->m->log_mask & LOG_GUEST_ERRORS)
		check_write(vm, offset);
	const uint32_t val = (uint32_t)val64;
	struct virtq *q = selected_queue(vm);
	switch (offset) {
	case VIRTIO_MMIO_DEVICE_FEATURES_SEL:
		vm->device_features_sel = val;
		break;
	case VIRTIO_MMIO_DRIVER_FEATURES:
		/* Features are fixed once FEATURES_OK is set (3.1.1). */
		if (vm->driver_features_sel > 1 || (vm->status & VIRTIO_CONFIG_S_FEATURES_OK))
			break;
		if (vm->driver_features_sel == 0)
			set_low(&vm->driver_features, val);
		else
			set_high(&vm->driver_features, val);
		break;
	case VIRTIO_MMIO_DRIVER_FEATURES_SEL:
		vm->driver_features_sel = val;
		break;
	case VIRTIO_MMIO_GUEST_PAGE_SIZE:
		/* As QEMU: the log2 of the (power of two) page size. */
		if (vm->legacy)
			vm->guest_page_shift = val ? (unsigned)__builtin_ctz(val) : 0;
		break;
	case VIRTIO_MMIO_QUEUE_SEL:
		vm->queue_sel = val;
		break;
	case VIRTIO_MMIO_QUEUE_NOTIFY:
		queue_notify(vm, val);
		break;
	case VIRTIO_MMIO_INTERRUPT_ACK:
		vm->int_status &= ~val;
		update_irq(vm);
		break;
	case VIRTIO_MMIO_STATUS:
		write_status(vm, val);
		break;
	default:
		if (q)
			write_queue_reg(vm, q, offset, val);
		break;
	}
}

/* ---- creation ---- */

struct virtio_mmio *virtio_mmio_new(struct machine *m, uint64_t base, struct irq_line irq,
				    bool legacy, const struct virtio_device_ops *ops, void *opaque)
{
	if (ops->num_queues > VIRTIO_MMIO_MAX_QUEUES || ops->queue_num_max > VIRTQ_NUM_MAX) {
		fprintf(stderr, "rvjit: virtio device %u: too many queues\n", ops->device_id);
		return NULL;
	}
	struct virtio_mmio *vm = calloc(1, sizeof(*vm));
	if (!vm) {
		fprintf(stderr, "rvjit: out of memory\n");
		return NULL;
	}
	vm->m = m;
	vm->irq = irq;
	vm->legacy = legacy;
	vm->ops = ops;
	vm->opaque = opaque;
	vm->host_features =
	    ops->features | 1ULL << VIRTIO_RING_F_INDIRECT_DESC | 1ULL << VIRTIO_RING_F_EVENT_IDX;
	if (!legacy)
		vm->host_features |= 1ULL << VIRTIO_F_VERSION_1;
	vm->guest_page_shift = 12; /* until the driver writes GuestPageSize */
	device_reset(vm);
	if (!bus_add(&m->bus, base, VIRTIO_MMIO_SIZE, vm, virtio_mmio_read, virtio_mmio_write,
		     "virtio-mmio")) {
		fprintf(stderr, "rvjit: cannot map virtio-mmio at 0x%llx\n",
			(unsigned long long)base);
		free(vm);
		return NULL;
	}
	return vm;
}

void virtio_mmio_free(struct virtio_mmio *vm)
{
	if (!vm)
		return;
	if (vm->ops->free)
		vm->ops->free(vm->opaque);
	free(vm);
}

/* The opaque pointer of an empty slot is its Version, no allocation needed. */
static uint64_t empty_read(void *opaque, uint64_t offset, unsigned size)
{
	if (size != 4)
		return 0;
	switch (offset) {
	case VIRTIO_MMIO_MAGIC_VALUE:
		return VIRTIO_MMIO_MAGIC;
	case VIRTIO_MMIO_VERSION:
		return (uintptr_t)opaque;
	case VIRTIO_MMIO_VENDOR_ID:
		return VIRTIO_MMIO_VENDOR;
	default:
		return 0; /* DeviceID 0: no device behind this slot */
	}
}

static void empty_write(void *opaque, uint64_t offset, unsigned size, uint64_t val) {}

bool virtio_mmio_empty(struct machine *m, uint64_t base, bool legacy)
{
	return bus_add(&m->bus, base, VIRTIO_MMIO_SIZE, (void *)(uintptr_t)(legacy ? 1 : 2),
		       empty_read, empty_write, "virtio-mmio (empty)");
}

/* ---- split virtqueues (2.7) ---- */

/* Guest RAM for [pa, pa+len), or NULL: DMA never reaches ROM or devices. */
static uint8_t *dma_ptr(struct virtio_mmio *vm, uint64_t pa, uint64_t len)
{
	return machine_host_ptr(vm->m, pa, len, true);
}

struct virtq_rings {
	uint8_t *desc;	  /* 16 * num */
	uint8_t *avail;	  /* flags, idx, ring[num], used_event */
	uint8_t *used;	  /* flags, idx, ring[num] of {id, len}, avail_event */
	uint64_t used_pa; /* the device writes the used ring: it reports those writes */
	uint16_t num;
};

/* Where the three rings are, all of them checked to be RAM (2.7.2). */
static bool virtq_map(struct virtio_mmio *vm, const struct virtq *q, struct virtq_rings *r)
{
	const uint64_t num = q->num;
	/* 2.7: the size of a split queue is a power of two. */
	if (num == 0 || num > queue_num_max(vm) || (num & (num - 1)))
		return false;
	uint64_t desc, avail, used;
	if (vm->legacy) {
		/* 2.7.2 legacy layout: descriptors, then the available ring,
		 * then the used ring at the next QueueAlign boundary. */
		if (q->align == 0)
			return false;
		desc = (uint64_t)q->pfn << vm->guest_page_shift;
		avail = desc + VIRTQ_DESC_SIZE * num;
		const uint64_t avail_end = avail + 6 + 2 * num;
		used = (avail_end + q->align - 1) / q->align * q->align;
	} else {
		desc = q->desc;
		avail = q->driver;
		used = q->device;
	}
	r->desc = dma_ptr(vm, desc, VIRTQ_DESC_SIZE * num);
	r->avail = dma_ptr(vm, avail, 6 + 2 * num);
	r->used = dma_ptr(vm, used, 6 + 8 * num);
	r->used_pa = used;
	r->num = (uint16_t)num;
	return r->desc && r->avail && r->used;
}

/* Append one buffer of the chain; an unusable one marks the element bad
 * but the walk goes on, so the device can still find the status byte. */
static void add_buf(struct virtio_mmio *vm, struct virtq_elem *e, uint64_t addr, uint32_t len,
		    bool writable)
{
	struct virtq_buf *b = &e->buf[e->n_buf++];
	b->pa = addr;
	b->len = len;
	b->writable = writable;
	/* QEMU refuses zero-sized buffers too. */
	b->host = len ? dma_ptr(vm, addr, len) : NULL;
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
static bool walk_chain(struct virtio_mmio *vm, const struct virtq_rings *r, uint16_t head,
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
			    !has_feature(vm, VIRTIO_RING_F_INDIRECT_DESC))
				return false;
			if (len == 0 || len % VIRTQ_DESC_SIZE ||
			    len / VIRTQ_DESC_SIZE > VIRTQ_INDIRECT_MAX)
				return false;
			table = dma_ptr(vm, addr, len);
			if (!table)
				return false;
			table_num = len / VIRTQ_DESC_SIZE;
			idx = 0;
			seen = 0;
			indirect = true;
			continue;
		}
		add_buf(vm, e, addr, len, flags & VIRTQ_DESC_F_WRITE);
		if (!(flags & VIRTQ_DESC_F_NEXT))
			return true;
		idx = next;
		if (idx >= table_num)
			return false;
	}
}

enum virtq_pop_result virtq_pop(struct virtio_mmio *vm, unsigned queue, struct virtq_elem *elem)
{
	struct virtq *q = &vm->vq[queue];
	struct virtq_rings r;
	if (vm->status & VIRTIO_CONFIG_S_NEEDS_RESET)
		return VIRTQ_POP_BROKEN;
	if (!virtq_map(vm, q, &r))
		goto broken;

	const uint16_t avail_idx = virtio_le16(r.avail + 2);
	/* Read the ring entries only after the index that publishes them. */
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	const uint16_t pending = (uint16_t)(avail_idx - q->last_avail);
	if (pending > r.num)
		goto broken; /* the driver cannot have made more than num available */
	if (pending == 0)
		return VIRTQ_POP_EMPTY;

	const uint16_t head = virtio_le16(r.avail + 4 + 2 * (q->last_avail % r.num));
	q->last_avail++;
	/* 2.7.10: with EVENT_IDX, avail_event asks to be notified of the next
	 * buffer; processing is synchronous, so we always want it. */
	if (has_feature(vm, VIRTIO_RING_F_EVENT_IDX)) {
		virtio_put_le16(r.used + 4 + 8 * r.num, q->last_avail);
		machine_ram_written(vm->m, r.used_pa + 4 + 8 * r.num, 2);
	}
	if (head >= r.num)
		goto broken;

	memset(elem, 0, sizeof(*elem));
	elem->head = head;
	elem->buf = vm->bufs;
	if (!walk_chain(vm, &r, head, elem))
		goto broken;
	return VIRTQ_POP_OK;

broken:
	virtio_mmio_needs_reset(vm);
	return VIRTQ_POP_BROKEN;
}

void virtq_unpop(struct virtio_mmio *vm, unsigned queue)
{
	struct virtq *q = &vm->vq[queue];
	struct virtq_rings r;
	q->last_avail--;
	/* avail_event as it was: the chain is still to be taken. */
	if (has_feature(vm, VIRTIO_RING_F_EVENT_IDX) && virtq_map(vm, q, &r)) {
		virtio_put_le16(r.used + 4 + 8 * r.num, q->last_avail);
		machine_ram_written(vm->m, r.used_pa + 4 + 8 * r.num, 2);
	}
}

bool virtio_mmio_queue_ready(const struct virtio_mmio *vm, unsigned queue)
{
	return queue < vm->ops->num_queues && queue_live(vm, &vm->vq[queue]) &&
	       (vm->status & VIRTIO_CONFIG_S_DRIVER_OK) &&
	       !(vm->status & VIRTIO_CONFIG_S_NEEDS_RESET);
}

void virtq_push(struct virtio_mmio *vm, unsigned queue, const struct virtq_elem *elem,
		uint32_t written)
{
	struct virtq *q = &vm->vq[queue];
	struct virtq_rings r;
	if (!virtq_map(vm, q, &r)) {
		virtio_mmio_needs_reset(vm);
		return;
	}
	const uint64_t ent_off = 4 + 8 * (uint64_t)(q->used_idx % r.num);
	virtio_put_le32(r.used + ent_off, elem->head);
	virtio_put_le32(r.used + ent_off + 4, written);
	machine_ram_written(vm->m, r.used_pa + ent_off, 8);
	/* 2.7.8.2: the entry is visible before the index that publishes it. */
	__atomic_thread_fence(__ATOMIC_RELEASE);
	q->used_idx++;
	virtio_put_le16(r.used + 2, q->used_idx);
	machine_ram_written(vm->m, r.used_pa + 2, 2);
}

/* 2.7.10: vring_need_event() - has new_idx passed event since old_idx? */
static bool need_event(uint16_t event, uint16_t new_idx, uint16_t old_idx)
{
	return (uint16_t)(new_idx - event - 1) < (uint16_t)(new_idx - old_idx);
}

void virtq_notify_used(struct virtio_mmio *vm, unsigned queue)
{
	struct virtq *q = &vm->vq[queue];
	struct virtq_rings r;
	const uint16_t old = q->signalled_used;
	q->signalled_used = q->used_idx;
	if (old == q->used_idx || !virtq_map(vm, q, &r))
		return;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	bool notify;
	if (has_feature(vm, VIRTIO_RING_F_EVENT_IDX))
		notify = need_event(virtio_le16(r.avail + 4 + 2 * r.num), q->used_idx, old);
	else
		notify = !(virtio_le16(r.avail) & VIRTQ_AVAIL_F_NO_INTERRUPT);
	if (notify) {
		vm->int_status |= VIRTIO_MMIO_INT_VRING;
		update_irq(vm);
	}
}

uint64_t virtq_copy_from(const struct virtq_elem *elem, uint64_t offset, void *dst, uint64_t len)
{
	uint8_t *out = dst;
	uint64_t done = 0;
	for (unsigned i = 0; i < elem->n_out && done < len; i++) {
		const struct virtq_buf *b = &elem->buf[i];
		if (offset >= b->len) {
			offset -= b->len;
			continue;
		}
		uint64_t n = b->len - offset;
		if (n > len - done)
			n = len - done;
		memcpy(out + done, b->host + offset, n);
		done += n;
		offset = 0;
	}
	return done;
}

uint64_t virtq_copy_to(struct virtio_mmio *vm, const struct virtq_elem *elem, uint64_t offset,
		       const void *src, uint64_t len)
{
	const uint8_t *in = src;
	uint64_t done = 0;
	for (unsigned i = elem->n_out; i < elem->n_buf && done < len; i++) {
		const struct virtq_buf *b = &elem->buf[i];
		if (offset >= b->len) {
			offset -= b->len;
			continue;
		}
		uint64_t n = b->len - offset;
		if (n > len - done)
			n = len - done;
		memcpy(b->host + offset, in + done, n);
		machine_ram_written(vm->m, b->pa + offset, n);
		done += n;
		offset = 0;
	}
	return done;
}

void virtio_mmio_fdt(struct fdt *f, uint64_t base, unsigned irq, uint32_t intc)
{
	fdt_begin_node_at(f, "virtio_mmio", base);
	fdt_prop_string(f, "compatible", "virtio,mmio");
	fdt_prop_reg(f, base, VIRTIO_MMIO_SIZE);
	fdt_prop_u32(f, "interrupt-parent", intc);
	fdt_prop_u32(f, "interrupts", irq);
	fdt_end_node(f);
}

/* The snapshot state (core/vmstate.h): the registers and what the device
 * keeps between accesses, not its configuration. */
void virtio_mmio_save(struct virtio_mmio *d, struct vmstate_out *o)
{
	VMSTATE_PUT(o, d->driver_features);
	VMSTATE_PUT(o, d->device_features_sel);
	VMSTATE_PUT(o, d->driver_features_sel);
	VMSTATE_PUT(o, d->queue_sel);
	VMSTATE_PUT(o, d->status);
	VMSTATE_PUT(o, d->int_status);
	VMSTATE_PUT(o, d->guest_page_shift);
	VMSTATE_PUT(o, d->vq); /* plain numbers: sizes, ring addresses, indices */
	if (d->ops->save)
		d->ops->save(d->opaque, o);
}

void virtio_mmio_load(struct virtio_mmio *d, struct vmstate_in *in)
{
	VMSTATE_GET(in, d->driver_features);
	VMSTATE_GET(in, d->device_features_sel);
	VMSTATE_GET(in, d->driver_features_sel);
	VMSTATE_GET(in, d->queue_sel);
	VMSTATE_GET(in, d->status);
	VMSTATE_GET(in, d->int_status);
	VMSTATE_GET(in, d->guest_page_shift);
	VMSTATE_GET(in, d->vq);
	update_irq(d);
	if (d->ops->load)
		d->ops->load(d->opaque, in);
}
