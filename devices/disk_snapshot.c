/*
 * Internal snapshots (devices/disk_snapshot.h), whichever backend holds
 * them: a qcow2 image in its file (devices/qcow2_snapshot.c), a
 * snapshot=on overlay in memory (devices/disk_overlay.c), as QEMU's
 * temporary qcow2 overlay holds them until it exits. Raw files have none.
 */
#include "disk_snapshot.h"
#include "disk_internal.h"
#include "qcow2_internal.h"
#include <errno.h>
#include <stdlib.h>
#include <string.h>

bool disk_can_snapshot(struct block_dev *dev)
{
	return !dev->readonly && (qcow2_of(dev) || disk_is_overlay(dev));
}

int disk_snapshot_list(struct block_dev *dev, struct disk_snapshot **list, unsigned *n)
{
	*list = NULL;
	*n = 0;
	if (disk_is_overlay(dev))
		return overlay_snapshot_list(dev, list, n);
	return qcow2_snapshot_list(dev, list, n);
}

int disk_snapshot_find(struct block_dev *dev, const char *tag, struct disk_snapshot *out)
{
	struct disk_snapshot *list;
	unsigned n;
	int r = disk_snapshot_list(dev, &list, &n);
	if (r)
		return r;
	r = -ENOENT;
	for (unsigned i = 0; i < n && r; i++)
		if (!strcmp(list[i].id, tag) || !strcmp(list[i].name, tag)) {
			*out = list[i];
			r = 0;
		}
	free(list);
	return r;
}

int disk_snapshot_create(struct block_dev *dev, struct disk_snapshot *sn)
{
	if (disk_is_overlay(dev))
		return dev->readonly ? -ENOTSUP : overlay_snapshot_create(dev, sn);
	return qcow2_snapshot_create(dev, sn);
}

int disk_snapshot_goto(struct block_dev *dev, const char *tag)
{
	if (disk_is_overlay(dev))
		return dev->readonly ? -ENOTSUP : overlay_snapshot_goto(dev, tag);
	return qcow2_snapshot_goto(dev, tag);
}

int disk_snapshot_delete(struct block_dev *dev, const char *tag)
{
	if (disk_is_overlay(dev))
		return dev->readonly ? -ENOTSUP : overlay_snapshot_delete(dev, tag);
	return qcow2_snapshot_delete(dev, tag);
}

int disk_vmstate_write(struct block_dev *dev, uint64_t off, const void *buf, size_t len)
{
	if (disk_is_overlay(dev))
		return dev->readonly ? -ENOTSUP : overlay_vmstate_write(dev, off, buf, len);
	return qcow2_vmstate_write(dev, off, buf, len);
}

int disk_snapshot_vmstate_read(struct block_dev *dev, const char *tag, uint64_t off, void *buf,
			       size_t len)
{
	if (disk_is_overlay(dev))
		return overlay_snapshot_vmstate_read(dev, tag, off, buf, len);
	return qcow2_snapshot_vmstate_read(dev, tag, off, buf, len);
}
