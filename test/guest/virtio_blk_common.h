/*
 * The body shared by virtio_blk_modern.c and virtio_blk_legacy.c: a whole
 * virtio-blk session through our own driver (virtio_drv.h), each result
 * checked against the disk image's pattern. The harness (run_guest.sh)
 * gives a 64 KiB image on virtio-mmio-bus.0 and afterwards checks that
 * exactly sectors 3, 10, 11 and 127 changed, to the bytes written here.
 */
#ifndef VIRTIO_BLK_COMMON_H
#define VIRTIO_BLK_COMMON_H

#include "guest.h"
#include "guest_irq.h"
#include "virtio_drv.h"

#define DISK_SECTORS 128 /* 64 KiB */

static uint8_t buf[2 * SECTOR_SIZE] __attribute__((aligned(16)));
static struct vblk dev;

static int blk_session(int want_version)
{
	struct vblk *d = &dev;
	uint32_t version = 0;

	/* Probe: magic, version, device id 2 at the slot the harness chose. */
	const int slot = vblk_find(&version);
	CHECK(slot == 0, 10);
	CHECK(version == (uint32_t)want_version, 11);
	d->base = VIRTIO_MMIO_BASE;
	d->legacy = version == 1;
	/* The other slots exist but are empty: DeviceID 0. */
	CHECK(mmio_read32(VIRTIO_MMIO_BASE + VIRTIO_MMIO_STRIDE + VM_MAGIC) == 0x74726976u, 12);
	CHECK(mmio_read32(VIRTIO_MMIO_BASE + VIRTIO_MMIO_STRIDE + VM_DEVICE_ID) == 0, 13);

	/* What the device offers (5.2.3): a writable disk with flush. */
	vw(d, VM_STATUS, 0);
	const uint64_t offered = vblk_read_offered(d);
	CHECK(offered & (1ULL << F_BLK_FLUSH), 14);
	CHECK(offered & (1ULL << F_BLK_BLK_SIZE), 15);
	CHECK(!(offered & (1ULL << F_BLK_RO)), 16);
	CHECK(offered & (1ULL << F_INDIRECT_DESC), 17);
	CHECK(!!(offered & (1ULL << F_VERSION_1)) == (want_version == 2), 18);

	if (want_version == 2) {
		/* 3.1.1: FEATURES_OK is refused for a feature not offered. */
		vw(d, VM_STATUS, S_ACKNOWLEDGE);
		vw(d, VM_STATUS, S_ACKNOWLEDGE | S_DRIVER);
		CHECK(!(offered & (1ULL << F_BLK_SIZE_MAX)), 19);
		vblk_write_features(d, (1ULL << F_VERSION_1) | (1ULL << F_BLK_SIZE_MAX));
		vw(d, VM_STATUS, S_ACKNOWLEDGE | S_DRIVER | S_FEATURES_OK);
		CHECK(!(vr(d, VM_STATUS) & S_FEATURES_OK), 20);
	}

	const int rc = vblk_init(d, slot,
				 (1ULL << F_BLK_FLUSH) | (1ULL << F_BLK_BLK_SIZE) |
				     (1ULL << F_BLK_SEG_MAX) | (1ULL << F_INDIRECT_DESC));
	CHECK(rc == 0, 20 + rc);
	CHECK(d->capacity == DISK_SECTORS, 31);
	CHECK(vr(d, VM_CONFIG + 20) == SECTOR_SIZE, 32); /* blk_size */

	/* Read sector 0 and sector 5 (polled, interrupts suppressed). */
	fill(buf, 0, sizeof(buf));
	CHECK(vblk_rw(d, T_IN, 0, buf, SECTOR_SIZE, 0) == BLK_S_OK, 33);
	CHECK(d->last_used_len == SECTOR_SIZE + 1, 34);
	CHECK(sector_has_pattern(buf, 0), 35);
	CHECK(vr(d, VM_INTERRUPT_STATUS) == 0, 36); /* NO_INTERRUPT honoured */
	CHECK(vblk_rw(d, T_IN, 5, buf, SECTOR_SIZE, 0) == BLK_S_OK, 37);
	CHECK(sector_has_pattern(buf, 5), 38);

	/* Write sector 3, flush, read it back. */
	fill(buf, 0xa5, SECTOR_SIZE);
	CHECK(vblk_rw(d, T_OUT, 3, buf, SECTOR_SIZE, 0) == BLK_S_OK, 39);
	CHECK(d->last_used_len == 1, 40);
	CHECK(vblk_rw(d, T_FLUSH, 0, 0, 0, 0) == BLK_S_OK, 41);
	fill(buf, 0, SECTOR_SIZE);
	CHECK(vblk_rw(d, T_IN, 3, buf, SECTOR_SIZE, 0) == BLK_S_OK, 42);
	CHECK(sector_is(buf, 0xa5), 43);
	/* Its neighbours are untouched. */
	CHECK(vblk_rw(d, T_IN, 2, buf, 2 * SECTOR_SIZE, 0) == BLK_S_OK, 44);
	CHECK(sector_has_pattern(buf, 2) && sector_is(buf + SECTOR_SIZE, 0xa5), 45);

	/* Two sectors in one request. */
	fill(buf, 0x3c, 2 * SECTOR_SIZE);
	CHECK(vblk_rw(d, T_OUT, 10, buf, 2 * SECTOR_SIZE, 0) == BLK_S_OK, 46);

	/* An indirect descriptor table (2.7.5.3): read sector 7, write the
	 * last sector. */
	CHECK(d->features & (1ULL << F_INDIRECT_DESC), 47);
	fill(buf, 0, SECTOR_SIZE);
	CHECK(vblk_rw(d, T_IN, 7, buf, SECTOR_SIZE, 1) == BLK_S_OK, 48);
	CHECK(d->last_used_len == SECTOR_SIZE + 1, 49);
	CHECK(sector_has_pattern(buf, 7), 50);
	fill(buf, 0x5a, SECTOR_SIZE);
	CHECK(vblk_rw(d, T_OUT, DISK_SECTORS - 1, buf, SECTOR_SIZE, 1) == BLK_S_OK, 51);

	/* Completion by interrupt: PLIC source 1 + slot, InterruptStatus
	 * VRING, acknowledged through InterruptACK. */
	vblk_enable_irq(d);
	d->use_irq = 1;
	fill(buf, 0, 2 * SECTOR_SIZE);
	CHECK(vblk_rw(d, T_IN, 10, buf, 2 * SECTOR_SIZE, 0) == BLK_S_OK, 52);
	CHECK(vblk_irq_bad_claim == 0, 53);
	CHECK(vblk_irq_status == INT_VRING, 54);
	CHECK(sector_is(buf, 0x3c) && sector_is(buf + SECTOR_SIZE, 0x3c), 55);
	CHECK(vr(d, VM_INTERRUPT_STATUS) == 0, 56);
	csr_clear(mstatus, MSTATUS_MIE);
	CHECK(plic_claim_m0() == 0, 57);
	CHECK(!(csr_read(mip) & MIP_MEIP), 58);
	csr_set(mstatus, MSTATUS_MIE);
	/* And once more, through an indirect table. */
	const unsigned before = vblk_irqs;
	fill(buf, 0, SECTOR_SIZE);
	CHECK(vblk_rw(d, T_IN, DISK_SECTORS - 1, buf, SECTOR_SIZE, 1) == BLK_S_OK, 59);
	CHECK(vblk_irqs == before + 1 && vblk_irq_bad_claim == 0, 60);
	CHECK(sector_is(buf, 0x5a), 61);
	d->use_irq = 0;

	/* GET_ID (5.2.6): the serial is the drive's id, zero-padded to 20. */
	fill(buf, 0xee, 32);
	CHECK(vblk_rw(d, T_GET_ID, 0, buf, 20, 0) == BLK_S_OK, 62);
	CHECK(d->last_used_len == 21, 63);
	CHECK(buf[0] == 'd' && buf[1] == 'i' && buf[2] == 's' && buf[3] == 'k' && buf[4] == '0',
	      64);
	for (int i = 5; i < 20; i++)
		CHECK(buf[i] == 0, 65);
	CHECK(buf[20] == 0xee, 66); /* nothing past the buffer */

	/* Past the end: IOERR, nothing transferred. */
	fill(buf, 0xee, 2 * SECTOR_SIZE);
	CHECK(vblk_rw(d, T_IN, DISK_SECTORS, buf, SECTOR_SIZE, 0) == BLK_S_IOERR, 67);
	CHECK(d->last_used_len == 1, 68);
	CHECK(sector_is(buf, 0xee), 69);
	CHECK(vblk_rw(d, T_IN, DISK_SECTORS - 1, buf, 2 * SECTOR_SIZE, 0) == BLK_S_IOERR, 70);
	CHECK(vblk_rw(d, T_OUT, DISK_SECTORS, buf, SECTOR_SIZE, 0) == BLK_S_IOERR, 71);
	CHECK(vblk_rw(d, T_IN, ~0ULL, buf, SECTOR_SIZE, 0) == BLK_S_IOERR, 72);
	/* A type the device does not know. */
	CHECK(vblk_rw(d, 0x1234, 0, buf, SECTOR_SIZE, 0) == BLK_S_UNSUPP, 73);

	/* Still healthy after all that, and the queue wrapped several times. */
	CHECK(!(vr(d, VM_STATUS) & S_NEEDS_RESET), 74);
	CHECK(vblk_rw(d, T_IN, 5, buf, SECTOR_SIZE, 0) == BLK_S_OK, 75);
	CHECK(sector_has_pattern(buf, 5), 76);

	puts_uart(want_version == 2 ? "virtio-blk modern ok\n" : "virtio-blk legacy ok\n");
	return 0;
}

#endif
