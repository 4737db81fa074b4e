/*
 * virtio-blk (virtio 1.2 section 5.2). A request is one descriptor chain:
 *
 *   struct virtio_blk_req {
 *       le32 type;       VIRTIO_BLK_T_*
 *       le32 reserved;
 *       le64 sector;     in 512-byte units, whatever blk_size says
 *       u8 data[];       device-readable for OUT, device-writable for IN
 *       u8 status;       device-writable: VIRTIO_BLK_S_*
 *   };
 *
 * The header, data and status may be split among descriptors in any way
 * (VIRTIO_F_ANY_LAYOUT, implied by VERSION_1; QEMU accepts it from legacy
 * drivers too): the header is the first 16 readable bytes, the status is
 * the last writable byte, and the data is what lies between. xv6 uses three
 * descriptors, Linux header | data... | status.
 *
 * The transport has validated the whole chain before we see it, so a
 * malformed request never reaches the disk: it only gets IOERR.
 */
#include "virtio_blk.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BLK_HDR_SIZE 16
/* 5.2.4: struct virtio_blk_config up to num_queues, the size QEMU exposes
 * without discard / write-zeroes. */
#define BLK_CONFIG_SIZE	   36
#define BLK_CFG_CAPACITY   0
#define BLK_CFG_SEG_MAX	   12
#define BLK_CFG_BLK_SIZE   20
#define BLK_CFG_NUM_QUEUES 34

struct virtio_blk {
	struct virtio_device_ops ops; /* per instance: the features depend on the disk */
	struct machine *m;	      /* whose RAM the requests' buffers are in */
	struct block_dev *disk;
	uint8_t config[BLK_CONFIG_SIZE];
	uint8_t id[VIRTIO_BLK_ID_BYTES]; /* serial, zero-padded, not NUL-terminated if 20 long */
};

static uint64_t blk_config_read(void *opaque, uint32_t offset, unsigned size)
{
	const struct virtio_blk *b = opaque;
	uint8_t bytes[8] = {0};
	memcpy(bytes, b->config + offset, size); /* the transport bounds offset + size */
	return virtio_le64(bytes);
}

/* Move `len` bytes between the disk at `disk_off` and the request's
 * readable (OUT) or writable (IN) buffers, starting `skip` bytes into them:
 * straight between the file and guest RAM, no bounce buffer. */
static int blk_transfer(struct virtio_blk *b, const struct virtq_elem *e, bool out, uint64_t skip,
			uint64_t len, uint64_t disk_off)
{
	const unsigned first = out ? 0 : e->n_out;
	const unsigned end = out ? e->n_out : e->n_buf;
	for (unsigned i = first; i < end && len; i++) {
		const struct virtq_buf *buf = &e->buf[i];
		if (skip >= buf->len) {
			skip -= buf->len;
			continue;
		}
		const uint64_t n = buf->len - skip < len ? buf->len - skip : len;
		const int r = out ? block_write(b->disk, disk_off, buf->host + skip, n)
				  : block_read(b->disk, disk_off, buf->host + skip, n);
		if (!out) /* even a failed read may have written part of it */
			machine_ram_written(b->m, buf->pa + skip, n);
		if (r)
			return r;
		disk_off += n;
		len -= n;
		skip = 0;
	}
	return 0;
}

/* VIRTIO_BLK_T_IN / T_OUT. *written: bytes given back to the driver. */
static uint8_t blk_rw(struct virtio_blk *b, const struct virtq_elem *e, bool out, uint64_t sector,
		      uint32_t *written)
{
	/* The status byte is the last writable byte; the header the first 16
	 * readable ones. */
	const uint64_t len = out ? e->out_len - BLK_HDR_SIZE : e->in_len - 1;
	const uint64_t capacity = b->disk->size / BLOCK_SECTOR_SIZE;
	/* Whole sectors within the disk, as QEMU's virtio_blk_sect_range_ok. */
	if (len % BLOCK_SECTOR_SIZE || sector > capacity ||
	    len / BLOCK_SECTOR_SIZE > capacity - sector)
		return VIRTIO_BLK_S_IOERR;
	if (out && b->disk->readonly)
		return VIRTIO_BLK_S_IOERR;
	if (blk_transfer(b, e, out, out ? BLK_HDR_SIZE : 0, len, sector * BLOCK_SECTOR_SIZE))
		return VIRTIO_BLK_S_IOERR;
	if (!out)
		*written = (uint32_t)(len + 1);
	return VIRTIO_BLK_S_OK;
}

static uint8_t blk_get_id(struct virtio_blk *b, struct virtio_dev *vd, const struct virtq_elem *e,
			  uint32_t *written)
{
	/* 5.2.6: up to VIRTIO_BLK_ID_BYTES, into whatever room there is. */
	const uint64_t room = e->in_len - 1;
	const uint64_t n = room < VIRTIO_BLK_ID_BYTES ? room : VIRTIO_BLK_ID_BYTES;
	virtq_copy_to(vd, e, 0, b->id, n);
	*written = (uint32_t)(n + 1);
	return VIRTIO_BLK_S_OK;
}

static uint8_t blk_request(struct virtio_blk *b, struct virtio_dev *vd, const struct virtq_elem *e,
			   uint32_t *written)
{
	uint8_t hdr[BLK_HDR_SIZE] = {0};
	if (e->out_len < BLK_HDR_SIZE)
		return VIRTIO_BLK_S_IOERR;
	virtq_copy_from(e, 0, hdr, BLK_HDR_SIZE);
	const uint32_t type = virtio_le32(hdr);
	const uint64_t sector = virtio_le64(hdr + 8);

	switch (type) {
	case VIRTIO_BLK_T_IN:
		return blk_rw(b, e, false, sector, written);
	case VIRTIO_BLK_T_OUT:
		return blk_rw(b, e, true, sector, written);
	case VIRTIO_BLK_T_FLUSH:
		return block_flush(b->disk) ? VIRTIO_BLK_S_IOERR : VIRTIO_BLK_S_OK;
	case VIRTIO_BLK_T_GET_ID:
		return blk_get_id(b, vd, e, written);
	default:
		return VIRTIO_BLK_S_UNSUPP;
	}
}

/* QueueNotify: serve everything available (5.2.6.1), then interrupt once. */
static void blk_queue_notify(void *opaque, struct virtio_dev *vd, unsigned queue)
{
	struct virtio_blk *b = opaque;
	struct virtq_elem e;
	while (virtq_pop(vd, queue, &e) == VIRTQ_POP_OK) {
		/* Without a place for the status byte the request cannot even
		 * be failed: the device is broken (2.1.2). */
		const struct virtq_buf *st = e.n_buf ? &e.buf[e.n_buf - 1] : NULL;
		if (!st || !st->writable || !st->host) {
			virtio_dev_needs_reset(vd);
			break;
		}
		uint32_t written = 1;
		const uint8_t status =
		    e.bad ? VIRTIO_BLK_S_IOERR : blk_request(b, vd, &e, &written);
		st->host[st->len - 1] = status;
		machine_ram_written(b->m, st->pa + st->len - 1, 1);
		virtq_push(vd, queue, &e, written);
	}
	virtq_notify_used(vd, queue);
}

static void blk_free(void *opaque)
{
	free(opaque);
}

struct virtio_dev *virtio_blk_create(struct machine *m, struct block_dev *disk, const char *serial)
{
	struct virtio_blk *b = calloc(1, sizeof(*b));
	if (!b) {
		fprintf(stderr, "rvjit: out of memory\n");
		return NULL;
	}
	b->m = m;
	b->disk = disk;
	if (serial)
		memcpy(b->id, serial, strnlen(serial, VIRTIO_BLK_ID_BYTES));

	/* seg_max leaves room for header and status in a VIRTQ_NUM_MAX chain,
	 * as QEMU (queue-size - 2). */
	virtio_put_le64(b->config + BLK_CFG_CAPACITY, disk->size / BLOCK_SECTOR_SIZE);
	virtio_put_le32(b->config + BLK_CFG_SEG_MAX, VIRTQ_NUM_MAX - 2);
	virtio_put_le32(b->config + BLK_CFG_BLK_SIZE, BLOCK_SECTOR_SIZE);
	virtio_put_le16(b->config + BLK_CFG_NUM_QUEUES, 1);

	b->ops = (struct virtio_device_ops){
	    .device_id = VIRTIO_ID_BLOCK,
	    .features = 1ULL << VIRTIO_BLK_F_SEG_MAX | 1ULL << VIRTIO_BLK_F_BLK_SIZE |
			1ULL << VIRTIO_BLK_F_FLUSH | (disk->readonly ? 1ULL << VIRTIO_BLK_F_RO : 0),
	    .num_queues = 1,
	    .config_size = BLK_CONFIG_SIZE,
	    .config_read = blk_config_read,
	    .config_write = NULL, /* writeback needs CONFIG_WCE, not offered */
	    .queue_notify = blk_queue_notify,
	    .reset = NULL, /* no state beyond the transport's */
	    .free = blk_free,
	};
	struct virtio_dev *vd = virtio_dev_new(m, &b->ops, b);
	if (!vd)
		free(b);
	return vd;
}

struct virtio_mmio *virtio_blk_new(struct machine *m, uint64_t base, struct irq_line irq,
				   struct block_dev *disk, bool legacy, const char *serial)
{
	struct virtio_dev *vd = virtio_blk_create(m, disk, serial);
	return vd ? virtio_mmio_attach(vd, base, irq, legacy) : NULL;
}

void virtio_blk_free(struct virtio_mmio *vm)
{
	virtio_mmio_free(vm);
}
