/*
 * virtio-blk (virtio 1.2 section 5.2) on the virtio-mmio transport, backed
 * by a struct block_dev. One request queue; requests are served
 * synchronously when the driver notifies it.
 */
#ifndef RVJIT_VIRTIO_BLK_H
#define RVJIT_VIRTIO_BLK_H

#include "devices/block.h"
#include "devices/virtio_mmio.h"

#define VIRTIO_ID_BLOCK 2

/* Feature bits (5.2.3). */
#define VIRTIO_BLK_F_SIZE_MAX	1
#define VIRTIO_BLK_F_SEG_MAX	2
#define VIRTIO_BLK_F_GEOMETRY	4
#define VIRTIO_BLK_F_RO		5
#define VIRTIO_BLK_F_BLK_SIZE	6
#define VIRTIO_BLK_F_SCSI	7 /* legacy */
#define VIRTIO_BLK_F_FLUSH	9
#define VIRTIO_BLK_F_TOPOLOGY	10
#define VIRTIO_BLK_F_CONFIG_WCE 11
#define VIRTIO_BLK_F_MQ		12
#define VIRTIO_F_ANY_LAYOUT	27

/* Request types and status values (5.2.6). */
#define VIRTIO_BLK_T_IN	    0
#define VIRTIO_BLK_T_OUT    1
#define VIRTIO_BLK_T_FLUSH  4
#define VIRTIO_BLK_T_GET_ID 8
#define VIRTIO_BLK_S_OK	    0
#define VIRTIO_BLK_S_IOERR  1
#define VIRTIO_BLK_S_UNSUPP 2

#define VIRTIO_BLK_ID_BYTES 20

/* Map a virtio-blk device for `disk` at `base` on m->bus, interrupting on
 * `irq`; `legacy` selects the Version 1 register layout (QEMU virt's
 * default). `serial` (may be NULL) answers VIRTIO_BLK_T_GET_ID, at most 20
 * bytes of it. The caller keeps ownership of `disk` and closes it after
 * virtio_blk_free. Returns NULL with a message on failure. */
struct virtio_mmio *virtio_blk_new(struct machine *m, uint64_t base, struct irq_line irq,
				   struct block_dev *disk, bool legacy, const char *serial);

/* The same device, not yet on a transport (virtio_mmio_attach,
 * virtio_pci_attach). */
struct virtio_dev *virtio_blk_create(struct machine *m, struct block_dev *disk, const char *serial);

/* Same rules as virtio_mmio_free. */
void virtio_blk_free(struct virtio_mmio *vm);

#endif
