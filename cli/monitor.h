/*
 * The monitor: QEMU's human monitor on the stdio console. `Ctrl-a c`
 * switches the console between the guest and a `(qemu) ` prompt (QEMU's
 * prompt, so scripts written for QEMU work) and back. While the monitor
 * has the console the guest gets no input but keeps running, unless told
 * to `stop`.
 *
 * Commands (QEMU's names and output layout, roughly):
 *   help, ?                    the list
 *   info registers             every hart: pc, privilege, key CSRs, x and f registers
 *   info mtree                 the physical memory map: RAM, boot ROM, each device
 *   info cpus                  the harts and their pcs
 *   cpu N                      the hart `x` translates for
 *   x/FMT ADDR, xp/FMT ADDR    memory at a virtual address (through the hart's
 *                              MMU in its current mode) or a physical one;
 *                              FMT is /Nfu: count, format x d u o c i, unit b h w g
 *   stop, cont (c)             pause and resume the harts
 *   system_reset               reboot the board
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

/* A monitor on console c (which it enables for C-a c). NULL when out of
 * memory. */
struct monitor *monitor_new(struct console *c);
bool monitor_attach(struct monitor *mon, struct machine *m);
void monitor_detach(struct monitor *mon);

/* Run one command line as if typed at the prompt and return its output
 * instead of printing it (gdb's `monitor CMD`, cli/gdbstub.c): a string
 * the caller frees, NULL when out of memory. On the machine's thread. */
char *monitor_execute(struct monitor *mon, const char *line);
void monitor_free(struct monitor *mon);

#endif
