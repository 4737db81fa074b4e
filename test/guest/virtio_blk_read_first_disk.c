// host-run: option_run.sh
/*
 * Driven by test/option_run.sh, not run as a guest_ test: finds the first
 * virtio-blk device on any virtio-mmio slot, reads sector 5 and checks the
 * disk_image pattern. Prints "disk slot=S ok" and exits 0; exits 3 when
 * there is no disk (the harness checks that some command lines give none),
 * 4 when the read fails, 5 when the data is wrong.
 */
#include "guest.h"
#include "guest_irq.h"
#include "virtio_drv.h"

static uint8_t buf[SECTOR_SIZE] __attribute__((aligned(16)));
static struct vblk dev;

int main(void)
{
	uint32_t version = 0;
	const int slot = vblk_find(&version);
	if (slot < 0) {
		puts_uart("no disk\n");
		return 3;
	}
	if (vblk_init(&dev, slot, 0) != 0 ||
	    vblk_rw(&dev, T_IN, 5, buf, SECTOR_SIZE, 0) != BLK_S_OK)
		return 4;
	if (!sector_has_pattern(buf, 5))
		return 5;
	puts_uart("disk slot=");
	print_hex((uint64_t)slot);
	puts_uart(" ok\n");
	return 0;
}
