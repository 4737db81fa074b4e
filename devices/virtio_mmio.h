/*
 * The virtio-mmio transport (virtio 1.2, section 4.2) for a struct
 * virtio_dev (virtio.h: the status, features and rings every transport
 * shares). The transport owns the registers and the interrupt line.
 *
 * Two register layouts, chosen per instance at creation:
 *   modern (Version 2, 4.2.2): QueueReady, 64-bit QueueDesc/Driver/Device
 *     addresses, FEATURES_OK, VIRTIO_F_VERSION_1 offered. What xv6 asks for
 *     with `-global virtio-mmio.force-legacy=false`.
 *   legacy (Version 1, 4.2.4): GuestPageSize, QueuePFN, QueueAlign; the
 *     three rings are laid out contiguously from QueuePFN * GuestPageSize
 *     (2.7.2 "Legacy Interfaces: A Note on Virtqueue Layout"). QEMU's virt
 *     default.
 */
#ifndef RVJIT_VIRTIO_MMIO_H
#define RVJIT_VIRTIO_MMIO_H

#include "devices/irq.h"
#include "devices/virtio.h"
#include <stdbool.h>
#include <stdint.h>

/* QEMU virt: eight slots from 0x10001000, 0x1000 apart, PLIC IRQ 1 + i. */
#define VIRTIO_MMIO_SIZE   0x1000
#define VIRTIO_MMIO_MAGIC  0x74726976u /* "virt" */
#define VIRTIO_MMIO_VENDOR 0x554d4551u /* "QEMU" */

/* Registers (4.2.2; legacy-only ones from 4.2.4). */
#define VIRTIO_MMIO_MAGIC_VALUE		0x000
#define VIRTIO_MMIO_VERSION		0x004
#define VIRTIO_MMIO_DEVICE_ID		0x008
#define VIRTIO_MMIO_VENDOR_ID		0x00c
#define VIRTIO_MMIO_DEVICE_FEATURES	0x010
#define VIRTIO_MMIO_DEVICE_FEATURES_SEL 0x014
#define VIRTIO_MMIO_DRIVER_FEATURES	0x020
#define VIRTIO_MMIO_DRIVER_FEATURES_SEL 0x024
#define VIRTIO_MMIO_GUEST_PAGE_SIZE	0x028 /* legacy */
#define VIRTIO_MMIO_QUEUE_SEL		0x030
#define VIRTIO_MMIO_QUEUE_NUM_MAX	0x034
#define VIRTIO_MMIO_QUEUE_NUM		0x038
#define VIRTIO_MMIO_QUEUE_ALIGN		0x03c /* legacy */
#define VIRTIO_MMIO_QUEUE_PFN		0x040 /* legacy */
#define VIRTIO_MMIO_QUEUE_READY		0x044
#define VIRTIO_MMIO_QUEUE_NOTIFY	0x050
#define VIRTIO_MMIO_INTERRUPT_STATUS	0x060
#define VIRTIO_MMIO_INTERRUPT_ACK	0x064
#define VIRTIO_MMIO_STATUS		0x070
#define VIRTIO_MMIO_QUEUE_DESC_LOW	0x080
#define VIRTIO_MMIO_QUEUE_DESC_HIGH	0x084
#define VIRTIO_MMIO_QUEUE_DRIVER_LOW	0x090
#define VIRTIO_MMIO_QUEUE_DRIVER_HIGH	0x094
#define VIRTIO_MMIO_QUEUE_DEVICE_LOW	0x0a0
#define VIRTIO_MMIO_QUEUE_DEVICE_HIGH	0x0a4
#define VIRTIO_MMIO_SHM_SEL		0x0ac
#define VIRTIO_MMIO_SHM_LEN_LOW		0x0b0
#define VIRTIO_MMIO_SHM_LEN_HIGH	0x0b4
#define VIRTIO_MMIO_SHM_BASE_LOW	0x0b8
#define VIRTIO_MMIO_SHM_BASE_HIGH	0x0bc
#define VIRTIO_MMIO_QUEUE_RESET		0x0c0
#define VIRTIO_MMIO_CONFIG_GENERATION	0x0fc
#define VIRTIO_MMIO_CONFIG		0x100

/* InterruptStatus bits (4.2.2). */
#define VIRTIO_MMIO_INT_VRING  VIRTIO_ISR_VRING
#define VIRTIO_MMIO_INT_CONFIG VIRTIO_ISR_CONFIG

struct virtio_mmio;

/* Map a virtio-mmio device at `base` on m->bus (VIRTIO_MMIO_SIZE bytes).
 * `ops` must outlive the device. Returns NULL with a message on failure. */
struct virtio_mmio *virtio_mmio_new(struct machine *m, uint64_t base, struct irq_line irq,
				    bool legacy, const struct virtio_device_ops *ops, void *opaque);

/* Put an existing device (virtio_dev_new) on a new virtio-mmio transport,
 * which owns it from then on (and frees it on failure). */
struct virtio_mmio *virtio_mmio_attach(struct virtio_dev *vd, uint64_t base, struct irq_line irq,
				       bool legacy);

/* Free the transport and (ops->free) the device. Only once the machine no
 * longer runs: the bus still points to it. */
void virtio_mmio_free(struct virtio_mmio *vm);

/* An unpopulated slot, as QEMU's virt board has: MagicValue and Version read
 * as usual, DeviceID reads 0 (4.2.3.1.1: "no device"), everything else reads
 * 0 and ignores writes. False if the bus refused it. */
bool virtio_mmio_empty(struct machine *m, uint64_t base, bool legacy);

/* Write a transport's device-tree node ("virtio,mmio", interrupt `irq` of
 * the interrupt controller with phandle `intc`). Empty slots get one too,
 * as on QEMU's virt: drivers find DeviceID 0 and skip them. */
struct fdt;
void virtio_mmio_fdt(struct fdt *f, uint64_t base, unsigned irq, uint32_t intc);

/* The features both sides agreed on, the device status (for tests), and
 * the device itself. */
uint64_t virtio_mmio_features(const struct virtio_mmio *vm);
uint32_t virtio_mmio_status(const struct virtio_mmio *vm);
struct virtio_dev *virtio_mmio_device(struct virtio_mmio *vm);

/* savevm/loadvm (core/vmstate.h): the device's state into or out of the
 * stream; load also re-drives its interrupt lines. */
void virtio_mmio_save(struct virtio_mmio *d, struct vmstate_out *o);
void virtio_mmio_load(struct virtio_mmio *d, struct vmstate_in *in);

#endif
