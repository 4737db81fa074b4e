// args: -global virtio-mmio.force-legacy=false -nic user,model=virtio-net-device,restrict=on
// expect-output: virtio-net ok
/*
 * virtio-net through the modern virtio-mmio transport, its backend given
 * with -nic: see virtio_net_common.h.
 */
#include "virtio_net_common.h"

int main(void)
{
	return run_net_test(0);
}
