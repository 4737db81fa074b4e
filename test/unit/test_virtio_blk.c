/*
 * virtio-blk over virtio-mmio (devices/virtio_blk.c, devices/virtio_mmio.c).
 *
 * The driver side is played by the test: register accesses go through the
 * machine's bus, and the rings and requests are written straight into guest
 * RAM, in the order xv6's kernel/virtio_disk.c does it (modern: current
 * xv6-riscv; legacy: the 2019-2021 versions, GuestPageSize + QueuePFN).
 * Then the hostile-guest cases: every malformed chain must leave the image
 * file byte-identical, the emulator alive, and the device either answering
 * IOERR or in DEVICE_NEEDS_RESET.
 */
#include "core/machine.h"
#include "devices/block.h"
#include "devices/virtio_blk.h"
#include "devices/virtio_mmio.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define RAM_BASE    0x80000000ULL
#define RAM_SIZE    (1ULL << 20)
#define VIRTIO0	    0x10001000ULL
#define NUM	    8 /* xv6's queue size */
#define IMG_SECTORS 64
#define IMG_SIZE    (IMG_SECTORS * 512)

/* Guest physical layout of the driver's structures. */
#define Q_DESC	       (RAM_BASE + 0x10000)
#define Q_AVAIL	       (RAM_BASE + 0x11000)
#define Q_USED	       (RAM_BASE + 0x12000)
#define Q_LEGACY_PAGES (RAM_BASE + 0x20000) /* desc + avail, used one page on */
#define REQ_HDR	       (RAM_BASE + 0x30000)
#define REQ_STATUS     (RAM_BASE + 0x30100)
#define REQ_DATA       (RAM_BASE + 0x31000)
#define REQ_DATA2      (RAM_BASE + 0x32000)
#define INDIRECT       (RAM_BASE + 0x34000)

struct rig {
	struct machine *m;
	struct virtio_mmio *vm;
	struct block_dev *disk;
	char path[64];
	uint8_t original[IMG_SIZE]; /* the image as created: the "copy" */
	bool legacy;
	bool irq_level;
	uint64_t desc, avail, used; /* where the rings are */
	uint16_t avail_idx;	    /* the driver's next avail->idx */
	uint16_t used_seen;	    /* xv6's disk.used_idx */
};

static void irq_cb(void *opaque, unsigned irq, bool level)
{
	struct rig *r = opaque;
	cr_assert_eq(irq, 1);
	r->irq_level = level;
}

/* ---- guest memory and registers ---- */

static uint8_t *g(struct rig *r, uint64_t pa)
{
	return r->m->ram + (pa - RAM_BASE);
}

static uint32_t rd(struct rig *r, uint64_t off)
{
	uint64_t v = 0;
	cr_assert(bus_read(&r->m->bus, VIRTIO0 + off, 4, &v));
	return (uint32_t)v;
}

static void wr(struct rig *r, uint64_t off, uint32_t v)
{
	cr_assert(bus_write(&r->m->bus, VIRTIO0 + off, 4, v));
}

static void set_desc(struct rig *r, uint64_t table, unsigned i, uint64_t addr, uint32_t len,
		     uint16_t flags, uint16_t next)
{
	uint8_t *d = g(r, table + 16 * i);
	virtio_put_le64(d, addr);
	virtio_put_le32(d + 8, len);
	virtio_put_le16(d + 12, flags);
	virtio_put_le16(d + 14, next);
}

static void set_hdr(struct rig *r, uint64_t pa, uint32_t type, uint64_t sector)
{
	virtio_put_le32(g(r, pa), type);
	virtio_put_le32(g(r, pa + 4), 0);
	virtio_put_le64(g(r, pa + 8), sector);
}

/* xv6: avail->ring[avail->idx % NUM] = head; avail->idx += 1; notify. */
static void submit(struct rig *r, uint16_t head)
{
	virtio_put_le16(g(r, r->avail + 4 + 2 * (r->avail_idx % NUM)), head);
	r->avail_idx++;
	virtio_put_le16(g(r, r->avail + 2), r->avail_idx);
	wr(r, VIRTIO_MMIO_QUEUE_NOTIFY, 0);
}

static uint16_t used_idx(struct rig *r)
{
	return virtio_le16(g(r, r->used + 2));
}

static bool image_unchanged(struct rig *r)
{
	uint8_t now[IMG_SIZE];
	FILE *f = fopen(r->path, "rb");
	cr_assert(f);
	cr_assert_eq(fread(now, 1, sizeof(now), f), sizeof(now));
	fclose(f);
	return memcmp(now, r->original, sizeof(now)) == 0;
}

static struct rig *rig_new(bool legacy, bool readonly)
{
	struct rig *r = calloc(1, sizeof(*r));
	cr_assert(r);
	r->legacy = legacy;
	r->m = machine_new(RAM_BASE, RAM_SIZE, 1, RAM_BASE);
	cr_assert(r->m);

	strcpy(r->path, "/tmp/rvjit-vblk-XXXXXX");
	const int fd = mkstemp(r->path);
	cr_assert(fd >= 0);
	for (size_t i = 0; i < IMG_SIZE; i++)
		r->original[i] = (uint8_t)(i * 13 + i / 512);
	cr_assert_eq(write(fd, r->original, IMG_SIZE), IMG_SIZE);
	close(fd);

	char err[256];
	r->disk = disk_raw_open(r->path, readonly, false, err, sizeof(err));
	cr_assert(r->disk, "%s", err);
	const struct irq_line irq = {.set = irq_cb, .opaque = r, .irq = 1};
	r->vm = virtio_blk_new(r->m, VIRTIO0, irq, r->disk, legacy, "rvjit-disk0");
	cr_assert(r->vm);
	return r;
}

static void rig_free(struct rig *r)
{
	virtio_blk_free(r->vm);
	block_close(r->disk);
	machine_free(r->m);
	unlink(r->path);
	free(r);
}

/* ---- xv6's virtio_disk_init() ---- */

#define XV6_CLEARED_FEATURES                                                                       \
	(1u << VIRTIO_BLK_F_RO | 1u << VIRTIO_BLK_F_SCSI | 1u << VIRTIO_BLK_F_CONFIG_WCE |         \
	 1u << VIRTIO_BLK_F_MQ | 1u << VIRTIO_F_ANY_LAYOUT | 1u << VIRTIO_RING_F_EVENT_IDX |       \
	 1u << VIRTIO_RING_F_INDIRECT_DESC)

/* `keep` names ring features to leave on, for tests that want them. */
static void xv6_init(struct rig *r, uint32_t keep)
{
	cr_assert_eq(rd(r, VIRTIO_MMIO_MAGIC_VALUE), 0x74726976);
	cr_assert_eq(rd(r, VIRTIO_MMIO_VERSION), r->legacy ? 1 : 2);
	cr_assert_eq(rd(r, VIRTIO_MMIO_DEVICE_ID), 2);
	cr_assert_eq(rd(r, VIRTIO_MMIO_VENDOR_ID), 0x554d4551);

	uint32_t status = 0;
	wr(r, VIRTIO_MMIO_STATUS, status);
	status |= VIRTIO_CONFIG_S_ACKNOWLEDGE;
	wr(r, VIRTIO_MMIO_STATUS, status);
	status |= VIRTIO_CONFIG_S_DRIVER;
	wr(r, VIRTIO_MMIO_STATUS, status);

	uint32_t features = rd(r, VIRTIO_MMIO_DEVICE_FEATURES);
	features &= ~(XV6_CLEARED_FEATURES & ~keep);
	wr(r, VIRTIO_MMIO_DRIVER_FEATURES, features);

	status |= VIRTIO_CONFIG_S_FEATURES_OK;
	wr(r, VIRTIO_MMIO_STATUS, status);
	if (!r->legacy) {
		status = rd(r, VIRTIO_MMIO_STATUS);
		cr_assert(status & VIRTIO_CONFIG_S_FEATURES_OK, "virtio disk FEATURES_OK unset");
	}

	wr(r, VIRTIO_MMIO_QUEUE_SEL, 0);
	if (!r->legacy)
		cr_assert_eq(rd(r, VIRTIO_MMIO_QUEUE_READY), 0, "virtio disk should not be ready");
	const uint32_t max = rd(r, VIRTIO_MMIO_QUEUE_NUM_MAX);
	cr_assert(max >= NUM, "virtio disk max queue too short");

	if (r->legacy) {
		wr(r, VIRTIO_MMIO_GUEST_PAGE_SIZE, 4096);
		wr(r, VIRTIO_MMIO_QUEUE_NUM, NUM);
		memset(g(r, Q_LEGACY_PAGES), 0, 2 * 4096);
		wr(r, VIRTIO_MMIO_QUEUE_PFN, (uint32_t)(Q_LEGACY_PAGES >> 12));
		r->desc = Q_LEGACY_PAGES;
		r->avail = Q_LEGACY_PAGES + NUM * 16;
		r->used = Q_LEGACY_PAGES + 4096;
	} else {
		memset(g(r, Q_DESC), 0, 4096);
		memset(g(r, Q_AVAIL), 0, 4096);
		memset(g(r, Q_USED), 0, 4096);
		wr(r, VIRTIO_MMIO_QUEUE_NUM, NUM);
		wr(r, VIRTIO_MMIO_QUEUE_DESC_LOW, (uint32_t)Q_DESC);
		wr(r, VIRTIO_MMIO_QUEUE_DESC_HIGH, (uint32_t)(Q_DESC >> 32));
		wr(r, VIRTIO_MMIO_QUEUE_DRIVER_LOW, (uint32_t)Q_AVAIL);
		wr(r, VIRTIO_MMIO_QUEUE_DRIVER_HIGH, (uint32_t)(Q_AVAIL >> 32));
		wr(r, VIRTIO_MMIO_QUEUE_DEVICE_LOW, (uint32_t)Q_USED);
		wr(r, VIRTIO_MMIO_QUEUE_DEVICE_HIGH, (uint32_t)(Q_USED >> 32));
		wr(r, VIRTIO_MMIO_QUEUE_READY, 1);
		r->desc = Q_DESC;
		r->avail = Q_AVAIL;
		r->used = Q_USED;
	}
	r->avail_idx = 0;
	r->used_seen = 0;

	status |= VIRTIO_CONFIG_S_DRIVER_OK;
	wr(r, VIRTIO_MMIO_STATUS, status);
	cr_assert_eq(rd(r, VIRTIO_MMIO_STATUS), status);
}

/* xv6's virtio_disk_intr(): acknowledge, then consume used entries. */
static void xv6_intr(struct rig *r, uint16_t want_head)
{
	cr_assert(r->irq_level, "no interrupt");
	const uint32_t st = rd(r, VIRTIO_MMIO_INTERRUPT_STATUS);
	cr_assert_eq(st & 1, 1);
	wr(r, VIRTIO_MMIO_INTERRUPT_ACK, st & 3);
	cr_assert(!r->irq_level, "ACK did not lower the line");
	cr_assert_eq(rd(r, VIRTIO_MMIO_INTERRUPT_STATUS), 0);
	cr_assert_eq(used_idx(r), (uint16_t)(r->used_seen + 1));
	const uint8_t *e = g(r, r->used + 4 + 8 * (r->used_seen % NUM));
	cr_assert_eq(virtio_le32(e), want_head);
	r->used_seen++;
}

/* xv6's virtio_disk_rw(): a 1024-byte block as three descriptors
 * (header, data, status) at indices 0, 1, 2. Returns the status byte. */
static uint8_t xv6_rw(struct rig *r, bool write, uint64_t blockno, uint64_t data)
{
	set_hdr(r, REQ_HDR, write ? VIRTIO_BLK_T_OUT : VIRTIO_BLK_T_IN, blockno * 2);
	set_desc(r, r->desc, 0, REQ_HDR, 16, VIRTQ_DESC_F_NEXT, 1);
	set_desc(r, r->desc, 1, data, 1024, (write ? 0 : VIRTQ_DESC_F_WRITE) | VIRTQ_DESC_F_NEXT,
		 2);
	*g(r, REQ_STATUS) = 0xff;
	set_desc(r, r->desc, 2, REQ_STATUS, 1, VIRTQ_DESC_F_WRITE, 0);
	submit(r, 0);
	xv6_intr(r, 0);
	const uint8_t *e = g(r, r->used + 4 + 8 * ((r->used_seen - 1) % NUM));
	if (*g(r, REQ_STATUS) == VIRTIO_BLK_S_OK && !write)
		cr_expect_eq(virtio_le32(e + 4), 1025, "used len counts data and status");
	return *g(r, REQ_STATUS);
}

static void xv6_write_then_read(bool legacy)
{
	struct rig *r = rig_new(legacy, false);
	xv6_init(r, 0);
	/* Capacity in the config space, read as two 32-bit halves like Linux. */
	uint64_t lo, hi;
	cr_assert(bus_read(&r->m->bus, VIRTIO0 + 0x100, 4, &lo));
	cr_assert(bus_read(&r->m->bus, VIRTIO0 + 0x104, 4, &hi));
	cr_expect_eq(lo | hi << 32, IMG_SECTORS);

	for (unsigned i = 0; i < 1024; i++)
		*g(r, REQ_DATA + i) = (uint8_t)(i ^ 0x5c);
	cr_assert_eq(xv6_rw(r, true, 3, REQ_DATA), VIRTIO_BLK_S_OK);

	uint8_t file[IMG_SIZE];
	FILE *f = fopen(r->path, "rb");
	cr_assert_eq(fread(file, 1, sizeof(file), f), sizeof(file));
	fclose(f);
	for (unsigned i = 0; i < IMG_SIZE; i++) {
		const uint8_t want =
		    i >= 3072 && i < 4096 ? (uint8_t)((i - 3072) ^ 0x5c) : r->original[i];
		cr_assert_eq(file[i], want, "file byte %u", i);
	}

	memset(g(r, REQ_DATA2), 0, 1024);
	cr_assert_eq(xv6_rw(r, false, 3, REQ_DATA2), VIRTIO_BLK_S_OK);
	cr_assert_arr_eq(g(r, REQ_DATA2), g(r, REQ_DATA), 1024);
	cr_assert_eq(xv6_rw(r, false, 0, REQ_DATA2), VIRTIO_BLK_S_OK);
	cr_assert_arr_eq(g(r, REQ_DATA2), r->original, 1024);
	cr_expect_eq(virtio_mmio_status(r->vm) & VIRTIO_CONFIG_S_NEEDS_RESET, 0);
	rig_free(r);
}

/* A time limit for every test: a hang fails it instead of stalling the
 * run. */
TestSuite(virtio_blk, .timeout = 60);
TestSuite(virtio_blk_hostile, .timeout = 60);

Test(virtio_blk, xv6_modern_write_then_read)
{
	xv6_write_then_read(false);
}

Test(virtio_blk, xv6_legacy_write_then_read)
{
	xv6_write_then_read(true);
}

Test(virtio_blk, features_per_mode)
{
	struct rig *r = rig_new(false, false);
	wr(r, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 1);
	cr_expect_eq(rd(r, VIRTIO_MMIO_DEVICE_FEATURES), 1, "modern offers VERSION_1");
	wr(r, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 0);
	const uint32_t f = rd(r, VIRTIO_MMIO_DEVICE_FEATURES);
	cr_expect(f & 1u << VIRTIO_BLK_F_FLUSH);
	cr_expect(f & 1u << VIRTIO_RING_F_INDIRECT_DESC);
	cr_expect_eq(f & 1u << VIRTIO_BLK_F_RO, 0);
	rig_free(r);

	r = rig_new(true, true);
	wr(r, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 1);
	cr_expect_eq(rd(r, VIRTIO_MMIO_DEVICE_FEATURES), 0, "legacy has no VERSION_1");
	wr(r, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 0);
	cr_expect(rd(r, VIRTIO_MMIO_DEVICE_FEATURES) & 1u << VIRTIO_BLK_F_RO);
	rig_free(r);
}

Test(virtio_blk, features_ok_refused_for_unoffered_bits)
{
	struct rig *r = rig_new(false, false);
	wr(r, VIRTIO_MMIO_STATUS, VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER);
	wr(r, VIRTIO_MMIO_DRIVER_FEATURES, 1u << VIRTIO_BLK_F_MQ);
	wr(r, VIRTIO_MMIO_STATUS,
	   VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER | VIRTIO_CONFIG_S_FEATURES_OK);
	cr_expect_eq(rd(r, VIRTIO_MMIO_STATUS) & VIRTIO_CONFIG_S_FEATURES_OK, 0);
	rig_free(r);
}

Test(virtio_blk, empty_slot)
{
	struct machine *m = machine_new(RAM_BASE, RAM_SIZE, 1, RAM_BASE);
	cr_assert(virtio_mmio_empty(m, VIRTIO0 + 0x1000, false));
	uint64_t v;
	cr_assert(bus_read(&m->bus, VIRTIO0 + 0x1000, 4, &v));
	cr_expect_eq(v, VIRTIO_MMIO_MAGIC);
	cr_assert(bus_read(&m->bus, VIRTIO0 + 0x1004, 4, &v));
	cr_expect_eq(v, 2);
	cr_assert(bus_read(&m->bus, VIRTIO0 + 0x1008, 4, &v));
	cr_expect_eq(v, 0, "DeviceID 0: nothing here");
	cr_assert(bus_write(&m->bus, VIRTIO0 + 0x1070, 4, 7));
	machine_free(m);
}

Test(virtio_blk, flush_and_get_id)
{
	struct rig *r = rig_new(false, false);
	xv6_init(r, 0);

	set_hdr(r, REQ_HDR, VIRTIO_BLK_T_FLUSH, 0);
	set_desc(r, r->desc, 0, REQ_HDR, 16, VIRTQ_DESC_F_NEXT, 1);
	*g(r, REQ_STATUS) = 0xff;
	set_desc(r, r->desc, 1, REQ_STATUS, 1, VIRTQ_DESC_F_WRITE, 0);
	submit(r, 0);
	xv6_intr(r, 0);
	cr_expect_eq(*g(r, REQ_STATUS), VIRTIO_BLK_S_OK);

	set_hdr(r, REQ_HDR, VIRTIO_BLK_T_GET_ID, 0);
	memset(g(r, REQ_DATA), 0xee, 64);
	set_desc(r, r->desc, 0, REQ_HDR, 16, VIRTQ_DESC_F_NEXT, 1);
	set_desc(r, r->desc, 1, REQ_DATA, 20, VIRTQ_DESC_F_WRITE | VIRTQ_DESC_F_NEXT, 2);
	*g(r, REQ_STATUS) = 0xff;
	set_desc(r, r->desc, 2, REQ_STATUS, 1, VIRTQ_DESC_F_WRITE, 0);
	submit(r, 0);
	xv6_intr(r, 0);
	cr_expect_eq(*g(r, REQ_STATUS), VIRTIO_BLK_S_OK);
	char want[20] = "rvjit-disk0";
	cr_expect_arr_eq(g(r, REQ_DATA), want, 20);
	cr_expect_eq(*g(r, REQ_DATA + 20), 0xee, "nothing past the 20 bytes");

	set_hdr(r, REQ_HDR, 42, 0);
	set_desc(r, r->desc, 0, REQ_HDR, 16, VIRTQ_DESC_F_NEXT, 1);
	set_desc(r, r->desc, 1, REQ_STATUS, 1, VIRTQ_DESC_F_WRITE, 0);
	submit(r, 0);
	xv6_intr(r, 0);
	cr_expect_eq(*g(r, REQ_STATUS), VIRTIO_BLK_S_UNSUPP);
	rig_free(r);
}

/* Linux-like layouts: the header split in two, data over several
 * descriptors, the last data bytes sharing a descriptor with the status. */
Test(virtio_blk, arbitrary_split_layout)
{
	struct rig *r = rig_new(false, false);
	xv6_init(r, 0);
	set_hdr(r, REQ_HDR, VIRTIO_BLK_T_OUT, 10);
	memcpy(g(r, REQ_DATA + 100), g(r, REQ_HDR + 10), 6);
	for (unsigned i = 0; i < 1024; i++)
		*g(r, REQ_DATA2 + i) = (uint8_t)(i * 3);
	set_desc(r, r->desc, 0, REQ_HDR, 10, VIRTQ_DESC_F_NEXT, 5);
	set_desc(r, r->desc, 5, REQ_DATA + 100, 6, VIRTQ_DESC_F_NEXT, 3);
	set_desc(r, r->desc, 3, REQ_DATA2, 1000, VIRTQ_DESC_F_NEXT, 7);
	set_desc(r, r->desc, 7, REQ_DATA2 + 1000, 24, VIRTQ_DESC_F_NEXT, 1);
	*g(r, REQ_STATUS) = 0xff;
	set_desc(r, r->desc, 1, REQ_STATUS, 1, VIRTQ_DESC_F_WRITE, 0);
	submit(r, 0);
	xv6_intr(r, 0);
	cr_assert_eq(*g(r, REQ_STATUS), VIRTIO_BLK_S_OK);

	/* Read it back: one header descriptor, data in 3 pieces, the last
	 * piece 513 bytes with the status byte at its end. */
	const uint64_t buf = RAM_BASE + 0x40000;
	memset(g(r, buf), 0, 2048);
	set_hdr(r, REQ_HDR, VIRTIO_BLK_T_IN, 10);
	set_desc(r, r->desc, 4, REQ_HDR, 16, VIRTQ_DESC_F_NEXT, 2);
	set_desc(r, r->desc, 2, buf, 311, VIRTQ_DESC_F_WRITE | VIRTQ_DESC_F_NEXT, 6);
	set_desc(r, r->desc, 6, buf + 311, 200, VIRTQ_DESC_F_WRITE | VIRTQ_DESC_F_NEXT, 0);
	set_desc(r, r->desc, 0, buf + 511, 514, VIRTQ_DESC_F_WRITE, 0);
	submit(r, 4);
	xv6_intr(r, 4);
	cr_assert_eq(*g(r, buf + 1024), VIRTIO_BLK_S_OK);
	cr_assert_arr_eq(g(r, buf), g(r, REQ_DATA2), 1024);
	rig_free(r);
}

/* Linux with indirect descriptors: one ring slot, the chain in a table. */
Test(virtio_blk, indirect_table)
{
	struct rig *r = rig_new(false, false);
	xv6_init(r, 1u << VIRTIO_RING_F_INDIRECT_DESC);
	set_hdr(r, REQ_HDR, VIRTIO_BLK_T_IN, 1);
	*g(r, REQ_STATUS) = 0xff;
	set_desc(r, INDIRECT, 0, REQ_HDR, 16, VIRTQ_DESC_F_NEXT, 1);
	set_desc(r, INDIRECT, 1, REQ_DATA, 512, VIRTQ_DESC_F_WRITE | VIRTQ_DESC_F_NEXT, 2);
	set_desc(r, INDIRECT, 2, REQ_STATUS, 1, VIRTQ_DESC_F_WRITE, 0);
	set_desc(r, r->desc, 6, INDIRECT, 48, VIRTQ_DESC_F_INDIRECT, 0);
	submit(r, 6);
	xv6_intr(r, 6);
	cr_assert_eq(*g(r, REQ_STATUS), VIRTIO_BLK_S_OK);
	cr_assert_arr_eq(g(r, REQ_DATA), r->original + 512, 512);
	rig_free(r);
}

/* 2.7.7.2 / 2.7.10: the driver can suppress used buffer notifications. */
Test(virtio_blk, interrupt_suppression)
{
	struct rig *r = rig_new(false, false);
	xv6_init(r, 0);
	virtio_put_le16(g(r, r->avail), VIRTQ_AVAIL_F_NO_INTERRUPT);
	set_hdr(r, REQ_HDR, VIRTIO_BLK_T_FLUSH, 0);
	set_desc(r, r->desc, 0, REQ_HDR, 16, VIRTQ_DESC_F_NEXT, 1);
	set_desc(r, r->desc, 1, REQ_STATUS, 1, VIRTQ_DESC_F_WRITE, 0);
	submit(r, 0);
	cr_expect_eq(used_idx(r), 1);
	cr_expect(!r->irq_level);
	rig_free(r);

	r = rig_new(false, false);
	xv6_init(r, 1u << VIRTIO_RING_F_EVENT_IDX);
	set_hdr(r, REQ_HDR, VIRTIO_BLK_T_FLUSH, 0);
	set_desc(r, r->desc, 0, REQ_HDR, 16, VIRTQ_DESC_F_NEXT, 1);
	set_desc(r, r->desc, 1, REQ_STATUS, 1, VIRTQ_DESC_F_WRITE, 0);
	virtio_put_le16(g(r, r->avail + 4 + 2 * NUM), 1); /* used_event: after the 2nd */
	submit(r, 0);
	cr_expect_eq(used_idx(r), 1);
	cr_expect(!r->irq_level, "used_event not reached yet");
	cr_expect_eq(virtio_le16(g(r, r->used + 4 + 8 * NUM)), 1, "avail_event asks for the next");
	submit(r, 0);
	cr_expect_eq(used_idx(r), 2);
	cr_expect(r->irq_level, "used_event passed");
	rig_free(r);
}

/* DMA into a page holding decoded code must drop those blocks. */
Test(virtio_blk, dma_invalidates_code_pages)
{
	struct rig *r = rig_new(false, false);
	xv6_init(r, 0);
	const uint64_t page = (REQ_DATA - RAM_BASE) >> 12;
	r->m->page_flags[page] |= PAGE_CODE;
	cr_assert_eq(xv6_rw(r, false, 0, REQ_DATA), VIRTIO_BLK_S_OK);
	cr_expect_eq(r->m->page_flags[page] & PAGE_CODE, 0);
	rig_free(r);
}

Test(virtio_blk, readonly_disk_fails_writes)
{
	struct rig *r = rig_new(false, true);
	xv6_init(r, 0);
	memset(g(r, REQ_DATA), 0x11, 1024);
	cr_expect_eq(xv6_rw(r, true, 1, REQ_DATA), VIRTIO_BLK_S_IOERR);
	cr_expect_eq(xv6_rw(r, false, 1, REQ_DATA), VIRTIO_BLK_S_OK);
	cr_expect(image_unchanged(r));
	rig_free(r);
}

Test(virtio_blk, device_reset)
{
	struct rig *r = rig_new(false, false);
	xv6_init(r, 0);
	cr_assert_eq(xv6_rw(r, false, 0, REQ_DATA), VIRTIO_BLK_S_OK);
	/* Leave an interrupt pending, then reset. */
	submit(r, 0);
	cr_assert(r->irq_level);
	wr(r, VIRTIO_MMIO_STATUS, 0);
	cr_expect_eq(rd(r, VIRTIO_MMIO_STATUS), 0);
	cr_expect_eq(rd(r, VIRTIO_MMIO_INTERRUPT_STATUS), 0);
	cr_expect(!r->irq_level);
	cr_expect_eq(rd(r, VIRTIO_MMIO_QUEUE_READY), 0);
	cr_expect_eq(rd(r, VIRTIO_MMIO_QUEUE_NUM), 0);
	cr_expect_eq(virtio_mmio_features(r->vm), 0);
	/* Notifications are ignored until the driver sets it up again. */
	const uint16_t before = used_idx(r);
	wr(r, VIRTIO_MMIO_QUEUE_NOTIFY, 0);
	cr_expect_eq(used_idx(r), before);
	/* And it starts over from index 0. */
	xv6_init(r, 0);
	cr_expect_eq(xv6_rw(r, false, 2, REQ_DATA), VIRTIO_BLK_S_OK);
	cr_expect_arr_eq(g(r, REQ_DATA), r->original + 2048, 1024);
	rig_free(r);
}

/* ---- hostile guests ---- */

/* The device gave up on the queue (2.1.2) and told the driver. */
static void expect_needs_reset(struct rig *r)
{
	cr_expect(virtio_mmio_status(r->vm) & VIRTIO_CONFIG_S_NEEDS_RESET, "not NEEDS_RESET");
	cr_expect(rd(r, VIRTIO_MMIO_INTERRUPT_STATUS) & VIRTIO_MMIO_INT_CONFIG);
	cr_expect(r->irq_level);
	cr_expect(image_unchanged(r));
	/* A reset brings it back. */
	xv6_init(r, 0);
	cr_expect_eq(virtio_mmio_status(r->vm) & VIRTIO_CONFIG_S_NEEDS_RESET, 0);
	cr_expect_eq(xv6_rw(r, false, 0, REQ_DATA), VIRTIO_BLK_S_OK);
}

/* An xv6 write request whose data descriptor is replaced. */
static void bad_data_write(struct rig *r, uint64_t addr, uint32_t len)
{
	set_hdr(r, REQ_HDR, VIRTIO_BLK_T_OUT, 0);
	set_desc(r, r->desc, 0, REQ_HDR, 16, VIRTQ_DESC_F_NEXT, 1);
	set_desc(r, r->desc, 1, addr, len, VIRTQ_DESC_F_NEXT, 2);
	*g(r, REQ_STATUS) = 0xff;
	set_desc(r, r->desc, 2, REQ_STATUS, 1, VIRTQ_DESC_F_WRITE, 0);
	submit(r, 0);
}

Test(virtio_blk_hostile, data_outside_ram_gets_ioerr)
{
	const struct {
		uint64_t addr;
		uint32_t len;
	} cases[] = {
	    {0x1000, 1024},		       /* boot ROM / nothing */
	    {VIRTIO0, 512},		       /* our own registers */
	    {RAM_BASE + RAM_SIZE - 512, 1024}, /* crosses the end of RAM */
	    {RAM_BASE + RAM_SIZE, 512},	       /* just past it */
	    {0xfffffffffffffe00ULL, 1024},     /* wraps around */
	    {RAM_BASE, 0},		       /* empty */
	};
	for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		for (int legacy = 0; legacy < 2; legacy++) {
			struct rig *r = rig_new(legacy, false);
			xv6_init(r, 0);
			bad_data_write(r, cases[i].addr, cases[i].len);
			xv6_intr(r, 0);
			cr_expect_eq(*g(r, REQ_STATUS), VIRTIO_BLK_S_IOERR, "case %u", i);
			cr_expect(image_unchanged(r), "case %u", i);
			cr_expect_eq(virtio_mmio_status(r->vm) & VIRTIO_CONFIG_S_NEEDS_RESET, 0);
			rig_free(r);
		}
	}
}

Test(virtio_blk_hostile, status_outside_ram_needs_reset)
{
	struct rig *r = rig_new(false, false);
	xv6_init(r, 0);
	memset(g(r, REQ_DATA), 0x77, 1024);
	set_hdr(r, REQ_HDR, VIRTIO_BLK_T_OUT, 0);
	set_desc(r, r->desc, 0, REQ_HDR, 16, VIRTQ_DESC_F_NEXT, 1);
	set_desc(r, r->desc, 1, REQ_DATA, 1024, VIRTQ_DESC_F_NEXT, 2);
	set_desc(r, r->desc, 2, RAM_BASE + RAM_SIZE, 1, VIRTQ_DESC_F_WRITE, 0);
	submit(r, 0);
	cr_expect_eq(used_idx(r), 0);
	expect_needs_reset(r);
	rig_free(r);
}

Test(virtio_blk_hostile, no_writable_status_needs_reset)
{
	struct rig *r = rig_new(false, false);
	xv6_init(r, 0);
	set_hdr(r, REQ_HDR, VIRTIO_BLK_T_OUT, 0);
	set_desc(r, r->desc, 0, REQ_HDR, 16, VIRTQ_DESC_F_NEXT, 1);
	set_desc(r, r->desc, 1, REQ_DATA, 1024, 0, 0);
	submit(r, 0);
	expect_needs_reset(r);
	rig_free(r);
}

/* Readable after writable (2.7.4.2): the status byte is still there. */
Test(virtio_blk_hostile, readable_after_writable_gets_ioerr)
{
	struct rig *r = rig_new(false, false);
	xv6_init(r, 0);
	set_hdr(r, REQ_HDR, VIRTIO_BLK_T_OUT, 0);
	set_desc(r, r->desc, 0, REQ_HDR, 16, VIRTQ_DESC_F_NEXT, 1);
	set_desc(r, r->desc, 1, REQ_DATA2, 512, VIRTQ_DESC_F_WRITE | VIRTQ_DESC_F_NEXT, 2);
	set_desc(r, r->desc, 2, REQ_DATA, 512, VIRTQ_DESC_F_NEXT, 3);
	*g(r, REQ_STATUS) = 0xff;
	set_desc(r, r->desc, 3, REQ_STATUS, 1, VIRTQ_DESC_F_WRITE, 0);
	submit(r, 0);
	xv6_intr(r, 0);
	cr_expect_eq(*g(r, REQ_STATUS), VIRTIO_BLK_S_IOERR);
	cr_expect(image_unchanged(r));
	rig_free(r);
}

Test(virtio_blk_hostile, bad_sector_ranges_get_ioerr)
{
	struct rig *r = rig_new(false, false);
	xv6_init(r, 0);
	/* Block 32 = sectors 64-65: one past the end. */
	cr_expect_eq(xv6_rw(r, true, IMG_SECTORS / 2, REQ_DATA), VIRTIO_BLK_S_IOERR);
	cr_expect_eq(xv6_rw(r, false, IMG_SECTORS / 2, REQ_DATA), VIRTIO_BLK_S_IOERR);
	/* Sector numbers that overflow when multiplied by 512. */
	cr_expect_eq(xv6_rw(r, true, 0x7fffffffffffffffULL, REQ_DATA), VIRTIO_BLK_S_IOERR);
	/* Straddling the end: sector 63 and 64. */
	set_hdr(r, REQ_HDR, VIRTIO_BLK_T_OUT, IMG_SECTORS - 1);
	set_desc(r, r->desc, 1, REQ_DATA, 1024, VIRTQ_DESC_F_NEXT, 2);
	submit(r, 0);
	xv6_intr(r, 0);
	cr_expect_eq(*g(r, REQ_STATUS), VIRTIO_BLK_S_IOERR);
	/* Not a whole number of sectors. */
	set_hdr(r, REQ_HDR, VIRTIO_BLK_T_OUT, 0);
	set_desc(r, r->desc, 1, REQ_DATA, 1000, VIRTQ_DESC_F_NEXT, 2);
	submit(r, 0);
	xv6_intr(r, 0);
	cr_expect_eq(*g(r, REQ_STATUS), VIRTIO_BLK_S_IOERR);
	/* A header shorter than 16 bytes. */
	set_desc(r, r->desc, 0, REQ_HDR, 8, VIRTQ_DESC_F_NEXT, 2);
	submit(r, 0);
	xv6_intr(r, 0);
	cr_expect_eq(*g(r, REQ_STATUS), VIRTIO_BLK_S_IOERR);
	cr_expect(image_unchanged(r));
	rig_free(r);
}

Test(virtio_blk_hostile, next_index_out_of_range_needs_reset)
{
	struct rig *r = rig_new(false, false);
	xv6_init(r, 0);
	set_hdr(r, REQ_HDR, VIRTIO_BLK_T_OUT, 0);
	set_desc(r, r->desc, 0, REQ_HDR, 16, VIRTQ_DESC_F_NEXT, 1);
	set_desc(r, r->desc, 1, REQ_DATA, 1024, VIRTQ_DESC_F_NEXT, NUM);
	set_desc(r, r->desc, NUM, REQ_STATUS, 1, VIRTQ_DESC_F_WRITE, 0);
	submit(r, 0);
	cr_expect_eq(used_idx(r), 0);
	expect_needs_reset(r);
	rig_free(r);
}

Test(virtio_blk_hostile, head_index_out_of_range_needs_reset)
{
	struct rig *r = rig_new(true, false);
	xv6_init(r, 0);
	submit(r, 0xffff);
	expect_needs_reset(r);
	rig_free(r);

	/* Just past the table, where a plausible descriptor lies in RAM. */
	r = rig_new(false, false);
	xv6_init(r, 0);
	set_desc(r, r->desc, NUM, REQ_STATUS, 1, VIRTQ_DESC_F_WRITE, 0);
	submit(r, NUM);
	cr_expect_eq(used_idx(r), 0);
	expect_needs_reset(r);
	rig_free(r);
}

Test(virtio_blk_hostile, descriptor_loop_needs_reset)
{
	struct rig *r = rig_new(false, false);
	xv6_init(r, 0);
	set_hdr(r, REQ_HDR, VIRTIO_BLK_T_OUT, 0);
	set_desc(r, r->desc, 0, REQ_HDR, 16, VIRTQ_DESC_F_NEXT, 1);
	set_desc(r, r->desc, 1, REQ_DATA, 512, VIRTQ_DESC_F_NEXT, 2);
	set_desc(r, r->desc, 2, REQ_STATUS, 1, VIRTQ_DESC_F_WRITE | VIRTQ_DESC_F_NEXT, 1);
	submit(r, 0);
	expect_needs_reset(r);

	/* A descriptor that is its own successor. */
	set_desc(r, r->desc, 0, REQ_HDR, 16, VIRTQ_DESC_F_NEXT, 0);
	submit(r, 0);
	expect_needs_reset(r);
	rig_free(r);
}

/* An indirect table holding a loop or a too-long chain. */
Test(virtio_blk_hostile, indirect_loop_needs_reset)
{
	struct rig *r = rig_new(false, false);
	xv6_init(r, 1u << VIRTIO_RING_F_INDIRECT_DESC);
	set_desc(r, INDIRECT, 0, REQ_HDR, 16, VIRTQ_DESC_F_NEXT, 1);
	set_desc(r, INDIRECT, 1, REQ_STATUS, 1, VIRTQ_DESC_F_WRITE | VIRTQ_DESC_F_NEXT, 0);
	set_desc(r, r->desc, 0, INDIRECT, 32, VIRTQ_DESC_F_INDIRECT, 0);
	submit(r, 0);
	expect_needs_reset(r);
	rig_free(r);
}

static void indirect_case(uint32_t features, uint64_t table, uint32_t len, bool nested,
			  uint16_t extra_flags)
{
	struct rig *r = rig_new(false, false);
	xv6_init(r, features);
	set_hdr(r, REQ_HDR, VIRTIO_BLK_T_OUT, 0);
	set_desc(r, INDIRECT, 0, REQ_HDR, 16, VIRTQ_DESC_F_NEXT, 1);
	if (nested)
		set_desc(r, INDIRECT, 1, INDIRECT, 48, VIRTQ_DESC_F_INDIRECT | VIRTQ_DESC_F_NEXT,
			 2);
	else
		set_desc(r, INDIRECT, 1, REQ_DATA, 512, VIRTQ_DESC_F_NEXT, 2);
	set_desc(r, INDIRECT, 2, REQ_STATUS, 1, VIRTQ_DESC_F_WRITE, 0);
	set_desc(r, r->desc, 0, table, len, VIRTQ_DESC_F_INDIRECT | extra_flags, 1);
	set_desc(r, r->desc, 1, REQ_STATUS, 1, VIRTQ_DESC_F_WRITE, 0);
	submit(r, 0);
	expect_needs_reset(r);
	rig_free(r);
}

Test(virtio_blk_hostile, bad_indirect_tables_need_reset)
{
	const uint32_t ind = 1u << VIRTIO_RING_F_INDIRECT_DESC;
	indirect_case(ind, INDIRECT, 40, false, 0); /* not a multiple of 16 */
	indirect_case(ind, INDIRECT, 56, false, 0); /* ... with a whole chain in it */
	indirect_case(ind, INDIRECT, 0, false, 0);  /* empty */
	indirect_case(ind, RAM_BASE + RAM_SIZE - 16, 48, false, 0); /* crosses the end of RAM */
	indirect_case(ind, 0x1000, 48, false, 0);		    /* not RAM */
	indirect_case(ind, INDIRECT, 16 * (VIRTQ_INDIRECT_MAX + 1), false, 0); /* too long */
	indirect_case(ind, INDIRECT, 48, true, 0);			       /* nested */
	indirect_case(ind, INDIRECT, 48, false, VIRTQ_DESC_F_NEXT);	       /* INDIRECT | NEXT */
	indirect_case(0, INDIRECT, 48, false, 0);			       /* not negotiated */
}

Test(virtio_blk_hostile, rings_outside_ram_need_reset)
{
	const uint64_t places[] = {0x1000, VIRTIO0, RAM_BASE + RAM_SIZE - 8, 0xfffffffffffff000ULL};
	for (unsigned i = 0; i < sizeof(places) / sizeof(places[0]); i++) {
		for (unsigned which = 0; which < 3; which++) {
			struct rig *r = rig_new(false, false);
			xv6_init(r, 0);
			wr(r, VIRTIO_MMIO_STATUS, 0);
			/* Set the queue up by hand with one ring misplaced. */
			wr(r, VIRTIO_MMIO_STATUS, 0x0b);
			wr(r, VIRTIO_MMIO_QUEUE_NUM, NUM);
			const uint64_t a[3] = {which == 0 ? places[i] : Q_DESC,
					       which == 1 ? places[i] : Q_AVAIL,
					       which == 2 ? places[i] : Q_USED};
			wr(r, VIRTIO_MMIO_QUEUE_DESC_LOW, (uint32_t)a[0]);
			wr(r, VIRTIO_MMIO_QUEUE_DESC_HIGH, (uint32_t)(a[0] >> 32));
			wr(r, VIRTIO_MMIO_QUEUE_DRIVER_LOW, (uint32_t)a[1]);
			wr(r, VIRTIO_MMIO_QUEUE_DRIVER_HIGH, (uint32_t)(a[1] >> 32));
			wr(r, VIRTIO_MMIO_QUEUE_DEVICE_LOW, (uint32_t)a[2]);
			wr(r, VIRTIO_MMIO_QUEUE_DEVICE_HIGH, (uint32_t)(a[2] >> 32));
			wr(r, VIRTIO_MMIO_QUEUE_READY, 1);
			wr(r, VIRTIO_MMIO_STATUS, 0x0f);
			if (which != 1) {
				virtio_put_le16(g(r, Q_AVAIL + 4), 0);
				virtio_put_le16(g(r, Q_AVAIL + 2), 1);
			}
			wr(r, VIRTIO_MMIO_QUEUE_NOTIFY, 0);
			expect_needs_reset(r);
			rig_free(r);
		}
	}
}

Test(virtio_blk_hostile, legacy_rings_outside_ram_need_reset)
{
	struct rig *r = rig_new(true, false);
	xv6_init(r, 0);
	/* The used ring would start past the end of RAM. */
	wr(r, VIRTIO_MMIO_QUEUE_PFN, 0);
	wr(r, VIRTIO_MMIO_QUEUE_PFN, (uint32_t)((RAM_BASE + RAM_SIZE - 4096) >> 12));
	wr(r, VIRTIO_MMIO_QUEUE_NOTIFY, 0);
	expect_needs_reset(r);
	/* QueueAlign 0 cannot place the used ring at all. */
	wr(r, VIRTIO_MMIO_QUEUE_PFN, 0);
	wr(r, VIRTIO_MMIO_QUEUE_ALIGN, 0);
	wr(r, VIRTIO_MMIO_QUEUE_PFN, (uint32_t)(Q_LEGACY_PAGES >> 12));
	wr(r, VIRTIO_MMIO_QUEUE_NOTIFY, 0);
	expect_needs_reset(r);
	rig_free(r);
}

Test(virtio_blk_hostile, bad_queue_sizes_need_reset)
{
	const uint32_t sizes[] = {0, 3, VIRTQ_NUM_MAX * 2, 0xffffffffu};
	for (unsigned i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		struct rig *r = rig_new(false, false);
		xv6_init(r, 0);
		wr(r, VIRTIO_MMIO_QUEUE_READY, 0);
		wr(r, VIRTIO_MMIO_QUEUE_NUM, sizes[i]);
		wr(r, VIRTIO_MMIO_QUEUE_READY, 1);
		bad_data_write(r, REQ_DATA, 1024);
		expect_needs_reset(r);
		rig_free(r);
	}
}

Test(virtio_blk_hostile, avail_index_jump_needs_reset)
{
	struct rig *r = rig_new(false, false);
	xv6_init(r, 0);
	set_hdr(r, REQ_HDR, VIRTIO_BLK_T_OUT, 0);
	set_desc(r, r->desc, 0, REQ_HDR, 16, VIRTQ_DESC_F_NEXT, 1);
	set_desc(r, r->desc, 1, REQ_DATA, 1024, VIRTQ_DESC_F_NEXT, 2);
	set_desc(r, r->desc, 2, REQ_STATUS, 1, VIRTQ_DESC_F_WRITE, 0);
	virtio_put_le16(g(r, r->avail + 2), NUM + 1);
	wr(r, VIRTIO_MMIO_QUEUE_NOTIFY, 0);
	cr_expect_eq(used_idx(r), 0);
	expect_needs_reset(r);
	rig_free(r);
}

/* Nonsense register traffic must not crash or change the image. */
Test(virtio_blk_hostile, register_noise)
{
	struct rig *r = rig_new(false, false);
	for (uint64_t off = 0; off < VIRTIO_MMIO_SIZE; off += 1) {
		for (unsigned size = 1; size <= 8; size *= 2) {
			uint64_t v;
			bus_read(&r->m->bus, VIRTIO0 + off, size, &v);
			if (off != VIRTIO_MMIO_STATUS)
				bus_write(&r->m->bus, VIRTIO0 + off, size, 0xffffffffffffffffULL);
		}
	}
	wr(r, VIRTIO_MMIO_QUEUE_SEL, 7);
	cr_expect_eq(rd(r, VIRTIO_MMIO_QUEUE_NUM_MAX), 0, "only queue 0 exists");
	wr(r, VIRTIO_MMIO_QUEUE_NOTIFY, 7);
	wr(r, VIRTIO_MMIO_QUEUE_NOTIFY, 0xffffffffu);
	wr(r, VIRTIO_MMIO_STATUS, 0);
	xv6_init(r, 0);
	cr_expect_eq(xv6_rw(r, false, 0, REQ_DATA), VIRTIO_BLK_S_OK);
	cr_expect(image_unchanged(r));
	rig_free(r);
}
