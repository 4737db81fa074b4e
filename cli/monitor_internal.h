/*
 * What the monitor's files share (cli/monitor.c: the line loop, the
 * commands; cli/monitor_info.c: the `info` items): the monitor's state and
 * its output. Everything runs on the machine's thread, as a poller.
 */
#ifndef RVJIT_MONITOR_INTERNAL_H
#define RVJIT_MONITOR_INTERNAL_H

#include "monitor_readline.h"
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct console;
struct gdbstub;
struct machine;
struct virt_config;

struct monitor {
	struct console *console; /* NULL: no prompt, only gdb's qRcmd (-monitor none) */
	struct machine *m;	 /* NULL between machines */
	unsigned cpu;		 /* the hart `x` and `info registers` use (`cpu N`) */
	struct readline rl;
	bool banner_shown; /* QEMU greets once; later entries show the prompt */
	/* The /fmt defaults: the last format and unit given to x, xp or p. */
	char last_format;
	unsigned last_size;
	/* Set by `log`: the -d categories, kept across resets. */
	bool log_set;
	unsigned log_mask;
	struct gdbstub *gdb;		 /* started by `gdbserver`, NULL for none */
	struct gdbstub *cli_gdb;	 /* -gdb's (not ours to free), NULL for none */
	const struct virt_config *board; /* for info block; NULL: unknown */
	struct virt_board *running;	 /* the machine's board (commit), or NULL */
	const char *version;
	const char *name;      /* -name's, for info name; NULL for none */
	const char *cmd_names; /* the running command's "name|alias" */
	/* The output of the running command. */
	char *out;
	size_t nout, cap;
};

/* Append to the running command's output (written when the command ends). */
void monitor_out(struct monitor *mon, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* A bad argument, as QEMU words it: the message, then "Try "help CMD"...". */
void monitor_arg_error(struct monitor *mon, const char *cmd, const char *msg);

/* `arg` is one expression (monitor_expr.h, registers of the selected
 * hart): its value, or false after saying what is wrong. */
bool monitor_expr_arg(struct monitor *mon, const char *cmd, const char *arg, uint64_t *v);

/* `info` alone: the items with their help lines. */
void monitor_info_list(struct monitor *mon);

/* info ITEM [ARGS] */
void monitor_cmd_info(struct monitor *mon, const char *cmd, const char *arg);

#endif
