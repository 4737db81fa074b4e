/*
 * The monitor (see monitor.h): the line editor (monitor_readline.c) over
 * the console's monitor input, then a table of commands, one function
 * each. Output is gathered per command and written through console_print,
 * after the guest output before it.
 */
#include "monitor.h"
#include "console.h"
#include "core/insn.h"
#include "core/machine.h"
#include "core/mmu.h"
#include "gdbstub.h"
#include "loader/virt.h"
#include "monitor_expr.h"
#include "monitor_readline.h"
#include "options.h"
#include <ctype.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PROMPT "(qemu) "

struct monitor {
	struct console *console;
	struct machine *m; /* NULL between machines */
	unsigned cpu;	   /* the hart `x` and `info registers` use (`cpu N`) */
	struct readline rl;
	bool banner_shown; /* QEMU greets once; later entries show the prompt */
	/* The /fmt defaults: the last format and unit given to x, xp or p. */
	char last_format;
	unsigned last_size;
	/* Set by `log`: the -d categories, kept across resets. */
	bool log_set;
	unsigned log_mask;
	struct gdbstub *gdb;		 /* started by `gdbserver`, NULL for none */
	const struct virt_config *board; /* for info block; NULL: unknown */
	const char *version;
	/* The output of the running command. */
	char *out;
	size_t nout, cap;
};

static void out(struct monitor *mon, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char tmp[1024];
	const int n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n <= 0)
		return;
	const size_t len = (size_t)n < sizeof(tmp) ? (size_t)n : sizeof(tmp) - 1;
	if (mon->nout + len + 1 > mon->cap) {
		size_t cap = mon->cap ? mon->cap * 2 : 4096;
		while (cap < mon->nout + len + 1)
			cap *= 2;
		char *p = realloc(mon->out, cap);
		if (!p)
			return;
		mon->out = p;
		mon->cap = cap;
	}
	memcpy(mon->out + mon->nout, tmp, len);
	mon->nout += len;
	mon->out[mon->nout] = '\0';
}

static void echo(void *opaque, const char *s)
{
	out(opaque, "%s", s);
}

static void flush_out(struct monitor *mon)
{
	if (mon->nout)
		console_print(mon->console, mon->out);
	mon->nout = 0;
}

/* A bad argument, as QEMU words it. */
static void arg_error(struct monitor *mon, const char *cmd, const char *msg)
{
	out(mon, "%s\nTry \"help %s\" for more information\n", msg, cmd);
}

/* ---- registers and expressions ----------------------------------------- */

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
	out(mon, "\nCPU#%u%s\n", c, h->wfi ? " (halted in wfi)" : "");
	out(mon, " %-8s %016" PRIx64 "\n", "pc", h->pc);
	out(mon, " %-8s %c\n", "priv", priv_letter[h->priv & 3]);
	for (size_t i = 0; i < sizeof(shown) / sizeof(shown[0]); i++) {
		uint64_t v = 0;
		if (csr_debug_read(h, shown[i].num, &v))
			out(mon, " %-8s %016" PRIx64 "\n", shown[i].name, v);
	}
	for (unsigned i = 0; i < 32; i++) {
		char name[12];
		snprintf(name, sizeof(name), "x%u/%s", i, insn_xreg_name(i));
		out(mon, " %-8s %016" PRIx64 "%s", name, h->x[i], (i & 3) == 3 ? "\n" : "");
	}
	for (unsigned i = 0; i < 32; i++) {
		char name[12];
		snprintf(name, sizeof(name), "f%u/%s", i, insn_freg_name(i));
		out(mon, " %-8s %016" PRIx64 "%s", name, h->f[i], (i & 3) == 3 ? "\n" : "");
	}
	out(mon, " %-8s %02x\n %-8s %x\n", "fflags", h->fflags, "frm", h->frm);
}

/* $name in an expression: pc, priv, xN, fN and their ABI names, of the
 * selected hart. (QEMU 7.2 knows no RISC-V register here.) */
static bool register_value(void *opaque, const char *name, uint64_t *v)
{
	struct monitor *mon = opaque;
	const struct hart *h = mon->m->harts[mon->cpu];
	if (!strcmp(name, "pc")) {
		*v = h->pc;
		return true;
	}
	if (!strcmp(name, "priv")) {
		*v = h->priv;
		return true;
	}
	for (unsigned i = 0; i < 32; i++) {
		char n[8];
		snprintf(n, sizeof(n), "x%u", i);
		if (!strcmp(name, n) || !strcmp(name, insn_xreg_name(i)) ||
		    (i == 8 && !strcmp(name, "fp"))) {
			*v = h->x[i];
			return true;
		}
		snprintf(n, sizeof(n), "f%u", i);
		if (!strcmp(name, n) || !strcmp(name, insn_freg_name(i))) {
			*v = h->f[i];
			return true;
		}
	}
	return false;
}

/* An expression argument filling the rest of `arg`; false after saying
 * what is wrong. */
static bool whole_expr(struct monitor *mon, const char *cmd, const char *arg, uint64_t *v)
{
	char err[128];
	if (!expr_eval(&arg, register_value, mon, v, err, sizeof(err))) {
		arg_error(mon, cmd, err);
		return false;
	}
	if (*arg) {
		out(mon, "%s: extraneous characters at the end of line\n", cmd);
		return false;
	}
	return true;
}

/* "/Nfu" (QEMU's memory_dump formats): the count, then format and unit
 * letters; what is not given comes from the last command that gave it.
 * False after saying what is wrong. */
static bool parse_format(struct monitor *mon, const char **arg, unsigned *count, char *format,
			 unsigned *size)
{
	const char *p = *arg;
	int fmt = -1, sz = -1;
	*count = 1;
	if (*p == '/') {
		p++;
		if (isdigit((unsigned char)*p))
			*count = (unsigned)strtoul(p, (char **)&p, 10);
		for (; *p && !isspace((unsigned char)*p); p++) {
			if (strchr("xduoci", *p))
				fmt = *p;
			else if (*p == 'b')
				sz = 1;
			else if (*p == 'h')
				sz = 2;
			else if (*p == 'w')
				sz = 4;
			else if (*p == 'g' || *p == 'L')
				sz = 8;
			else {
				out(mon, "invalid char in format: '%c'\n", *p);
				return false;
			}
		}
	}
	while (isspace((unsigned char)*p))
		p++;
	*format = fmt < 0 ? mon->last_format : (char)fmt;
	*size = sz < 0 ? mon->last_size : (unsigned)sz;
	if (*format != 'i')
		mon->last_size = *size;
	mon->last_format = *format;
	if (*format == 'c')
		*size = 1;
	*arg = p;
	return true;
}

/* print /fmt expr */
static void cmd_print(struct monitor *mon, const char *cmd, const char *arg)
{
	unsigned count, size;
	char format;
	uint64_t v;
	if (!parse_format(mon, &arg, &count, &format, &size) || !whole_expr(mon, cmd, arg, &v))
		return;
	switch (format) {
	case 'o':
		out(mon, "%#" PRIo64 "\n", v);
		break;
	case 'x':
		out(mon, "%#" PRIx64 "\n", v);
		break;
	case 'u':
		out(mon, "%" PRIu64 "\n", v);
		break;
	case 'c': {
		const int c = (int)v;
		if (c == '\'' || c == '\\')
			out(mon, "'\\%c'\n", c);
		else if (c == '\n')
			out(mon, "'\\n'\n");
		else if (c == '\r')
			out(mon, "'\\r'\n");
		else if (c >= 32 && c < 127)
			out(mon, "'%c'\n", c);
		else
			out(mon, "'\\x%02x'\n", (unsigned)c);
		break;
	}
	default:
		out(mon, "%" PRId64 "\n", (int64_t)v);
		break;
	}
}

/* ---- x and xp ---------------------------------------------------------- */

/* Read `size` bytes at addr (virtual through the selected hart, or
 * physical). False when nothing is there. */
static bool read_mem(struct monitor *mon, uint64_t addr, unsigned size, bool physical, uint64_t *v)
{
	struct machine *m = mon->m;
	struct hart *h = m->harts[mon->cpu];
	uint64_t pa = addr;
	if (!physical && mmu_translate_debug(h, addr, h->priv, &pa))
		return false;
	const uint8_t *host = machine_host_ptr(m, pa, size, false);
	*v = 0;
	if (host) {
		memcpy(v, host, size);
		return true;
	}
	return bus_read(&m->bus, pa, size, v);
}

static void dump_insns(struct monitor *mon, uint64_t addr, unsigned count, bool physical)
{
	for (unsigned i = 0; i < count; i++) {
		uint64_t lo;
		if (!read_mem(mon, addr, 2, physical, &lo)) {
			out(mon, "Cannot access memory\n");
			return;
		}
		uint64_t raw = lo;
		int len = 2;
		if ((lo & 3) == 3) {
			uint64_t hi;
			if (!read_mem(mon, addr + 2, 2, physical, &hi)) {
				out(mon, "Cannot access memory\n");
				return;
			}
			raw |= hi << 16;
			len = 4;
		}
		struct op op;
		memset(&op, 0, sizeof(op));
		insn_decode((uint32_t)raw, len, &op);
		char text[96];
		insn_disasm(&op, addr, text, sizeof(text));
		out(mon, "0x%016" PRIx64 ":  %0*" PRIx64 "%*s  %s\n", addr, len * 2, raw,
		    len == 2 ? 4 : 0, "", text);
		addr += (uint64_t)len;
	}
}

/* x/FMT ADDR or xp/FMT ADDR (QEMU's memory_dump). */
static void cmd_x(struct monitor *mon, const char *cmd, const char *arg)
{
	const bool physical = !strcmp(cmd, "xp");
	unsigned count, size;
	char format;
	uint64_t addr;
	if (!parse_format(mon, &arg, &count, &format, &size) || !whole_expr(mon, cmd, arg, &addr))
		return;
	if (count > 4096)
		count = 4096;
	if (format == 'i') {
		dump_insns(mon, addr, count, physical);
		return;
	}
	const unsigned per_line = format == 'c' ? 8 : 16 / size;
	const unsigned digits = format == 'x'	? size * 2
				: format == 'o' ? (size * 8 + 2) / 3
						: (size * 8 * 10 + 32) / 33;
	for (unsigned i = 0; i < count; i++) {
		if (i % per_line == 0)
			out(mon, "%s%016" PRIx64 ":", i ? "\n" : "", addr);
		uint64_t v;
		if (!read_mem(mon, addr, size, physical, &v)) {
			out(mon, "\nCannot access memory\n");
			return;
		}
		const unsigned shift = 64 - 8 * size;
		switch (format) {
		case 'x':
			out(mon, " 0x%0*" PRIx64, digits, v);
			break;
		case 'o':
			out(mon, " %#*" PRIo64, digits, v);
			break;
		case 'u':
			out(mon, " %*" PRIu64, digits, v);
			break;
		case 'd':
			out(mon, " %*" PRId64, digits, (int64_t)(v << shift) >> shift);
			break;
		case 'c':
			if (v >= 32 && v < 127)
				out(mon, " '%c'", (int)v);
			else
				out(mon, " '\\x%02x'", (unsigned)(v & 0xff));
			break;
		}
		addr += size;
	}
	out(mon, "\n");
}

/* ---- info -------------------------------------------------------------- */

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
		if (!whole_expr(mon, "info", arg, &v))
			return;
		if (v >= mon->m->nharts) {
			out(mon, "CPU#%" PRIu64 " not available\n", v);
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
	out(mon, "address-space: memory\n");
	for (;;) {
		int best = -1;
		uint64_t best_base = UINT64_MAX;
		for (unsigned i = 0; i < bus->count; i++)
			if (!done[i] && bus->regions[i].base < best_base) {
				best = (int)i;
				best_base = bus->regions[i].base;
			}
		if (!ram_done && m->ram_base < best_base) {
			out(mon, "  %016" PRIx64 "-%016" PRIx64 " (prio 0, ram): ram\n",
			    m->ram_base, m->ram_base + m->ram_size - 1);
			ram_done = true;
			continue;
		}
		if (best < 0)
			break;
		const struct bus_region *r = &bus->regions[best];
		done[best] = true;
		out(mon, "  %016" PRIx64 "-%016" PRIx64 " (prio 0, %s): %s\n", r->base,
		    r->base + r->size - 1, r->rom ? "rom" : "i/o", r->name ? r->name : "?");
	}
}

static void info_cpus(struct monitor *mon, const char *arg)
{
	(void)arg;
	for (unsigned c = 0; c < mon->m->nharts; c++) {
		const struct hart *h = mon->m->harts[c];
		out(mon, "%c CPU #%u: pc=0x%016" PRIx64 "%s\n", c == mon->cpu ? '*' : ' ', c, h->pc,
		    h->wfi ? " (halted)" : "");
	}
}

static void info_status(struct monitor *mon, const char *arg)
{
	(void)arg;
	out(mon, "VM status: %s\n", atomic_load(&mon->m->paused) ? "paused" : "running");
}

static void info_version(struct monitor *mon, const char *arg)
{
	(void)arg;
	out(mon, "%s (rvjit)\n", mon->version ? mon->version : "?");
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
		out(mon, "%s%s (#block%u): %s (%s%s)\n", found ? "\n" : "", name, i, d->file,
		    drive_format(d), d->readonly ? ", read-only" : "");
		out(mon, "    Attached to:      /machine/peripheral-anon/device[%u]\n", i);
		out(mon, "    Cache mode:       writeback%s\n", snapshot ? ", ignore flushes" : "");
		if (snapshot)
			out(mon, "    Backing file:     %s (chain depth: 1)\n", d->file);
		found = true;
	}
	if (*arg && !found)
		out(mon, "Device '%s' not found\n", arg);
}

/* QEMU's type name for each of our devices' regions. */
static const char *qdev_type(const char *region)
{
	static const char *const names[][2] = {
	    {"uart16550", "serial-mm"},	    {"plic", "riscv.sifive.plic"},
	    {"clint", "riscv.aclint.swi"},  {"test finisher", "riscv.sifive.test"},
	    {"virtio-mmio", "virtio-mmio"},
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
	out(mon, "bus: main-system-bus\n  type System\n");
	for (unsigned i = bus->count; i-- > 0;) {
		const struct bus_region *r = &bus->regions[i];
		if (r->rom)
			continue;
		out(mon, "  dev: %s, id \"\"\n    mmio %016" PRIx64 "/%016" PRIx64 "\n",
		    qdev_type(r->name ? r->name : "?"), r->base, r->size);
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
	out(mon, "PLIC at %#" PRIx64 ":\n", plic->base);
	for (unsigned c = 0; c < ncontexts; c++) {
		uint64_t t = 0;
		bus_read(bus, plic->base + 0x200000 + 0x1000 * (uint64_t)c, 4, &t);
		out(mon, "  context %u (hart %u %c): threshold %" PRIu64 "\n", c, c / 2,
		    c & 1 ? 'S' : 'M', t);
	}
	out(mon, "  irq  priority  pending  enabled in contexts\n");
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
			out(mon, "  %3u  %8" PRIu64 "  %7d %s\n", id, prio, pending,
			    len ? enabled : " -");
	}
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
    {"qtree", "", "show device tree", info_qtree},
    {"registers", "[-a|vcpu]",
     "show the cpu registers (-a: show register info for all cpus; vcpu: specific vCPU to "
     "query; show the current CPU's registers if no argument is specified)",
     info_registers},
    {"status", "", "show the current VM status (running|paused)", info_status},
    {"version", "", "show the version of rvjit", info_version},
};

static void list_info(struct monitor *mon)
{
	for (size_t i = 0; i < sizeof(info_items) / sizeof(info_items[0]); i++)
		out(mon, "info %s %s -- %s\n", info_items[i].name, info_items[i].params,
		    info_items[i].help);
}

static void cmd_info(struct monitor *mon, const char *cmd, const char *arg)
{
	(void)cmd;
	if (!*arg) {
		list_info(mon);
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
	out(mon, "unknown command: 'info %.*s'\n", (int)wlen, arg);
}

/* ---- commands ---------------------------------------------------------- */

static void cmd_cpu(struct monitor *mon, const char *cmd, const char *arg)
{
	uint64_t c;
	if (!whole_expr(mon, cmd, arg, &c))
		return;
	if (c >= mon->m->nharts)
		out(mon, "invalid CPU index\n");
	else
		mon->cpu = (unsigned)c;
}

static void cmd_stop(struct monitor *mon, const char *cmd, const char *arg)
{
	(void)cmd, (void)arg;
	machine_pause(mon->m);
}

static void cmd_cont(struct monitor *mon, const char *cmd, const char *arg)
{
	(void)cmd, (void)arg;
	machine_resume(mon->m);
}

static void cmd_system_reset(struct monitor *mon, const char *cmd, const char *arg)
{
	(void)cmd, (void)arg;
	machine_request_stop(mon->m, STOP_RESET, 0);
}

static void cmd_quit(struct monitor *mon, const char *cmd, const char *arg)
{
	(void)cmd, (void)arg;
	machine_request_stop(mon->m, STOP_USER, 0);
}

/* QEMU's key names (qapi QKeyCode) for sendkey. */
static bool known_key(const char *k, size_t n)
{
	static const char *const names[] = {
	    "shift",	 "shift_r",	"alt",		"alt_r",	 "ctrl",
	    "ctrl_r",	 "menu",	"esc",		"minus",	 "equal",
	    "backspace", "tab",		"bracket_left", "bracket_right", "ret",
	    "semicolon", "apostrophe",	"grave_accent", "backslash",	 "comma",
	    "dot",	 "slash",	"asterisk",	"spc",		 "caps_lock",
	    "num_lock",	 "scroll_lock", "kp_divide",	"kp_multiply",	 "kp_subtract",
	    "kp_add",	 "kp_enter",	"kp_decimal",	"sysrq",	 "kp_0",
	    "kp_1",	 "kp_2",	"kp_3",		"kp_4",		 "kp_5",
	    "kp_6",	 "kp_7",	"kp_8",		"kp_9",		 "less",
	    "print",	 "home",	"pgup",		"pgdn",		 "end",
	    "left",	 "up",		"down",		"right",	 "insert",
	    "delete",	 "stop",	"again",	"props",	 "undo",
	    "front",	 "copy",	"open",		"paste",	 "find",
	    "cut",	 "lf",		"help",		"meta_l",	 "meta_r",
	    "compose",	 "pause",
	};
	if (n == 1 && isalnum((unsigned char)*k))
		return true;
	if (n >= 2 && n <= 3 && k[0] == 'f') { /* f1 .. f24 */
		const int f = atoi(k + 1);
		if (f >= 1 && f <= 24 && isdigit((unsigned char)k[1]))
			return true;
	}
	if (n > 2 && k[0] == '0' && k[1] == 'x') /* a raw keycode */
		return strspn(k + 2, "0123456789abcdefABCDEF") == n - 2;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strlen(names[i]) == n && !strncmp(k, names[i], n))
			return true;
	return false;
}

/* sendkey keys [hold_ms]: QEMU sends the keys to the keyboard, and the
 * virt board has none (-nographic: the console is a serial line, which
 * sendkey does not reach), so valid keys are dropped silently and wrong
 * names are QEMU's error. */
static void cmd_sendkey(struct monitor *mon, const char *cmd, const char *arg)
{
	const size_t n = strcspn(arg, " \t");
	if (!n) {
		arg_error(mon, cmd, "sendkey: string expected");
		return;
	}
	for (const char *k = arg; k < arg + n;) {
		const size_t len = strcspn(k, "- \t");
		if (!known_key(k, len)) {
			out(mon, "invalid parameter: %.*s\n", (int)len, k);
			return;
		}
		k += len + (k[len] == '-');
	}
}

/* log item1[,...] | none: the -d categories from now on. */
static void cmd_log(struct monitor *mon, const char *cmd, const char *arg)
{
	unsigned mask = 0;
	char err[256];
	if (!*arg) {
		arg_error(mon, cmd, "log: string expected");
		return;
	}
	if (strcmp(arg, "none") && !options_parse_log(arg, &mask, err, sizeof(err))) {
		out(mon, "log: %s\n", strncmp(err, "-d: ", 4) ? err : err + 4);
		return;
	}
	mon->log_set = true;
	mon->log_mask = mask;
	/* Harts read it at block boundaries; a translated block keeps what it
	 * logged when it was translated, as in QEMU. */
	__atomic_store_n(&mon->m->log_mask, mask, __ATOMIC_RELAXED);
}

/* gdbserver [device]: start the gdb stub (default tcp::1234). */
static void cmd_gdbserver(struct monitor *mon, const char *cmd, const char *arg)
{
	(void)cmd;
	const char *spec = *arg ? arg : "tcp::1234";
	if (!strcmp(spec, "none")) {
		out(mon, mon->gdb ? "gdbserver: the gdb stub stays until rvjit exits\n"
				  : "Disabled gdbserver\n");
		return;
	}
	if (mon->gdb) {
		out(mon, "gdbserver: a gdb stub started here is already listening\n");
		return;
	}
	char err[256];
	struct gdbstub *g = gdbstub_new(spec, err, sizeof(err));
	if (!g) {
		out(mon, "Could not open gdbserver on device '%s'\n%s\n", spec, err);
		return;
	}
	if (!gdbstub_attach(g, mon->m)) {
		gdbstub_free(g);
		out(mon, "Could not open gdbserver on device '%s'\n", spec);
		return;
	}
	mon->gdb = g;
	out(mon, "Waiting for gdb connection on device '%s'\n", spec);
}

static void cmd_help(struct monitor *mon, const char *cmd, const char *arg);

struct command {
	const char *names; /* "print|p": the name and its aliases */
	const char *params, *help;
	void (*fn)(struct monitor *mon, const char *cmd, const char *arg);
};

/* In QEMU's (alphabetical) order; `help` lists exactly these. */
static const struct command commands[] = {
    {"cont|c", "", "resume emulation", cmd_cont},
    {"cpu", "index", "set the default CPU", cmd_cpu},
    {"gdbserver", "[device]", "start gdbserver on given device (default 'tcp::1234')",
     cmd_gdbserver},
    {"help|?", "[cmd]", "show the help", cmd_help},
    {"info", "[subcommand]", "show various information about the system state", cmd_info},
    {"log", "item1[,...]", "activate logging of the specified items", cmd_log},
    {"print|p", "/fmt expr", "print expression value (use $reg for CPU register access)",
     cmd_print},
    {"quit|q", "", "quit the emulator", cmd_quit},
    {"sendkey", "keys [hold_ms]",
     "send keys to the VM (e.g. 'sendkey ctrl-alt-f1', default hold time=100 ms)", cmd_sendkey},
    {"stop|s", "", "stop emulation", cmd_stop},
    {"system_reset", "", "reset the system", cmd_system_reset},
    {"x", "/fmt addr", "virtual memory dump starting at 'addr'", cmd_x},
    {"xp", "/fmt addr", "physical memory dump starting at 'addr'", cmd_x},
};

/* Whether `word` (wlen bytes) is one of the '|'-separated names. */
static bool has_name(const char *names, const char *word, size_t wlen)
{
	for (const char *n = names; *n;) {
		const size_t len = strcspn(n, "|");
		if (len == wlen && !strncmp(n, word, wlen))
			return true;
		n += len + (n[len] == '|');
	}
	return false;
}

static const struct command *find_command(const char *word, size_t wlen)
{
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (has_name(commands[i].names, word, wlen))
			return &commands[i];
	return NULL;
}

static void cmd_help(struct monitor *mon, const char *cmd, const char *arg)
{
	(void)cmd;
	const size_t wlen = strcspn(arg, " \t");
	if (wlen == 4 && !strncmp(arg, "info", 4)) {
		list_info(mon);
		return;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!wlen || has_name(commands[i].names, arg, wlen))
			out(mon, "%s %s -- %s\n", commands[i].names, commands[i].params,
			    commands[i].help);
	if (wlen && !find_command(arg, wlen))
		out(mon, "unknown command: '%.*s'\n", (int)wlen, arg);
}

static void run_command(struct monitor *mon, char *line)
{
	while (isspace((unsigned char)*line))
		line++;
	size_t n = strlen(line);
	while (n && isspace((unsigned char)line[n - 1]))
		line[--n] = '\0';
	if (!n)
		return;
	/* The command word ends at a space or at '/' (x/4wx). */
	const size_t wlen = strcspn(line, " \t/");
	const struct command *c = find_command(line, wlen);
	if (!c) {
		out(mon, "unknown command: '%.*s'\n", (int)wlen, line);
		return;
	}
	char word[32];
	snprintf(word, sizeof(word), "%.*s", (int)wlen, line);
	const char *arg = line + wlen;
	while (*arg == ' ' || *arg == '\t')
		arg++;
	c->fn(mon, word, arg);
}

static uint64_t monitor_poll(void *opaque)
{
	struct monitor *mon = opaque;
	uint8_t buf[256];
	bool entered;
	size_t n;
	while ((n = console_take_monitor(mon->console, buf, sizeof(buf), &entered)) || entered) {
		if (entered) {
			/* QEMU greets once; leaving the monitor ends its line. */
			if (!mon->banner_shown)
				out(mon, "rvjit %s monitor - type 'help' for more information\n",
				    mon->version ? mon->version : "");
			else
				out(mon, "\n");
			mon->banner_shown = true;
			out(mon, PROMPT);
			readline_start(&mon->rl);
		}
		for (size_t i = 0; i < n && mon->m; i++) {
			if (!readline_byte(&mon->rl, buf[i]))
				continue;
			run_command(mon, mon->rl.buf);
			/* After quit QEMU is gone before another prompt. */
			if (atomic_load(&mon->m->stop) == STOP_USER)
				break;
			out(mon, PROMPT);
			readline_start(&mon->rl);
		}
		flush_out(mon);
		if (!n)
			break;
	}
	return UINT64_MAX;
}

struct monitor *monitor_new(struct console *c)
{
	struct monitor *mon = calloc(1, sizeof(*mon));
	if (!mon)
		return NULL;
	mon->console = c;
	mon->last_format = 'x';
	mon->last_size = 4;
	readline_init(&mon->rl, echo, mon);
	console_enable_monitor(c);
	return mon;
}

void monitor_set_board(struct monitor *mon, const struct virt_config *board, const char *version)
{
	mon->board = board;
	mon->version = version;
}

bool monitor_attach(struct monitor *mon, struct machine *m)
{
	mon->m = m;
	if (mon->cpu >= m->nharts)
		mon->cpu = 0;
	if (mon->log_set)
		m->log_mask = mon->log_mask;
	if (!machine_add_poller(m, monitor_poll, mon)) {
		fprintf(stderr, "rvjit: monitor: no room for another poller\n");
		return false;
	}
	return !mon->gdb || gdbstub_attach(mon->gdb, m);
}

void monitor_detach(struct monitor *mon)
{
	if (mon->gdb)
		gdbstub_detach(mon->gdb, false, 0);
	mon->m = NULL;
}

void monitor_free(struct monitor *mon)
{
	if (!mon)
		return;
	gdbstub_free(mon->gdb);
	readline_free(&mon->rl);
	free(mon->out);
	free(mon);
}
