// clang-format off
// args: -global virtio-mmio.force-legacy=false -object rng-random,filename=/dev/urandom,id=rng0 -device virtio-rng-device,rng=rng0
// expect-output: virtio-rng modern ok
// clang-format on
/* virtio-rng over modern virtio-mmio, reading /dev/urandom (rng-random):
 * virtio_rng_common.h. */
#include "virtio_rng_common.h"

int main(void)
{
	rng_session(2);
	puts_uart("virtio-rng modern ok\n");
	return 0;
}
