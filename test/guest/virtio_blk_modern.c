// disk: 64 modern
// disk-expect: 3 0xa5
// disk-expect: 10 0x3c
// disk-expect: 11 0x3c
// disk-expect: 127 0x5a
// expect-output: virtio-blk modern ok
/* virtio-blk over modern virtio-mmio (Version 2): see virtio_blk_common.h. */
#include "virtio_blk_common.h"

int main(void)
{
	return blk_session(2);
}
