// disk: 64 modern qcow2
// disk-expect: 3 0xa5
// disk-expect: 10 0x3c
// disk-expect: 11 0x3c
// disk-expect: 127 0x5a
// expect-output: virtio-blk modern ok
/* virtio-blk on a qcow2 overlay over the patterned raw image (see
 * run_guest.sh): the same session as virtio_blk_modern.c, through
 * devices/disk_qcow2.c's allocation and backing-file reads. */
#include "virtio_blk_common.h"

int main(void)
{
	return blk_session(2);
}
