/*
 * virtio-rng (virtio 1.2 section 5.4): the driver makes device-writable
 * buffers available on the request queue; the device fills them with
 * random bytes and gives them back, the used length saying how many
 * (5.4.6: at least one, and it may be fewer than the buffer holds).
 *
 * A request is served when the driver notifies, on that hart's thread, as
 * long as the backend has bytes and the rate limit allows. Otherwise it
 * stays in the available ring (virtq_unpop) and the device's poller takes
 * it again later: when the backend may have bytes again, or when the rate
 * limit's period ends. A request is never completed empty, which 5.4.6.1
 * does not allow, and the hart never waits on the host.
 *
 * The rate limit is QEMU's: a quota of max-bytes, spent as bytes are
 * delivered, refilled period ms of the virtual clock (QEMU_CLOCK_VIRTUAL:
 * it stops with the machine, and follows -icount) after the first request
 * that the previous refill served. A request larger than the quota left
 * gets what is left.
 *
 * A chain with a device-readable buffer (5.4.6.1: the driver MUST NOT) or
 * an unusable one (outside RAM, empty) is returned unfilled, used length
 * 0; the device stays usable. A chain whose shape cannot be trusted puts
 * the device in DEVICE_NEEDS_RESET (virtio_mmio.h).
 */
#include "virtio_rng.h"
#include "core/vmstate.h"
#include <stdio.h>
#include <stdlib.h>

/* QEMU's queue size for virtio-rng. */
#define RNG_QUEUE_SIZE 8u
/* Bytes served per notification or poll at most: a guest that offers a
 * huge buffer gets it filled in pieces (5.4.6.1 allows fewer bytes than
 * the buffer holds) instead of holding its hart on the host for long. */
#define RNG_SERVE_MAX (1u << 20)
/* How soon to ask a backend that had nothing again, in virtual ns. */
#define RNG_RETRY_NS 10000000ULL

struct virtio_rng {
	struct virtio_device_ops ops;
	struct machine *m;
	struct virtio_dev *vd;
	struct rng_backend *backend;
	uint64_t max_bytes;
	uint64_t period_ns;
	/* The rate limit: bytes left in this period, and when it ends. */
	uint64_t quota;
	bool period_running;
	uint64_t period_end_ns;
	/* Requests may be waiting in the ring: the poller serves them at
	 * wake_ns. */
	bool waiting;
	uint64_t wake_ns;
};

/* The virtual clock in ns, as the rate limit counts it (-icount too). */
static uint64_t rng_now(const struct virtio_rng *r)
{
	return machine_mtime(r->m) * NS_PER_MTIME_TICK;
}

static void wait_until(struct virtio_rng *r, uint64_t when)
{
	r->waiting = true;
	r->wake_ns = when;
}

/* Read up to `want` bytes from the backend straight into the chain's
 * writable buffers; how many arrived. */
static uint64_t rng_fill(struct virtio_rng *r, const struct virtq_elem *e, uint64_t want)
{
	uint64_t done = 0;
	for (unsigned i = e->n_out; i < e->n_buf && done < want; i++) {
		const struct virtq_buf *b = &e->buf[i];
		const uint64_t ask = b->len < want - done ? b->len : want - done;
		const size_t got = rng_backend_read(r->backend, b->host, ask);
		if (got)
			machine_ram_written(r->m, b->pa, got);
		done += got;
		if (got < ask)
			break;
	}
	return done;
}

/* Serve what the ring holds, as far as the backend and the quota allow. */
static void rng_serve(struct virtio_rng *r)
{
	struct virtio_dev *vd = r->vd;
	const uint64_t now = rng_now(r);
	r->waiting = false;
	if (r->period_running && now >= r->period_end_ns) {
		r->quota = r->max_bytes;
		r->period_running = false;
	}
	if (!virtio_dev_queue_ready(vd, 0)) {
		/* Not yet DRIVER_OK (legacy drivers may notify before):
		 * look again later, as QEMU does when the status changes. */
		if (!(virtio_dev_status(vd) & VIRTIO_CONFIG_S_NEEDS_RESET))
			wait_until(r, now + RNG_RETRY_NS);
		return;
	}
	uint64_t served = 0;
	for (;;) {
		if (r->quota == 0) {
			/* (max-bytes=0 spends nothing, and still waits a period
			 * between looks, as QEMU's timer does.) */
			if (!r->period_running) {
				r->period_running = true;
				r->period_end_ns = now + r->period_ns;
			}
			wait_until(r, r->period_end_ns);
			break;
		}
		struct virtq_elem e;
		if (virtq_pop(vd, 0, &e) != VIRTQ_POP_OK)
			break;
		if (e.bad || e.n_out) {
			virtq_push(vd, 0, &e, 0);
			continue;
		}
		uint64_t want = e.in_len < r->quota ? e.in_len : r->quota;
		if (want > RNG_SERVE_MAX - served) {
			if (served) { /* the rest next time, whole */
				virtq_unpop(vd, 0);
				wait_until(r, now);
				break;
			}
			want = RNG_SERVE_MAX;
		}
		const uint64_t got = rng_fill(r, &e, want);
		if (got == 0) {
			virtq_unpop(vd, 0);
			wait_until(r, now + RNG_RETRY_NS);
			break;
		}
		if (!r->period_running) {
			r->period_running = true;
			r->period_end_ns = now + r->period_ns;
		}
		r->quota -= got;
		served += got;
		virtq_push(vd, 0, &e, (uint32_t)got);
	}
	virtq_notify_used(vd, 0);
}

static void rng_queue_notify(void *opaque, struct virtio_dev *vd, unsigned queue)
{
	struct virtio_rng *r = opaque;
	(void)vd;
	(void)queue;
	rng_serve(r);
	/* The poller's thread learns the new deadline now, not at its next
	 * round. */
	if (r->waiting)
		machine_kick(r->m);
}

static uint64_t rng_poll(void *opaque)
{
	struct virtio_rng *r = opaque;
	if (!r->waiting)
		return UINT64_MAX;
	if (atomic_load(&r->m->paused))
		return RNG_RETRY_NS; /* no DMA while stopped, as QEMU */
	uint64_t now = rng_now(r);
	if (now < r->wake_ns)
		return r->wake_ns - now;
	rng_serve(r);
	if (!r->waiting)
		return UINT64_MAX;
	now = rng_now(r);
	return r->wake_ns > now ? r->wake_ns - now : 0;
}

static uint64_t rng_config_read(void *opaque, uint32_t offset, unsigned size)
{
	(void)opaque;
	(void)offset;
	(void)size;
	return 0; /* 5.4.4: no configuration space */
}

static void rng_reset(void *opaque)
{
	struct virtio_rng *r = opaque;
	r->waiting = false; /* the rings are gone; the quota stays, as QEMU's */
}

/* The rate limit carries over a snapshot; after loadvm the ring is looked
 * at again, as QEMU's post_load does: requests may wait in it. */
static void rng_save(void *opaque, struct vmstate_out *o)
{
	struct virtio_rng *r = opaque;
	VMSTATE_PUT(o, r->quota);
	VMSTATE_PUT(o, r->period_running);
	VMSTATE_PUT(o, r->period_end_ns);
}

static void rng_load(void *opaque, struct vmstate_in *in)
{
	struct virtio_rng *r = opaque;
	VMSTATE_GET(in, r->quota);
	VMSTATE_GET(in, r->period_running);
	VMSTATE_GET(in, r->period_end_ns);
	wait_until(r, 0);
}

static void rng_free(void *opaque)
{
	free(opaque);
}

struct virtio_dev *virtio_rng_create(struct machine *m, struct rng_backend *backend,
				     uint64_t max_bytes, uint32_t period_ms)
{
	struct virtio_rng *r = calloc(1, sizeof(*r));
	if (!r) {
		fprintf(stderr, "rvjit: out of memory\n");
		return NULL;
	}
	r->m = m;
	r->backend = backend;
	r->max_bytes = r->quota = max_bytes;
	r->period_ns = (uint64_t)period_ms * 1000000ULL;
	r->ops = (struct virtio_device_ops){
	    .device_id = VIRTIO_ID_RNG,
	    .features = 0, /* 5.4.3: none */
	    .num_queues = 1,
	    .config_size = 0,
	    .config_read = rng_config_read,
	    .queue_notify = rng_queue_notify,
	    .reset = rng_reset,
	    .free = rng_free,
	    .queue_num_max = RNG_QUEUE_SIZE,
	    .save = rng_save,
	    .load = rng_load,
	};
	if (m->npollers == MAX_POLLERS) {
		fprintf(stderr, "rvjit: virtio-rng: too many devices to poll\n");
		free(r);
		return NULL;
	}
	r->vd = virtio_dev_new(m, &r->ops, r);
	if (!r->vd) {
		free(r);
		return NULL;
	}
	(void)machine_add_poller(m, rng_poll, r); /* there is room: checked above */
	return r->vd;
}

struct virtio_mmio *virtio_rng_new(struct machine *m, uint64_t base, struct irq_line irq,
				   struct rng_backend *backend, bool legacy, uint64_t max_bytes,
				   uint32_t period_ms)
{
	struct virtio_dev *vd = virtio_rng_create(m, backend, max_bytes, period_ms);
	return vd ? virtio_mmio_attach(vd, base, irq, legacy) : NULL;
}

void virtio_rng_free(struct virtio_mmio *vm)
{
	virtio_mmio_free(vm);
}
