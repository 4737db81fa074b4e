// clang-format off
// args: -device virtio-rng-pci,addr=1 -device virtio-net-pci,addr=2
// expect-output: virtio-pci hostile ok
// clang-format on
/* A hostile virtio-pci driver: garbage in configuration space, BARs over
 * RAM and over each other, notifications at bad offsets, accesses past the
 * regions, queues outside RAM or of a size that is not a power of two.
 * Each must end in a guest-visible answer (RAM intact, all-ones or zero
 * reads, DEVICE_NEEDS_RESET with a configuration interrupt), never a crash;
 * the device works again after a reset. */
#include "guest.h"
#include "guest_irq.h"
#include "virtio_pci_drv.h"

static struct vpci rng, net;
static uint8_t buf[32] __attribute__((aligned(16)));
static volatile uint64_t ram_marker[2048] __attribute__((aligned(16384)));

static int good_read(struct vpci *d)
{
	buf[0] = 0xaa;
	vpci_set_desc(d, 0, (uintptr_t)buf, 16, VD_WRITE, 0);
	return vpci_kick_and_wait(d, 0) == 0 && d->last_len == 16 ? 0 : 1;
}

int main(void)
{
	const unsigned r = 1 << 3, n = 2 << 3;
	/* Garbage over the whole header of the rng: the IDs, the capability
	 * list and the read-only bits stay. */
	for (unsigned off = 0; off < 256; off += 4)
		cfg_w32(r, off, 0xffffffffu);
	for (unsigned off = 0; off < 256; off++)
		*(volatile uint8_t *)ecam(r, off) = 0x5a;
	CHECK(cfg32(r, 0) == 0x10441af4u, 1);
	CHECK(cfg8(r, CFG_CAP_PTR) == 0x40 && cfg8(r, 0x40) == CAP_VNDR, 2);
	/* Past the 256 bytes, in extended space, and on other buses. */
	CHECK(cfg32(r, 0x800) == 0, 3);
	cfg_w32(r, 0xffc, 1);
	CHECK(cfg32(r + 3, 0) == 0xffffffffu, 4); /* 01.3: no function */
	CHECK(*(volatile uint32_t *)(ECAM_BASE + (7u << 20)) == 0xffffffffu, 5);

	/* BAR 4 over RAM: RAM stays RAM, the device answers nowhere. */
	ram_marker[0] = 0x1122334455667788ull;
	cfg_w32(r, CFG_BAR4, (uint32_t)(uintptr_t)ram_marker);
	cfg_w32(r, CFG_BAR4 + 4, 0);
	cfg_w16(r, CFG_COMMAND, CMD_MEMORY | CMD_MASTER);
	CHECK(ram_marker[0] == 0x1122334455667788ull, 10);
	ram_marker[2] = 7; /* would be common cfg's driver_feature_select */
	CHECK(ram_marker[2] == 7, 11);

	/* Both functions' BARs at the same place: the lower devfn answers
	 * (the rng: one queue), the other is shadowed, nothing breaks. */
	struct vpci *d = &rng;
	CHECK(vpci_setup(&net, n, PCI_MMIO_BASE) == 0, 12);
	CHECK(cc16(&net, CC_NUMQ) == 2, 13);
	CHECK(vpci_setup(d, r, PCI_MMIO_BASE) == 0, 14);
	CHECK(cc16(d, CC_NUMQ) == 1, 15);
	cfg_w32(n, CFG_BAR4, PCI_MMIO_BASE + 0x100000);
	CHECK(cc16(&net, CC_NUMQ) == 1, 16); /* the old place is the rng's alone */
	net.common += 0x100000;
	CHECK(cc16(&net, CC_NUMQ) == 2, 17);

	/* Unmapped window addresses read 0, writes vanish. */
	CHECK(*(volatile uint32_t *)(PCI_MMIO_BASE + 0x300000) == 0, 20);
	*(volatile uint32_t *)(PCI_MMIO_BASE + 0x300000) = 1;
	CHECK(*(volatile uint64_t *)(0x400000000ull + 0x1000) == 0, 21);
	/* Past the common structure, odd sizes, the ISR region's tail. */
	CHECK(cc32(d, 0x100) == 0 && cc32(d, 0xffc) == 0, 22);
	CHECK(*(volatile uint32_t *)(d->isr + 4) == 0, 23);
	*(volatile uint32_t *)d->isr = 0xffffffffu; /* read-only */

	uint32_t offered;
	/* A queue in no RAM (the boot ROM, then beyond RAM): notifying it
	 * puts the device in NEEDS_RESET with a configuration interrupt. */
	CHECK(vpci_negotiate(d, 0, &offered) == 0, 30);
	cc_w16(d, CC_Q_SELECT, 0);
	cc_w16(d, CC_Q_SIZE, VQ_NUM);
	cc_w64(d, CC_Q_DESC, 0x1000);
	cc_w64(d, CC_Q_AVAIL, 0x4000000000ull);
	cc_w64(d, CC_Q_USED, 0x80000000ull - 8);
	cc_w16(d, CC_Q_ENABLE, 1);
	cc_w8(d, CC_STATUS, VS_ACK | VS_DRIVER | VS_FEATURES_OK | VS_DRIVER_OK);
	/* Bad notifications first: off the multiplier, past the queues,
	 * past the region. */
	*(volatile uint16_t *)(d->notify + 2) = 0;
	*(volatile uint16_t *)(d->notify + 4 * 7) = 7;
	*(volatile uint32_t *)(d->notify + 0xffc) = 0;
	CHECK(!(cc8(d, CC_STATUS) & VS_NEEDS_RESET), 31);
	vpci_notify(d, 0);
	CHECK(cc8(d, CC_STATUS) & VS_NEEDS_RESET, 32);
	CHECK(*(volatile uint8_t *)d->isr == 2, 33); /* configuration change */

	/* A queue size that is not a power of two: the same. */
	CHECK(vpci_negotiate(d, 0, &offered) == 0, 40);
	cc_w16(d, CC_Q_SELECT, 0);
	cc_w16(d, CC_Q_SIZE, 7);
	cc_w64(d, CC_Q_DESC, (uintptr_t)vpci_desc);
	cc_w64(d, CC_Q_AVAIL, (uintptr_t)vpci_avail);
	cc_w64(d, CC_Q_USED, (uintptr_t)vpci_used);
	cc_w16(d, CC_Q_ENABLE, 1);
	cc_w8(d, CC_STATUS, VS_ACK | VS_DRIVER | VS_FEATURES_OK | VS_DRIVER_OK);
	vpci_avail[1] = 1;
	vpci_notify(d, 0);
	CHECK(cc8(d, CC_STATUS) & VS_NEEDS_RESET, 41);
	/* A queue selector past the queues: size 0, writes ignored. */
	cc_w16(d, CC_Q_SELECT, 9);
	CHECK(cc16(d, CC_Q_SIZE) == 0, 42);
	cc_w16(d, CC_Q_ENABLE, 1);
	CHECK(cc16(d, CC_Q_ENABLE) == 0, 43);
	/* Features beyond what was offered: FEATURES_OK refused. */
	cc_w8(d, CC_STATUS, 0);
	cc_w8(d, CC_STATUS, VS_ACK | VS_DRIVER);
	cc_w32(d, CC_GFSELECT, 0);
	cc_w32(d, CC_GF, 0xffffffffu);
	cc_w8(d, CC_STATUS, VS_ACK | VS_DRIVER | VS_FEATURES_OK);
	CHECK(!(cc8(d, CC_STATUS) & VS_FEATURES_OK), 44);

	/* After all that, a reset and a proper driver: it works. */
	CHECK(vpci_negotiate(d, 0, &offered) == 0, 50);
	CHECK(vpci_queue(d) == 0, 51);
	CHECK(good_read(d) == 0, 52);
	puts_uart("virtio-pci hostile ok\n");
	return 0;
}
