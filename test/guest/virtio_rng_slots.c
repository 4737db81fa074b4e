// clang-format off
// args: -device virtio-rng-device,max-bytes=5 -object rng-builtin,id=b0 -device virtio-rng-device,rng=b0,max-bytes=9 -device virtio-rng-device,max-bytes=3,bus=virtio-mmio-bus.2
// expect-output: virtio-rng slots ok
// clang-format on
/*
 * Where QEMU's virt puts virtio devices: bus=virtio-mmio-bus.N where
 * asked, the others in command-line order on the free slot with the
 * highest address. Each device here has its own quota (max-bytes), so the
 * used length of a 64-byte read says which -device answers in a slot.
 */
#include "virtio_rng_common.h"

static int64_t first_read(int slot)
{
	struct vblk *d = &rng;
	if (vdev_init(d, slot, RNG_ID, 0))
		return -100;
	return rng_read(d, rbuf, 64);
}

int main(void)
{
	CHECK(first_read(7) == 5, 10);
	CHECK(first_read(6) == 9, 11);
	CHECK(first_read(2) == 3, 12);
	for (int s = 0; s < VIRTIO_MMIO_SLOTS; s++)
		if (s != 7 && s != 6 && s != 2)
			CHECK(mmio_read32(VIRTIO_MMIO_BASE + VIRTIO_MMIO_STRIDE * (uintptr_t)s +
					  VM_DEVICE_ID) == 0,
			      20 + s);
	puts_uart("virtio-rng slots ok\n");
	return 0;
}
