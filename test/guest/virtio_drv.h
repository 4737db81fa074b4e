/*
 * A minimal virtio-blk driver for guest tests (virtio 1.2: 2.1 status, 2.2
 * features, 2.7 split virtqueues, 3.1 initialisation, 4.2 virtio over MMIO,
 * 5.2 block device). One queue of VQ_NUM descriptors, one request in flight
 * at a time, M-mode, identity-mapped physical addresses.
 *
 * Both register layouts:
 *   modern (Version 2): FEATURES_OK handshake, VERSION_1, QueueDesc/Driver/
 *     Device addresses (placed apart, not in the legacy layout, so the
 *     device must honour all three), QueueReady.
 *   legacy (Version 1): GuestPageSize, QueueAlign, QueuePFN; descriptors,
 *     avail ring and (at the next 4096 boundary) used ring contiguous.
 *
 * Requests complete by polling the used ring (avail flags NO_INTERRUPT) or,
 * with vblk.use_irq, by the M external interrupt: PLIC source 1 + slot,
 * InterruptStatus read and acknowledged in the handler.
 *
 * The disk images of these tests (test/disk_image.c) hold DISK_PATTERN.
 * Include after guest.h and guest_irq.h.
 */
#ifndef VIRTIO_DRV_H
#define VIRTIO_DRV_H

#include <stdint.h>

#define DISK_PATTERN(i, j) ((uint8_t)((i)*7 + (j)))

#define VIRTIO_MMIO_BASE   0x10001000UL
#define VIRTIO_MMIO_STRIDE 0x1000UL
#define VIRTIO_MMIO_SLOTS  8
#define VIRTIO_IRQ(slot)   (1 + (slot))

/* Registers (4.2.2, 4.2.4). */
#define VM_MAGIC	       0x000
#define VM_VERSION	       0x004
#define VM_DEVICE_ID	       0x008
#define VM_VENDOR_ID	       0x00c
#define VM_DEVICE_FEATURES     0x010
#define VM_DEVICE_FEATURES_SEL 0x014
#define VM_DRIVER_FEATURES     0x020
#define VM_DRIVER_FEATURES_SEL 0x024
#define VM_GUEST_PAGE_SIZE     0x028
#define VM_QUEUE_SEL	       0x030
#define VM_QUEUE_NUM_MAX       0x034
#define VM_QUEUE_NUM	       0x038
#define VM_QUEUE_ALIGN	       0x03c
#define VM_QUEUE_PFN	       0x040
#define VM_QUEUE_READY	       0x044
#define VM_QUEUE_NOTIFY	       0x050
#define VM_INTERRUPT_STATUS    0x060
#define VM_INTERRUPT_ACK       0x064
#define VM_STATUS	       0x070
#define VM_QUEUE_DESC_LOW      0x080
#define VM_QUEUE_DESC_HIGH     0x084
#define VM_QUEUE_DRIVER_LOW    0x090
#define VM_QUEUE_DRIVER_HIGH   0x094
#define VM_QUEUE_DEVICE_LOW    0x0a0
#define VM_QUEUE_DEVICE_HIGH   0x0a4
#define VM_CONFIG	       0x100

#define S_ACKNOWLEDGE 1u
#define S_DRIVER      2u
#define S_DRIVER_OK   4u
#define S_FEATURES_OK 8u
#define S_NEEDS_RESET 0x40u
#define S_FAILED      0x80u

#define INT_VRING  1u
#define INT_CONFIG 2u

#define F_BLK_SIZE_MAX	1
#define F_BLK_SEG_MAX	2
#define F_BLK_RO	5
#define F_BLK_BLK_SIZE	6
#define F_BLK_FLUSH	9
#define F_INDIRECT_DESC 28
#define F_EVENT_IDX	29
#define F_VERSION_1	32

#define D_NEXT		     1u
#define D_WRITE		     2u
#define D_INDIRECT	     4u
#define AVAIL_F_NO_INTERRUPT 1u

#define T_IN	     0u
#define T_OUT	     1u
#define T_FLUSH	     4u
#define T_GET_ID     8u
#define BLK_S_OK     0u
#define BLK_S_IOERR  1u
#define BLK_S_UNSUPP 2u

#define VQ_NUM	    8u
#define SECTOR_SIZE 512u

struct vdesc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags;
	uint16_t next;
};

struct blk_hdr {
	uint32_t type;
	uint32_t reserved;
	uint64_t sector;
};

struct vblk {
	uintptr_t base;
	int slot;
	int legacy;
	uint64_t offered;  /* DeviceFeatures */
	uint64_t features; /* what we accepted */
	uint64_t capacity; /* sectors */
	volatile struct vdesc *desc;
	volatile uint16_t *avail; /* flags, idx, ring[VQ_NUM], used_event */
	volatile uint8_t *used;	  /* flags, idx, ring[VQ_NUM] of {id, len} */
	uint16_t avail_idx;	  /* our next avail->idx */
	uint16_t used_seen;	  /* used entries consumed */
	uint16_t next_desc;	  /* rotating descriptor allocator */
	int use_irq;		  /* complete the next requests by interrupt */
	uint32_t last_used_id, last_used_len;
	uint16_t last_head;
};

/* Queue memory: two pages (the legacy layout needs the used ring at the
 * next QueueAlign boundary). Indirect tables and request buffers apart. */
static uint8_t vq_mem[2 * 4096] __attribute__((aligned(4096)));
static struct vdesc vq_indirect[4] __attribute__((aligned(16)));
static struct blk_hdr vq_hdr __attribute__((aligned(16)));
static volatile uint8_t vq_status;

static inline uint32_t vr(const struct vblk *d, unsigned off)
{
	return mmio_read32(d->base + off);
}

static inline void vw(const struct vblk *d, unsigned off, uint32_t v)
{
	mmio_write32(d->base + off, v);
}

/* ---- interrupt side ---- */

/* How long vblk_kick_and_wait polls the used ring. The device completes
 * requests at QueueNotify, so a test expecting no completion may lower it. */
static unsigned vblk_poll_budget = 10000000;

static struct vblk *vblk_irq_dev;
static volatile unsigned vblk_irqs;	     /* handled interrupts */
static volatile uint32_t vblk_irq_status;    /* InterruptStatus seen by the last one */
static volatile uint32_t vblk_irq_bad_claim; /* a claim that was not our source */

__attribute__((interrupt("machine"), aligned(4))) static void vblk_trap(void)
{
	if (csr_read(mcause) != MCAUSE_M_EXTERNAL)
		guest_exit(1000 + (int)(csr_read(mcause) & 0xff));
	struct vblk *d = vblk_irq_dev;
	const uint32_t id = plic_claim_m0();
	if (!d || id != (uint32_t)VIRTIO_IRQ(d->slot)) {
		vblk_irq_bad_claim = id ? id : 0xffff;
	} else {
		const uint32_t st = vr(d, VM_INTERRUPT_STATUS);
		vblk_irq_status = st;
		vw(d, VM_INTERRUPT_ACK, st);
	}
	if (id)
		plic_complete_m0(id);
	vblk_irqs++;
}

/* Route the device's interrupt to hart 0's M context. */
static inline void vblk_enable_irq(struct vblk *d)
{
	vblk_irq_dev = d;
	csr_write(mtvec, (uint64_t)(uintptr_t)vblk_trap);
	plic_enable_m0(VIRTIO_IRQ(d->slot), 1);
	csr_set(mie, MIE_MEIE);
	csr_set(mstatus, MSTATUS_MIE);
}

/* ---- probe and initialisation ---- */

/* The first slot holding a block device, -1 if none; *version its Version. */
static inline int vblk_find(uint32_t *version)
{
	for (int s = 0; s < VIRTIO_MMIO_SLOTS; s++) {
		const uintptr_t b = VIRTIO_MMIO_BASE + VIRTIO_MMIO_STRIDE * (uintptr_t)s;
		if (mmio_read32(b + VM_MAGIC) != 0x74726976u)
			return -1;
		if (mmio_read32(b + VM_DEVICE_ID) == 2) {
			*version = mmio_read32(b + VM_VERSION);
			return s;
		}
	}
	return -1;
}

static inline uint64_t vblk_read_offered(struct vblk *d)
{
	vw(d, VM_DEVICE_FEATURES_SEL, 0);
	uint64_t f = vr(d, VM_DEVICE_FEATURES);
	vw(d, VM_DEVICE_FEATURES_SEL, 1);
	f |= (uint64_t)vr(d, VM_DEVICE_FEATURES) << 32;
	return f;
}

static inline void vblk_write_features(struct vblk *d, uint64_t f)
{
	vw(d, VM_DRIVER_FEATURES_SEL, 0);
	vw(d, VM_DRIVER_FEATURES, (uint32_t)f);
	vw(d, VM_DRIVER_FEATURES_SEL, 1);
	vw(d, VM_DRIVER_FEATURES, (uint32_t)(f >> 32));
}

/* The rings' addresses for this layout. */
static inline void vblk_layout(struct vblk *d)
{
	d->desc = (volatile struct vdesc *)vq_mem;
	if (d->legacy) {
		d->avail = (volatile uint16_t *)(vq_mem + 16 * VQ_NUM);
		d->used = vq_mem + 4096;
	} else {
		/* Apart, in an order the legacy layout would never give. */
		d->used = vq_mem + 1024;
		d->avail = (volatile uint16_t *)(vq_mem + 3072);
	}
}

/*
 * Reset and initialise the device in `slot` (3.1.1 / 3.1.2 legacy), which
 * must have DeviceID `device_id` (2 block, 4 entropy: the queue handling
 * is the same), accepting `want` & offered. Returns 0, or a code 1..19
 * naming the step that failed (callers add their own base).
 */
static inline int vdev_init(struct vblk *d, int slot, uint32_t device_id, uint64_t want)
{
	d->base = VIRTIO_MMIO_BASE + VIRTIO_MMIO_STRIDE * (uintptr_t)slot;
	d->slot = slot;
	if (vr(d, VM_MAGIC) != 0x74726976u)
		return 1;
	const uint32_t version = vr(d, VM_VERSION);
	if (version != 1 && version != 2)
		return 2;
	d->legacy = version == 1;
	if (vr(d, VM_DEVICE_ID) != device_id)
		return 3;
	if (vr(d, VM_VENDOR_ID) != 0x554d4551u)
		return 4;

	vw(d, VM_STATUS, 0);
	if (vr(d, VM_STATUS) != 0)
		return 5;
	vw(d, VM_STATUS, S_ACKNOWLEDGE);
	vw(d, VM_STATUS, S_ACKNOWLEDGE | S_DRIVER);
	d->offered = vblk_read_offered(d);
	d->features = want & d->offered;
	if (!d->legacy)
		d->features |= 1ULL << F_VERSION_1;
	vblk_write_features(d, d->features);
	uint32_t status = S_ACKNOWLEDGE | S_DRIVER;
	if (!d->legacy) {
		status |= S_FEATURES_OK;
		vw(d, VM_STATUS, status);
		if (!(vr(d, VM_STATUS) & S_FEATURES_OK))
			return 6;
	} else {
		vw(d, VM_GUEST_PAGE_SIZE, 4096);
	}

	vw(d, VM_QUEUE_SEL, 0);
	if (d->legacy ? vr(d, VM_QUEUE_PFN) != 0 : vr(d, VM_QUEUE_READY) != 0)
		return 7;
	const uint32_t max = vr(d, VM_QUEUE_NUM_MAX);
	if (max < VQ_NUM)
		return 8;
	for (unsigned i = 0; i < sizeof(vq_mem); i++)
		vq_mem[i] = 0;
	vblk_layout(d);
	d->avail_idx = d->used_seen = d->next_desc = 0;
	vw(d, VM_QUEUE_NUM, VQ_NUM);
	if (d->legacy) {
		vw(d, VM_QUEUE_ALIGN, 4096);
		vw(d, VM_QUEUE_PFN, (uint32_t)((uintptr_t)vq_mem >> 12));
		if (vr(d, VM_QUEUE_PFN) != (uint32_t)((uintptr_t)vq_mem >> 12))
			return 9;
	} else {
		const uint64_t desc = (uintptr_t)d->desc, drv = (uintptr_t)d->avail,
			       dev = (uintptr_t)d->used;
		vw(d, VM_QUEUE_DESC_LOW, (uint32_t)desc);
		vw(d, VM_QUEUE_DESC_HIGH, (uint32_t)(desc >> 32));
		vw(d, VM_QUEUE_DRIVER_LOW, (uint32_t)drv);
		vw(d, VM_QUEUE_DRIVER_HIGH, (uint32_t)(drv >> 32));
		vw(d, VM_QUEUE_DEVICE_LOW, (uint32_t)dev);
		vw(d, VM_QUEUE_DEVICE_HIGH, (uint32_t)(dev >> 32));
		vw(d, VM_QUEUE_READY, 1);
		if (vr(d, VM_QUEUE_READY) != 1)
			return 9;
	}
	status |= S_DRIVER_OK;
	vw(d, VM_STATUS, status);
	if (vr(d, VM_STATUS) != status)
		return 10;
	if (device_id == 2)
		d->capacity = vr(d, VM_CONFIG) | (uint64_t)vr(d, VM_CONFIG + 4) << 32;
	return 0;
}

static inline int vblk_init(struct vblk *d, int slot, uint64_t want)
{
	return vdev_init(d, slot, 2, want);
}

/* The first virtio-blk device, initialised with `want`: 0, 10 when there
 * is none, or 20 + vblk_init's code (the exit codes the disk guests use). */
static inline int vblk_open(struct vblk *d, uint64_t want)
{
	uint32_t version;
	const int slot = vblk_find(&version);
	if (slot < 0)
		return 10;
	const int rc = vblk_init(d, slot, want);
	return rc ? 20 + rc : 0;
}

/* ---- requests ---- */

static inline uint16_t vblk_alloc_desc(struct vblk *d)
{
	const uint16_t i = d->next_desc;
	d->next_desc = (uint16_t)((d->next_desc + 1) % VQ_NUM);
	return i;
}

static inline void vblk_set_desc(volatile struct vdesc *t, unsigned i, uint64_t addr, uint32_t len,
				 uint16_t flags, uint16_t next)
{
	t[i].addr = addr;
	t[i].len = len;
	t[i].flags = flags;
	t[i].next = next;
}

/*
 * Make the chain at `head` available, notify, and wait for it in the used
 * ring: by polling, or (d->use_irq) for the interrupt. Returns 0 when the
 * used ring gave back `head`, else a negative code: -1 the used ring did
 * not move (within the poll budget), -2 wrong id. The used entry's id and
 * len are left in d->last_used_*.
 */
static inline int vblk_kick_and_wait(struct vblk *d, uint16_t head)
{
	volatile uint16_t *used_idx = (volatile uint16_t *)(d->used + 2);
	d->avail[0] = d->use_irq ? 0 : AVAIL_F_NO_INTERRUPT;
	d->avail[2 + d->avail_idx % VQ_NUM] = head;
	__sync_synchronize(); /* ring entry before the index (2.7.13) */
	d->avail_idx++;
	d->avail[1] = d->avail_idx;
	__sync_synchronize(); /* index before the notification */
	d->last_head = head;
	const unsigned irqs = vblk_irqs;
	vw(d, VM_QUEUE_NOTIFY, 0);
	if (d->use_irq) {
		wait_for_change(&vblk_irqs, irqs);
	} else {
		unsigned spins = 0;
		while (*used_idx == d->used_seen)
			if (++spins > vblk_poll_budget)
				return -1;
	}
	__sync_synchronize(); /* the index before the entry it publishes */
	if (*used_idx == d->used_seen)
		return -1;
	volatile uint32_t *ent = (volatile uint32_t *)(d->used + 4 + 8 * (d->used_seen % VQ_NUM));
	d->last_used_id = ent[0];
	d->last_used_len = ent[1];
	d->used_seen++;
	return d->last_used_id == head ? 0 : -2;
}

/*
 * One request: header (device-readable), optional data (readable for
 * T_OUT, writable otherwise), status byte (writable). With `indirect` the
 * three descriptors go into an indirect table that one ring descriptor
 * points to (2.7.5.3). Returns the status byte (0xff: never written), or
 * 0x100 + code when the ring misbehaved.
 */
static inline int vblk_rw(struct vblk *d, uint32_t type, uint64_t sector, void *data, uint32_t len,
			  int indirect)
{
	vq_hdr.type = type;
	vq_hdr.reserved = 0;
	vq_hdr.sector = sector;
	vq_status = 0xff;
	const uint16_t dflags = type == T_OUT ? 0 : D_WRITE;
	uint16_t head;
	if (indirect) {
		volatile struct vdesc *t = vq_indirect;
		unsigned n = 0;
		vblk_set_desc(t, n, (uintptr_t)&vq_hdr, sizeof(vq_hdr), D_NEXT, (uint16_t)(n + 1));
		n++;
		if (len) {
			vblk_set_desc(t, n, (uintptr_t)data, len, dflags | D_NEXT,
				      (uint16_t)(n + 1));
			n++;
		}
		vblk_set_desc(t, n, (uintptr_t)&vq_status, 1, D_WRITE, 0);
		n++;
		head = vblk_alloc_desc(d);
		vblk_set_desc(d->desc, head, (uintptr_t)vq_indirect, 16 * n, D_INDIRECT, 0);
	} else {
		head = vblk_alloc_desc(d);
		uint16_t prev = head;
		vblk_set_desc(d->desc, head, (uintptr_t)&vq_hdr, sizeof(vq_hdr), D_NEXT, 0);
		if (len) {
			const uint16_t i = vblk_alloc_desc(d);
			d->desc[prev].next = i;
			vblk_set_desc(d->desc, i, (uintptr_t)data, len, dflags | D_NEXT, 0);
			prev = i;
		}
		const uint16_t s = vblk_alloc_desc(d);
		d->desc[prev].next = s;
		vblk_set_desc(d->desc, s, (uintptr_t)&vq_status, 1, D_WRITE, 0);
	}
	const int r = vblk_kick_and_wait(d, head);
	if (r)
		return 0x100 - r;
	return vq_status;
}

/* Is every byte of sector `sec` as the image was made? */
static inline int sector_has_pattern(const uint8_t *buf, uint64_t sec)
{
	for (unsigned j = 0; j < SECTOR_SIZE; j++)
		if (buf[j] != DISK_PATTERN(sec, j))
			return 0;
	return 1;
}

static inline int sector_is(const uint8_t *buf, uint8_t byte)
{
	for (unsigned j = 0; j < SECTOR_SIZE; j++)
		if (buf[j] != byte)
			return 0;
	return 1;
}

static inline void fill(uint8_t *buf, uint8_t byte, unsigned n)
{
	for (unsigned j = 0; j < n; j++)
		((volatile uint8_t *)buf)[j] = byte;
}

#endif
