/*
 * rvjit's command line: parse the options, build the virt board, run it,
 * and turn the way the run ended into the process exit status.
 */
#include "console.h"
#include "core/machine.h"
#include "gdbstub.h"
#include "jit/jit.h"
#include "loader/virt.h"
#include "monitor.h"
#include "options.h"
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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
		    "plain_blocks=%llu\n",
		    (unsigned long long)js.blocks_translated, (double)js.translate_ns / 1e9,
		    ns ? 100.0 * (double)js.translate_ns / (double)ns : 0.0,
		    js.translate_ns ? (double)js.blocks_translated / ((double)js.translate_ns / 1e9)
				    : 0.0,
		    (unsigned long long)js.code_bytes, (unsigned long long)js.flushes,
		    (unsigned long long)js.blocks_plain);
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
	FILE *log = stderr;
	if (o.log_file && !(log = fopen(o.log_file, "w"))) {
		fprintf(stderr, "rvjit: -D %s: %s\n", o.log_file, strerror(errno));
		options_free(&o);
		return 1;
	}

	struct console *console = console_new(NULL, STDIN_FILENO, STDOUT_FILENO);
	if (!console) {
		fprintf(stderr, "rvjit: cannot set up the console\n");
		return 1;
	}
	struct gdbstub *gdb = NULL;
	if (o.gdb && !(gdb = gdbstub_new(o.gdb, err, sizeof(err)))) {
		console_free(console);
		fprintf(stderr, "rvjit: %s\n", err);
		options_free(&o);
		return 1;
	}
	struct monitor *monitor = o.no_monitor ? NULL : monitor_new(console);
	if (gdb)
		gdbstub_set_monitor(gdb, monitor);
	const struct virt_serial serial = {.opaque = console,
					   .write = serial_write,
					   .peek = serial_peek,
					   .consume = serial_consume,
					   .flush = serial_flush};
	install_signals();
	int status = 0;
	bool first = true;
	for (;;) {
		struct virt_board *b = virt_board_new(&o.board, &serial, err, sizeof(err));
		if (!b) {
			console_free(console);
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
			console_free(console);
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
			console_free(console);
			status = 1;
			break;
		}
		if (use_jit && !jit_attach(m, &jo)) {
			virt_board_free(b);
			console_free(console);
			status = 1;
			break;
		}
		if ((gdb && !gdbstub_attach(gdb, m)) || (monitor && !monitor_attach(monitor, m))) {
			virt_board_free(b);
			console_free(console);
			status = 1;
			break;
		}
		/* A thread per hart, unless asked otherwise or a debugging
		 * mode needs all harts in one thread's hands. */
		m->icount = o.icount_shift >= 0;
		m->icount_shift = m->icount ? (unsigned)o.icount_shift : 0;
		m->threaded = m->nharts > 1 && !o.single_thread && !gdb && !o.check && !m->icount;
		/* -S: wait for gdb's or the monitor's continue, at power-on only. */
		m->paused = first && o.start_paused;
		first = false;
		console_attach(console, m);
		signal_target = m;
		const uint64_t t0 = host_monotonic_ns();
		const enum machine_stop why = machine_run(m);
		if (o.stats)
			print_stats(m, host_monotonic_ns() - t0);
		signal_target = NULL;
		const int code = m->exit_code;
		const bool again = why == STOP_RESET && !o.no_reboot;
		if (gdb)
			gdbstub_detach(gdb, !again, why == STOP_EXIT ? code : 0);
		if (monitor)
			monitor_detach(monitor);
		console_attach(console, NULL);
		jit_detach(m);
		virt_board_free(b); /* flushes every disk */
		if (again)
			continue;
		status = why == STOP_EXIT ? code : why == STOP_FATAL ? 1 : 0;
		console_free(console);
		break;
	}
	gdbstub_free(gdb);
	monitor_free(monitor);
	if (log != stderr)
		fclose(log);
	options_free(&o);
	return status;
}
