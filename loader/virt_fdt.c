/*
 * The virt board's device tree, shaped like the one QEMU 7.2 builds for
 * `-machine virt` (hw/riscv/virt.c) so that OpenSBI, U-Boot and Linux find
 * what they expect. The board writes the root, the harts, memory and
 * /chosen; each device writes its own node (clint_fdt, plic_fdt, ...).
 *
 * Differences from QEMU, on purpose: riscv,isa lists only what rvjit
 * implements (and -cpu turned on); there is no flash, fw-cfg or
 * platform-bus node because rvjit has none of those devices; a ninth
 * virtio,mmio node, last, is rvjit's power button (loader/virt.h); the PMU
 * node lists only the
 * events rvjit counts; every interrupt controller node has
 * #address-cells (dtc's interrupt_provider check wants it, and QEMU's
 * cpu-intc nodes lack it).
 */
#include "core/counters.h"
#include "core/machine.h"
#include "core/mem.h"
#include "devices/clint.h"
#include "devices/goldfish_rtc.h"
#include "devices/pcie_host.h"
#include "devices/plic.h"
#include "devices/syscon.h"
#include "devices/uart16550.h"
#include "devices/virtio_mmio.h"
#include "fdt/fdt.h"
#include "virt.h"
#include <stdio.h>

/* The hart's ISA three ways, as QEMU 9 writes them: riscv,isa (the string
 * Linux before 6.7 reads), riscv,isa-base and riscv,isa-extensions (the
 * list newer kernels prefer). mmu-type names the largest satp mode. */
static void isa_fdt(struct fdt *f, const struct isa *isa)
{
	char s[1024];
	isa_string(isa, s, sizeof(s));
	fdt_prop_string(f, "riscv,isa", s);
	fdt_prop_string(f, "riscv,isa-base", "rv64i");
	fdt_prop(f, "riscv,isa-extensions", s, isa_extension_list(isa, s, sizeof(s)));
	fdt_prop_string(f, "mmu-type",
			isa_has(isa, ISA_SV57)	 ? "riscv,sv57"
			: isa_has(isa, ISA_SV48) ? "riscv,sv48"
						 : "riscv,sv39");
	/* The CMO block sizes, under QEMU's property names (Linux reads
	 * riscv,cbom-block-size and riscv,cboz-block-size). */
	if (isa_has(isa, ISA_ZICBOM))
		fdt_prop_u32(f, "riscv,cbom-block-size", CBO_BLOCK_SIZE);
	if (isa_has(isa, ISA_ZICBOZ))
		fdt_prop_u32(f, "riscv,cboz-block-size", CBO_BLOCK_SIZE);
	if (isa_has(isa, ISA_ZICBOP))
		fdt_prop_u32(f, "riscv,cbop-block-size", CBO_BLOCK_SIZE);
}

static void cpus_fdt(struct fdt *f, const struct isa *isa, unsigned nharts, uint32_t *cpu,
		     uint32_t *intc)
{
	fdt_begin_node(f, "cpus");
	fdt_prop_u32(f, "#address-cells", 1);
	fdt_prop_u32(f, "#size-cells", 0);
	fdt_prop_u32(f, "timebase-frequency", (uint32_t)MTIME_HZ);
	for (unsigned h = 0; h < nharts; h++) {
		cpu[h] = fdt_alloc_phandle(f);
		intc[h] = fdt_alloc_phandle(f);
		/* QEMU names the node with the hart id in decimal
		 * (create_fdt_socket_cpus: "cpu@%d"), so cpu@10 is hart 10:
		 * paths under /proc/device-tree are the same on both. */
		char name[16];
		snprintf(name, sizeof(name), "cpu@%u", h);
		fdt_begin_node(f, name);
		fdt_prop_u32(f, "phandle", cpu[h]);
		fdt_prop_string(f, "device_type", "cpu");
		fdt_prop_u32(f, "reg", h);
		fdt_prop_string(f, "status", "okay");
		fdt_prop_string(f, "compatible", "riscv");
		isa_fdt(f, isa);
		fdt_begin_node(f, "interrupt-controller");
		fdt_prop_u32(f, "phandle", intc[h]);
		fdt_prop_string(f, "compatible", "riscv,cpu-intc");
		fdt_prop_u32(f, "#address-cells", 0);
		fdt_prop_u32(f, "#interrupt-cells", 1);
		fdt_prop_empty(f, "interrupt-controller");
		fdt_end_node(f);
		fdt_end_node(f);
	}
	/* One cluster of single-thread cores, as QEMU 7.2 writes whatever
	 * -smp says: its riscv virt takes sockets from -numa nodes only
	 * (hw/riscv/numa.c), and without -numa there is one socket. */
	fdt_begin_node(f, "cpu-map");
	fdt_begin_node(f, "cluster0");
	for (unsigned h = 0; h < nharts; h++) {
		char name[16];
		snprintf(name, sizeof(name), "core%u", h);
		fdt_begin_node(f, name);
		fdt_prop_u32(f, "cpu", cpu[h]);
		fdt_end_node(f);
	}
	fdt_end_node(f);
	fdt_end_node(f);
	fdt_end_node(f);
}

static void chosen_fdt(struct fdt *f, const struct virt_fdt_config *c)
{
	char stdout_path[64];
	snprintf(stdout_path, sizeof(stdout_path), "/soc/serial@%llx",
		 (unsigned long long)VIRT_UART0_BASE);
	fdt_begin_node(f, "chosen");
	fdt_prop_string(f, "stdout-path", stdout_path);
	if (c->bootargs)
		fdt_prop_string(f, "bootargs", c->bootargs);
	if (c->initrd_end) {
		/* One cell each, as QEMU 7.2 writes them (the initrd is below
		 * 4 GiB: it is in the first half of RAM or at +128 MiB). */
		fdt_prop_u32(f, "linux,initrd-start", (uint32_t)c->initrd_start);
		fdt_prop_u32(f, "linux,initrd-end", (uint32_t)c->initrd_end);
	}
	fdt_end_node(f);
}

/* With Sscofpmf, /pmu as QEMU 7.2 writes it: OpenSBI's SBI PMU reads
 * riscv,event-to-mhpmcounters, triples of <first event, last event,
 * counters that can count them>, and writes the event number into the
 * mhpmevent of the counter it picks (the SBI's default when the node has
 * no riscv,event-to-mhpmevent). QEMU also lists TLB-miss events, which
 * rvjit does not count (core/counters.h): those are left out. */
static void pmu_fdt(struct fdt *f, const struct isa *isa)
{
	if (!isa_has(isa, ISA_SSCOFPMF))
		return;
	static const uint32_t map[] = {
	    HPM_EVENT_CYCLES,
	    HPM_EVENT_CYCLES,
	    0xfffffff9, /* mcycle, mhpmcounter3..31 */
	    HPM_EVENT_INSTRUCTIONS,
	    HPM_EVENT_INSTRUCTIONS,
	    0xfffffffc, /* minstret, 3..31 */
	};
	fdt_begin_node(f, "pmu");
	fdt_prop_cells(f, "riscv,event-to-mhpmcounters", map, sizeof(map) / sizeof(map[0]));
	fdt_prop_string(f, "compatible", "riscv,pmu");
	fdt_end_node(f);
}

uint8_t *virt_fdt_build(const struct virt_fdt_config *c, size_t *size)
{
	struct fdt f;
	uint32_t cpu[MAX_HARTS], intc[MAX_HARTS];
	fdt_init(&f);
	fdt_begin_node(&f, "");
	fdt_prop_u32(&f, "#address-cells", 2);
	fdt_prop_u32(&f, "#size-cells", 2);
	fdt_prop_string(&f, "compatible", "riscv-virtio");
	fdt_prop_string(&f, "model", "riscv-virtio,qemu");

	chosen_fdt(&f, c);
	cpus_fdt(&f, c->isa, c->nharts, cpu, intc);

	fdt_begin_node_at(&f, "memory", c->ram_base);
	fdt_prop_string(&f, "device_type", "memory");
	fdt_prop_reg(&f, c->ram_base, c->ram_size);
	fdt_end_node(&f);

	const uint32_t plic = fdt_alloc_phandle(&f);
	const uint32_t test = fdt_alloc_phandle(&f);
	syscon_fdt_power_nodes(&f, test);

	fdt_begin_node(&f, "soc");
	fdt_prop_u32(&f, "#address-cells", 2);
	fdt_prop_u32(&f, "#size-cells", 2);
	fdt_prop_string(&f, "compatible", "simple-bus");
	fdt_prop_empty(&f, "ranges");
	syscon_fdt(&f, VIRT_TEST_BASE, test);
	clint_fdt(&f, VIRT_CLINT_BASE, intc, c->nharts);
	plic_fdt(&f, VIRT_PLIC_BASE, VIRT_PLIC_SOURCES, intc, c->nharts, plic);
	uart_fdt(&f, VIRT_UART0_BASE, VIRT_UART0_IRQ, plic);
	goldfish_rtc_fdt(&f, VIRT_RTC_BASE, VIRT_RTC_IRQ, plic);
	pcie_host_fdt(&f, pcie_mmio_high_base(c->ram_base, c->ram_size), plic);
	/* Highest address first, as QEMU's virt lists them: with one disk
	 * (which QEMU also puts in the highest slot) it is the first node, so
	 * it is U-Boot's "virtio 0" and Linux's vda on both emulators. */
	for (int s = VIRT_VIRTIO_COUNT - 1; s >= 0; s--)
		virtio_mmio_fdt(&f, VIRT_VIRTIO_BASE + (uint64_t)s * VIRT_VIRTIO_STRIDE,
				VIRT_VIRTIO_IRQ + (unsigned)s, plic);
	/* After QEMU's eight, so it is probed last and numbers nothing
	 * (virtioN, U-Boot's devices) differently from QEMU. */
	if (c->power_button)
		virtio_mmio_fdt(&f, VIRT_POWER_BUTTON_BASE, VIRT_POWER_BUTTON_IRQ, plic);
	fdt_end_node(&f);

	pmu_fdt(&f, c->isa);
	fdt_end_node(&f);
	return fdt_finish(&f, size);
}
