/*
 * rvjit's command line: parse the options, build the virt board, run it,
 * and turn the way the run ended into the process exit status. Around the
 * run, the process as QEMU's options shape it: -daemonize, -pidfile, and
 * -no-shutdown's stopped machine after a guest poweroff.
 */
#include "chardev.h"
#include "console.h"
#include "core/machine.h"
#include "gdbstub.h"
#include "host_process.h"
#include "jit/jit.h"
#include "loader/virt.h"
#include "monitor.h"
#include "net_tap.h"
#include "net_user.h"
#include "options.h"
#include "vm_snapshot.h"
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Blocks per quantum under -icount, in both engines. */
#define ICOUNT_QUANTUM_BLOCKS 1024

#define RVJIT_VERSION "0.1"

/* The machine a SIGINT/SIGTERM should stop: signal handlers can reach
 * nothing else. */
static struct machine *volatile signal_target;

static void on_signal(int sig)
{
	struct machine *m = signal_target;
	if (m) {
		/* Only the atomic store: machine_kick's mutex is not
		 * async-signal-safe; the idle loop wakes within 100 ms. */
		int expected = STOP_NONE;
		atomic_compare_exchange_strong(&m->stop, &expected, STOP_USER);
	} else {
		console_restore_from_signal();
		_exit(128 + sig);
	}
}

static void print_stats(const struct machine *m, uint64_t ns)
{
	uint64_t instret = 0;
	for (unsigned i = 0; i < m->nharts; i++)
		instret += m->harts[i]->instret;
	const double s = (double)ns / 1e9;
	fprintf(stderr, "rvjit: stats: instret=%llu seconds=%.3f mips=%.1f engine=%s\n",
		(unsigned long long)instret, s, s > 0 ? (double)instret / s / 1e6 : 0.0,
		m->engine ? "jit" : "interp");
	if (m->engine) {
		struct jit_stats js;
		jit_get_stats(m, &js);
		fprintf(
		    stderr,
		    "rvjit: stats: blocks_translated=%llu translate_seconds=%.3f "
		    "translate_share=%.1f%% blocks_per_second=%.0f code_bytes=%llu flushes=%llu "
		    "plain_blocks=%llu regions=%llu\n",
		    (unsigned long long)js.blocks_translated, (double)js.translate_ns / 1e9,
		    ns ? 100.0 * (double)js.translate_ns / (double)ns : 0.0,
		    js.translate_ns ? (double)js.blocks_translated / ((double)js.translate_ns / 1e9)
				    : 0.0,
		    (unsigned long long)js.code_bytes, (unsigned long long)js.flushes,
		    (unsigned long long)js.blocks_plain, (unsigned long long)js.regions);
	}
}

/* The console is the board's serial line. */
static void serial_write(void *console, uint8_t byte)
{
	console_write(console, byte);
}

static bool serial_peek(void *console, uint8_t *byte)
{
	return console_peek(console, byte);
}

static void serial_consume(void *console)
{
	console_consume(console);
}

static void serial_flush(void *console)
{
	console_flush(console);
}

static bool serial_take_break(void *console)
{
	return console_take_break(console);
}

/* No serial host end (-nodefaults, -daemonize): output goes nowhere and
 * no input comes, as with QEMU's serial "null" backend. */
static void null_write(void *opaque, uint8_t byte) {}

static bool null_peek(void *opaque, uint8_t *byte)
{
	return false;
}

static void null_serial_op(void *opaque) {}

/* C-a s on the console: commit every snapshot=on drive (QEMU's mux calls
 * blk_commit_all), on the machine's I/O side like any disk access. */
struct console_commit {
	struct console *console;
	struct virt_board *board;
};

static uint64_t console_commit_poll(void *opaque)
{
	struct console_commit *cc = opaque;
	if (console_take_commit(cc->console)) {
		char err[512];
		if (virt_board_commit(cc->board, NULL, err, sizeof(err))) {
			char line[600];
			snprintf(line, sizeof(line), "rvjit: %s\n", err);
			console_print(cc->console, line);
		}
	}
	return UINT64_MAX;
}

/* The host ends: every chardev, opened as QEMU opens them (an unused
 * pty still prints its name, an unused server still listens), and a
 * console on each the serial line or the monitor uses. */
struct host_ends {
	struct chardev *dev[MAX_CHARDEVS];
	struct console *con[MAX_CHARDEVS];
	struct console_commit commit[MAX_CHARDEVS]; /* C-a s, on the muxes */
	unsigned n;
};

static void host_ends_free(struct host_ends *e)
{
	for (unsigned i = 0; i < e->n; i++) {
		console_free(e->con[i]);
		chardev_close(e->dev[i]);
	}
	e->n = 0;
}

/* "ORIGIN: " in front of what a chardev call wrote into err. */
static void name_chardev(const struct chardev_spec *s, char *err, size_t errlen)
{
	const size_t olen = strlen(s->origin);
	if (errlen < olen + 3)
		return;
	size_t mlen = strnlen(err, errlen - 1);
	if (olen + 2 + mlen >= errlen)
		mlen = errlen - olen - 3; /* cut the message, keep the origin */
	memmove(err + olen + 2, err, mlen);
	memcpy(err, s->origin, olen);
	memcpy(err + olen, ": ", 2);
	err[olen + 2 + mlen] = '\0';
}

static bool host_ends_open(struct host_ends *e, const struct options *o, char *err, size_t errlen)
{
	memset(e, 0, sizeof(*e));
	for (unsigned i = 0; i < o->nchardevs; i++) {
		const struct chardev_spec *s = &o->chardevs[i];
		if (!(e->dev[i] = chardev_open(s, err, errlen))) {
			name_chardev(s, err, errlen);
			host_ends_free(e);
			return false;
		}
		e->n = i + 1;
		if (!s->users)
			fprintf(
			    stderr,
			    "rvjit: warning: %s: no -serial, -monitor or -mon uses chardev '%s'\n",
			    s->origin, s->id);
	}
	/* Every server listens before any waits for its first client. */
	for (unsigned i = 0; i < e->n; i++) {
		const struct chardev_spec *s = &o->chardevs[i];
		if (chardev_wait_client(e->dev[i], err, errlen)) {
			name_chardev(s, err, errlen);
			host_ends_free(e);
			return false;
		}
		if (!s->users)
			continue;
		const struct console_options co = {.escapes = s->mux,
						   .monitor_only = (int)i != o->serial_chardev};
		if (!(e->con[i] = console_open(NULL, e->dev[i], &co))) {
			snprintf(err, errlen, "cannot set up the console");
			host_ends_free(e);
			return false;
		}
	}
	return true;
}

static void host_ends_attach(struct host_ends *e, struct machine *m)
{
	for (unsigned i = 0; i < e->n; i++)
		if (e->con[i])
			console_attach(e->con[i], m);
}

/* C-a s commits from every mux console. */
static bool host_ends_add_pollers(struct host_ends *e, const struct options *o, struct machine *m,
				  struct virt_board *b)
{
	for (unsigned i = 0; i < e->n; i++) {
		if (!e->con[i] || !o->chardevs[i].mux)
			continue;
		e->commit[i] = (struct console_commit){.console = e->con[i], .board = b};
		if (!machine_add_poller(m, console_commit_poll, &e->commit[i]))
			return false;
	}
	return true;
}

static void install_signals(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	/* A disk image that may not grow (RLIMIT_FSIZE) fails the guest's write
	 * with EFBIG, an I/O error the guest sees, as under QEMU (whose I/O
	 * threads block the signal), rather than killing the machine. */
	signal(SIGXFSZ, SIG_IGN);
}

/* Start each -netdev and give the NICs their backends. False with err;
 * those already started are stopped. */
static bool open_netdevs(struct options *o, struct netdev **netdevs, char *err, size_t errlen)
{
	for (unsigned i = 0; i < o->nnetdevs; i++) {
		const struct netdev_spec *s = &o->netdevs[i];
		netdevs[i] = !strcmp(s->type, "tap")
				 ? net_tap_new(s->id, s->arg, s->origin, err, errlen)
				 : net_user_new(s->id, s->arg, s->origin, err, errlen);
		if (!netdevs[i]) {
			while (i--)
				netdev_free(netdevs[i]);
			return false;
		}
	}
	for (unsigned i = 0; i < o->board.nnics; i++)
		o->board.nics[i].backend =
		    o->nic_use[i].netdev >= 0 ? netdevs[o->nic_use[i].netdev] : NULL;
	return true;
}

int main(int argc, char **argv)
{
	struct options o;
	char err[512];
	if (options_parse(&o, argc, argv, err, sizeof(err))) {
		fprintf(stderr, "rvjit: %s\n", err);
		options_free(&o);
		return 1;
	}
	if (o.help) {
		options_usage(stdout);
		options_free(&o);
		return 0;
	}
	if (o.version) {
		printf("rvjit %s (RISC-V RV64GC, QEMU virt board)\n", RVJIT_VERSION);
		options_free(&o);
		return 0;
	}
	if (o.log_help) {
		options_log_help(stdout);
		options_free(&o);
		return 0;
	}
	if (o.cpu_help) {
		char list[1024];
		isa_list_models(list, sizeof(list));
		fputs(list, stdout);
		options_free(&o);
		return 0;
	}
	/* -daemonize forks before any thread exists (the console's reader,
	 * the harts'); the child reports start-up errors itself. */
	int daemon_fd = -1;
	if (o.daemonize && (daemon_fd = daemon_start(err, sizeof(err))) < 0) {
		fprintf(stderr, "rvjit: %s\n", err);
		options_free(&o);
		return 1;
	}
	int pid_fd = -1;
	if (o.pidfile && (pid_fd = pidfile_create(o.pidfile, err, sizeof(err))) < 0) {
		fprintf(stderr, "rvjit: %s\n", err);
		options_free(&o);
		return 1;
	}
	FILE *log = stderr;
	if (o.log_file && !(log = fopen(o.log_file, "w"))) {
		fprintf(stderr, "rvjit: -D %s: %s\n", o.log_file, strerror(errno));
		pidfile_remove(o.pidfile, pid_fd);
		options_free(&o);
		return 1;
	}

	/* stdio is the console unless neither the serial line nor the
	 * monitor has it (-nodefaults, -daemonize, other chardevs). */
	struct host_ends ends;
	if (!host_ends_open(&ends, &o, err, sizeof(err))) {
		fprintf(stderr, "rvjit: %s\n", err);
		pidfile_remove(o.pidfile, pid_fd);
		options_free(&o);
		return 1;
	}
	struct console *console = o.serial_chardev >= 0 ? ends.con[o.serial_chardev] : NULL;
	struct gdbstub *gdb = NULL;
	if (o.gdb && !(gdb = gdbstub_new(o.gdb, err, sizeof(err)))) {
		host_ends_free(&ends);
		fprintf(stderr, "rvjit: %s\n", err);
		pidfile_remove(o.pidfile, pid_fd);
		options_free(&o);
		return 1;
	}
	/* With -monitor none, a monitor without a prompt still serves gdb's
	 * `monitor CMD`, as QEMU's gdbstub does. */
	struct monitor *monitor = o.monitor_chardev >= 0 ? monitor_new(ends.con[o.monitor_chardev])
				  : gdb			 ? monitor_new(NULL)
							 : NULL;
	if (gdb) {
		gdbstub_set_monitor(gdb, monitor);
		if (monitor)
			monitor_set_gdbstub(monitor, gdb);
	}
	if (monitor) {
		monitor_set_board(monitor, &o.board, RVJIT_VERSION);
		monitor_set_name(monitor, o.name);
	}
	const struct virt_serial serial =
	    !console ? (struct virt_serial){.write = null_write,
					    .peek = null_peek,
					    .consume = null_serial_op,
					    .flush = null_serial_op}
		     : (struct virt_serial){.opaque = console,
					    .write = serial_write,
					    .peek = serial_peek,
					    .consume = serial_consume,
					    .flush = serial_flush,
					    .take_break = serial_take_break};
	for (unsigned i = 0; i < o.board.ndrives; i++)
		if (o.board.drives[i].no_device)
			fprintf(stderr,
				"rvjit: warning: drive %s (%s) has no device, so the guest does "
				"not see it (as on QEMU's virt): add -device "
				"virtio-blk-device,drive=%s\n",
				o.board.drives[i].id, o.board.drives[i].file, o.board.drives[i].id);
	/* Network backends live across guest reboots, as QEMU's. */
	struct netdev *netdevs[MAX_NETDEVS] = {NULL};
	if (!open_netdevs(&o, netdevs, err, sizeof(err))) {
		fprintf(stderr, "rvjit: %s\n", err);
		host_ends_free(&ends);
		gdbstub_free(gdb);
		monitor_free(monitor);
		pidfile_remove(o.pidfile, pid_fd);
		options_free(&o);
		return 1;
	}
	install_signals();
	int status = 0;
	bool first = true;
	for (;;) {
		struct virt_board *b = virt_board_new(&o.board, &serial, err, sizeof(err));
		if (!b) {
			host_ends_free(&ends);
			fprintf(stderr, "rvjit: %s\n", err);
			status = 1;
			break;
		}
		if (o.dumpdtb) {
			/* As QEMU: write the tree the guest would get, and exit. */
			status = virt_board_dump_dtb(b, o.dumpdtb, err, sizeof(err)) ? 1 : 0;
			if (status)
				fprintf(stderr, "rvjit: %s\n", err);
			virt_board_free(b);
			host_ends_free(&ends);
			break;
		}
		struct machine *m = virt_board_machine(b);
		m->log = log;
		m->log_mask = o.log_mask;
		const bool use_jit = !o.interp && jit_available();
		const struct jit_options jo = {.code_size = o.jit_cache,
					       .perf_map = o.perf_map,
					       .check = o.check,
					       .check_selftest = o.check_selftest};
		if (o.check && !use_jit) {
			fprintf(stderr,
				"rvjit: --check: compares the translator with the interpreter, "
				"so it needs the translator (not --interp, x86-64 hosts only)\n");
			virt_board_free(b);
			host_ends_free(&ends);
			status = 1;
			break;
		}
		if (use_jit && !jit_attach(m, &jo)) {
			virt_board_free(b);
			host_ends_free(&ends);
			status = 1;
			break;
		}
		if (!host_ends_add_pollers(&ends, &o, m, b) || (gdb && !gdbstub_attach(gdb, m)) ||
		    (monitor && !monitor_attach(monitor, b))) {
			jit_detach(m);
			virt_board_free(b);
			host_ends_free(&ends);
			status = 1;
			break;
		}
		/* A thread per hart, unless asked otherwise or a debugging
		 * mode needs all harts in one thread's hands. */
		m->icount = o.icount_shift >= 0;
		m->icount_shift = m->icount ? (unsigned)o.icount_shift : 0;
		/* -icount runs are repeatable in each engine; one quantum
		 * length for both makes them interleave harts alike too, so
		 * an -icount run of the interpreter is the translator's
		 * reference, hart switches included. */
		if (m->icount)
			m->quantum_blocks = ICOUNT_QUANTUM_BLOCKS;
		m->threaded = m->nharts > 1 && !o.single_thread && !o.check && !m->icount;
		/* -loadvm: the snapshot replaces power-on, once. */
		if (first && o.loadvm && vm_snapshot_load(b, o.loadvm, err, sizeof(err))) {
			fprintf(stderr, "rvjit: %s\n", err);
			if (gdb)
				gdbstub_detach(gdb, true, 1);
			if (monitor)
				monitor_detach(monitor);
			jit_detach(m);
			virt_board_free(b);
			host_ends_free(&ends);
			status = 1;
			break;
		}
		/* -S: wait for gdb's or the monitor's continue, at power-on only. */
		if (first && o.start_paused)
			machine_pause(m);
		first = false;
		host_ends_attach(&ends, m);
		signal_target = m;
		if (daemon_fd >= 0) {
			/* Start-up worked: the parent may exit. */
			daemon_ready(daemon_fd);
			daemon_fd = -1;
		}
		const uint64_t t0 = host_monotonic_ns();
		enum machine_stop why = machine_run(m);
		while (why == STOP_EXIT && o.no_shutdown) {
			/* -no-shutdown: the guest powered off; the machine stops
			 * where it is and the monitor (or gdb) stays until quit. */
			m->threaded = false;
			machine_pause(m);
			atomic_store(&m->stop, STOP_NONE);
			why = machine_run(m);
		}
		if (o.stats)
			print_stats(m, host_monotonic_ns() - t0);
		signal_target = NULL;
		const int code = m->exit_code;
		const bool again = why == STOP_RESET && !o.no_reboot;
		if (gdb)
			gdbstub_detach(gdb, !again, why == STOP_EXIT ? code : 0);
		if (monitor)
			monitor_detach(monitor);
		host_ends_attach(&ends, NULL);
		jit_detach(m);
		virt_board_free(b); /* flushes every disk */
		if (again)
			continue;
		status = why == STOP_EXIT ? code : why == STOP_FATAL ? 1 : 0;
		host_ends_free(&ends);
		break;
	}
	gdbstub_free(gdb);
	monitor_free(monitor);
	for (unsigned i = 0; i < o.nnetdevs; i++)
		netdev_free(netdevs[i]);
	pidfile_remove(o.pidfile, pid_fd);
	if (log != stderr)
		fclose(log);
	options_free(&o);
	return status;
}
