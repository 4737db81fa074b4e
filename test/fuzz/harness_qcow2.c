/* qcow2 harness (devices/disk_qcow2.c through disk_open): the image is
 * written to a temporary file, opened read-write, read, written, closed. */
#include "devices/block.h"
#include "harness.h"
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int harness_qcow2(const uint8_t *data, size_t size)
{
	char path[] = "/tmp/rvjit-fuzz-qcow2-XXXXXX";
	const int fd = mkstemp(path);
	if (fd < 0)
		return 0;
	const bool ok = write(fd, data, size) == (ssize_t)size;
	close(fd);
	char err[256];
	struct block_dev *d =
	    ok ? disk_open(path, "qcow2", false, false, true, err, sizeof(err)) : NULL;
	if (d) {
		static uint8_t buf[4096];
		const uint64_t n = d->size < (64u << 10) ? d->size : (64u << 10);
		for (uint64_t off = 0; off + sizeof(buf) <= n; off += sizeof(buf))
			(void)block_read(d, off, buf, sizeof(buf));
		if (d->size >= BLOCK_SECTOR_SIZE) {
			const uint64_t last = d->size - BLOCK_SECTOR_SIZE;
			(void)block_read(d, last, buf, BLOCK_SECTOR_SIZE);
			memset(buf, 0xa5, sizeof(buf));
			(void)block_write(d, 0, buf, BLOCK_SECTOR_SIZE);
			(void)block_write(d, last & ~(uint64_t)(BLOCK_SECTOR_SIZE - 1), buf,
					  BLOCK_SECTOR_SIZE);
			(void)block_read(d, 0, buf, BLOCK_SECTOR_SIZE);
		}
		block_close(d);
	}
	unlink(path);
	return 0;
}

static void be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24), p[1] = (uint8_t)(v >> 16), p[2] = (uint8_t)(v >> 8),
	p[3] = (uint8_t)v;
}
static void be64(uint8_t *p, uint64_t v)
{
	be32(p, (uint32_t)(v >> 32));
	be32(p + 4, (uint32_t)v);
}
static void be16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8), p[1] = (uint8_t)v;
}

/* qcow2 v3 with 4 KiB clusters and a 1 MiB disk: header, refcount table,
 * refcount block, L1; seed 1 also maps guest cluster 0 (L2 + data). */
uint8_t *seed_qcow2(unsigned index, size_t *size)
{
	if (index > 1)
		return NULL;
	const unsigned clusters = index ? 6 : 4;
	uint8_t *q = calloc(clusters, 4096);
	if (!q)
		return NULL;
	memcpy(q, "QFI\xfb", 4);
	be32(q + 4, 3);		/* version */
	be32(q + 20, 12);	/* cluster_bits */
	be64(q + 24, 1u << 20); /* size */
	be32(q + 36, 1);	/* l1_size */
	be64(q + 40, 3 * 4096); /* l1_table_offset */
	be64(q + 48, 1 * 4096); /* refcount_table_offset */
	be32(q + 56, 1);	/* refcount_table_clusters */
	be32(q + 96, 4);	/* refcount_order: 16 bits */
	be32(q + 100, 104);	/* header_length */
	be64(q + 4096, 2 * 4096);
	for (unsigned c = 0; c < clusters; c++)
		be16(q + 2 * 4096 + 2 * c, 1);
	if (index) {
		be64(q + 3 * 4096, (4 * 4096) | (1ULL << 63));
		be64(q + 4 * 4096, (5 * 4096) | (1ULL << 63));
		memset(q + 5 * 4096, 0x5a, 4096);
	}
	*size = (size_t)clusters * 4096;
	return q;
}
