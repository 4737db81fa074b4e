// args: -device virtio-rng-device
// expect-output: virtio-rng legacy ok
/* virtio-rng over legacy virtio-mmio (QEMU's default): virtio_rng_common.h. */
#include "virtio_rng_common.h"

int main(void)
{
	rng_session(1);
	puts_uart("virtio-rng legacy ok\n");
	return 0;
}
