// host-run: savevm_loadvm.py
/*
 * Driven by test/savevm_loadvm.py, not run as a guest_ test: counts in RAM
 * and keeps the count on the first virtio-blk disk too, starting from what
 * the disk holds. Every 50 ms of the
 * `time` CSR it reads sector 0 back, checks that it holds the count it
 * wrote last (the disk and RAM went back to one snapshot together), adds
 * one, writes the new count to sector 0 and prints "count N". A disk that
 * disagrees with RAM prints "mismatch disk D ram R" and exits with 3.
 *
 * Before the first count it prints "ready"; a disk that fails prints
 * "driver error CODE" and exits with CODE.
 */
#include "guest.h"
#include "guest_irq.h"
#include "virtio_drv.h"

#define TICKS_PER_STEP 500000 /* 50 ms of the 10 MHz timebase */

static uint8_t buf[SECTOR_SIZE] __attribute__((aligned(16)));
static struct vblk dev;
volatile uint64_t count;

static void fail(int code)
{
	puts_uart("driver error ");
	print_dec((uint64_t)code);
	puts_uart("\n");
	guest_exit(code);
}

static uint64_t sector0(struct vblk *d)
{
	if (vblk_rw(d, T_IN, 0, buf, SECTOR_SIZE, 0) != BLK_S_OK)
		fail(30);
	uint64_t v = 0;
	for (int i = 7; i >= 0; i--)
		v = v << 8 | buf[i];
	return v;
}

int main(void)
{
	struct vblk *d = &dev;
	const int rc = vblk_open(d, 0);
	if (rc)
		fail(rc);
	count = sector0(d);
	puts_uart("ready\n");
	for (;;) {
		const uint64_t on_disk = sector0(d);
		if (on_disk != count) {
			puts_uart("mismatch disk ");
			print_dec(on_disk);
			puts_uart(" ram ");
			print_dec(count);
			puts_uart("\n");
			guest_exit(3);
		}
		count++;
		for (int i = 0; i < 8; i++)
			buf[i] = (uint8_t)(count >> (8 * i));
		if (vblk_rw(d, T_OUT, 0, buf, SECTOR_SIZE, 0) != BLK_S_OK)
			fail(31);
		puts_uart("count ");
		print_dec(count);
		puts_uart("\n");
		const uint64_t until = csr_read(time) + TICKS_PER_STEP;
		while (csr_read(time) < until)
			__asm__ volatile("" ::: "memory");
	}
}
