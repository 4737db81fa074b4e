/*
 * The monitor (see monitor.h): line editing over the console's monitor
 * input, then one function per command. Output is gathered per command
 * and written through console_print, after the guest output before it.
 */
#include "monitor.h"
#include "console.h"
#include "core/insn.h"
#include "core/machine.h"
#include "core/mmu.h"
#include <ctype.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LINE_MAX_LEN 256
#define PROMPT	     "(qemu) "

struct monitor {
	struct console *console;
	struct machine *m; /* NULL between machines */
	unsigned cpu;	   /* the hart `x` and `info registers` start from */
	char line[LINE_MAX_LEN];
	size_t len;
	bool saw_cr; /* "\r\n" ends one line, not two */
	/* The output of the running command. */
	char *out;
	size_t nout, cap;
};

static void out(struct monitor *mon, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char tmp[512];
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

static void flush_out(struct monitor *mon)
{
	if (mon->nout)
		console_print(mon->console, mon->out);
	mon->nout = 0;
}

/* ---- info -------------------------------------------------------------- */

static const char priv_letter[4] = {'U', 'S', '?', 'M'};

static void info_registers(struct monitor *mon)
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
	for (unsigned c = 0; c < m->nharts; c++) {
		struct hart *h = m->harts[c];
		if (m->sync_fflags)
			m->sync_fflags(h);
		out(mon, "CPU#%u%s\n", c, h->wfi ? " (halted in wfi)" : "");
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
}

static void info_mtree(struct monitor *mon)
{
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

static void info_cpus(struct monitor *mon)
{
	for (unsigned c = 0; c < mon->m->nharts; c++) {
		const struct hart *h = mon->m->harts[c];
		out(mon, "%c CPU #%u: pc=0x%016" PRIx64 "%s\n", c == mon->cpu ? '*' : ' ', c, h->pc,
		    h->wfi ? " (halted)" : "");
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

/* An address: a number (0x hex, or decimal), or $pc / $REG of the hart. */
static bool parse_addr(struct monitor *mon, const char *s, uint64_t *v)
{
	const struct hart *h = mon->m->harts[mon->cpu];
	while (isspace((unsigned char)*s))
		s++;
	if (*s == '$') {
		s++;
		if (!strcmp(s, "pc")) {
			*v = h->pc;
			return true;
		}
		for (unsigned i = 0; i < 32; i++) {
			char xn[8];
			snprintf(xn, sizeof(xn), "x%u", i);
			if (!strcmp(s, insn_xreg_name(i)) || !strcmp(s, xn) ||
			    (i == 8 && !strcmp(s, "fp"))) {
				*v = h->x[i];
				return true;
			}
		}
		return false;
	}
	char *end;
	*v = strtoull(s, &end, 0);
	while (isspace((unsigned char)*end))
		end++;
	return end != s && *end == '\0';
}

/* x/FMT ADDR or xp/FMT ADDR (QEMU's memory_dump). */
static void cmd_x(struct monitor *mon, const char *arg, bool physical)
{
	unsigned count = 1, size = 4;
	char format = 'x';
	bool size_given = false;
	if (*arg == '/') {
		arg++;
		if (isdigit((unsigned char)*arg))
			count = (unsigned)strtoul(arg, (char **)&arg, 10);
		for (; *arg && !isspace((unsigned char)*arg); arg++) {
			switch (*arg) {
			case 'x':
			case 'd':
			case 'u':
			case 'o':
			case 'c':
			case 'i':
				format = *arg;
				break;
			case 'b':
				size = 1;
				size_given = true;
				break;
			case 'h':
				size = 2;
				size_given = true;
				break;
			case 'w':
				size = 4;
				size_given = true;
				break;
			case 'g':
				size = 8;
				size_given = true;
				break;
			default:
				out(mon, "invalid char in format: '%c'\n", *arg);
				return;
			}
		}
	}
	if (format == 'c' && !size_given)
		size = 1;
	uint64_t addr;
	if (!parse_addr(mon, arg, &addr)) {
		out(mon, "%s: give an address, e.g. %s/4wx 0x80000000\n", physical ? "xp" : "x",
		    physical ? "xp" : "x");
		return;
	}
	if (count > 4096)
		count = 4096;
	if (format == 'i') {
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

/* ---- commands ---------------------------------------------------------- */

static const char help_text[] =
    "cont|c -- resume emulation\n"
    "cpu index -- set the default CPU\n"
    "help|? -- show the help\n"
    "info cpus -- show infos for each CPU\n"
    "info mtree -- show the memory tree\n"
    "info registers -- show the cpu registers\n"
    "quit|q -- quit the emulator\n"
    "stop -- stop emulation\n"
    "system_reset -- reset the system\n"
    "x /fmt addr -- virtual memory dump starting at 'addr'\n"
    "xp /fmt addr -- physical memory dump starting at 'addr'\n"
    "  fmt is /Nfu: count N, format f (x d u o c i), unit u (b h w g)\n";

static void run_command(struct monitor *mon, char *line)
{
	struct machine *m = mon->m;
	while (isspace((unsigned char)*line))
		line++;
	size_t n = strlen(line);
	while (n && isspace((unsigned char)line[n - 1]))
		line[--n] = '\0';
	if (!n)
		return;
	/* The command word ends at a space or at '/' (x/4wx). */
	const size_t wlen = strcspn(line, " \t/");
	char *arg = line + wlen;
	while (*arg == ' ' || *arg == '\t')
		arg++;
#define IS(word) (wlen == strlen(word) && !strncmp(line, word, wlen))
	if (IS("help") || IS("?")) {
		out(mon, "%s", help_text);
	} else if (IS("info")) {
		if (!strcmp(arg, "registers"))
			info_registers(mon);
		else if (!strcmp(arg, "mtree"))
			info_mtree(mon);
		else if (!strcmp(arg, "cpus"))
			info_cpus(mon);
		else
			out(mon, "info: unknown item '%s' (registers, mtree, cpus)\n", arg);
	} else if (IS("x") || IS("xp")) {
		cmd_x(mon, arg, IS("xp"));
	} else if (IS("cpu")) {
		char *end;
		const unsigned long c = strtoul(arg, &end, 10);
		if (end == arg || *end || c >= m->nharts)
			out(mon, "cpu: no CPU '%s' (0 to %u)\n", arg, m->nharts - 1);
		else
			mon->cpu = (unsigned)c;
	} else if (IS("stop")) {
		m->paused = true;
	} else if (IS("cont") || IS("c")) {
		m->paused = false;
	} else if (IS("system_reset")) {
		machine_request_stop(m, STOP_RESET, 0);
	} else if (IS("quit") || IS("q")) {
		machine_request_stop(m, STOP_USER, 0);
	} else {
		out(mon, "unknown command: '%.*s'\n", (int)wlen, line);
	}
#undef IS
}

static uint64_t monitor_poll(void *opaque)
{
	struct monitor *mon = opaque;
	uint8_t buf[256];
	bool entered;
	size_t n;
	while ((n = console_take_monitor(mon->console, buf, sizeof(buf), &entered)) || entered) {
		if (entered)
			out(mon, "QEMU-compatible rvjit monitor - type 'help' for more "
				 "information\n" PROMPT);
		for (size_t i = 0; i < n && mon->m; i++) {
			const uint8_t b = buf[i];
			if (b == '\n' && mon->saw_cr) {
				mon->saw_cr = false;
				continue;
			}
			mon->saw_cr = b == '\r';
			if (b == '\r' || b == '\n') {
				mon->line[mon->len] = '\0';
				mon->len = 0;
				out(mon, "\n");
				run_command(mon, mon->line);
				out(mon, PROMPT);
			} else if (b == 0x7f || b == 0x08) {
				if (mon->len) {
					mon->len--;
					out(mon, "\b \b");
				}
			} else if (b >= 32 && b < 127 && mon->len + 1 < LINE_MAX_LEN) {
				mon->line[mon->len++] = (char)b;
				out(mon, "%c", b); /* echo, as QEMU's readline does */
			}
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
	console_enable_monitor(c);
	return mon;
}

bool monitor_attach(struct monitor *mon, struct machine *m)
{
	mon->m = m;
	if (mon->cpu >= m->nharts)
		mon->cpu = 0;
	if (!machine_add_poller(m, monitor_poll, mon)) {
		fprintf(stderr, "rvjit: monitor: no room for another poller\n");
		return false;
	}
	return true;
}

void monitor_detach(struct monitor *mon)
{
	mon->m = NULL;
}

char *monitor_execute(struct monitor *mon, const char *line)
{
	char buf[LINE_MAX_LEN];
	snprintf(buf, sizeof(buf), "%s", line);
	flush_out(mon); /* what the console's prompt still owes goes there */
	if (mon->m)
		run_command(mon, buf);
	char *text = strndup(mon->nout ? mon->out : "", mon->nout);
	mon->nout = 0;
	return text;
}

void monitor_free(struct monitor *mon)
{
	if (!mon)
		return;
	free(mon->out);
	free(mon);
}
