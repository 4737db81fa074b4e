/* The raw disk backend (devices/disk_raw.c) on temporary files. */
#include "devices/block.h"
#include <criterion/criterion.h>
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
