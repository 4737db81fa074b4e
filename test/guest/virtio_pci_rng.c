// clang-format off
// args: -device virtio-rng-pci,addr=3
// expect-output: virtio-rng-pci ok
// clang-format on
/* virtio-rng-pci found by enumerating bus 0 through ECAM, BAR 4 placed by
 * the guest, the modern capabilities, requests completed by INTx (slot 3
 * pin A: PLIC 35 after QEMU's swizzle) with the ISR read-to-clear, then by
 * polling; and the function's configuration space as QEMU's. */
#include "guest.h"
#include "guest_irq.h"
#include "virtio_pci_drv.h"

static struct vpci rng;
static uint8_t buf[64] __attribute__((aligned(16)));

static int read_random(struct vpci *d, uint32_t len)
{
	for (unsigned i = 0; i < sizeof(buf); i++)
		buf[i] = 0xaa;
	vpci_set_desc(d, 0, (uintptr_t)buf, len, VD_WRITE, 0);
	if (vpci_kick_and_wait(d, 0))
		return 1;
	if (d->last_id != 0 || d->last_len != len)
		return 2;
	for (unsigned i = len; i < sizeof(buf); i++)
		if (buf[i] != 0xaa)
			return 3;
	unsigned same = 0;
	for (unsigned i = 0; i < len; i++)
		same += buf[i] == 0xaa;
	return same == len ? 4 : 0;
}

int main(void)
{
	/* The bus: the host bridge at 00.0, our function at 03.0, nothing else. */
	CHECK(cfg32(0, 0) == 0x00081b36u, 1);
	CHECK(cfg32(0, 8) >> 8 == 0x060000, 2);
	unsigned functions = 0;
	for (unsigned devfn = 0; devfn < 256; devfn++)
		functions += cfg32(devfn, 0) != 0xffffffffu;
	CHECK(functions == 2, 3);
	const int devfn = vpci_find(0x1af4, 0x1044);
	CHECK(devfn == 3 << 3, 4);
	CHECK(cfg8(devfn, 8) == 1, 5);		    /* revision 1: modern only */
	CHECK(cfg32(devfn, 8) >> 8 == 0x00ff00, 6); /* QEMU's class for rng */
	CHECK(cfg32(devfn, 0x2c) == 0x11001af4u, 7);
	CHECK(cfg8(devfn, CFG_INT_PIN) == 1, 8);

	struct vpci *d = &rng;
	CHECK(vpci_setup(d, devfn, PCI_MMIO_BASE + 0x10000) == 0, 9);
	uint32_t offered;
	CHECK(vpci_negotiate(d, 0, &offered) == 0, 10);
	CHECK(cc16(d, CC_NUMQ) == 1, 11);
	CHECK(vpci_queue(d) == 0, 12);
	CHECK(vpci_plic_source(d) == 35, 13);

	vpci_enable_irq(d);
	CHECK(read_random(d, 32) == 0, 20);
	CHECK(vpci_irqs == 1 && vpci_bad_claim == 0, 21);
	CHECK(vpci_isr_seen == 1, 22); /* a used buffer notification */
	/* The handler's read cleared it: INTx low, status bit clear. */
	CHECK(*(volatile uint8_t *)d->isr == 0, 23);
	CHECK(!(cfg16(devfn, CFG_STATUS) & STATUS_INTX), 24);
	CHECK(read_random(d, 16) == 0, 25);
	CHECK(vpci_irqs == 2, 26);

	/* Polling, with INTx disabled by the command register too. */
	d->use_irq = 0;
	cfg_w16(devfn, CFG_COMMAND, CMD_MEMORY | CMD_MASTER | 0x400);
	CHECK(read_random(d, 8) == 0, 30);
	CHECK(vpci_irqs == 2, 31);

	/* Memory decoding off: the BAR is gone (reads 0), on again: back. */
	cfg_w16(devfn, CFG_COMMAND, CMD_MASTER);
	CHECK(cc16(d, CC_NUMQ) == 0, 40);
	cfg_w16(devfn, CFG_COMMAND, CMD_MEMORY | CMD_MASTER);
	CHECK(cc16(d, CC_NUMQ) == 1, 41);
	puts_uart("virtio-rng-pci ok\n");
	return 0;
}
