/*
 * A minimal virtio-net driver for guest tests (virtio 1.2 section 5.1 on
 * the virtio-mmio transport, both register layouts): receiveq1 and
 * transmitq1 of VNET_QN descriptors each, polled (no interrupts), M-mode,
 * identity-mapped addresses. Receive buffers are VNET_RXBUF bytes, one
 * descriptor each; a frame is sent as one descriptor holding the header
 * and the frame. Also the few bytes of ARP, IPv4 and ICMP the tests speak
 * to slirp. Include after guest.h, guest_irq.h and virtio_drv.h (its
 * register names and struct vdesc).
 */
#ifndef VIRTIO_NET_DRV_H
#define VIRTIO_NET_DRV_H

#include <stdint.h>

#define VNET_QN	     8u
#define VNET_RXBUF   2048u
#define F_NET_MAC    5
#define F_NET_STATUS 16

struct vnet_queue {
	volatile struct vdesc *desc;
	volatile uint16_t *avail; /* flags, idx, ring[VNET_QN], used_event */
	volatile uint8_t *used;	  /* flags, idx, ring[VNET_QN] of {id, len} */
	uint8_t *mem;		  /* two pages: the legacy layout */
	uint16_t avail_idx, used_seen;
};

struct vnet {
	uintptr_t base;
	int slot;
	int legacy;
	uint64_t offered, features;
	unsigned hlen; /* 10 legacy, 12 with VERSION_1 */
	uint8_t mac[6];
	struct vnet_queue q[2]; /* 0: receive, 1: transmit */
};

static uint8_t vnet_qmem[2][2 * 4096] __attribute__((aligned(4096)));
static uint8_t vnet_rx[VNET_QN][VNET_RXBUF] __attribute__((aligned(16)));
static uint8_t vnet_tx[VNET_RXBUF] __attribute__((aligned(16)));

static inline uint32_t vnr(const struct vnet *d, unsigned off)
{
	return mmio_read32(d->base + off);
}

static inline void vnw(const struct vnet *d, unsigned off, uint32_t v)
{
	mmio_write32(d->base + off, v);
}

static inline void vnet_fence(void)
{
	__asm__ volatile("fence rw, rw" ::: "memory");
}

/* The first slot with a network device, -1 if none. */
static inline int vnet_find(void)
{
	for (int s = 0; s < VIRTIO_MMIO_SLOTS; s++) {
		const uintptr_t b = VIRTIO_MMIO_BASE + VIRTIO_MMIO_STRIDE * (uintptr_t)s;
		if (mmio_read32(b + VM_DEVICE_ID) == 1)
			return s;
	}
	return -1;
}

static inline int vnet_setup_queue(struct vnet *d, unsigned qi)
{
	struct vnet_queue *q = &d->q[qi];
	q->mem = vnet_qmem[qi];
	for (unsigned i = 0; i < sizeof(vnet_qmem[qi]); i++)
		q->mem[i] = 0;
	q->desc = (volatile struct vdesc *)q->mem;
	q->avail = (volatile uint16_t *)(q->mem + 16 * VNET_QN);
	q->used = q->mem + 4096;
	q->avail_idx = q->used_seen = 0;
	q->avail[0] = AVAIL_F_NO_INTERRUPT;
	vnw(d, VM_QUEUE_SEL, qi);
	if (vnr(d, VM_QUEUE_NUM_MAX) < VNET_QN)
		return 1;
	vnw(d, VM_QUEUE_NUM, VNET_QN);
	if (d->legacy) {
		vnw(d, VM_QUEUE_ALIGN, 4096);
		vnw(d, VM_QUEUE_PFN, (uint32_t)((uintptr_t)q->mem >> 12));
	} else {
		const uint64_t desc = (uintptr_t)q->desc, drv = (uintptr_t)q->avail,
			       dev = (uintptr_t)q->used;
		vnw(d, VM_QUEUE_DESC_LOW, (uint32_t)desc);
		vnw(d, VM_QUEUE_DESC_HIGH, (uint32_t)(desc >> 32));
		vnw(d, VM_QUEUE_DRIVER_LOW, (uint32_t)drv);
		vnw(d, VM_QUEUE_DRIVER_HIGH, (uint32_t)(drv >> 32));
		vnw(d, VM_QUEUE_DEVICE_LOW, (uint32_t)dev);
		vnw(d, VM_QUEUE_DEVICE_HIGH, (uint32_t)(dev >> 32));
		vnw(d, VM_QUEUE_READY, 1);
	}
	return 0;
}

static inline uint16_t vnet_used_idx(const struct vnet_queue *q)
{
	vnet_fence();
	return *(volatile uint16_t *)(q->used + 2);
}

static inline uint32_t vnet_used_len(const struct vnet_queue *q, uint16_t n)
{
	return *(volatile uint32_t *)(q->used + 4 + 8 * (n % VNET_QN) + 4);
}

static inline uint32_t vnet_used_id(const struct vnet_queue *q, uint16_t n)
{
	return *(volatile uint32_t *)(q->used + 4 + 8 * (n % VNET_QN));
}

/* Make descriptor `head` available on queue qi and notify. */
static inline void vnet_post(struct vnet *d, unsigned qi, uint16_t head)
{
	struct vnet_queue *q = &d->q[qi];
	q->avail[2 + q->avail_idx % VNET_QN] = head;
	vnet_fence();
	q->avail_idx++;
	q->avail[1] = q->avail_idx;
	vnet_fence();
	vnw(d, VM_QUEUE_NOTIFY, qi);
}

/* Receive buffer i back to the device. */
static inline void vnet_give_rx(struct vnet *d, unsigned i, uint32_t len)
{
	d->q[0].desc[i] = (struct vdesc){(uintptr_t)vnet_rx[i], len, D_WRITE, 0};
	vnet_post(d, 0, (uint16_t)i);
}

/* Reset and initialise (3.1.1) with MAC and STATUS; every receive buffer
 * posted, rx_len bytes each. 0, or the failing step 1..9. */
static inline int vnet_init_rx(struct vnet *d, int slot, uint32_t rx_len)
{
	d->slot = slot;
	d->base = VIRTIO_MMIO_BASE + VIRTIO_MMIO_STRIDE * (uintptr_t)slot;
	if (vnr(d, VM_MAGIC) != 0x74726976u || vnr(d, VM_DEVICE_ID) != 1)
		return 1;
	d->legacy = vnr(d, VM_VERSION) == 1;
	vnw(d, VM_STATUS, 0);
	vnw(d, VM_STATUS, S_ACKNOWLEDGE);
	vnw(d, VM_STATUS, S_ACKNOWLEDGE | S_DRIVER);
	vnw(d, VM_DEVICE_FEATURES_SEL, 0);
	d->offered = vnr(d, VM_DEVICE_FEATURES);
	vnw(d, VM_DEVICE_FEATURES_SEL, 1);
	d->offered |= (uint64_t)vnr(d, VM_DEVICE_FEATURES) << 32;
	d->features = d->offered & (1ULL << F_NET_MAC | 1ULL << F_NET_STATUS | 1ULL << F_VERSION_1);
	vnw(d, VM_DRIVER_FEATURES_SEL, 0);
	vnw(d, VM_DRIVER_FEATURES, (uint32_t)d->features);
	vnw(d, VM_DRIVER_FEATURES_SEL, 1);
	vnw(d, VM_DRIVER_FEATURES, (uint32_t)(d->features >> 32));
	uint32_t status = S_ACKNOWLEDGE | S_DRIVER;
	if (!d->legacy) {
		status |= S_FEATURES_OK;
		vnw(d, VM_STATUS, status);
		if (!(vnr(d, VM_STATUS) & S_FEATURES_OK))
			return 2;
	} else {
		vnw(d, VM_GUEST_PAGE_SIZE, 4096);
	}
	d->hlen = d->features >> F_VERSION_1 & 1 ? 12 : 10;
	for (unsigned i = 0; i < 6; i++)
		d->mac[i] = *(volatile uint8_t *)(d->base + VM_CONFIG + i);
	if (vnet_setup_queue(d, 0) || vnet_setup_queue(d, 1))
		return 3;
	vnw(d, VM_STATUS, status | S_DRIVER_OK);
	for (unsigned i = 0; i < VNET_QN; i++)
		vnet_give_rx(d, i, rx_len);
	return 0;
}

static inline int vnet_init(struct vnet *d, int slot)
{
	return vnet_init_rx(d, slot, VNET_RXBUF);
}

/* Send a frame (header + frame in one descriptor) and wait for the device
 * to return it. Returns the used length (0), or -1 when it never came. */
static inline int vnet_send(struct vnet *d, const uint8_t *frame, unsigned len)
{
	struct vnet_queue *q = &d->q[1];
	for (unsigned i = 0; i < d->hlen; i++)
		vnet_tx[i] = 0;
	for (unsigned i = 0; i < len; i++)
		vnet_tx[d->hlen + i] = frame[i];
	q->desc[0] = (struct vdesc){(uintptr_t)vnet_tx, d->hlen + len, 0, 0};
	vnet_post(d, 1, 0);
	for (unsigned spin = 0; spin < 10000000; spin++) {
		if (vnet_used_idx(q) != q->used_seen) {
			const uint32_t l = vnet_used_len(q, q->used_seen);
			q->used_seen++;
			return (int)l;
		}
	}
	return -1;
}

/* The next received frame: its buffer index (the frame is at
 * vnet_rx[i] + hlen, *len bytes with the header), or -1 after `spins`
 * polls. The caller gives the buffer back with vnet_give_rx. */
static inline int vnet_recv(struct vnet *d, uint32_t *len, unsigned long spins)
{
	struct vnet_queue *q = &d->q[0];
	for (unsigned long spin = 0; spin < spins; spin++) {
		if (vnet_used_idx(q) != q->used_seen) {
			*len = vnet_used_len(q, q->used_seen);
			const int id = (int)vnet_used_id(q, q->used_seen);
			q->used_seen++;
			return id;
		}
	}
	return -1;
}

/* ---- the bytes on the wire ---- */

#define GUEST_IP   0x0a00020fu /* 10.0.2.15 */
#define GATEWAY_IP 0x0a000202u /* 10.0.2.2: slirp's host */

static inline void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static inline void put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)(v >> 16));
	put16(p + 2, (uint16_t)v);
}

static inline uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static inline uint32_t get32(const uint8_t *p)
{
	return (uint32_t)get16(p) << 16 | get16(p + 2);
}

/* The Internet checksum (RFC 1071). */
static inline uint16_t inet_csum(const uint8_t *p, unsigned len)
{
	uint32_t sum = 0;
	for (unsigned i = 0; i + 1 < len; i += 2)
		sum += get16(p + i);
	if (len & 1)
		sum += (uint32_t)p[len - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* An ARP request "who has `ip`" from us (42 bytes). */
static inline unsigned arp_request(const struct vnet *d, uint8_t *f, uint32_t ip)
{
	for (unsigned i = 0; i < 6; i++) {
		f[i] = 0xff;
		f[6 + i] = d->mac[i];
		f[22 + i] = d->mac[i];
		f[32 + i] = 0;
	}
	put16(f + 12, 0x0806);
	put16(f + 14, 1);      /* Ethernet */
	put16(f + 16, 0x0800); /* IPv4 */
	f[18] = 6;
	f[19] = 4;
	put16(f + 20, 1); /* request */
	put32(f + 28, GUEST_IP);
	put32(f + 38, ip);
	return 42;
}

/* Whether f is an ARP reply to us saying where `ip` is; its MAC to mac. */
static inline int is_arp_reply(const struct vnet *d, const uint8_t *f, unsigned len, uint32_t ip,
			       uint8_t mac[6])
{
	if (len < 42 || get16(f + 12) != 0x0806 || get16(f + 20) != 2 || get32(f + 28) != ip ||
	    get32(f + 38) != GUEST_IP)
		return 0;
	for (unsigned i = 0; i < 6; i++) {
		if (f[i] != d->mac[i])
			return 0;
		mac[i] = f[22 + i];
	}
	return 1;
}

/* An ICMP echo request to `ip` at `dst` with a 32-byte payload. */
static inline unsigned icmp_echo(const struct vnet *d, uint8_t *f, const uint8_t dst[6],
				 uint32_t ip, uint16_t seq)
{
	for (unsigned i = 0; i < 6; i++) {
		f[i] = dst[i];
		f[6 + i] = d->mac[i];
	}
	put16(f + 12, 0x0800);
	uint8_t *iph = f + 14;
	iph[0] = 0x45;
	iph[1] = 0;
	put16(iph + 2, 20 + 8 + 32);
	put16(iph + 4, seq);
	put16(iph + 6, 0);
	iph[8] = 64;
	iph[9] = 1; /* ICMP */
	put16(iph + 10, 0);
	put32(iph + 12, GUEST_IP);
	put32(iph + 16, ip);
	put16(iph + 10, inet_csum(iph, 20));
	uint8_t *icmp = iph + 20;
	icmp[0] = 8;
	icmp[1] = 0;
	put16(icmp + 2, 0);
	put16(icmp + 4, 0x5256); /* identifier */
	put16(icmp + 6, seq);
	for (unsigned i = 0; i < 32; i++)
		icmp[8 + i] = (uint8_t)(i * 3 + seq);
	put16(icmp + 2, inet_csum(icmp, 40));
	return 14 + 20 + 40;
}

/* Whether f is the echo reply to icmp_echo(..., ip, seq). */
static inline int is_echo_reply(const struct vnet *d, const uint8_t *f, unsigned len, uint32_t ip,
				uint16_t seq)
{
	if (len < 14 + 20 + 40 || get16(f + 12) != 0x0800)
		return 0;
	const uint8_t *iph = f + 14;
	const uint8_t *icmp = iph + (iph[0] & 15) * 4;
	if (iph[9] != 1 || get32(iph + 12) != ip || get32(iph + 16) != GUEST_IP)
		return 0;
	if (inet_csum(iph, (iph[0] & 15) * 4) != 0 || icmp[0] != 0 || get16(icmp + 6) != seq)
		return 0;
	for (unsigned i = 0; i < 32; i++)
		if (icmp[8 + i] != (uint8_t)(i * 3 + seq))
			return 0;
	return 1;
}

/* Send an ARP request for `ip` and wait for its reply (other frames are
 * skipped). 0 with the MAC in mac, or a code 1..3. */
static inline int vnet_arp(struct vnet *d, uint32_t ip, uint8_t mac[6])
{
	uint8_t f[64];
	if (vnet_send(d, f, arp_request(d, f, ip)) != 0)
		return 1;
	for (unsigned tries = 0; tries < 16; tries++) {
		uint32_t len;
		const int b = vnet_recv(d, &len, 200000000);
		if (b < 0)
			return 2;
		const int ok =
		    len > d->hlen && is_arp_reply(d, vnet_rx[b] + d->hlen, len - d->hlen, ip, mac);
		vnet_give_rx(d, (unsigned)b, VNET_RXBUF);
		if (ok)
			return 0;
	}
	return 3;
}

/* Ping `ip` at `mac` once. 0, or a code 1..3. */
static inline int vnet_ping(struct vnet *d, const uint8_t mac[6], uint32_t ip, uint16_t seq)
{
	uint8_t f[128];
	if (vnet_send(d, f, icmp_echo(d, f, mac, ip, seq)) != 0)
		return 1;
	for (unsigned tries = 0; tries < 16; tries++) {
		uint32_t len;
		const int b = vnet_recv(d, &len, 200000000);
		if (b < 0)
			return 2;
		const int ok =
		    len > d->hlen && is_echo_reply(d, vnet_rx[b] + d->hlen, len - d->hlen, ip, seq);
		vnet_give_rx(d, (unsigned)b, VNET_RXBUF);
		if (ok)
			return 0;
	}
	return 3;
}

#endif
