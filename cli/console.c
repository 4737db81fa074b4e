/*
 * The serial console's host side (see console.h): a reader thread that
 * turns a chardev's input into a queue of guest input, applying QEMU's
 * Ctrl-a escapes on the way (a mux), and line-buffered output to it.
 */
#include "console.h"
#include "chardev.h"
#include "core/machine.h"
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#define CONSOLE_QUEUE 4096 /* pending input bytes; the reader waits when full */
#define ESCAPE_CHAR   0x01 /* Ctrl-a, QEMU's default -echr */
#define READ_CHUNK    256  /* bytes per chardev_read */
#define OUT_BUFFER    4096 /* guest output held until a newline or a flush */

struct console {
	struct chardev *dev;
	bool owns_dev; /* console_new made it: console_free closes it */
	bool escapes;  /* a mux: the Ctrl-a keys work */
	int tty_fd;    /* the terminal in raw mode, or -1 */
	int wake[2];   /* pipe: console_free wakes the reader's poll() */
	pthread_t reader;
	bool reader_started;

	pthread_mutex_t lock; /* guards m, the queue and the flags below */
	pthread_cond_t space; /* the queue lost bytes: a full reader may go on */
	struct machine *m;    /* NULL between machines */
	uint8_t queue[CONSOLE_QUEUE];
	size_t head; /* index of the oldest pending byte */
	size_t count;
	bool closed;   /* the reader thread has ended */
	bool stopping; /* console_free asked the reader to end */
	bool quit;     /* C-a x came while no machine was attached */
	bool commit;   /* C-a s: commit the snapshot=on drives (console_take_commit) */
	/* C-a b: a break follows the first break_ahead queued bytes; until
	 * they are taken, input stops at it (console_take_break). */
	bool break_pending;
	size_t break_ahead;

	pthread_mutex_t out_lock; /* guards out[], writes to the chardev, the stamps */
	uint8_t out[OUT_BUFFER];
	size_t nout;
	/* C-a t: each output line starts with the time since the first
	 * stamped line, as QEMU's mux chardev writes it. */
	bool timestamps;
	bool line_start;
	int64_t stamp_start_ms; /* -1 until the first stamp */

	bool escape; /* reader thread only: the previous byte was C-a */

	/* The monitor (C-a c): input typed while it has the console goes
	 * to mon_queue for cli/monitor.c instead of to the guest. */
	bool mon_enabled; /* a monitor exists (not -monitor none) */
	bool mon_only;	  /* no serial line here: the monitor has every byte */
	bool mon_mode;	  /* it has the console; guarded by lock */
	/* Since the last take: switched to it, or a client to greet;
	 * guarded by lock. */
	enum console_monitor_event mon_event;
	uint8_t mon_queue[CONSOLE_QUEUE];
	size_t mon_count;

	bool raw;	      /* tty_fd is a terminal that we put in raw mode */
	struct termios saved; /* its settings before that */
};

/*
 * The one mutable file-scope variable of the project, by necessity: a
 * signal handler (and an atexit function) gets no argument, yet must find
 * the terminal to restore. It points to the console that holds the
 * terminal in raw mode, or is NULL. Atomic, hence safe to read from a
 * handler. console_free clears it before it frees the console.
 */
static _Atomic(struct console *) tty_owner;

static void restore_at_exit(void)
{
	console_restore_from_signal();
}

void console_restore(struct console *c)
{
	/* tcsetattr is async-signal-safe (POSIX 2.4.3); nothing else here
	 * allocates, locks or writes. Restoring twice is harmless. */
	if (c && c->raw)
		tcsetattr(c->tty_fd, TCSANOW, &c->saved);
}

void console_restore_from_signal(void)
{
	console_restore(atomic_load(&tty_owner));
}

/* Raw mode as QEMU's stdio chardev sets it for -nographic
 * (qemu_chr_set_echo_stdio, signal=off): bytes arrive one by one, without
 * echo or CR translation, and Ctrl-C, Ctrl-Z, Ctrl-\ reach the guest. The
 * output side keeps OPOST so the guest's "\n" still returns the carriage. */
static void enter_raw_mode(struct console *c)
{
	bool signals;
	c->tty_fd = chardev_tty(c->dev, &signals);
	if (c->tty_fd < 0 || tcgetattr(c->tty_fd, &c->saved) != 0)
		return;
	struct termios t = c->saved;
	t.c_iflag &= ~(tcflag_t)(IGNBRK | BRKINT | PARMRK | ISTRIP | INLCR | IGNCR | ICRNL | IXON);
	t.c_oflag |= OPOST;
	t.c_lflag &= ~(tcflag_t)(ECHO | ECHONL | ICANON | IEXTEN);
	if (!signals) /* -chardev stdio,signal=on keeps them */
		t.c_lflag &= ~(tcflag_t)ISIG;
	t.c_cflag &= ~(tcflag_t)(CSIZE | PARENB);
	t.c_cflag |= CS8;
	t.c_cc[VMIN] = 1;
	t.c_cc[VTIME] = 0;
	if (tcsetattr(c->tty_fd, TCSANOW, &t) != 0)
		return;
	c->raw = true;
	struct console *none = NULL;
	if (atomic_compare_exchange_strong(&tty_owner, &none, c))
		atexit(restore_at_exit); /* once per raw console: harmless twice */
}

static void flush_locked(struct console *c)
{
	chardev_write(c->dev, c->out, c->nout);
	c->nout = 0;
}

static int64_t monotonic_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* "[hh:mm:ss.mmm] " in front of a line (QEMU's mux_chr_write). */
static void stamp_locked(struct console *c)
{
	const int64_t now = monotonic_ms();
	if (c->stamp_start_ms < 0)
		c->stamp_start_ms = now;
	const int64_t ms = now - c->stamp_start_ms;
	const int64_t secs = ms / 1000;
	char stamp[48];
	const int len = snprintf(stamp, sizeof(stamp), "[%02d:%02d:%02d.%03d] ", (int)(secs / 3600),
				 (int)(secs / 60 % 60), (int)(secs % 60), (int)(ms % 1000));
	if (c->nout + (size_t)len > OUT_BUFFER)
		flush_locked(c);
	memcpy(c->out + c->nout, stamp, (size_t)len);
	c->nout += (size_t)len;
	c->line_start = false;
}

void console_write(struct console *c, uint8_t byte)
{
	pthread_mutex_lock(&c->out_lock);
	if (c->timestamps && c->line_start)
		stamp_locked(c);
	if (byte == '\n')
		c->line_start = true;
	c->out[c->nout++] = byte;
	if (byte == '\n' || c->nout == OUT_BUFFER)
		flush_locked(c);
	pthread_mutex_unlock(&c->out_lock);
}

void console_flush(struct console *c)
{
	pthread_mutex_lock(&c->out_lock);
	if (c->nout)
		flush_locked(c);
	pthread_mutex_unlock(&c->out_lock);
}

/* The console's own messages, after the guest output they follow. */
static void print_message(struct console *c, const char *s)
{
	pthread_mutex_lock(&c->out_lock);
	flush_locked(c);
	if (chardev_backend(c->dev) == CHARDEV_STDIO) {
		/* A terminal's OPOST returns the carriage. */
		chardev_write(c->dev, s, strlen(s));
	} else {
		/* No terminal between: "\r\n", as QEMU's monitor writes it. */
		for (const char *nl; *s; s = nl + 1) {
			if (!(nl = strchr(s, '\n'))) {
				chardev_write(c->dev, s, strlen(s));
				break;
			}
			chardev_write(c->dev, s, (size_t)(nl - s));
			chardev_write(c->dev, "\r\n", 2);
		}
	}
	pthread_mutex_unlock(&c->out_lock);
}

/* Reader thread: append to the queue, waiting while it is full (the guest
 * reads slowly; input is never dropped). Kicks the machine after every
 * chunk so a guest in wfi wakes to take it, with c->lock held so that
 * console_attach can promise the old machine is no longer used. False
 * when console_free wants the reader to end. */
static bool enqueue(struct console *c, const uint8_t *p, size_t len)
{
	while (len) {
		pthread_mutex_lock(&c->lock);
		while (c->count == CONSOLE_QUEUE && !c->stopping)
			pthread_cond_wait(&c->space, &c->lock);
		if (c->stopping) {
			pthread_mutex_unlock(&c->lock);
			return false;
		}
		size_t n = 0;
		while (n < len && c->count < CONSOLE_QUEUE) {
			c->queue[(c->head + c->count) % CONSOLE_QUEUE] = p[n++];
			c->count++;
		}
		if (c->m)
			machine_kick(c->m);
		pthread_mutex_unlock(&c->lock);
		p += n;
		len -= n;
	}
	return true;
}

/* C-a x: stop the attached machine, or the next one to be attached. */
static void request_quit(struct console *c)
{
	pthread_mutex_lock(&c->lock);
	if (c->m)
		machine_request_stop(c->m, STOP_USER, 0);
	else
		c->quit = true;
	pthread_mutex_unlock(&c->lock);
}

void console_attach(struct console *c, struct machine *m)
{
	pthread_mutex_lock(&c->lock);
	c->m = m;
	if (m && c->quit)
		machine_request_stop(m, STOP_USER, 0);
	else if (m && c->count)
		machine_kick(m); /* input queued while detached */
	pthread_mutex_unlock(&c->lock);
}

static const char escape_help[] = "C-a h    print this help\n"
				  "C-a x    exit emulator\n"
				  "C-a s    save disk data back to file (if -snapshot)\n"
				  "C-a t    toggle console timestamps\n"
				  "C-a b    send break (magic sysrq)\n"
				  "C-a c    switch between console and monitor\n"
				  "C-a C-a  sends C-a\n";

/* A byte typed at the monitor; dropped when its queue is full (a person
 * types faster than the monitor reads only when no machine runs it). */
static void monitor_input(struct console *c, uint8_t b)
{
	pthread_mutex_lock(&c->lock);
	if (c->mon_count < CONSOLE_QUEUE)
		c->mon_queue[c->mon_count++] = b;
	if (c->m)
		machine_kick(c->m);
	pthread_mutex_unlock(&c->lock);
}

/* Apply the escapes to what read() returned and queue the rest (QEMU's
 * mux_proc_byte). False when reading must end: C-a x, or console_free. */
static bool handle_input(struct console *c, const uint8_t *buf, size_t len)
{
	uint8_t out[READ_CHUNK]; /* escapes only shrink the input */
	size_t n = 0;
	for (size_t i = 0; i < len; i++) {
		const uint8_t b = buf[i];
		if (!c->escapes) {
			/* Not a mux: every byte is data, as QEMU passes it. */
			if (c->mon_mode)
				monitor_input(c, b);
			else
				out[n++] = b;
			continue;
		}
		if (!c->escape && b == ESCAPE_CHAR) {
			c->escape = true;
			continue;
		}
		if (!c->escape || b == ESCAPE_CHAR) {
			c->escape = false;
			if (c->mon_mode)
				monitor_input(c, b);
			else
				out[n++] = b;
			continue;
		}
		c->escape = false;
		switch (b) {
		case 'x':
			/* The guest gets what came before the escape, then
			 * the machine stops. QEMU prints its message to the
			 * console output too, then exits. */
			if (!enqueue(c, out, n))
				return false;
			print_message(c, "rvjit: Terminated\n");
			request_quit(c);
			return false;
		case 'h':
		case '?':
			print_message(c, escape_help);
			break;
		case 's':
			pthread_mutex_lock(&c->lock);
			c->commit = true;
			if (c->m)
				machine_kick(c->m);
			pthread_mutex_unlock(&c->lock);
			break;
		case 't':
			pthread_mutex_lock(&c->out_lock);
			c->timestamps = !c->timestamps;
			c->stamp_start_ms = -1;
			c->line_start = false; /* as QEMU: the next line is the first stamped */
			pthread_mutex_unlock(&c->out_lock);
			break;
		case 'b':
			/* After what came before it, in order. */
			if (!enqueue(c, out, n))
				return false;
			n = 0;
			pthread_mutex_lock(&c->lock);
			c->break_pending = true;
			c->break_ahead = c->count;
			if (c->m)
				machine_kick(c->m);
			pthread_mutex_unlock(&c->lock);
			break;
		case 'c': {
			/* The main thread enables the monitor after this thread
			 * starts: read the flag under the lock it is set with. */
			pthread_mutex_lock(&c->lock);
			const bool monitor = c->mon_enabled;
			pthread_mutex_unlock(&c->lock);
			if (!monitor) {
				print_message(c, "rvjit: no monitor on this console (-monitor none "
						 "or elsewhere)\n");
				break;
			}
			if (c->mon_only)
				break; /* no serial line to switch to */
			/* The guest gets what came before the switch. */
			if (!enqueue(c, out, n))
				return false;
			n = 0;
			pthread_mutex_lock(&c->lock);
			c->mon_mode = !c->mon_mode;
			if (c->mon_mode && c->mon_event == CONSOLE_MON_NONE)
				c->mon_event = CONSOLE_MON_ENTERED;
			if (c->m)
				machine_kick(c->m);
			pthread_mutex_unlock(&c->lock);
			break;
		}
		default:
			break; /* unknown escapes are dropped, as in QEMU */
		}
	}
	return enqueue(c, out, n);
}

/* A new client on the chardev (a socket, a pty): a monitor that has it
 * greets the newcomer. */
static void client_connected(struct console *c)
{
	pthread_mutex_lock(&c->lock);
	if (c->mon_mode) {
		c->mon_event = CONSOLE_MON_CONNECTED;
		if (c->m)
			machine_kick(c->m);
	}
	pthread_mutex_unlock(&c->lock);
}

static void *reader_main(void *arg)
{
	struct console *c = arg;
	uint8_t buf[READ_CHUNK];
	for (;;) {
		const ssize_t n = chardev_read(c->dev, buf, sizeof(buf), c->wake[0]);
		if (n == CHARDEV_CONNECTED) {
			client_connected(c);
			continue;
		}
		if (n <= 0)
			break; /* end of input, or console_free: the guest keeps running */
		if (!handle_input(c, buf, (size_t)n))
			break;
	}
	pthread_mutex_lock(&c->lock);
	c->closed = true;
	pthread_mutex_unlock(&c->lock);
	return NULL;
}

struct console *console_new(struct machine *m, int in_fd, int out_fd)
{
	char err[256];
	struct chardev *dev = chardev_open_fds(in_fd, out_fd, err, sizeof(err));
	if (!dev) {
		fprintf(stderr, "rvjit: %s\n", err);
		return NULL;
	}
	const struct console_options opt = {.escapes = true};
	struct console *c = console_open(m, dev, &opt);
	if (!c)
		chardev_close(dev);
	else
		c->owns_dev = true;
	return c;
}

struct console *console_open(struct machine *m, struct chardev *dev,
			     const struct console_options *opt)
{
	struct console *c = calloc(1, sizeof(*c));
	if (!c) {
		fprintf(stderr, "rvjit: out of memory\n");
		return NULL;
	}
	c->m = m;
	c->dev = dev;
	c->escapes = opt->escapes;
	c->tty_fd = -1;
	if (opt->monitor_only) {
		/* The monitor has it from the start and greets at once. */
		c->mon_only = c->mon_mode = true;
		c->mon_event = CONSOLE_MON_CONNECTED;
	}
	if (pipe(c->wake) != 0) {
		fprintf(stderr, "rvjit: console: pipe: %s\n", strerror(errno));
		free(c);
		return NULL;
	}
	/* Not inherited by programs the emulator might run. */
	fcntl(c->wake[0], F_SETFD, FD_CLOEXEC);
	fcntl(c->wake[1], F_SETFD, FD_CLOEXEC);
	pthread_mutex_init(&c->lock, NULL);
	pthread_cond_init(&c->space, NULL);
	pthread_mutex_init(&c->out_lock, NULL);
	enter_raw_mode(c);

	/* The reader runs with every signal blocked, so process-directed
	 * signals (SIGINT, SIGTERM) reach the machine's threads instead. */
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	const int err = pthread_create(&c->reader, NULL, reader_main, c);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (err) {
		fprintf(stderr, "rvjit: console: cannot start the input thread: %s\n",
			strerror(err));
		console_free(c);
		return NULL;
	}
	c->reader_started = true;
	return c;
}

void console_free(struct console *c)
{
	if (!c)
		return;
	if (c->reader_started) {
		pthread_mutex_lock(&c->lock);
		c->stopping = true;
		pthread_cond_broadcast(&c->space);
		pthread_mutex_unlock(&c->lock);
		const uint8_t one = 1;
		chardev_write_fd(c->wake[1], &one, 1);
		pthread_join(c->reader, NULL);
	}
	console_flush(c);
	struct console *self = c;
	atomic_compare_exchange_strong(&tty_owner, &self, NULL);
	console_restore(c);
	close(c->wake[0]);
	close(c->wake[1]);
	pthread_cond_destroy(&c->space);
	pthread_mutex_destroy(&c->lock);
	pthread_mutex_destroy(&c->out_lock);
	if (c->owns_dev)
		chardev_close(c->dev);
	free(c);
}

size_t console_take(struct console *c, uint8_t *buf, size_t max)
{
	pthread_mutex_lock(&c->lock);
	size_t n = 0;
	while (n < max && c->count) {
		if (c->break_pending) {
			if (c->break_ahead == 0)
				break; /* the break comes first */
			c->break_ahead--;
		}
		buf[n++] = c->queue[c->head];
		c->head = (c->head + 1) % CONSOLE_QUEUE;
		c->count--;
	}
	if (n)
		pthread_cond_signal(&c->space);
	pthread_mutex_unlock(&c->lock);
	return n;
}

bool console_peek(struct console *c, uint8_t *byte)
{
	pthread_mutex_lock(&c->lock);
	const bool any = c->count != 0 && !(c->break_pending && c->break_ahead == 0);
	if (any)
		*byte = c->queue[c->head];
	pthread_mutex_unlock(&c->lock);
	return any;
}

void console_consume(struct console *c)
{
	uint8_t b;
	console_take(c, &b, 1);
}

bool console_take_commit(struct console *c)
{
	pthread_mutex_lock(&c->lock);
	const bool asked = c->commit;
	c->commit = false;
	pthread_mutex_unlock(&c->lock);
	return asked;
}

bool console_take_break(struct console *c)
{
	pthread_mutex_lock(&c->lock);
	const bool now = c->break_pending && c->break_ahead == 0;
	if (now)
		c->break_pending = false;
	pthread_mutex_unlock(&c->lock);
	return now;
}

bool console_input_closed(struct console *c)
{
	pthread_mutex_lock(&c->lock);
	const bool closed = c->closed;
	pthread_mutex_unlock(&c->lock);
	return closed;
}

void console_enable_monitor(struct console *c)
{
	pthread_mutex_lock(&c->lock);
	c->mon_enabled = true;
	pthread_mutex_unlock(&c->lock);
}

size_t console_take_monitor(struct console *c, uint8_t *buf, size_t max,
			    enum console_monitor_event *event)
{
	pthread_mutex_lock(&c->lock);
	const size_t n = c->mon_count < max ? c->mon_count : max;
	memcpy(buf, c->mon_queue, n);
	memmove(c->mon_queue, c->mon_queue + n, c->mon_count - n);
	c->mon_count -= n;
	*event = c->mon_event;
	c->mon_event = CONSOLE_MON_NONE;
	pthread_mutex_unlock(&c->lock);
	return n;
}

void console_print(struct console *c, const char *s)
{
	print_message(c, s);
}
