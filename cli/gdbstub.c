/*
 * The GDB remote stub (see gdbstub.h): the TCP socket, the packet layer
 * (checksums, acks, QStartNoAckMode, binary escapes), then the commands:
 * registers, memory through the selected hart's MMU, breakpoints and
 * watchpoints, threads, and the run control that maps gdb's continue,
 * step and Ctrl-C onto the machine's paused state and debug hooks.
 */
#include "gdbstub.h"
#include "core/machine.h"
#include "core/mmu.h"
#include "monitor.h"
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define PACKET_MAX	0x4000 /* PacketSize we announce */
#define MAX_WATCHPOINTS 16     /* (MAX_BREAKPOINTS: core/machine.h) */
#define PAUSED_WAIT_MS	50     /* how long a paused machine waits for a packet */

/* gdb's register numbers for RISC-V (gdb/riscv-tdep.h). */
enum {
	REG_PC = 32,
	REG_F0 = 33,
	REG_CSR0 = 65,	      /* CSR n is 65 + n: fflags 66, frm 67, fcsr 68 */
	REG_PRIV = 65 + 4096, /* the virtual `priv` register */
};

/* gdb signal numbers in stop replies. */
enum { SIG_INT = 2, SIG_TRAP = 5 };

enum watch_kind { WATCH_WRITE = 2, WATCH_READ = 3, WATCH_ACCESS = 4 }; /* Z2, Z3, Z4 */

struct watchpoint {
	uint64_t addr, len;
	enum watch_kind kind;
};

/* What gdb's last resume asked of a hart (vCont actions). */
enum hart_action {
	ACT_NONE = 0, /* no action applies: it stays stopped (m->held) */
	ACT_CONTINUE,
	ACT_STEP,
};

struct gdbstub {
	int listen_fd;
	int fd;			 /* the client, or -1 */
	struct machine *m;	 /* NULL between machines */
	struct monitor *monitor; /* runs qRcmd's commands, or NULL */
	bool no_ack;		 /* QStartNoAckMode */
	bool running;		 /* gdb resumed the guest and waits for a stop reply */
	unsigned g_hart, c_hart; /* Hg (registers, memory) and Hc selections */
	enum hart_action action[MAX_HARTS];
	bool stepping;		   /* some hart has ACT_STEP */
	bool step_done[MAX_HARTS]; /* a stepping hart executed its instruction */
	/* A stop whose reply waits until every hart has left its quantum
	 * (a thread per hart), so that gdb reads registers that hold still. */
	bool reply_pending;
	unsigned reply_hart;
	int reply_sig;
	const struct watchpoint *reply_watch;

	/* The core checks breakpoints (machine_set_breakpoint); this copy
	 * outlives the machine across a guest reset. */
	uint64_t bps[MAX_BREAKPOINTS];
	unsigned nbps;
	struct watchpoint wps[MAX_WATCHPOINTS];
	unsigned nwps;

	uint8_t in[PACKET_MAX + 8]; /* a packet being received */
	size_t nin;
	enum { RX_IDLE, RX_DATA, RX_SUM1, RX_SUM2 } rx;
	uint8_t rx_sum;
	uint8_t rx_check;

	char *xml; /* target.xml */
	size_t xml_len;
};

/* ---- target description ------------------------------------------------ */

static const char *const xreg_names[32] = {
    "zero", "ra", "sp", "gp", "tp",  "t0",  "t1", "t2", "fp", "s1", "a0",
    "a1",   "a2", "a3", "a4", "a5",  "a6",  "a7", "s2", "s3", "s4", "s5",
    "s6",   "s7", "s8", "s9", "s10", "s11", "t3", "t4", "t5", "t6",
};

/* The CSRs gdb sees: the ones rvjit implements that a kernel developer
 * looks at. */
static const struct {
	const char *name;
	uint16_t num;
} csrs[] = {
    {"sstatus", 0x100},	  {"sie", 0x104},	{"stvec", 0x105},    {"scounteren", 0x106},
    {"senvcfg", 0x10a},	  {"sscratch", 0x140},	{"sepc", 0x141},     {"scause", 0x142},
    {"stval", 0x143},	  {"sip", 0x144},	{"stimecmp", 0x14d}, {"satp", 0x180},
    {"scountovf", 0xda0}, {"mstatus", 0x300},	{"misa", 0x301},     {"medeleg", 0x302},
    {"mideleg", 0x303},	  {"mie", 0x304},	{"mtvec", 0x305},    {"mcounteren", 0x306},
    {"menvcfg", 0x30a},	  {"mscratch", 0x340},	{"mepc", 0x341},     {"mcause", 0x342},
    {"mtval", 0x343},	  {"mip", 0x344},	{"pmpcfg0", 0x3a0},  {"pmpcfg2", 0x3a2},
    {"pmpaddr0", 0x3b0},  {"pmpaddr1", 0x3b1},	{"pmpaddr2", 0x3b2}, {"pmpaddr3", 0x3b3},
    {"mcycle", 0xb00},	  {"minstret", 0xb02},	{"cycle", 0xc00},    {"time", 0xc01},
    {"instret", 0xc02},	  {"mvendorid", 0xf11}, {"marchid", 0xf12},  {"mimpid", 0xf13},
    {"mhartid", 0xf14},
};

static bool build_xml(struct gdbstub *g)
{
	size_t cap = 16384, n = 0;
	char *x = malloc(cap);
	if (!x)
		return false;
#define ADD(...) (n += (size_t)snprintf(x + n, cap - n, __VA_ARGS__))
	ADD("<?xml version=\"1.0\"?>\n<!DOCTYPE target SYSTEM \"gdb-target.dtd\">\n"
	    "<target version=\"1.0\">\n<architecture>riscv:rv64</architecture>\n"
	    "<feature name=\"org.gnu.gdb.riscv.cpu\">\n");
	for (int i = 0; i < 32; i++)
		ADD("<reg name=\"%s\" bitsize=\"64\" type=\"%s\" regnum=\"%d\"/>\n", xreg_names[i],
		    i == 2 ? "data_ptr" : "int", i);
	ADD("<reg name=\"pc\" bitsize=\"64\" type=\"code_ptr\" regnum=\"%d\"/>\n</feature>\n",
	    REG_PC);
	ADD("<feature name=\"org.gnu.gdb.riscv.fpu\">\n"
	    "<union id=\"riscv_double\"><field name=\"float\" type=\"ieee_single\"/>"
	    "<field name=\"double\" type=\"ieee_double\"/></union>\n");
	for (int i = 0; i < 32; i++)
		ADD("<reg name=\"f%d\" bitsize=\"64\" type=\"riscv_double\" regnum=\"%d\"/>\n", i,
		    REG_F0 + i);
	ADD("<reg name=\"fflags\" bitsize=\"32\" type=\"int\" regnum=\"%d\"/>\n"
	    "<reg name=\"frm\" bitsize=\"32\" type=\"int\" regnum=\"%d\"/>\n"
	    "<reg name=\"fcsr\" bitsize=\"32\" type=\"int\" regnum=\"%d\"/>\n</feature>\n",
	    REG_CSR0 + 1, REG_CSR0 + 2, REG_CSR0 + 3);
	ADD("<feature name=\"org.gnu.gdb.riscv.csr\">\n");
	for (size_t i = 0; i < sizeof(csrs) / sizeof(csrs[0]); i++)
		ADD("<reg name=\"%s\" bitsize=\"64\" type=\"int\" regnum=\"%d\"/>\n", csrs[i].name,
		    REG_CSR0 + csrs[i].num);
	ADD("</feature>\n<feature name=\"org.gnu.gdb.riscv.virtual\">\n"
	    "<reg name=\"priv\" bitsize=\"64\" type=\"int\" regnum=\"%d\"/>\n</feature>\n"
	    "</target>\n",
	    REG_PRIV);
#undef ADD
	g->xml = x;
	g->xml_len = n;
	return n < cap;
}

/* ---- packets ----------------------------------------------------------- */

static void write_all(int fd, const void *buf, size_t len)
{
	const uint8_t *p = buf;
	while (len) {
		const ssize_t n = send(fd, p, len, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return; /* the read side sees the disconnect */
		p += n;
		len -= (size_t)n;
	}
}

/* Send one packet; `len` bytes of data, escaped as the protocol needs. */
static void send_packet_bin(struct gdbstub *g, const char *data, size_t len)
{
	if (g->fd < 0)
		return;
	char *out = malloc(2 * len + 5);
	if (!out)
		return;
	size_t n = 0;
	uint8_t sum = 0;
	out[n++] = '$';
	for (size_t i = 0; i < len; i++) {
		char c = data[i];
		if (c == '$' || c == '#' || c == '}' || c == '*') {
			out[n++] = '}';
			sum += '}';
			c ^= 0x20;
		}
		out[n++] = c;
		sum += (uint8_t)c;
	}
	n += (size_t)snprintf(out + n, 4, "#%02x", sum);
	write_all(g->fd, out, n);
	free(out);
}

static void send_packet(struct gdbstub *g, const char *s)
{
	send_packet_bin(g, s, strlen(s));
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Parse hex digits at *p into *v, advancing *p. False when there are none. */
static bool parse_hex(const char **p, uint64_t *v)
{
	uint64_t r = 0;
	const char *s = *p;
	while (hexval(*s) >= 0)
		r = r << 4 | (uint64_t)hexval(*s++);
	if (s == *p)
		return false;
	*p = s;
	*v = r;
	return true;
}

/* Little-endian hex of `bytes` bytes of v (the target's byte order). */
static void put_le(char *out, uint64_t v, unsigned bytes)
{
	static const char digits[] = "0123456789abcdef";
	for (unsigned i = 0; i < bytes; i++) {
		const uint8_t b = (uint8_t)(v >> (8 * i));
		out[2 * i] = digits[b >> 4];
		out[2 * i + 1] = digits[b & 15];
	}
	out[2 * bytes] = '\0';
}

static bool get_le(const char *s, unsigned bytes, uint64_t *v)
{
	uint64_t r = 0;
	for (unsigned i = 0; i < bytes; i++) {
		const int hi = hexval(s[2 * i]), lo = hi < 0 ? -1 : hexval(s[2 * i + 1]);
		if (lo < 0)
			return false;
		r |= (uint64_t)(hi << 4 | lo) << (8 * i);
	}
	*v = r;
	return true;
}

/* ---- registers --------------------------------------------------------- */

static struct hart *hart_of(struct gdbstub *g, unsigned idx)
{
	return idx < g->m->nharts ? g->m->harts[idx] : g->m->harts[0];
}

/* Read register `reg` of h: its value and size in bytes; 0 bytes when
 * there is no such register. */
static unsigned reg_read(struct hart *h, unsigned reg, uint64_t *v)
{
	if (reg < 32) {
		*v = h->x[reg];
		return 8;
	}
	if (reg == REG_PC) {
		*v = h->pc;
		return 8;
	}
	if (reg >= REG_F0 && reg < REG_F0 + 32) {
		*v = h->f[reg - REG_F0];
		return 8;
	}
	if (reg == REG_PRIV) {
		*v = h->priv;
		return 8;
	}
	if (reg > REG_CSR0 && reg < REG_CSR0 + 4096 && csr_debug_read(h, reg - REG_CSR0, v))
		return reg <= REG_CSR0 + 3 ? 4 : 8;
	return 0;
}

static bool reg_write(struct hart *h, unsigned reg, uint64_t v)
{
	if (reg < 32) {
		if (reg)
			h->x[reg] = v;
		return true;
	}
	if (reg == REG_PC) {
		h->pc = v;
		return true;
	}
	if (reg >= REG_F0 && reg < REG_F0 + 32) {
		h->f[reg - REG_F0] = v;
		hart_fs_dirty(h);
		return true;
	}
	if (reg == REG_PRIV) {
		if (v != PRIV_U && v != PRIV_S && v != PRIV_M)
			return false;
		h->priv = (uint8_t)v;
		hart_update_mode(h);
		return true;
	}
	return reg > REG_CSR0 && reg < REG_CSR0 + 4096 && csr_debug_write(h, reg - REG_CSR0, v);
}

static void cmd_read_all(struct gdbstub *g)
{
	struct hart *h = hart_of(g, g->g_hart);
	char out[33 * 16 + 1];
	for (unsigned r = 0; r <= REG_PC; r++) {
		uint64_t v;
		reg_read(h, r, &v);
		put_le(out + 16 * r, v, 8);
	}
	send_packet(g, out);
}

static void cmd_write_all(struct gdbstub *g, const char *p)
{
	struct hart *h = hart_of(g, g->g_hart);
	for (unsigned r = 0; r <= REG_PC && strlen(p) >= 16; r++, p += 16) {
		uint64_t v;
		if (!get_le(p, 8, &v))
			break;
		reg_write(h, r, v);
	}
	send_packet(g, "OK");
}

static void cmd_read_reg(struct gdbstub *g, const char *p)
{
	uint64_t reg, v;
	char out[17];
	const unsigned bytes =
	    parse_hex(&p, &reg) ? reg_read(hart_of(g, g->g_hart), (unsigned)reg, &v) : 0;
	if (!bytes) {
		send_packet(g, "E45");
		return;
	}
	put_le(out, v, bytes);
	send_packet(g, out);
}

static void cmd_write_reg(struct gdbstub *g, const char *p)
{
	uint64_t reg, v;
	if (!parse_hex(&p, &reg) || *p++ != '=') {
		send_packet(g, "E01");
		return;
	}
	const unsigned bytes = (unsigned)(strlen(p) / 2);
	if (bytes == 0 || bytes > 8 || !get_le(p, bytes, &v) ||
	    !reg_write(hart_of(g, g->g_hart), (unsigned)reg, v)) {
		send_packet(g, "E45");
		return;
	}
	send_packet(g, "OK");
}

/* ---- memory ------------------------------------------------------------ */

/* Read or write up to `len` bytes at virtual va as the selected hart sees
 * them now (its privilege, its satp), stopping at the first byte that does
 * not translate or is not there. Returns the number of bytes done. RAM and
 * ROM are accessed directly; device registers through the bus (QEMU reads
 * MMIO for gdb too). */
static size_t access_mem(struct gdbstub *g, uint64_t va, uint8_t *buf, size_t len, bool write)
{
	struct machine *m = g->m;
	struct hart *h = hart_of(g, g->g_hart);
	size_t done = 0;
	while (done < len) {
		const uint64_t a = va + done;
		size_t chunk = (size_t)(PAGE_SIZE - (a & PAGE_OFFSET_MASK));
		if (chunk > len - done)
			chunk = len - done;
		uint64_t pa;
		if (mmu_translate_debug(h, a, h->priv, &pa))
			break;
		uint8_t *host = machine_host_ptr(m, pa, chunk, write);
		if (host) {
			if (write) {
				memcpy(host, buf + done, chunk);
				machine_ram_written(m, pa, chunk);
			} else {
				memcpy(buf + done, host, chunk);
			}
			done += chunk;
			continue;
		}
		/* A device: naturally sized accesses where possible, else bytes. */
		unsigned size = 1;
		if ((chunk == 8 || chunk == 4 || chunk == 2) && !(pa & (chunk - 1)))
			size = (unsigned)chunk;
		uint64_t v = 0;
		if (write) {
			memcpy(&v, buf + done, size);
			if (!bus_write(&m->bus, pa, size, v))
				break;
		} else {
			if (!bus_read(&m->bus, pa, size, &v))
				break;
			memcpy(buf + done, &v, size);
		}
		done += size;
	}
	return done;
}

static void cmd_read_mem(struct gdbstub *g, const char *p)
{
	uint64_t addr, len;
	if (!parse_hex(&p, &addr) || *p++ != ',' || !parse_hex(&p, &len)) {
		send_packet(g, "E01");
		return;
	}
	if (len > PACKET_MAX / 2)
		len = PACKET_MAX / 2;
	uint8_t buf[PACKET_MAX / 2];
	const size_t n = access_mem(g, addr, buf, len, false);
	if (n == 0 && len) {
		send_packet(g, "E14");
		return;
	}
	char out[PACKET_MAX + 1];
	for (size_t i = 0; i < n; i++)
		put_le(out + 2 * i, buf[i], 1);
	out[2 * n] = '\0';
	send_packet(g, out);
}

/* M addr,len:HEX and X addr,len:BINARY (already unescaped, `end` past it). */
static void cmd_write_mem(struct gdbstub *g, const char *p, const char *end, bool binary)
{
	uint64_t addr, len;
	if (!parse_hex(&p, &addr) || *p++ != ',' || !parse_hex(&p, &len) || *p++ != ':' ||
	    len > PACKET_MAX) {
		send_packet(g, "E01");
		return;
	}
	uint8_t buf[PACKET_MAX];
	if (binary) {
		if ((uint64_t)(end - p) < len) {
			send_packet(g, "E01");
			return;
		}
		memcpy(buf, p, len);
	} else {
		for (uint64_t i = 0; i < len; i++) {
			uint64_t b;
			if (!get_le(p + 2 * i, 1, &b)) {
				send_packet(g, "E01");
				return;
			}
			buf[i] = (uint8_t)b;
		}
	}
	send_packet(g, access_mem(g, addr, buf, len, true) == len ? "OK" : "E14");
}

/* ---- run control ------------------------------------------------------- */

/* Choose the engine: one instruction at a time while a hart single-steps,
 * the normal engine otherwise (breakpoints and watchpoints cost it
 * nothing per instruction: machine.h). */
static void update_mode(struct gdbstub *g)
{
	struct machine *m = g->m;
	if (!m)
		return;
	const bool connected = g->fd >= 0;
	m->per_insn = connected && g->stepping;
	m->debug.noirq = g->stepping;
	machine_watch_data(m, connected && g->nwps > 0);
}

static void stop_reply(struct gdbstub *g, unsigned hart, int sig, const struct watchpoint *w)
{
	char out[96];
	int n = snprintf(out, sizeof(out), "T%02x", sig);
	if (w)
		n += snprintf(out + n, sizeof(out) - (size_t)n, "%s:%" PRIx64 ";",
			      w->kind == WATCH_WRITE  ? "watch"
			      : w->kind == WATCH_READ ? "rwatch"
						      : "awatch",
			      w->addr);
	snprintf(out + n, sizeof(out) - (size_t)n, "thread:%x;", hart + 1);
	send_packet(g, out);
}

/* Forget the last resume's actions: no hart is held (with the machine
 * paused none runs anyway, and the monitor's `cont` runs them all, as
 * QEMU's does). */
static void clear_actions(struct gdbstub *g)
{
	g->stepping = false;
	for (unsigned i = 0; i < MAX_HARTS; i++) {
		g->action[i] = ACT_NONE;
		g->step_done[i] = false;
		if (g->m)
			atomic_store(&g->m->held[i], false);
	}
}

/* Pause the machine for gdb and tell it why (if it waits to hear) once
 * every hart holds still (the poller sends the reply). In all-stop mode
 * one hart's stop stops them all: with a thread per hart the others leave
 * their quanta at their next block. */
static void stop_machine(struct gdbstub *g, unsigned hart, int sig, const struct watchpoint *w)
{
	machine_pause(g->m);
	machine_halt_harts(g->m);
	clear_actions(g);
	g->g_hart = g->c_hart = hart;
	update_mode(g);
	if (g->running) {
		g->reply_pending = true;
		g->reply_hart = hart;
		g->reply_sig = sig;
		g->reply_watch = w;
	}
	g->running = false;
}

/* Resume the harts as g->action says: a hart without an action stays
 * stopped, as the remote protocol says of vCont (gdb steps a RISC-V
 * target by planting a breakpoint and continuing that one thread; a stop
 * reported by another would break gdb's step-over). */
static void resume(struct gdbstub *g)
{
	struct machine *m = g->m;
	g->stepping = false;
	for (unsigned i = 0; i < m->nharts; i++) {
		g->step_done[i] = false;
		g->stepping |= g->action[i] == ACT_STEP;
		atomic_store(&m->held[i], g->action[i] == ACT_NONE);
	}
	g->running = true;
	update_mode(g);
	debug_resume(m);
	machine_resume(m); /* kicks hart threads waiting while paused or held */
}

/* The thread a stop nobody's instruction caused (Ctrl-C, the monitor's
 * `stop`) is reported in: the Hc thread if gdb resumed it, else the first
 * one it resumed. */
static unsigned interrupted_hart(struct gdbstub *g)
{
	if (g->action[g->c_hart] != ACT_NONE)
		return g->c_hart;
	for (unsigned i = 0; i < g->m->nharts; i++)
		if (g->action[i] != ACT_NONE)
			return i;
	return g->c_hart;
}

static enum debug_verdict before_insn(void *opaque, struct hart *h)
{
	struct gdbstub *g = opaque;
	const unsigned idx = (unsigned)h->mhartid;
	if (!g->running)
		return DEBUG_STOP; /* another hart stopped the machine meanwhile */
	if (g->action[idx] == ACT_STEP && !g->step_done[idx]) {
		g->step_done[idx] = true;
		return DEBUG_RUN; /* the step itself ignores a breakpoint at pc */
	}
	/* One instruction at a time for another reason: the interpreter
	 * runs the instruction whatever breakpoint is there. */
	if (machine_is_breakpoint(g->m, h->pc)) {
		stop_machine(g, idx, SIG_TRAP, NULL);
		return DEBUG_STOP;
	}
	return DEBUG_RUN;
}

static bool after_insn(void *opaque, struct hart *h)
{
	struct gdbstub *g = opaque;
	const unsigned idx = (unsigned)h->mhartid;
	if (g->action[idx] == ACT_STEP) {
		stop_machine(g, idx, SIG_TRAP, NULL);
		return true;
	}
	return false;
}

static const struct watchpoint *watch_find(const struct gdbstub *g, uint64_t va, unsigned size,
					   bool write)
{
	for (unsigned i = 0; i < g->nwps; i++) {
		const struct watchpoint *w = &g->wps[i];
		if (va + size <= w->addr || va >= w->addr + w->len)
			continue;
		if ((w->kind == WATCH_WRITE && !write) || (w->kind == WATCH_READ && write))
			continue;
		return w;
	}
	return NULL;
}

static bool watch_matches(void *opaque, uint64_t va, unsigned size, bool write)
{
	return watch_find(opaque, va, size, write) != NULL;
}

/* A hart met a breakpoint, or its last instruction a watchpoint. */
static bool stopped(void *opaque, struct hart *h, enum debug_event why, const struct debug_hart *d)
{
	struct gdbstub *g = opaque;
	if (!g->running || g->m->paused)
		return false; /* another hart's stop came first: this one waits */
	const struct watchpoint *w =
	    why == DEBUG_WATCH ? watch_find(g, d->watch_va, d->watch_size, d->watch_write) : NULL;
	stop_machine(g, (unsigned)h->mhartid, SIG_TRAP, w);
	return true;
}

/* vCont;ACTION[:TID]...: each action applies to the thread it names, one
 * without a thread (or with -1) to every thread no earlier action named;
 * the leftmost action that applies wins, and a thread none applies to
 * stays stopped (gdb manual, "vCont"). A thread that does not exist is
 * E22, as QEMU answers. */
static void cmd_vcont(struct gdbstub *g, const char *p)
{
	struct machine *m = g->m;
	enum hart_action action[MAX_HARTS] = {ACT_NONE};
	while (*p == ';') {
		p++;
		const char letter = *p++;
		if (letter == 'C' || letter == 'S') { /* signal number: ignored */
			uint64_t sig;
			parse_hex(&p, &sig);
		}
		if (letter != 'c' && letter != 'C' && letter != 's' && letter != 'S') {
			send_packet(g, "E22");
			return;
		}
		const enum hart_action act =
		    letter == 's' || letter == 'S' ? ACT_STEP : ACT_CONTINUE;
		bool all = true;
		unsigned idx = 0;
		if (*p == ':') {
			p++;
			uint64_t t;
			if (*p == '-') {
				p += 2; /* -1: every thread */
			} else if (!parse_hex(&p, &t) || t > m->nharts) {
				send_packet(g, "E22");
				return;
			} else {
				all = false;
				idx = t ? (unsigned)t - 1 : g->c_hart; /* 0: any thread */
			}
		}
		for (unsigned i = 0; i < m->nharts; i++)
			if ((all || i == idx) && action[i] == ACT_NONE)
				action[i] = act;
		while (*p && *p != ';')
			p++;
	}
	memcpy(g->action, action, sizeof(action));
	resume(g);
}

/* ---- breakpoints and watchpoints --------------------------------------- */

static void cmd_breakpoint(struct gdbstub *g, const char *p, bool insert)
{
	const int type = *p++ - '0';
	uint64_t addr, len;
	if (type < 0 || type > 4 || *p++ != ',' || !parse_hex(&p, &addr) || *p++ != ',' ||
	    !parse_hex(&p, &len)) {
		send_packet(g, "E01");
		return;
	}
	if (type <= 1) { /* software and hardware: both end blocks before them */
		unsigned i = 0;
		while (i < g->nbps && g->bps[i] != addr)
			i++;
		if (insert && i == g->nbps) {
			if (g->nbps == MAX_BREAKPOINTS ||
			    !machine_set_breakpoint(g->m, addr, true)) {
				send_packet(g, "E22");
				return;
			}
			g->bps[g->nbps++] = addr;
		} else if (!insert && i < g->nbps) {
			g->bps[i] = g->bps[--g->nbps];
			machine_set_breakpoint(g->m, addr, false);
		}
	} else {
		unsigned i = 0;
		while (i < g->nwps && !(g->wps[i].addr == addr && g->wps[i].len == len &&
					(int)g->wps[i].kind == type))
			i++;
		if (insert && i == g->nwps) {
			if (g->nwps == MAX_WATCHPOINTS || len == 0) {
				send_packet(g, "E22");
				return;
			}
			g->wps[g->nwps++] = (struct watchpoint){addr, len, (enum watch_kind)type};
		} else if (!insert && i < g->nwps) {
			g->wps[i] = g->wps[--g->nwps];
		}
	}
	update_mode(g);
	send_packet(g, "OK");
}

/* ---- queries ----------------------------------------------------------- */

static void cmd_xfer_features(struct gdbstub *g, const char *p)
{
	/* qXfer:features:read:ANNEX:OFFSET,LENGTH */
	const char *annex_end = strchr(p, ':');
	uint64_t off, len;
	if (!annex_end || strncmp(p, "target.xml", (size_t)(annex_end - p)) ||
	    (size_t)(annex_end - p) != strlen("target.xml")) {
		send_packet(g, "E00");
		return;
	}
	p = annex_end + 1;
	if (!parse_hex(&p, &off) || *p++ != ',' || !parse_hex(&p, &len)) {
		send_packet(g, "E01");
		return;
	}
	if (off >= g->xml_len) {
		send_packet(g, "l");
		return;
	}
	if (len > PACKET_MAX / 2)
		len = PACKET_MAX / 2;
	const size_t n = off + len < g->xml_len ? len : g->xml_len - off;
	char *out = malloc(n + 1);
	if (!out)
		return;
	out[0] = off + n < g->xml_len ? 'm' : 'l';
	memcpy(out + 1, g->xml + off, n);
	send_packet_bin(g, out, n + 1);
	free(out);
}

/* qRcmd,HEX: a monitor command, hex-encoded. Its output goes back in O
 * packets (hex), then OK (gdb manual, "qRcmd"). */
static void cmd_monitor(struct gdbstub *g, const char *hex)
{
	if (!g->monitor) {
		send_packet(g, "");
		return;
	}
	char line[256];
	size_t n = 0;
	uint64_t b;
	while (n + 1 < sizeof(line) && get_le(hex + 2 * n, 1, &b))
		line[n++] = (char)b;
	line[n] = '\0';
	char *text = monitor_execute(g->monitor, line);
	if (!text) {
		send_packet(g, "E0c");
		return;
	}
	const size_t len = strlen(text), chunk = (PACKET_MAX - 2) / 2;
	char out[PACKET_MAX];
	for (size_t off = 0; off < len; off += chunk) {
		const size_t k = len - off < chunk ? len - off : chunk;
		out[0] = 'O';
		for (size_t i = 0; i < k; i++)
			put_le(out + 1 + 2 * i, (uint8_t)text[off + i], 1);
		send_packet(g, out);
	}
	free(text);
	send_packet(g, "OK");
}

static void cmd_query(struct gdbstub *g, const char *p)
{
	char out[256];
	if (!strncmp(p, "qSupported", 10)) {
		snprintf(out, sizeof(out),
			 "PacketSize=%x;qXfer:features:read+;vContSupported+;QStartNoAckMode+",
			 PACKET_MAX);
		send_packet(g, out);
	} else if (!strncmp(p, "qXfer:features:read:", 20)) {
		cmd_xfer_features(g, p + 20);
	} else if (!strcmp(p, "qfThreadInfo")) {
		/* Every thread in one reply: "m" and up to 4 characters each. */
		char list[1 + 4 * MAX_HARTS];
		size_t n = 0;
		list[n++] = 'm';
		for (unsigned i = 0; i < g->m->nharts; i++)
			n += (size_t)snprintf(list + n, sizeof(list) - n, i ? ",%x" : "%x", i + 1);
		send_packet(g, list);
	} else if (!strcmp(p, "qsThreadInfo")) {
		send_packet(g, "l");
	} else if (!strcmp(p, "qC")) {
		snprintf(out, sizeof(out), "QC%x", g->g_hart + 1);
		send_packet(g, out);
	} else if (!strncmp(p, "qThreadExtraInfo,", 17)) {
		uint64_t t = 0;
		const char *q = p + 17;
		parse_hex(&q, &t);
		char text[32];
		const int len = snprintf(text, sizeof(text), "hart %u", t ? (unsigned)t - 1 : 0);
		for (int i = 0; i < len; i++)
			put_le(out + 2 * i, (uint8_t)text[i], 1);
		send_packet(g, out);
	} else if (!strncmp(p, "qRcmd,", 6)) {
		cmd_monitor(g, p + 6);
	} else if (!strcmp(p, "qAttached")) {
		send_packet(g, "1");
	} else if (!strncmp(p, "qSymbol", 7)) {
		send_packet(g, "OK");
	} else if (!strcmp(p, "QStartNoAckMode")) {
		send_packet(g, "OK"); /* acknowledged, then acks stop */
		g->no_ack = true;
	} else {
		send_packet(g, ""); /* qOffsets, qTStatus, ...: not supported */
	}
}

/* Hg / Hc with a thread id (-1 all, 0 any). */
static void cmd_set_thread(struct gdbstub *g, const char *p)
{
	const char which = *p++;
	unsigned idx = 0;
	if (*p != '-') {
		uint64_t t;
		if (!parse_hex(&p, &t) || t > g->m->nharts) {
			send_packet(g, "E22");
			return;
		}
		idx = t ? (unsigned)t - 1 : 0;
	}
	if (which == 'g')
		g->g_hart = idx;
	else
		g->c_hart = idx;
	send_packet(g, "OK");
}

static void drop_client(struct gdbstub *g);

/* One complete packet (unescaped, NUL-terminated at `len`). */
static void handle_packet(struct gdbstub *g, const char *p, size_t len)
{
	struct machine *m = g->m;
	uint64_t v;
	const char *q;
	switch (p[0]) {
	case '?':
		stop_reply(g, g->g_hart, SIG_TRAP, NULL);
		break;
	case 'g':
		cmd_read_all(g);
		break;
	case 'G':
		cmd_write_all(g, p + 1);
		break;
	case 'p':
		cmd_read_reg(g, p + 1);
		break;
	case 'P':
		cmd_write_reg(g, p + 1);
		break;
	case 'm':
		cmd_read_mem(g, p + 1);
		break;
	case 'M':
		cmd_write_mem(g, p + 1, p + len, false);
		break;
	case 'X':
		cmd_write_mem(g, p + 1, p + len, true);
		break;
	case 'c':
	case 's':
		q = p + 1;
		if (parse_hex(&q, &v))
			hart_of(g, g->c_hart)->pc = v;
		/* c: every hart continues; s: the Hc hart steps alone. */
		for (unsigned i = 0; i < m->nharts; i++)
			g->action[i] = p[0] == 'c'	? ACT_CONTINUE
				       : i == g->c_hart ? ACT_STEP
							: ACT_NONE;
		resume(g);
		break;
	case 'H':
		cmd_set_thread(g, p + 1);
		break;
	case 'T':
		q = p + 1;
		send_packet(g, parse_hex(&q, &v) && v >= 1 && v <= m->nharts ? "OK" : "E22");
		break;
	case 'Z':
	case 'z':
		cmd_breakpoint(g, p + 1, p[0] == 'Z');
		break;
	case 'q':
	case 'Q':
		cmd_query(g, p);
		break;
	case 'v':
		if (!strcmp(p, "vCont?"))
			send_packet(g, "vCont;c;C;s;S");
		else if (!strncmp(p, "vCont;", 6))
			cmd_vcont(g, p + 5);
		else
			send_packet(g, ""); /* vMustReplyEmpty and the rest */
		break;
	case 'D':
		send_packet(g, "OK");
		drop_client(g);
		break;
	case 'k':
		/* As QEMU: kill ends the emulator. */
		machine_request_stop(m, STOP_USER, 0);
		drop_client(g);
		break;
	default:
		send_packet(g, "");
		break;
	}
}

/* ---- the connection ---------------------------------------------------- */

/* Close the client's connection and forget what it set: breakpoints,
 * watchpoints, held harts. The machine stays as it is. */
static void forget_client(struct gdbstub *g)
{
	if (g->fd >= 0)
		close(g->fd);
	g->fd = -1;
	g->nbps = g->nwps = 0;
	clear_actions(g);
	g->running = false;
	g->reply_pending = false;
	if (g->m) {
		machine_clear_breakpoints(g->m);
		update_mode(g);
	}
}

/* Forget the client: its breakpoints go, the guest resumes (QEMU). */
static void drop_client(struct gdbstub *g)
{
	forget_client(g);
	if (g->m)
		machine_resume(g->m);
}

static void accept_client(struct gdbstub *g)
{
	const int fd = accept(g->listen_fd, NULL, NULL);
	if (fd < 0)
		return;
	fcntl(fd, F_SETFD, FD_CLOEXEC);
	const int one = 1;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	g->fd = fd;
	g->no_ack = false;
	g->rx = RX_IDLE;
	g->running = false;
	g->reply_pending = false;
	clear_actions(g);
	g->g_hart = g->c_hart = 0;
	/* A debugger that connects finds the machine stopped. */
	machine_pause(g->m);
}

/* Feed received bytes through the packet state machine. */
static void receive(struct gdbstub *g, const uint8_t *buf, size_t n)
{
	for (size_t i = 0; i < n && g->fd >= 0; i++) {
		const uint8_t c = buf[i];
		switch (g->rx) {
		case RX_IDLE:
			if (c == '$') {
				g->rx = RX_DATA;
				g->nin = 0;
				g->rx_sum = 0;
			} else if (c == 0x03 && g->running) {
				stop_machine(g, interrupted_hart(g), SIG_INT, NULL); /* Ctrl-C */
			}
			break; /* '+' and '-' acks, noise */
		case RX_DATA:
			if (c == '#') {
				g->rx = RX_SUM1;
			} else if (g->nin < PACKET_MAX) {
				g->in[g->nin++] = c;
				g->rx_sum += c;
			}
			break;
		case RX_SUM1:
			g->rx_check = (uint8_t)(hexval(c) << 4);
			g->rx = RX_SUM2;
			break;
		case RX_SUM2: {
			g->rx_check |= (uint8_t)hexval(c);
			g->rx = RX_IDLE;
			if (!g->no_ack) {
				const bool ok = g->rx_check == g->rx_sum;
				write_all(g->fd, ok ? "+" : "-", 1);
				if (!ok)
					break;
			}
			/* Undo the binary escapes ('}' then c ^ 0x20). */
			size_t len = 0;
			for (size_t j = 0; j < g->nin; j++)
				g->in[len++] = g->in[j] == '}' && j + 1 < g->nin ? g->in[++j] ^ 0x20
										 : g->in[j];
			g->in[len] = '\0';
			handle_packet(g, (const char *)g->in, len);
			break;
		}
		}
	}
}

static void send_pending_reply(struct gdbstub *g)
{
	if (g->reply_pending && g->m && machine_harts_parked(g->m)) {
		g->reply_pending = false;
		stop_reply(g, g->reply_hart, g->reply_sig, g->reply_watch);
	}
}

static uint64_t gdb_poll(void *opaque)
{
	struct gdbstub *g = opaque;
	struct machine *m = g->m;
	if (!m || (g->listen_fd < 0 && g->fd < 0))
		return UINT64_MAX; /* between machines, or stopped (gdbserver none) */
	/* The monitor stopped the guest while gdb waits: tell gdb. */
	if (m->paused && g->running)
		stop_machine(g, interrupted_hart(g), SIG_INT, NULL);
	send_pending_reply(g);
	struct pollfd pfd = {.fd = g->fd >= 0 ? g->fd : g->listen_fd, .events = POLLIN};
	const int timeout = m->paused && !g->reply_pending ? PAUSED_WAIT_MS : 0;
	if (poll(&pfd, 1, timeout) > 0) {
		if (g->fd < 0) {
			accept_client(g);
		} else {
			uint8_t buf[4096];
			const ssize_t n = recv(g->fd, buf, sizeof(buf), 0);
			if (n > 0)
				receive(g, buf, (size_t)n);
			else if (n == 0 || (errno != EINTR && errno != EAGAIN))
				drop_client(g);
		}
	}
	send_pending_reply(g);
	/* Paused: come back at once (this poll was the wait). Running:
	 * often enough that Ctrl-C and connections are noticed. */
	return m->paused ? 0 : 20000000ULL;
}

/* A listening socket for spec, or -1 with one line in err. */
static int open_listener(const char *spec, char *err, size_t errlen)
{
	/* tcp::PORT, tcp:HOST:PORT, tcp:PORT, PORT; ",server,nowait" ignored. */
	char host[256] = "", port[32] = "";
	const char *s = !strncmp(spec, "tcp:", 4) ? spec + 4 : spec;
	const char *colon = strrchr(s, ':');
	const char *pstart = colon ? colon + 1 : s;
	size_t plen = strcspn(pstart, ",");
	if (colon && (size_t)(colon - s) < sizeof(host)) {
		memcpy(host, s, (size_t)(colon - s));
		host[colon - s] = '\0';
	}
	if (plen == 0 || plen >= sizeof(port) || strspn(pstart, "0123456789") != plen) {
		snprintf(err, errlen, "-gdb %s: expected tcp::PORT or tcp:HOST:PORT", spec);
		return -1;
	}
	memcpy(port, pstart, plen);
	port[plen] = '\0';

	struct addrinfo hints = {
	    .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM, .ai_flags = AI_PASSIVE};
	struct addrinfo *ai;
	const int rc = getaddrinfo(host[0] ? host : NULL, port, &hints, &ai);
	if (rc) {
		snprintf(err, errlen, "-gdb %s: %s", spec, gai_strerror(rc));
		return -1;
	}
	int fd = -1, saved = 0;
	for (struct addrinfo *a = ai; a && fd < 0; a = a->ai_next) {
		fd = socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK,
			    a->ai_protocol);
		if (fd < 0)
			continue;
		const int one = 1;
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		if (bind(fd, a->ai_addr, a->ai_addrlen) || listen(fd, 1)) {
			saved = errno;
			close(fd);
			fd = -1;
		}
	}
	freeaddrinfo(ai);
	if (fd < 0)
		snprintf(err, errlen, "-gdb %s: cannot listen: %s", spec, strerror(saved));
	return fd;
}

struct gdbstub *gdbstub_new(const char *spec, char *err, size_t errlen)
{
	const int fd = open_listener(spec, err, errlen);
	if (fd < 0)
		return NULL;
	struct gdbstub *g = calloc(1, sizeof(*g));
	if (!g || !build_xml(g)) {
		close(fd);
		if (g)
			free(g->xml);
		free(g);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	g->listen_fd = fd;
	g->fd = -1;
	return g;
}

bool gdbstub_listen(struct gdbstub *g, const char *spec, char *err, size_t errlen)
{
	const int fd = open_listener(spec, err, errlen);
	if (fd < 0)
		return false;
	gdbstub_stop(g);
	g->listen_fd = fd;
	return true;
}

bool gdbstub_listening(const struct gdbstub *g)
{
	return g->listen_fd >= 0;
}

void gdbstub_stop(struct gdbstub *g)
{
	forget_client(g);
	if (g->listen_fd >= 0)
		close(g->listen_fd);
	g->listen_fd = -1;
}

void gdbstub_set_monitor(struct gdbstub *g, struct monitor *mon)
{
	g->monitor = mon;
}

bool gdbstub_attach(struct gdbstub *g, struct machine *m)
{
	g->m = m;
	m->debug = (struct machine_debug){
	    .before_insn = before_insn,
	    .after_insn = after_insn,
	    .watch_matches = watch_matches,
	    .stopped = stopped,
	    .opaque = g,
	};
	if (g->g_hart >= m->nharts)
		g->g_hart = g->c_hart = 0;
	clear_actions(g);
	for (unsigned i = 0; i < g->nbps; i++)
		machine_set_breakpoint(m, g->bps[i], true);
	update_mode(g);
	if (!machine_add_poller(m, gdb_poll, g)) {
		fprintf(stderr, "rvjit: -gdb: no room for another poller\n");
		return false;
	}
	return true;
}

void gdbstub_detach(struct gdbstub *g, bool exited, int code)
{
	if (exited && g->fd >= 0) {
		char out[8];
		snprintf(out, sizeof(out), "W%02x", code & 0xff);
		send_packet(g, out);
		close(g->fd);
		g->fd = -1;
	}
	g->m = NULL;
}

void gdbstub_free(struct gdbstub *g)
{
	if (!g)
		return;
	if (g->fd >= 0)
		close(g->fd);
	if (g->listen_fd >= 0)
		close(g->listen_fd);
	free(g->xml);
	free(g);
}
