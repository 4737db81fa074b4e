/*
 * The virtio-pci transport, modern interface (virtio 1.2 section 4.1; the
 * model is in virtio_pci.h): the function's identity and vendor
 * capabilities, then the four regions of its memory BAR. The status,
 * features and rings are the shared ones of virtio.c.
 *
 * The guest is not trusted: every region bounds its accesses, a notify
 * beyond the queues or off the multiplier is ignored (logged with
 * -d guest_errors), and the rings are checked by virtio.c as for mmio.
 */
#include "virtio_pci.h"
#include "core/guest_log.h"
#include "core/vmstate.h"
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct virtio_pci {
	struct virtio_dev *vd;
	struct pci_function *fn;
	uint32_t device_features_sel;
	uint32_t driver_features_sel;
	uint16_t queue_sel;
};

struct virtio_dev *virtio_pci_device(struct virtio_pci *vp)
{
	return vp->vd;
}

/* INTx follows the ISR (4.1.4.5.1). */
static void isr_changed(void *opaque)
{
	struct virtio_pci *vp = opaque;
	pci_function_set_irq(vp->fn, vp->vd->isr != 0);
}

/* ---- common configuration (4.1.4.3) ---- */

/* The structure as the driver would read it now. */
static void common_image(struct virtio_pci *vp, uint8_t img[VIRTIO_PCI_COMMON_SIZE])
{
	struct virtio_dev *vd = vp->vd;
	const struct virtq *q = virtio_dev_queue(vd, vp->queue_sel);
	memset(img, 0, VIRTIO_PCI_COMMON_SIZE);
	virtio_put_le32(img + VIRTIO_PCI_COMMON_DFSELECT, vp->device_features_sel);
	virtio_put_le32(img + VIRTIO_PCI_COMMON_DF,
			virtio_dev_host_features(vd, vp->device_features_sel));
	virtio_put_le32(img + VIRTIO_PCI_COMMON_GFSELECT, vp->driver_features_sel);
	virtio_put_le32(img + VIRTIO_PCI_COMMON_GF,
			vp->driver_features_sel > 1
			    ? 0
			    : (uint32_t)(vd->driver_features >> (32 * vp->driver_features_sel)));
	virtio_put_le16(img + VIRTIO_PCI_COMMON_MSIX, VIRTIO_PCI_NO_VECTOR);
	virtio_put_le16(img + VIRTIO_PCI_COMMON_NUMQ, (uint16_t)vd->ops->num_queues);
	img[VIRTIO_PCI_COMMON_STATUS] = (uint8_t)vd->status;
	img[VIRTIO_PCI_COMMON_CFGGENERATION] = 0; /* config never changes behind the driver */
	virtio_put_le16(img + VIRTIO_PCI_COMMON_Q_SELECT, vp->queue_sel);
	virtio_put_le16(img + VIRTIO_PCI_COMMON_Q_MSIX, VIRTIO_PCI_NO_VECTOR);
	if (!q)
		return; /* 4.1.4.3.2: queue_size 0 for a queue that does not exist */
	/* Before the driver sets it, queue_size reads the maximum (4.1.4.3.2). */
	virtio_put_le16(img + VIRTIO_PCI_COMMON_Q_SIZE,
			(uint16_t)(q->num ? q->num : virtio_dev_queue_num_max(vd)));
	virtio_put_le16(img + VIRTIO_PCI_COMMON_Q_ENABLE, q->ready);
	virtio_put_le16(img + VIRTIO_PCI_COMMON_Q_NOFF, vp->queue_sel);
	virtio_put_le64(img + VIRTIO_PCI_COMMON_Q_DESC, q->desc);
	virtio_put_le64(img + VIRTIO_PCI_COMMON_Q_AVAIL, q->driver);
	virtio_put_le64(img + VIRTIO_PCI_COMMON_Q_USED, q->device);
}

static uint64_t common_read(struct virtio_pci *vp, uint64_t off, unsigned size)
{
	uint8_t img[VIRTIO_PCI_COMMON_SIZE];
	if (off >= VIRTIO_PCI_COMMON_SIZE || size > VIRTIO_PCI_COMMON_SIZE - off)
		return 0;
	common_image(vp, img);
	uint8_t bytes[8] = {0};
	memcpy(bytes, img + off, size);
	return virtio_le64(bytes);
}

/* Did the write [off, off+size) touch the field [at, at+len)? */
static bool touches(uint64_t off, unsigned size, unsigned at, unsigned len)
{
	return off < at + len && at < off + size;
}

/* A write may cover part of a field (the 64-bit addresses are written as
 * two 32-bit halves, 4.1.3.1): merge it into the current image, then take
 * each writable field it touched from there. */
static void common_write(struct virtio_pci *vp, uint64_t off, unsigned size, uint64_t val)
{
	struct virtio_dev *vd = vp->vd;
	uint8_t img[VIRTIO_PCI_COMMON_SIZE];
	if (off >= VIRTIO_PCI_COMMON_SIZE || size > VIRTIO_PCI_COMMON_SIZE - off)
		return;
	common_image(vp, img);
	for (unsigned i = 0; i < size; i++)
		img[off + i] = (uint8_t)(val >> (8 * i));

	if (touches(off, size, VIRTIO_PCI_COMMON_DFSELECT, 4))
		vp->device_features_sel = virtio_le32(img + VIRTIO_PCI_COMMON_DFSELECT);
	if (touches(off, size, VIRTIO_PCI_COMMON_GFSELECT, 4))
		vp->driver_features_sel = virtio_le32(img + VIRTIO_PCI_COMMON_GFSELECT);
	if (touches(off, size, VIRTIO_PCI_COMMON_GF, 4))
		virtio_dev_set_driver_features(vd, vp->driver_features_sel,
					       virtio_le32(img + VIRTIO_PCI_COMMON_GF));
	if (touches(off, size, VIRTIO_PCI_COMMON_Q_SELECT, 2))
		vp->queue_sel = virtio_le16(img + VIRTIO_PCI_COMMON_Q_SELECT);
	if (touches(off, size, VIRTIO_PCI_COMMON_STATUS, 1)) {
		const uint8_t status = img[VIRTIO_PCI_COMMON_STATUS];
		if (status == 0)
			vp->device_features_sel = vp->driver_features_sel = vp->queue_sel = 0;
		virtio_dev_set_status(vd, status);
	}
	struct virtq *q = virtio_dev_queue(vd, vp->queue_sel);
	if (!q)
		return;
	/* 4.1.4.3.2: the driver writes enable only with 1, and changes
	 * nothing of an enabled queue. */
	if (q->ready)
		return;
	if (touches(off, size, VIRTIO_PCI_COMMON_Q_SIZE, 2))
		q->num = virtio_le16(img + VIRTIO_PCI_COMMON_Q_SIZE); /* checked at use */
	if (touches(off, size, VIRTIO_PCI_COMMON_Q_DESC, 8))
		q->desc = virtio_le64(img + VIRTIO_PCI_COMMON_Q_DESC);
	if (touches(off, size, VIRTIO_PCI_COMMON_Q_AVAIL, 8))
		q->driver = virtio_le64(img + VIRTIO_PCI_COMMON_Q_AVAIL);
	if (touches(off, size, VIRTIO_PCI_COMMON_Q_USED, 8))
		q->device = virtio_le64(img + VIRTIO_PCI_COMMON_Q_USED);
	if (touches(off, size, VIRTIO_PCI_COMMON_Q_ENABLE, 2) &&
	    (virtio_le16(img + VIRTIO_PCI_COMMON_Q_ENABLE) & 1)) {
		if (!q->num)
			q->num = virtio_dev_queue_num_max(vd);
		virtio_dev_queue_restart(q);
		q->ready = true;
	}
}

/* ---- the BAR ---- */

static uint64_t bar_read(void *opaque, unsigned bar, uint64_t offset, unsigned size)
{
	struct virtio_pci *vp = opaque;
	const uint64_t off = offset % VIRTIO_PCI_REGION_SIZE;
	(void)bar;
	switch (offset / VIRTIO_PCI_REGION_SIZE * VIRTIO_PCI_REGION_SIZE) {
	case VIRTIO_PCI_COMMON_OFFSET:
		return common_read(vp, off, size);
	case VIRTIO_PCI_ISR_OFFSET:
		/* 4.1.4.5: reading the ISR clears it (and lowers INTx). */
		return off == 0 ? virtio_dev_take_isr(vp->vd) : 0;
	case VIRTIO_PCI_DEVICE_OFFSET:
		return virtio_dev_config_read(vp->vd, off, size);
	default:
		return 0; /* notifications are write-only */
	}
}

static void notify(struct virtio_pci *vp, uint64_t off)
{
	const uint64_t queue = off / VIRTIO_PCI_NOTIFY_MULTIPLIER;
	/* 4.1.4.4: queue q's address is q * multiplier (queue_notify_off = q). */
	if (off % VIRTIO_PCI_NOTIFY_MULTIPLIER || queue >= vp->vd->ops->num_queues) {
		log_device_access(vp->vd->m, LOG_GUEST_ERRORS,
				  "virtio-pci: notify at bad offset 0x%" PRIx64 "\n", off);
		return;
	}
	virtio_dev_notify(vp->vd, (uint32_t)queue);
}

static void bar_write(void *opaque, unsigned bar, uint64_t offset, unsigned size, uint64_t val)
{
	struct virtio_pci *vp = opaque;
	const uint64_t off = offset % VIRTIO_PCI_REGION_SIZE;
	(void)bar;
	switch (offset / VIRTIO_PCI_REGION_SIZE * VIRTIO_PCI_REGION_SIZE) {
	case VIRTIO_PCI_COMMON_OFFSET:
		common_write(vp, off, size, val);
		break;
	case VIRTIO_PCI_DEVICE_OFFSET:
		virtio_dev_config_write(vp->vd, off, size, val);
		break;
	case VIRTIO_PCI_NOTIFY_OFFSET:
		notify(vp, off);
		break;
	default:
		break; /* the ISR is read-only */
	}
}

/* ---- the function ---- */

/* One struct virtio_pci_cap (4.1.4) at `at`, `extra` more bytes after it. */
static void put_cap(uint8_t *cfg, unsigned at, unsigned next, uint8_t type, uint32_t offset,
		    uint32_t length, unsigned extra)
{
	cfg[at] = PCI_CAP_ID_VNDR;
	cfg[at + 1] = (uint8_t)next;
	cfg[at + 2] = (uint8_t)(16 + extra); /* cap_len */
	cfg[at + 3] = type;
	cfg[at + 4] = VIRTIO_PCI_BAR;
	virtio_put_le32(cfg + at + 8, offset);
	virtio_put_le32(cfg + at + 12, length);
}

/* QEMU's class for each device type. */
static uint32_t class_code(uint32_t device_id)
{
	switch (device_id) {
	case 1:
		return 0x020000; /* network, Ethernet */
	case 2:
		return 0x010000; /* mass storage, SCSI */
	default:
		return 0x00ff00; /* unclassified, other */
	}
}

static const char *class_name(uint32_t device_id)
{
	switch (device_id) {
	case 1:
		return "Ethernet controller";
	case 2:
		return "SCSI controller";
	default:
		return "Class 0255";
	}
}

/* The transport's registers, then the device (virtio.c). */
static void virtio_pci_save(void *opaque, struct vmstate_out *o)
{
	struct virtio_pci *vp = opaque;
	VMSTATE_PUT(o, vp->device_features_sel);
	VMSTATE_PUT(o, vp->driver_features_sel);
	VMSTATE_PUT(o, vp->queue_sel);
	virtio_dev_save(vp->vd, o);
}

static void virtio_pci_load(void *opaque, struct vmstate_in *in)
{
	struct virtio_pci *vp = opaque;
	VMSTATE_GET(in, vp->device_features_sel);
	VMSTATE_GET(in, vp->driver_features_sel);
	VMSTATE_GET(in, vp->queue_sel);
	virtio_dev_load(vp->vd, in);
}

static void virtio_pci_free(void *opaque)
{
	struct virtio_pci *vp = opaque;
	virtio_dev_free(vp->vd);
	free(vp);
}

struct virtio_pci *virtio_pci_attach(struct pcie_host *h, unsigned devfn, struct virtio_dev *vd)
{
	struct virtio_pci *vp = calloc(1, sizeof(*vp));
	if (!vp) {
		fprintf(stderr, "rvjit: out of memory\n");
		virtio_dev_free(vd);
		return NULL;
	}
	vp->vd = vd;
	const uint32_t id = vd->ops->device_id;
	struct pci_function_desc desc = {
	    .vendor_id = VIRTIO_PCI_VENDOR,
	    .device_id = (uint16_t)(VIRTIO_PCI_DEVICE_MODERN + id),
	    .revision = 1, /* 4.1.2.1: non-transitional devices have revision >= 1 */
	    .class_code = class_code(id),
	    .subsystem_vendor_id = VIRTIO_PCI_VENDOR,
	    .subsystem_id = 0x1100, /* QEMU's for a modern-only function */
	    .interrupt_pin = 1,
	    .bar_read = bar_read,
	    .bar_write = bar_write,
	    .free = virtio_pci_free,
	    .save = virtio_pci_save,
	    .load = virtio_pci_load,
	    .name = class_name(id),
	};
	desc.bars[VIRTIO_PCI_BAR] =
	    (struct pci_bar){VIRTIO_PCI_BAR_SIZE, PCI_BAR_MEM64 | PCI_BAR_PREFETCH};
	vp->fn = pcie_host_add(h, devfn, &desc, vp);
	if (!vp->fn) {
		fprintf(stderr, "rvjit: PCI address %02x.%x is taken\n", devfn >> 3, devfn & 7);
		virtio_pci_free(vp);
		return NULL;
	}
	uint8_t *cfg = pci_function_config(vp->fn);
	const unsigned c0 = PCI_FIRST_CAP_OFFSET;
	put_cap(cfg, c0, c0 + 16, VIRTIO_PCI_CAP_COMMON_CFG, VIRTIO_PCI_COMMON_OFFSET,
		VIRTIO_PCI_REGION_SIZE, 0);
	put_cap(cfg, c0 + 16, c0 + 32, VIRTIO_PCI_CAP_ISR_CFG, VIRTIO_PCI_ISR_OFFSET,
		VIRTIO_PCI_REGION_SIZE, 0);
	put_cap(cfg, c0 + 32, c0 + 48, VIRTIO_PCI_CAP_DEVICE_CFG, VIRTIO_PCI_DEVICE_OFFSET,
		VIRTIO_PCI_REGION_SIZE, 0);
	put_cap(cfg, c0 + 48, 0, VIRTIO_PCI_CAP_NOTIFY_CFG, VIRTIO_PCI_NOTIFY_OFFSET,
		VIRTIO_PCI_REGION_SIZE, 4);
	virtio_put_le32(cfg + c0 + 64, VIRTIO_PCI_NOTIFY_MULTIPLIER);
	pci_function_set_caps(vp->fn, (uint8_t)c0);
	virtio_dev_bind(vd, false, isr_changed, vp);
	return vp;
}
