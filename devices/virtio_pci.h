/*
 * The virtio-pci transport, modern interface (virtio 1.2 section 4.1): a
 * PCI function with Red Hat's virtio vendor ID and device ID 0x1040 + the
 * virtio device ID, whose vendor capabilities (4.1.4) point into one 64-bit
 * prefetchable memory BAR (BAR 4, 16 KiB, as QEMU lays it out):
 *
 *   0x0000 common configuration (4.1.4.3)
 *   0x1000 ISR status, read-to-clear (4.1.4.5)
 *   0x2000 device-specific configuration (4.1.4.6)
 *   0x3000 notifications, queue q at q * VIRTIO_PCI_NOTIFY_MULTIPLIER
 *
 * Interrupts are INTx pin A, level-triggered, high while the ISR is not
 * zero. There is no MSI-X: QEMU virt has no MSI controller without AIA, so
 * config_msix_vector and queue_msix_vector read NO_VECTOR. There is no
 * legacy I/O BAR (QEMU's transitional default; see the README).
 */
#ifndef RVJIT_VIRTIO_PCI_H
#define RVJIT_VIRTIO_PCI_H

#include "devices/pcie_host.h"
#include "devices/virtio.h"

#define VIRTIO_PCI_VENDOR	     0x1af4
#define VIRTIO_PCI_DEVICE_MODERN     0x1040 /* + virtio device ID */
#define VIRTIO_PCI_BAR		     4
#define VIRTIO_PCI_BAR_SIZE	     0x4000
#define VIRTIO_PCI_COMMON_OFFSET     0x0000
#define VIRTIO_PCI_ISR_OFFSET	     0x1000
#define VIRTIO_PCI_DEVICE_OFFSET     0x2000
#define VIRTIO_PCI_NOTIFY_OFFSET     0x3000
#define VIRTIO_PCI_REGION_SIZE	     0x1000
#define VIRTIO_PCI_NOTIFY_MULTIPLIER 4
#define VIRTIO_PCI_NO_VECTOR	     0xffff

/* Capability cfg_type values (4.1.4). */
#define VIRTIO_PCI_CAP_COMMON_CFG 1
#define VIRTIO_PCI_CAP_NOTIFY_CFG 2
#define VIRTIO_PCI_CAP_ISR_CFG	  3
#define VIRTIO_PCI_CAP_DEVICE_CFG 4

/* Common configuration layout (4.1.4.3). */
#define VIRTIO_PCI_COMMON_DFSELECT	0
#define VIRTIO_PCI_COMMON_DF		4
#define VIRTIO_PCI_COMMON_GFSELECT	8
#define VIRTIO_PCI_COMMON_GF		12
#define VIRTIO_PCI_COMMON_MSIX		16
#define VIRTIO_PCI_COMMON_NUMQ		18
#define VIRTIO_PCI_COMMON_STATUS	20
#define VIRTIO_PCI_COMMON_CFGGENERATION 21
#define VIRTIO_PCI_COMMON_Q_SELECT	22
#define VIRTIO_PCI_COMMON_Q_SIZE	24
#define VIRTIO_PCI_COMMON_Q_MSIX	26
#define VIRTIO_PCI_COMMON_Q_ENABLE	28
#define VIRTIO_PCI_COMMON_Q_NOFF	30
#define VIRTIO_PCI_COMMON_Q_DESC	32
#define VIRTIO_PCI_COMMON_Q_AVAIL	40
#define VIRTIO_PCI_COMMON_Q_USED	48
#define VIRTIO_PCI_COMMON_SIZE		56

struct virtio_pci;

/* Put `vd` (virtio_dev_new) on the host as function devfn, which owns it
 * from then on (and frees it on failure, or with the host). NULL with a
 * message if devfn is taken. */
struct virtio_pci *virtio_pci_attach(struct pcie_host *h, unsigned devfn, struct virtio_dev *vd);

/* The device, for tests. */
struct virtio_dev *virtio_pci_device(struct virtio_pci *vp);

#endif
