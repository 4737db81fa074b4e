/*
 * A minimal virtio-pci driver for guest tests (virtio 1.2 section 4.1,
 * modern interface; PCIe ECAM as QEMU virt places it). It enumerates bus 0
 * through ECAM at 0x30000000, sizes and places BAR 4 in the 32-bit MMIO
 * window, walks the vendor capabilities to find the common, ISR, device
 * and notify regions, and drives queue 0 (VQ_NUM descriptors, one request
 * at a time). Completion by polling or by INTx: PLIC source 32 + the
 * swizzled line, the ISR read (and so cleared) in the handler.
 * M-mode, identity-mapped. Include after guest.h and guest_irq.h.
 */
#ifndef VIRTIO_PCI_DRV_H
#define VIRTIO_PCI_DRV_H

#include <stdint.h>

#define ECAM_BASE     0x30000000UL
#define PCI_MMIO_BASE 0x40000000UL
#define PCIE_IRQ      32u

#define CFG_COMMAND    0x04
#define CFG_STATUS     0x06
#define CFG_BAR4       0x20
#define CFG_CAP_PTR    0x34
#define CFG_INT_PIN    0x3d
#define CMD_MEMORY     0x2u
#define CMD_MASTER     0x4u
#define STATUS_INTX    0x8u
#define STATUS_CAPLIST 0x10u
#define CAP_VNDR       0x09
#define CAP_COMMON     1
#define CAP_NOTIFY     2
#define CAP_ISR	       3
#define CAP_DEVICE     4

/* Common configuration (4.1.4.3). */
#define CC_DFSELECT 0
#define CC_DF	    4
#define CC_GFSELECT 8
#define CC_GF	    12
#define CC_NUMQ	    18
#define CC_STATUS   20
#define CC_Q_SELECT 22
#define CC_Q_SIZE   24
#define CC_Q_ENABLE 28
#define CC_Q_NOFF   30
#define CC_Q_DESC   32
#define CC_Q_AVAIL  40
#define CC_Q_USED   48

#define VS_ACK	       1u
#define VS_DRIVER      2u
#define VS_DRIVER_OK   4u
#define VS_FEATURES_OK 8u
#define VS_NEEDS_RESET 0x40u

#define VD_NEXT	 1u
#define VD_WRITE 2u

#define VQ_NUM 8u

static inline volatile void *ecam(unsigned devfn, unsigned off)
{
	return (volatile void *)(ECAM_BASE + ((uintptr_t)devfn << 12) + off);
}
static inline uint32_t cfg32(unsigned devfn, unsigned off)
{
	return *(volatile uint32_t *)ecam(devfn, off);
}
static inline uint16_t cfg16(unsigned devfn, unsigned off)
{
	return *(volatile uint16_t *)ecam(devfn, off);
}
static inline uint8_t cfg8(unsigned devfn, unsigned off)
{
	return *(volatile uint8_t *)ecam(devfn, off);
}
static inline void cfg_w32(unsigned devfn, unsigned off, uint32_t v)
{
	*(volatile uint32_t *)ecam(devfn, off) = v;
}
static inline void cfg_w16(unsigned devfn, unsigned off, uint16_t v)
{
	*(volatile uint16_t *)ecam(devfn, off) = v;
}

struct vq_desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags;
	uint16_t next;
};

struct vpci {
	unsigned devfn;
	uintptr_t bar;
	uintptr_t common, isr, device, notify;
	uint32_t notify_mult;
	volatile struct vq_desc *desc;
	volatile uint16_t *avail;
	volatile uint8_t *used;
	uint16_t avail_idx, used_seen;
	int use_irq;
	uint32_t last_id, last_len;
};

static inline uint8_t cc8(const struct vpci *d, unsigned off)
{
	return *(volatile uint8_t *)(d->common + off);
}
static inline uint16_t cc16(const struct vpci *d, unsigned off)
{
	return *(volatile uint16_t *)(d->common + off);
}
static inline uint32_t cc32(const struct vpci *d, unsigned off)
{
	return *(volatile uint32_t *)(d->common + off);
}
static inline void cc_w8(const struct vpci *d, unsigned off, uint8_t v)
{
	*(volatile uint8_t *)(d->common + off) = v;
}
static inline void cc_w16(const struct vpci *d, unsigned off, uint16_t v)
{
	*(volatile uint16_t *)(d->common + off) = v;
}
static inline void cc_w32(const struct vpci *d, unsigned off, uint32_t v)
{
	*(volatile uint32_t *)(d->common + off) = v;
}
static inline void cc_w64(const struct vpci *d, unsigned off, uint64_t v)
{
	/* 4.1.3.1: 64-bit fields as two 32-bit writes, low first. */
	cc_w32(d, off, (uint32_t)v);
	cc_w32(d, off + 4, (uint32_t)(v >> 32));
}

/* The first function of bus 0 with this vendor:device, or -1. */
static inline int vpci_find(uint16_t vendor, uint16_t device)
{
	for (unsigned devfn = 0; devfn < 256; devfn++) {
		const uint32_t id = cfg32(devfn, 0);
		if (id == 0xffffffffu)
			continue;
		if ((id & 0xffff) == vendor && id >> 16 == device)
			return (int)devfn;
	}
	return -1;
}

/* Size BAR 4 (it must be 16 KiB, 64-bit prefetchable), place it at `at`,
 * turn on memory decoding and bus mastering, and find the regions.
 * 0 or a check number. */
static inline int vpci_setup(struct vpci *d, unsigned devfn, uintptr_t at)
{
	d->devfn = devfn;
	cfg_w32(devfn, CFG_BAR4, 0xffffffffu);
	cfg_w32(devfn, CFG_BAR4 + 4, 0xffffffffu);
	if (cfg32(devfn, CFG_BAR4) != 0xffffc00cu || cfg32(devfn, CFG_BAR4 + 4) != 0xffffffffu)
		return 1;
	cfg_w32(devfn, CFG_BAR4, (uint32_t)at);
	cfg_w32(devfn, CFG_BAR4 + 4, (uint32_t)((uint64_t)at >> 32));
	cfg_w16(devfn, CFG_COMMAND, CMD_MEMORY | CMD_MASTER);
	d->bar = at;
	if (!(cfg16(devfn, CFG_STATUS) & STATUS_CAPLIST))
		return 2;
	unsigned found = 0;
	for (unsigned c = cfg8(devfn, CFG_CAP_PTR), n = 0; c && n < 48;
	     c = cfg8(devfn, c + 1), n++) {
		if (cfg8(devfn, c) != CAP_VNDR || cfg8(devfn, c + 4) != 4)
			continue;
		const uintptr_t where = at + cfg32(devfn, c + 8);
		switch (cfg8(devfn, c + 3)) {
		case CAP_COMMON:
			d->common = where;
			break;
		case CAP_ISR:
			d->isr = where;
			break;
		case CAP_DEVICE:
			d->device = where;
			break;
		case CAP_NOTIFY:
			d->notify = where;
			d->notify_mult = cfg32(devfn, c + 16);
			break;
		}
		found |= 1u << cfg8(devfn, c + 3);
	}
	return found == 0x1e ? 0 : 3;
}

/* 3.1.1 up to FEATURES_OK with VERSION_1 and `want` (low word). The
 * device's low feature word through *offered. 0 or a check number. */
static inline int vpci_negotiate(struct vpci *d, uint32_t want, uint32_t *offered)
{
	cc_w8(d, CC_STATUS, 0);
	if (cc8(d, CC_STATUS) != 0)
		return 10;
	cc_w8(d, CC_STATUS, VS_ACK);
	cc_w8(d, CC_STATUS, VS_ACK | VS_DRIVER);
	cc_w32(d, CC_DFSELECT, 0);
	*offered = cc32(d, CC_DF);
	cc_w32(d, CC_DFSELECT, 1);
	if (!(cc32(d, CC_DF) & 1))
		return 11; /* VERSION_1 */
	cc_w32(d, CC_GFSELECT, 0);
	cc_w32(d, CC_GF, want & *offered);
	cc_w32(d, CC_GFSELECT, 1);
	cc_w32(d, CC_GF, 1);
	cc_w8(d, CC_STATUS, VS_ACK | VS_DRIVER | VS_FEATURES_OK);
	if (!(cc8(d, CC_STATUS) & VS_FEATURES_OK))
		return 12;
	return 0;
}

static struct vq_desc vpci_desc[VQ_NUM] __attribute__((aligned(16)));
static uint16_t vpci_avail[3 + VQ_NUM] __attribute__((aligned(2)));
static uint8_t vpci_used[6 + 8 * VQ_NUM] __attribute__((aligned(4)));

/* Queue 0 with VQ_NUM entries, then DRIVER_OK. 0 or a check number. */
static inline int vpci_queue(struct vpci *d)
{
	cc_w16(d, CC_Q_SELECT, 0);
	const uint16_t max = cc16(d, CC_Q_SIZE);
	if (max < VQ_NUM)
		return 20;
	if (cc16(d, CC_Q_ENABLE) != 0)
		return 21;
	for (unsigned i = 0; i < sizeof(vpci_used); i++)
		vpci_used[i] = 0;
	for (unsigned i = 0; i < 3 + VQ_NUM; i++)
		vpci_avail[i] = 0;
	d->desc = vpci_desc;
	d->avail = vpci_avail;
	d->used = vpci_used;
	d->avail_idx = d->used_seen = 0;
	cc_w16(d, CC_Q_SIZE, VQ_NUM);
	cc_w64(d, CC_Q_DESC, (uintptr_t)vpci_desc);
	cc_w64(d, CC_Q_AVAIL, (uintptr_t)vpci_avail);
	cc_w64(d, CC_Q_USED, (uintptr_t)vpci_used);
	cc_w16(d, CC_Q_ENABLE, 1);
	if (cc16(d, CC_Q_ENABLE) != 1)
		return 22;
	cc_w8(d, CC_STATUS, VS_ACK | VS_DRIVER | VS_FEATURES_OK | VS_DRIVER_OK);
	return 0;
}

static inline void vpci_notify(struct vpci *d, unsigned queue)
{
	/* 4.1.4.4: the queue's address is queue_notify_off * multiplier. */
	cc_w16(d, CC_Q_SELECT, (uint16_t)queue);
	const uint16_t noff = cc16(d, CC_Q_NOFF);
	*(volatile uint16_t *)(d->notify + (uintptr_t)noff * d->notify_mult) = (uint16_t)queue;
}

/* ---- INTx ---- */

static struct vpci *vpci_irq_dev;
static volatile unsigned vpci_irqs;
static volatile uint32_t vpci_isr_seen;
static volatile uint32_t vpci_bad_claim;
static unsigned vpci_plic_id;

__attribute__((interrupt("machine"), aligned(4))) static void vpci_trap(void)
{
	if (csr_read(mcause) != MCAUSE_M_EXTERNAL)
		guest_exit(1000 + (int)(csr_read(mcause) & 0xff));
	const uint32_t id = plic_claim_m0();
	if (!vpci_irq_dev || id != vpci_plic_id) {
		vpci_bad_claim = id ? id : 0xffff;
	} else {
		/* 4.1.4.5: reading the ISR clears it and lowers INTx. */
		vpci_isr_seen = *(volatile uint8_t *)vpci_irq_dev->isr;
	}
	if (id)
		plic_complete_m0(id);
	vpci_irqs++;
}

/* The PLIC source of the function's INTx: QEMU virt's interrupt-map. */
static inline unsigned vpci_plic_source(const struct vpci *d)
{
	const unsigned slot = d->devfn >> 3, pin = cfg8(d->devfn, CFG_INT_PIN);
	return PCIE_IRQ + (slot + pin - 1) % 4;
}

static inline void vpci_enable_irq(struct vpci *d)
{
	vpci_irq_dev = d;
	vpci_plic_id = vpci_plic_source(d);
	d->use_irq = 1;
	csr_write(mtvec, (uint64_t)(uintptr_t)vpci_trap);
	plic_enable_m0(vpci_plic_id, 1);
	csr_set(mie, MIE_MEIE);
	csr_set(mstatus, MSTATUS_MIE);
}

/* ---- requests ---- */

static inline void vpci_set_desc(struct vpci *d, unsigned i, uintptr_t addr, uint32_t len,
				 uint16_t flags, uint16_t next)
{
	d->desc[i].addr = addr;
	d->desc[i].len = len;
	d->desc[i].flags = flags;
	d->desc[i].next = next;
}

/* Publish the chain at `head`, notify, and wait (for the interrupt, or by
 * polling) for its used entry. 0, or -1 when none came. */
static inline int vpci_kick_and_wait(struct vpci *d, uint16_t head)
{
	d->avail[0] = d->use_irq ? 0 : 1; /* NO_INTERRUPT when polling */
	d->avail[2 + d->avail_idx % VQ_NUM] = head;
	__sync_synchronize();
	d->avail_idx++;
	d->avail[1] = d->avail_idx;
	__sync_synchronize();
	const unsigned irqs = vpci_irqs;
	vpci_notify(d, 0);
	volatile uint16_t *used_idx = (volatile uint16_t *)(d->used + 2);
	if (d->use_irq)
		wait_for_change(&vpci_irqs, irqs);
	for (unsigned n = 0; *used_idx == d->used_seen; n++)
		if (n > 10000000)
			return -1;
	__sync_synchronize();
	volatile uint32_t *ent = (volatile uint32_t *)(d->used + 4 + 8 * (d->used_seen % VQ_NUM));
	d->last_id = ent[0];
	d->last_len = ent[1];
	d->used_seen++;
	return 0;
}

#endif
