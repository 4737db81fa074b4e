/*
 * snapshot=on for every image format: a block_dev wrapped around the real
 * one (opened read-only), keeping each sector the guest writes in memory (a
 * hash map from sector number to its 512 bytes). Reads take the base
 * image's bytes and then patch in the overlay's. Everything is dropped at
 * close, like QEMU's snapshot=on (which puts a temporary qcow2 on top).
 *
 * savevm's internal snapshots live here too, as they live in QEMU's
 * temporary qcow2 until it exits: each one a copy of the written sectors
 * and the machine state given to it (disk_internal.h's overlay_snapshot_*).
 */
#include "disk_internal.h"
#include "disk_snapshot.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* An overlay slot; key is sector + 1 so that 0 marks an empty slot. */
struct overlay_slot {
	uint64_t key;
	uint8_t *data; /* BLOCK_SECTOR_SIZE bytes */
};

/* The written sectors: a hash map. */
struct overlay_map {
	struct overlay_slot *slots; /* open addressing, linear probing */
	size_t cap;		    /* a power of two, or 0 before the first write */
	size_t used;
};

/* A snapshot: the sectors written until then, and the machine state. */
struct overlay_snap {
	struct disk_snapshot info;
	struct overlay_map map;
	uint8_t *vm; /* info.vm_state_size bytes */
};

struct disk_overlay {
	struct block_dev dev; /* first: the ops receive &dev */
	struct block_dev *base;
	struct overlay_slot *slots; /* open addressing, linear probing */
	size_t cap;		    /* a power of two, or 0 before the first write */
	size_t used;
	struct overlay_snap *snaps;
	unsigned nsnaps;
	uint8_t *vm; /* the machine state disk_vmstate_write gave, for the next snapshot */
	size_t vm_len;
};

static struct disk_overlay *to_overlay(struct block_dev *dev)
{
	return (struct disk_overlay *)dev;
}

static size_t overlay_hash(uint64_t key, size_t cap)
{
	return (size_t)((key * 0x9e3779b97f4a7c15ULL) >> 17) & (cap - 1);
}

static struct overlay_slot *overlay_find(struct disk_overlay *d, uint64_t sector)
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
static int overlay_grow(struct disk_overlay *d)
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

/* The overlay copy of `sector`, created from the base image's contents if
 * the guest has not written it yet (a partial-sector write needs the rest). */
static int overlay_get(struct disk_overlay *d, uint64_t sector, uint8_t **data)
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
	if (!d->base)
		return -EIO;
	uint8_t *buf = malloc(BLOCK_SECTOR_SIZE);
	if (!buf)
		return -ENOMEM;
	const int r = block_read(d->base, sector * BLOCK_SECTOR_SIZE, buf, BLOCK_SECTOR_SIZE);
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

static int overlay_read(struct block_dev *dev, uint64_t offset, void *buf, size_t len)
{
	struct disk_overlay *d = to_overlay(dev);
	if (!block_range_ok(dev, offset, len))
		return -EINVAL;
	if (!d->base)
		return -EIO; /* lost at a failed commit */
	int r = block_read(d->base, offset, buf, len);
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

static int overlay_write(struct block_dev *dev, uint64_t offset, const void *buf, size_t len)
{
	struct disk_overlay *d = to_overlay(dev);
	if (dev->readonly)
		return -EROFS;
	if (!block_range_ok(dev, offset, len))
		return -EINVAL;
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

static int overlay_flush(struct block_dev *dev)
{
	return 0; /* nothing of ours is in a file to make durable */
}

static void map_free(struct overlay_slot *slots, size_t cap)
{
	for (size_t i = 0; i < cap; i++)
		free(slots[i].data);
	free(slots);
}

static void overlay_close(struct block_dev *dev)
{
	struct disk_overlay *d = to_overlay(dev);
	map_free(d->slots, d->cap);
	for (unsigned i = 0; i < d->nsnaps; i++) {
		map_free(d->snaps[i].map.slots, d->snaps[i].map.cap);
		free(d->snaps[i].vm);
	}
	free(d->snaps);
	free(d->vm);
	block_close(d->base);
	free(d);
}

static const struct block_ops overlay_ops = {
    .read = overlay_read,
    .write = overlay_write,
    .flush = overlay_flush,
    .close = overlay_close,
};

bool disk_is_overlay(const struct block_dev *dev)
{
	return dev->ops == &overlay_ops;
}

int disk_overlay_commit(struct block_dev *dev, struct block_dev *(*reopen)(void *ctx, bool rw),
			void *ctx)
{
	struct disk_overlay *d = to_overlay(dev);
	if (!d->used)
		return 0;
	/* This process's read-only open of the image refuses other writers,
	 * itself included (its locks are per open file): let go of it before
	 * opening the image to write, as QEMU changes its one node's
	 * permissions. The writable open stays the base afterwards, so there
	 * is no moment without one to fall back to. */
	block_close(d->base);
	d->base = reopen(ctx, true);
	if (!d->base) {
		/* The caller said why; the overlay keeps every write, over the
		 * image read-only again (or, if even that is gone, failing
		 * reads with EIO: never another file's bytes). */
		d->base = reopen(ctx, false);
		return -EIO;
	}
	for (size_t i = 0; i < d->cap; i++) {
		if (!d->slots[i].key)
			continue;
		const int r = block_write(d->base, (d->slots[i].key - 1) * BLOCK_SECTOR_SIZE,
					  d->slots[i].data, BLOCK_SECTOR_SIZE);
		if (r)
			return r;
	}
	const int r = block_flush(d->base);
	if (r)
		return r;
	/* In the image now: reads may come from the base again. */
	for (size_t i = 0; i < d->cap; i++) {
		free(d->slots[i].data);
		d->slots[i] = (struct overlay_slot){0};
	}
	d->used = 0;
	return 0;
}

struct block_dev *disk_overlay_new(struct block_dev *base, bool readonly)
{
	struct disk_overlay *d = calloc(1, sizeof(*d));
	if (!d) {
		block_close(base);
		return NULL;
	}
	d->dev.ops = &overlay_ops;
	d->dev.size = base->size;
	d->dev.readonly = readonly;
	d->base = base;
	return &d->dev;
}

/* ---- internal snapshots ---- */

/* A deep copy of a sector map. */
static int map_copy(const struct overlay_slot *from, size_t cap, size_t used,
		    struct overlay_map *to)
{
	*to = (struct overlay_map){.cap = cap, .used = used};
	if (!cap)
		return 0;
	if (!(to->slots = calloc(cap, sizeof(*to->slots))))
		return -ENOMEM;
	for (size_t i = 0; i < cap; i++) {
		if (!from[i].key)
			continue;
		if (!(to->slots[i].data = malloc(BLOCK_SECTOR_SIZE))) {
			map_free(to->slots, cap);
			to->slots = NULL;
			return -ENOMEM;
		}
		to->slots[i].key = from[i].key;
		memcpy(to->slots[i].data, from[i].data, BLOCK_SECTOR_SIZE);
	}
	return 0;
}

static int snap_find(const struct disk_overlay *d, const char *tag)
{
	for (unsigned i = 0; i < d->nsnaps; i++)
		if (!strcmp(d->snaps[i].info.id, tag) || !strcmp(d->snaps[i].info.name, tag))
			return (int)i;
	return -1;
}

int overlay_snapshot_list(struct block_dev *dev, struct disk_snapshot **list, unsigned *n)
{
	struct disk_overlay *d = to_overlay(dev);
	if (d->nsnaps && !(*list = calloc(d->nsnaps, sizeof(**list))))
		return -ENOMEM;
	for (unsigned i = 0; i < d->nsnaps; i++)
		(*list)[i] = d->snaps[i].info;
	*n = d->nsnaps;
	return 0;
}

int overlay_snapshot_create(struct block_dev *dev, struct disk_snapshot *sn)
{
	struct disk_overlay *d = to_overlay(dev);
	unsigned long max_id = 0;
	for (unsigned i = 0; i < d->nsnaps; i++) {
		const unsigned long v = strtoul(d->snaps[i].info.id, NULL, 10);
		max_id = v > max_id ? v : max_id;
	}
	struct overlay_snap *snaps = realloc(d->snaps, (d->nsnaps + 1) * sizeof(*snaps));
	if (!snaps)
		return -ENOMEM;
	d->snaps = snaps;
	struct overlay_snap *s = &snaps[d->nsnaps];
	const int r = map_copy(d->slots, d->cap, d->used, &s->map);
	if (r)
		return r;
	snprintf(sn->id, sizeof(sn->id), "%lu", max_id + 1);
	s->info = *sn;
	s->vm = NULL;
	if (sn->vm_state_size) {
		if (sn->vm_state_size > d->vm_len) {
			map_free(s->map.slots, s->map.cap);
			return -EINVAL;
		}
		s->vm = d->vm; /* taken over: the next savevm writes anew */
		d->vm = NULL;
		d->vm_len = 0;
	}
	d->nsnaps++;
	return 0;
}

int overlay_snapshot_goto(struct block_dev *dev, const char *tag)
{
	struct disk_overlay *d = to_overlay(dev);
	const int i = snap_find(d, tag);
	if (i < 0)
		return -ENOENT;
	const struct overlay_map *m = &d->snaps[i].map;
	struct overlay_map copy;
	const int r = map_copy(m->slots, m->cap, m->used, &copy);
	if (r)
		return r;
	map_free(d->slots, d->cap);
	d->slots = copy.slots;
	d->cap = copy.cap;
	d->used = copy.used;
	return 0;
}

int overlay_snapshot_delete(struct block_dev *dev, const char *tag)
{
	struct disk_overlay *d = to_overlay(dev);
	const int i = snap_find(d, tag);
	if (i < 0)
		return -ENOENT;
	map_free(d->snaps[i].map.slots, d->snaps[i].map.cap);
	free(d->snaps[i].vm);
	memmove(&d->snaps[i], &d->snaps[i + 1], (d->nsnaps - (unsigned)i - 1) * sizeof(*d->snaps));
	d->nsnaps--;
	return 0;
}

int overlay_vmstate_write(struct block_dev *dev, uint64_t off, const void *buf, size_t len)
{
	struct disk_overlay *d = to_overlay(dev);
	if (off + len > d->vm_len) {
		uint8_t *vm = realloc(d->vm, off + len);
		if (!vm)
			return -ENOMEM;
		memset(vm + d->vm_len, 0, off + len - d->vm_len);
		d->vm = vm;
		d->vm_len = off + len;
	}
	memcpy(d->vm + off, buf, len);
	return 0;
}

int overlay_snapshot_vmstate_read(struct block_dev *dev, const char *tag, uint64_t off, void *buf,
				  size_t len)
{
	struct disk_overlay *d = to_overlay(dev);
	const int i = snap_find(d, tag);
	if (i < 0)
		return -ENOENT;
	if (off + len > d->snaps[i].info.vm_state_size)
		return -EINVAL;
	memcpy(buf, d->snaps[i].vm + off, len);
	return 0;
}
