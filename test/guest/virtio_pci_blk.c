// clang-format off
// disk: 64 pci
// disk-expect: 3 0xa5
// disk-expect: 100 0x3c
// expect-output: virtio-blk-pci ok
// clang-format on
/* virtio-blk-pci at 02.0 (run_guest.sh's pci disk), through the modern
 * capabilities: capacity from the device-specific region, a read checked
 * against the image's pattern, writes of sectors 3 and 100 (which the
 * harness checks afterwards), a read past the end failing with IOERR,
 * completions by INTx (slot 2 pin A: PLIC 34). */
#include "guest.h"
#include "guest_irq.h"
#include "virtio_pci_drv.h"

#define SECTOR	 512u
#define SECTORS	 128u /* 64 KiB */
#define F_FLUSH	 9
#define F_BLK_SZ 6

struct req_hdr {
	uint32_t type;
	uint32_t reserved;
	uint64_t sector;
};

static struct vpci blk;
static struct req_hdr hdr __attribute__((aligned(16)));
static uint8_t data[SECTOR] __attribute__((aligned(16)));
static volatile uint8_t status;

/* One request: header, data (device-writable for reads), status. */
static int request(struct vpci *d, uint32_t type, uint64_t sector)
{
	hdr.type = type;
	hdr.reserved = 0;
	hdr.sector = sector;
	status = 0xff;
	vpci_set_desc(d, 0, (uintptr_t)&hdr, sizeof(hdr), VD_NEXT, 1);
	vpci_set_desc(d, 1, (uintptr_t)data, SECTOR, VD_NEXT | (type == 0 ? VD_WRITE : 0), 2);
	vpci_set_desc(d, 2, (uintptr_t)&status, 1, VD_WRITE, 0);
	if (vpci_kick_and_wait(d, 0))
		return -1;
	return status;
}

int main(void)
{
	const int devfn = vpci_find(0x1af4, 0x1042);
	CHECK(devfn == 2 << 3, 1);
	CHECK(cfg32(devfn, 8) >> 8 == 0x010000, 2); /* QEMU's class for blk */
	struct vpci *d = &blk;
	CHECK(vpci_setup(d, devfn, PCI_MMIO_BASE + 0x8000) == 0, 3);
	uint32_t offered;
	CHECK(vpci_negotiate(d, 1u << F_FLUSH | 1u << F_BLK_SZ, &offered) == 0, 4);
	CHECK(offered & (1u << F_FLUSH), 5);
	/* 5.2.4: capacity (le64 at 0), blk_size (le32 at 20). */
	CHECK(*(volatile uint32_t *)d->device == SECTORS, 6);
	CHECK(*(volatile uint32_t *)(d->device + 4) == 0, 7);
	CHECK(*(volatile uint32_t *)(d->device + 20) == SECTOR, 8);
	CHECK(vpci_queue(d) == 0, 9);
	CHECK(vpci_plic_source(d) == 34, 10);
	vpci_enable_irq(d);

	CHECK(request(d, 0, 5) == 0, 20);
	for (unsigned j = 0; j < SECTOR; j++)
		CHECK(data[j] == (uint8_t)(5 * 7 + j), 21);
	CHECK(vpci_irqs == 1 && vpci_isr_seen == 1 && vpci_bad_claim == 0, 22);

	for (unsigned j = 0; j < SECTOR; j++)
		data[j] = 0xa5;
	CHECK(request(d, 1, 3) == 0, 30);
	for (unsigned j = 0; j < SECTOR; j++)
		data[j] = 0x3c;
	CHECK(request(d, 1, 100) == 0, 31);
	CHECK(request(d, 4, 0) == 0, 32); /* flush */
	/* Read back what was written. */
	CHECK(request(d, 0, 3) == 0 && data[0] == 0xa5 && data[SECTOR - 1] == 0xa5, 33);
	/* Past the end: IOERR, nothing read. */
	CHECK(request(d, 0, SECTORS) == 1, 34);
	CHECK(vpci_irqs == 6, 35);
	puts_uart("virtio-blk-pci ok\n");
	return 0;
}
