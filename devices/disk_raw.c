/*
 * Raw disk images: the guest's sector n is bytes [512n, 512n+512) of the
 * file. With snapshot=on the file is opened read-only and every sector the
 * guest writes is kept in an in-memory overlay (a hash map from sector
 * number to its 512 bytes); reads take the file's bytes and then patch in
 * the overlay's. The overlay is dropped at close, like QEMU's snapshot=on.
 */
#define _GNU_SOURCE
#include "block.h"
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* An overlay slot; key is sector + 1 so that 0 marks an empty slot. */
struct overlay_slot {
	uint64_t key;
	uint8_t *data; /* BLOCK_SECTOR_SIZE bytes */
};

struct disk_raw {
	struct block_dev dev; /* first: the ops receive &dev */
	int fd;
	bool snapshot;
	struct overlay_slot *slots; /* open addressing, linear probing */
	size_t cap;		    /* a power of two, or 0 before the first write */
	size_t used;
};

static struct disk_raw *to_raw(struct block_dev *dev)
{
	return (struct disk_raw *)dev;
}

/* pread/pwrite until done: both may transfer less than asked (signals,
 * pipes, network file systems) without it being an error. */
static int pread_full(int fd, void *buf, size_t len, uint64_t offset)
{
	uint8_t *p = buf;
	while (len) {
		const ssize_t n = pread(fd, p, len, (off_t)offset);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (n == 0)
			return -EIO; /* the file shrank under us */
		p += n;
		len -= (size_t)n;
		offset += (uint64_t)n;
	}
	return 0;
}

static int pwrite_full(int fd, const void *buf, size_t len, uint64_t offset)
{
	const uint8_t *p = buf;
	while (len) {
		const ssize_t n = pwrite(fd, p, len, (off_t)offset);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (n == 0)
			return -EIO;
		p += n;
		len -= (size_t)n;
		offset += (uint64_t)n;
	}
	return 0;
}

/* ---- snapshot overlay ---- */

static size_t overlay_hash(uint64_t key, size_t cap)
{
	return (size_t)((key * 0x9e3779b97f4a7c15ULL) >> 17) & (cap - 1);
}

static struct overlay_slot *overlay_find(struct disk_raw *d, uint64_t sector)
{
	if (!d->used)
		return NULL;
	const uint64_t key = sector + 1;
	for (size_t i = overlay_hash(key, d->cap);; i = (i + 1) & (d->cap - 1)) {
		if (d->slots[i].key == key)
			return &d->slots[i];
		if (d->slots[i].key == 0)
			return NULL;
	}
}

/* Double the table (kept at most half full, so probes stay short). */
static int overlay_grow(struct disk_raw *d)
{
	const size_t cap = d->cap ? d->cap * 2 : 1024;
	struct overlay_slot *slots = calloc(cap, sizeof(*slots));
	if (!slots)
		return -ENOMEM;
	for (size_t i = 0; i < d->cap; i++) {
		if (!d->slots[i].key)
			continue;
		size_t j = overlay_hash(d->slots[i].key, cap);
		while (slots[j].key)
			j = (j + 1) & (cap - 1);
		slots[j] = d->slots[i];
	}
	free(d->slots);
	d->slots = slots;
	d->cap = cap;
	return 0;
}

/* The overlay copy of `sector`, created from the file's contents if the
 * guest has not written it yet (a partial-sector write needs the rest). */
static int overlay_get(struct disk_raw *d, uint64_t sector, uint8_t **data)
{
	struct overlay_slot *s = overlay_find(d, sector);
	if (s) {
		*data = s->data;
		return 0;
	}
	if ((d->used + 1) * 2 > d->cap) {
		const int r = overlay_grow(d);
		if (r)
			return r;
	}
	uint8_t *buf = malloc(BLOCK_SECTOR_SIZE);
	if (!buf)
		return -ENOMEM;
	const int r = pread_full(d->fd, buf, BLOCK_SECTOR_SIZE, sector * BLOCK_SECTOR_SIZE);
	if (r) {
		free(buf);
		return r;
	}
	const uint64_t key = sector + 1;
	size_t i = overlay_hash(key, d->cap);
	while (d->slots[i].key)
		i = (i + 1) & (d->cap - 1);
	d->slots[i].key = key;
	d->slots[i].data = buf;
	d->used++;
	*data = buf;
	return 0;
}

/* ---- block_ops ---- */

static int raw_read(struct block_dev *dev, uint64_t offset, void *buf, size_t len)
{
	struct disk_raw *d = to_raw(dev);
	if (!block_range_ok(dev, offset, len))
		return -EINVAL;
	int r = pread_full(d->fd, buf, len, offset);
	if (r || !d->used)
		return r;
	/* Patch in the sectors the guest wrote since the snapshot began. */
	const uint64_t end = offset + len;
	for (uint64_t sec = offset / BLOCK_SECTOR_SIZE; sec * BLOCK_SECTOR_SIZE < end; sec++) {
		const struct overlay_slot *s = overlay_find(d, sec);
		if (!s)
			continue;
		const uint64_t lo =
		    sec * BLOCK_SECTOR_SIZE > offset ? sec * BLOCK_SECTOR_SIZE : offset;
		const uint64_t hi =
		    (sec + 1) * BLOCK_SECTOR_SIZE < end ? (sec + 1) * BLOCK_SECTOR_SIZE : end;
		memcpy((uint8_t *)buf + (lo - offset), s->data + (lo - sec * BLOCK_SECTOR_SIZE),
		       hi - lo);
	}
	return 0;
}

static int raw_write(struct block_dev *dev, uint64_t offset, const void *buf, size_t len)
{
	struct disk_raw *d = to_raw(dev);
	if (dev->readonly)
		return -EROFS;
	if (!block_range_ok(dev, offset, len))
		return -EINVAL;
	if (!d->snapshot)
		return pwrite_full(d->fd, buf, len, offset);
	const uint64_t end = offset + len;
	for (uint64_t sec = offset / BLOCK_SECTOR_SIZE; sec * BLOCK_SECTOR_SIZE < end; sec++) {
		uint8_t *data;
		const int r = overlay_get(d, sec, &data);
		if (r)
			return r;
		const uint64_t lo =
		    sec * BLOCK_SECTOR_SIZE > offset ? sec * BLOCK_SECTOR_SIZE : offset;
		const uint64_t hi =
		    (sec + 1) * BLOCK_SECTOR_SIZE < end ? (sec + 1) * BLOCK_SECTOR_SIZE : end;
		memcpy(data + (lo - sec * BLOCK_SECTOR_SIZE), (const uint8_t *)buf + (lo - offset),
		       hi - lo);
	}
	return 0;
}

static int raw_flush(struct block_dev *dev)
{
	struct disk_raw *d = to_raw(dev);
	/* Nothing of ours is in the file to make durable. */
	if (d->snapshot || dev->readonly)
		return 0;
	while (fdatasync(d->fd) < 0) {
		if (errno != EINTR)
			return -errno;
	}
	return 0;
}

static void raw_close(struct block_dev *dev)
{
	struct disk_raw *d = to_raw(dev);
	for (size_t i = 0; i < d->cap; i++)
		free(d->slots[i].data);
	free(d->slots);
	close(d->fd);
	free(d);
}

static const struct block_ops raw_ops = {
    .read = raw_read,
    .write = raw_write,
    .flush = raw_flush,
    .close = raw_close,
};

struct block_dev *disk_raw_open(const char *path, bool readonly, bool snapshot, char *err,
				size_t errlen)
{
	const int fd = open(path, (readonly || snapshot ? O_RDONLY : O_RDWR) | O_CLOEXEC);
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
	d->snapshot = snapshot;
	return &d->dev;
}
