/*
 * QEMU virt's generic PCIe host bridge (QEMU's gpex, Linux's
 * "pci-host-ecam-generic"): configuration space through ECAM, the PIO and
 * MMIO windows where the guest places the functions' BARs, and the four
 * INTx lines. One root bus (bus 0, 32 slots of 8 functions); the host
 * bridge itself is 00.0.
 *
 * The host owns the type-0 configuration header of every function: the
 * IDs and class the function gives, the command register (memory / I/O
 * decode, INTx disable), the BARs (the guest sizes one by writing all
 * ones and reading the mask back, then writes its address), the interrupt
 * pin and line, and a capability list the function writes at creation.
 * Accesses to the windows go to the BAR that holds the address, if its
 * function decodes that space; anything else reads 0 and ignores writes
 * (gpex's allow-unmapped-accesses), so a BAR placed over RAM or over
 * another BAR never reaches RAM and never crashes: the first function
 * (lowest devfn) and BAR that match win.
 */
#ifndef RVJIT_PCIE_HOST_H
#define RVJIT_PCIE_HOST_H

#include "core/machine.h"
#include "devices/irq.h"
#include <stdbool.h>
#include <stdint.h>

/* QEMU virt's memory map (hw/riscv/virt.c). */
#define PCIE_ECAM_BASE	    0x30000000ULL
#define PCIE_ECAM_SIZE	    0x10000000ULL /* buses 0-255, 1 MiB each */
#define PCIE_PIO_BASE	    0x03000000ULL
#define PCIE_PIO_SIZE	    0x10000ULL
#define PCIE_MMIO_BASE	    0x40000000ULL
#define PCIE_MMIO_SIZE	    0x40000000ULL
#define PCIE_MMIO_HIGH_SIZE (16ULL << 30)
#define PCIE_IRQ	    32 /* PLIC sources 32..35: INTA..INTD after the swizzle */
#define PCIE_NUM_IRQS	    4

#define PCI_SLOTS     32
#define PCI_FUNCS     8
#define PCI_CFG_SIZE  256  /* the type-0 header and capabilities */
#define PCIE_CFG_SIZE 4096 /* what ECAM gives each function */
#define PCI_NUM_BARS  6

/* Type-0 configuration header (PCI Local Bus 3.0, 6.1). */
#define PCI_VENDOR_ID		0x00
#define PCI_DEVICE_ID		0x02
#define PCI_COMMAND		0x04
#define PCI_STATUS		0x06
#define PCI_REVISION_ID		0x08
#define PCI_CLASS_PROG		0x09
#define PCI_CACHE_LINE_SIZE	0x0c
#define PCI_LATENCY_TIMER	0x0d
#define PCI_HEADER_TYPE		0x0e
#define PCI_BASE_ADDRESS_0	0x10
#define PCI_SUBSYSTEM_VENDOR_ID 0x2c
#define PCI_SUBSYSTEM_ID	0x2e
#define PCI_ROM_ADDRESS		0x30
#define PCI_CAPABILITY_LIST	0x34
#define PCI_INTERRUPT_LINE	0x3c
#define PCI_INTERRUPT_PIN	0x3d

#define PCI_COMMAND_IO		  0x0001
#define PCI_COMMAND_MEMORY	  0x0002
#define PCI_COMMAND_MASTER	  0x0004
#define PCI_COMMAND_SERR	  0x0100
#define PCI_COMMAND_INTX_DISABLE  0x0400
#define PCI_STATUS_INTERRUPT	  0x0008
#define PCI_STATUS_CAP_LIST	  0x0010
#define PCI_HEADER_MULTI_FUNCTION 0x80

/* BAR type bits. */
#define PCI_BAR_IO	     0x1u
#define PCI_BAR_MEM64	     0x4u
#define PCI_BAR_PREFETCH     0x8u
#define PCI_CAP_ID_VNDR	     0x09
#define PCI_FIRST_CAP_OFFSET 0x40

/* A BAR: size a power of two (0: not implemented); flags PCI_BAR_*. A
 * 64-bit BAR also takes the next one for its high half. */
struct pci_bar {
	uint64_t size;
	uint32_t flags;
};

struct pci_function;
struct vmstate_out;
struct vmstate_in;

/* What a function is, given at creation. */
struct pci_function_desc {
	uint16_t vendor_id, device_id;
	uint8_t revision;
	uint32_t class_code; /* base class, subclass, prog-if */
	uint16_t subsystem_vendor_id, subsystem_id;
	uint8_t interrupt_pin; /* 1..4 for INTA..INTD, 0: none */
	struct pci_bar bars[PCI_NUM_BARS];
	/* Accesses to BAR `bar` at `offset` (within its size), 1/2/4/8 bytes. */
	uint64_t (*bar_read)(void *opaque, unsigned bar, uint64_t offset, unsigned size);
	void (*bar_write)(void *opaque, unsigned bar, uint64_t offset, unsigned size, uint64_t val);
	/* Called before the function is freed with the host; may be NULL. */
	void (*free)(void *opaque);
	/* savevm/loadvm of the function's own state, after its configuration
	 * space; may be NULL. */
	void (*save)(void *opaque, struct vmstate_out *o);
	void (*load)(void *opaque, struct vmstate_in *in);
	const char *name; /* for `info pci` */
};

struct pcie_host;

/* The host bridge on m->bus: ECAM, PIO, the 32-bit MMIO window and the
 * 64-bit one at high_base, INTx to intx[0..3] (PLIC 32..35). The bridge
 * itself is 00.0. NULL with a message on failure. */
struct pcie_host *pcie_host_new(struct machine *m, uint64_t high_base,
				const struct irq_line intx[PCIE_NUM_IRQS]);

/* Where QEMU 7.2's virt puts the 64-bit window: the first 16 GiB boundary
 * at or above the end of RAM. */
uint64_t pcie_mmio_high_base(uint64_t ram_base, uint64_t ram_size);

/* Free the host, its functions (desc->free) and their state. */
void pcie_host_free(struct pcie_host *h);

/* Is slot.fn (devfn = slot << 3 | fn) taken? */
bool pcie_host_devfn_used(const struct pcie_host *h, unsigned devfn);

/* The first free slot (function 0) from slot 1, or -1. */
int pcie_host_free_slot(const struct pcie_host *h);

/* Add a function at devfn; `desc` is copied. NULL if taken or out of range. */
struct pci_function *pcie_host_add(struct pcie_host *h, unsigned devfn,
				   const struct pci_function_desc *desc, void *opaque);

/* The function's configuration space, for it to write its capabilities
 * from PCI_FIRST_CAP_OFFSET on (read-only to the guest); then
 * pci_function_set_caps links the list. */
uint8_t *pci_function_config(struct pci_function *f);
void pci_function_set_caps(struct pci_function *f, uint8_t first);

/* The function's INTx level (the pin it declared): the host ORs the
 * functions sharing a line, and honours INTX_DISABLE. */
void pci_function_set_irq(struct pci_function *f, bool level);

/* Bus master enable (the command register), for a function about to DMA. */
bool pci_function_bus_master(const struct pci_function *f);

/* The guest-visible INTx line (0..3, before the PLIC base) of slot/pin
 * (pin 1..4), QEMU virt's swizzle. */
unsigned pcie_intx_line(unsigned slot, unsigned pin);

/* Configuration space accesses as ECAM decodes them (bus, devfn, offset),
 * for tests and the monitor. */
uint64_t pcie_host_config_read(struct pcie_host *h, unsigned bus, unsigned devfn, unsigned offset,
			       unsigned size);
void pcie_host_config_write(struct pcie_host *h, unsigned bus, unsigned devfn, unsigned offset,
			    unsigned size, uint64_t val);

/* savevm/loadvm (core/vmstate.h): every function's configuration space
 * and state; load re-drives the INTx lines. */
void pcie_host_save(struct pcie_host *h, struct vmstate_out *o);
void pcie_host_load(struct pcie_host *h, struct vmstate_in *in);

/* `info pci`, QEMU's format, one function after another. */
void pcie_host_info(struct pcie_host *h, void (*out)(void *opaque, const char *line), void *opaque);

/* The device-tree node, as QEMU 7.2 writes it (interrupt-map to the PLIC
 * with phandle `plic`). */
struct fdt;
void pcie_host_fdt(struct fdt *f, uint64_t high_base, uint32_t plic);

#endif
