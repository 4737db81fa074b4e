/*
 * qcow2 images (devices/disk_qcow2.c), checked against QEMU's own tools:
 * images are made by qemu-img / qemu-io, written through the block
 * interface, then `qemu-img check` must find no errors and no leaks and
 * `qemu-img compare` must find them equal to a raw file given the same
 * writes. Corrupt images are refused with one clear error and left
 * byte-identical. Needs qemu-utils (skipped without it, failed in CI).
 */
#define _GNU_SOURCE
#include "devices/block.h"
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- helpers ---- */

/* A shell command storing bytes (printf escapes) at a decimal offset. */
#define POKE_FILE(file, off, bytes)                                                                \
	"printf '" bytes "' | dd of=" file " bs=1 seek=" #off " conv=notrunc status=none"
#define POKE(off, bytes) POKE_FILE("img.qcow2", off, bytes)

#include "qemu_img_harness.h"

static void expect_same(const char *img, const char *fmt, const char *ref)
{
	char out[2048];
	const int rc = run(out, sizeof(out), "qemu-img compare -f %s -F raw %s %s", fmt, img, ref);
	cr_expect_eq(rc, 0, "qemu-img compare %s %s exited %d:\n%s", img, ref, rc, out);
}

static uint64_t rng_next(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* A raw reference file of `size` bytes, filled with a pattern or zeros. */
static int ref_create(const char *path, uint64_t size, bool pattern)
{
	const int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
	cr_assert(fd >= 0);
	cr_assert_eq(ftruncate(fd, (off_t)size), 0);
	if (pattern) {
		uint8_t buf[4096];
		for (uint64_t off = 0; off < size; off += sizeof(buf)) {
			for (size_t i = 0; i < sizeof(buf); i++)
				buf[i] = (uint8_t)((off + i) * 13 / 7 + 1);
			cr_assert(pwrite(fd, buf, sizeof(buf), (off_t)off) == (ssize_t)sizeof(buf));
		}
	}
	return fd;
}

/* Read the whole device and the reference and compare them. */
static void expect_reads_like(struct block_dev *d, int ref_fd)
{
	static uint8_t a[1 << 16], b[1 << 16];
	for (uint64_t off = 0; off < d->size; off += sizeof(a)) {
		const size_t n = d->size - off < sizeof(a) ? (size_t)(d->size - off) : sizeof(a);
		cr_assert_eq(block_read(d, off, a, n), 0, "read at %llu", (unsigned long long)off);
		cr_assert(pread(ref_fd, b, n, (off_t)off) == (ssize_t)n);
		cr_assert_arr_eq(a, b, n, "contents differ in [%llu, +%zu)",
				 (unsigned long long)off, n);
	}
}

/*
 * `count` writes of random sizes (up to three clusters) at random offsets
 * (sector multiples, or any byte when unaligned), each also applied to
 * the reference, with random read-backs along the way.
 */
static void random_writes(struct block_dev *d, int ref_fd, unsigned count, uint64_t max_len,
			  bool unaligned, uint64_t seed)
{
	static uint8_t buf[1 << 18], back[1 << 18], want[1 << 18];
	uint64_t s = seed;
	cr_assert(max_len <= sizeof(buf));
	for (unsigned i = 0; i < count; i++) {
		uint64_t len = 1 + rng_next(&s) % max_len;
		uint64_t off = rng_next(&s) % d->size;
		if (!unaligned) {
			off &= ~511ull;
			len = (len + 511) & ~511ull;
		}
		if (len > d->size - off)
			len = d->size - off;
		for (uint64_t j = 0; j < len; j++)
			buf[j] = (uint8_t)(i * 31 + j * 7 + (j >> 9));
		cr_assert_eq(block_write(d, off, buf, len), 0, "write %u at %llu+%llu", i,
			     (unsigned long long)off, (unsigned long long)len);
		cr_assert(pwrite(ref_fd, buf, len, (off_t)off) == (ssize_t)len);
		/* Read back a range around it. */
		const uint64_t roff = off > 4096 ? off - 4096 : 0;
		uint64_t rlen = len + 8192;
		if (rlen > d->size - roff)
			rlen = d->size - roff;
		if (rlen > sizeof(back))
			rlen = sizeof(back);
		cr_assert_eq(block_read(d, roff, back, rlen), 0);
		cr_assert(pread(ref_fd, want, rlen, (off_t)roff) == (ssize_t)rlen);
		cr_assert_arr_eq(back, want, rlen, "read-back after write %u differs", i);
	}
}

static struct block_dev *open_ok(const char *img, const char *fmt, bool ro, bool snap)
{
	char err[256] = "";
	struct block_dev *d = disk_open(img, fmt, ro, snap, true, err, sizeof(err));
	cr_assert(d, "open %s: %s", img, err);
	return d;
}

/* Write, check, compare, reopen and compare again. */
static void exercise(const char *img, uint64_t size, const char *backing_ref, unsigned count,
		     uint64_t max_len, bool unaligned, uint64_t seed)
{
	const char *ref = path_of("ref.raw");
	int fd;
	if (backing_ref) {
		SH("cp %s %s && truncate -s %llu %s", backing_ref, ref, (unsigned long long)size,
		   ref);
		fd = open(ref, O_RDWR);
		cr_assert(fd >= 0);
	} else {
		fd = ref_create(ref, size, false);
	}
	struct block_dev *d = open_ok(img, "qcow2", false, false);
	cr_assert_eq(d->size, size);
	expect_reads_like(d, fd);
	random_writes(d, fd, count, max_len, unaligned, seed);
	cr_assert_eq(block_flush(d), 0);
	block_close(d);
	expect_clean(img);
	expect_same(img, "qcow2", ref);
	d = open_ok(img, NULL, true, false);
	expect_reads_like(d, fd);
	block_close(d);
	close(fd);
}

TestSuite(qcow2, .init = setup, .fini = teardown, .timeout = 120);

/* ---- writing fresh images ---- */

Test(qcow2, v3_random_writes)
{
	need_qemu_img();
	SH("qemu-img create -f qcow2 img.qcow2 24M");
	exercise(path_of("img.qcow2"), 24 << 20, NULL, 400, 200 << 10, false, 1);
}

Test(qcow2, v2_random_writes)
{
	need_qemu_img();
	SH("qemu-img create -f qcow2 -o compat=0.10 img.qcow2 24M");
	char out[256];
	run(out, sizeof(out), "qemu-img info img.qcow2 | grep compat");
	cr_assert(strstr(out, "0.10"), "%s", out);
	exercise(path_of("img.qcow2"), 24 << 20, NULL, 400, 200 << 10, false, 2);
}

Test(qcow2, unaligned_byte_writes)
{
	need_qemu_img();
	SH("qemu-img create -f qcow2 -o cluster_size=4096 img.qcow2 4M");
	exercise(path_of("img.qcow2"), 4 << 20, NULL, 300, 20000, true, 3);
}

/* 512-byte clusters with 16-bit refcounts: a refcount block covers 128 KiB
 * and the one-cluster refcount table 8 MiB, so filling 24 MiB needs new
 * refcount blocks (some describing themselves) and a bigger table. */
Test(qcow2, small_clusters_grow_the_refcount_table)
{
	need_qemu_img();
	SH("qemu-img create -f qcow2 -o cluster_size=512 img.qcow2 24M");
	const char *img = path_of("img.qcow2");
	const char *ref = path_of("ref.raw");
	const int fd = ref_create(ref, 24 << 20, false);
	struct block_dev *d = open_ok(img, "qcow2", false, false);
	static uint8_t buf[1 << 16];
	for (uint64_t off = 0; off < d->size; off += sizeof(buf)) {
		for (size_t i = 0; i < sizeof(buf); i++)
			buf[i] = (uint8_t)(off / 512 + i);
		cr_assert_eq(block_write(d, off, buf, sizeof(buf)), 0);
		cr_assert(pwrite(fd, buf, sizeof(buf), (off_t)off) == (ssize_t)sizeof(buf));
	}
	random_writes(d, fd, 100, 8192, false, 4);
	block_close(d);
	char out[64];
	run(out, sizeof(out), "od -An -tu4 --endian=big -j56 -N4 img.qcow2 | tr -d ' \\n'");
	cr_expect_gt(atoi(out), 1, "refcount_table_clusters is %s: the table did not grow", out);
	expect_clean(img);
	expect_same(img, "qcow2", ref);
	close(fd);
}

/* refcount_order 0 (1-bit, packed from the low bit) and 6 (64-bit). */
Test(qcow2, refcount_widths)
{
	need_qemu_img();
	const unsigned widths[] = {1, 2, 8, 64};
	for (unsigned w = 0; w < 4; w++) {
		SH("rm -f img.qcow2 && qemu-img create -f qcow2 -o "
		   "cluster_size=1024,refcount_bits=%u "
		   "img.qcow2 6M",
		   widths[w]);
		exercise(path_of("img.qcow2"), 6 << 20, NULL, 200, 40000, false, 10 + w);
	}
}

/* ---- backing files ---- */

Test(qcow2, over_raw_backing)
{
	need_qemu_img();
	const char *base = path_of("base.raw");
	close(ref_create(base, 8 << 20, true));
	/* The overlay is bigger than its backing file: the rest reads zeros. */
	SH("qemu-img create -f qcow2 -b base.raw -F raw img.qcow2 10M");
	exercise(path_of("img.qcow2"), 10 << 20, base, 300, 150 << 10, false, 5);
	char out[256];
	run(out, sizeof(out), "cmp base.raw ref.raw >/dev/null || echo changed; md5sum base.raw");
	cr_expect(strstr(out, "changed"), "the test should change data: %s", out);
}

Test(qcow2, v2_over_qcow2_over_raw)
{
	need_qemu_img();
	const char *base = path_of("base.raw");
	close(ref_create(base, 4 << 20, true));
	SH("md5sum base.raw > base.md5");
	SH("qemu-img create -f qcow2 -b base.raw -F raw mid.qcow2 4M");
	SH("qemu-io -c 'write -P 0x5a 100k 300k' -c 'write -z 1M 128k' mid.qcow2");
	SH("qemu-img convert -O raw mid.qcow2 mid.raw && md5sum mid.raw > mid.md5");
	/* The top's backing format extension (at 72 in v2) is renamed to an
	 * unknown one, which must be skipped, so the format must be probed. */
	SH("qemu-img create -f qcow2 -o compat=0.10 -b mid.qcow2 -F qcow2 top.qcow2 4M");
	char ext[64];
	run(ext, sizeof(ext), "od -An -tx1 -j72 -N4 top.qcow2 | tr -d ' \\n'");
	cr_assert_str_eq(ext, "e2792aca");
	SH(POKE_FILE("top.qcow2", 75, "\\313"));
	exercise(path_of("top.qcow2"), 4 << 20, path_of("mid.raw"), 200, 100 << 10, false, 6);
	/* Backing files are never written. */
	SH("md5sum -c base.md5 && qemu-img convert -O raw mid.qcow2 mid2.raw && cmp mid.raw "
	   "mid2.raw");
}

Test(qcow2, missing_backing_file_is_named)
{
	need_qemu_img();
	close(ref_create(path_of("base.raw"), 1 << 20, true));
	SH("qemu-img create -f qcow2 -b base.raw -F raw img.qcow2 && rm base.raw");
	char err[256] = "";
	cr_assert_null(
	    disk_open(path_of("img.qcow2"), "qcow2", false, false, true, err, sizeof(err)));
	cr_expect(strstr(err, "base.raw") && strstr(err, "No such file"), "%s", err);
}

Test(qcow2, backing_loop_is_refused)
{
	need_qemu_img();
	SH("qemu-img create -f qcow2 a.qcow2 1M && qemu-img create -f qcow2 -b a.qcow2 -F qcow2 "
	   "b.qcow2 && qemu-img rebase -u -b b.qcow2 -F qcow2 a.qcow2");
	char err[512] = "";
	/* Read-write, b's own lock refuses its reopening as a backing file,
	 * as in QEMU; read-only, nothing conflicts and the depth limit ends it. */
	cr_assert_null(
	    disk_open(path_of("b.qcow2"), "qcow2", false, false, true, err, sizeof(err)));
	cr_expect(strstr(err, "b.qcow2: Failed to get shared \"write\" lock"), "%s", err);
	cr_assert_null(disk_open(path_of("b.qcow2"), "qcow2", true, false, true, err, sizeof(err)));
	cr_expect(strstr(err, "backing chain longer"), "%s", err);
}

/* ---- zero clusters, snapshots, compression ---- */

Test(qcow2, zero_clusters)
{
	need_qemu_img();
	close(ref_create(path_of("base.raw"), 2 << 20, true));
	SH("qemu-img create -f qcow2 -b base.raw -F raw img.qcow2 2M");
	/* Zero clusters over backing data: unallocated (256k..) and, after
	 * data was written there, preallocated (0..). */
	SH("qemu-io -c 'write -P 0x11 0 128k' -c 'write -z 0 64k' -c 'write -z 256k 192k' "
	   "img.qcow2");
	SH("qemu-img map --output=json img.qcow2 | grep -q '\"start\": 262144, \"length\": 196608, "
	   "\"depth\": 0, \"present\": true, \"zero\": true'");
	SH("qemu-img convert -O raw img.qcow2 ref0.raw");
	struct block_dev *d = open_ok(path_of("img.qcow2"), "qcow2", false, false);
	uint8_t buf[4096];
	cr_assert_eq(block_read(d, 300 << 10, buf, sizeof(buf)), 0);
	for (size_t i = 0; i < sizeof(buf); i++)
		cr_assert_eq(buf[i], 0);
	block_close(d);
	exercise(path_of("img.qcow2"), 2 << 20, path_of("ref0.raw"), 200, 100 << 10, false, 7);
}

Test(qcow2, internal_snapshot_is_copied_not_overwritten)
{
	need_qemu_img();
	SH("qemu-img create -f qcow2 img.qcow2 8M");
	SH("qemu-io -c 'write -P 0x33 0 3M' -c 'write -P 0x44 5M 1M' img.qcow2");
	SH("qemu-img convert -O raw img.qcow2 snap.raw && qemu-img snapshot -c s1 img.qcow2");
	exercise(path_of("img.qcow2"), 8 << 20, path_of("snap.raw"), 300, 200 << 10, false, 8);
	/* The snapshot still holds what it held. */
	SH("qemu-img convert -O raw -l snapshot.name=s1 img.qcow2 s1.raw && cmp s1.raw snap.raw");
	SH("qemu-img snapshot -a s1 img.qcow2");
	expect_clean(path_of("img.qcow2"));
	expect_same(path_of("img.qcow2"), "qcow2", path_of("snap.raw"));
}

Test(qcow2, compressed_clusters)
{
	need_qemu_img();
	close(ref_create(path_of("src.raw"), 4 << 20, true));
	SH("qemu-img convert -c -O qcow2 src.raw img.qcow2");
	SH("qemu-img check img.qcow2 | grep -q '100.00%% compressed'");
	exercise(path_of("img.qcow2"), 4 << 20, path_of("src.raw"), 200, 100 << 10, false, 9);
}

/* ---- modes and probing ---- */

Test(qcow2, readonly_and_snapshot_leave_the_file_alone)
{
	need_qemu_img();
	SH("qemu-img create -f qcow2 img.qcow2 1M && qemu-io -c 'write -P 0x77 0 64k' img.qcow2");
	SH("md5sum img.qcow2 > img.md5");
	uint8_t buf[1024];
	memset(buf, 0xee, sizeof(buf));
	struct block_dev *d = open_ok(path_of("img.qcow2"), "qcow2", true, false);
	cr_expect(d->readonly);
	cr_expect_eq(block_write(d, 0, buf, sizeof(buf)), -EROFS);
	block_close(d);

	d = open_ok(path_of("img.qcow2"), "qcow2", false, true);
	cr_expect(!d->readonly);
	cr_assert_eq(block_write(d, 512 * 3, buf, sizeof(buf)), 0);
	cr_assert_eq(block_write(d, 100, buf, 10), 0);
	uint8_t back[4096];
	cr_assert_eq(block_read(d, 0, back, sizeof(back)), 0);
	for (size_t i = 0; i < sizeof(back); i++) {
		const bool ours = (i >= 1536 && i < 2560) || (i >= 100 && i < 110);
		cr_assert_eq(back[i], ours ? 0xee : 0x77, "byte %zu", i);
	}
	cr_assert_eq(block_flush(d), 0);
	block_close(d);
	SH("md5sum -c img.md5");
}

Test(qcow2, format_is_probed)
{
	need_qemu_img();
	SH("qemu-img create -f qcow2 img.qcow2 1M && qemu-io -c 'write -P 0x42 0 512' img.qcow2");
	close(ref_create(path_of("plain.img"), 1 << 20, true));
	struct block_dev *d = open_ok(path_of("img.qcow2"), NULL, true, false);
	uint8_t b[512];
	cr_assert_eq(block_read(d, 0, b, sizeof(b)), 0);
	cr_expect_eq(b[0], 0x42);
	cr_expect_eq(d->size, 1 << 20);
	block_close(d);
	d = open_ok(path_of("plain.img"), "auto", true, false);
	cr_expect_eq(d->size, 1 << 20);
	block_close(d);
	/* format=raw on a qcow2 file shows the file as it is. */
	d = open_ok(path_of("img.qcow2"), "raw", true, false);
	cr_assert_eq(block_read(d, 0, b, sizeof(b)), 0);
	cr_expect(!memcmp(b, "QFI\xfb", 4));
	block_close(d);
	char err[256];
	cr_expect_null(
	    disk_open(path_of("plain.img"), "qcow2", true, false, true, err, sizeof(err)));
	cr_expect(strstr(err, "not a qcow2 image"), "%s", err);
	cr_expect_null(
	    disk_open(path_of("plain.img"), "vmdk", true, false, true, err, sizeof(err)));
	cr_expect(strstr(err, "unsupported format 'vmdk'"), "%s", err);
}

Test(qcow2, unknown_autoclear_bits_are_cleared_before_writing)
{
	need_qemu_img();
	SH("qemu-img create -f qcow2 img.qcow2 1M");
	/* autoclear_features, byte 95: bit 5 */
	SH("printf '\\040' | dd of=img.qcow2 bs=1 seek=95 conv=notrunc status=none");
	SH("md5sum img.qcow2 > img.md5");
	struct block_dev *d = open_ok(path_of("img.qcow2"), "qcow2", false, false);
	uint8_t b[512] = {1};
	cr_assert_eq(block_read(d, 0, b, sizeof(b)), 0);
	block_close(d);
	SH("md5sum -c img.md5"); /* opening and reading changed nothing */
	d = open_ok(path_of("img.qcow2"), "qcow2", false, false);
	cr_assert_eq(block_write(d, 0, b, sizeof(b)), 0);
	block_close(d);
	char out[64];
	run(out, sizeof(out), "od -An -tx1 -j88 -N8 img.qcow2 | tr -d ' \\n'");
	cr_expect_str_eq(out, "0000000000000000");
	expect_clean(path_of("img.qcow2"));
}

/* ---- corrupt images ---- */

struct mutation {
	const char *name;
	const char *cmd; /* shell, on img.qcow2 (1M, 64k clusters, data at 0) */
	bool readonly;
	const char *error;
};

/* Header offsets: version 4, backing_file_offset 8, cluster_bits 20, size
 * 24, crypt 32, l1_size 36, l1_table_offset 40, refcount_table_offset 48,
 * refcount_table_clusters 56, incompatible 72, header_length 100. The
 * qemu-img create layout puts the refcount table at 0x10000, its block at
 * 0x20000, the L1 table at 0x30000 and (after the write) L2 at 0x40000. */

static const struct mutation mutations[] = {
    {"bad magic", POKE(0, "QFI\\000"), false, "not a qcow2 image"},
    {"version 4", POKE(7, "\\004"), false, "unsupported qcow2 version 4"},
    {"cluster_bits 30", POKE(23, "\\036"), false, "cluster_bits 30 outside 9..21"},
    {"cluster_bits 8", POKE(23, "\\010"), false, "cluster_bits 8 outside 9..21"},
    {"dirty bit", POKE(79, "\\001"), false, "dirty; run qemu-img check -r all"},
    {"corrupt bit", POKE(79, "\\002"), false, "marked corrupt"},
    {"external data file", POKE(79, "\\004"), false, "external data files"},
    {"compression type", POKE(79, "\\010"), false, "compression type"},
    {"extended L2", POKE(79, "\\020"), false, "extended L2"},
    {"unknown incompatible bit", POKE(78, "\\001"), false, "unknown incompatible feature (bit 8"},
    {"encryption", POKE(35, "\\002"), false, "encrypted"},
    {"L1 past EOF", POKE(40, "\\000\\000\\000\\001\\000\\000\\000\\000"), false,
     "L1 table lies outside"},
    {"L1 unaligned", POKE(47, "\\010"), false, "L1 table lies outside"},
    {"L1 absurd", POKE(36, "\\177\\377\\377\\377"), false, "L1 table is absurdly large"},
    {"L1 too small", POKE(24, "\\000\\000\\001"), false, "L1 table is too small"},
    {"refcount table past EOF", POKE(48, "\\000\\000\\000\\001"), false,
     "refcount table lies outside"},
    {"refcount table too big", POKE(56, "\\001"), false, "refcount table size"},
    {"refcount table on L1", POKE(53, "\\003"), false, "overlap"},
    {"refcount order 7", POKE(99, "\\007"), false, "refcount_order 7"},
    {"header_length odd", POKE(103, "\\151"), false, "header_length"},
    {"backing name offset", POKE(8, "\\000\\000\\000\\000\\000\\002"), false,
     "backing file name offset"},
    {"extension overruns", POKE(112, "\\000\\000\\000\\077\\000\\001\\000\\000"), false,
     "extension 0x3f overruns"},
    {"L1 entry past EOF", POKE(196608, "\\200\\000\\000\\001\\000\\000\\000\\000"), false,
     "L1 entry is invalid"},
    {"L1 entry on the L1 table", POKE(196613, "\\003"), false, "L1 entry is invalid"},
    {"refcount entry unaligned", POKE(65543, "\\001"), false, "refcount table entry"},
    /* QEMU reads past the end as zeros and refuses the zero header_length
     * with these words. */
    {"truncated in the header", "truncate -s 100 img.qcow2", false, "header too short"},
};

Test(qcow2, corrupt_images_are_refused_untouched)
{
	need_qemu_img();
	for (size_t i = 0; i < sizeof(mutations) / sizeof(mutations[0]); i++) {
		const struct mutation *m = &mutations[i];
		SH("rm -f img.qcow2 && qemu-img create -f qcow2 img.qcow2 1M && "
		   "qemu-io -c 'write -P 0x61 0 64k' img.qcow2");
		SH("%s", m->cmd);
		SH("md5sum img.qcow2 > img.md5");
		char err[256] = "";
		struct block_dev *d = disk_open(path_of("img.qcow2"), "qcow2", m->readonly, false,
						true, err, sizeof(err));
		cr_expect_null(d, "%s: opened", m->name);
		block_close(d);
		cr_expect(strstr(err, m->error), "%s: error '%s', expected '%s'", m->name, err,
			  m->error);
		SH("md5sum -c img.md5");
	}
}

/* Dirty and corrupt images may still be read (QEMU allows that too). */
Test(qcow2, dirty_image_opens_readonly)
{
	need_qemu_img();
	SH("qemu-img create -f qcow2 img.qcow2 1M && qemu-io -c 'write -P 0x61 0 64k' img.qcow2");
	SH(POKE(79, "\\003"));
	struct block_dev *d = open_ok(path_of("img.qcow2"), "qcow2", true, false);
	uint8_t b[512];
	cr_assert_eq(block_read(d, 0, b, sizeof(b)), 0);
	cr_expect_eq(b[511], 0x61);
	block_close(d);
	d = open_ok(path_of("img.qcow2"), "qcow2", false, true); /* snapshot=on */
	cr_expect_eq(block_write(d, 0, b, sizeof(b)), 0);
	block_close(d);
}

/* Bad L2 entries are found at run time: that request fails with EIO, no
 * write reaches the file, other clusters still read. */
Test(qcow2, corrupt_l2_entries_fail_the_request)
{
	need_qemu_img();
	static const struct {
		const char *poke;
	} cases[] = {
	    {POKE(262152, "\\200\\000\\000\\000\\001\\000\\000\\000")}, /* past EOF */
	    {POKE(262152, "\\200\\000\\000\\000\\000\\003\\000\\000")}, /* on the L1 table */
	    {POKE(262152, "\\200\\000\\000\\000\\000\\005\\002\\000")}, /* unaligned */
	    {POKE(196608, "\\200\\000\\000\\000\\000\\002\\000\\000")}, /* L2 = refcount block */
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		SH("rm -f img.qcow2 && qemu-img create -f qcow2 img.qcow2 1M && "
		   "qemu-io -c 'write -P 0x61 0 64k' -c 'write -P 0x62 64k 64k' img.qcow2");
		SH("%s", cases[i].poke);
		SH("md5sum img.qcow2 > img.md5");
		struct block_dev *d = open_ok(path_of("img.qcow2"), "qcow2", false, false);
		uint8_t b[512];
		memset(b, 0x99, sizeof(b));
		cr_expect_eq(block_write(d, 64 << 10, b, sizeof(b)), -EIO, "case %zu", i);
		cr_expect_eq(block_read(d, 64 << 10, b, sizeof(b)), -EIO, "case %zu", i);
		cr_expect_eq(block_write(d, 512 << 10, b, sizeof(b)), -EIO, "case %zu", i);
		block_close(d);
		SH("md5sum -c img.md5");
	}
}

/* ---- truncated images ---- */

/* A 1 GiB image whose file ends with data: the qemu-io writes put the
 * refcount table at 0x10000, its block at 0x20000, L1 at 0x30000, the L2
 * table of the first GiB half at 0x40000, data at 0x50000 (guest 0) and
 * 0x60000 (64k), the second L2 at 0x70000 and data at 0x80000 (600M); the
 * file ends at 0x90000. */
static void make_truncatable(void)
{
	SH("rm -f img.qcow2 && qemu-img create -q -f qcow2 img.qcow2 1G && "
	   "qemu-io -c 'write -P 0x11 0 64k' -c 'write -P 0x22 64k 64k' "
	   "-c 'write -P 0x33 600M 64k' img.qcow2 && test $(stat -c %%s img.qcow2) = 589824");
}

/* rvjit reads [off, off+len) of img.qcow2 as QEMU does (qemu-img convert's
 * raw copy, as.raw). */
static void expect_reads_as_qemu(struct block_dev *d, uint64_t off, size_t len)
{
	static uint8_t got[128 << 10], want[128 << 10];
	cr_assert(len <= sizeof(got));
	const int fd = open(path_of("as.raw"), O_RDONLY);
	cr_assert(fd >= 0);
	cr_assert(pread(fd, want, len, (off_t)off) == (ssize_t)len);
	close(fd);
	cr_assert_eq(block_read(d, off, got, len), 0, "read at %#llx", (unsigned long long)off);
	cr_expect_arr_eq(got, want, len, "bytes at %#llx differ from QEMU's",
			 (unsigned long long)off);
}

/* Cut inside the data: what is left reads as before, the rest as zeros,
 * as QEMU reads it. */
Test(qcow2, truncated_data_reads_as_qemu_reads_it)
{
	need_qemu_img();
	static const unsigned cuts[] = {0x88000, 0x80000};
	for (size_t i = 0; i < sizeof(cuts) / sizeof(cuts[0]); i++) {
		make_truncatable();
		SH("truncate -s %u img.qcow2 && qemu-img convert -O raw img.qcow2 as.raw", cuts[i]);
		for (int ro = 1; ro >= 0; ro--) {
			struct block_dev *d = open_ok(path_of("img.qcow2"), "qcow2", ro, false);
			expect_reads_as_qemu(d, 0, 128 << 10);
			expect_reads_as_qemu(d, 600 << 20, 64 << 10);
			expect_reads_as_qemu(d, 512 << 20, 64 << 10);
			block_close(d);
		}
	}
}

/* Writes to a truncated image: a new cluster must not land on the cut-off
 * cluster the image still refers to (refcount 1, past the end of the
 * file), and the result checks clean and reads as QEMU would. */
Test(qcow2, truncated_image_takes_writes)
{
	need_qemu_img();
	make_truncatable();
	SH("truncate -s %u img.qcow2 && qemu-img convert -O raw img.qcow2 as.raw", 0x80000);
	struct block_dev *d = open_ok(path_of("img.qcow2"), "qcow2", false, false);
	static uint8_t b[64 << 10];
	memset(b, 0x44, sizeof(b));
	cr_assert_eq(block_write(d, 1 << 20, b, sizeof(b)), 0); /* a new cluster */
	memset(b, 0x55, 4096);
	cr_assert_eq(block_write(d, (600 << 20) + 8192, b, 4096), 0); /* the cut-off one */
	block_close(d);
	SH("qemu-io -f raw -c 'write -P 0x44 1M 64k' -c 'write -P 0x55 629153792 4k' as.raw");
	expect_clean(path_of("img.qcow2"));
	expect_same(path_of("img.qcow2"), "qcow2", path_of("as.raw"));
}

/* Cut inside the metadata (an L2 table, the L1 table, the refcount
 * tables): refused, naming what is missing. QEMU reads those
 * as zeros too, which would turn written data into holes. */
Test(qcow2, truncated_metadata_is_refused)
{
	need_qemu_img();
	static const struct {
		unsigned size;
		const char *error;
	} cuts[] = {
	    {0x70000, "an L1 entry is invalid or points outside the file"},
	    {0x7c000, "an L1 entry is invalid or points outside the file"},
	    {0x30004, "the L1 table lies outside the file"},
	    /* The L1 table follows the refcount block and table, and is
	     * checked first. */
	    {0x28000, "the L1 table lies outside the file"},
	    {0x10004, "the L1 table lies outside the file"},
	};
	for (size_t i = 0; i < sizeof(cuts) / sizeof(cuts[0]); i++) {
		make_truncatable();
		SH("truncate -s %u img.qcow2", cuts[i].size);
		char err[256] = "";
		cr_expect_null(
		    disk_open(path_of("img.qcow2"), "qcow2", true, false, true, err, sizeof(err)));
		cr_expect(strstr(err, cuts[i].error), "cut at %#x: '%s'", cuts[i].size, err);
	}
}
