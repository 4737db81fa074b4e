// disk: 64 legacy
// disk-expect: 3 0xa5
// disk-expect: 10 0x3c
// disk-expect: 11 0x3c
// disk-expect: 127 0x5a
// expect-output: virtio-blk legacy ok
/* virtio-blk over legacy virtio-mmio (Version 1, QueuePFN layout): see
 * virtio_blk_common.h. */
#include "virtio_blk_common.h"

int main(void)
{
	return blk_session(1);
}
