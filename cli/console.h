/*
 * The host side of the serial console and of the monitor: guest output to
 * a character device (cli/chardev.h: stdio, a file, a socket, a pty...),
 * host input from it, and QEMU's -nographic escapes when it is a mux
 * (chardev/char-mux.c: stdio as -nographic has it, or mux=on). It knows
 * no device: whoever wires it to a UART moves bytes between the two. A
 * console whose chardev the serial line does not use is the monitor's
 * alone (-monitor tcp:...): it has every byte, and greets each client.
 *
 * Threads. A reader thread blocks in chardev_read and queues what it
 * reads; then it calls machine_kick() so a machine sleeping in wfi runs
 * its pollers. Output goes through chardev_write, which serialises. The
 * queue has one consumer, the thread that runs the machine: console_take,
 * console_peek and console_consume are for that thread only, and so are
 * console_write and console_flush. Lock order: the console's locks, then
 * the machine's; so never call the console while holding m->lock.
 *
 * The console outlives machines: a reboot builds a new machine and
 * console_attach()es it. Input that arrives while no machine is attached
 * is queued for the next one.
 *
 * Escapes (Ctrl-a = 0x01), on a mux only, applied to input before it is
 * queued, whether stdin is a terminal or a pipe (scripted runs can quit
 * with "\x01x"):
 *   C-a x    print "rvjit: Terminated" and stop the machine (STOP_USER)
 *   C-a h    print the list of escapes
 *   C-a c    switch input between the guest and the monitor (cli/monitor.c);
 *            while the monitor has it, typed bytes queue for the monitor
 *   C-a C-a  queue one 0x01 byte
 *   C-a any other key: both bytes are dropped, as QEMU does.
 * End of input stops the reader thread only; the guest keeps running.
 *
 * A terminal on stdin is put in raw mode (no echo, no line editing, no
 * signals from Ctrl-C or Ctrl-Z unless signal=on: those keys go to the
 * guest, as with QEMU -nographic; output post-processing stays on so "\n"
 * still starts a new line). It is restored by console_free, at exit, and by
 * console_restore_from_signal() from a signal handler.
 */
#ifndef RVJIT_CONSOLE_H
#define RVJIT_CONSOLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct chardev;
struct machine;
struct console;

struct console_options {
	bool escapes;	   /* a mux: Ctrl-a x, c, h, s, t, b and C-a C-a */
	bool monitor_only; /* no serial line: input goes to the monitor */
};

/* Start a console on chardev dev (which the caller closes after
 * console_free), feeding machine m (may be NULL: see console_attach).
 * Returns NULL with a message on failure. */
struct console *console_open(struct machine *m, struct chardev *dev,
			     const struct console_options *opt);

/* A mux console reading in_fd and writing out_fd (neither is closed by
 * the console). */
struct console *console_new(struct machine *m, int in_fd, int out_fd);

/* Make m (or NULL: none) the machine that input wakes and C-a x stops.
 * Once this returns the reader no longer touches the previous machine, so
 * detach (m = NULL) before freeing a machine the console was attached to.
 * A C-a x typed while none was attached stops the next one at once. */
void console_attach(struct console *c, struct machine *m);

/* Flush output, stop the reader thread, restore the terminal and free the
 * console. */
void console_free(struct console *c);

/* Input, for the thread that runs the machine.
 *
 * console_take pops up to `max` pending bytes into buf and returns how many.
 *
 * To feed a device that may refuse a byte (a full UART FIFO), offer one byte
 * at a time without losing any:
 *
 *	uint8_t b;
 *	while (uart_can_receive(u) && console_peek(c, &b)) {
 *		uart_receive(u, b);
 *		console_consume(c);
 *	}
 *
 * console_peek copies the oldest pending byte to *byte and returns true, or
 * returns false when nothing is pending. It does not remove the byte: until
 * console_consume, every peek returns the same one (the reader thread only
 * appends). console_consume removes it; it does nothing when nothing is
 * pending. */
size_t console_take(struct console *c, uint8_t *buf, size_t max);
bool console_peek(struct console *c, uint8_t *byte);
void console_consume(struct console *c);

/* Whether the reader thread has stopped: end of input, a read error, or
 * C-a x. Bytes read before that may still be pending. */
bool console_input_closed(struct console *c);

/* C-a s was typed since the last call: true once. */
bool console_take_commit(struct console *c);

/* C-a b was typed and every byte typed before it has been taken: true
 * once per break (the serial line then signals a break). */
bool console_take_break(struct console *c);

/* Write one guest byte to the chardev. Output is buffered and written at each
 * newline, when the buffer fills, and by console_flush, which the machine's
 * thread calls whenever it polls devices (so a prompt without a newline
 * shows as soon as the guest waits for input). chardev_write says when
 * output is dropped (ignore SIGPIPE to survive a closed pipe). */
void console_write(struct console *c, uint8_t byte);
void console_flush(struct console *c);

/* The monitor's side (cli/monitor.c), from the machine's thread.
 * console_enable_monitor makes C-a c switch to it (without, C-a c says
 * there is none). console_take_monitor pops up to `max` bytes typed at the
 * monitor and sets *event: whether C-a c switched to the monitor since the
 * last call (time for the prompt, and the banner the first time) or a
 * client connected to a monitor's own chardev (the banner again, as QEMU
 * greets each). console_print writes the monitor's text after the guest
 * output before it. */
enum console_monitor_event {
	CONSOLE_MON_NONE,
	CONSOLE_MON_ENTERED,
	CONSOLE_MON_CONNECTED,
};
void console_enable_monitor(struct console *c);
size_t console_take_monitor(struct console *c, uint8_t *buf, size_t max,
			    enum console_monitor_event *event);
void console_print(struct console *c, const char *s);

/* Put c's terminal back as it was. Only async-signal-safe calls
 * (tcsetattr), so it may run in a signal handler; harmless when c has no
 * terminal or it was already restored. */
void console_restore(struct console *c);

/* console_restore for the console that holds the terminal in raw mode, if
 * any: for signal handlers, which have no console pointer. */
void console_restore_from_signal(void);

#endif
