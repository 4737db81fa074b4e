/*
 * The monitor (see monitor.h): the line editor (monitor_readline.c) over
 * the console's monitor input, then a table of commands, one function
 * each (the `info` items are in monitor_info.c, expressions in
 * monitor_expr.c). Output is gathered per command and written through
 * console_print, after the guest output before it.
 */
#include "monitor.h"
#include "console.h"
#include "core/insn.h"
#include "core/machine.h"
#include "core/mem.h"
#include "core/mmu.h"
#include "gdbstub.h"
#include "loader/virt.h"
#include "monitor_expr.h"
#include "monitor_internal.h"
#include "monitor_readline.h"
#include "options.h"
#include "vm_snapshot.h"
#include <ctype.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PROMPT "(qemu) "

void monitor_out(struct monitor *mon, const char *fmt, ...)
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
	monitor_out(opaque, "%s", s);
}

static void flush_out(struct monitor *mon)
{
	if (mon->nout && mon->console)
		console_print(mon->console, mon->out);
	mon->nout = 0;
}

/* A bad argument, as QEMU words it. */
void monitor_arg_error(struct monitor *mon, const char *cmd, const char *msg)
{
	monitor_out(mon, "%s\nTry \"help %s\" for more information\n", msg, cmd);
}

/* ---- registers and expressions ----------------------------------------- */

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
bool monitor_expr_arg(struct monitor *mon, const char *cmd, const char *arg, uint64_t *v)
{
	char err[128];
	if (!expr_eval(&arg, register_value, mon, v, err, sizeof(err))) {
		monitor_arg_error(mon, cmd, err);
		return false;
	}
	if (*arg) {
		monitor_out(mon, "%s: extraneous characters at the end of line\n",
			    mon->cmd_names ? mon->cmd_names : cmd);
		monitor_out(mon, "Try \"help %s\" for more information\n", cmd);
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
				monitor_out(mon, "invalid char in format: '%c'\n", *p);
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
	*arg = p;
	return true;
}

/* A character as QEMU quotes it (monitor_printc). */
static void put_char(struct monitor *mon, int c)
{
	if (c == '\'' || c == '\\')
		monitor_out(mon, "'\\%c'", c);
	else if (c == '\n')
		monitor_out(mon, "'\\n'");
	else if (c == '\r')
		monitor_out(mon, "'\\r'");
	else if (c >= 32 && c < 127)
		monitor_out(mon, "'%c'", c);
	else
		monitor_out(mon, "'\\x%02x'", (unsigned)c);
}

/* print /fmt expr */
static void cmd_print(struct monitor *mon, const char *cmd, const char *arg)
{
	unsigned count, size;
	char format;
	uint64_t v;
	if (!parse_format(mon, &arg, &count, &format, &size) ||
	    !monitor_expr_arg(mon, cmd, arg, &v))
		return;
	switch (format) {
	case 'o':
		monitor_out(mon, "%#" PRIo64 "\n", v);
		break;
	case 'x':
		monitor_out(mon, "%#" PRIx64 "\n", v);
		break;
	case 'u':
		monitor_out(mon, "%" PRIu64 "\n", v);
		break;
	case 'c':
		put_char(mon, (int)v);
		monitor_out(mon, "\n");
		break;
	default:
		monitor_out(mon, "%" PRId64 "\n", (int64_t)v);
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
		/* Hart threads may store there meanwhile: read as they do,
		 * with single-copy atomic loads (core/mem.h). */
		if (!((uintptr_t)host & (size - 1)))
			*v = guest_ram_read(host, size);
		else
			for (unsigned i = 0; i < size; i++)
				*v |= guest_ram_read(host + i, 1) << (8 * i);
		return true;
	}
	return bus_read(&m->bus, pa, size, v);
}

static void dump_insns(struct monitor *mon, uint64_t addr, unsigned count, bool physical)
{
	for (unsigned i = 0; i < count; i++) {
		uint64_t lo;
		if (!read_mem(mon, addr, 2, physical, &lo)) {
			monitor_out(mon, "Cannot access memory\n");
			return;
		}
		uint64_t raw = lo;
		int len = 2;
		if ((lo & 3) == 3) {
			uint64_t hi;
			if (!read_mem(mon, addr + 2, 2, physical, &hi)) {
				monitor_out(mon, "Cannot access memory\n");
				return;
			}
			raw |= hi << 16;
			len = 4;
		}
		struct op op;
		memset(&op, 0, sizeof(op));
		insn_decode((uint32_t)raw, len, &op, NULL); /* every extension, as QEMU's x/i */
		char line[160];
		insn_line_qemu(&op, addr, line, sizeof(line)); /* QEMU's listing */
		monitor_out(mon, "%s\n", line);
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
	if (!parse_format(mon, &arg, &count, &format, &size) ||
	    !monitor_expr_arg(mon, cmd, arg, &addr))
		return;
	if (count > 4096)
		count = 4096;
	if (format == 'i') {
		dump_insns(mon, addr, count, physical);
		return;
	}
	/* QEMU's lines hold 8 bytes for unit b, else 16; /c shows each byte of
	 * the count units as a character. */
	const unsigned per_line = (size == 1 ? 8 : 16) / (format == 'c' ? 1 : size);
	if (format == 'c') {
		count *= size;
		size = 1;
	}
	const unsigned digits = format == 'x'	? size * 2
				: format == 'o' ? (size * 8 + 2) / 3
						: (size * 8 * 10 + 32) / 33;
	for (unsigned i = 0; i < count; i++) {
		if (i % per_line == 0)
			monitor_out(mon, "%s%016" PRIx64 ":", i ? "\n" : "", addr);
		uint64_t v;
		if (!read_mem(mon, addr, size, physical, &v)) {
			monitor_out(mon, "\nCannot access memory\n");
			return;
		}
		const unsigned shift = 64 - 8 * size;
		switch (format) {
		case 'x':
			monitor_out(mon, " 0x%0*" PRIx64, digits, v);
			break;
		case 'o':
			monitor_out(mon, " %#*" PRIo64, digits, v);
			break;
		case 'u':
			monitor_out(mon, " %*" PRIu64, digits, v);
			break;
		case 'd':
			monitor_out(mon, " %*" PRId64, digits, (int64_t)(v << shift) >> shift);
			break;
		case 'c':
			monitor_out(mon, " ");
			put_char(mon, (int)v);
			break;
		}
		addr += size;
	}
	monitor_out(mon, "\n");
}

/* ---- commands ---------------------------------------------------------- */

static void cmd_cpu(struct monitor *mon, const char *cmd, const char *arg)
{
	uint64_t c;
	if (!monitor_expr_arg(mon, cmd, arg, &c))
		return;
	if (c >= mon->m->nharts)
		monitor_out(mon, "invalid CPU index\n");
	else
		mon->cpu = (unsigned)c;
}

static void cmd_stop(struct monitor *mon, const char *cmd, const char *arg)
{
	(void)cmd, (void)arg;
	machine_pause(mon->m);
}

/* commit device|all (QEMU's hmp_commit): a snapshot=on drive's writes go
 * to its image. */
static void cmd_commit(struct monitor *mon, const char *cmd, const char *arg)
{
	if (!arg || !*arg) {
		monitor_arg_error(mon, cmd, "Parameter 'device' is missing");
		return;
	}
	char err[512];
	if (!mon->running)
		monitor_out(mon, "Device '%s' not found\n", arg);
	else if (virt_board_commit(mon->running, strcmp(arg, "all") ? arg : NULL, err, sizeof(err)))
		monitor_out(mon, "%s\n", err);
}

/* savevm [tag], loadvm tag, delvm tag (cli/vm_snapshot.c): QEMU prints
 * nothing on success and "Error: " and the reason on failure. */
static void cmd_savevm(struct monitor *mon, const char *cmd, const char *arg)
{
	(void)cmd;
	char err[512];
	if (mon->running && vm_snapshot_save(mon->running, arg, err, sizeof(err)))
		monitor_out(mon, "Error: %s\n", err);
}

static void cmd_loadvm(struct monitor *mon, const char *cmd, const char *arg)
{
	char err[512];
	if (!*arg)
		monitor_arg_error(mon, cmd, "loadvm: string expected");
	else if (mon->running && vm_snapshot_load(mon->running, arg, err, sizeof(err)))
		monitor_out(mon, "Error: %s\n", err);
}

static void cmd_delvm(struct monitor *mon, const char *cmd, const char *arg)
{
	char err[512];
	if (!*arg)
		monitor_arg_error(mon, cmd, "delvm: string expected");
	else if (mon->running && vm_snapshot_delete(mon->running, arg, err, sizeof(err)))
		monitor_out(mon, "Error: %s\n", err);
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

/* system_powerdown: QEMU's virt booted with a device tree ignores it (its
 * power-down event reaches ACPI only); rvjit presses its virtio-input
 * power button (loader/virt.h). Silent either way, as QEMU. */
static void cmd_system_powerdown(struct monitor *mon, const char *cmd, const char *arg)
{
	(void)cmd, (void)arg;
	if (mon->running)
		(void)virt_board_powerdown(mon->running);
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
		monitor_arg_error(mon, cmd, "sendkey: string expected");
		return;
	}
	for (const char *k = arg; k < arg + n;) {
		const size_t len = strcspn(k, "- \t");
		if (!known_key(k, len)) {
			monitor_out(mon, "invalid parameter: %.*s\n", (int)len, k);
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
		monitor_arg_error(mon, cmd, "log: string expected");
		return;
	}
	if (strcmp(arg, "none") && !options_parse_log(arg, &mask, err, sizeof(err))) {
		monitor_out(mon, "log: %s\n", strncmp(err, "-d: ", 4) ? err : err + 4);
		return;
	}
	mon->log_set = true;
	mon->log_mask = mask;
	/* Harts read it at block boundaries; a translated block keeps what it
	 * logged when it was translated, as in QEMU. */
	__atomic_store_n(&mon->m->log_mask, mask, __ATOMIC_RELAXED);
}

/* gdbserver [device]: start the gdb stub (default tcp::1234); `none`
 * stops it, -gdb's or ours (QEMU's hmp_gdbserver and its messages). */
static void cmd_gdbserver(struct monitor *mon, const char *cmd, const char *arg)
{
	(void)cmd;
	const char *spec = *arg ? arg : "tcp::1234";
	/* One stub serves a machine (it owns m->debug): -gdb's, or ours. */
	struct gdbstub *g = mon->gdb ? mon->gdb : mon->cli_gdb;
	if (!strcmp(spec, "none")) {
		if (g)
			gdbstub_stop(g);
		monitor_out(mon, "Disabled gdbserver\n");
		return;
	}
	char err[256];
	if (g && gdbstub_listening(g)) {
		monitor_out(mon,
			    "a gdb stub is already listening (gdbserver none stops it)\n"
			    "Could not open gdbserver on device '%s'\n",
			    spec);
		return;
	}
	if (g) {
		if (gdbstub_listen(g, spec, err, sizeof(err)))
			monitor_out(mon, "Waiting for gdb connection on device '%s'\n", spec);
		else
			monitor_out(mon, "Could not open gdbserver on device '%s'\n%s\n", spec,
				    err);
		return;
	}
	if (!(g = gdbstub_new(spec, err, sizeof(err)))) {
		monitor_out(mon, "Could not open gdbserver on device '%s'\n%s\n", spec, err);
		return;
	}
	gdbstub_set_monitor(g, mon);
	if (!gdbstub_attach(g, mon->m)) {
		gdbstub_free(g);
		monitor_out(mon, "Could not open gdbserver on device '%s'\n", spec);
		return;
	}
	mon->gdb = g;
	monitor_out(mon, "Waiting for gdb connection on device '%s'\n", spec);
}

static void cmd_help(struct monitor *mon, const char *cmd, const char *arg);

struct command {
	const char *names; /* "print|p": the name and its aliases */
	const char *params, *help;
	void (*fn)(struct monitor *mon, const char *cmd, const char *arg);
};

/* In QEMU's (alphabetical) order; `help` lists exactly these. */
static const struct command commands[] = {
    {"commit", "device|all",
     "commit changes to the disk images (if -snapshot is used) or backing files", cmd_commit},
    {"cont|c", "", "resume emulation", cmd_cont},
    {"cpu", "index", "set the default CPU", cmd_cpu},
    {"delvm", "tag", "delete a VM snapshot from its tag", cmd_delvm},
    {"gdbserver", "[device]",
     "start gdbserver on given device (default 'tcp::1234'), stop with 'none'", cmd_gdbserver},
    {"help|?", "[cmd]", "show the help", cmd_help},
    {"info", "[subcommand]", "show various information about the system state", monitor_cmd_info},
    {"loadvm", "tag", "restore a VM snapshot from its tag", cmd_loadvm},
    {"log", "item1[,...]", "activate logging of the specified items", cmd_log},
    {"print|p", "/fmt expr", "print expression value (use $reg for CPU register access)",
     cmd_print},
    {"quit|q", "", "quit the emulator", cmd_quit},
    {"savevm", "tag", "save a VM snapshot. If no tag is provided, a new snapshot is created",
     cmd_savevm},
    {"sendkey", "keys [hold_ms]",
     "send keys to the VM (e.g. 'sendkey ctrl-alt-f1', default hold time=100 ms)", cmd_sendkey},
    {"stop|s", "", "stop emulation", cmd_stop},
    {"system_powerdown", "", "send system power down event", cmd_system_powerdown},
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
		monitor_info_list(mon);
		return;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!wlen || has_name(commands[i].names, arg, wlen))
			monitor_out(mon, "%s %s -- %s\n", commands[i].names, commands[i].params,
				    commands[i].help);
	if (wlen && !find_command(arg, wlen))
		monitor_out(mon, "unknown command: '%.*s'\n", (int)wlen, arg);
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
		monitor_out(mon, "unknown command: '%.*s'\n", (int)wlen, line);
		return;
	}
	char word[32];
	snprintf(word, sizeof(word), "%.*s", (int)wlen, line);
	const char *arg = line + wlen;
	while (*arg == ' ' || *arg == '\t')
		arg++;
	mon->cmd_names = c->names;
	c->fn(mon, word, arg);
}

static uint64_t monitor_poll(void *opaque)
{
	struct monitor *mon = opaque;
	uint8_t buf[256];
	enum console_monitor_event entered;
	size_t n;
	while ((n = console_take_monitor(mon->console, buf, sizeof(buf), &entered)) || entered) {
		if (entered) {
			/* QEMU greets once on a mux, and each client of a
			 * monitor's own socket; leaving the monitor ends its
			 * line. */
			if (!mon->banner_shown || entered == CONSOLE_MON_CONNECTED)
				monitor_out(mon,
					    "rvjit %s monitor - type 'help' for more information\n",
					    mon->version ? mon->version : "");
			else
				monitor_out(mon, "\n");
			mon->banner_shown = true;
			monitor_out(mon, PROMPT);
			readline_start(&mon->rl);
		}
		for (size_t i = 0; i < n && mon->m; i++) {
			if (!readline_byte(&mon->rl, buf[i]))
				continue;
			run_command(mon, mon->rl.buf);
			/* After quit QEMU is gone before another prompt. */
			if (atomic_load(&mon->m->stop) == STOP_USER)
				break;
			monitor_out(mon, PROMPT);
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
	if (c)
		console_enable_monitor(c);
	return mon;
}

void monitor_set_gdbstub(struct monitor *mon, struct gdbstub *g)
{
	mon->cli_gdb = g;
}

void monitor_set_board(struct monitor *mon, const struct virt_config *board, const char *version)
{
	mon->board = board;
	mon->version = version;
}

void monitor_set_name(struct monitor *mon, const char *name)
{
	mon->name = name;
}

bool monitor_attach(struct monitor *mon, struct virt_board *b)
{
	struct machine *m = virt_board_machine(b);
	mon->m = m;
	mon->running = b;
	if (mon->cpu >= m->nharts)
		mon->cpu = 0;
	if (mon->log_set)
		m->log_mask = mon->log_mask;
	/* Without a console (a monitor for gdb's qRcmd) nothing is typed. */
	if (mon->console && !machine_add_poller(m, monitor_poll, mon)) {
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
	mon->running = NULL;
}

char *monitor_execute(struct monitor *mon, const char *line)
{
	char buf[READLINE_LINE_MAX];
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
	gdbstub_free(mon->gdb);
	readline_free(&mon->rl);
	free(mon->out);
	free(mon);
}
