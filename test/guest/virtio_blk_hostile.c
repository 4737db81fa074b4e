// disk: 64 modern
// expect-output: virtio-blk hostile ok
/*
 * A hostile driver against virtio-blk (modern). The contract asserted is
 * the one devices/virtio_mmio.h states:
 *   - a chain whose shape is sound but whose buffers are not (outside RAM,
 *     in the boot ROM, past the end of RAM, wrapping the address space,
 *     zero-sized, readable after writable) completes with status
 *     VIRTIO_BLK_S_IOERR, used len 1, and nothing transferred; the device
 *     stays usable;
 *   - a chain whose shape cannot be trusted (a loop, a next index out of
 *     range, a head out of range, an avail index that jumped by more than
 *     the queue size, a bad indirect table, rings not in RAM, no usable
 *     status byte) sets DEVICE_NEEDS_RESET (0x40) with a configuration
 *     change interrupt (2.1.2), completes nothing, writes no status, and
 *     the queue stays dead until the driver resets the device.
 * The emulator stays up, and the harness checks that the disk image is
 * byte for byte what it was (no disk-expect lines).
 */
#include "guest.h"
#include "guest_irq.h"
#include "virtio_drv.h"

#define RAM_END	 0x88000000UL
#define BOOT_ROM 0x1000UL

static uint8_t buf[SECTOR_SIZE] __attribute__((aligned(16)));
static struct vdesc table[4] __attribute__((aligned(16)));
static struct vblk dev;
static int step; /* the failing case, in the exit code's hundreds */

/* Exit status 100 + n (exit statuses have 8 bits); the case is printed. */
static void hcheck_failed(int n)
{
	puts_uart("hostile: case ");
	print_dec((uint64_t)step);
	puts_uart(" check ");
	print_dec((uint64_t)n);
	puts_uart(" failed, device status ");
	print_hex(mmio_read32(VIRTIO_MMIO_BASE + VM_STATUS));
	puts_uart("\n");
	guest_exit(100 + n);
}
#define HCHECK(cond, n)                                                                            \
	do {                                                                                       \
		if (!(cond))                                                                       \
			hcheck_failed(n);                                                          \
	} while (0)

static void init(struct vblk *d)
{
	const int rc = vblk_init(d, 0, (1ULL << F_BLK_FLUSH) | (1ULL << F_INDIRECT_DESC));
	CHECK(rc == 0, 20 + rc);
	CHECK(d->legacy == 0, 19);
}

/* A valid read of sector 5 still works. */
static void healthy(struct vblk *d)
{
	vblk_poll_budget = 10000000;
	fill(buf, 0, SECTOR_SIZE);
	HCHECK(vblk_rw(d, T_IN, 5, buf, SECTOR_SIZE, 0) == BLK_S_OK, 1);
	HCHECK(sector_has_pattern(buf, 5), 2);
	HCHECK(!(vr(d, VM_STATUS) & S_NEEDS_RESET), 3);
}

/* Descriptor i of the ring. */
static void set(struct vblk *d, unsigned i, uint64_t addr, uint32_t len, uint16_t flags,
		uint16_t next)
{
	vblk_set_desc(d->desc, i, addr, len, flags, next);
}

/* Header for `type` at `sector`, status preset to "never written". */
static void hdr(uint32_t type, uint64_t sector)
{
	vq_hdr.type = type;
	vq_hdr.reserved = 0;
	vq_hdr.sector = sector;
	vq_status = 0xff;
}

/* The chain at `head` must complete with IOERR, having moved no data. */
static void expect_ioerr(struct vblk *d, uint16_t head)
{
	vblk_poll_budget = 10000000;
	HCHECK(vblk_kick_and_wait(d, head) == 0, 4);
	HCHECK(vq_status == BLK_S_IOERR, 5);
	HCHECK(d->last_used_len == 1, 6);
	HCHECK(!(vr(d, VM_STATUS) & S_NEEDS_RESET), 7);
	healthy(d);
}

/* hdr | data | status, with the data descriptor as given. */
static void bad_data(struct vblk *d, uint32_t type, uint64_t sector, uint64_t addr, uint32_t len)
{
	hdr(type, sector);
	set(d, 0, (uintptr_t)&vq_hdr, 16, D_NEXT, 1);
	set(d, 1, addr, len, (type == T_IN ? D_WRITE : 0) | D_NEXT, 2);
	set(d, 2, (uintptr_t)&vq_status, 1, D_WRITE, 0);
	expect_ioerr(d, 0);
	step++;
}

/* The chain at `head` (or the ring itself) breaks the device: NEEDS_RESET,
 * a config interrupt, no completion, no status; then the queue is dead
 * until a reset, after which the device works again. */
static void expect_needs_reset(struct vblk *d, uint16_t head, int publish)
{
	const uint16_t used_before = *(volatile uint16_t *)(d->used + 2);
	vblk_poll_budget = 1000;
	if (publish)
		HCHECK(vblk_kick_and_wait(d, head) == -1, 8);
	else
		vw(d, VM_QUEUE_NOTIFY, 0);
	HCHECK(*(volatile uint16_t *)(d->used + 2) == used_before, 9);
	HCHECK(vq_status == 0xff, 10);
	const uint32_t st = vr(d, VM_STATUS);
	HCHECK(st & S_NEEDS_RESET, 11);
	HCHECK((st & ~S_NEEDS_RESET) == (S_ACKNOWLEDGE | S_DRIVER | S_FEATURES_OK | S_DRIVER_OK),
	       12);
	/* The configuration change notification, seen by the PLIC too (the
	 * source is not enabled, so it only shows as pending). */
	HCHECK(vr(d, VM_INTERRUPT_STATUS) == INT_CONFIG, 13);
	HCHECK(mmio_read32(PLIC_PENDING(VIRTIO_IRQ(0))) & (1u << VIRTIO_IRQ(0)), 14);
	vw(d, VM_INTERRUPT_ACK, INT_CONFIG);
	HCHECK(vr(d, VM_INTERRUPT_STATUS) == 0, 15);
	HCHECK(!(mmio_read32(PLIC_PENDING(VIRTIO_IRQ(0))) & (1u << VIRTIO_IRQ(0))), 16);

	/* A valid request is not served now. */
	hdr(T_IN, 0);
	set(d, 4, (uintptr_t)&vq_hdr, 16, D_NEXT, 5);
	set(d, 5, (uintptr_t)buf, SECTOR_SIZE, D_WRITE | D_NEXT, 6);
	set(d, 6, (uintptr_t)&vq_status, 1, D_WRITE, 0);
	HCHECK(vblk_kick_and_wait(d, 4) == -1, 17);
	HCHECK(vq_status == 0xff, 18);
	/* Writing the status (without 0) keeps the bit; a reset clears it. */
	vw(d, VM_STATUS, st & ~S_NEEDS_RESET);
	HCHECK(vr(d, VM_STATUS) & S_NEEDS_RESET, 19);
	init(d);
	HCHECK(vr(d, VM_STATUS) == (S_ACKNOWLEDGE | S_DRIVER | S_FEATURES_OK | S_DRIVER_OK), 20);
	healthy(d);
	step++;
}

int main(void)
{
	struct vblk *d = &dev;
	init(d);
	healthy(d);
	step = 1;

	/* ---- Buffers that are not guest RAM: IOERR ---- */
	bad_data(d, T_IN, 1, BOOT_ROM, SECTOR_SIZE);		  /* 1: boot ROM */
	bad_data(d, T_IN, 1, 0, SECTOR_SIZE);			  /* 2: address 0 */
	bad_data(d, T_IN, 1, 0xffffffff00000000UL, SECTOR_SIZE);  /* 3: far away */
	bad_data(d, T_IN, 1, RAM_END - 256, SECTOR_SIZE);	  /* 4: past the end of RAM */
	bad_data(d, T_IN, 1, RAM_END - SECTOR_SIZE, 0xfffffe00u); /* 5: length wraps past RAM */
	bad_data(d, T_IN, 1, UART0, SECTOR_SIZE);		  /* 6: a device */
	bad_data(d, T_IN, 1, (uintptr_t)buf, 0);		  /* 7: zero length */
	/* Writes whose data is not in RAM: IOERR and the disk unchanged
	 * (the harness checks the image). */
	bad_data(d, T_OUT, 20, BOOT_ROM, SECTOR_SIZE);		   /* 8 */
	bad_data(d, T_OUT, 21, 0, SECTOR_SIZE);			   /* 9 */
	bad_data(d, T_OUT, 22, RAM_END - 256, SECTOR_SIZE);	   /* 10 */
	bad_data(d, T_OUT, 23, 0xffffffff00000000UL, SECTOR_SIZE); /* 11 */

	/* 12: the header itself is not in RAM. */
	hdr(T_OUT, 24);
	set(d, 0, BOOT_ROM, 16, D_NEXT, 1);
	set(d, 1, (uintptr_t)buf, SECTOR_SIZE, D_NEXT, 2);
	set(d, 2, (uintptr_t)&vq_status, 1, D_WRITE, 0);
	expect_ioerr(d, 0);
	step++;

	/* 13: readable data after a writable buffer (2.7.4.2). */
	hdr(T_OUT, 25);
	fill(buf, 0x77, SECTOR_SIZE);
	set(d, 0, (uintptr_t)&vq_hdr, 16, D_NEXT, 1);
	set(d, 1, (uintptr_t)&vq_status, 1, D_WRITE | D_NEXT, 2);
	set(d, 2, (uintptr_t)buf, SECTOR_SIZE, D_NEXT, 3);
	set(d, 3, (uintptr_t)&vq_status, 1, D_WRITE, 0);
	expect_ioerr(d, 0);
	step++;

	/* 14: an indirect table whose data buffer is outside RAM. */
	hdr(T_OUT, 26);
	vblk_set_desc(table, 0, (uintptr_t)&vq_hdr, 16, D_NEXT, 1);
	vblk_set_desc(table, 1, BOOT_ROM, SECTOR_SIZE, D_NEXT, 2);
	vblk_set_desc(table, 2, (uintptr_t)&vq_status, 1, D_WRITE, 0);
	set(d, 0, (uintptr_t)table, 3 * 16, D_INDIRECT, 0);
	expect_ioerr(d, 0);
	step++;

	/* ---- Chains that cannot be trusted: DEVICE_NEEDS_RESET ---- */
	/* 15: a descriptor whose next is itself. */
	hdr(T_IN, 1);
	set(d, 0, (uintptr_t)&vq_hdr, 16, D_NEXT, 1);
	set(d, 1, (uintptr_t)buf, SECTOR_SIZE, D_WRITE | D_NEXT, 1);
	expect_needs_reset(d, 0, 1);

	/* 16: a two-descriptor cycle, the status never reached. */
	hdr(T_IN, 1);
	set(d, 0, (uintptr_t)&vq_hdr, 16, D_NEXT, 1);
	set(d, 1, (uintptr_t)buf, SECTOR_SIZE, D_WRITE | D_NEXT, 0);
	expect_needs_reset(d, 0, 1);

	/* 17: next beyond the queue. */
	hdr(T_IN, 1);
	set(d, 0, (uintptr_t)&vq_hdr, 16, D_NEXT, 200);
	expect_needs_reset(d, 0, 1);

	/* 18: a head index beyond the queue. */
	hdr(T_IN, 1);
	expect_needs_reset(d, VQ_NUM + 1, 1);

	/* 19: the avail index moved by more than the queue size. */
	d->avail[1] = (uint16_t)(d->avail_idx + VQ_NUM + 1);
	__sync_synchronize();
	vq_status = 0xff;
	expect_needs_reset(d, 0, 0);

	/* 20: an indirect table outside RAM. */
	hdr(T_IN, 1);
	set(d, 0, BOOT_ROM, 3 * 16, D_INDIRECT, 0);
	expect_needs_reset(d, 0, 1);

	/* 21: an indirect descriptor that also says NEXT. */
	hdr(T_IN, 1);
	vblk_set_desc(table, 0, (uintptr_t)&vq_hdr, 16, D_NEXT, 1);
	vblk_set_desc(table, 1, (uintptr_t)buf, SECTOR_SIZE, D_WRITE | D_NEXT, 2);
	vblk_set_desc(table, 2, (uintptr_t)&vq_status, 1, D_WRITE, 0);
	set(d, 0, (uintptr_t)table, 3 * 16, D_INDIRECT | D_NEXT, 1);
	set(d, 1, (uintptr_t)&vq_status, 1, D_WRITE, 0);
	expect_needs_reset(d, 0, 1);

	/* 22: a loop inside an indirect table. */
	hdr(T_IN, 1);
	vblk_set_desc(table, 0, (uintptr_t)&vq_hdr, 16, D_NEXT, 1);
	vblk_set_desc(table, 1, (uintptr_t)buf, SECTOR_SIZE, D_WRITE | D_NEXT, 0);
	set(d, 0, (uintptr_t)table, 2 * 16, D_INDIRECT, 0);
	expect_needs_reset(d, 0, 1);

	/* 23: the status byte (last descriptor) is outside RAM: the request
	 * cannot even be failed. */
	hdr(T_IN, 1);
	set(d, 0, (uintptr_t)&vq_hdr, 16, D_NEXT, 1);
	set(d, 1, (uintptr_t)buf, SECTOR_SIZE, D_WRITE | D_NEXT, 2);
	set(d, 2, RAM_END, 1, D_WRITE, 0);
	expect_needs_reset(d, 0, 1);

	/* 24: a write whose last descriptor is readable: no status byte. */
	hdr(T_OUT, 27);
	set(d, 0, (uintptr_t)&vq_hdr, 16, D_NEXT, 1);
	set(d, 1, (uintptr_t)buf, SECTOR_SIZE, 0, 0);
	expect_needs_reset(d, 0, 1);

	/* 25: the used ring reaches past the end of RAM. The queue may be
	 * stopped (QueueReady 0) and moved. */
	vw(d, VM_QUEUE_READY, 0);
	CHECK(vr(d, VM_QUEUE_READY) == 0, 90);
	vw(d, VM_QUEUE_DEVICE_LOW, (uint32_t)(RAM_END - 32));
	vw(d, VM_QUEUE_DEVICE_HIGH, 0);
	vw(d, VM_QUEUE_READY, 1);
	d->avail_idx = 0; /* QueueReady 0 -> 1 restarts the device's indices */
	/* used_seen stays: vblk_kick_and_wait watches the old used ring,
	 * which must not move. */
	hdr(T_IN, 1);
	set(d, 0, (uintptr_t)&vq_hdr, 16, D_NEXT, 1);
	set(d, 1, (uintptr_t)buf, SECTOR_SIZE, D_WRITE | D_NEXT, 2);
	set(d, 2, (uintptr_t)&vq_status, 1, D_WRITE, 0);
	expect_needs_reset(d, 0, 1);

	puts_uart("virtio-blk hostile ok\n");
	return 0;
}
