/*
 * What the disk backends share and the machine does not need: full-length
 * pread/pwrite, and opening the read-only images of a qcow2 backing chain.
 * The public entry points are in devices/block.h.
 */
#ifndef RVJIT_DISK_INTERNAL_H
#define RVJIT_DISK_INTERNAL_H

#include "block.h"

/* A backing chain longer than this is refused (it is also how a chain that
 * loops back on itself ends). */
#define DISK_MAX_BACKING_DEPTH 16

/* pread/pwrite until done: both may transfer less than asked (signals,
 * network file systems) without it being an error. Return 0 or -errno;
 * pread_full fails with -EIO at end of file, pread_zero reads zeros there
 * (a qcow2 cluster may end past the end of its file). */
int disk_pread_full(int fd, void *buf, size_t len, uint64_t offset);
int disk_pread_zero(int fd, void *buf, size_t len, uint64_t offset);
int disk_pwrite_full(int fd, const void *buf, size_t len, uint64_t offset);

/* fdatasync, retried on EINTR. */
int disk_fdatasync(int fd);

/*
 * A backing image, opened read-only: format "raw", "qcow2", or NULL to
 * probe. depth is the number of images above it in the chain.
 */
struct block_dev *disk_open_backing(const char *path, const char *format, unsigned depth, char *err,
				    size_t errlen);

/* devices/disk_qcow2.c: a qcow2 image without the snapshot overlay. */
struct block_dev *qcow2_open(const char *path, bool readonly, unsigned depth, char *err,
			     size_t errlen);

#endif
