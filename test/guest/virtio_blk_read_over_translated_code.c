// disk: 64 legacy
// disk-expect: 2 0x01
// expect-output: dma over code ok
/*
 * A virtio-blk read into a page the hart has executed (and, in the
 * translator, translated) drops the stale code: the next call runs the
 * bytes the device wrote (devices report DMA with machine_ram_written).
 *
 * code_page starts with `li a0, 1; ret`; 512 bytes on, `li a0, 2; ret`.
 * The guest writes a sector of 0x01 bytes (each 0x0101 is c.addi sp, 0, a
 * HINT that does nothing) to the disk and reads it back over the start of
 * code_page: a call then slides down to the second function and returns 2.
 * A stale block would still return 1. There is deliberately no fence.i:
 * the spec would not promise the new bytes without one, but rvjit keeps
 * translated code coherent with DMA, as it does with stores.
 */
#include "guest.h"
#include "guest_irq.h"
#include "virtio_drv.h"

__asm__(".pushsection .text.code_page, \"ax\"\n"
	".balign 4096\n"
	".globl code_page\n"
	"code_page:\n"
	"	li a0, 1\n"
	"	ret\n"
	".balign 512\n"
	"	li a0, 2\n"
	"	ret\n"
	".balign 4096\n"
	".popsection\n");
extern long code_page(void);

static uint8_t buf[SECTOR_SIZE] __attribute__((aligned(16)));
static struct vblk dev;

/* Call through a volatile pointer: the compiler cannot know what it runs. */
static long call_code_page(void)
{
	long (*volatile fn)(void) = code_page;
	return fn();
}

int main(void)
{
	struct vblk *d = &dev;
	uint32_t version = 0;
	const int slot = vblk_find(&version);
	CHECK(slot == 0, 10);
	CHECK(vblk_init(d, slot, 0) == 0, 11);

	/* Hot enough for the translator to compile it and chain to it. */
	long sum = 0;
	for (int i = 0; i < 1000; i++)
		sum += call_code_page();
	CHECK(sum == 1000, 12);

	fill(buf, 0x01, SECTOR_SIZE);
	CHECK(vblk_rw(d, T_OUT, 2, buf, SECTOR_SIZE, 0) == BLK_S_OK, 13);
	CHECK(vblk_rw(d, T_IN, 2, (void *)code_page, SECTOR_SIZE, 0) == BLK_S_OK, 14);

	CHECK(call_code_page() == 2, 15);
	sum = 0;
	for (int i = 0; i < 1000; i++)
		sum += call_code_page();
	CHECK(sum == 2000, 16);
	puts_uart("dma over code ok\n");
	return 0;
}
