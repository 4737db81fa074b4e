// host-run: disk_durability.sh
/*
 * Driven by test/disk_durability.sh, not run as a guest_ test: writes
 * sectors 4, 5 and 6 of the first virtio-blk disk (all bytes 0xd4, 0xd5,
 * 0xd6), flushes, reads sector 4 back, reports each status on the UART,
 * prints "written" and then spins until the host stops the emulator.
 *
 * Output, one item a line:
 *   ro=0|1                  VIRTIO_BLK_F_RO offered
 *   write N status=S        S = VIRTIO_BLK_S_* of the write of sector N
 *   flush status=S
 *   readback=written|pattern|other   what sector 4 holds afterwards
 *   written
 * Any driver failure prints "driver error CODE" and exits with CODE.
 */
#include "guest.h"
#include "guest_irq.h"
#include "virtio_drv.h"

static uint8_t buf[SECTOR_SIZE] __attribute__((aligned(16)));
static struct vblk dev;

static void fail(int code)
{
	puts_uart("driver error ");
	print_dec((uint64_t)code);
	puts_uart("\n");
	guest_exit(code);
}

static void report(const char *what, int st)
{
	puts_uart(what);
	puts_uart(" status=");
	print_dec((uint64_t)st);
	puts_uart("\n");
}

int main(void)
{
	struct vblk *d = &dev;
	const int rc = vblk_open(d, (1ULL << F_BLK_FLUSH) | (1ULL << F_BLK_RO));
	if (rc)
		fail(rc);
	puts_uart(d->features & (1ULL << F_BLK_RO) ? "ro=1\n" : "ro=0\n");
	for (unsigned s = 4; s <= 6; s++) {
		fill(buf, (uint8_t)(0xd0 + s), SECTOR_SIZE);
		const int st = vblk_rw(d, T_OUT, s, buf, SECTOR_SIZE, 0);
		if (st > 0xff)
			fail(40);
		puts_uart("write ");
		print_dec(s);
		report("", st); /* "write N status=S" */
	}
	const int st = vblk_rw(d, T_FLUSH, 0, 0, 0, 0);
	if (st > 0xff)
		fail(41);
	report("flush", st);
	fill(buf, 0, SECTOR_SIZE);
	if (vblk_rw(d, T_IN, 4, buf, SECTOR_SIZE, 0) != BLK_S_OK)
		fail(42);
	puts_uart(sector_is(buf, 0xd4)	       ? "readback=written\n"
		  : sector_has_pattern(buf, 4) ? "readback=pattern\n"
					       : "readback=other\n");
	puts_uart("written\n");
	for (;;)
		__asm__ volatile("" ::: "memory");
}
