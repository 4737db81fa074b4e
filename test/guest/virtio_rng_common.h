/*
 * A virtio-rng driver for guest tests (virtio 1.2 section 5.4) on top of
 * virtio_drv.h's queue handling, and the session that virtio_rng_legacy.c
 * and virtio_rng_modern.c run: the device is found where QEMU's virt puts
 * a -device without bus= (the highest slot), and every request's used
 * length, the bytes written (exactly the request, nothing past it) and
 * their randomness (two reads differ, not all zero, roughly uniform) are
 * checked.
 */
#ifndef VIRTIO_RNG_COMMON_H
#define VIRTIO_RNG_COMMON_H

#include "guest.h"
#include "guest_irq.h"
#include "virtio_drv.h"

#define RNG_ID	     4u
#define TICKS_PER_MS 10000u /* the `time` CSR counts at 10 MHz on virt */

static struct vblk rng;
static uint8_t rbuf[8192] __attribute__((aligned(16)));

/* The one slot holding an entropy device, -1 if none or several. */
static inline int rng_find(void)
{
	int found = -1;
	for (int s = 0; s < VIRTIO_MMIO_SLOTS; s++) {
		const uintptr_t b = VIRTIO_MMIO_BASE + VIRTIO_MMIO_STRIDE * (uintptr_t)s;
		if (mmio_read32(b + VM_DEVICE_ID) == RNG_ID) {
			if (found >= 0)
				return -1;
			found = s;
		}
	}
	return found;
}

/* Publish the chain at `head` and notify. */
static inline void rng_submit(struct vblk *d, uint16_t head)
{
	d->avail[0] = d->use_irq ? 0 : AVAIL_F_NO_INTERRUPT;
	d->avail[2 + d->avail_idx % VQ_NUM] = head;
	__sync_synchronize();
	d->avail_idx++;
	d->avail[1] = d->avail_idx;
	__sync_synchronize();
	vw(d, VM_QUEUE_NOTIFY, 0);
}

/* Wait up to `ms` for the next used entry: 0 and d->last_used_* set, or
 * -1 when none came. */
static inline int rng_wait(struct vblk *d, uint64_t ms)
{
	volatile uint16_t *used_idx = (volatile uint16_t *)(d->used + 2);
	const uint64_t end = csr_read(time) + ms * TICKS_PER_MS;
	while (*used_idx == d->used_seen)
		if (csr_read(time) > end)
			return -1;
	__sync_synchronize();
	volatile uint32_t *ent = (volatile uint32_t *)(d->used + 4 + 8 * (d->used_seen % VQ_NUM));
	d->last_used_id = ent[0];
	d->last_used_len = ent[1];
	d->used_seen++;
	return 0;
}

/* One request for `len` bytes at `buf` (one descriptor); the used length,
 * or -1 when it did not complete within a second. */
static inline int64_t rng_read(struct vblk *d, void *buf, uint32_t len)
{
	const uint16_t head = vblk_alloc_desc(d);
	vblk_set_desc(d->desc, head, (uintptr_t)buf, len, D_WRITE, 0);
	rng_submit(d, head);
	if (rng_wait(d, 1000))
		return -1;
	if (d->last_used_id != head)
		return -2;
	return d->last_used_len;
}

static inline int all_byte(const uint8_t *p, unsigned n, uint8_t b)
{
	for (unsigned i = 0; i < n; i++)
		if (((volatile const uint8_t *)p)[i] != b)
			return 0;
	return 1;
}

static inline int same(const uint8_t *a, const uint8_t *b, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		if (a[i] != b[i])
			return 0;
	return 1;
}

/* Exactly `len` bytes written: the guard bytes after them are untouched,
 * and the bytes are not the fill (a chance of 2^-8len for random ones). */
static inline int read_exact(struct vblk *d, uint32_t len)
{
	fill(rbuf, 0xaa, len + 64);
	if (rng_read(d, rbuf, len) != (int64_t)len)
		return 1;
	if (!all_byte(rbuf + len, 64, 0xaa))
		return 2;
	if (len >= 8 && all_byte(rbuf, len, 0xaa))
		return 3;
	return 0;
}

/* A loose look at 8 KiB: each bit set about half the time, every byte
 * value about 32 times (chi-square over 256 values, expected ~255 with a
 * spread of ~23; the bounds are ten spreads off). */
static inline int roughly_uniform(const uint8_t *p, unsigned n)
{
	static unsigned count[256];
	uint64_t ones = 0;
	for (unsigned i = 0; i < 256; i++)
		count[i] = 0;
	for (unsigned i = 0; i < n; i++) {
		count[p[i]]++;
		for (uint8_t v = p[i]; v; v &= (uint8_t)(v - 1))
			ones++;
	}
	const uint64_t bits = 8ULL * n, half = bits / 2;
	if (ones < half - half / 20 || ones > half + half / 20)
		return 1;
	const uint64_t expect = n / 256;
	uint64_t chi = 0;
	for (unsigned i = 0; i < 256; i++) {
		const int64_t dlt = (int64_t)count[i] - (int64_t)expect;
		chi += (uint64_t)(dlt * dlt);
	}
	chi /= expect;
	return chi > 500 ? 2 : 0;
}

static int rng_session(uint32_t want_version)
{
	struct vblk *d = &rng;
	const int slot = rng_find();
	/* -device virtio-rng-device without bus=: the highest free slot. */
	CHECK(slot == 7, 10);
	const uintptr_t base = VIRTIO_MMIO_BASE + VIRTIO_MMIO_STRIDE * 7;
	CHECK(mmio_read32(base + VM_VERSION) == want_version, 11);
	d->base = base;
	vw(d, VM_STATUS, 0);
	/* 5.4.3: no device feature bits; the transport's ring features. */
	const uint64_t offered = vblk_read_offered(d);
	CHECK((offered & 0xffffff) == 0, 12);
	CHECK(!!(offered & (1ULL << F_VERSION_1)) == (want_version == 2), 13);
	const int rc = vdev_init(d, slot, RNG_ID, 1ULL << F_INDIRECT_DESC);
	CHECK(rc == 0, 20 + rc);
	/* QEMU's queue size for virtio-rng. */
	vw(d, VM_QUEUE_SEL, 0);
	CHECK(vr(d, VM_QUEUE_NUM_MAX) == 8, 14);

	/* Used length = the request, nothing written past it. */
	CHECK(read_exact(d, 1) == 0, 40);
	CHECK(read_exact(d, 7) == 0, 41);
	CHECK(read_exact(d, 64) == 0, 42);
	CHECK(read_exact(d, 4096) == 0, 43);

	/* Two reads differ. */
	static uint8_t a[64], b[64];
	CHECK(rng_read(d, a, sizeof(a)) == sizeof(a), 50);
	CHECK(rng_read(d, b, sizeof(b)) == sizeof(b), 51);
	CHECK(!same(a, b, sizeof(a)), 52);
	CHECK(!all_byte(a, sizeof(a), 0), 53);

	/* A chain of two writable buffers is filled across both. */
	fill(rbuf, 0, 256);
	const uint16_t h = vblk_alloc_desc(d), t = vblk_alloc_desc(d);
	vblk_set_desc(d->desc, h, (uintptr_t)rbuf, 100, D_WRITE | D_NEXT, t);
	vblk_set_desc(d->desc, t, (uintptr_t)rbuf + 128, 28, D_WRITE, 0);
	rng_submit(d, h);
	CHECK(rng_wait(d, 1000) == 0, 60);
	CHECK(d->last_used_id == h && d->last_used_len == 128, 61);
	CHECK(!all_byte(rbuf + 128, 28, 0) && all_byte(rbuf + 156, 100, 0), 62);
	CHECK(all_byte(rbuf + 100, 28, 0), 63);

	/* Roughly uniform bytes. */
	CHECK(rng_read(d, rbuf, sizeof(rbuf)) == sizeof(rbuf), 70);
	CHECK(roughly_uniform(rbuf, sizeof(rbuf)) == 0, 71);

	/* Completion by interrupt. */
	vblk_enable_irq(d);
	d->use_irq = 1;
	const unsigned irqs = vblk_irqs;
	const uint16_t i = vblk_alloc_desc(d);
	vblk_set_desc(d->desc, i, (uintptr_t)rbuf, 32, D_WRITE, 0);
	rng_submit(d, i);
	wait_for_change(&vblk_irqs, irqs);
	CHECK(vblk_irq_bad_claim == 0, 80);
	CHECK(vblk_irq_status & INT_VRING, 81);
	CHECK(rng_wait(d, 1000) == 0 && d->last_used_len == 32, 82);
	return 0;
}

#endif
