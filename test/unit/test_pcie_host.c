/*
 * The PCIe host bridge (devices/pcie_host.c) and the virtio-pci transport
 * (devices/virtio_pci.c) through the machine's bus, as a guest sees them:
 * ECAM decoding, empty functions, BAR sizing and placement, command
 * register gating, the INTx swizzle and INTX_DISABLE, and a virtio-rng
 * function's capabilities, ISR and a request on a modern queue.
 */
#include "core/machine.h"
#include "core/vmstate.h"
#include "devices/pcie_host.h"
#include "devices/rng_backend.h"
#include "devices/virtio_pci.h"
#include "devices/virtio_rng.h"

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#define RAM_BASE  0x80000000ULL
#define RAM_SIZE  (8ULL << 20)
#define HIGH_BASE 0x400000000ULL

struct rig {
	struct machine *m;
	struct pcie_host *h;
	bool line[PCIE_NUM_IRQS];
};

static void line_cb(void *opaque, unsigned irq, bool level)
{
	struct rig *r = opaque;
	r->line[irq] = level;
}

static void rig_init(struct rig *r)
{
	memset(r, 0, sizeof(*r));
	r->m = machine_new(RAM_BASE, RAM_SIZE, 1, RAM_BASE);
	cr_assert(r->m);
	struct irq_line intx[PCIE_NUM_IRQS];
	for (unsigned i = 0; i < PCIE_NUM_IRQS; i++)
		intx[i] = (struct irq_line){line_cb, r, i};
	r->h = pcie_host_new(r->m, HIGH_BASE, intx);
	cr_assert(r->h);
}

static void rig_fini(struct rig *r)
{
	pcie_host_free(r->h);
	machine_free(r->m);
}

static uint64_t ecam(unsigned devfn, unsigned off)
{
	return PCIE_ECAM_BASE + ((uint64_t)devfn << 12) + off;
}

static uint32_t cfg_rd(struct rig *r, unsigned devfn, unsigned off, unsigned size)
{
	uint64_t v = 0;
	cr_assert(bus_read(&r->m->bus, ecam(devfn, off), size, &v));
	return (uint32_t)v;
}

static void cfg_wr(struct rig *r, unsigned devfn, unsigned off, unsigned size, uint32_t v)
{
	cr_assert(bus_write(&r->m->bus, ecam(devfn, off), size, v));
}

static uint64_t rd(struct rig *r, uint64_t pa, unsigned size)
{
	uint64_t v = 0;
	cr_assert(bus_read(&r->m->bus, pa, size, &v));
	return v;
}

static void wr(struct rig *r, uint64_t pa, unsigned size, uint64_t v)
{
	cr_assert(bus_write(&r->m->bus, pa, size, v));
}

/* A function with a 4 KiB 32-bit memory BAR 0, a 256-byte I/O BAR 1, and
 * a 64-bit BAR 2 of 16 KiB; each access reports which BAR and offset. */
struct probe {
	unsigned bar;
	uint64_t offset, val;
	unsigned writes;
};

static uint64_t probe_read(void *opaque, unsigned bar, uint64_t offset, unsigned size)
{
	(void)opaque;
	(void)size;
	return 0xb000 + bar * 0x100 + offset;
}

static void probe_write(void *opaque, unsigned bar, uint64_t offset, unsigned size, uint64_t val)
{
	struct probe *p = opaque;
	(void)size;
	p->bar = bar;
	p->offset = offset;
	p->val = val;
	p->writes++;
}

static struct pci_function *add_probe(struct rig *r, unsigned devfn, struct probe *p, uint8_t pin)
{
	struct pci_function_desc d = {
	    .vendor_id = 0x1234,
	    .device_id = 0x5678,
	    .class_code = 0xff0000,
	    .interrupt_pin = pin,
	    .bar_read = probe_read,
	    .bar_write = probe_write,
	    .name = "probe",
	};
	d.bars[0] = (struct pci_bar){0x1000, 0};
	d.bars[1] = (struct pci_bar){0x100, PCI_BAR_IO};
	d.bars[2] = (struct pci_bar){0x4000, PCI_BAR_MEM64};
	return pcie_host_add(r->h, devfn, &d, p);
}

Test(pcie_host, bridge_and_empty_functions)
{
	struct rig r;
	rig_init(&r);
	cr_expect_eq(cfg_rd(&r, 0, PCI_VENDOR_ID, 4), 0x00081b36);
	cr_expect_eq(cfg_rd(&r, 0, PCI_REVISION_ID, 4) >> 8, 0x060000);
	/* Nothing at 00:01.0, nor on bus 1: all ones. */
	cr_expect_eq(cfg_rd(&r, 1 << 3, 0, 4), 0xffffffffu);
	cr_expect_eq(cfg_rd(&r, 1 << 3, 0, 2), 0xffffu);
	uint64_t v = 0;
	cr_assert(bus_read(&r.m->bus, PCIE_ECAM_BASE + (1u << 20), 4, &v));
	cr_expect_eq(v, 0xffffffffu);
	/* The bridge ignores writes to its IDs. */
	cfg_wr(&r, 0, PCI_VENDOR_ID, 4, 0);
	cr_expect_eq(cfg_rd(&r, 0, PCI_VENDOR_ID, 2), 0x1b36);
	rig_fini(&r);
}

Test(pcie_host, bar_sizing_and_placement)
{
	struct rig r;
	struct probe p = {0};
	rig_init(&r);
	cr_assert(add_probe(&r, 2 << 3, &p, 1));
	const unsigned f = 2 << 3;
	/* Sizing: all ones in, the mask out, type bits kept. */
	cfg_wr(&r, f, PCI_BASE_ADDRESS_0, 4, 0xffffffff);
	cr_expect_eq(cfg_rd(&r, f, PCI_BASE_ADDRESS_0, 4), 0xfffff000u);
	cfg_wr(&r, f, PCI_BASE_ADDRESS_0 + 4, 4, 0xffffffff);
	cr_expect_eq(cfg_rd(&r, f, PCI_BASE_ADDRESS_0 + 4, 4), 0xffffff01u);
	cfg_wr(&r, f, PCI_BASE_ADDRESS_0 + 8, 4, 0xffffffff);
	cfg_wr(&r, f, PCI_BASE_ADDRESS_0 + 12, 4, 0xffffffff);
	cr_expect_eq(cfg_rd(&r, f, PCI_BASE_ADDRESS_0 + 8, 4), 0xffffc004u);
	cr_expect_eq(cfg_rd(&r, f, PCI_BASE_ADDRESS_0 + 12, 4), 0xffffffffu);
	/* Unimplemented BARs and the ROM read 0 whatever is written. */
	cfg_wr(&r, f, PCI_BASE_ADDRESS_0 + 16, 4, 0xffffffff);
	cr_expect_eq(cfg_rd(&r, f, PCI_BASE_ADDRESS_0 + 16, 4), 0);
	cfg_wr(&r, f, PCI_ROM_ADDRESS, 4, 0xffffffff);
	cr_expect_eq(cfg_rd(&r, f, PCI_ROM_ADDRESS, 4), 0);

	/* Place them: BAR 0 in the 32-bit window, BAR 1 in I/O, BAR 2 high. */
	cfg_wr(&r, f, PCI_BASE_ADDRESS_0, 4, 0x40001000);
	cfg_wr(&r, f, PCI_BASE_ADDRESS_0 + 4, 4, 0x200);
	cfg_wr(&r, f, PCI_BASE_ADDRESS_0 + 8, 4, 0x8000);
	cfg_wr(&r, f, PCI_BASE_ADDRESS_0 + 12, 4, (uint32_t)(HIGH_BASE >> 32));
	/* Decoding off: unmapped, reads 0, writes dropped. */
	cr_expect_eq(rd(&r, 0x40001010, 4), 0);
	wr(&r, 0x40001010, 4, 1);
	cr_expect_eq(p.writes, 0);
	/* Memory on: the memory BARs answer, the I/O one not yet. */
	cfg_wr(&r, f, PCI_COMMAND, 2, PCI_COMMAND_MEMORY);
	cr_expect_eq(rd(&r, 0x40001010, 4), 0xb010);
	cr_expect_eq(rd(&r, HIGH_BASE + 0x8004, 4), 0xb204);
	cr_expect_eq(rd(&r, PCIE_PIO_BASE + 0x210, 1), 0);
	cfg_wr(&r, f, PCI_COMMAND, 2, PCI_COMMAND_MEMORY | PCI_COMMAND_IO);
	cr_expect_eq(rd(&r, PCIE_PIO_BASE + 0x210, 1), 0xb110);
	wr(&r, 0x40001ffc, 4, 42);
	cr_expect(p.bar == 0 && p.offset == 0xffc && p.val == 42);
	/* Past the BAR's end, and an access straddling it: unmapped. */
	cr_expect_eq(rd(&r, 0x40002000, 4), 0);
	cr_expect_eq(rd(&r, 0x40001ffe, 4), 0);
	/* A BAR over RAM decodes nothing there: RAM stays RAM. */
	cfg_wr(&r, f, PCI_BASE_ADDRESS_0, 4, (uint32_t)RAM_BASE);
	r.m->ram[0x10] = 0x5a;
	cr_expect_eq(r.m->ram[0x10], 0x5a);
	cr_expect_eq(rd(&r, 0x40001010, 4), 0);
	rig_fini(&r);
}

Test(pcie_host, overlapping_bars_first_function_wins)
{
	struct rig r;
	struct probe p1 = {0}, p2 = {0};
	rig_init(&r);
	cr_assert(add_probe(&r, 1 << 3, &p1, 1));
	cr_assert(add_probe(&r, 2 << 3, &p2, 1));
	cr_expect_null(add_probe(&r, 2 << 3, &p2, 1)); /* taken */
	for (unsigned s = 1; s <= 2; s++) {
		cfg_wr(&r, s << 3, PCI_BASE_ADDRESS_0, 4, 0x40000000);
		cfg_wr(&r, s << 3, PCI_COMMAND, 2, PCI_COMMAND_MEMORY);
	}
	wr(&r, 0x40000008, 4, 7);
	cr_expect_eq(p1.writes, 1);
	cr_expect_eq(p2.writes, 0);
	rig_fini(&r);
}

Test(pcie_host, intx_swizzle_and_disable)
{
	struct rig r;
	struct probe p = {0};
	rig_init(&r);
	struct pci_function *f3 = add_probe(&r, 3 << 3, &p, 1);	    /* slot 3 INTA */
	struct pci_function *f5 = add_probe(&r, 5 << 3 | 1, &p, 2); /* slot 5 INTB */
	cr_assert(f3 && f5);
	cr_expect_eq(cfg_rd(&r, 3 << 3, PCI_INTERRUPT_PIN, 1), 1);
	/* Slot 5 has function 1: function 0 absent, so no multi-function
	 * flag to read there; slot 3's header says single-function. */
	cr_expect_eq(cfg_rd(&r, 3 << 3, PCI_HEADER_TYPE, 1), 0);
	pci_function_set_irq(f3, true);
	cr_expect(r.line[3]); /* (3 + 1 - 1) % 4 */
	cr_expect(cfg_rd(&r, 3 << 3, PCI_STATUS, 2) & PCI_STATUS_INTERRUPT);
	pci_function_set_irq(f5, true);
	cr_expect(r.line[2]); /* (5 + 2 - 1) % 4 */
	/* INTX_DISABLE masks the line, not the status bit. */
	cfg_wr(&r, 3 << 3, PCI_COMMAND, 2, PCI_COMMAND_INTX_DISABLE);
	cr_expect(!r.line[3]);
	cr_expect(cfg_rd(&r, 3 << 3, PCI_STATUS, 2) & PCI_STATUS_INTERRUPT);
	cfg_wr(&r, 3 << 3, PCI_COMMAND, 2, 0);
	cr_expect(r.line[3]);
	pci_function_set_irq(f3, false);
	pci_function_set_irq(f5, false);
	cr_expect(!r.line[3] && !r.line[2]);
	cr_expect_eq(pcie_intx_line(0, 1), 0);
	cr_expect_eq(pcie_intx_line(1, 4), 0);
	cr_expect_eq(pcie_mmio_high_base(RAM_BASE, 2ULL << 30), HIGH_BASE);
	cr_expect_eq(pcie_mmio_high_base(RAM_BASE, 16ULL << 30), 0x800000000ULL);
	rig_fini(&r);
}

/* A virtio-rng-pci function: its identity, its capability list, and one
 * request through a modern queue with the ISR read-to-clear. */
Test(virtio_pci, rng_function)
{
	struct rig r;
	char err[256];
	rig_init(&r);
	struct rng_backend *be = rng_backend_open(NULL, err, sizeof(err));
	cr_assert(be, "%s", err);
	struct virtio_dev *vd = virtio_rng_create(r.m, be, INT64_MAX, 65536);
	cr_assert(vd);
	const unsigned f = 1 << 3;
	cr_assert(virtio_pci_attach(r.h, f, vd));
	cr_expect_eq(cfg_rd(&r, f, PCI_VENDOR_ID, 4), 0x10441af4);
	cr_expect_eq(cfg_rd(&r, f, PCI_REVISION_ID, 1), 1);
	cr_expect(cfg_rd(&r, f, PCI_STATUS, 2) & PCI_STATUS_CAP_LIST);
	/* Walk the capabilities: common, ISR, device, notify in BAR 4. */
	unsigned types = 0, notify_at = 0;
	for (unsigned c = cfg_rd(&r, f, PCI_CAPABILITY_LIST, 1); c; c = cfg_rd(&r, f, c + 1, 1)) {
		cr_assert_eq(cfg_rd(&r, f, c, 1), PCI_CAP_ID_VNDR);
		cr_expect_eq(cfg_rd(&r, f, c + 4, 1), VIRTIO_PCI_BAR);
		const unsigned type = cfg_rd(&r, f, c + 3, 1);
		types |= 1u << type;
		if (type == VIRTIO_PCI_CAP_NOTIFY_CFG) {
			notify_at = cfg_rd(&r, f, c + 8, 4);
			cr_expect_eq(cfg_rd(&r, f, c + 16, 4), VIRTIO_PCI_NOTIFY_MULTIPLIER);
		}
	}
	cr_expect_eq(types, 0x1e);
	/* BAR 4 at the bottom of the high window, memory decoding on. */
	cfg_wr(&r, f, PCI_BASE_ADDRESS_0 + 16, 4, 0xffffffff);
	cr_expect_eq(cfg_rd(&r, f, PCI_BASE_ADDRESS_0 + 16, 4), 0xffffc00cu);
	cfg_wr(&r, f, PCI_BASE_ADDRESS_0 + 16, 4, 0);
	cfg_wr(&r, f, PCI_BASE_ADDRESS_0 + 20, 4, (uint32_t)(HIGH_BASE >> 32));
	cfg_wr(&r, f, PCI_COMMAND, 2, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
	const uint64_t bar = HIGH_BASE, common = bar + VIRTIO_PCI_COMMON_OFFSET;

	/* 3.1.1: reset, ACKNOWLEDGE, DRIVER, features, FEATURES_OK. */
	wr(&r, common + VIRTIO_PCI_COMMON_STATUS, 1, 0);
	wr(&r, common + VIRTIO_PCI_COMMON_STATUS, 1, 3);
	wr(&r, common + VIRTIO_PCI_COMMON_DFSELECT, 4, 1);
	cr_expect_eq(rd(&r, common + VIRTIO_PCI_COMMON_DF, 4), 1); /* VERSION_1 */
	wr(&r, common + VIRTIO_PCI_COMMON_GFSELECT, 4, 1);
	wr(&r, common + VIRTIO_PCI_COMMON_GF, 4, 1);
	wr(&r, common + VIRTIO_PCI_COMMON_STATUS, 1, 11);
	cr_expect_eq(rd(&r, common + VIRTIO_PCI_COMMON_STATUS, 1), 11);
	cr_expect_eq(rd(&r, common + VIRTIO_PCI_COMMON_NUMQ, 2), 1);
	cr_expect_eq(rd(&r, common + VIRTIO_PCI_COMMON_MSIX, 2), VIRTIO_PCI_NO_VECTOR);
	/* Queue 0: 8 entries, rings in RAM, 64-bit address as two halves. */
	wr(&r, common + VIRTIO_PCI_COMMON_Q_SELECT, 2, 0);
	cr_expect_eq(rd(&r, common + VIRTIO_PCI_COMMON_Q_SIZE, 2), 8);
	const uint64_t desc = RAM_BASE + 0x1000, avail = RAM_BASE + 0x2000,
		       used = RAM_BASE + 0x3000, buf = RAM_BASE + 0x4000;
	wr(&r, common + VIRTIO_PCI_COMMON_Q_DESC, 4, (uint32_t)desc);
	wr(&r, common + VIRTIO_PCI_COMMON_Q_DESC + 4, 4, desc >> 32);
	wr(&r, common + VIRTIO_PCI_COMMON_Q_AVAIL, 8, avail);
	wr(&r, common + VIRTIO_PCI_COMMON_Q_USED, 8, used);
	cr_expect_eq(rd(&r, common + VIRTIO_PCI_COMMON_Q_DESC, 8), desc);
	wr(&r, common + VIRTIO_PCI_COMMON_Q_ENABLE, 2, 1);
	wr(&r, common + VIRTIO_PCI_COMMON_STATUS, 1, 15);
	/* An enabled queue's addresses are fixed. */
	wr(&r, common + VIRTIO_PCI_COMMON_Q_DESC, 8, RAM_BASE);
	cr_expect_eq(rd(&r, common + VIRTIO_PCI_COMMON_Q_DESC, 8), desc);

	uint8_t *ram = r.m->ram;
	virtio_put_le64(ram + 0x1000, buf);
	virtio_put_le32(ram + 0x1008, 16);
	virtio_put_le16(ram + 0x100c, 2); /* WRITE */
	virtio_put_le16(ram + 0x2004, 0);
	virtio_put_le16(ram + 0x2002, 1);
	/* A notify off the multiplier or past the queues does nothing. */
	wr(&r, bar + notify_at + 2, 2, 0);
	wr(&r, bar + notify_at + 4, 2, 1);
	cr_expect_eq(virtio_le16(ram + 0x3002), 0);
	wr(&r, bar + notify_at, 2, 0);
	cr_expect_eq(virtio_le16(ram + 0x3002), 1);
	cr_expect_eq(virtio_le32(ram + 0x3008), 16);
	cr_expect(r.line[1]); /* slot 1 INTA: line 1 */
	/* ISR: read once to clear, and the line drops. */
	cr_expect_eq(rd(&r, bar + VIRTIO_PCI_ISR_OFFSET, 1), 1);
	cr_expect(!r.line[1]);
	cr_expect_eq(rd(&r, bar + VIRTIO_PCI_ISR_OFFSET, 1), 0);
	/* savevm, reset (which turns off the queue and the BAR), loadvm: the
	 * BAR, the queue and the pending interrupt are back. */
	virtio_put_le16(ram + 0x2002, 2);
	virtio_put_le16(ram + 0x2006, 0);
	wr(&r, bar + notify_at, 2, 0);
	cr_expect(r.line[1]);
	struct vmstate_out o = {0};
	pcie_host_save(r.h, &o);
	cr_assert(!o.failed);
	wr(&r, common + VIRTIO_PCI_COMMON_STATUS, 1, 0);
	cr_expect_eq(rd(&r, common + VIRTIO_PCI_COMMON_Q_ENABLE, 2), 0);
	cr_expect(!r.line[1]);
	cfg_wr(&r, f, PCI_COMMAND, 2, 0);
	cr_expect_eq(rd(&r, common + VIRTIO_PCI_COMMON_NUMQ, 2), 0);
	struct vmstate_in in = {.buf = o.buf, .len = o.len};
	pcie_host_load(r.h, &in);
	cr_assert(!in.bad);
	cr_expect_eq(rd(&r, common + VIRTIO_PCI_COMMON_NUMQ, 2), 1);
	cr_expect_eq(rd(&r, common + VIRTIO_PCI_COMMON_Q_ENABLE, 2), 1);
	cr_expect(r.line[1]);
	cr_expect_eq(rd(&r, bar + VIRTIO_PCI_ISR_OFFSET, 1), 1);
	free(o.buf);
	rig_fini(&r);
	rng_backend_close(be);
}
