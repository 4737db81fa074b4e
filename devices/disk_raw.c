/*
 * Raw disk images: the guest's sector n is bytes [512n, 512n+512) of the
 * file. snapshot=on opens the file read-only under the in-memory overlay of
 * devices/disk_overlay.c. The file is locked as QEMU locks it
 * (devices/disk_lock.c).
 */
#define _GNU_SOURCE
#include "disk_internal.h"
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct disk_raw {
	struct block_dev dev; /* first: the ops receive &dev */
	int fd;
	bool flush_failed; /* see disk_fdatasync */
};

static struct disk_raw *to_raw(struct block_dev *dev)
{
	return (struct disk_raw *)dev;
}

static int raw_read(struct block_dev *dev, uint64_t offset, void *buf, size_t len)
{
	if (!block_range_ok(dev, offset, len))
		return -EINVAL;
	return disk_pread_full(to_raw(dev)->fd, buf, len, offset);
}

static int raw_write(struct block_dev *dev, uint64_t offset, const void *buf, size_t len)
{
	if (dev->readonly)
		return -EROFS;
	if (!block_range_ok(dev, offset, len))
		return -EINVAL;
	return disk_pwrite_full(to_raw(dev)->fd, buf, len, offset);
}

static int raw_flush(struct block_dev *dev)
{
	/* Nothing of ours is in the file to make durable. */
	if (dev->readonly)
		return 0;
	return disk_fdatasync(to_raw(dev)->fd, &to_raw(dev)->flush_failed);
}

static void raw_close(struct block_dev *dev)
{
	close(to_raw(dev)->fd);
	free(dev);
}

static const struct block_ops raw_ops = {
    .read = raw_read,
    .write = raw_write,
    .flush = raw_flush,
    .close = raw_close,
};

/* The permissions QEMU takes on a raw file (measured on QEMU 7.2): the
 * guest's disk holds reading, and writing unless read-only, and shares all
 * but writing; a qcow2 overlay above (a backing file, snapshot=on) only
 * reads, and shares neither writing nor resizing, which would change what
 * it reads through. */
static int raw_lock(int fd, bool readonly, bool overlaid, char *err, size_t errlen)
{
	const unsigned perm = DISK_PERM_CONSISTENT_READ | (readonly ? 0 : DISK_PERM_WRITE);
	const unsigned unshared = DISK_PERM_WRITE | (overlaid ? DISK_PERM_RESIZE : 0);
	return disk_lock(fd, perm, unshared, err, errlen);
}

struct block_dev *raw_open(const char *path, bool readonly, bool overlaid, bool locking, char *err,
			   size_t errlen)
{
	readonly = readonly || overlaid;
	const int fd = open(path, (readonly ? O_RDONLY : O_RDWR) | O_CLOEXEC);
	if (fd < 0) {
		snprintf(err, errlen, "%s", strerror(errno));
		return NULL;
	}
	struct stat st;
	if (fstat(fd, &st) < 0) {
		snprintf(err, errlen, "%s", strerror(errno));
		close(fd);
		return NULL;
	}
	/* O_RDONLY opens a directory happily; only the read would fail. */
	if (S_ISDIR(st.st_mode)) {
		snprintf(err, errlen, "%s", strerror(EISDIR));
		close(fd);
		return NULL;
	}
	if (locking && raw_lock(fd, readonly, overlaid, err, errlen)) {
		close(fd);
		return NULL;
	}
	/* lseek rather than st_size: it also sizes host block devices. */
	const off_t end = lseek(fd, 0, SEEK_END);
	if (end < 0) {
		snprintf(err, errlen, "%s", strerror(errno));
		close(fd);
		return NULL;
	}
	struct disk_raw *d = calloc(1, sizeof(*d));
	if (!d) {
		snprintf(err, errlen, "%s", strerror(ENOMEM));
		close(fd);
		return NULL;
	}
	d->dev.ops = &raw_ops;
	/* A trailing partial sector is invisible, as in QEMU. */
	d->dev.size = (uint64_t)end & ~(uint64_t)(BLOCK_SECTOR_SIZE - 1);
	d->dev.readonly = readonly;
	d->fd = fd;
	return &d->dev;
}
