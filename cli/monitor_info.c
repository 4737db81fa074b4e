/*
 * The monitor's `info` items (see monitor.h for the list), each in QEMU's
 * layout where QEMU has the item on virt, and a table that `info` alone
 * and `help info` print.
 */
#include "core/insn.h"
#include "core/machine.h"
#include "devices/netdev.h"
#include "loader/virt.h"
#include "monitor_internal.h"
#include "vm_snapshot.h"
#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char priv_letter[4] = {'U', 'S', '?', 'M'};

static void show_registers(struct monitor *mon, unsigned c)
{
	static const struct {
		const char *name;
		uint16_t num;
	} shown[] = {
	    {"mhartid", 0xf14},	 {"mstatus", 0x300}, {"misa", 0x301},	 {"mip", 0x344},
	    {"mie", 0x304},	 {"mideleg", 0x303}, {"medeleg", 0x302}, {"mtvec", 0x305},
	    {"stvec", 0x105},	 {"mepc", 0x341},    {"sepc", 0x141},	 {"mcause", 0x342},
	    {"scause", 0x142},	 {"mtval", 0x343},   {"stval", 0x143},	 {"mscratch", 0x340},
	    {"sscratch", 0x140}, {"satp", 0x180},    {"instret", 0xb02},
	};
	struct machine *m = mon->m;
	struct hart *h = m->harts[c];
	if (m->sync_fflags)
		m->sync_fflags(h);
	/* QEMU starts each hart's block with an empty line. */
	monitor_out(mon, "\nCPU#%u%s\n", c, h->wfi ? " (halted in wfi)" : "");
	monitor_out(mon, " %-8s %016" PRIx64 "\n", "pc", h->pc);
	monitor_out(mon, " %-8s %c\n", "priv", priv_letter[h->priv & 3]);
	for (size_t i = 0; i < sizeof(shown) / sizeof(shown[0]); i++) {
		uint64_t v = 0;
		if (csr_debug_read(h, shown[i].num, &v))
			monitor_out(mon, " %-8s %016" PRIx64 "\n", shown[i].name, v);
	}
	for (unsigned i = 0; i < 32; i++) {
		char name[12];
		snprintf(name, sizeof(name), "x%u/%s", i, insn_xreg_name(i));
		monitor_out(mon, " %-8s %016" PRIx64 "%s", name, h->x[i], (i & 3) == 3 ? "\n" : "");
	}
	for (unsigned i = 0; i < 32; i++) {
		char name[12];
		snprintf(name, sizeof(name), "f%u/%s", i, insn_freg_name(i));
		monitor_out(mon, " %-8s %016" PRIx64 "%s", name, h->f[i], (i & 3) == 3 ? "\n" : "");
	}
	monitor_out(mon, " %-8s %02x\n %-8s %x\n", "fflags", h->fflags, "frm", h->frm);
}

/* info registers [-a|N] */
static void info_registers(struct monitor *mon, const char *arg)
{
	if (!strcmp(arg, "-a")) {
		for (unsigned c = 0; c < mon->m->nharts; c++)
			show_registers(mon, c);
		return;
	}
	unsigned c = mon->cpu;
	if (*arg) {
		uint64_t v;
		if (!monitor_expr_arg(mon, "info", arg, &v))
			return;
		if (v >= mon->m->nharts) {
			monitor_out(mon, "CPU#%" PRIu64 " not available\n", v);
			return;
		}
		c = (unsigned)v;
	}
	show_registers(mon, c);
}

static void info_mtree(struct monitor *mon, const char *arg)
{
	(void)arg;
	struct machine *m = mon->m;
	const struct bus *bus = &m->bus;
	/* Print in address order: RAM is one more region among the bus's. */
	bool done[BUS_MAX_REGIONS] = {false};
	bool ram_done = false;
	monitor_out(mon, "address-space: memory\n");
	for (;;) {
		int best = -1;
		uint64_t best_base = UINT64_MAX;
		for (unsigned i = 0; i < bus->count; i++)
			if (!done[i] && bus->regions[i].base < best_base) {
				best = (int)i;
				best_base = bus->regions[i].base;
			}
		if (!ram_done && m->ram_base < best_base) {
			monitor_out(mon, "  %016" PRIx64 "-%016" PRIx64 " (prio 0, ram): ram\n",
				    m->ram_base, m->ram_base + m->ram_size - 1);
			ram_done = true;
			continue;
		}
		if (best < 0)
			break;
		const struct bus_region *r = &bus->regions[best];
		done[best] = true;
		monitor_out(mon, "  %016" PRIx64 "-%016" PRIx64 " (prio 0, %s): %s\n", r->base,
			    r->base + r->size - 1, r->rom ? "rom" : "i/o", r->name ? r->name : "?");
	}
}

static void info_cpus(struct monitor *mon, const char *arg)
{
	(void)arg;
	for (unsigned c = 0; c < mon->m->nharts; c++) {
		const struct hart *h = mon->m->harts[c];
		monitor_out(mon, "%c CPU #%u: pc=0x%016" PRIx64 "%s\n", c == mon->cpu ? '*' : ' ',
			    c, h->pc, h->wfi ? " (halted)" : "");
	}
}

static void info_status(struct monitor *mon, const char *arg)
{
	(void)arg;
	monitor_out(mon, "VM status: %s\n", atomic_load(&mon->m->paused) ? "paused" : "running");
}

static void info_version(struct monitor *mon, const char *arg)
{
	(void)arg;
	monitor_out(mon, "%s (rvjit)\n", mon->version ? mon->version : "?");
}

/* The format of drive d: as given, else what the file's magic says
 * (QEMU's probe: qcow2 starts with "QFI\xfb"). */
static const char *drive_format(const struct virt_drive *d)
{
	if (d->format)
		return d->format;
	FILE *f = fopen(d->file, "rb");
	unsigned char magic[4] = {0};
	if (f) {
		if (fread(magic, 1, sizeof(magic), f) != sizeof(magic))
			magic[0] = 0;
		fclose(f);
	}
	return memcmp(magic, "QFI\xfb", 4) ? "raw" : "qcow2";
}

/* info block [name]: QEMU's layout for each drive. A snapshot drive's
 * writes stay in memory, shown as QEMU shows its temporary overlay: the
 * file becomes the backing file. */
static void info_block(struct monitor *mon, const char *arg)
{
	const struct virt_config *b = mon->board;
	bool found = false;
	for (unsigned i = 0; b && i < b->ndrives; i++) {
		const struct virt_drive *d = &b->drives[i];
		char name[64];
		snprintf(name, sizeof(name), "%s", d->id ? d->id : "");
		if (!d->id)
			snprintf(name, sizeof(name), "virtio%u", i);
		if (*arg && strcmp(arg, name))
			continue;
		const bool snapshot = d->snapshot || b->snapshot;
		monitor_out(mon, "%s%s (#block%u): %s (%s%s)\n", found ? "\n" : "", name, i,
			    d->file, drive_format(d), d->readonly ? ", read-only" : "");
		monitor_out(mon, "    Attached to:      /machine/peripheral-anon/device[%u]\n", i);
		monitor_out(mon, "    Cache mode:       writeback%s\n",
			    snapshot ? ", ignore flushes" : "");
		if (snapshot)
			monitor_out(mon, "    Backing file:     %s (chain depth: 1)\n", d->file);
		found = true;
	}
}

/* info network: each NIC and its backend, QEMU's layout (the backend's
 * line also lists its hostfwd rules, which QEMU keeps for info usernet). */
static void info_network(struct monitor *mon, const char *arg)
{
	(void)arg;
	const struct virt_config *b = mon->board;
	for (unsigned i = 0; b && i < b->nnics; i++) {
		const struct virt_nic *n = &b->nics[i];
		monitor_out(mon,
			    "virtio-net-device.%u: index=0,type=nic,model=virtio-net-device,"
			    "macaddr=%02x:%02x:%02x:%02x:%02x:%02x\n",
			    i, n->mac[0], n->mac[1], n->mac[2], n->mac[3], n->mac[4], n->mac[5]);
		if (!n->backend)
			continue;
		char desc[256] = "";
		if (n->backend->ops->describe)
			n->backend->ops->describe(n->backend->opaque, desc, sizeof(desc));
		monitor_out(mon, " \\ %s: index=0,type=%s%s%s\n", n->backend->id, n->backend->type,
			    *desc ? "," : "", desc);
	}
}

static void pci_line(void *opaque, const char *line)
{
	monitor_out(opaque, "%s\n", line);
}

/* info pci: QEMU's short layout, function by function. */
static void info_pci(struct monitor *mon, const char *arg)
{
	(void)arg;
	if (mon->running)
		virt_board_pci_info(mon->running, pci_line, mon);
}

/* QEMU's type name for each of our devices' regions. */
static const char *qdev_type(const char *region)
{
	static const char *const names[][2] = {
	    {"uart16550", "serial-mm"},	    {"plic", "riscv.sifive.plic"},
	    {"clint", "riscv.aclint.swi"},  {"test finisher", "riscv.sifive.test"},
	    {"virtio-mmio", "virtio-mmio"}, {"pcie-ecam", "gpex-pcihost"},
	};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strncmp(region, names[i][0], strlen(names[i][0])))
			return names[i][1];
	return region;
}

/* info qtree: the devices on the system bus, QEMU's layout without the
 * properties. */
static void info_qtree(struct monitor *mon, const char *arg)
{
	(void)arg;
	const struct bus *bus = &mon->m->bus;
	monitor_out(mon, "bus: main-system-bus\n  type System\n");
	for (unsigned i = bus->count; i-- > 0;) {
		const struct bus_region *r = &bus->regions[i];
		if (r->rom)
			continue;
		/* The PCIe host's windows are more mmio lines of its ECAM's
		 * device, as QEMU lists gpex-pcihost. */
		const bool pcie = r->name && !strncmp(r->name, "pcie-", 5);
		if (pcie && strcmp(r->name, "pcie-ecam"))
			continue;
		monitor_out(mon, "  dev: %s, id \"\"\n    mmio %016" PRIx64 "/%016" PRIx64 "\n",
			    qdev_type(r->name ? r->name : "?"), r->base, r->size);
		for (unsigned j = 0; pcie && j < bus->count; j++) {
			const struct bus_region *w = &bus->regions[j];
			if (w != r && w->name && !strncmp(w->name, "pcie-", 5))
				monitor_out(mon, "    mmio %016" PRIx64 "/%016" PRIx64 "\n",
					    w->base, w->size);
		}
	}
}

/* info irq: QEMU keeps no interrupt statistics on virt (its `info irq`
 * prints nothing there); ours shows the PLIC's state instead, read
 * through its registers (PLIC spec: priorities at 4*id, pending bits at
 * 0x1000, each context's enables at 0x2000 + 0x80*ctx, threshold at
 * 0x200000 + 0x1000*ctx; contexts are M and S of each hart on virt). */
static void info_irq(struct monitor *mon, const char *arg)
{
	(void)arg;
	const struct bus *bus = &mon->m->bus;
	const struct bus_region *plic = NULL;
	for (unsigned i = 0; i < bus->count; i++)
		if (bus->regions[i].name && !strcmp(bus->regions[i].name, "plic"))
			plic = &bus->regions[i];
	if (!plic)
		return;
	const unsigned ncontexts = 2 * mon->m->nharts;
	monitor_out(mon, "PLIC at %#" PRIx64 ":\n", plic->base);
	for (unsigned c = 0; c < ncontexts; c++) {
		uint64_t t = 0;
		bus_read(bus, plic->base + 0x200000 + 0x1000 * (uint64_t)c, 4, &t);
		monitor_out(mon, "  context %u (hart %u %c): threshold %" PRIu64 "\n", c, c / 2,
			    c & 1 ? 'S' : 'M', t);
	}
	monitor_out(mon, "  irq  priority  pending  enabled in contexts\n");
	for (unsigned id = 1; id < 1024; id++) {
		uint64_t prio, pend, en;
		if (!bus_read(bus, plic->base + 4 * (uint64_t)id, 4, &prio) ||
		    !bus_read(bus, plic->base + 0x1000 + 4 * (uint64_t)(id / 32), 4, &pend))
			break;
		const bool pending = (pend >> (id % 32)) & 1;
		char enabled[256] = "";
		size_t len = 0;
		for (unsigned c = 0; c < ncontexts && len + 8 < sizeof(enabled); c++)
			if (bus_read(bus, plic->base + 0x2000 + 0x80 * (uint64_t)c + 4 * (id / 32),
				     4, &en) &&
			    ((en >> (id % 32)) & 1))
				len += (size_t)snprintf(enabled + len, sizeof(enabled) - len, " %u",
							c);
		if (prio || pending || len)
			monitor_out(mon, "  %3u  %8" PRIu64 "  %7d %s\n", id, prio, pending,
				    len ? enabled : " -");
	}
}

/* info name: the -name value, nothing without one (QEMU's hmp_info_name). */
static void info_name(struct monitor *mon, const char *arg)
{
	(void)arg;
	if (mon->name)
		monitor_out(mon, "%s\n", mon->name);
}

/* info snapshots (cli/vm_snapshot.c), a line at a time. */
static void info_snapshots(struct monitor *mon, const char *arg)
{
	(void)arg;
	char *text = mon->running ? vm_snapshot_info(mon->running) : NULL;
	for (char *line = text, *nl; line && *line; line = nl + 1) {
		nl = strchr(line, '\n');
		if (!nl)
			nl = line + strlen(line) - 1;
		monitor_out(mon, "%.*s", (int)(nl - line + 1), line);
	}
	free(text);
}

struct info_item {
	const char *name, *params, *help;
	void (*fn)(struct monitor *mon, const char *arg);
};

/* In QEMU's (alphabetical) order. */
static const struct info_item info_items[] = {
    {"block", "[device]", "show info of one block device or all block devices", info_block},
    {"cpus", "", "show infos for each CPU", info_cpus},
    {"irq", "", "show the PLIC's interrupt priorities, pending and enabled bits", info_irq},
    {"mtree", "", "show memory tree", info_mtree},
    {"name", "", "show the current VM name", info_name},
    {"network", "", "show the network state", info_network},
    {"pci", "", "show PCI info", info_pci},
    {"qtree", "", "show device tree", info_qtree},
    {"registers", "[-a|vcpu]",
     "show the cpu registers (-a: show register info for all cpus; vcpu: specific vCPU to "
     "query; show the current CPU's registers if no argument is specified)",
     info_registers},
    {"snapshots", "", "show the currently saved VM snapshots", info_snapshots},
    {"status", "", "show the current VM status (running|paused)", info_status},
    {"version", "", "show the version of rvjit", info_version},
};

void monitor_info_list(struct monitor *mon)
{
	for (size_t i = 0; i < sizeof(info_items) / sizeof(info_items[0]); i++)
		monitor_out(mon, "info %s %s -- %s\n", info_items[i].name, info_items[i].params,
			    info_items[i].help);
}

void monitor_cmd_info(struct monitor *mon, const char *cmd, const char *arg)
{
	(void)cmd;
	if (!*arg) {
		monitor_info_list(mon);
		return;
	}
	const size_t wlen = strcspn(arg, " \t");
	const char *rest = arg + wlen;
	while (isspace((unsigned char)*rest))
		rest++;
	for (size_t i = 0; i < sizeof(info_items) / sizeof(info_items[0]); i++)
		if (strlen(info_items[i].name) == wlen && !strncmp(arg, info_items[i].name, wlen)) {
			info_items[i].fn(mon, rest);
			return;
		}
	monitor_out(mon, "unknown command: 'info %.*s'\n", (int)wlen, arg);
}
