// host-run: disk_crash_kill.py
/*
 * Driven by test/disk_crash_kill.py, not run as a guest_ test: writes
 * generations of stamped sectors to the first virtio-blk disk, flushing
 * after each, until the host kills the emulator. The host then checks that
 * every write acknowledged before the last flush the guest saw succeed is
 * on the disk, whole.
 *
 * The disk is cut into blocks of BLOCK_SECTORS sectors, of which the first
 * WRITTEN_SECTORS are ever written: with 4 KiB qcow2 clusters (8 sectors)
 * each block is one whole cluster and one half written, so partial-cluster
 * copy-on-write from a backing file happens, and sectors the guest never
 * writes must keep what the backing file has. Blocks from AREA_BLOCKS on
 * (the last 64 of DISK_SECTORS) are never written at all.
 *
 * Generation G (from 1) writes its blocks (gen_block below: the block
 * G - 1 while there are fresh ones, a new allocation in a qcow2 image, then
 * OVERWRITES blocks already written, rewritten in place), every sector
 * stamped with G, in requests of 1 to 12 sectors, some through an indirect
 * table; reads them back; then flushes. test/disk_crash_kill.py computes
 * the same blocks with the same hash, so the two must change together.
 *
 * A stamped sector (little-endian):
 *   0   u64  STAMP_MAGIC
 *   8   u64  generation
 *   16  u64  sector number
 *   24  484 bytes that depend on both (a stale or misplaced sector fails
 *       the CRC as surely as a torn one)
 *   508 u32  CRC-32 (zlib's) of bytes 0..507
 *
 * Output, one item a line:
 *   ready capacity=N         sectors
 *   ioerr write G S N st=X   a write of sectors S..S+N-1 failed (status X)
 *   readback bad G S         sector S does not read back as written
 *   flushed G                the flush after generation G completed OK
 *   ioerr flush G st=X       it did not
 * Host I/O errors are only reported: the guest goes on with the next
 * generation, so the host can see that the device still works after them.
 * Any driver failure prints "driver error CODE" and exits with CODE.
 */
#include "guest.h"
#include "guest_irq.h"
#include "virtio_drv.h"

#define BLOCK_SECTORS	16
#define WRITTEN_SECTORS 12
/* Enough fresh blocks that allocation goes on for as long as the host lets
 * the guest run (thousands of generations a second). */
#define AREA_BLOCKS  4096
#define OVERWRITES   3
#define DISK_SECTORS ((AREA_BLOCKS + 64) * BLOCK_SECTORS)
#define STAMP_MAGIC  0x31304e45474a5652ull /* "RVJGEN01" */

static uint8_t buf[WRITTEN_SECTORS * SECTOR_SIZE] __attribute__((aligned(16)));
static uint8_t rbuf[WRITTEN_SECTORS * SECTOR_SIZE] __attribute__((aligned(16)));
static uint32_t crc_table[256];
static struct vblk dev;

static void fail(int code)
{
	puts_uart("driver error ");
	print_dec((uint64_t)code);
	puts_uart("\n");
	guest_exit(code);
}

/* A 64-bit mixer (the finaliser of MurmurHash3): the host's copy in
 * disk_crash_kill.py must give the same numbers. */
static uint64_t mix(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdull;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ull;
	x ^= x >> 33;
	return x;
}

/* Block k (0 .. gen_blocks(g) - 1) that generation g writes. */
static unsigned gen_blocks(uint64_t g)
{
	return g - 1 < AREA_BLOCKS ? 1 + (g > 1 ? OVERWRITES : 0) : OVERWRITES;
}

static unsigned gen_block(uint64_t g, unsigned k)
{
	const uint64_t fresh = g - 1 < AREA_BLOCKS;
	if (fresh && k == 0)
		return (unsigned)(g - 1);
	const uint64_t written = fresh ? g - 1 : AREA_BLOCKS;
	return (unsigned)(mix(g << 8 | k) % written);
}

static void crc_init(void)
{
	for (uint32_t i = 0; i < 256; i++) {
		uint32_t c = i;
		for (int b = 0; b < 8; b++)
			c = c & 1 ? 0xedb88320u ^ (c >> 1) : c >> 1;
		crc_table[i] = c;
	}
}

static uint32_t crc32(const uint8_t *p, unsigned n)
{
	uint32_t c = 0xffffffffu;
	while (n--)
		c = crc_table[(c ^ *p++) & 0xff] ^ (c >> 8);
	return c ^ 0xffffffffu;
}

static void put64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static void stamp(uint8_t *p, uint64_t g, uint64_t sector)
{
	put64(p, STAMP_MAGIC);
	put64(p + 8, g);
	put64(p + 16, sector);
	for (unsigned j = 24; j < 508; j++)
		p[j] = (uint8_t)(g * 13 + sector * 7 + j * 3);
	const uint32_t c = crc32(p, 508);
	for (int i = 0; i < 4; i++)
		p[508 + i] = (uint8_t)(c >> (8 * i));
}

static void report(const char *what, uint64_t g, uint64_t s, uint64_t n, int st)
{
	puts_uart(what);
	print_dec(g);
	puts_uart(" ");
	print_dec(s);
	puts_uart(" ");
	print_dec(n);
	puts_uart(" st=");
	print_dec((uint64_t)st);
	puts_uart("\n");
}

/* Request sizes: single sectors, odd ones, and some that cross a 4 KiB
 * cluster boundary. */
static const unsigned sizes[] = {1, 2, 3, 4, 5, 8, 12};

/* Write one block as generation g, in requests of varied sizes; read back
 * what was acknowledged. */
static void write_block(struct vblk *d, uint64_t g, unsigned b)
{
	const uint64_t first = (uint64_t)b * BLOCK_SECTORS;
	for (unsigned pos = 0; pos < WRITTEN_SECTORS;) {
		unsigned n = sizes[mix(g * 1000003u + b * 131u + pos) % 7];
		if (n > WRITTEN_SECTORS - pos)
			n = WRITTEN_SECTORS - pos;
		for (unsigned i = 0; i < n; i++)
			stamp(buf + i * SECTOR_SIZE, g, first + pos + i);
		const int st =
		    vblk_rw(d, T_OUT, first + pos, buf, n * SECTOR_SIZE, (int)((g + pos) & 1));
		if (st > 0xff)
			fail(40);
		if (st != BLK_S_OK) {
			report("ioerr write ", g, first + pos, n, st);
		} else {
			const int rst = vblk_rw(d, T_IN, first + pos, rbuf, n * SECTOR_SIZE, 0);
			if (rst > 0xff)
				fail(41);
			for (unsigned i = 0; i < n; i++) {
				const uint8_t *p = buf + i * SECTOR_SIZE,
					      *q = rbuf + i * SECTOR_SIZE;
				unsigned j = 0;
				while (j < SECTOR_SIZE && p[j] == q[j])
					j++;
				if (rst != BLK_S_OK || j < SECTOR_SIZE) {
					puts_uart("readback bad ");
					print_dec(g);
					puts_uart(" ");
					print_dec(first + pos + i);
					puts_uart("\n");
				}
			}
		}
		pos += n;
	}
}

int main(void)
{
	struct vblk *d = &dev;
	const int rc = vblk_open(d, (1ULL << F_BLK_FLUSH) | (1ULL << F_INDIRECT_DESC));
	if (rc)
		fail(rc);
	if (!(d->features & (1ULL << F_BLK_FLUSH)))
		fail(30);
	if (d->capacity < DISK_SECTORS)
		fail(31);
	crc_init();
	puts_uart("ready capacity=");
	print_dec(d->capacity);
	puts_uart("\n");
	for (uint64_t g = 1;; g++) {
		for (unsigned k = 0; k < gen_blocks(g); k++)
			write_block(d, g, gen_block(g, k));
		const int st = vblk_rw(d, T_FLUSH, 0, 0, 0, 0);
		if (st > 0xff)
			fail(42);
		if (st == BLK_S_OK) {
			puts_uart("flushed ");
			print_dec(g);
			puts_uart("\n");
		} else {
			puts_uart("ioerr flush ");
			print_dec(g);
			puts_uart(" st=");
			print_dec((uint64_t)st);
			puts_uart("\n");
		}
	}
}
