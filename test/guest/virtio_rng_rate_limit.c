// args: -device virtio-rng-device,max-bytes=64,period=200
// expect-output: virtio-rng rate limit ok
/*
 * QEMU's rate limit on virtio-rng: at most max-bytes per period ms. A
 * request larger than the quota left gets what is left; once it is spent
 * a request waits (it is not completed empty, 5.4.6.1) until the period
 * that began with the first delivery has passed.
 */
#include "virtio_rng_common.h"

int main(void)
{
	struct vblk *d = &rng;
	CHECK(rng_find() == 7, 10);
	const int rc = vdev_init(d, 7, RNG_ID, 0);
	CHECK(rc == 0, 20 + rc);

	const uint64_t t0 = csr_read(time);
	CHECK(rng_read(d, rbuf, 256) == 64, 40); /* the whole quota, no more */

	fill(rbuf, 0xaa, 64);
	const uint16_t head = vblk_alloc_desc(d);
	vblk_set_desc(d->desc, head, (uintptr_t)rbuf, 16, D_WRITE, 0);
	rng_submit(d, head);
	CHECK(rng_wait(d, 50) == -1, 41); /* waits: the quota is spent */
	CHECK(all_byte(rbuf, 16, 0xaa), 42);
	CHECK(rng_wait(d, 2000) == 0, 43); /* served in the next period */
	const uint64_t waited_ms = (csr_read(time) - t0) / TICKS_PER_MS;
	CHECK(d->last_used_id == head && d->last_used_len == 16, 44);
	CHECK(waited_ms >= 150, 45);
	CHECK(!all_byte(rbuf, 16, 0xaa), 46);
	/* 48 bytes of this period's quota are left. */
	CHECK(rng_read(d, rbuf, 64) == 48, 47);
	puts_uart("virtio-rng rate limit ok\n");
	return 0;
}
