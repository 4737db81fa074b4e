/*
 * The generic PCIe host bridge of QEMU's virt board (see pcie_host.h):
 * ECAM decoding, the configuration header every function shares, BAR
 * placement in the PIO and MMIO windows, and the INTx swizzle. Reads in
 * the order the guest uses it: configuration space, then the windows,
 * then interrupts and the device tree.
 */
#include "pcie_host.h"
#include "core/vmstate.h"
#include "fdt/fdt.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct pci_function {
	struct pcie_host *host;
	unsigned devfn;
	struct pci_function_desc desc;
	void *opaque;
	uint8_t config[PCI_CFG_SIZE];
	uint8_t wmask[PCI_CFG_SIZE]; /* the bits the guest may write */
	bool irq_level;
};

struct pcie_host {
	struct machine *m;
	uint64_t high_base;
	struct irq_line intx[PCIE_NUM_IRQS];
	bool line_level[PCIE_NUM_IRQS];
	struct pci_function *fn[PCI_SLOTS * PCI_FUNCS];
};

static uint32_t le_get(const uint8_t *p, unsigned size)
{
	uint32_t v = 0;
	for (unsigned i = 0; i < size; i++)
		v |= (uint32_t)p[i] << (8 * i);
	return v;
}

static void le_put(uint8_t *p, unsigned size, uint32_t v)
{
	for (unsigned i = 0; i < size; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static uint16_t command(const struct pci_function *f)
{
	return (uint16_t)le_get(f->config + PCI_COMMAND, 2);
}

/* ---- configuration space ---- */

static void set_bar_masks(struct pci_function *f)
{
	for (unsigned i = 0; i < PCI_NUM_BARS; i++) {
		const struct pci_bar *b = &f->desc.bars[i];
		if (!b->size)
			continue;
		uint8_t *cfg = f->config + PCI_BASE_ADDRESS_0 + 4 * i;
		uint8_t *wm = f->wmask + PCI_BASE_ADDRESS_0 + 4 * i;
		/* The low bits that address inside the BAR read as 0 (they
		 * make the size), the type bits are fixed. */
		const uint64_t mask = ~(b->size - 1) & ~(uint64_t)(b->flags & PCI_BAR_IO ? 3 : 15);
		le_put(cfg, 4, b->flags & 15);
		le_put(wm, 4, (uint32_t)mask);
		if (b->flags & PCI_BAR_MEM64 && i + 1 < PCI_NUM_BARS) {
			le_put(wm + 4, 4, (uint32_t)(mask >> 32));
			i++;
		}
	}
}

static struct pci_function *function_new(struct pcie_host *h, unsigned devfn,
					 const struct pci_function_desc *d, void *opaque)
{
	struct pci_function *f = calloc(1, sizeof(*f));
	if (!f)
		return NULL;
	f->host = h;
	f->devfn = devfn;
	f->desc = *d;
	f->opaque = opaque;
	le_put(f->config + PCI_VENDOR_ID, 2, d->vendor_id);
	le_put(f->config + PCI_DEVICE_ID, 2, d->device_id);
	f->config[PCI_REVISION_ID] = d->revision;
	le_put(f->config + PCI_CLASS_PROG, 3, d->class_code);
	le_put(f->config + PCI_SUBSYSTEM_VENDOR_ID, 2, d->subsystem_vendor_id);
	le_put(f->config + PCI_SUBSYSTEM_ID, 2, d->subsystem_id);
	f->config[PCI_INTERRUPT_PIN] = d->interrupt_pin;
	le_put(f->wmask + PCI_COMMAND, 2,
	       PCI_COMMAND_IO | PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER | PCI_COMMAND_SERR |
		   PCI_COMMAND_INTX_DISABLE);
	f->wmask[PCI_CACHE_LINE_SIZE] = 0xff;
	f->wmask[PCI_LATENCY_TIMER] = 0xff;
	f->wmask[PCI_INTERRUPT_LINE] = 0xff;
	set_bar_masks(f);
	return f;
}

uint8_t *pci_function_config(struct pci_function *f)
{
	return f->config;
}

void pci_function_set_caps(struct pci_function *f, uint8_t first)
{
	f->config[PCI_CAPABILITY_LIST] = first;
	le_put(f->config + PCI_STATUS, 2, first ? PCI_STATUS_CAP_LIST : 0);
}

bool pci_function_bus_master(const struct pci_function *f)
{
	return command(f) & PCI_COMMAND_MASTER;
}

static void update_lines(struct pcie_host *h);

uint64_t pcie_host_config_read(struct pcie_host *h, unsigned bus, unsigned devfn, unsigned offset,
			       unsigned size)
{
	const uint64_t ones = size >= 8 ? ~0ULL : (1ULL << (8 * size)) - 1;
	const struct pci_function *f =
	    bus == 0 && devfn < PCI_SLOTS * PCI_FUNCS ? h->fn[devfn] : NULL;
	/* No function: all ones, which is how enumeration finds none. */
	if (!f)
		return ones;
	if (offset >= PCI_CFG_SIZE || offset + size > PCI_CFG_SIZE)
		return 0; /* no extended capabilities */
	uint8_t bytes[8];
	memcpy(bytes, f->config + offset, size);
	/* The live bits: the interrupt status, and function 0's
	 * multi-function flag when its slot has others. */
	for (unsigned i = 0; i < size; i++) {
		const unsigned at = offset + i;
		if (at == PCI_STATUS && f->irq_level)
			bytes[i] |= PCI_STATUS_INTERRUPT;
		if (at == PCI_HEADER_TYPE && (devfn & 7) == 0)
			for (unsigned fn = 1; fn < PCI_FUNCS; fn++)
				if (h->fn[devfn + fn])
					bytes[i] |= PCI_HEADER_MULTI_FUNCTION;
	}
	uint64_t v = 0;
	for (unsigned i = 0; i < size; i++)
		v |= (uint64_t)bytes[i] << (8 * i);
	return v;
}

void pcie_host_config_write(struct pcie_host *h, unsigned bus, unsigned devfn, unsigned offset,
			    unsigned size, uint64_t val)
{
	struct pci_function *f = bus == 0 && devfn < PCI_SLOTS * PCI_FUNCS ? h->fn[devfn] : NULL;
	if (!f || offset >= PCI_CFG_SIZE || offset + size > PCI_CFG_SIZE)
		return;
	for (unsigned i = 0; i < size; i++) {
		const uint8_t b = (uint8_t)(val >> (8 * i));
		const uint8_t wm = f->wmask[offset + i];
		f->config[offset + i] = (uint8_t)((f->config[offset + i] & ~wm) | (b & wm));
	}
	/* INTX_DISABLE may have changed what the function drives. */
	if (offset < PCI_COMMAND + 2 && offset + size > PCI_COMMAND)
		update_lines(h);
}

/* ECAM (PCIe 3.0 7.2.2): bus[27:20] device[19:15] function[14:12]
 * register[11:0]. Accesses of 1, 2 or 4 bytes, naturally aligned. */
static uint64_t ecam_read(void *opaque, uint64_t addr, unsigned size)
{
	if (size > 4 || (addr & (size - 1)))
		return 0;
	return pcie_host_config_read(opaque, (unsigned)(addr >> 20), (unsigned)(addr >> 12) & 0xff,
				     (unsigned)addr & 0xfff, size);
}

static void ecam_write(void *opaque, uint64_t addr, unsigned size, uint64_t val)
{
	if (size > 4 || (addr & (size - 1)))
		return;
	pcie_host_config_write(opaque, (unsigned)(addr >> 20), (unsigned)(addr >> 12) & 0xff,
			       (unsigned)addr & 0xfff, size, val);
}

/* ---- the windows ---- */

/* The BAR of an enabled function holding [addr, addr+size) of memory (io
 * false) or I/O space, or NULL. */
static struct pci_function *find_bar(struct pcie_host *h, bool io, uint64_t addr, unsigned size,
				     unsigned *bar, uint64_t *offset)
{
	for (unsigned d = 0; d < PCI_SLOTS * PCI_FUNCS; d++) {
		struct pci_function *f = h->fn[d];
		if (!f || !(command(f) & (io ? PCI_COMMAND_IO : PCI_COMMAND_MEMORY)))
			continue;
		for (unsigned i = 0; i < PCI_NUM_BARS; i++) {
			const struct pci_bar *b = &f->desc.bars[i];
			if (!b->size || !(b->flags & PCI_BAR_IO) != !io)
				continue;
			const uint8_t *cfg = f->config + PCI_BASE_ADDRESS_0 + 4 * i;
			uint64_t base = le_get(cfg, 4) & ~(uint64_t)(io ? 3 : 15);
			if (b->flags & PCI_BAR_MEM64)
				base |= (uint64_t)le_get(cfg + 4, 4) << 32;
			if (addr >= base && addr - base < b->size &&
			    size <= b->size - (addr - base)) {
				*bar = i;
				*offset = addr - base;
				return f;
			}
		}
	}
	return NULL;
}

static uint64_t window_read(struct pcie_host *h, bool io, uint64_t addr, unsigned size)
{
	unsigned bar;
	uint64_t off;
	struct pci_function *f = find_bar(h, io, addr, size, &bar, &off);
	if (!f || !f->desc.bar_read)
		return 0; /* unmapped: read as zero */
	return f->desc.bar_read(f->opaque, bar, off, size);
}

static void window_write(struct pcie_host *h, bool io, uint64_t addr, unsigned size, uint64_t val)
{
	unsigned bar;
	uint64_t off;
	struct pci_function *f = find_bar(h, io, addr, size, &bar, &off);
	if (f && f->desc.bar_write)
		f->desc.bar_write(f->opaque, bar, off, size, val);
}

/* The PIO window is I/O space from 0; the MMIO windows map PCI memory
 * addresses one to one (the ranges property). */
static uint64_t pio_read(void *opaque, uint64_t offset, unsigned size)
{
	return window_read(opaque, true, offset, size);
}

static void pio_write(void *opaque, uint64_t offset, unsigned size, uint64_t val)
{
	window_write(opaque, true, offset, size, val);
}

static uint64_t mmio_read(void *opaque, uint64_t offset, unsigned size)
{
	return window_read(opaque, false, PCIE_MMIO_BASE + offset, size);
}

static void mmio_write(void *opaque, uint64_t offset, unsigned size, uint64_t val)
{
	window_write(opaque, false, PCIE_MMIO_BASE + offset, size, val);
}

static uint64_t mmio_high_read(void *opaque, uint64_t offset, unsigned size)
{
	const struct pcie_host *h = opaque;
	return window_read(opaque, false, h->high_base + offset, size);
}

static void mmio_high_write(void *opaque, uint64_t offset, unsigned size, uint64_t val)
{
	const struct pcie_host *h = opaque;
	window_write(opaque, false, h->high_base + offset, size, val);
}

/* ---- interrupts ---- */

unsigned pcie_intx_line(unsigned slot, unsigned pin)
{
	/* The interrupt-map below: INTA of slot s is line s mod 4, and so on
	 * round (the PCI-to-PCI bridge swizzle, applied at the host). */
	return (slot + pin - 1) % PCIE_NUM_IRQS;
}

static void update_lines(struct pcie_host *h)
{
	bool level[PCIE_NUM_IRQS] = {false};
	for (unsigned d = 0; d < PCI_SLOTS * PCI_FUNCS; d++) {
		const struct pci_function *f = h->fn[d];
		if (f && f->irq_level && f->desc.interrupt_pin &&
		    !(command(f) & PCI_COMMAND_INTX_DISABLE))
			level[pcie_intx_line(d >> 3, f->desc.interrupt_pin)] = true;
	}
	for (unsigned i = 0; i < PCIE_NUM_IRQS; i++)
		if (level[i] != h->line_level[i]) {
			h->line_level[i] = level[i];
			irq_set(&h->intx[i], level[i]);
		}
}

void pci_function_set_irq(struct pci_function *f, bool level)
{
	if (f->irq_level == level)
		return;
	f->irq_level = level;
	update_lines(f->host);
}

/* ---- creation ---- */

uint64_t pcie_mmio_high_base(uint64_t ram_base, uint64_t ram_size)
{
	const uint64_t end = ram_base + ram_size;
	return (end + PCIE_MMIO_HIGH_SIZE - 1) / PCIE_MMIO_HIGH_SIZE * PCIE_MMIO_HIGH_SIZE;
}

bool pcie_host_devfn_used(const struct pcie_host *h, unsigned devfn)
{
	return devfn < PCI_SLOTS * PCI_FUNCS && h->fn[devfn];
}

int pcie_host_free_slot(const struct pcie_host *h)
{
	for (unsigned s = 1; s < PCI_SLOTS; s++) {
		bool used = false;
		for (unsigned fn = 0; fn < PCI_FUNCS; fn++)
			used |= h->fn[s * PCI_FUNCS + fn] != NULL;
		if (!used)
			return (int)s;
	}
	return -1;
}

struct pci_function *pcie_host_add(struct pcie_host *h, unsigned devfn,
				   const struct pci_function_desc *desc, void *opaque)
{
	if (devfn >= PCI_SLOTS * PCI_FUNCS || h->fn[devfn])
		return NULL;
	h->fn[devfn] = function_new(h, devfn, desc, opaque);
	return h->fn[devfn];
}

struct pcie_host *pcie_host_new(struct machine *m, uint64_t high_base,
				const struct irq_line intx[PCIE_NUM_IRQS])
{
	struct pcie_host *h = calloc(1, sizeof(*h));
	if (!h) {
		fprintf(stderr, "rvjit: out of memory\n");
		return NULL;
	}
	h->m = m;
	h->high_base = high_base;
	memcpy(h->intx, intx, sizeof(h->intx));
	/* The bridge: Red Hat's "QEMU PCIe host bridge" IDs, a host bridge
	 * class, no BARs, no interrupt, as QEMU's gpex-root. */
	const struct pci_function_desc bridge = {
	    .vendor_id = 0x1b36,
	    .device_id = 0x0008,
	    .class_code = 0x060000,
	    .subsystem_vendor_id = 0x1af4,
	    .subsystem_id = 0x1100,
	    .name = "Host bridge",
	};
	if (!pcie_host_add(h, 0, &bridge, NULL) ||
	    !bus_add(&m->bus, PCIE_ECAM_BASE, PCIE_ECAM_SIZE, h, ecam_read, ecam_write,
		     "pcie-ecam") ||
	    !bus_add(&m->bus, PCIE_PIO_BASE, PCIE_PIO_SIZE, h, pio_read, pio_write, "pcie-pio") ||
	    !bus_add(&m->bus, PCIE_MMIO_BASE, PCIE_MMIO_SIZE, h, mmio_read, mmio_write,
		     "pcie-mmio") ||
	    !bus_add(&m->bus, high_base, PCIE_MMIO_HIGH_SIZE, h, mmio_high_read, mmio_high_write,
		     "pcie-mmio-high")) {
		fprintf(stderr, "rvjit: cannot map the PCIe host bridge\n");
		pcie_host_free(h);
		return NULL;
	}
	return h;
}

void pcie_host_free(struct pcie_host *h)
{
	if (!h)
		return;
	for (unsigned d = 0; d < PCI_SLOTS * PCI_FUNCS; d++) {
		struct pci_function *f = h->fn[d];
		if (f && f->desc.free)
			f->desc.free(f->opaque);
		free(f);
	}
	free(h);
}

/* ---- snapshots ---- */

void pcie_host_save(struct pcie_host *h, struct vmstate_out *o)
{
	for (unsigned d = 0; d < PCI_SLOTS * PCI_FUNCS; d++) {
		struct pci_function *f = h->fn[d];
		if (!f)
			continue;
		VMSTATE_PUT(o, f->config);
		VMSTATE_PUT(o, f->irq_level);
		if (f->desc.save)
			f->desc.save(f->opaque, o);
	}
}

void pcie_host_load(struct pcie_host *h, struct vmstate_in *in)
{
	for (unsigned d = 0; d < PCI_SLOTS * PCI_FUNCS; d++) {
		struct pci_function *f = h->fn[d];
		if (!f)
			continue;
		VMSTATE_GET(in, f->config);
		VMSTATE_GET(in, f->irq_level);
		if (f->desc.load)
			f->desc.load(f->opaque, in);
	}
	update_lines(h);
}

/* ---- monitor and device tree ---- */

void pcie_host_info(struct pcie_host *h, void (*out)(void *opaque, const char *line), void *opaque)
{
	char line[160];
	for (unsigned d = 0; d < PCI_SLOTS * PCI_FUNCS; d++) {
		const struct pci_function *f = h->fn[d];
		if (!f)
			continue;
		snprintf(line, sizeof(line), "  Bus  0, device %3u, function %u:", d >> 3, d & 7);
		out(opaque, line);
		snprintf(line, sizeof(line), "    %s: PCI device %04x:%04x", f->desc.name,
			 f->desc.vendor_id, f->desc.device_id);
		out(opaque, line);
		snprintf(line, sizeof(line), "      PCI subsystem %04x:%04x",
			 f->desc.subsystem_vendor_id, f->desc.subsystem_id);
		out(opaque, line);
		if (f->desc.interrupt_pin) {
			snprintf(line, sizeof(line), "      IRQ %u, pin %c",
				 f->config[PCI_INTERRUPT_LINE], 'A' + f->desc.interrupt_pin - 1);
			out(opaque, line);
		}
		for (unsigned i = 0; i < PCI_NUM_BARS; i++) {
			const struct pci_bar *b = &f->desc.bars[i];
			if (!b->size)
				continue;
			const uint8_t *cfg = f->config + PCI_BASE_ADDRESS_0 + 4 * i;
			uint64_t base =
			    le_get(cfg, 4) & ~(uint64_t)(b->flags & PCI_BAR_IO ? 3 : 15);
			if (b->flags & PCI_BAR_MEM64)
				base |= (uint64_t)le_get(cfg + 4, 4) << 32;
			const bool on = command(f) & (b->flags & PCI_BAR_IO ? PCI_COMMAND_IO
									    : PCI_COMMAND_MEMORY);
			if (!on || !base)
				base = ~0ULL; /* QEMU's "not mapped" */
			snprintf(
			    line, sizeof(line), "      BAR%u: %s at 0x%llx [0x%0*llx].", i,
			    b->flags & PCI_BAR_IO	  ? "I/O"
			    : b->flags & PCI_BAR_PREFETCH ? "64 bit prefetchable memory"
			    : b->flags & PCI_BAR_MEM64	  ? "64 bit memory"
							  : "32 bit memory",
			    (unsigned long long)base,
			    b->flags & PCI_BAR_IO ? 4 : 8, /* QEMU's padding */
			    (unsigned long long)(base == ~0ULL ? b->size - 2 : base + b->size - 1));
			out(opaque, line);
			if (b->flags & PCI_BAR_MEM64)
				i++;
		}
		out(opaque, "      id \"\"");
	}
}

void pcie_host_fdt(struct fdt *f, uint64_t high_base, uint32_t plic)
{
	/* interrupt-map: for each slot 0..3 (the mask keeps two bits of the
	 * device number) and pin 1..4, <devfn<<8 0 0 pin plic line>. */
	uint32_t map[4 * 4 * 6];
	unsigned n = 0;
	for (unsigned slot = 0; slot < 4; slot++)
		for (unsigned pin = 1; pin <= 4; pin++) {
			map[n++] = slot << 11;
			map[n++] = 0;
			map[n++] = 0;
			map[n++] = pin;
			map[n++] = plic;
			map[n++] = PCIE_IRQ + pcie_intx_line(slot, pin);
		}
	static const uint32_t map_mask[] = {0x1800, 0, 0, 7};
	/* ranges: <flags pci-addr(2) cpu-addr(2) size(2)>: I/O from 0, the
	 * 32-bit memory window, the 64-bit one, each mapped one to one but
	 * I/O. */
	const uint32_t ranges[] = {
	    0x01000000,
	    0,
	    0,
	    (uint32_t)(PCIE_PIO_BASE >> 32),
	    (uint32_t)PCIE_PIO_BASE,
	    0,
	    (uint32_t)PCIE_PIO_SIZE,
	    0x02000000,
	    (uint32_t)(PCIE_MMIO_BASE >> 32),
	    (uint32_t)PCIE_MMIO_BASE,
	    (uint32_t)(PCIE_MMIO_BASE >> 32),
	    (uint32_t)PCIE_MMIO_BASE,
	    (uint32_t)(PCIE_MMIO_SIZE >> 32),
	    (uint32_t)PCIE_MMIO_SIZE,
	    0x03000000,
	    (uint32_t)(high_base >> 32),
	    (uint32_t)high_base,
	    (uint32_t)(high_base >> 32),
	    (uint32_t)high_base,
	    (uint32_t)(PCIE_MMIO_HIGH_SIZE >> 32),
	    (uint32_t)PCIE_MMIO_HIGH_SIZE,
	};
	static const uint32_t bus_range[] = {0, 0xff};
	/* In the order QEMU 7.2's node lists them. */
	fdt_begin_node_at(f, "pci", PCIE_ECAM_BASE);
	fdt_prop_cells(f, "interrupt-map-mask", map_mask, 4);
	fdt_prop_cells(f, "interrupt-map", map, n);
	fdt_prop_cells(f, "ranges", ranges, sizeof(ranges) / sizeof(ranges[0]));
	fdt_prop_reg(f, PCIE_ECAM_BASE, PCIE_ECAM_SIZE);
	fdt_prop_empty(f, "dma-coherent");
	fdt_prop_cells(f, "bus-range", bus_range, 2);
	fdt_prop_u32(f, "linux,pci-domain", 0);
	fdt_prop_string(f, "device_type", "pci");
	fdt_prop_string(f, "compatible", "pci-host-ecam-generic");
	fdt_prop_u32(f, "#size-cells", 2);
	fdt_prop_u32(f, "#interrupt-cells", 1);
	fdt_prop_u32(f, "#address-cells", 3);
	fdt_end_node(f);
}
