/*
 * The GDB remote stub: QEMU's `-gdb tcp::PORT` (and `-s`, `-S`) for
 * gdb-multiarch, speaking the GDB Remote Serial Protocol over TCP (gdb
 * manual, appendix E "Remote Serial Protocol").
 *
 * One client at a time; a disconnect (or `detach`) drops its breakpoints
 * and resumes the guest, as QEMU does, and the next connection is served.
 * Connecting stops the machine (QEMU's vm_stop on CHR_EVENT_OPENED). Each
 * hart is one thread, id = hart id + 1. All-stop mode: a resume (vCont)
 * runs only the harts it gives an action, the others stay held
 * (m->held), and the first stop of any hart (breakpoint, step, watchpoint)
 * stops them all and is reported in that hart's thread. Registers follow gdb's RISC-V
 * target description: x0-x31 (0-31), pc (32), f0-f31 (33-64), fflags,
 * frm, fcsr (66-68), CSRs at 65 + csr number, `priv` at 4161.
 *
 * How it runs. The stub is a machine poller (machine_add_poller): it reads
 * the socket without blocking while the guest runs (Ctrl-C arrives as byte
 * 0x03), and blocks up to 50 ms for packets while the machine is paused.
 * Breakpoints (Z0/Z1) and watchpoints (Z2-Z4) never touch guest memory:
 * the core ends blocks before breakpoints and sends watched accesses
 * through the MMU's slow path, in either engine, and calls the stub when a
 * hart meets one (struct machine_debug in machine.h); so a continued guest
 * runs on the normal engine, a thread per hart, at full speed. Only a
 * single-step runs one instruction at a time in the interpreter, asking
 * the stub before and after it. With a thread per hart the hooks run on
 * the hart's thread under the I/O lock, as the poller runs under it on
 * the I/O thread; a stop pauses every hart (gdb's all-stop mode).
 *
 * The stub outlives machines like the console: a guest reset builds a new
 * machine, gdbstub_attach()es it, and the connection and breakpoints stay.
 */
#ifndef RVJIT_GDBSTUB_H
#define RVJIT_GDBSTUB_H

#include <stdbool.h>
#include <stddef.h>

struct machine;
struct monitor;
struct gdbstub;

/* Listen on `spec`: "tcp::PORT", "tcp:HOST:PORT" or a bare PORT (QEMU's
 * -gdb spelling; an empty host listens on every interface). Returns NULL
 * with one line in err on failure. */
struct gdbstub *gdbstub_new(const char *spec, char *err, size_t errlen);

/* The monitor's `gdbserver none`: close the connection (forgetting its
 * breakpoints and watchpoints, leaving the machine running or stopped as
 * it is, as QEMU) and stop listening. */
void gdbstub_stop(struct gdbstub *g);

/* Listening (not stopped by gdbstub_stop)? */
bool gdbstub_listening(const struct gdbstub *g);

/* The monitor's `gdbserver DEVICE`: listen on spec instead (after
 * gdbstub_stop). False with one line in err, the stub unchanged, when spec
 * cannot be listened on. */
bool gdbstub_listen(struct gdbstub *g, const char *spec, char *err, size_t errlen);

/* gdb's `monitor CMD` (qRcmd) runs CMD in mon and shows its output; without
 * a monitor gdb hears that the target does not support it. */
void gdbstub_set_monitor(struct gdbstub *g, struct monitor *mon);

/* Serve machine m (register the poller and the debug hooks). */
bool gdbstub_attach(struct gdbstub *g, struct machine *m);

/* m is going away. `exited`: the guest ended with exit status `code`, which
 * a connected gdb hears as the inferior's exit (a W packet); otherwise (a
 * reset) the connection stays for the next machine. */
void gdbstub_detach(struct gdbstub *g, bool exited, int code);

void gdbstub_free(struct gdbstub *g);

#endif
