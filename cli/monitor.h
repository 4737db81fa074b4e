/*
 * The monitor: QEMU's human monitor on a console (cli/console.h). On a
 * mux (the stdio console, mux=on) `Ctrl-a c` switches it between the
 * guest and a `(qemu) ` prompt (QEMU's prompt, so scripts written for
 * QEMU work) and back. While the monitor has the console the guest gets
 * no input but keeps running, unless told to `stop`. On a chardev of its
 * own (-monitor tcp:..., -mon chardev=ID) it has every byte.
 *
 * The line editor is QEMU's readline (monitor_readline.h): arrows, history,
 * Ctrl-a/Ctrl-e, the same echo bytes. The banner shows once on a mux, and
 * to each client of a socket or pty of its own.
 *
 * Commands (QEMU's names, help lines, messages and output layout):
 *   help, ? [CMD]              the list, or one command's line
 *   info                       the list of info items
 *   info registers [-a|N]      the selected hart (all with -a): pc, privilege,
 *                              key CSRs, x and f registers
 *   info cpus, status, version the harts and their pcs; running or paused
 *   info name                  the -name value (nothing without one)
 *   info block [NAME]          the drives: file, format, read-only, snapshot
 *   info mtree, qtree          the physical memory map; the devices
 *   info irq                   the PLIC's priorities, pending and enabled bits
 *                              (QEMU keeps no statistics on virt)
 *   cpu N                      the hart `x`, `p $reg` and `info registers` use
 *   x/FMT ADDR, xp/FMT ADDR    memory at a virtual address (through the hart's
 *                              MMU in its current mode) or a physical one;
 *                              FMT is /Nfu: count, format x d u o c i, unit b h w g;
 *                              what FMT omits repeats the last x, xp or p
 *   print, p /FMT EXPR         an expression (monitor_expr.h), formats x d u o c
 *   sendkey KEYS               checked and dropped: virt has no keyboard
 *   log ITEMS|none             the -d categories, from now on
 *   gdbserver [tcp::PORT|none] start the gdb stub (cli/gdbstub.h), or stop it
 *   stop (s), cont (c)         pause and resume the harts
 *   system_powerdown           press the board's power button (loader/virt.h)
 *   system_reset               reboot the board
 *   commit DEVICE|all          a snapshot=on drive's writes into its image
 *   quit (q)                   flush the disks and exit with status 0
 *
 * Commands run on the machine's thread, as a poller, so they see the harts
 * between quanta. The monitor outlives machines (a reset builds a new
 * one): monitor_attach each.
 */
#ifndef RVJIT_MONITOR_H
#define RVJIT_MONITOR_H

#include <stdbool.h>

struct console;
struct machine;
struct monitor;
struct virt_board;
struct virt_config;

/* A monitor on console c (which it enables for C-a c), or with c NULL a
 * monitor without a prompt, for gdb's `monitor CMD` alone (QEMU runs
 * those with -monitor none too). NULL when out of memory. */
struct monitor *monitor_new(struct console *c);
/* -gdb's stub (the caller's), which `gdbserver none` stops and
 * `gdbserver DEVICE` then starts again. */
struct gdbstub;
void monitor_set_gdbstub(struct monitor *mon, struct gdbstub *g);
/* What `info block` and `info version` show: the board's configuration
 * (which must outlive the monitor) and rvjit's version. */
void monitor_set_board(struct monitor *mon, const struct virt_config *board, const char *version);
/* What `info name` shows: -name's value (outliving the monitor), or NULL. */
void monitor_set_name(struct monitor *mon, const char *name);
/* Serve the machine of board b (its drives for commit) until detached. */
bool monitor_attach(struct monitor *mon, struct virt_board *b);
void monitor_detach(struct monitor *mon);

/* Run one command line as if typed at the prompt and return its output
 * instead of printing it (gdb's `monitor CMD`, cli/gdbstub.c): a string
 * the caller frees, NULL when out of memory. On the machine's thread. */
char *monitor_execute(struct monitor *mon, const char *line);
void monitor_free(struct monitor *mon);

#endif
