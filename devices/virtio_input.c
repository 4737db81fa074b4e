/*
 * virtio-input (virtio 1.2 section 5.8), the power button of virtio_input.h.
 *
 * Configuration (5.8.5): the driver writes select and subsel, then reads
 * size and the union. This device answers ID_NAME, ID_SERIAL, ID_DEVIDS
 * (BUS_VIRTUAL), and EV_BITS for EV_KEY (KEY_POWER alone) and EV_SYN
 * (SYN_REPORT); PROP_BITS, ABS_INFO and anything else have size 0, which
 * 5.8.6.2 requires for a combination the device does not support.
 *
 * Events (5.8.6.1): the driver fills the event queue with device-writable
 * buffers of one struct virtio_input_event each; the device writes one
 * event per buffer. A press waits in a bounded queue of pending events
 * for buffers, and is dropped whole (and counted) when it does not fit:
 * the host side never waits for the guest. Pending events survive a
 * device reset, so a press made while the driver was loading is seen once
 * it has given buffers.
 *
 * A chain on the event queue that cannot take an event (a device-readable
 * buffer, an unusable one, fewer than 8 writable bytes) is returned
 * unwritten, used length 0, and the event waits for the next chain. The
 * status queue's chains (LEDs, 5.8.6.2) are returned unread, used length
 * 0. A chain whose shape cannot be trusted puts the device in
 * DEVICE_NEEDS_RESET (virtio_mmio.h).
 *
 * No event is written while the machine is stopped (monitor `stop`, a gdb
 * stop), as QEMU does no DMA then: a press waits, and the device's poller
 * delivers it once the machine runs. The poller also looks again now and
 * then while events wait, for a driver that made buffers available
 * before DRIVER_OK and never notified after.
 *
 * Everything runs under the machine's device lock: queue notifications on
 * a hart's thread, presses on the monitor's (a poller), the poller.
 */
#include "virtio_input.h"
#include "core/vmstate.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* QEMU's virtio-input queue size. */
#define INPUT_QUEUE_SIZE 64u
/* How often the poller looks while events wait, in ns. */
#define INPUT_RETRY_NS 100000000ULL

struct input_event {
	uint16_t type, code;
	uint32_t value;
};

struct virtio_input {
	struct virtio_device_ops ops;
	struct machine *m;
	struct virtio_mmio *vm; /* the transport */
	struct virtio_dev *vd;	/* its device: the rings */
	uint8_t select, subsel; /* the driver's choice of configuration */
	/* Pending events, oldest at head (a ring). */
	struct input_event pending[VIRTIO_INPUT_PENDING_MAX];
	unsigned head, npending;
	uint64_t presses, dropped, delivered;
};

/* The union of struct virtio_input_config for the current select and
 * subsel; its size (0: not supported). */
static unsigned config_union(const struct virtio_input *in, uint8_t u[VIRTIO_INPUT_CFG_U_SIZE])
{
	memset(u, 0, VIRTIO_INPUT_CFG_U_SIZE);
	switch (in->select) {
	case VIRTIO_INPUT_CFG_ID_NAME: /* a string, not NUL-terminated (size says) */
		memcpy(u, VIRTIO_INPUT_NAME, strlen(VIRTIO_INPUT_NAME));
		return (unsigned)strlen(VIRTIO_INPUT_NAME);
	case VIRTIO_INPUT_CFG_ID_SERIAL:
		memcpy(u, VIRTIO_INPUT_SERIAL, strlen(VIRTIO_INPUT_SERIAL));
		return (unsigned)strlen(VIRTIO_INPUT_SERIAL);
	case VIRTIO_INPUT_CFG_ID_DEVIDS: /* bustype, vendor, product, version */
		virtio_put_le16(u, INPUT_BUS_VIRTUAL);
		virtio_put_le16(u + 6, 1);
		return 8;
	case VIRTIO_INPUT_CFG_EV_BITS:
		/* A bitmap of the codes of event type subsel, as long as
		 * it needs to be. */
		if (in->subsel == INPUT_EV_KEY) {
			u[INPUT_KEY_POWER / 8] = 1u << (INPUT_KEY_POWER % 8);
			return INPUT_KEY_POWER / 8 + 1;
		}
		if (in->subsel == INPUT_EV_SYN) {
			u[0] = 1u << INPUT_SYN_REPORT;
			return 1;
		}
		return 0;
	default: /* UNSET, PROP_BITS (none), ABS_INFO (no axes), unknown */
		return 0;
	}
}

static uint64_t input_config_read(void *opaque, uint32_t offset, unsigned size)
{
	const struct virtio_input *in = opaque;
	uint8_t cfg[VIRTIO_INPUT_CONFIG_SIZE] = {0};
	cfg[VIRTIO_INPUT_CFG_SELECT] = in->select;
	cfg[VIRTIO_INPUT_CFG_SUBSEL] = in->subsel;
	cfg[VIRTIO_INPUT_CFG_SIZE] = (uint8_t)config_union(in, cfg + VIRTIO_INPUT_CFG_U);
	uint8_t bytes[8] = {0};
	memcpy(bytes, cfg + offset, size); /* the transport bounds offset + size */
	return virtio_le64(bytes);
}

/* 5.8.6.1: the driver writes select and subsel only; other bytes are
 * read-only and writes to them are ignored. */
static void input_config_write(void *opaque, uint32_t offset, unsigned size, uint64_t val)
{
	struct virtio_input *in = opaque;
	for (unsigned i = 0; i < size; i++) {
		const uint8_t byte = (uint8_t)(val >> (8 * i));
		if (offset + i == VIRTIO_INPUT_CFG_SELECT)
			in->select = byte;
		else if (offset + i == VIRTIO_INPUT_CFG_SUBSEL)
			in->subsel = byte;
	}
}

/* Write pending events into the driver's buffers while both last. */
static void deliver(struct virtio_input *in)
{
	struct virtio_dev *vd = in->vd;
	if (!virtio_dev_queue_ready(vd, VIRTIO_INPUT_EVENTQ))
		return;
	bool pushed = false;
	while (in->npending) {
		struct virtq_elem e;
		if (virtq_pop(vd, VIRTIO_INPUT_EVENTQ, &e) != VIRTQ_POP_OK)
			break;
		pushed = true;
		if (e.bad || e.n_out || e.in_len < VIRTIO_INPUT_EVENT_SIZE) {
			virtq_push(vd, VIRTIO_INPUT_EVENTQ, &e, 0);
			continue;
		}
		const struct input_event *ev = &in->pending[in->head];
		uint8_t bytes[VIRTIO_INPUT_EVENT_SIZE];
		virtio_put_le16(bytes, ev->type);
		virtio_put_le16(bytes + 2, ev->code);
		virtio_put_le32(bytes + 4, ev->value);
		virtq_copy_to(vd, &e, 0, bytes, sizeof(bytes));
		virtq_push(vd, VIRTIO_INPUT_EVENTQ, &e, VIRTIO_INPUT_EVENT_SIZE);
		in->head = (in->head + 1) % VIRTIO_INPUT_PENDING_MAX;
		in->npending--;
		in->delivered++;
	}
	if (pushed)
		virtq_notify_used(vd, VIRTIO_INPUT_EVENTQ);
}

static void drain_status(struct virtio_input *in)
{
	struct virtio_dev *vd = in->vd;
	struct virtq_elem e;
	bool pushed = false;
	while (virtq_pop(vd, VIRTIO_INPUT_STATUSQ, &e) == VIRTQ_POP_OK) {
		virtq_push(vd, VIRTIO_INPUT_STATUSQ, &e, 0);
		pushed = true;
	}
	if (pushed)
		virtq_notify_used(vd, VIRTIO_INPUT_STATUSQ);
}

static void input_queue_notify(void *opaque, struct virtio_dev *vd, unsigned queue)
{
	struct virtio_input *in = opaque;
	(void)vd;
	if (queue == VIRTIO_INPUT_EVENTQ)
		deliver(in); /* new buffers */
	else
		drain_status(in);
}

static void input_reset(void *opaque)
{
	struct virtio_input *in = opaque;
	in->select = in->subsel = 0;
}

static void enqueue(struct virtio_input *in, uint16_t type, uint16_t code, uint32_t value)
{
	const unsigned tail = (in->head + in->npending) % VIRTIO_INPUT_PENDING_MAX;
	in->pending[tail] = (struct input_event){type, code, value};
	in->npending++;
}

bool virtio_input_press_power(struct virtio_input *in)
{
	if (VIRTIO_INPUT_PENDING_MAX - in->npending < 4) {
		in->dropped++;
		return false;
	}
	enqueue(in, INPUT_EV_KEY, INPUT_KEY_POWER, 1);
	enqueue(in, INPUT_EV_SYN, INPUT_SYN_REPORT, 0);
	enqueue(in, INPUT_EV_KEY, INPUT_KEY_POWER, 0);
	enqueue(in, INPUT_EV_SYN, INPUT_SYN_REPORT, 0);
	in->presses++;
	if (!atomic_load(&in->m->paused))
		deliver(in);
	return true;
}

static uint64_t input_poll(void *opaque)
{
	struct virtio_input *in = opaque;
	if (in->npending && !atomic_load(&in->m->paused))
		deliver(in);
	return in->npending ? INPUT_RETRY_NS : UINT64_MAX;
}

void virtio_input_stats(const struct virtio_input *in, struct virtio_input_stats *s)
{
	*s = (struct virtio_input_stats){in->presses, in->dropped, in->delivered, in->npending};
}

/* The configuration selection and the pending events carry over a
 * snapshot (the counters are the host's, and stay). A fixed layout: a
 * load checks the sections' lengths against a save of the running
 * machine. */
static void input_save(void *opaque, struct vmstate_out *o)
{
	struct virtio_input *in = opaque;
	VMSTATE_PUT(o, in->select);
	VMSTATE_PUT(o, in->subsel);
	VMSTATE_PUT(o, in->head);
	VMSTATE_PUT(o, in->npending);
	VMSTATE_PUT(o, in->pending);
}

static void input_load(void *opaque, struct vmstate_in *vin)
{
	struct virtio_input *in = opaque;
	VMSTATE_GET(vin, in->select);
	VMSTATE_GET(vin, in->subsel);
	VMSTATE_GET(vin, in->head);
	VMSTATE_GET(vin, in->npending);
	VMSTATE_GET(vin, in->pending);
	/* Same version of rvjit, layout checked; still keep the ring sane. */
	in->head %= VIRTIO_INPUT_PENDING_MAX;
	if (in->npending > VIRTIO_INPUT_PENDING_MAX)
		in->npending = 0;
}

static void input_free(void *opaque)
{
	free(opaque);
}

struct virtio_input *virtio_input_power_button_new(struct machine *m, uint64_t base,
						   struct irq_line irq)
{
	struct virtio_input *in = calloc(1, sizeof(*in));
	if (!in) {
		fprintf(stderr, "rvjit: out of memory\n");
		return NULL;
	}
	in->m = m;
	in->ops = (struct virtio_device_ops){
	    .device_id = VIRTIO_ID_INPUT,
	    .features = 0, /* 5.8.3: none */
	    .num_queues = 2,
	    .config_size = VIRTIO_INPUT_CONFIG_SIZE,
	    .config_read = input_config_read,
	    .config_write = input_config_write,
	    .queue_notify = input_queue_notify,
	    .reset = input_reset,
	    .free = input_free,
	    .queue_num_max = INPUT_QUEUE_SIZE,
	    .save = input_save,
	    .load = input_load,
	};
	if (m->npollers == MAX_POLLERS) {
		fprintf(stderr, "rvjit: virtio-input: too many devices to poll\n");
		free(in);
		return NULL;
	}
	in->vm = virtio_mmio_new(m, base, irq, false, &in->ops, in);
	if (in->vm)
		in->vd = virtio_mmio_device(in->vm);
	if (!in->vm) {
		free(in);
		return NULL;
	}
	(void)machine_add_poller(m, input_poll, in); /* there is room: checked above */
	return in;
}

struct virtio_mmio *virtio_input_transport(struct virtio_input *in)
{
	return in->vm;
}

void virtio_input_free(struct virtio_input *in)
{
	if (in)
		virtio_mmio_free(in->vm); /* frees `in` through ops.free */
}
