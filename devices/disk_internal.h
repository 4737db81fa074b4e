/*
 * What the disk backends share and the machine does not need: full-length
 * pread/pwrite, the image locks QEMU also takes, and opening the read-only
 * images of a qcow2 backing chain. The public entry points are in
 * devices/block.h.
 */
#ifndef RVJIT_DISK_INTERNAL_H
#define RVJIT_DISK_INTERNAL_H

#include "block.h"

/* A backing chain longer than this is refused (it is also how a read-only
 * chain that loops back on itself ends; read-write, the image's own lock
 * refuses its reopening as a backing file first, as in QEMU). */
#define DISK_MAX_BACKING_DEPTH 16

/* pread/pwrite until done: both may transfer less than asked (signals,
 * network file systems) without it being an error. Return 0 or -errno;
 * pread_full fails with -EIO at end of file, pread_zero reads zeros there
 * (a qcow2 cluster may end past the end of its file). */
int disk_pread_full(int fd, void *buf, size_t len, uint64_t offset);
int disk_pread_zero(int fd, void *buf, size_t len, uint64_t offset);
int disk_pwrite_full(int fd, const void *buf, size_t len, uint64_t offset);

/* fdatasync, retried on EINTR; once it has failed, -EIO ever after
 * (*failed remembers, one flag per file). Linux may mark the pages it could
 * not write back clean, so a later fdatasync that succeeds would vouch for
 * data that is gone; QEMU's file-posix fails every later flush too. */
int disk_fdatasync(int fd, bool *failed);

/*
 * QEMU's block permissions (BLK_PERM_* in its include/block/block-common.h,
 * QEMU 7.2): the bit numbers choose the lock bytes, so they are shared with
 * every QEMU on the host and must not change.
 */
#define DISK_PERM_CONSISTENT_READ (1u << 0)
#define DISK_PERM_WRITE		  (1u << 1)
#define DISK_PERM_WRITE_UNCHANGED (1u << 2)
#define DISK_PERM_RESIZE	  (1u << 3)
#define DISK_PERM_ALL		  0xfu

/*
 * devices/disk_lock.c: lock the image open on fd as QEMU's file driver does
 * for a user that holds the permissions perm and refuses to share those in
 * unshared. Fails, with the reason in err (QEMU's words, without the file
 * name), when another user's locks conflict; closing fd drops whatever was
 * taken. Without OFD locks in the kernel nothing is locked, as in QEMU.
 */
int disk_lock(int fd, unsigned perm, unsigned unshared, char *err, size_t errlen);

/*
 * A backing image, opened read-only: format "raw", "qcow2", or NULL to
 * probe. depth is the number of images above it in the chain.
 */
/* The commit of a snapshot=on overlay (disk_commit): close its base,
 * reopen(ctx, true) the image read-write as the new base (on failure
 * reopen(ctx, false) read-only again), write the overlay's sectors there
 * and flush, then empty the overlay. 0 or a negative errno. */
int disk_overlay_commit(struct block_dev *dev, struct block_dev *(*reopen)(void *ctx, bool rw),
			void *ctx);

struct block_dev *disk_open_backing(const char *path, const char *format, unsigned depth, char *err,
				    size_t errlen);

/*
 * devices/disk_raw.c: a raw image without the snapshot overlay. overlaid:
 * it lies under a qcow2 image or snapshot=on's overlay (and is read-only);
 * QEMU then refuses to share resizing too. locking: take the image locks
 * (-drive file.locking=off says no; a backing file always takes them).
 */
struct block_dev *raw_open(const char *path, bool readonly, bool overlaid, bool locking, char *err,
			   size_t errlen);

/* devices/disk_qcow2.c: a qcow2 image without the snapshot overlay. */
struct block_dev *qcow2_open(const char *path, bool readonly, bool locking, unsigned depth,
			     char *err, size_t errlen);

/*
 * Internal snapshots (devices/disk_snapshot.h, which devices/disk_snapshot.c
 * dispatches to these): a writable qcow2 image keeps them in the file
 * (devices/qcow2_snapshot.c); a snapshot=on overlay keeps them in memory
 * with its writes, as QEMU's temporary overlay keeps them until exit
 * (devices/disk_overlay.c). The same contracts as the public functions.
 */
struct disk_snapshot;
int qcow2_snapshot_list(struct block_dev *dev, struct disk_snapshot **list, unsigned *n);
int qcow2_snapshot_create(struct block_dev *dev, struct disk_snapshot *sn);
int qcow2_snapshot_goto(struct block_dev *dev, const char *tag);
int qcow2_snapshot_delete(struct block_dev *dev, const char *tag);
int qcow2_vmstate_write(struct block_dev *dev, uint64_t off, const void *buf, size_t len);
int qcow2_snapshot_vmstate_read(struct block_dev *dev, const char *tag, uint64_t off, void *buf,
				size_t len);
int overlay_snapshot_list(struct block_dev *dev, struct disk_snapshot **list, unsigned *n);
int overlay_snapshot_create(struct block_dev *dev, struct disk_snapshot *sn);
int overlay_snapshot_goto(struct block_dev *dev, const char *tag);
int overlay_snapshot_delete(struct block_dev *dev, const char *tag);
int overlay_vmstate_write(struct block_dev *dev, uint64_t off, const void *buf, size_t len);
int overlay_snapshot_vmstate_read(struct block_dev *dev, const char *tag, uint64_t off, void *buf,
				  size_t len);

#endif
