/*
 * Image file locks that QEMU understands, so that two emulators (two rvjit,
 * or rvjit and QEMU, either first) never both write one image, and a reader
 * is not handed an image that someone else is rewriting.
 *
 * QEMU's file driver (block/file-posix.c) speaks in "permissions" (its
 * BLK_PERM_* bits, DISK_PERM_* here) and publishes them as one-byte,
 * shared (read) open-file-description locks on the image file itself:
 *   byte 100 + bit  for each permission it holds,
 *   byte 200 + bit  for each permission it refuses to share with others.
 * Nobody ever takes an exclusive lock, so taking ours never blocks. A new
 * user first publishes its own bytes, then tests (F_OFD_GETLK for a write
 * lock, which any other description's read lock conflicts with) that
 * nobody refuses what it wants to hold (bytes 200 + bit) and nobody holds
 * what it refuses to share (bytes 100 + bit). Publishing before testing
 * means two users starting at once cannot both miss each other.
 *
 * OFD locks belong to the open file description, not the process: they
 * survive other opens and closes of the same file (the format probe) and
 * go away when the image's own descriptor is closed; two descriptors in one
 * process conflict like two processes, as in QEMU (one image as two drives).
 */
#define _GNU_SOURCE
#include "disk_internal.h"
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>

/* QEMU's RAW_LOCK_PERM_BASE and RAW_LOCK_SHARED_BASE: libvirt keeps the
 * bytes below. */
#define LOCK_PERM_BASE	 100
#define LOCK_SHARED_BASE 200

/* QEMU's names for the permissions (bdrv_perm_names), as its errors say them. */
static const char *const perm_names[] = {"consistent read", "write", "write unchanged", "resize"};

static int lock_byte(int fd, int cmd, short type, int byte, struct flock *fl)
{
	*fl = (struct flock){.l_type = type, .l_whence = SEEK_SET, .l_start = byte, .l_len = 1};
	return fcntl(fd, cmd, fl);
}

/* Publish our bytes: a shared lock on each. */
static int publish(int fd, unsigned perm, unsigned unshared, char *err, size_t errlen)
{
	for (int pass = 0; pass < 2; pass++) {
		const unsigned bits = pass ? unshared : perm;
		const int base = pass ? LOCK_SHARED_BASE : LOCK_PERM_BASE;
		for (unsigned i = 0; (1u << i) <= DISK_PERM_ALL; i++) {
			struct flock fl;
			if (!(bits & (1u << i)) ||
			    !lock_byte(fd, F_OFD_SETLK, F_RDLCK, base + (int)i, &fl))
				continue;
			if (errno == EAGAIN || errno == EACCES)
				snprintf(err, errlen, "Failed to lock byte %u", base + i);
			else
				snprintf(err, errlen, "Failed to lock byte %u: %s", base + i,
					 strerror(errno));
			return -1;
		}
	}
	return 0;
}

/* Does another open file description hold a lock on this byte? */
static int held_by_others(int fd, int byte, bool *held)
{
	struct flock fl;
	if (lock_byte(fd, F_OFD_GETLK, F_WRLCK, byte, &fl) < 0)
		return -1;
	*held = fl.l_type != F_UNLCK;
	return 0;
}

/* Test the others' bytes against what we hold and what we refuse to share. */
static int check_others(int fd, unsigned perm, unsigned unshared, char *err, size_t errlen)
{
	for (int pass = 0; pass < 2; pass++) {
		const unsigned bits = pass ? unshared : perm;
		const int base = pass ? LOCK_PERM_BASE : LOCK_SHARED_BASE;
		for (unsigned i = 0; (1u << i) <= DISK_PERM_ALL; i++) {
			bool held;
			if (!(bits & (1u << i)))
				continue;
			if (held_by_others(fd, base + (int)i, &held) < 0) {
				snprintf(err, errlen, "Failed to test byte %u: %s", base + i,
					 strerror(errno));
				return -1;
			}
			if (held) {
				snprintf(err, errlen,
					 "Failed to get %s\"%s\" lock. Is another process using "
					 "the image?",
					 pass ? "shared " : "", perm_names[i]);
				return -1;
			}
		}
	}
	return 0;
}

int disk_lock(int fd, unsigned perm, unsigned unshared, char *err, size_t errlen)
{
	struct flock fl;
	/* A kernel without OFD locks (before Linux 3.15) says EINVAL: QEMU's
	 * default (locking=auto) then does without, and so do we. */
	if (lock_byte(fd, F_OFD_GETLK, F_WRLCK, LOCK_PERM_BASE, &fl) < 0 && errno == EINVAL)
		return 0;
	if (publish(fd, perm, unshared, err, errlen) ||
	    check_others(fd, perm, unshared, err, errlen))
		return -1;
	return 0;
}
