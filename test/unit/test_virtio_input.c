/*
 * The virtio-input power button (devices/virtio_input.c), the driver side
 * played by the test on the modern transport. What is asserted:
 *   - the configuration space (5.8.5): name, serial, device ids, EV_BITS
 *     for EV_KEY (KEY_POWER alone) and EV_SYN, size 0 for everything the
 *     device does not support, select/subsel the only writable bytes;
 *   - a press is KEY_POWER 1, SYN_REPORT, KEY_POWER 0, SYN_REPORT, one
 *     event per buffer, with a used-buffer interrupt;
 *   - events wait for buffers (before DRIVER_OK, with no buffers, across a
 *     device reset), and presses beyond the bound are dropped and counted;
 *   - a chain that cannot hold an event comes back used length 0 and the
 *     event goes to the next chain; the status queue is drained;
 *   - nothing is written while the machine is stopped;
 *   - savevm/loadvm carry pending events.
 */
#include "core/machine.h"
#include "core/vmstate.h"
#include "devices/virtio_input.h"
#include "devices/virtio_mmio.h"

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#define RAM_BASE 0x80000000ULL
#define RAM_SIZE (8ULL << 20)
#define DEV	 0x10009000ULL
#define NUM	 16
/* Each queue's rings, 0x3000 apart. */
#define Q_DESC(q)  (RAM_BASE + 0x10000 + 0x3000 * (q))
#define Q_AVAIL(q) (Q_DESC(q) + 0x1000)
#define Q_USED(q)  (Q_DESC(q) + 0x2000)
#define EVBUF(i)   (RAM_BASE + 0x40000 + 16 * (i))

struct rig {
	struct machine *m;
	struct virtio_input *in;
	bool irq_level;
	uint16_t avail_idx[2];
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

static uint64_t rd(struct rig *r, uint64_t off, unsigned size)
{
	uint64_t v = 0;
	cr_assert(bus_read(&r->m->bus, DEV + off, size, &v));
	return v;
}

static void wr(struct rig *r, uint64_t off, unsigned size, uint64_t v)
{
	cr_assert(bus_write(&r->m->bus, DEV + off, size, v));
}

static void set_desc(struct rig *r, unsigned q, unsigned i, uint64_t addr, uint32_t len,
		     uint16_t flags, uint16_t next)
{
	uint8_t *d = g(r, Q_DESC(q) + 16 * i);
	virtio_put_le64(d, addr);
	virtio_put_le32(d + 8, len);
	virtio_put_le16(d + 12, flags);
	virtio_put_le16(d + 14, next);
}

static void make_available(struct rig *r, unsigned q, uint16_t head)
{
	virtio_put_le16(g(r, Q_AVAIL(q) + 4 + 2 * (r->avail_idx[q] % NUM)), head);
	r->avail_idx[q]++;
	virtio_put_le16(g(r, Q_AVAIL(q) + 2), r->avail_idx[q]);
}

static void notify(struct rig *r, unsigned q)
{
	wr(r, VIRTIO_MMIO_QUEUE_NOTIFY, 4, q);
}

static uint16_t used_idx(struct rig *r, unsigned q)
{
	return virtio_le16(g(r, Q_USED(q) + 2));
}

static uint32_t used_len(struct rig *r, unsigned q, uint16_t i)
{
	return virtio_le32(g(r, Q_USED(q) + 4 + 8 * (i % NUM) + 4));
}

static uint32_t used_id(struct rig *r, unsigned q, uint16_t i)
{
	return virtio_le32(g(r, Q_USED(q) + 4 + 8 * (i % NUM)));
}

static void setup_queue(struct rig *r, unsigned q)
{
	wr(r, VIRTIO_MMIO_QUEUE_SEL, 4, q);
	cr_assert_eq(rd(r, VIRTIO_MMIO_QUEUE_NUM_MAX, 4), 64, "QEMU's queue size");
	memset(g(r, Q_DESC(q)), 0, 0x3000);
	wr(r, VIRTIO_MMIO_QUEUE_NUM, 4, NUM);
	wr(r, VIRTIO_MMIO_QUEUE_DESC_LOW, 4, (uint32_t)Q_DESC(q));
	wr(r, VIRTIO_MMIO_QUEUE_DESC_HIGH, 4, (uint32_t)(Q_DESC(q) >> 32));
	wr(r, VIRTIO_MMIO_QUEUE_DRIVER_LOW, 4, (uint32_t)Q_AVAIL(q));
	wr(r, VIRTIO_MMIO_QUEUE_DRIVER_HIGH, 4, (uint32_t)(Q_AVAIL(q) >> 32));
	wr(r, VIRTIO_MMIO_QUEUE_DEVICE_LOW, 4, (uint32_t)Q_USED(q));
	wr(r, VIRTIO_MMIO_QUEUE_DEVICE_HIGH, 4, (uint32_t)(Q_USED(q) >> 32));
	wr(r, VIRTIO_MMIO_QUEUE_READY, 4, 1);
	r->avail_idx[q] = 0;
}

/* Up to FEATURES_OK; driver_ok() finishes. */
static void driver_start(struct rig *r)
{
	cr_assert_eq(rd(r, VIRTIO_MMIO_VERSION, 4), 2, "virtio-input has no legacy interface");
	cr_assert_eq(rd(r, VIRTIO_MMIO_DEVICE_ID, 4), VIRTIO_ID_INPUT);
	wr(r, VIRTIO_MMIO_STATUS, 4, 0);
	wr(r, VIRTIO_MMIO_STATUS, 4, 3);
	wr(r, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 4, 1);
	wr(r, VIRTIO_MMIO_DRIVER_FEATURES, 4, 1); /* VERSION_1 */
	wr(r, VIRTIO_MMIO_STATUS, 4, 3 | VIRTIO_CONFIG_S_FEATURES_OK);
	setup_queue(r, VIRTIO_INPUT_EVENTQ);
	setup_queue(r, VIRTIO_INPUT_STATUSQ);
}

static void driver_ok(struct rig *r)
{
	wr(r, VIRTIO_MMIO_STATUS, 4, 3 | VIRTIO_CONFIG_S_FEATURES_OK | VIRTIO_CONFIG_S_DRIVER_OK);
}

/* Event buffers 0..n-1 on the event queue, descriptor i for buffer i. */
static void give_event_buffers(struct rig *r, unsigned first, unsigned n)
{
	for (unsigned i = first; i < first + n; i++) {
		memset(g(r, EVBUF(i)), 0xee, 16);
		set_desc(r, VIRTIO_INPUT_EVENTQ, i, EVBUF(i), 8, VIRTQ_DESC_F_WRITE, 0);
		make_available(r, VIRTIO_INPUT_EVENTQ, (uint16_t)i);
	}
	notify(r, VIRTIO_INPUT_EVENTQ);
}

static struct rig *rig_new(void)
{
	struct rig *r = calloc(1, sizeof(*r));
	cr_assert(r);
	r->m = machine_new(RAM_BASE, RAM_SIZE, 1, RAM_BASE);
	cr_assert(r->m);
	const struct irq_line irq = {.set = irq_cb, .opaque = r, .irq = 9};
	r->in = virtio_input_power_button_new(r->m, DEV, irq);
	cr_assert(r->in);
	return r;
}

static void rig_free(struct rig *r)
{
	virtio_input_free(r->in);
	machine_free(r->m);
	free(r);
}

static void cfg_select(struct rig *r, uint8_t select, uint8_t subsel)
{
	wr(r, VIRTIO_MMIO_CONFIG + VIRTIO_INPUT_CFG_SELECT, 1, select);
	wr(r, VIRTIO_MMIO_CONFIG + VIRTIO_INPUT_CFG_SUBSEL, 1, subsel);
}

static unsigned cfg_size(struct rig *r)
{
	return (unsigned)rd(r, VIRTIO_MMIO_CONFIG + VIRTIO_INPUT_CFG_SIZE, 1);
}

static uint8_t cfg_u(struct rig *r, unsigned i)
{
	return (uint8_t)rd(r, VIRTIO_MMIO_CONFIG + VIRTIO_INPUT_CFG_U + i, 1);
}

static void expect_event(struct rig *r, unsigned buf, uint16_t type, uint16_t code, uint32_t value)
{
	const uint8_t *e = g(r, EVBUF(buf));
	cr_assert_eq(virtio_le16(e), type, "buffer %u: type %u", buf, virtio_le16(e));
	cr_assert_eq(virtio_le16(e + 2), code, "buffer %u: code %u", buf, virtio_le16(e + 2));
	cr_assert_eq(virtio_le32(e + 4), value, "buffer %u: value %u", buf, virtio_le32(e + 4));
	cr_assert_eq(e[8], 0xee, "buffer %u: written past the event", buf);
}

static void expect_press(struct rig *r, unsigned first_buf)
{
	expect_event(r, first_buf + 0, INPUT_EV_KEY, INPUT_KEY_POWER, 1);
	expect_event(r, first_buf + 1, INPUT_EV_SYN, INPUT_SYN_REPORT, 0);
	expect_event(r, first_buf + 2, INPUT_EV_KEY, INPUT_KEY_POWER, 0);
	expect_event(r, first_buf + 3, INPUT_EV_SYN, INPUT_SYN_REPORT, 0);
}

TestSuite(virtio_input, .timeout = 60);

Test(virtio_input, config_names_a_power_button)
{
	struct rig *r = rig_new();
	cr_assert_eq(rd(r, VIRTIO_MMIO_VENDOR_ID, 4), VIRTIO_MMIO_VENDOR);

	cfg_select(r, VIRTIO_INPUT_CFG_ID_NAME, 0);
	const unsigned n = cfg_size(r);
	char name[129] = {0};
	for (unsigned i = 0; i < n; i++)
		name[i] = (char)cfg_u(r, i);
	cr_assert_str_eq(name, "rvjit power button");
	cr_assert_eq(rd(r, VIRTIO_MMIO_CONFIG + VIRTIO_INPUT_CFG_SELECT, 1),
		     VIRTIO_INPUT_CFG_ID_NAME);

	cfg_select(r, VIRTIO_INPUT_CFG_ID_SERIAL, 0);
	cr_assert_gt(cfg_size(r), 0);

	cfg_select(r, VIRTIO_INPUT_CFG_ID_DEVIDS, 0);
	cr_assert_eq(cfg_size(r), 8);
	cr_assert_eq(rd(r, VIRTIO_MMIO_CONFIG + VIRTIO_INPUT_CFG_U, 2), INPUT_BUS_VIRTUAL);

	/* EV_BITS, EV_KEY: exactly one bit, KEY_POWER (116 = byte 14 bit 4). */
	cfg_select(r, VIRTIO_INPUT_CFG_EV_BITS, INPUT_EV_KEY);
	cr_assert_eq(cfg_size(r), 15);
	for (unsigned i = 0; i < 128; i++)
		cr_assert_eq(cfg_u(r, i), i == 14 ? 0x10 : 0, "EV_KEY bitmap byte %u", i);
	cfg_select(r, VIRTIO_INPUT_CFG_EV_BITS, INPUT_EV_SYN);
	cr_assert_eq(cfg_size(r), 1);
	cr_assert_eq(cfg_u(r, 0), 1);

	/* 5.8.6.2: size 0 for what the device does not support. */
	const uint8_t none[][2] = {
	    {VIRTIO_INPUT_CFG_UNSET, 0},
	    {VIRTIO_INPUT_CFG_PROP_BITS, 0},
	    {VIRTIO_INPUT_CFG_EV_BITS, 2},
	    {VIRTIO_INPUT_CFG_EV_BITS, 3},
	    {VIRTIO_INPUT_CFG_EV_BITS, 0x11},
	    {VIRTIO_INPUT_CFG_ABS_INFO, 0},
	    {0x42, 0},
	};
	for (size_t i = 0; i < sizeof(none) / sizeof(none[0]); i++) {
		cfg_select(r, none[i][0], none[i][1]);
		cr_assert_eq(cfg_size(r), 0, "select %#x subsel %#x", none[i][0], none[i][1]);
	}

	/* Only select and subsel are writable. */
	cfg_select(r, VIRTIO_INPUT_CFG_ID_NAME, 0);
	wr(r, VIRTIO_MMIO_CONFIG + VIRTIO_INPUT_CFG_SIZE, 1, 99);
	wr(r, VIRTIO_MMIO_CONFIG + VIRTIO_INPUT_CFG_U, 4, 0x41414141);
	cr_assert_eq(cfg_size(r), 18);
	cr_assert_eq(cfg_u(r, 0), 'r');
	/* A 2-byte write sets both. */
	wr(r, VIRTIO_MMIO_CONFIG, 2, VIRTIO_INPUT_CFG_EV_BITS | INPUT_EV_KEY << 8);
	cr_assert_eq(cfg_size(r), 15);
	rig_free(r);
}

Test(virtio_input, a_press_is_four_events)
{
	struct rig *r = rig_new();
	driver_start(r);
	driver_ok(r);
	give_event_buffers(r, 0, 8);
	cr_assert_eq(used_idx(r, VIRTIO_INPUT_EVENTQ), 0, "events before any press");
	cr_assert(virtio_input_press_power(r->in));
	cr_assert_eq(used_idx(r, VIRTIO_INPUT_EVENTQ), 4);
	for (unsigned i = 0; i < 4; i++) {
		cr_assert_eq(used_id(r, VIRTIO_INPUT_EVENTQ, (uint16_t)i), i);
		cr_assert_eq(used_len(r, VIRTIO_INPUT_EVENTQ, (uint16_t)i), 8);
	}
	expect_press(r, 0);
	cr_assert(r->irq_level, "no used-buffer interrupt");
	cr_assert_eq(rd(r, VIRTIO_MMIO_INTERRUPT_STATUS, 4) & VIRTIO_MMIO_INT_VRING,
		     VIRTIO_MMIO_INT_VRING);
	struct virtio_input_stats s;
	virtio_input_stats(r->in, &s);
	cr_assert_eq(s.presses, 1);
	cr_assert_eq(s.delivered, 4);
	cr_assert_eq(s.pending, 0);
	rig_free(r);
}

Test(virtio_input, events_wait_for_buffers)
{
	struct rig *r = rig_new();
	/* Pressed before the driver exists, and across its reset. */
	cr_assert(virtio_input_press_power(r->in));
	driver_start(r);
	give_event_buffers(r, 0, 2); /* before DRIVER_OK: not used */
	cr_assert_eq(used_idx(r, VIRTIO_INPUT_EVENTQ), 0);
	driver_ok(r);
	notify(r, VIRTIO_INPUT_EVENTQ);
	cr_assert_eq(used_idx(r, VIRTIO_INPUT_EVENTQ), 2, "half the press, in two buffers");
	expect_event(r, 0, INPUT_EV_KEY, INPUT_KEY_POWER, 1);
	expect_event(r, 1, INPUT_EV_SYN, INPUT_SYN_REPORT, 0);
	struct virtio_input_stats s;
	virtio_input_stats(r->in, &s);
	cr_assert_eq(s.pending, 2);
	give_event_buffers(r, 2, 4);
	cr_assert_eq(used_idx(r, VIRTIO_INPUT_EVENTQ), 4);
	expect_event(r, 2, INPUT_EV_KEY, INPUT_KEY_POWER, 0);
	expect_event(r, 3, INPUT_EV_SYN, INPUT_SYN_REPORT, 0);
	cr_assert_eq(*g(r, EVBUF(4)), 0xee, "a buffer used with nothing to say");
	rig_free(r);
}

/* As QEMU, nothing is written to guest memory while the machine is
 * stopped; the poller delivers the press once it runs again. Buffers made
 * available before DRIVER_OK without a later notification are found by the
 * poller too. */
Test(virtio_input, no_events_while_stopped)
{
	struct rig *r = rig_new();
	driver_start(r);
	driver_ok(r);
	give_event_buffers(r, 0, 4);
	machine_pause(r->m);
	cr_assert(virtio_input_press_power(r->in));
	machine_poll_devices(r->m);
	cr_assert_eq(used_idx(r, VIRTIO_INPUT_EVENTQ), 0, "written while stopped");
	machine_resume(r->m);
	machine_poll_devices(r->m);
	cr_assert_eq(used_idx(r, VIRTIO_INPUT_EVENTQ), 4);
	expect_press(r, 0);
	rig_free(r);

	r = rig_new();
	cr_assert(virtio_input_press_power(r->in));
	driver_start(r);
	for (unsigned i = 0; i < 4; i++) {
		memset(g(r, EVBUF(i)), 0xee, 16);
		set_desc(r, VIRTIO_INPUT_EVENTQ, i, EVBUF(i), 8, VIRTQ_DESC_F_WRITE, 0);
		make_available(r, VIRTIO_INPUT_EVENTQ, (uint16_t)i);
	}
	driver_ok(r); /* and no notification */
	cr_assert_eq(used_idx(r, VIRTIO_INPUT_EVENTQ), 0);
	machine_poll_devices(r->m);
	cr_assert_eq(used_idx(r, VIRTIO_INPUT_EVENTQ), 4, "buffers from before DRIVER_OK");
	expect_press(r, 0);
	rig_free(r);
}

Test(virtio_input, presses_beyond_the_bound_are_dropped)
{
	struct rig *r = rig_new();
	const unsigned fit = VIRTIO_INPUT_PENDING_MAX / 4;
	for (unsigned i = 0; i < fit; i++)
		cr_assert(virtio_input_press_power(r->in), "press %u", i);
	cr_assert(!virtio_input_press_power(r->in));
	cr_assert(!virtio_input_press_power(r->in));
	struct virtio_input_stats s;
	virtio_input_stats(r->in, &s);
	cr_assert_eq(s.presses, fit);
	cr_assert_eq(s.dropped, 2);
	cr_assert_eq(s.pending, VIRTIO_INPUT_PENDING_MAX);
	/* The kept presses arrive whole, in order. */
	driver_start(r);
	driver_ok(r);
	give_event_buffers(r, 0, 8);
	expect_press(r, 0);
	expect_press(r, 4);
	rig_free(r);
}

Test(virtio_input, chains_that_cannot_hold_an_event)
{
	struct rig *r = rig_new();
	driver_start(r);
	driver_ok(r);
	const unsigned q = VIRTIO_INPUT_EVENTQ;
	memset(g(r, EVBUF(0)), 0xee, 16 * 8);
	set_desc(r, q, 0, EVBUF(0), 8, 0, 0);		       /* device-readable */
	set_desc(r, q, 1, EVBUF(1), 4, VIRTQ_DESC_F_WRITE, 0); /* too short */
	set_desc(r, q, 2, 0x1000, 8, VIRTQ_DESC_F_WRITE, 0);   /* not RAM */
	set_desc(r, q, 3, EVBUF(3), 8, VIRTQ_DESC_F_WRITE, 0); /* good */
	for (uint16_t i = 0; i < 4; i++)
		make_available(r, q, i);
	notify(r, q);
	cr_assert(virtio_input_press_power(r->in));
	cr_assert_eq(used_idx(r, q), 4);
	for (uint16_t i = 0; i < 3; i++) {
		cr_assert_eq(used_id(r, q, i), i);
		cr_assert_eq(used_len(r, q, i), 0, "chain %u used", i);
		cr_assert_eq(*g(r, EVBUF(i)), 0xee, "chain %u written", i);
	}
	cr_assert_eq(used_len(r, q, 3), 8);
	expect_event(r, 3, INPUT_EV_KEY, INPUT_KEY_POWER, 1);
	cr_assert_eq(virtio_mmio_status(virtio_input_transport(r->in)) &
			 VIRTIO_CONFIG_S_NEEDS_RESET,
		     0, "the device stays usable");

	/* The status queue (an LED write) is returned unread. */
	set_desc(r, VIRTIO_INPUT_STATUSQ, 0, EVBUF(10), 8, 0, 0);
	make_available(r, VIRTIO_INPUT_STATUSQ, 0);
	notify(r, VIRTIO_INPUT_STATUSQ);
	cr_assert_eq(used_idx(r, VIRTIO_INPUT_STATUSQ), 1);
	cr_assert_eq(used_len(r, VIRTIO_INPUT_STATUSQ, 0), 0);

	/* A descriptor loop: DEVICE_NEEDS_RESET, the press waits. */
	set_desc(r, q, 4, EVBUF(4), 8, VIRTQ_DESC_F_WRITE | VIRTQ_DESC_F_NEXT, 5);
	set_desc(r, q, 5, EVBUF(5), 8, VIRTQ_DESC_F_WRITE | VIRTQ_DESC_F_NEXT, 4);
	make_available(r, q, 4);
	notify(r, q);
	cr_assert_eq(used_idx(r, q), 4);
	cr_assert(virtio_mmio_status(virtio_input_transport(r->in)) & VIRTIO_CONFIG_S_NEEDS_RESET);
	/* After a reset the rest of the press is delivered. */
	driver_start(r);
	driver_ok(r);
	give_event_buffers(r, 0, 4);
	cr_assert_eq(used_idx(r, q), 3);
	expect_event(r, 0, INPUT_EV_SYN, INPUT_SYN_REPORT, 0);
	expect_event(r, 1, INPUT_EV_KEY, INPUT_KEY_POWER, 0);
	expect_event(r, 2, INPUT_EV_SYN, INPUT_SYN_REPORT, 0);
	rig_free(r);
}

Test(virtio_input, snapshot_keeps_pending_events)
{
	struct rig *a = rig_new();
	cr_assert(virtio_input_press_power(a->in));
	struct vmstate_out o = {0};
	virtio_mmio_save(virtio_input_transport(a->in), &o);
	cr_assert(!o.failed);
	struct rig *b = rig_new();
	struct vmstate_in in = {.buf = o.buf, .len = o.len};
	virtio_mmio_load(virtio_input_transport(b->in), &in);
	struct virtio_input_stats s;
	virtio_input_stats(b->in, &s);
	cr_assert_eq(s.pending, 4);
	driver_start(b);
	driver_ok(b);
	give_event_buffers(b, 0, 4);
	expect_press(b, 0);
	free(o.buf);
	rig_free(a);
	rig_free(b);
}
