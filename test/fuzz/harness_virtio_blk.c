/*
 * virtio-blk harness (devices/virtio_mmio.c + virtio_blk.c): a driver whose
 * every choice comes from the input. The first 64 bytes are register
 * values (features, queue size, ring addresses, avail indexes to notify);
 * the rest is copied into guest RAM where the rings and buffers live, so
 * descriptors, chains, lengths and request headers are arbitrary. Ring
 * addresses may point anywhere, inside RAM or not.
 */
#include "core/machine.h"
#include "devices/block.h"
#include "devices/virtio_blk.h"
#include "devices/virtio_mmio.h"
#include "harness.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define RAM_BASE 0x80000000ULL
#define RAM_SIZE (256u << 10)
#define VIRTIO0	 0x10001000ULL
#define AREA	 (RAM_BASE + 0x10000) /* the input's bytes go here */

static void irq_cb(void *opaque, unsigned irq, bool level)
{
	(void)opaque, (void)irq, (void)level;
}

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void wr(struct machine *m, uint64_t off, uint32_t v)
{
	(void)bus_write(&m->bus, VIRTIO0 + off, 4, v);
}

static uint32_t rd(struct machine *m, uint64_t off)
{
	uint64_t v = 0;
	(void)bus_read(&m->bus, VIRTIO0 + off, 4, &v);
	return (uint32_t)v;
}

/* A ring address: mostly inside the input's area, sometimes raw. */
static uint64_t addr(uint32_t v)
{
	if (v & 0x80000000u)
		return (uint64_t)(v & 0x7fffffffu) << (v & 1 ? 4 : 0);
	return AREA + (v % (RAM_SIZE - 0x10000));
}

int harness_virtio_blk(const uint8_t *data, size_t size)
{
	uint8_t regs[64] = {0};
	memcpy(regs, data, size < sizeof(regs) ? size : sizeof(regs));
	struct machine *m = machine_new(RAM_BASE, RAM_SIZE, 1, RAM_BASE);
	if (!m)
		return 0;
	char path[] = "/tmp/rvjit-fuzz-vblk-XXXXXX";
	const int fd = mkstemp(path);
	if (fd < 0) {
		machine_free(m);
		return 0;
	}
	static const uint8_t zero[64 << 10];
	const bool ok = write(fd, zero, sizeof(zero)) == (ssize_t)sizeof(zero);
	close(fd);
	char err[256];
	const bool legacy = regs[0] & 1;
	struct block_dev *disk =
	    ok ? disk_raw_open(path, regs[0] & 2, false, err, sizeof(err)) : NULL;
	const struct irq_line irq = {.set = irq_cb, .opaque = NULL, .irq = 1};
	struct virtio_mmio *vm =
	    disk ? virtio_blk_new(m, VIRTIO0, irq, disk, legacy, "fuzz") : NULL;
	if (vm) {
		if (size > sizeof(regs)) {
			size_t n = size - sizeof(regs);
			if (n > RAM_SIZE - (AREA - RAM_BASE))
				n = RAM_SIZE - (AREA - RAM_BASE);
			memcpy(m->ram + (AREA - RAM_BASE), data + sizeof(regs), n);
		}
		wr(m, VIRTIO_MMIO_STATUS, 0);
		wr(m, VIRTIO_MMIO_STATUS, 1);
		wr(m, VIRTIO_MMIO_STATUS, 3);
		wr(m, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
		wr(m, VIRTIO_MMIO_DRIVER_FEATURES,
		   rd(m, VIRTIO_MMIO_DEVICE_FEATURES) & le32(regs + 4));
		wr(m, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
		wr(m, VIRTIO_MMIO_DRIVER_FEATURES, le32(regs + 8));
		wr(m, VIRTIO_MMIO_STATUS,
		   regs[1] & 0x80 ? 0xb : 0xf); /* sometimes skip FEATURES_OK */
		wr(m, VIRTIO_MMIO_QUEUE_SEL, regs[2] & 0x80 ? regs[2] : 0);
		wr(m, VIRTIO_MMIO_QUEUE_NUM, (uint32_t)regs[3] | (uint32_t)regs[12] << 8);
		const uint64_t desc = addr(le32(regs + 16)), avail = addr(le32(regs + 20)),
			       used = addr(le32(regs + 24));
		if (legacy) {
			wr(m, VIRTIO_MMIO_GUEST_PAGE_SIZE,
			   regs[13] & 1 ? 4096 : 1u << (regs[13] & 31));
			wr(m, VIRTIO_MMIO_QUEUE_ALIGN, regs[14] & 1 ? 4096 : 1u << (regs[14] & 31));
			wr(m, VIRTIO_MMIO_QUEUE_PFN, (uint32_t)(desc >> 12));
		} else {
			wr(m, VIRTIO_MMIO_QUEUE_DESC_LOW, (uint32_t)desc);
			wr(m, VIRTIO_MMIO_QUEUE_DESC_HIGH, (uint32_t)(desc >> 32));
			wr(m, VIRTIO_MMIO_QUEUE_DRIVER_LOW, (uint32_t)avail);
			wr(m, VIRTIO_MMIO_QUEUE_DRIVER_HIGH, (uint32_t)(avail >> 32));
			wr(m, VIRTIO_MMIO_QUEUE_DEVICE_LOW, (uint32_t)used);
			wr(m, VIRTIO_MMIO_QUEUE_DEVICE_HIGH, (uint32_t)(used >> 32));
			wr(m, VIRTIO_MMIO_QUEUE_READY, 1);
		}
		wr(m, VIRTIO_MMIO_STATUS, regs[1] & 0x80 ? 0xb : 0xf | 4u);
		/* Up to four notifications, each after moving avail->idx. */
		for (unsigned i = 0; i < 4; i++) {
			const uint64_t idx_pa = avail + 2;
			uint8_t *p = machine_host_ptr(m, idx_pa, 2, true);
			if (p) {
				p[0] = regs[32 + 2 * i];
				p[1] = regs[33 + 2 * i];
			}
			wr(m, VIRTIO_MMIO_QUEUE_NOTIFY, regs[40 + i] & 0x80 ? regs[40 + i] & 7 : 0);
			const uint32_t st = rd(m, VIRTIO_MMIO_INTERRUPT_STATUS);
			wr(m, VIRTIO_MMIO_INTERRUPT_ACK, st);
		}
		if (getenv("FUZZ_VERBOSE")) {
			const uint8_t *u = machine_host_ptr(m, used + 2, 2, false);
			fprintf(stderr, "virtio_blk: status %#x, used idx %u, request status %#x\n",
				rd(m, VIRTIO_MMIO_STATUS), u ? (unsigned)(u[0] | u[1] << 8) : 0u,
				m->ram[AREA - RAM_BASE + 0x500]);
		}
		for (uint64_t off = VIRTIO_MMIO_CONFIG; off < VIRTIO_MMIO_CONFIG + 0x40; off += 4)
			(void)rd(m, off);
		virtio_blk_free(vm);
	}
	block_close(disk);
	unlink(path);
	machine_free(m);
	return 0;
}

/* A valid modern request: read sector 1 into a buffer (desc 0-2). */
uint8_t *seed_virtio_blk(unsigned index, size_t *size)
{
	if (index > 1)
		return NULL;
	const size_t n = 64 + 0x3000;
	uint8_t *s = calloc(1, n);
	if (!s)
		return NULL;
	s[0] = index ? 1 : 0; /* legacy for seed 1 */
	s[3] = 8;	      /* queue size */
	s[13] = s[14] = 1;
	const uint32_t d = 0, a = 0x1000, u = 0x2000; /* offsets in the area */
	memcpy(s + 16, &d, 4);
	memcpy(s + 20, &a, 4);
	memcpy(s + 24, &u, 4);
	s[32] = 1; /* avail->idx = 1 */
	uint8_t *area = s + 64;
	const uint64_t hdr = AREA + 0x400, buf = AREA + 0x800, st = AREA + 0x500;
	const struct {
		uint64_t addr;
		uint32_t len;
		uint16_t flags, next;
	} desc[3] = {
	    {hdr, 16, 1, 1},
	    {buf, 512, 3, 2},
	    {st, 1, 2, 0},
	};
	for (unsigned i = 0; i < 3; i++) {
		memcpy(area + 16 * i, &desc[i].addr, 8);
		memcpy(area + 16 * i + 8, &desc[i].len, 4);
		memcpy(area + 16 * i + 12, &desc[i].flags, 2);
		memcpy(area + 16 * i + 14, &desc[i].next, 2);
	}
	const uint32_t type_in = 0;
	const uint64_t sector = 1;
	memcpy(area + 0x400, &type_in, 4);
	memcpy(area + 0x408, &sector, 8);
	if (index) {
		/* legacy layout: avail right after the descriptors, used at the
		 * next 4 KiB boundary; the avail index is set from regs */
		memcpy(s + 20, &(uint32_t){8 * 16}, 4);
	}
	*size = n;
	return s;
}
