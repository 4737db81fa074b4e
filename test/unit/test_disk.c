/* The raw disk backend (devices/disk_raw.c) on temporary files, and the
 * image locks every backend takes (devices/disk_lock.c). */
#define _GNU_SOURCE
#include "devices/block.h"
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define IMG_SIZE (64 * 512)

/* A temporary image of IMG_SIZE + extra bytes, byte i = i * 7 + 3. */
static void make_image(char *path, size_t extra)
{
	strcpy(path, "/tmp/rvjit-disk-XXXXXX");
	const int fd = mkstemp(path);
	cr_assert(fd >= 0);
	for (size_t i = 0; i < IMG_SIZE + extra; i++) {
		const uint8_t b = (uint8_t)(i * 7 + 3);
		cr_assert(write(fd, &b, 1) == 1);
	}
	close(fd);
}

static void read_file(const char *path, uint8_t *buf, size_t len)
{
	FILE *f = fopen(path, "rb");
	cr_assert(f);
	cr_assert(fread(buf, 1, len, f) == len);
	fclose(f);
}

/* A time limit for every test: a hang fails it instead of stalling the
 * run. */
TestSuite(disk_raw, .timeout = 60);

Test(disk_raw, read_write_flush)
{
	char path[64], err[256];
	make_image(path, 0);
	struct block_dev *d = disk_raw_open(path, false, false, err, sizeof(err));
	cr_assert(d, "%s", err);
	cr_expect_eq(d->size, IMG_SIZE);
	cr_expect(!d->readonly);

	uint8_t buf[1024];
	cr_assert_eq(block_read(d, 512, buf, sizeof(buf)), 0);
	for (size_t i = 0; i < sizeof(buf); i++)
		cr_assert_eq(buf[i], (uint8_t)((512 + i) * 7 + 3));

	memset(buf, 0xab, sizeof(buf));
	cr_assert_eq(block_write(d, 1024, buf, sizeof(buf)), 0);
	cr_assert_eq(block_flush(d), 0);
	uint8_t back[1024];
	cr_assert_eq(block_read(d, 1024, back, sizeof(back)), 0);
	cr_assert_arr_eq(back, buf, sizeof(buf));

	/* Past the end is refused, not truncated. */
	cr_expect_neq(block_read(d, IMG_SIZE - 512, buf, 1024), 0);
	cr_expect_neq(block_write(d, IMG_SIZE, buf, 512), 0);
	block_close(d);

	uint8_t file[IMG_SIZE];
	read_file(path, file, sizeof(file));
	for (size_t i = 0; i < sizeof(file); i++) {
		const uint8_t want = i >= 1024 && i < 2048 ? 0xab : (uint8_t)(i * 7 + 3);
		cr_assert_eq(file[i], want, "byte %zu", i);
	}
	unlink(path);
}

Test(disk_raw, size_rounds_down_to_sectors)
{
	char path[64], err[256];
	make_image(path, 100);
	struct block_dev *d = disk_raw_open(path, false, false, err, sizeof(err));
	cr_assert(d, "%s", err);
	cr_expect_eq(d->size, IMG_SIZE);
	block_close(d);
	unlink(path);
}

Test(disk_raw, snapshot_leaves_file_identical)
{
	char path[64], err[256];
	make_image(path, 0);
	uint8_t before[IMG_SIZE], after[IMG_SIZE];
	read_file(path, before, sizeof(before));

	struct block_dev *d = disk_raw_open(path, false, true, err, sizeof(err));
	cr_assert(d, "%s", err);
	uint8_t buf[1536];
	memset(buf, 0x5a, sizeof(buf));
	/* Unaligned, crossing sectors: needs the overlay's read-modify-write. */
	cr_assert_eq(block_write(d, 700, buf, sizeof(buf)), 0);
	cr_assert_eq(block_write(d, 0, buf, 10), 0);
	/* Many sectors: the overlay table grows. */
	for (unsigned s = 0; s < 64; s++)
		cr_assert_eq(block_write(d, s * 512 + 300, buf, 4), 0);
	cr_assert_eq(block_flush(d), 0);

	uint8_t back[IMG_SIZE];
	cr_assert_eq(block_read(d, 0, back, sizeof(back)), 0);
	for (size_t i = 0; i < IMG_SIZE; i++) {
		uint8_t want = before[i];
		if ((i >= 700 && i < 700 + sizeof(buf)) || i < 10 ||
		    (i % 512 >= 300 && i % 512 < 304))
			want = 0x5a;
		cr_assert_eq(back[i], want, "byte %zu", i);
	}
	block_close(d);

	read_file(path, after, sizeof(after));
	cr_assert_arr_eq(before, after, sizeof(before));
	unlink(path);
}

Test(disk_raw, readonly_rejects_writes)
{
	char path[64], err[256];
	make_image(path, 0);
	struct block_dev *d = disk_raw_open(path, true, false, err, sizeof(err));
	cr_assert(d, "%s", err);
	cr_expect(d->readonly);
	uint8_t buf[512] = {0};
	cr_expect_eq(block_write(d, 0, buf, sizeof(buf)), -EROFS);
	cr_expect_eq(block_read(d, 0, buf, sizeof(buf)), 0);
	cr_expect_eq(buf[1], 10);
	cr_expect_eq(block_flush(d), 0);
	block_close(d);
	unlink(path);
}

Test(disk_raw, readonly_opens_a_read_only_file)
{
	char path[64], err[256];
	make_image(path, 0);
	chmod(path, 0444);
	struct block_dev *d = disk_raw_open(path, true, false, err, sizeof(err));
	cr_assert(d, "%s", err);
	block_close(d);
	if (geteuid() != 0) {
		/* Read-write needs write permission (root has it anyway). */
		cr_expect_null(disk_raw_open(path, false, false, err, sizeof(err)));
		cr_expect_str_eq(err, "Permission denied");
	}
	unlink(path);
}

Test(disk_raw, missing_file_gives_the_reason)
{
	char err[256] = "";
	cr_expect_null(disk_raw_open("/nonexistent/rvjit.img", false, false, err, sizeof(err)));
	cr_expect_str_eq(err, "No such file or directory");
}

Test(disk_raw, directory_is_refused)
{
	char err[256] = "";
	cr_expect_null(disk_raw_open("/tmp", true, false, err, sizeof(err)));
	cr_expect_str_eq(err, "Is a directory");
	cr_expect_null(disk_raw_open("/tmp", false, false, err, sizeof(err)));
	cr_expect_str_eq(err, "Is a directory");
}

/* ---- image locks (devices/disk_lock.c), as QEMU 7.2 takes them ---- */

/* Which of QEMU's lock bytes someone holds, seen from a new descriptor:
 * bit i for byte 100 + i (permission i held), bit 4 + i for byte 200 + i
 * (permission i not shared). */
static unsigned lock_bytes_held(const char *path)
{
	const int fd = open(path, O_RDONLY);
	cr_assert(fd >= 0);
	unsigned held = 0;
	for (unsigned i = 0; i < 8; i++) {
		struct flock fl = {.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_len = 1};
		fl.l_start = (i < 4 ? 100 : 196) + i;
		cr_assert(fcntl(fd, F_OFD_GETLK, &fl) == 0);
		if (fl.l_type != F_UNLCK)
			held |= 1u << i;
	}
	close(fd);
	return held;
}

/* Permission bits (QEMU's BLK_PERM_*) in lock_bytes_held's layout. */
#define READ_	  1u
#define WRITE_	  2u
#define RESIZE_	  8u
#define HOLDS(p)  (p)
#define DENIES(p) ((p) << 4)

struct lock_case {
	bool qcow2; /* or raw (no pointers: Criterion copies the case into another process) */
	bool readonly, snapshot;
	unsigned bytes; /* what QEMU 7.2 holds on the image, read off with lock_bytes_held */
};

/* Measured with qemu-system-riscv64 7.2 -drive file=F,format=...,if=none
 * -device virtio-blk-device (snapshot=on: the file lies under QEMU's
 * temporary overlay). */
static struct lock_case lock_cases[] = {
    {false, false, false, HOLDS(READ_ | WRITE_) | DENIES(WRITE_)},
    {false, true, false, HOLDS(READ_) | DENIES(WRITE_)},
    {false, false, true, HOLDS(READ_) | DENIES(WRITE_ | RESIZE_)},
    {true, false, false, HOLDS(READ_ | WRITE_ | RESIZE_) | DENIES(WRITE_ | RESIZE_)},
    {true, true, false, HOLDS(READ_) | DENIES(WRITE_ | RESIZE_)},
    {true, false, true, HOLDS(READ_) | DENIES(WRITE_ | RESIZE_)},
};

/* A temporary image in the format asked for (qcow2 through qemu-img). */
static void make_image_as(char *path, const char *format)
{
	make_image(path, 0);
	if (strcmp(format, "qcow2"))
		return;
	if (system("qemu-img --version >/dev/null 2>&1")) {
		unlink(path);
		if (getenv("CI"))
			cr_assert_fail(
			    "qemu-img is required in CI (.ci/setup installs qemu-utils)");
		cr_skip_test("qemu-img not installed (apt install qemu-utils)");
	}
	char cmd[160];
	snprintf(cmd, sizeof(cmd), "qemu-img create -q -f qcow2 %s 1M", path);
	cr_assert_eq(system(cmd), 0);
}

ParameterizedTestParameters(disk_lock, bytes_are_qemus)
{
	return cr_make_param_array(struct lock_case, lock_cases,
				   sizeof(lock_cases) / sizeof(lock_cases[0]));
}

ParameterizedTest(struct lock_case *c, disk_lock, bytes_are_qemus)
{
	char path[64], err[256];
	const char *format = c->qcow2 ? "qcow2" : "raw";
	make_image_as(path, format);
	struct block_dev *d =
	    disk_open(path, format, c->readonly, c->snapshot, true, err, sizeof(err));
	cr_assert(d, "%s", err);
	cr_expect_eq(lock_bytes_held(path), c->bytes, "%s ro=%d snap=%d: bytes %#x, QEMU's %#x",
		     format, c->readonly, c->snapshot, lock_bytes_held(path), c->bytes);
	block_close(d);
	cr_expect_eq(lock_bytes_held(path), 0, "close leaves locks");
	unlink(path);
}

TestSuite(disk_lock, .timeout = 60);

/* Open path as raw; NULL with the reason in err when refused. */
static struct block_dev *open_raw(const char *path, bool ro, bool snap, bool locking, char *err)
{
	return disk_open(path, "raw", ro, snap, locking, err, 256);
}

Test(disk_lock, a_writer_excludes_writers_and_readers)
{
	char path[64], err[256] = "";
	make_image(path, 0);
	struct block_dev *w = open_raw(path, false, false, true, err);
	cr_assert(w, "%s", err);
	cr_expect_null(open_raw(path, false, false, true, err));
	cr_expect_str_eq(err, "Failed to get \"write\" lock. Is another process using the image?");
	cr_expect_null(open_raw(path, true, false, true, err));
	cr_expect_str_eq(
	    err, "Failed to get shared \"write\" lock. Is another process using the image?");
	cr_expect_null(open_raw(path, false, true, true, err));
	block_close(w);
	/* Closing the writer frees the image. */
	w = open_raw(path, false, false, true, err);
	cr_expect(w, "%s", err);
	block_close(w);
	unlink(path);
}

Test(disk_lock, readers_share_and_exclude_writers)
{
	char path[64], err[256] = "";
	make_image(path, 0);
	struct block_dev *r = open_raw(path, true, false, true, err);
	cr_assert(r, "%s", err);
	struct block_dev *s = open_raw(path, false, true, true, err);
	cr_expect(s, "%s", err);
	struct block_dev *r2 = open_raw(path, true, false, true, err);
	cr_expect(r2, "%s", err);
	/* As in QEMU, a read-only user does not share writing. */
	cr_expect_null(open_raw(path, false, false, true, err));
	cr_expect_str_eq(err, "Failed to get \"write\" lock. Is another process using the image?");
	block_close(r);
	block_close(s);
	block_close(r2);
	unlink(path);
}

Test(disk_lock, file_locking_off_neither_takes_nor_tests)
{
	char path[64], err[256] = "";
	make_image(path, 0);
	struct block_dev *a = open_raw(path, false, false, false, err);
	cr_assert(a, "%s", err);
	cr_expect_eq(lock_bytes_held(path), 0);
	struct block_dev *b = open_raw(path, false, false, true, err);
	cr_expect(b, "%s", err);
	struct block_dev *c = open_raw(path, false, false, false, err);
	cr_expect(c, "%s", err);
	block_close(a);
	block_close(b);
	block_close(c);
	unlink(path);
}

Test(disk_lock, a_qcow2_writer_excludes_readers)
{
	char path[64], err[256] = "";
	make_image_as(path, "qcow2");
	struct block_dev *w = disk_open(path, "qcow2", false, false, true, err, sizeof(err));
	cr_assert(w, "%s", err);
	cr_expect_null(disk_open(path, "qcow2", true, false, true, err, sizeof(err)));
	cr_expect_str_eq(
	    err, "Failed to get shared \"write\" lock. Is another process using the image?");
	/* The probe does not lock; the qcow2 open it leads to does. */
	cr_expect_null(disk_open(path, NULL, false, true, true, err, sizeof(err)));
	block_close(w);
	unlink(path);
}
