/*
 * Internal snapshots of a disk image (devices/qcow2_snapshot.c): what
 * QEMU's savevm, loadvm, delvm and `info snapshots` do to each drive, and
 * what `qemu-img snapshot -c/-a/-d/-l` does to an image. Only a writable
 * qcow2 image has them (not a raw file, not a snapshot=on overlay).
 *
 * Each snapshot may carry a VM state: bytes stored "past the end" of the
 * disk, at guest offsets from the first L1 entry that maps no disk cluster
 * on (docs/interop/qcow2.txt, "Snapshots"), through the same tables as the
 * disk, so the snapshot shares them copy-on-write. savevm writes the state
 * there (disk_vmstate_write) and then creates the snapshot, which takes it
 * along and leaves the active image without it, as QEMU does.
 *
 * Every operation changes the image so that a crash at any point leaves
 * either the old image or the new one, both consistent for qemu-img check:
 * the new tables are written to fresh clusters, and one write of the header
 * switches to them.
 *
 * Functions return 0 or a negative errno: -ENOTSUP for an image without
 * snapshots, -ENOENT for an unknown tag, -EIO for a corrupt image (said on
 * stderr once).
 */
#ifndef RVJIT_DISK_SNAPSHOT_H
#define RVJIT_DISK_SNAPSHOT_H

#include "block.h"
#include <stdbool.h>
#include <stdint.h>

/* QEMU's limits on an ID and a name (its QEMUSnapshotInfo). */
#define DISK_SNAPSHOT_ID_MAX   128
#define DISK_SNAPSHOT_NAME_MAX 256

struct disk_snapshot {
	char id[DISK_SNAPSHOT_ID_MAX];	   /* "1", "2"...: given by create */
	char name[DISK_SNAPSHOT_NAME_MAX]; /* the tag */
	uint32_t date_sec, date_nsec;	   /* host time of its creation */
	uint64_t vm_clock_ns;		   /* the guest clock then */
	uint64_t vm_state_size;		   /* bytes; 0 for a disk-only snapshot */
	uint64_t icount;		   /* instructions run, or UINT64_MAX: not recorded */
};

/* Does dev hold internal snapshots (a writable qcow2 image)? */
bool disk_can_snapshot(struct block_dev *dev);

/* The image's snapshots, oldest first, malloc'd into *list (free it). */
int disk_snapshot_list(struct block_dev *dev, struct disk_snapshot **list, unsigned *n);

/* Find a snapshot by ID or name (the first that matches, as QEMU's
 * bdrv_snapshot_find). */
int disk_snapshot_find(struct block_dev *dev, const char *tag, struct disk_snapshot *out);

/* A new snapshot of the disk as it is now, with the VM state written by
 * disk_vmstate_write (vm_state_size bytes of it). sn->id is filled in. */
int disk_snapshot_create(struct block_dev *dev, struct disk_snapshot *sn);

/* The disk (and the VM state area) becomes what the snapshot holds. */
int disk_snapshot_goto(struct block_dev *dev, const char *tag);

int disk_snapshot_delete(struct block_dev *dev, const char *tag);

/* Bytes [off, off+len) of the VM state area of the active image := buf. */
int disk_vmstate_write(struct block_dev *dev, uint64_t off, const void *buf, size_t len);

/* Bytes [off, off+len) of the VM state a snapshot holds. */
int disk_snapshot_vmstate_read(struct block_dev *dev, const char *tag, uint64_t off, void *buf,
			       size_t len);

#endif
