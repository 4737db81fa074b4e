/*
 * Opening a disk image in whichever format it is (raw or qcow2), as
 * QEMU's -drive does: format=raw and format=qcow2 are taken at their word;
 * without format= the first bytes decide ("QFI\xfb" is qcow2, anything else
 * raw, with QEMU's warning, since a guest could write a qcow2 header into a
 * raw image and have it read as qcow2 next time). Also the I/O helpers the
 * backends share (devices/disk_internal.h). The probe reads the file
 * without locking it; the backend's own open takes the locks.
 */
#define _GNU_SOURCE
#include "disk_internal.h"
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* pread until len bytes are read; at end of file either fail (the file
 * shrank under us) or, with zero_fill, read zeros as a sparse tail would. */
static int pread_loop(int fd, void *buf, size_t len, uint64_t offset, bool zero_fill)
{
	uint8_t *p = buf;
	while (len) {
		const ssize_t n = pread(fd, p, len, (off_t)offset);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (n == 0) {
			if (!zero_fill)
				return -EIO;
			memset(p, 0, len);
			return 0;
		}
		p += n;
		len -= (size_t)n;
		offset += (uint64_t)n;
	}
	return 0;
}

int disk_pread_full(int fd, void *buf, size_t len, uint64_t offset)
{
	return pread_loop(fd, buf, len, offset, false);
}

int disk_pread_zero(int fd, void *buf, size_t len, uint64_t offset)
{
	return pread_loop(fd, buf, len, offset, true);
}

int disk_pwrite_full(int fd, const void *buf, size_t len, uint64_t offset)
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

int disk_fdatasync(int fd, bool *failed)
{
	if (*failed)
		return -EIO;
	while (fdatasync(fd) < 0) {
		if (errno != EINTR) {
			*failed = true;
			return -errno;
		}
	}
	return 0;
}

enum disk_format { FORMAT_RAW, FORMAT_QCOW2 };

/* The format named by format=, or found by looking at the file. */
static int pick_format(const char *path, const char *format, bool *probed, enum disk_format *out,
		       char *err, size_t errlen)
{
	*probed = false;
	if (format && !strcmp(format, "raw")) {
		*out = FORMAT_RAW;
		return 0;
	}
	if (format && !strcmp(format, "qcow2")) {
		*out = FORMAT_QCOW2;
		return 0;
	}
	if (format && strcmp(format, "auto")) {
		snprintf(err, errlen, "unsupported format '%s' (supported: raw, qcow2)", format);
		return -1;
	}
	const int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		snprintf(err, errlen, "%s", strerror(errno));
		return -1;
	}
	uint8_t magic[4] = {0};
	ssize_t n;
	do
		n = pread(fd, magic, sizeof(magic), 0);
	while (n < 0 && errno == EINTR);
	const int e = errno;
	close(fd);
	if (n < 0) {
		snprintf(err, errlen, "%s", strerror(e));
		return -1;
	}
	*probed = true;
	*out = n == 4 && !memcmp(magic, "QFI\xfb", 4) ? FORMAT_QCOW2 : FORMAT_RAW;
	return 0;
}

/* snapshot=on: the image d (opened read-only) under the in-memory overlay. */
static struct block_dev *overlay_if(struct block_dev *d, bool snapshot, bool readonly, char *err,
				    size_t errlen)
{
	if (!d || !snapshot)
		return d;
	d = disk_overlay_new(d, readonly);
	if (!d)
		snprintf(err, errlen, "%s", strerror(ENOMEM));
	return d;
}

struct block_dev *disk_raw_open(const char *path, bool readonly, bool snapshot, char *err,
				size_t errlen)
{
	return overlay_if(raw_open(path, readonly, snapshot, true, err, errlen), snapshot, readonly,
			  err, errlen);
}

struct block_dev *disk_open(const char *path, const char *format, bool readonly, bool snapshot,
			    bool locking, char *err, size_t errlen)
{
	bool probed;
	enum disk_format f;
	if (pick_format(path, format, &probed, &f, err, errlen))
		return NULL;
	if (f == FORMAT_QCOW2)
		return overlay_if(qcow2_open(path, readonly || snapshot, locking, 0, err, errlen),
				  snapshot, readonly, err, errlen);
	if (probed)
		fprintf(stderr,
			"WARNING: Image format was not specified for '%s' and probing guessed raw; "
			"say format=raw to silence this.\n",
			path);
	return overlay_if(raw_open(path, readonly, snapshot, locking, err, errlen), snapshot,
			  readonly, err, errlen);
}

struct commit_target {
	const char *path;
	enum disk_format format;
	bool locking;
	char *err;
	size_t errlen;
};

static struct block_dev *open_for_commit(void *ctx, bool rw)
{
	struct commit_target *t = ctx;
	char err[256];
	char *why = rw ? t->err : err; /* the reason is the read-write open's */
	const size_t len = rw ? t->errlen : sizeof(err);
	if (t->format == FORMAT_QCOW2)
		return qcow2_open(t->path, !rw, t->locking, 0, why, len);
	return raw_open(t->path, !rw, !rw, t->locking, why, len);
}

int disk_commit(struct block_dev *dev, const char *path, const char *format, bool locking,
		char *err, size_t errlen)
{
	if (!dev || !disk_is_overlay(dev) || dev->readonly)
		return 0;
	bool probed;
	struct commit_target t = {.path = path, .locking = locking, .err = err, .errlen = errlen};
	if (pick_format(path, format, &probed, &t.format, err, errlen))
		return -1;
	snprintf(err, errlen, "%s", strerror(EIO));
	const int r = disk_overlay_commit(dev, open_for_commit, &t);
	if (r && r != -EIO)
		snprintf(err, errlen, "%s", strerror(-r));
	return r ? -1 : 0;
}

struct block_dev *disk_open_backing(const char *path, const char *format, unsigned depth, char *err,
				    size_t errlen)
{
	bool probed;
	enum disk_format f;
	if (depth > DISK_MAX_BACKING_DEPTH) {
		snprintf(err, errlen, "backing chain longer than %d images (a loop?)",
			 DISK_MAX_BACKING_DEPTH);
		return NULL;
	}
	if (pick_format(path, format, &probed, &f, err, errlen))
		return NULL;
	/* Backing files are always locked: file.locking=off is an option of
	 * the drive's own file alone, in QEMU too. */
	if (f == FORMAT_QCOW2)
		return qcow2_open(path, true, true, depth, err, errlen);
	return raw_open(path, true, true, true, err, errlen);
}
