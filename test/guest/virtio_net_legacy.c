// args: -netdev user,id=n0,restrict=on -device virtio-net-device,netdev=n0
// expect-output: virtio-net ok
/*
 * virtio-net through the legacy virtio-mmio transport (QEMU's default),
 * against slirp: see virtio_net_common.h.
 */
#include "virtio_net_common.h"

int main(void)
{
	return run_net_test(1);
}
