/*
 * Power-on of the virt board: RAM, the devices at QEMU's addresses, the
 * firmware / kernel images, and the boot ROM that starts them.
 *
 * Boot flows (as QEMU's virt):
 *   -bios none -kernel K   K at its ELF addresses (raw: at DRAM base);
 *                          the ROM jumps to K's entry.
 *   -bios F [-kernel K]    F at DRAM base; K at DRAM base + 2 MiB (raw) or
 *                          its ELF addresses; the ROM jumps to F, and the
 *                          fw_dynamic info tells F where K is.
 *
 * Then, as QEMU's hw/riscv/boot.c does: -initrd at K's entry + min(RAM/2,
 * 128 MiB); the device tree (ours from virt_fdt.c, or -dtb's) at the top of
 * RAM (see virt_fdt_addr), its address in a1 for every hart.
 */
#include "virt.h"
#include "core/errmsg.h"
#include "core/vmstate.h"
#include "devices/block.h"
#include "devices/clint.h"
#include "devices/goldfish_rtc.h"
#include "devices/htif.h"
#include "devices/pcie_host.h"
#include "devices/plic.h"
#include "devices/syscon.h"
#include "devices/uart16550.h"
#include "devices/virtio_blk.h"
#include "devices/virtio_input.h"
#include "devices/virtio_mmio.h"
#include "devices/virtio_net.h"
#include "devices/virtio_pci.h"
#include "devices/virtio_rng.h"
#include "fdt/fdt.h"
#include "loader.h"
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

struct virt_board {
	struct machine *m;
	struct virt_serial serial;
	struct clint *clint;
	struct plic *plic;
	struct uart *uart;
	struct goldfish_rtc *rtc;
	struct htif *htif;
	struct virtio_mmio *virtio[VIRT_VIRTIO_COUNT];
	struct block_dev *disks[VIRT_VIRTIO_COUNT];
	struct pcie_host *pcie;					 /* owns the virtio-pci functions */
	struct block_dev *pci_disks[VIRT_MAX_DRIVES];		 /* drive i's, on virtio-blk-pci */
	struct rng_backend *pci_rng_own[VIRT_VIRTIO_COUNT];	 /* rng i's, on virtio-rng-pci */
	struct block_dev *orphans[VIRT_MAX_DRIVES];		 /* drives no device uses */
	struct rng_backend *rng_backends[VIRT_MAX_RNG_BACKENDS]; /* -object's */
	struct rng_backend *rng_own[VIRT_VIRTIO_COUNT];		 /* a virtio-rng's without rng= */
	struct virtio_input *power_button;			 /* NULL: power-button=off */
	/* Where each open drive came from, for commit (drive i's image). */
	struct drive_source {
		struct block_dev *dev; /* disks[] or orphans[]'s; NULL: not open */
		char *file, *format;
		char *id; /* -drive id= or -blockdev node-name=, NULL for none */
		bool locking;
	} sources[VIRT_MAX_DRIVES];
	uint8_t *fdt; /* the device tree as placed in RAM */
	size_t fdt_size;
	uint8_t rom[BOOTROM_SIZE];
};

/* Load FILE (ELF at its addresses, else raw at raw_addr). */
static int load_program(struct machine *m, const char *path, uint64_t raw_addr,
			struct load_info *info, char *err, size_t errlen)
{
	char why[256];
	size_t size;
	uint8_t *data = load_file(path, &size, why, sizeof(why));
	if (!data)
		return errmsg(err, errlen, "%s: %s", path, why);
	int rc;
	if (loader_is_elf(data, size))
		rc = load_elf_image(m, data, size, info, why, sizeof(why));
	else
		rc = load_raw_image(m, data, size, raw_addr, info, why, sizeof(why));
	free(data);
	if (rc)
		return errmsg(err, errlen, "%s: %s", path, why);
	return 0;
}

/* "-bios default": OpenSBI's generic fw_dynamic, from Debian's opensbi
 * package (what .ci/setup installs), else the copy QEMU ships in
 * qemu-system-data for its own "-bios default". */
static const char *default_firmware(void)
{
	static const char *const paths[] = {
	    "/usr/lib/riscv64-linux-gnu/opensbi/generic/fw_dynamic.bin",
	    "/usr/share/qemu/opensbi-riscv64-generic-fw_dynamic.bin",
	};
	for (unsigned i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		FILE *f = fopen(paths[i], "rb");
		if (f) {
			fclose(f);
			return paths[i];
		}
	}
	return NULL;
}

static void serial_tx(void *opaque, uint8_t byte)
{
	const struct virt_board *b = opaque;
	b->serial.write(b->serial.opaque, byte);
}

/* Move serial input into the UART's receive FIFO, as far as it has room. */
static uint64_t uart_feed(void *opaque)
{
	struct virt_board *b = opaque;
	const struct virt_serial *s = &b->serial;
	uint8_t byte;
	while (uart_can_receive(b->uart)) {
		if (s->take_break && s->take_break(s->opaque)) {
			uart_receive_break(b->uart);
			continue;
		}
		if (!s->peek(s->opaque, &byte))
			break;
		uart_receive(b->uart, byte);
		s->consume(s->opaque);
	}
	s->flush(s->opaque);
	return UINT64_MAX;
}

static void note_source(struct virt_board *b, unsigned i, struct block_dev *dev,
			const struct virt_drive *d)
{
	struct drive_source *src = &b->sources[i];
	src->dev = dev;
	src->file = strdup(d->file);
	src->format = d->format ? strdup(d->format) : NULL;
	src->id = d->id ? strdup(d->id) : NULL;
	src->locking = !d->no_locking;
}

/* A device on a virtio-mmio slot: drive i's virtio-blk or rng i's. */
struct placed_dev {
	bool rng;
	unsigned i;
	int slot;
	unsigned order;
};

/* Where each virtio device goes (QEMU's virt): an explicit
 * bus=virtio-mmio-bus.N first, then, in command-line order, the free slot
 * with the highest address. */
static int place_virtio(const struct virt_config *c, struct placed_dev *devs, unsigned *ndevs,
			char *err, size_t errlen)
{
	unsigned n = 0;
	for (unsigned i = 0; i < c->ndrives; i++)
		if (!c->drives[i].no_device && !c->drives[i].pci_devfn)
			devs[n++] =
			    (struct placed_dev){false, i, c->drives[i].slot, c->drives[i].order};
	for (unsigned i = 0; i < c->nrngs; i++)
		if (!c->rngs[i].pci_devfn)
			devs[n++] = (struct placed_dev){true, i, c->rngs[i].slot, c->rngs[i].order};
	/* Command-line order (a stable insertion sort: a handful of them). */
	for (unsigned i = 1; i < n; i++)
		for (unsigned j = i; j > 0 && devs[j - 1].order > devs[j].order; j--) {
			const struct placed_dev t = devs[j];
			devs[j] = devs[j - 1];
			devs[j - 1] = t;
		}
	bool used[VIRT_VIRTIO_COUNT] = {false};
	for (unsigned i = 0; i < n; i++) {
		const int s = devs[i].slot;
		if (s < 0)
			continue;
		if (used[s])
			return errmsg(err, errlen, "virtio-mmio-bus.%d is used twice", s);
		used[s] = true;
	}
	for (unsigned i = 0; i < n; i++) {
		if (devs[i].slot >= 0)
			continue;
		int s = VIRT_VIRTIO_COUNT - 1;
		while (s >= 0 && used[s])
			s--;
		if (s < 0)
			return errmsg(err, errlen, "too many virtio devices");
		used[s] = true;
		devs[i].slot = s;
	}
	*ndevs = n;
	return 0;
}

static int add_disk(struct virt_board *b, const struct virt_config *c, unsigned i, int s, char *err,
		    size_t errlen)
{
	const struct virt_drive *d = &c->drives[i];
	char why[256];
	/* -snapshot leaves -blockdev nodes alone, as QEMU's does. */
	struct block_dev *dev =
	    disk_open(d->file, d->format, d->readonly, d->snapshot || (c->snapshot && !d->blockdev),
		      !d->no_locking, why, sizeof(why));
	if (!dev)
		return errmsg(err, errlen, "-drive file=%s: %s", d->file, why);
	note_source(b, i, dev, d);
	if (d->no_device) {
		/* Opened as QEMU opens it (a missing file is an error), but
		 * the guest sees no device. */
		b->orphans[i] = dev;
		return 0;
	}
	if (d->pci_devfn) {
		b->pci_disks[i] = dev;
		struct virtio_dev *vd = virtio_blk_create(b->m, dev, d->id ? d->id : "");
		return vd && virtio_pci_attach(b->pcie, (unsigned)s, vd)
			   ? 0
			   : errmsg(err, errlen, "cannot create virtio-blk-pci for %s", d->file);
	}
	b->disks[s] = dev;
	b->virtio[s] = virtio_blk_new(b->m, VIRT_VIRTIO_BASE + (uint64_t)s * VIRT_VIRTIO_STRIDE,
				      plic_line(b->plic, VIRT_VIRTIO_IRQ + (unsigned)s),
				      b->disks[s], c->virtio_legacy, d->id ? d->id : "");
	if (!b->virtio[s])
		return errmsg(err, errlen, "cannot create virtio-blk for %s", d->file);
	return 0;
}

static int add_rng(struct virt_board *b, const struct virt_config *c, unsigned i, int s, char *err,
		   size_t errlen)
{
	const struct virt_rng *r = &c->rngs[i];
	struct rng_backend *backend;
	if (r->backend >= 0) {
		backend = b->rng_backends[r->backend];
	} else {
		/* QEMU gives a virtio-rng without rng= an rng-builtin. */
		struct rng_backend **own = r->pci_devfn ? &b->pci_rng_own[i] : &b->rng_own[s];
		*own = rng_backend_open(NULL, err, errlen);
		if (!*own)
			return -1;
		backend = *own;
	}
	if (r->pci_devfn) {
		struct virtio_dev *vd =
		    virtio_rng_create(b->m, backend, r->max_bytes, r->period_ms);
		return vd && virtio_pci_attach(b->pcie, (unsigned)s, vd)
			   ? 0
			   : errmsg(err, errlen, "cannot create virtio-rng-pci");
	}
	b->virtio[s] = virtio_rng_new(b->m, VIRT_VIRTIO_BASE + (uint64_t)s * VIRT_VIRTIO_STRIDE,
				      plic_line(b->plic, VIRT_VIRTIO_IRQ + (unsigned)s), backend,
				      c->virtio_legacy, r->max_bytes, r->period_ms);
	if (!b->virtio[s])
		return errmsg(err, errlen, "cannot create virtio-rng");
	return 0;
}

static int add_virtio(struct virt_board *b, const struct virt_config *c, char *err, size_t errlen)
{
	struct placed_dev devs[VIRT_MAX_DRIVES + VIRT_VIRTIO_COUNT];
	unsigned n = 0;
	if (place_virtio(c, devs, &n, err, errlen))
		return -1;
	/* Every -object rng-random opens its file, used or not, as QEMU's. */
	for (unsigned i = 0; i < c->nrng_backends; i++) {
		b->rng_backends[i] = rng_backend_open(c->rng_backends[i].filename, err, errlen);
		if (!b->rng_backends[i])
			return -1;
	}
	for (unsigned i = 0; i < c->ndrives; i++)
		if (c->drives[i].no_device && add_disk(b, c, i, -1, err, errlen))
			return -1;
	for (unsigned k = 0; k < n; k++)
		if (devs[k].rng ? add_rng(b, c, devs[k].i, devs[k].slot, err, errlen)
				: add_disk(b, c, devs[k].i, devs[k].slot, err, errlen))
			return -1;
	return 0;
}

/* The PCIe host bridge, always there as on QEMU's virt, and the virtio-pci
 * functions: those with addr= first, then the others in command-line
 * order (disks and rngs, then NICs), each in the first free slot. */
static int add_pci(struct virt_board *b, const struct virt_config *c, char *err, size_t errlen)
{
	struct irq_line intx[PCIE_NUM_IRQS];
	for (unsigned i = 0; i < PCIE_NUM_IRQS; i++)
		intx[i] = plic_line(b->plic, PCIE_IRQ + i);
	b->pcie = pcie_host_new(b->m, pcie_mmio_high_base(b->m->ram_base, b->m->ram_size), intx);
	if (!b->pcie)
		return errmsg(err, errlen, "cannot create the PCIe host bridge");
	struct placed_dev devs[VIRT_MAX_DRIVES + VIRT_VIRTIO_COUNT];
	unsigned n = 0;
	for (unsigned i = 0; i < c->ndrives; i++)
		if (!c->drives[i].no_device && c->drives[i].pci_devfn)
			devs[n++] = (struct placed_dev){false, i, c->drives[i].pci_devfn,
							c->drives[i].order};
	for (unsigned i = 0; i < c->nrngs; i++)
		if (c->rngs[i].pci_devfn)
			devs[n++] =
			    (struct placed_dev){true, i, c->rngs[i].pci_devfn, c->rngs[i].order};
	for (unsigned i = 1; i < n; i++)
		for (unsigned j = i; j > 0 && devs[j - 1].order > devs[j].order; j--) {
			const struct placed_dev t = devs[j];
			devs[j] = devs[j - 1];
			devs[j - 1] = t;
		}
	/* Reserve the explicit addresses, then fill in the rest. */
	bool taken[PCI_SLOTS] = {true}; /* 00.0: the host bridge */
	for (unsigned k = 0; k < n; k++)
		if (devs[k].slot >= 0)
			taken[devs[k].slot >> 3] = true;
	for (unsigned i = 0; i < c->nnics; i++)
		if (c->nics[i].pci_devfn > 0)
			taken[c->nics[i].pci_devfn >> 3] = true;
	for (unsigned k = 0; k < n + c->nnics; k++) {
		const bool nic = k >= n;
		int devfn = nic ? c->nics[k - n].pci_devfn : devs[k].slot;
		if (!devfn)
			continue; /* a virtio-mmio NIC */
		if (devfn == VIRT_PCI_AUTO) {
			int slot = 1;
			while (slot < PCI_SLOTS && taken[slot])
				slot++;
			if (slot == PCI_SLOTS)
				return errmsg(err, errlen,
					      "no free PCI slot for a virtio-pci device");
			taken[slot] = true;
			devfn = slot << 3;
		}
		if (nic) {
			struct virtio_dev *vd =
			    virtio_net_create(b->m, c->nics[k - n].backend, c->nics[k - n].mac);
			if (!vd || !virtio_pci_attach(b->pcie, (unsigned)devfn, vd))
				return errmsg(err, errlen, "cannot create virtio-net-pci");
		} else if (devs[k].rng ? add_rng(b, c, devs[k].i, devfn, err, errlen)
				       : add_disk(b, c, devs[k].i, devfn, err, errlen)) {
			return -1;
		}
	}
	return 0;
}

/* The NICs after the disks, each in the free slot with the highest
 * address (QEMU's order for -device given after the disks'). */
static int add_nics(struct virt_board *b, const struct virt_config *c, char *err, size_t errlen)
{
	struct machine *m = b->m;
	for (unsigned i = 0; i < c->nnics; i++) {
		if (c->nics[i].pci_devfn)
			continue; /* add_pci's */
		int s = VIRT_VIRTIO_COUNT - 1;
		while (s >= 0 && b->virtio[s])
			s--;
		if (s < 0)
			return errmsg(err, errlen, "too many virtio devices");
		b->virtio[s] =
		    virtio_net_new(m, VIRT_VIRTIO_BASE + (uint64_t)s * VIRT_VIRTIO_STRIDE,
				   plic_line(b->plic, VIRT_VIRTIO_IRQ + (unsigned)s),
				   c->nics[i].backend, c->nics[i].mac, c->virtio_legacy);
		if (!b->virtio[s])
			return errmsg(err, errlen, "cannot create virtio-net");
	}
	for (int s = 0; s < VIRT_VIRTIO_COUNT; s++)
		if (!b->virtio[s] &&
		    !virtio_mmio_empty(b->m, VIRT_VIRTIO_BASE + (uint64_t)s * VIRT_VIRTIO_STRIDE,
				       c->virtio_legacy))
			return errmsg(err, errlen, "cannot create virtio-mmio slot %d", s);
	return 0;
}

static int add_devices(struct virt_board *b, const struct virt_config *c, char *err, size_t errlen)
{
	struct machine *m = b->m;
	if (!bus_add_rom(&m->bus, BOOTROM_BASE, BOOTROM_SIZE, b->rom, "boot ROM") ||
	    !syscon_add(m, VIRT_TEST_BASE) || !(b->clint = clint_new(m, VIRT_CLINT_BASE)) ||
	    !(b->plic = plic_new(m, VIRT_PLIC_BASE, VIRT_PLIC_SOURCES)) ||
	    !(b->uart = uart_new(&m->bus, VIRT_UART0_BASE, plic_line(b->plic, VIRT_UART0_IRQ),
				 serial_tx, b)) ||
	    !(b->rtc =
		  goldfish_rtc_new(m, VIRT_RTC_BASE, plic_line(b->plic, VIRT_RTC_IRQ), &c->rtc)) ||
	    !machine_add_poller(m, uart_feed, b))
		return errmsg(err, errlen, "cannot create the virt board's devices");
	if (add_virtio(b, c, err, errlen) || add_pci(b, c, err, errlen) ||
	    add_nics(b, c, err, errlen))
		return -1;
	if (!c->no_power_button &&
	    !(b->power_button = virtio_input_power_button_new(
		  m, VIRT_POWER_BUTTON_BASE, plic_line(b->plic, VIRT_POWER_BUTTON_IRQ))))
		return errmsg(err, errlen, "cannot create the power button");
	return 0;
}

uint64_t virt_fdt_addr(uint64_t ram_base, uint64_t ram_size, uint64_t fdt_size)
{
	const uint64_t limit = 3ULL << 30;
	uint64_t top = ram_base + ram_size;
	if (ram_base < limit && top > limit)
		top = limit;
	return (top - fdt_size) & ~((2ULL << 20) - 1);
}

static bool overlaps(uint64_t lo, uint64_t hi, const struct load_info *li)
{
	return li->high > li->low && lo < li->high && li->low < hi;
}

/* -initrd at kernel_entry + min(RAM/2, 128 MiB) (QEMU's riscv_load_initrd:
 * far enough that the kernel unpacking itself does not clobber it). */
static int load_initrd(struct virt_board *b, const char *path, uint64_t kernel_entry,
		       struct load_info *initrd, char *err, size_t errlen)
{
	struct machine *m = b->m;
	uint64_t half = m->ram_size / 2;
	const uint64_t start = kernel_entry + (half < (128ULL << 20) ? half : 128ULL << 20);
	char why[256];
	size_t size;
	uint8_t *data = load_file(path, &size, why, sizeof(why));
	if (!data)
		return errmsg(err, errlen, "-initrd %s: %s", path, why);
	const int rc = load_raw_image(m, data, size, start, initrd, why, sizeof(why));
	free(data);
	if (rc)
		return errmsg(err, errlen, "-initrd %s: %s", path, why);
	initrd->low = start;
	initrd->high = start + size;
	return 0;
}

/* Build (or read, for -dtb) the device tree and copy it to the top of RAM.
 * Returns its guest address through *addr. */
static int place_fdt(struct virt_board *b, const struct virt_config *c,
		     const struct load_info *initrd, const struct load_info *const images[],
		     unsigned nimages, uint64_t *addr, char *err, size_t errlen)
{
	struct machine *m = b->m;
	if (c->dtb) {
		char why[256];
		b->fdt = load_file(c->dtb, &b->fdt_size, why, sizeof(why));
		if (!b->fdt)
			return errmsg(err, errlen, "-dtb %s: %s", c->dtb, why);
		if (!fdt_check_header(b->fdt, b->fdt_size))
			return errmsg(err, errlen,
				      "-dtb %s: not a flattened device tree (no valid FDT header)",
				      c->dtb);
	} else {
		const struct virt_fdt_config tree = {
		    .ram_base = m->ram_base,
		    .ram_size = m->ram_size,
		    .nharts = m->nharts,
		    .isa = &m->isa,
		    .bootargs = c->append,
		    .initrd_start = initrd->low,
		    .initrd_end = initrd->high,
		    .power_button = b->power_button != NULL,
		};
		if (!(b->fdt = virt_fdt_build(&tree, &b->fdt_size)))
			return errmsg(err, errlen, "out of memory building the device tree");
	}
	if (b->fdt_size > m->ram_size)
		return errmsg(err, errlen, "the device tree (%zu bytes) does not fit in RAM",
			      b->fdt_size);
	*addr = virt_fdt_addr(m->ram_base, m->ram_size, b->fdt_size);
	for (unsigned i = 0; i < nimages; i++)
		if (overlaps(*addr, *addr + b->fdt_size, images[i]))
			return errmsg(err, errlen,
				      "the images leave no room for the device tree at %#llx",
				      (unsigned long long)*addr);
	memcpy(machine_host_ptr(m, *addr, b->fdt_size, true), b->fdt, b->fdt_size);
	return 0;
}

int virt_board_dump_dtb(const struct virt_board *b, const char *path, char *err, size_t errlen)
{
	FILE *f = fopen(path, "wb");
	if (!f)
		return errmsg(err, errlen, "dumpdtb=%s: %s", path, strerror(errno));
	const bool ok = fwrite(b->fdt, 1, b->fdt_size, f) == b->fdt_size;
	if (fclose(f) || !ok)
		return errmsg(err, errlen, "dumpdtb=%s: write failed", path);
	return 0;
}

static int load_images(struct virt_board *b, const struct virt_config *c, char *err, size_t errlen)
{
	struct machine *m = b->m;
	struct load_info kernel = {0}, fw = {0}, initrd = {0};
	uint64_t entry = 0, next_addr = 0;
	const char *bios = c->bios ? c->bios : "default";
	const bool have_fw = strcmp(bios, "none") != 0;

	if (have_fw) {
		const char *path = strcmp(bios, "default") ? bios : default_firmware();
		if (!path)
			return errmsg(err, errlen,
				      "-bios default: no OpenSBI found (install Debian's "
				      "opensbi package, or give -bios none or -bios FILE)");
		if (load_program(m, path, VIRT_DRAM_BASE, &fw, err, errlen))
			return -1;
		entry = fw.entry;
	}
	if (c->kernel) {
		const uint64_t raw_at =
		    have_fw ? VIRT_DRAM_BASE + VIRT_KERNEL_OFFSET : VIRT_DRAM_BASE;
		if (load_program(m, c->kernel, raw_at, &kernel, err, errlen))
			return -1;
		if (have_fw && kernel.low < fw.high && fw.low < kernel.high)
			return errmsg(err, errlen, "%s overlaps the firmware in memory", c->kernel);
		next_addr = kernel.entry;
		if (!have_fw)
			entry = kernel.entry;
	}
	for (unsigned i = 0; i < c->nloaders; i++) {
		struct load_info li;
		char why[256];
		size_t size;
		uint8_t *data = load_file(c->loaders[i].file, &size, why, sizeof(why));
		if (!data)
			return errmsg(err, errlen, "%s: %s", c->loaders[i].file, why);
		const int rc =
		    load_raw_image(m, data, size, c->loaders[i].addr, &li, why, sizeof(why));
		free(data);
		if (rc)
			return errmsg(err, errlen, "%s: %s", c->loaders[i].file, why);
		if (!entry)
			entry = li.entry;
	}
	/* HTIF: riscv-tests and similar bare-metal programs report through it. */
	const struct load_info *prog = c->kernel ? &kernel : &fw;
	if (prog->tohost && !(b->htif = htif_new(m, prog->tohost, prog->fromhost, serial_tx, b)))
		return errmsg(err, errlen, "the tohost symbol (%#llx) is not in RAM",
			      (unsigned long long)prog->tohost);
	m->tohost_addr = prog->tohost;
	m->fromhost_addr = prog->fromhost;
	if (c->initrd) {
		if (load_initrd(b, c->initrd, next_addr, &initrd, err, errlen))
			return -1;
		if (overlaps(initrd.low, initrd.high, &kernel) ||
		    overlaps(initrd.low, initrd.high, &fw))
			return errmsg(err, errlen,
				      "-initrd %s overlaps the kernel or firmware in memory",
				      c->initrd);
	}
	uint64_t fdt_addr = 0;
	const struct load_info *const images[] = {&fw, &kernel, &initrd};
	if (place_fdt(b, c, &initrd, images, 3, &fdt_addr, err, errlen))
		return -1;
	/* next_mode 1 = S-mode, what OpenSBI's fw_dynamic expects for a kernel. */
	bootrom_build(b->rom, entry, fdt_addr, next_addr, 1);
	return 0;
}

struct virt_board *virt_board_new(const struct virt_config *c, const struct virt_serial *serial,
				  char *err, size_t errlen)
{
	struct virt_board *b = calloc(1, sizeof(*b));
	if (!b) {
		errmsg(err, errlen, "out of memory");
		return NULL;
	}
	b->serial = *serial;
	b->m = machine_new(VIRT_DRAM_BASE, c->ram_size, c->nharts, BOOTROM_BASE);
	if (!b->m) {
		errmsg(err, errlen, "cannot create the machine (%llu MiB RAM, %u harts)",
		       (unsigned long long)(c->ram_size >> 20), c->nharts);
		free(b);
		return NULL;
	}
	machine_set_isa(b->m, &c->isa);
	if (add_devices(b, c, err, errlen) || load_images(b, c, err, errlen)) {
		virt_board_free(b);
		return NULL;
	}
	return b;
}

struct machine *virt_board_machine(struct virt_board *b)
{
	return b->m;
}

void virt_board_pci_info(struct virt_board *b, void (*out)(void *opaque, const char *line),
			 void *opaque)
{
	pcie_host_info(b->pcie, out, opaque);
}

void virt_board_flush(struct virt_board *b)
{
	for (int s = 0; s < VIRT_VIRTIO_COUNT; s++)
		if (b->disks[s])
			block_flush(b->disks[s]);
	for (unsigned i = 0; i < VIRT_MAX_DRIVES; i++) {
		if (b->orphans[i])
			block_flush(b->orphans[i]);
		if (b->pci_disks[i])
			block_flush(b->pci_disks[i]);
	}
	b->serial.flush(b->serial.opaque);
}

int virt_board_commit(struct virt_board *b, const char *id, char *err, size_t errlen)
{
	int rc = 0;
	bool found = false;
	for (unsigned i = 0; i < VIRT_MAX_DRIVES; i++) {
		const struct drive_source *src = &b->sources[i];
		if (!src->dev || (id && (!src->id || strcmp(src->id, id))))
			continue;
		found = true;
		char why[256];
		if (disk_commit(src->dev, src->file, src->format, src->locking, why, sizeof(why)) &&
		    rc == 0)
			rc = errmsg(err, errlen, "'commit' error for '%s': %s", id ? id : src->file,
				    why);
	}
	if (id && !found)
		return errmsg(err, errlen, "Device '%s' not found", id);
	return rc;
}

/* The devices in a fixed order after the machine's own sections, one
 * section each (core/vmstate.h); HTIF and syscon keep no state. */
void virt_board_save_state(struct virt_board *b, struct vmstate_out *o)
{
	vmstate_save_machine(b->m, o);
	vmstate_begin(o, "clint");
	clint_save(b->clint, o);
	vmstate_end(o);
	vmstate_begin(o, "plic");
	plic_save(b->plic, o);
	vmstate_end(o);
	vmstate_begin(o, "uart");
	uart_save(b->uart, o);
	vmstate_end(o);
	vmstate_begin(o, "rtc");
	goldfish_rtc_save(b->rtc, o);
	vmstate_end(o);
	for (int s = 0; s < VIRT_VIRTIO_COUNT; s++) {
		vmstate_begin(o, "virtio");
		if (b->virtio[s])
			virtio_mmio_save(b->virtio[s], o);
		vmstate_end(o);
	}
	vmstate_begin(o, "pcie");
	pcie_host_save(b->pcie, o);
	vmstate_end(o);
	vmstate_begin(o, "power");
	if (b->power_button)
		virtio_mmio_save(virtio_input_transport(b->power_button), o);
	vmstate_end(o);
}

void virt_board_load_state(struct virt_board *b, struct vmstate_in *in)
{
	struct vmstate_in sec;
	vmstate_load_machine(b->m, in);
	if (vmstate_section(in, "clint", &sec))
		clint_load(b->clint, &sec);
	if (vmstate_section(in, "plic", &sec))
		plic_load(b->plic, &sec);
	if (vmstate_section(in, "uart", &sec))
		uart_load(b->uart, &sec);
	if (vmstate_section(in, "rtc", &sec))
		goldfish_rtc_load(b->rtc, &sec);
	for (int s = 0; s < VIRT_VIRTIO_COUNT; s++)
		if (vmstate_section(in, "virtio", &sec) && b->virtio[s])
			virtio_mmio_load(b->virtio[s], &sec);
	if (vmstate_section(in, "pcie", &sec))
		pcie_host_load(b->pcie, &sec);
	if (vmstate_section(in, "power", &sec) && b->power_button)
		virtio_mmio_load(virtio_input_transport(b->power_button), &sec);
}

bool virt_board_powerdown(struct virt_board *b)
{
	return b->power_button && virtio_input_press_power(b->power_button);
}

bool virt_board_drive(struct virt_board *b, unsigned i, struct block_dev **dev, const char **name)
{
	if (i >= VIRT_MAX_DRIVES)
		return false;
	*dev = b->sources[i].dev;
	*name = b->sources[i].id ? b->sources[i].id : b->sources[i].file;
	return true;
}

void virt_board_free(struct virt_board *b)
{
	if (!b)
		return;
	virt_board_flush(b);
	for (int s = 0; s < VIRT_VIRTIO_COUNT; s++) {
		virtio_mmio_free(b->virtio[s]); /* virtio-blk's or virtio-rng's */
		if (b->disks[s])
			block_close(b->disks[s]);
		rng_backend_close(b->rng_own[s]);
	}
	pcie_host_free(b->pcie); /* and the virtio-pci devices */
	for (unsigned i = 0; i < VIRT_MAX_DRIVES; i++)
		if (b->pci_disks[i])
			block_close(b->pci_disks[i]);
	for (unsigned i = 0; i < VIRT_VIRTIO_COUNT; i++)
		rng_backend_close(b->pci_rng_own[i]);
	virtio_input_free(b->power_button);
	for (unsigned i = 0; i < VIRT_MAX_RNG_BACKENDS; i++)
		rng_backend_close(b->rng_backends[i]);
	for (unsigned i = 0; i < VIRT_MAX_DRIVES; i++) {
		if (b->orphans[i])
			block_close(b->orphans[i]);
		free(b->sources[i].file);
		free(b->sources[i].format);
		free(b->sources[i].id);
	}
	free(b->fdt);
	htif_free(b->htif);
	uart_free(b->uart);
	goldfish_rtc_free(b->rtc);
	plic_free(b->plic);
	clint_free(b->clint);
	machine_free(b->m);
	free(b);
}
