/*
 * virtio-rng (devices/virtio_rng.c) with backends whose bytes the test
 * controls: an rng-random on a pipe the test writes (a slow source) and on
 * a regular file (which ends). The driver side is played by the test, as
 * in test_virtio_blk.c (modern layout). What is asserted:
 *   - a request the backend cannot serve yet waits in the ring: it is not
 *     completed with 0 bytes (5.4.6.1), no interrupt; once bytes arrive,
 *     the device's poller serves it with exactly those bytes;
 *   - bytes land in guest RAM in the backend's order, across a chain of
 *     writable buffers, used length = bytes written;
 *   - a huge buffer is filled 1 MiB per round, not all at once;
 *   - a reset forgets a waiting request; savevm/loadvm carry the quota, and
 *     a load looks at the ring again.
 */
#include "core/machine.h"
#include "core/vmstate.h"
#include "devices/rng_backend.h"
#include "devices/virtio_mmio.h"
#include "devices/virtio_rng.h"

#include <criterion/criterion.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define RAM_BASE 0x80000000ULL
#define RAM_SIZE (8ULL << 20)
#define VIRTIO0	 0x10001000ULL
#define NUM	 8
#define Q_DESC	 (RAM_BASE + 0x10000)
#define Q_AVAIL	 (RAM_BASE + 0x11000)
#define Q_USED	 (RAM_BASE + 0x12000)
#define BUF	 (RAM_BASE + 0x20000)
#define BIG	 (RAM_BASE + 0x200000) /* 4 MiB of room */

struct rig {
	struct machine *m;
	struct virtio_mmio *vm;
	struct rng_backend *backend;
	int pipe_w; /* the test's end of the backend's pipe, -1 for none */
	char path[64];
	bool irq_level;
	uint16_t avail_idx;
};

static void irq_cb(void *opaque, unsigned irq, bool level)
{
	struct rig *r = opaque;
	(void)irq;
	r->irq_level = level;
}

static uint8_t *g(struct rig *r, uint64_t pa)
{
	return r->m->ram + (pa - RAM_BASE);
}

static uint32_t rd(struct rig *r, uint64_t off)
{
	uint64_t v = 0;
	cr_assert(bus_read(&r->m->bus, VIRTIO0 + off, 4, &v));
	return (uint32_t)v;
}

static void wr(struct rig *r, uint64_t off, uint32_t v)
{
	cr_assert(bus_write(&r->m->bus, VIRTIO0 + off, 4, v));
}

static void set_desc(struct rig *r, unsigned i, uint64_t addr, uint32_t len, uint16_t flags,
		     uint16_t next)
{
	uint8_t *d = g(r, Q_DESC + 16 * i);
	virtio_put_le64(d, addr);
	virtio_put_le32(d + 8, len);
	virtio_put_le16(d + 12, flags);
	virtio_put_le16(d + 14, next);
}

static void submit(struct rig *r, uint16_t head)
{
	virtio_put_le16(g(r, Q_AVAIL + 4 + 2 * (r->avail_idx % NUM)), head);
	r->avail_idx++;
	virtio_put_le16(g(r, Q_AVAIL + 2), r->avail_idx);
	wr(r, VIRTIO_MMIO_QUEUE_NOTIFY, 0);
}

static uint16_t used_idx(struct rig *r)
{
	return virtio_le16(g(r, Q_USED + 2));
}

static uint32_t used_len(struct rig *r, uint16_t i)
{
	return virtio_le32(g(r, Q_USED + 4 + 8 * (i % NUM) + 4));
}

static void driver_init(struct rig *r)
{
	cr_assert_eq(rd(r, VIRTIO_MMIO_DEVICE_ID), VIRTIO_ID_RNG);
	wr(r, VIRTIO_MMIO_STATUS, 0);
	wr(r, VIRTIO_MMIO_STATUS, 3);
	wr(r, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
	wr(r, VIRTIO_MMIO_DRIVER_FEATURES, 1); /* VERSION_1 */
	wr(r, VIRTIO_MMIO_STATUS, 3 | VIRTIO_CONFIG_S_FEATURES_OK);
	wr(r, VIRTIO_MMIO_QUEUE_SEL, 0);
	cr_assert_eq(rd(r, VIRTIO_MMIO_QUEUE_NUM_MAX), 8, "QEMU's queue size");
	memset(g(r, Q_DESC), 0, 0x3000);
	wr(r, VIRTIO_MMIO_QUEUE_NUM, NUM);
	wr(r, VIRTIO_MMIO_QUEUE_DESC_LOW, (uint32_t)Q_DESC);
	wr(r, VIRTIO_MMIO_QUEUE_DESC_HIGH, (uint32_t)(Q_DESC >> 32));
	wr(r, VIRTIO_MMIO_QUEUE_DRIVER_LOW, (uint32_t)Q_AVAIL);
	wr(r, VIRTIO_MMIO_QUEUE_DRIVER_HIGH, (uint32_t)(Q_AVAIL >> 32));
	wr(r, VIRTIO_MMIO_QUEUE_DEVICE_LOW, (uint32_t)Q_USED);
	wr(r, VIRTIO_MMIO_QUEUE_DEVICE_HIGH, (uint32_t)(Q_USED >> 32));
	wr(r, VIRTIO_MMIO_QUEUE_READY, 1);
	wr(r, VIRTIO_MMIO_STATUS, 3 | VIRTIO_CONFIG_S_FEATURES_OK | VIRTIO_CONFIG_S_DRIVER_OK);
	r->avail_idx = 0;
}

/* A device on a pipe (file NULL) or on `file`. */
static struct rig *rig_new(const char *file, uint64_t max_bytes)
{
	struct rig *r = calloc(1, sizeof(*r));
	cr_assert(r);
	r->m = machine_new(RAM_BASE, RAM_SIZE, 1, RAM_BASE);
	cr_assert(r->m);
	r->pipe_w = -1;
	char err[256];
	if (!file) {
		int fds[2];
		cr_assert_eq(pipe(fds), 0);
		snprintf(r->path, sizeof(r->path), "/proc/self/fd/%d", fds[0]);
		r->backend = rng_backend_open(r->path, err, sizeof(err));
		close(fds[0]);
		r->pipe_w = fds[1];
	} else {
		r->backend = rng_backend_open(file, err, sizeof(err));
	}
	cr_assert(r->backend, "%s", err);
	const struct irq_line irq = {.set = irq_cb, .opaque = r, .irq = 1};
	r->vm = virtio_rng_new(r->m, VIRTIO0, irq, r->backend, false, max_bytes,
			       VIRTIO_RNG_PERIOD_MS_DEFAULT);
	cr_assert(r->vm);
	driver_init(r);
	return r;
}

static void rig_free(struct rig *r)
{
	virtio_rng_free(r->vm);
	rng_backend_close(r->backend);
	if (r->pipe_w >= 0)
		close(r->pipe_w);
	machine_free(r->m);
	free(r);
}

/* Run the pollers until the device's retry is due (it waits 10 ms of the
 * virtual clock after a backend had nothing). */
static void poll_after_retry(struct rig *r)
{
	usleep(30000);
	machine_poll_devices(r->m);
}

TestSuite(virtio_rng, .timeout = 60);

Test(virtio_rng, a_request_waits_for_a_slow_backend)
{
	struct rig *r = rig_new(NULL, VIRTIO_RNG_MAX_BYTES_DEFAULT);
	memset(g(r, BUF), 0xee, 64);
	set_desc(r, 0, BUF, 16, VIRTQ_DESC_F_WRITE, 0);
	submit(r, 0);
	/* Nothing in the pipe: no completion (not an empty one), no interrupt. */
	cr_assert_eq(used_idx(r), 0);
	cr_assert(!r->irq_level);
	poll_after_retry(r);
	cr_assert_eq(used_idx(r), 0, "completed with nothing to give");

	/* 10 bytes arrive: the poller serves them, exactly (5.4.6.1 allows
	 * fewer than the buffer holds). */
	const uint8_t bytes[10] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
	cr_assert_eq(write(r->pipe_w, bytes, sizeof(bytes)), (ssize_t)sizeof(bytes));
	poll_after_retry(r);
	cr_assert_eq(used_idx(r), 1);
	cr_assert_eq(used_len(r, 0), 10);
	cr_assert(!memcmp(g(r, BUF), bytes, 10));
	cr_assert_eq(*g(r, BUF + 10), 0xee, "written past what the backend gave");
	cr_assert(r->irq_level, "no used-buffer interrupt from the poller");
	rig_free(r);
}

Test(virtio_rng, bytes_in_order_across_a_chain)
{
	char path[] = "/tmp/rvjit-rng-XXXXXX";
	const int fd = mkstemp(path);
	cr_assert(fd >= 0);
	uint8_t data[300];
	for (unsigned i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)(i * 7 + 3);
	cr_assert_eq(write(fd, data, sizeof(data)), (ssize_t)sizeof(data));
	close(fd);
	struct rig *r = rig_new(path, VIRTIO_RNG_MAX_BYTES_DEFAULT);
	unlink(path);

	set_desc(r, 0, BUF, 100, VIRTQ_DESC_F_WRITE | VIRTQ_DESC_F_NEXT, 1);
	set_desc(r, 1, BUF + 0x1000, 50, VIRTQ_DESC_F_WRITE, 0);
	submit(r, 0);
	cr_assert_eq(used_idx(r), 1);
	cr_assert_eq(used_len(r, 0), 150);
	cr_assert(!memcmp(g(r, BUF), data, 100));
	cr_assert(!memcmp(g(r, BUF + 0x1000), data + 100, 50));

	/* 150 bytes are left in the file: a 200-byte request gets them, the
	 * next one waits (the file has ended). */
	set_desc(r, 2, BUF + 0x2000, 200, VIRTQ_DESC_F_WRITE, 0);
	submit(r, 2);
	cr_assert_eq(used_idx(r), 2);
	cr_assert_eq(used_len(r, 1), 150);
	cr_assert(!memcmp(g(r, BUF + 0x2000), data + 150, 150));
	set_desc(r, 3, BUF + 0x3000, 8, VIRTQ_DESC_F_WRITE, 0);
	submit(r, 3);
	poll_after_retry(r);
	cr_assert_eq(used_idx(r), 2);
	rig_free(r);
}

Test(virtio_rng, a_huge_buffer_is_filled_a_mebibyte_per_round)
{
	struct rig *r = rig_new("/dev/urandom", VIRTIO_RNG_MAX_BYTES_DEFAULT);
	set_desc(r, 0, BIG, 4u << 20, VIRTQ_DESC_F_WRITE, 0);
	submit(r, 0);
	cr_assert_eq(used_idx(r), 1);
	cr_assert_eq(used_len(r, 0), 1u << 20);
	rig_free(r);
}

Test(virtio_rng, reset_forgets_a_waiting_request)
{
	struct rig *r = rig_new(NULL, VIRTIO_RNG_MAX_BYTES_DEFAULT);
	set_desc(r, 0, BUF, 16, VIRTQ_DESC_F_WRITE, 0);
	submit(r, 0);
	wr(r, VIRTIO_MMIO_STATUS, 0);
	const uint8_t b = 42;
	cr_assert_eq(write(r->pipe_w, &b, 1), 1);
	poll_after_retry(r);
	cr_assert_eq(used_idx(r), 0, "served a request after the reset");
	rig_free(r);
}

Test(virtio_rng, savevm_keeps_the_quota_and_loadvm_looks_at_the_ring)
{
	struct rig *r = rig_new("/dev/urandom", 20);
	set_desc(r, 0, BUF, 16, VIRTQ_DESC_F_WRITE, 0);
	submit(r, 0);
	cr_assert_eq(used_len(r, 0), 16);
	struct vmstate_out o = {0};
	virtio_mmio_save(r->vm, &o);
	cr_assert(!o.failed);

	/* 4 bytes of quota left, in the saved state too. */
	set_desc(r, 1, BUF, 16, VIRTQ_DESC_F_WRITE, 0);
	submit(r, 1);
	cr_assert_eq(used_idx(r), 2);
	cr_assert_eq(used_len(r, 1), 4);

	/* Back to the save, with a request made available behind the
	 * device's back: the load looks at the ring and serves it, with the
	 * saved quota. */
	struct vmstate_in in = {.buf = o.buf, .len = o.len};
	virtio_mmio_load(r->vm, &in);
	cr_assert(!in.bad);
	virtio_put_le16(g(r, Q_USED + 2), 1);
	virtio_put_le16(g(r, Q_AVAIL + 4 + 2), 1);
	machine_poll_devices(r->m);
	cr_assert_eq(used_idx(r), 2);
	cr_assert_eq(used_len(r, 1), 4);
	free(o.buf);
	rig_free(r);
}
