/*
 * The virtio-mmio transport (virtio 1.2 section 4.2): its registers on top
 * of a struct virtio_dev, which holds the status, features and rings every
 * transport shares (virtio.c). A register access QEMU 7.2 rejects (a read
 * of a write-only register, a bad offset, a legacy register in modern
 * mode...) is answered as before, and logged with -d guest_errors in
 * QEMU's words.
 */
#include "virtio_mmio.h"
#include "core/guest_log.h"
#include "core/vmstate.h"
#include "fdt/fdt.h"
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct virtio_mmio {
	struct machine *m;
	struct irq_line irq;
	bool legacy;
	struct virtio_dev *vd;
	uint32_t device_features_sel;
	uint32_t driver_features_sel;
	uint32_t queue_sel;
};

/* The interrupt line follows InterruptStatus. */
static void update_irq(void *opaque)
{
	struct virtio_mmio *vm = opaque;
	irq_set(&vm->irq, vm->vd->isr != 0);
}

static struct virtq *selected_queue(struct virtio_mmio *vm)
{
	return virtio_dev_queue(vm->vd, vm->queue_sel);
}

uint64_t virtio_mmio_features(const struct virtio_mmio *vm)
{
	return virtio_dev_features(vm->vd);
}

uint32_t virtio_mmio_status(const struct virtio_mmio *vm)
{
	return virtio_dev_status(vm->vd);
}

struct virtio_dev *virtio_mmio_device(struct virtio_mmio *vm)
{
	return vm->vd;
}

/* ---- registers (4.2.2, 4.2.4) ---- */

/* -d guest_errors: QEMU 7.2's virtio-mmio complaint about a register
 * access, in its words ("virtio_mmio_read: bad register offset (0xd0)"). */
static void complain(const struct virtio_mmio *vm, const char *fn, const char *what,
		     uint64_t offset, const char *mode)
{
	log_device_access(vm->m, LOG_GUEST_ERRORS, "%s: %s (0x%" PRIx64 ")%s\n", fn, what, offset,
			  mode);
}

/* What QEMU says of reading `offset` (before rvjit answers it as usual). */
static void check_read(const struct virtio_mmio *vm, uint64_t offset)
{
	switch (offset) {
	case VIRTIO_MMIO_MAGIC_VALUE:
	case VIRTIO_MMIO_VERSION:
	case VIRTIO_MMIO_DEVICE_ID:
	case VIRTIO_MMIO_VENDOR_ID:
	case VIRTIO_MMIO_DEVICE_FEATURES:
	case VIRTIO_MMIO_QUEUE_NUM_MAX:
	case VIRTIO_MMIO_INTERRUPT_STATUS:
	case VIRTIO_MMIO_STATUS:
	case VIRTIO_MMIO_SHM_LEN_LOW:
	case VIRTIO_MMIO_SHM_LEN_HIGH:
		return;
	case VIRTIO_MMIO_QUEUE_PFN:
		if (!vm->legacy)
			complain(vm, "virtio_mmio_read", "read from legacy register", offset,
				 " in non-legacy mode");
		return;
	case VIRTIO_MMIO_QUEUE_READY:
	case VIRTIO_MMIO_CONFIG_GENERATION:
		if (vm->legacy)
			complain(vm, "virtio_mmio_read", "read from non-legacy register", offset,
				 " in legacy mode");
		return;
	case VIRTIO_MMIO_DEVICE_FEATURES_SEL:
	case VIRTIO_MMIO_DRIVER_FEATURES:
	case VIRTIO_MMIO_DRIVER_FEATURES_SEL:
	case VIRTIO_MMIO_GUEST_PAGE_SIZE:
	case VIRTIO_MMIO_QUEUE_SEL:
	case VIRTIO_MMIO_QUEUE_NUM:
	case VIRTIO_MMIO_QUEUE_ALIGN:
	case VIRTIO_MMIO_QUEUE_NOTIFY:
	case VIRTIO_MMIO_INTERRUPT_ACK:
	case VIRTIO_MMIO_QUEUE_DESC_LOW:
	case VIRTIO_MMIO_QUEUE_DESC_HIGH:
	case VIRTIO_MMIO_QUEUE_DRIVER_LOW:
	case VIRTIO_MMIO_QUEUE_DRIVER_HIGH:
	case VIRTIO_MMIO_QUEUE_DEVICE_LOW:
	case VIRTIO_MMIO_QUEUE_DEVICE_HIGH:
		complain(vm, "virtio_mmio_read", "read of write-only register", offset, "");
		return;
	default: /* QEMU 7.2 has no SHM_SEL, SHM_BASE or QUEUE_RESET */
		complain(vm, "virtio_mmio_read", "bad register offset", offset, "");
		return;
	}
}

/* What QEMU says of writing `offset` (before rvjit handles it as usual). */
static void check_write(const struct virtio_mmio *vm, uint64_t offset)
{
	switch (offset) {
	case VIRTIO_MMIO_DEVICE_FEATURES_SEL:
	case VIRTIO_MMIO_DRIVER_FEATURES:
	case VIRTIO_MMIO_DRIVER_FEATURES_SEL:
	case VIRTIO_MMIO_QUEUE_SEL:
	case VIRTIO_MMIO_QUEUE_NUM:
	case VIRTIO_MMIO_QUEUE_NOTIFY:
	case VIRTIO_MMIO_INTERRUPT_ACK:
	case VIRTIO_MMIO_STATUS:
		return;
	case VIRTIO_MMIO_GUEST_PAGE_SIZE:
	case VIRTIO_MMIO_QUEUE_ALIGN:
	case VIRTIO_MMIO_QUEUE_PFN:
		if (!vm->legacy)
			complain(vm, "virtio_mmio_write", "write to legacy register", offset,
				 " in non-legacy mode");
		return;
	case VIRTIO_MMIO_QUEUE_READY:
	case VIRTIO_MMIO_QUEUE_DESC_LOW:
	case VIRTIO_MMIO_QUEUE_DESC_HIGH:
	case VIRTIO_MMIO_QUEUE_DRIVER_LOW:
	case VIRTIO_MMIO_QUEUE_DRIVER_HIGH:
	case VIRTIO_MMIO_QUEUE_DEVICE_LOW:
	case VIRTIO_MMIO_QUEUE_DEVICE_HIGH:
		if (vm->legacy)
			complain(vm, "virtio_mmio_write", "write to non-legacy register", offset,
				 " in legacy mode");
		return;
	case VIRTIO_MMIO_MAGIC_VALUE:
	case VIRTIO_MMIO_VERSION:
	case VIRTIO_MMIO_DEVICE_ID:
	case VIRTIO_MMIO_VENDOR_ID:
	case VIRTIO_MMIO_DEVICE_FEATURES:
	case VIRTIO_MMIO_QUEUE_NUM_MAX:
	case VIRTIO_MMIO_INTERRUPT_STATUS:
	case VIRTIO_MMIO_CONFIG_GENERATION:
		complain(vm, "virtio_mmio_write", "write to read-only register", offset, "");
		return;
	default:
		complain(vm, "virtio_mmio_write", "bad register offset", offset, "");
		return;
	}
}

static uint64_t virtio_mmio_read(void *opaque, uint64_t offset, unsigned size)
{
	struct virtio_mmio *vm = opaque;
	struct virtio_dev *vd = vm->vd;
	if (offset >= VIRTIO_MMIO_CONFIG)
		return virtio_dev_config_read(vd, offset - VIRTIO_MMIO_CONFIG, size);
	/* 4.2.2.2: the driver uses only 32-bit aligned accesses here. */
	if (size != 4 || (offset & 3)) {
		log_device_access(vm->m, LOG_GUEST_ERRORS,
				  "virtio_mmio_read: wrong size access to register!\n");
		return 0;
	}
	if (vm->m->log_mask & LOG_GUEST_ERRORS)
		check_read(vm, offset);
	const struct virtq *q = selected_queue(vm);
	switch (offset) {
	case VIRTIO_MMIO_MAGIC_VALUE:
		return VIRTIO_MMIO_MAGIC;
	case VIRTIO_MMIO_VERSION:
		return vm->legacy ? 1 : 2;
	case VIRTIO_MMIO_DEVICE_ID:
		return vd->ops->device_id;
	case VIRTIO_MMIO_VENDOR_ID:
		return VIRTIO_MMIO_VENDOR;
	case VIRTIO_MMIO_DEVICE_FEATURES:
		return virtio_dev_host_features(vd, vm->device_features_sel);
	case VIRTIO_MMIO_QUEUE_NUM_MAX:
		/* 0 tells the driver the queue does not exist. */
		return q ? virtio_dev_queue_num_max(vd) : 0;
	case VIRTIO_MMIO_QUEUE_NUM:
		return q ? q->num : 0;
	case VIRTIO_MMIO_QUEUE_PFN:
		return vm->legacy && q ? q->pfn : 0;
	case VIRTIO_MMIO_QUEUE_READY:
		return !vm->legacy && q ? q->ready : 0;
	case VIRTIO_MMIO_INTERRUPT_STATUS:
		return vd->isr;
	case VIRTIO_MMIO_STATUS:
		return vd->status;
	case VIRTIO_MMIO_SHM_LEN_LOW:
	case VIRTIO_MMIO_SHM_LEN_HIGH:
	case VIRTIO_MMIO_SHM_BASE_LOW:
	case VIRTIO_MMIO_SHM_BASE_HIGH:
		/* 4.2.2: a region that does not exist has length and base -1. */
		return vm->legacy ? 0 : 0xffffffffu;
	case VIRTIO_MMIO_CONFIG_GENERATION:
		return 0; /* config space never changes behind the driver's back */
	default:
		return 0; /* write-only and reserved registers */
	}
}

static void set_low(uint64_t *reg, uint32_t val)
{
	*reg = (*reg & ~0xffffffffULL) | val;
}

static void set_high(uint64_t *reg, uint32_t val)
{
	*reg = (*reg & 0xffffffffULL) | (uint64_t)val << 32;
}

static void write_queue_reg(struct virtio_mmio *vm, struct virtq *q, uint64_t offset, uint32_t val)
{
	/* The layout of a live queue is fixed until it is stopped or reset. */
	if (virtio_dev_queue_live(vm->vd, q) && offset != VIRTIO_MMIO_QUEUE_READY &&
	    offset != VIRTIO_MMIO_QUEUE_PFN)
		return;
	switch (offset) {
	case VIRTIO_MMIO_QUEUE_NUM:
		q->num = val; /* validated when the rings are mapped */
		break;
	case VIRTIO_MMIO_QUEUE_ALIGN:
		if (vm->legacy)
			q->align = val;
		break;
	case VIRTIO_MMIO_QUEUE_PFN:
		if (!vm->legacy)
			break;
		/* A new ring, or none: the driver starts over at index 0. */
		q->pfn = val;
		virtio_dev_queue_restart(q);
		break;
	case VIRTIO_MMIO_QUEUE_READY:
		if (vm->legacy)
			break;
		if ((val & 1) && !q->ready)
			virtio_dev_queue_restart(q);
		q->ready = val & 1;
		break;
	case VIRTIO_MMIO_QUEUE_DESC_LOW:
		if (!vm->legacy)
			set_low(&q->desc, val);
		break;
	case VIRTIO_MMIO_QUEUE_DESC_HIGH:
		if (!vm->legacy)
			set_high(&q->desc, val);
		break;
	case VIRTIO_MMIO_QUEUE_DRIVER_LOW:
		if (!vm->legacy)
			set_low(&q->driver, val);
		break;
	case VIRTIO_MMIO_QUEUE_DRIVER_HIGH:
		if (!vm->legacy)
			set_high(&q->driver, val);
		break;
	case VIRTIO_MMIO_QUEUE_DEVICE_LOW:
		if (!vm->legacy)
			set_low(&q->device, val);
		break;
	case VIRTIO_MMIO_QUEUE_DEVICE_HIGH:
		if (!vm->legacy)
			set_high(&q->device, val);
		break;
	default:
		break;
	}
}

static void virtio_mmio_write(void *opaque, uint64_t offset, unsigned size, uint64_t val64)
{
	struct virtio_mmio *vm = opaque;
	struct virtio_dev *vd = vm->vd;
	if (offset >= VIRTIO_MMIO_CONFIG) {
		virtio_dev_config_write(vd, offset - VIRTIO_MMIO_CONFIG, size, val64);
		return;
	}
	if (size != 4 || (offset & 3)) {
		log_device_access(vm->m, LOG_GUEST_ERRORS,
				  "virtio_mmio_write: wrong size access to register!\n");
		return;
	}
	if (vm->m->log_mask & LOG_GUEST_ERRORS)
		check_write(vm, offset);
	const uint32_t val = (uint32_t)val64;
	struct virtq *q = selected_queue(vm);
	switch (offset) {
	case VIRTIO_MMIO_DEVICE_FEATURES_SEL:
		vm->device_features_sel = val;
		break;
	case VIRTIO_MMIO_DRIVER_FEATURES:
		virtio_dev_set_driver_features(vd, vm->driver_features_sel, val);
		break;
	case VIRTIO_MMIO_DRIVER_FEATURES_SEL:
		vm->driver_features_sel = val;
		break;
	case VIRTIO_MMIO_GUEST_PAGE_SIZE:
		/* As QEMU: the log2 of the (power of two) page size. */
		if (vm->legacy)
			vd->guest_page_shift = val ? (unsigned)__builtin_ctz(val) : 0;
		break;
	case VIRTIO_MMIO_QUEUE_SEL:
		vm->queue_sel = val;
		break;
	case VIRTIO_MMIO_QUEUE_NOTIFY:
		virtio_dev_notify(vd, val);
		break;
	case VIRTIO_MMIO_INTERRUPT_ACK:
		virtio_dev_ack_isr(vd, val);
		break;
	case VIRTIO_MMIO_STATUS:
		if (val == 0)
			vm->device_features_sel = vm->driver_features_sel = vm->queue_sel = 0;
		virtio_dev_set_status(vd, val);
		break;
	default:
		if (q)
			write_queue_reg(vm, q, offset, val);
		break;
	}
}

/* ---- creation ---- */

struct virtio_mmio *virtio_mmio_attach(struct virtio_dev *vd, uint64_t base, struct irq_line irq,
				       bool legacy)
{
	struct virtio_mmio *vm = calloc(1, sizeof(*vm));
	if (!vm) {
		fprintf(stderr, "rvjit: out of memory\n");
		virtio_dev_free(vd);
		return NULL;
	}
	vm->m = vd->m;
	vm->irq = irq;
	vm->legacy = legacy;
	vm->vd = vd;
	virtio_dev_bind(vd, legacy, update_irq, vm);
	if (!bus_add(&vm->m->bus, base, VIRTIO_MMIO_SIZE, vm, virtio_mmio_read, virtio_mmio_write,
		     "virtio-mmio")) {
		fprintf(stderr, "rvjit: cannot map virtio-mmio at 0x%llx\n",
			(unsigned long long)base);
		virtio_mmio_free(vm);
		return NULL;
	}
	return vm;
}

struct virtio_mmio *virtio_mmio_new(struct machine *m, uint64_t base, struct irq_line irq,
				    bool legacy, const struct virtio_device_ops *ops, void *opaque)
{
	struct virtio_dev *vd = virtio_dev_new(m, ops, opaque);
	return vd ? virtio_mmio_attach(vd, base, irq, legacy) : NULL;
}

void virtio_mmio_free(struct virtio_mmio *vm)
{
	if (!vm)
		return;
	virtio_dev_free(vm->vd);
	free(vm);
}

/* The opaque pointer of an empty slot is its Version, no allocation needed. */
static uint64_t empty_read(void *opaque, uint64_t offset, unsigned size)
{
	if (size != 4)
		return 0;
	switch (offset) {
	case VIRTIO_MMIO_MAGIC_VALUE:
		return VIRTIO_MMIO_MAGIC;
	case VIRTIO_MMIO_VERSION:
		return (uintptr_t)opaque;
	case VIRTIO_MMIO_VENDOR_ID:
		return VIRTIO_MMIO_VENDOR;
	default:
		return 0; /* DeviceID 0: no device behind this slot */
	}
}

static void empty_write(void *opaque, uint64_t offset, unsigned size, uint64_t val) {}

bool virtio_mmio_empty(struct machine *m, uint64_t base, bool legacy)
{
	return bus_add(&m->bus, base, VIRTIO_MMIO_SIZE, (void *)(uintptr_t)(legacy ? 1 : 2),
		       empty_read, empty_write, "virtio-mmio (empty)");
}

void virtio_mmio_fdt(struct fdt *f, uint64_t base, unsigned irq, uint32_t intc)
{
	fdt_begin_node_at(f, "virtio_mmio", base);
	fdt_prop_string(f, "compatible", "virtio,mmio");
	fdt_prop_reg(f, base, VIRTIO_MMIO_SIZE);
	fdt_prop_u32(f, "interrupt-parent", intc);
	fdt_prop_u32(f, "interrupts", irq);
	fdt_end_node(f);
}

/* The snapshot state (core/vmstate.h): the registers, then the device. */
void virtio_mmio_save(struct virtio_mmio *d, struct vmstate_out *o)
{
	VMSTATE_PUT(o, d->device_features_sel);
	VMSTATE_PUT(o, d->driver_features_sel);
	VMSTATE_PUT(o, d->queue_sel);
	virtio_dev_save(d->vd, o);
}

void virtio_mmio_load(struct virtio_mmio *d, struct vmstate_in *in)
{
	VMSTATE_GET(in, d->device_features_sel);
	VMSTATE_GET(in, d->driver_features_sel);
	VMSTATE_GET(in, d->queue_sel);
	virtio_dev_load(d->vd, in);
}
