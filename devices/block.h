/*
 * A block device backend: what a disk controller (virtio-blk) reads and
 * writes, whatever the image format behind it: raw files
 * (devices/disk_raw.c) or qcow2 (devices/disk_qcow2.c), chosen by
 * devices/disk.c; snapshot=on is one in-memory overlay for both
 * (devices/disk_overlay.c).
 *
 * Every image file is locked while open, with the byte-range locks QEMU
 * takes, so that neither rvjit nor QEMU writes an image another one uses:
 * an open that conflicts fails with QEMU's reason ("Failed to get "write"
 * lock. Is another process using the image?"), see devices/disk_lock.c.
 *
 * Offsets and lengths are in bytes and must lie within [0, size). The size
 * is always a whole number of BLOCK_SECTOR_SIZE sectors. Every operation
 * returns 0 or a negative errno; a read or write either completes fully or
 * reports an error (backends retry short transfers themselves).
 */
#ifndef RVJIT_BLOCK_H
#define RVJIT_BLOCK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define BLOCK_SECTOR_SIZE 512u

struct block_dev;

struct block_ops {
	int (*read)(struct block_dev *dev, uint64_t offset, void *buf, size_t len);
	int (*write)(struct block_dev *dev, uint64_t offset, const void *buf, size_t len);
	/* Make completed writes durable (fdatasync for a file). */
	int (*flush)(struct block_dev *dev);
	/* Release everything, including dev itself. */
	void (*close)(struct block_dev *dev);
};

struct block_dev {
	const struct block_ops *ops;
	uint64_t size; /* bytes, a multiple of BLOCK_SECTOR_SIZE */
	bool readonly; /* writes fail with -EROFS; the guest is told (VIRTIO_BLK_F_RO) */
};

/* The range checks every backend needs, in one place. */
static inline bool block_range_ok(const struct block_dev *dev, uint64_t offset, size_t len)
{
	return offset <= dev->size && len <= dev->size - offset;
}

static inline int block_read(struct block_dev *dev, uint64_t offset, void *buf, size_t len)
{
	return dev->ops->read(dev, offset, buf, len);
}

static inline int block_write(struct block_dev *dev, uint64_t offset, const void *buf, size_t len)
{
	return dev->ops->write(dev, offset, buf, len);
}

static inline int block_flush(struct block_dev *dev)
{
	return dev->ops->flush(dev);
}

static inline void block_close(struct block_dev *dev)
{
	if (dev)
		dev->ops->close(dev);
}

/*
 * Open a raw image file (devices/disk_raw.c).
 *   readonly: the file is opened O_RDONLY and every write fails with -EROFS.
 *   snapshot: the file is opened O_RDONLY and never written; the guest's
 *             writes live in memory (per 512-byte sector) until close, and
 *             reads see them, like QEMU's snapshot=on.
 * The size is the file size rounded down to whole sectors, as QEMU does.
 * On failure returns NULL and writes the reason into err, as strerror
 * words ("No such file or directory", "Permission denied", "Is a
 * directory"); the caller names the file, once.
 */
struct block_dev *disk_raw_open(const char *path, bool readonly, bool snapshot, char *err,
				size_t errlen);

/*
 * Open an image as -drive does: format "raw" or "qcow2", or NULL / "auto"
 * to probe (the qcow2 magic "QFI\xfb", otherwise raw, with a warning on
 * stderr as QEMU prints). An unknown format is refused. locking false is
 * -drive file.locking=off: the image itself is not locked (its backing
 * files still are, as in QEMU).
 *
 * qcow2 (devices/disk_qcow2.c): version 2 or 3, with its chain of backing
 * files (read-only). A file cut short reads as QEMU reads it (zeros past
 * its end) as long as its metadata is whole. Refused with a reason in err:
 * a corrupt image, one truncated inside its header or tables, encryption,
 * external data files, extended L2 entries, zstd compression, unknown
 * incompatible features, and (unless read-only) the dirty and corrupt
 * bits. Nothing is written to the file at open.
 */
struct block_dev *disk_open(const char *path, const char *format, bool readonly, bool snapshot,
			    bool locking, char *err, size_t errlen);

/*
 * snapshot=on: wrap base (which is never written) so that the guest's
 * writes stay in memory until close. readonly: refuse writes even there.
 * Closing the wrapper closes base; on failure (no memory) base is closed
 * and NULL returned.
 */
struct block_dev *disk_overlay_new(struct block_dev *base, bool readonly);
bool disk_is_overlay(const struct block_dev *dev);

/*
 * QEMU's `commit` for snapshot=on (the monitor's commit, the console's
 * C-a s): write the sectors the guest wrote into the image the drive was
 * opened from, make them durable, and go on with the overlay empty over
 * the image opened read-write. path, format and locking as at disk_open.
 * A drive without an overlay has nothing to commit (0). On failure the
 * reason is in err, and the overlay keeps every write it had.
 */
int disk_commit(struct block_dev *dev, const char *path, const char *format, bool locking,
		char *err, size_t errlen);

#endif
