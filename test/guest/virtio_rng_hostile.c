// args: -global virtio-mmio.force-legacy=false -device virtio-rng-device
// expect-output: virtio-rng hostile ok
/*
 * A hostile driver against virtio-rng, with the contract of
 * devices/virtio_rng.c and virtio_mmio.h:
 *   - a chain with a device-readable buffer (5.4.6.1: the driver MUST
 *     NOT), or a writable buffer that is not RAM (the boot ROM, past the
 *     end of RAM) or is empty, comes back unfilled, used length 0, and
 *     nothing is written; the device stays usable;
 *   - a chain whose shape cannot be trusted (a loop, a next index out of
 *     range) sets DEVICE_NEEDS_RESET and completes nothing, until the
 *     driver resets the device, which then works again.
 */
#include "virtio_rng_common.h"

#define RAM_END	 0x88000000UL /* 128 MiB from 0x80000000 */
#define BOOT_ROM 0x1000UL

static void init(struct vblk *d)
{
	const int rc = vdev_init(d, 7, RNG_ID, 0);
	CHECK(rc == 0, 20 + rc);
}

static void healthy(struct vblk *d, int n)
{
	CHECK(read_exact(d, 32) == 0, n);
	CHECK(!(vr(d, VM_STATUS) & S_NEEDS_RESET), n + 1);
}

/* The chain at 0 comes back with used length 0, rbuf untouched. */
static void unfilled(struct vblk *d, int n)
{
	rng_submit(d, 0);
	CHECK(rng_wait(d, 1000) == 0, n);
	CHECK(d->last_used_id == 0 && d->last_used_len == 0, n + 1);
	CHECK(all_byte(rbuf, 256, 0x55), n + 2);
	healthy(d, n + 3);
}

/* The chain at 0 breaks the device; a reset brings it back. */
static void breaks(struct vblk *d, int n)
{
	const uint16_t before = *(volatile uint16_t *)(d->used + 2);
	rng_submit(d, 0);
	CHECK(rng_wait(d, 50) == -1, n);
	CHECK(*(volatile uint16_t *)(d->used + 2) == before, n + 1);
	CHECK(vr(d, VM_STATUS) & S_NEEDS_RESET, n + 2);
	CHECK(all_byte(rbuf, 256, 0x55), n + 3);
	init(d);
	healthy(d, n + 4);
}

int main(void)
{
	struct vblk *d = &rng;
	CHECK(rng_find() == 7, 10);
	init(d);
	healthy(d, 11);

	fill(rbuf, 0x55, 256);
	vblk_set_desc(d->desc, 0, (uintptr_t)rbuf, 64, 0, 0); /* readable */
	unfilled(d, 30);
	fill(rbuf, 0x55, 256);
	vblk_set_desc(d->desc, 0, (uintptr_t)rbuf, 64, D_NEXT, 1); /* readable, writable */
	vblk_set_desc(d->desc, 1, (uintptr_t)rbuf + 64, 64, D_WRITE, 0);
	unfilled(d, 40);
	fill(rbuf, 0x55, 256);
	vblk_set_desc(d->desc, 0, (uintptr_t)rbuf, 64, D_WRITE | D_NEXT,
		      1); /* writable, then ROM */
	vblk_set_desc(d->desc, 1, BOOT_ROM, 64, D_WRITE, 0);
	unfilled(d, 50);
	fill(rbuf, 0x55, 256);
	vblk_set_desc(d->desc, 0, RAM_END - 8, 64, D_WRITE, 0); /* past the end of RAM */
	unfilled(d, 60);
	fill(rbuf, 0x55, 256);
	vblk_set_desc(d->desc, 0, (uintptr_t)rbuf, 0, D_WRITE, 0); /* empty */
	unfilled(d, 70);
	fill(rbuf, 0x55, 256);
	vblk_set_desc(d->desc, 0, (uintptr_t)rbuf, 64, D_WRITE | D_NEXT, 0); /* a loop */
	breaks(d, 80);
	fill(rbuf, 0x55, 256);
	vblk_set_desc(d->desc, 0, (uintptr_t)rbuf, 64, D_WRITE | D_NEXT,
		      200); /* next out of range */
	breaks(d, 90);
	puts_uart("virtio-rng hostile ok\n");
	return 0;
}
