/*
 * Character devices: the host ends QEMU's -chardev gives the serial line
 * and the monitor (QEMU's chardev/ folder, in small). Two halves:
 *
 * - The description (cli/chardev_parse.c): a `struct chardev_spec` parsed
 *   from `-chardev BACKEND,id=ID,...` or from the legacy forms of -serial
 *   and -monitor (`file:PATH`, `tcp:HOST:PORT,server=on`, `mon:stdio`...),
 *   which become an implicit chardev as in QEMU. Nothing is opened there.
 * - The open device (cli/chardev.c): chardev_open turns a spec into a
 *   `struct chardev` with one blocking read for a reader thread and one
 *   write for everybody else. The console (cli/console.h) runs that
 *   reader thread and applies the Ctrl-a escapes of a mux.
 *
 * Backends, as QEMU 7.2 has them:
 *   null     output dropped, no input
 *   stdio    the process's stdin/stdout (a terminal goes raw: console.c)
 *   file     output to path= (truncated, or append=on), no input
 *   socket   TCP (host=, port=) or unix (path=); server=on listens and
 *            takes one client at a time, wait=on (the default for a
 *            server) waits for the first before the machine starts;
 *            server=off connects at start. telnet=on negotiates character
 *            mode and strips telnet commands from the input.
 *   pty      a pseudo-terminal; "char device redirected to /dev/pts/N
 *            (label ID)" on stderr, as QEMU prints it.
 *
 * Nothing is lost while somebody listens and nothing blocks the guest
 * for good while nobody does: output to a socket without a client, or a
 * pty whose slave nobody holds, is dropped (as QEMU drops it); a client
 * that leaves is replaced by the next that connects. A client that stays
 * but stops reading holds the guest's output up to 2 s, then loses it
 * until it reads again (chardev.c, PEER_STALL_MS). Input is read only as
 * fast as the console queues it, so a fast sender is held back by TCP's
 * own flow control, never dropped.
 */
#ifndef RVJIT_CHARDEV_H
#define RVJIT_CHARDEV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

enum chardev_backend {
	CHARDEV_NULL,
	CHARDEV_STDIO,
	CHARDEV_FILE,
	CHARDEV_SOCKET,
	CHARDEV_PTY,
};

struct chardev_spec {
	char *id;
	char *origin; /* the option as typed ("-serial tcp::4444,server"), for messages */
	enum chardev_backend backend;
	bool mux;    /* mux=on: the serial line and the monitor may share it */
	bool signal; /* stdio: Ctrl-C and Ctrl-Z signal rvjit (signal=on) */
	char *path;  /* file: the file; socket: a unix socket's path */
	bool append; /* file: append=on */
	char *host;  /* socket: TCP host ("" or NULL: any, for a server) */
	char *port;  /* socket: TCP port; NULL for a unix socket */
	bool server, wait, telnet;
	unsigned users; /* front ends on it (the serial line, the monitor) */
};

/* -chardev ARG. 0, or -1 with one line in err naming the option. */
int chardev_parse(struct chardev_spec *s, const char *arg, char *err, size_t errlen);

/* A legacy -serial/-monitor value other than none and chardev:ID (`null`,
 * `stdio`, `file:PATH`, `pty`, `tcp:[HOST]:PORT[,...]`,
 * `telnet:HOST:PORT[,...]`, `unix:PATH[,...]`, each maybe after `mon:`),
 * as the implicit chardev `id`. *monitor is set for `mon:`: the monitor
 * shares it (mux=on). opt is "-serial" or "-monitor", for messages. */
int chardev_parse_legacy(struct chardev_spec *s, const char *opt, const char *arg, const char *id,
			 bool *monitor, char *err, size_t errlen);

void chardev_spec_free(struct chardev_spec *s);

struct chardev;

/* Open the backend s describes. NULL with one line in err. s must
 * outlive the chardev. */
struct chardev *chardev_open(const struct chardev_spec *s, char *err, size_t errlen);

/* A server with wait=on: wait for its first client, saying so on stderr
 * as QEMU does (once every chardev is open, so a monitor's socket
 * listens meanwhile). Others: nothing to do. 0, or -1 with err. */
int chardev_wait_client(struct chardev *c, char *err, size_t errlen);

/* A stdio-like chardev over two descriptors the caller keeps (tests). */
struct chardev *chardev_open_fds(int in_fd, int out_fd, char *err, size_t errlen);

/* For the one reader thread: wait for input or for wake_fd to become
 * readable. Returns the bytes read (> 0), CHARDEV_CONNECTED when a new
 * client connected (a monitor greets it), CHARDEV_WOKEN when wake_fd
 * woke it, or CHARDEV_CLOSED when input has ended for good. A server
 * socket's client leaving or a pty's slave closing is not the end: the
 * call waits for the next. */
#define CHARDEV_CLOSED	  0
#define CHARDEV_WOKEN	  (-1)
#define CHARDEV_CONNECTED (-2)
ssize_t chardev_read(struct chardev *c, uint8_t *buf, size_t len, int wake_fd);

/* Write all of buf, or drop it when nobody is connected or the write
 * fails (the guest must not stop because its output has nowhere to go).
 * Any thread; writes are serialised. */
void chardev_write(struct chardev *c, const void *buf, size_t len);

/* All of buf to fd, retrying after EINTR and waiting while it is full; gives
 * up on an error (a closed reader). */
void chardev_write_fd(int fd, const void *buf, size_t len);

enum chardev_backend chardev_backend(const struct chardev *c);

/* The terminal to put in raw mode, or -1 (only stdio has one). *signals:
 * keep Ctrl-C/Ctrl-Z as signals (signal=on). */
int chardev_tty(const struct chardev *c, bool *signals);

/* Close what chardev_open opened (the fds of chardev_open_fds stay). */
void chardev_close(struct chardev *c);

#endif
