/*
 * Internal snapshots of qcow2 images (devices/qcow2_snapshot.c), checked
 * against QEMU's own tools: after every create, revert and delete,
 * `qemu-img check` finds no errors and no leaks, `qemu-img snapshot -l`
 * lists what we made (names, VM state sizes), the disk reads as it did when
 * the snapshot was taken, and snapshots made by qemu-img work here and ours
 * there. Needs qemu-utils (skipped without it, failed in CI).
 */
#define _GNU_SOURCE
#include "devices/block.h"
#include "devices/disk_snapshot.h"
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "qemu_img_harness.h"

static struct block_dev *open_rw(const char *img)
{
	char err[256] = "";
	struct block_dev *d = disk_open(img, "qcow2", false, false, true, err, sizeof(err));
	cr_assert(d, "open %s: %s", img, err);
	return d;
}

/* Fill [off, off+len) with byte v through the block interface. */
static void fill(struct block_dev *d, uint64_t off, size_t len, uint8_t v)
{
	uint8_t *buf = malloc(len);
	memset(buf, v, len);
	cr_assert_eq(block_write(d, off, buf, len), 0);
	free(buf);
}

/* [off, off+len) reads as byte v. */
static void expect_filled(struct block_dev *d, uint64_t off, size_t len, uint8_t v)
{
	uint8_t *buf = malloc(len);
	cr_assert_eq(block_read(d, off, buf, len), 0);
	for (size_t i = 0; i < len; i++)
		if (buf[i] != v)
			cr_assert_fail("byte %#llx is %#x, expected %#x",
				       (unsigned long long)(off + i), buf[i], v);
	free(buf);
}

static struct disk_snapshot named(const char *name, uint64_t vm_state_size)
{
	struct disk_snapshot sn = {.date_sec = 1700000000,
				   .vm_clock_ns = 1500000000,
				   .vm_state_size = vm_state_size,
				   .icount = UINT64_MAX};
	snprintf(sn.name, sizeof(sn.name), "%s", name);
	return sn;
}

/* Close, and let qemu-img judge the file. */
static void close_and_check(struct block_dev *d)
{
	block_close(d);
	expect_clean(path_of("img.qcow2"));
}

TestSuite(qcow2_snapshot, .init = setup, .fini = teardown, .timeout = 120);

static void round_trip(const char *create_opts)
{
	need_qemu_img();
	SH("qemu-img create -q -f qcow2 %s img.qcow2 4M", create_opts);
	struct block_dev *d = open_rw(path_of("img.qcow2"));
	cr_assert(disk_can_snapshot(d));
	fill(d, 0, 256 << 10, 0xaa);
	fill(d, 3 << 20, 100 << 10, 0xbb);
	/* A VM state bigger than a cluster, with a pattern. */
	uint8_t *vm = malloc(200000), *back = malloc(200000);
	for (size_t i = 0; i < 200000; i++)
		vm[i] = (uint8_t)(i * 13 + 5);
	cr_assert_eq(disk_vmstate_write(d, 0, vm, 200000), 0);
	struct disk_snapshot sn = named("first", 200000);
	cr_assert_eq(disk_snapshot_create(d, &sn), 0);
	cr_expect_str_eq(sn.id, "1");
	close_and_check(d);
	char out[2048];
	run(out, sizeof(out), "qemu-img snapshot -l img.qcow2");
	cr_expect(strstr(out, "first"), "%s", out);
	cr_expect(strstr(out, "195 KiB"), "VM SIZE of 200000 bytes:\n%s", out);

	/* Writes after the snapshot copy the clusters it shares. */
	d = open_rw(path_of("img.qcow2"));
	fill(d, 64 << 10, 64 << 10, 0x11);
	fill(d, 2 << 20, 4096, 0x22);
	struct disk_snapshot sn2 = named("second", 0);
	cr_assert_eq(disk_snapshot_create(d, &sn2), 0);
	cr_expect_str_eq(sn2.id, "2");
	fill(d, 0, 4096, 0x33);
	close_and_check(d);
	SH("qemu-img convert -O raw -l snapshot.name=first img.qcow2 first.raw");
	SH("qemu-img convert -O raw img.qcow2 now.raw");
	SH("! cmp -s first.raw now.raw");

	/* Revert: the disk reads as it did, the VM state is the snapshot's. */
	d = open_rw(path_of("img.qcow2"));
	cr_assert_eq(disk_snapshot_vmstate_read(d, "first", 0, back, 200000), 0);
	cr_expect_eq(memcmp(vm, back, 200000), 0);
	cr_assert_eq(disk_snapshot_goto(d, "first"), 0);
	expect_filled(d, 0, 256 << 10, 0xaa);
	expect_filled(d, 2 << 20, 4096, 0);
	expect_filled(d, 3 << 20, 100 << 10, 0xbb);
	close_and_check(d);
	SH("qemu-img convert -O raw img.qcow2 now.raw && cmp first.raw now.raw");

	/* Writes after a revert leave the snapshot alone. */
	d = open_rw(path_of("img.qcow2"));
	fill(d, 0, 8192, 0x44);
	close_and_check(d);
	SH("qemu-img convert -O raw -l snapshot.name=first img.qcow2 again.raw && cmp first.raw "
	   "again.raw");

	/* Delete by ID, then by name: nothing is left, nothing leaks. */
	d = open_rw(path_of("img.qcow2"));
	cr_assert_eq(disk_snapshot_delete(d, "1"), 0);
	struct disk_snapshot found;
	cr_expect_eq(disk_snapshot_find(d, "first", &found), -ENOENT);
	cr_assert_eq(disk_snapshot_find(d, "second", &found), 0);
	cr_expect_str_eq(found.id, "2");
	close_and_check(d);
	d = open_rw(path_of("img.qcow2"));
	cr_assert_eq(disk_snapshot_delete(d, "second"), 0);
	expect_filled(d, 0, 8192, 0x44);
	close_and_check(d);
	run(out, sizeof(out), "qemu-img snapshot -l img.qcow2");
	cr_expect(!strstr(out, "second"), "%s", out);
	free(vm);
	free(back);
}

Test(qcow2_snapshot, create_revert_delete)
{
	round_trip("");
}

Test(qcow2_snapshot, small_clusters_many_tables)
{
	round_trip("-o cluster_size=512");
}

Test(qcow2_snapshot, refcount_widths)
{
	round_trip("-o refcount_bits=2");
	teardown();
	setup();
	round_trip("-o refcount_bits=64");
}

Test(qcow2_snapshot, version_2_image)
{
	round_trip("-o compat=0.10");
}

Test(qcow2_snapshot, qemu_img_snapshots_work_both_ways)
{
	need_qemu_img();
	SH("qemu-img create -q -f qcow2 img.qcow2 2M");
	SH("qemu-io -c 'write -P 0x55 0 1M' img.qcow2 && qemu-img snapshot -c theirs img.qcow2");
	SH("qemu-io -c 'write -P 0x66 0 64k' img.qcow2");
	struct block_dev *d = open_rw(path_of("img.qcow2"));
	struct disk_snapshot sn = named("ours", 0);
	cr_assert_eq(disk_snapshot_create(d, &sn), 0);
	cr_assert_eq(disk_snapshot_goto(d, "theirs"), 0);
	expect_filled(d, 0, 1 << 20, 0x55);
	struct disk_snapshot *list;
	unsigned n;
	cr_assert_eq(disk_snapshot_list(d, &list, &n), 0);
	cr_assert_eq(n, 2);
	cr_expect_str_eq(list[0].name, "theirs");
	cr_expect_str_eq(list[1].name, "ours");
	cr_expect_eq(list[1].date_sec, 1700000000);
	cr_expect_eq(list[1].vm_clock_ns, 1500000000);
	free(list);
	close_and_check(d);
	/* qemu-img reverts to ours and deletes theirs. */
	SH("qemu-img snapshot -a ours img.qcow2 && qemu-img snapshot -d theirs img.qcow2");
	expect_clean(path_of("img.qcow2"));
	SH("qemu-io -c 'read -P 0x66 0 64k' -c 'read -P 0x55 64k 960k' img.qcow2 | grep -c "
	   "'^read' | grep -qx 2");
}

Test(qcow2_snapshot, errors)
{
	need_qemu_img();
	SH("qemu-img create -q -f qcow2 img.qcow2 1M && qemu-img create -q -f raw img.raw 1M");
	struct block_dev *d = open_rw(path_of("img.qcow2"));
	cr_expect_eq(disk_snapshot_goto(d, "nope"), -ENOENT);
	cr_expect_eq(disk_snapshot_delete(d, "nope"), -ENOENT);
	close_and_check(d);
	char err[256];
	d = disk_open(path_of("img.raw"), "raw", false, false, true, err, sizeof(err));
	cr_assert(d);
	cr_expect(!disk_can_snapshot(d));
	struct disk_snapshot sn = named("x", 0);
	cr_expect_eq(disk_snapshot_create(d, &sn), -ENOTSUP);
	block_close(d);
	d = disk_open(path_of("img.qcow2"), "qcow2", true, false, true, err, sizeof(err));
	cr_assert(d);
	cr_expect(!disk_can_snapshot(d));
	cr_expect_eq(disk_snapshot_create(d, &sn), -ENOTSUP);
	block_close(d);
}
