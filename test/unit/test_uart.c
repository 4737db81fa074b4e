/*
 * UART (devices/uart16550.c) and host console (cli/console.c) tests.
 *
 * The UART is driven through the bus as a guest would drive it; expected
 * register values come from the TI PC16550D datasheet (register
 * descriptions and the Interrupt Control Functions table) and, where the
 * datasheet leaves room, from what QEMU's hw/char/serial.c does.
 */
#include "cli/console.h"
#include "core/machine.h"
#include "devices/uart16550.h"

#include <criterion/criterion.h>
#include <dirent.h>
#include <fcntl.h>
#include <string.h>
#include <sys/select.h>
#include <time.h>
#include <unistd.h>

enum {
	RBR = 0,
	THR = 0,
	DLL = 0,
	IER = 1,
	DLM = 1,
	IIR = 2,
	FCR = 2,
	LCR = 3,
	MCR = 4,
	LSR = 5,
	MSR = 6,
	SCR = 7
};

/* ---- A UART on a bus of its own --------------------------------------- */

struct rig {
	struct bus bus;
	struct uart *u;
	bool irq;	   /* the level last driven on the line */
	unsigned irq_sets; /* how many times it was driven */
	uint8_t tx[64];	   /* bytes the UART transmitted */
	size_t ntx;
};

static void rig_set_irq(void *opaque, unsigned irq, bool level)
{
	struct rig *r = opaque;
	cr_assert_eq(irq, UART_IRQ);
	r->irq = level;
	r->irq_sets++;
}

static void rig_tx(void *opaque, uint8_t byte)
{
	struct rig *r = opaque;
	cr_assert_lt(r->ntx, sizeof(r->tx));
	r->tx[r->ntx++] = byte;
}

static void rig_init(struct rig *r)
{
	memset(r, 0, sizeof(*r));
	const struct irq_line line = {.set = rig_set_irq, .opaque = r, .irq = UART_IRQ};
	r->u = uart_new(&r->bus, UART_BASE, line, rig_tx, r);
	cr_assert_not_null(r->u);
}

static uint8_t rd(struct rig *r, unsigned reg)
{
	uint64_t v = 0xdead;
	cr_assert(bus_read(&r->bus, UART_BASE + reg, 1, &v));
	cr_assert_leq(v, 0xff);
	return (uint8_t)v;
}

static void wr(struct rig *r, unsigned reg, uint8_t val)
{
	cr_assert(bus_write(&r->bus, UART_BASE + reg, 1, val));
}

/* A time limit for every test: a hang fails it instead of stalling the
 * run. */
TestSuite(uart, .timeout = 60);
TestSuite(console, .timeout = 60);

Test(uart, reset_state)
{
	struct rig r;
	rig_init(&r);
	cr_expect_eq(rd(&r, IIR), 0x01);
	cr_expect_eq(rd(&r, LSR), 0x60); /* THRE | TEMT */
	cr_expect_eq(rd(&r, IER), 0);
	cr_expect_eq(rd(&r, LCR), 0);
	cr_expect_eq(rd(&r, MCR), 0);
	cr_expect_eq(rd(&r, MSR), 0xb0); /* DCD, DSR, CTS asserted, no deltas */
	cr_expect_not(r.irq);
	cr_expect(uart_can_receive(r.u));
	uart_free(r.u);
}

Test(uart, dlab_selects_divisor_latch)
{
	struct rig r;
	rig_init(&r);
	wr(&r, LCR, 0x80);
	wr(&r, DLL, 0x03);
	wr(&r, DLM, 0x12);
	cr_expect_eq(r.ntx, 0, "a DLL write is not a THR write");
	cr_expect_eq(rd(&r, DLL), 0x03);
	cr_expect_eq(rd(&r, DLM), 0x12);
	cr_expect_not(r.irq, "a DLM write is not an IER write");

	wr(&r, LCR, 0x03);
	cr_expect_eq(rd(&r, IER), 0, "IER kept its own value");
	wr(&r, IER, 0xff);
	cr_expect_eq(rd(&r, IER), 0x0f, "IER bits 7:4 are always 0");
	wr(&r, IER, 0);

	uart_receive(r.u, 'q');
	wr(&r, LCR, 0x80);
	cr_expect_eq(rd(&r, DLL), 0x03, "DLAB=1 reads DLL, not RBR");
	cr_expect_eq(rd(&r, DLM), 0x12);
	cr_expect(rd(&r, LSR) & 0x01, "the byte is still waiting");
	wr(&r, LCR, 0x03);
	cr_expect_eq(rd(&r, RBR), 'q');
	uart_free(r.u);
}

Test(uart, lcr_mcr_scr_read_back)
{
	struct rig r;
	rig_init(&r);
	wr(&r, LCR, 0x5b);
	cr_expect_eq(rd(&r, LCR), 0x5b);
	wr(&r, SCR, 0xa5);
	cr_expect_eq(rd(&r, SCR), 0xa5);
	wr(&r, MCR, 0xef);
	cr_expect_eq(rd(&r, MCR), 0x0f, "MCR bits 7:5 are 0 (loop bit 4 not set here)");
	wr(&r, LSR, 0x00);
	cr_expect_eq(rd(&r, LSR), 0x60, "LSR writes are ignored");
	uart_free(r.u);
}

Test(uart, transmits_in_order)
{
	struct rig r;
	rig_init(&r);
	wr(&r, LCR, 0x03);
	const char *msg = "hello, xv6\n";
	for (const char *p = msg; *p; p++) {
		cr_assert(rd(&r, LSR) & 0x20, "THRE before each byte");
		wr(&r, THR, (uint8_t)*p);
	}
	cr_expect_eq(r.ntx, strlen(msg));
	cr_expect_arr_eq(r.tx, msg, strlen(msg));
	cr_expect_eq(rd(&r, LSR), 0x60, "THRE and TEMT again at once");
	cr_expect_not(r.irq, "no interrupt with ETBEI off");
	uart_free(r.u);
}

Test(uart, thre_interrupt_raise_and_clear)
{
	struct rig r;
	rig_init(&r);
	wr(&r, IER, 0x02);
	cr_expect(r.irq, "enabling ETBEI with THR empty raises THRE");
	cr_expect_eq(rd(&r, IIR), 0x02);
	cr_expect_not(r.irq, "reading IIR with THRE as the source clears it");
	cr_expect_eq(rd(&r, IIR), 0x01);

	wr(&r, THR, 'a');
	cr_expect(r.irq, "THR emptied again after the write");
	cr_expect_eq(rd(&r, IIR), 0x02);
	cr_expect_not(r.irq);

	wr(&r, THR, 'b');
	cr_expect(r.irq);
	wr(&r, IER, 0x00);
	cr_expect_not(r.irq, "disabling ETBEI drops it");
	cr_expect_eq(rd(&r, IIR), 0x01);
	wr(&r, IER, 0x02);
	cr_expect(r.irq, "re-enabling ETBEI raises it again");
	wr(&r, IER, 0x02);
	cr_expect(r.irq, "rewriting the same IER does not clear it");
	uart_free(r.u);
}

Test(uart, rx_data_available)
{
	struct rig r;
	rig_init(&r);
	wr(&r, IER, 0x01);
	cr_expect_not(r.irq);
	cr_expect(uart_receive(r.u, 'k'));
	cr_expect(r.irq);
	cr_expect_eq(rd(&r, LSR), 0x61);
	cr_expect_eq(rd(&r, IIR), 0x04, "16450 mode: no FIFO bits");
	cr_expect(r.irq, "reading IIR does not clear data available");
	cr_expect_eq(rd(&r, RBR), 'k');
	cr_expect_not(r.irq);
	cr_expect_eq(rd(&r, LSR), 0x60);
	cr_expect_eq(rd(&r, IIR), 0x01);
	uart_free(r.u);
}

Test(uart, rx_without_erbfi_sets_dr_only)
{
	struct rig r;
	rig_init(&r);
	cr_expect(uart_receive(r.u, 'k'));
	cr_expect_not(r.irq);
	cr_expect_eq(rd(&r, LSR) & 0x01, 0x01);
	cr_expect_eq(rd(&r, RBR), 'k');
	uart_free(r.u);
}

Test(uart, fifo_holds_16_then_overruns)
{
	struct rig r;
	rig_init(&r);
	wr(&r, FCR, 0x01);
	for (unsigned i = 0; i < UART_FIFO_SIZE; i++) {
		cr_assert(uart_can_receive(r.u));
		cr_assert(uart_receive(r.u, (uint8_t)('A' + i)));
	}
	cr_expect_not(uart_can_receive(r.u));
	cr_expect_not(r.irq, "no interrupt enabled yet");
	cr_expect_not(uart_receive(r.u, '!'), "the 17th byte is lost");
	wr(&r, IER, 0x04);
	cr_expect(r.irq, "overrun is a line status interrupt");
	cr_expect_eq(rd(&r, IIR), 0xc6);
	cr_expect_eq(rd(&r, LSR), 0x63, "DR | OE | THRE | TEMT");
	cr_expect_not(r.irq, "reading LSR clears OE and its interrupt");
	cr_expect_eq(rd(&r, LSR), 0x61);
	for (unsigned i = 0; i < UART_FIFO_SIZE; i++)
		cr_expect_eq(rd(&r, RBR), 'A' + i, "byte %u", i);
	cr_expect_eq(rd(&r, LSR), 0x60);
	cr_expect(uart_can_receive(r.u));
	uart_free(r.u);
}

Test(uart, without_fifo_one_byte_and_overrun_overwrites)
{
	struct rig r;
	rig_init(&r);
	cr_expect(uart_receive(r.u, '1'));
	cr_expect_not(uart_can_receive(r.u));
	cr_expect(uart_receive(r.u, '2'), "16450 mode: the new byte replaces RBR");
	cr_expect_eq(rd(&r, LSR), 0x63);
	cr_expect_eq(rd(&r, RBR), '2');
	cr_expect_eq(rd(&r, LSR), 0x60);
	uart_free(r.u);
}

Test(uart, fcr_clears_rx_fifo)
{
	struct rig r;
	rig_init(&r);
	wr(&r, FCR, 0x01);
	uart_receive(r.u, 'x');
	uart_receive(r.u, 'y');
	uart_receive(r.u, 'z');
	wr(&r, FCR, 0x03);
	cr_expect_eq(rd(&r, LSR) & 0x01, 0, "RCVR FIFO emptied");
	cr_expect_eq(rd(&r, IIR), 0xc1, "FIFOs still enabled");
	uart_receive(r.u, 'w');
	cr_expect_eq(rd(&r, RBR), 'w');

	uart_receive(r.u, 'v');
	wr(&r, FCR, 0x00);
	cr_expect_eq(rd(&r, LSR) & 0x01, 0, "leaving FIFO mode empties the FIFO");
	cr_expect_eq(rd(&r, IIR), 0x01, "and drops the FIFO bits of IIR");
	wr(&r, FCR, 0xc6);
	cr_expect_eq(rd(&r, IIR), 0x01, "other FCR bits need FCR0 = 1");
	uart_free(r.u);
}

Test(uart, fifo_trigger_level_and_char_timeout)
{
	struct rig r;
	rig_init(&r);
	wr(&r, FCR, 0xc1); /* trigger at 14 bytes */
	wr(&r, IER, 0x01);
	uart_receive(r.u, 0);
	cr_expect(r.irq, "below the trigger level: character timeout");
	cr_expect_eq(rd(&r, IIR), 0xcc);
	for (unsigned i = 1; i < 14; i++)
		uart_receive(r.u, (uint8_t)i);
	cr_expect_eq(rd(&r, IIR), 0xc4, "at the trigger level: data available");
	for (unsigned i = 0; i < 14; i++)
		rd(&r, RBR);
	cr_expect_not(r.irq);
	cr_expect_eq(rd(&r, IIR), 0xc1);
	uart_free(r.u);
}

Test(uart, loopback)
{
	struct rig r;
	rig_init(&r);
	wr(&r, MCR, 0x10);
	cr_expect_not(uart_can_receive(r.u), "serial input disconnected");
	cr_expect_not(uart_receive(r.u, 'h'));
	wr(&r, THR, 'z');
	cr_expect_eq(r.ntx, 0, "nothing leaves the chip");
	cr_expect_eq(rd(&r, LSR), 0x61);
	cr_expect_eq(rd(&r, RBR), 'z');

	/* Modem inputs follow the outputs: CTS=RTS, DSR=DTR, RI=OUT1,
	 * DCD=OUT2. Entering loopback with all outputs low dropped CTS, DSR
	 * and DCD (deltas DCTS, DDSR, DDCD). */
	cr_expect_eq(rd(&r, MSR), 0x0b);
	cr_expect_eq(rd(&r, MSR), 0x00, "reading MSR clears the deltas");
	wr(&r, MCR, 0x1f);
	cr_expect_eq(rd(&r, MSR), 0xfb);
	wr(&r, MCR, 0x1b); /* OUT1 low: RI trailing edge */
	cr_expect_eq(rd(&r, MSR), 0xb4);

	wr(&r, IER, 0x08);
	cr_expect_not(r.irq);
	wr(&r, MCR, 0x19); /* RTS low: DCTS */
	cr_expect(r.irq, "modem status interrupt");
	cr_expect_eq(rd(&r, IIR), 0x00);
	cr_expect_eq(rd(&r, MSR), 0xa1);
	cr_expect_not(r.irq);

	wr(&r, MCR, 0x00);
	cr_expect(uart_can_receive(r.u));
	cr_expect(uart_receive(r.u, 'h'));
	wr(&r, THR, 'o');
	cr_expect_eq(r.ntx, 1);
	cr_expect_eq(r.tx[0], 'o');
	uart_free(r.u);
}

Test(uart, iir_priority_order)
{
	struct rig r;
	rig_init(&r);
	wr(&r, IER, 0x0f);
	wr(&r, MCR, 0x10); /* loopback; MSR deltas set */
	cr_expect_eq(rd(&r, IIR), 0x02, "THRE is above modem status");
	wr(&r, THR, '1');
	wr(&r, THR, '2'); /* 16450 mode: overrun */
	cr_expect_eq(rd(&r, IIR), 0x06, "line status first");
	cr_expect_eq(rd(&r, LSR), 0x63);
	cr_expect_eq(rd(&r, IIR), 0x04, "then data available");
	cr_expect_eq(rd(&r, RBR), '2');
	cr_expect_eq(rd(&r, IIR), 0x02, "then THRE (and reading clears it)");
	cr_expect_eq(rd(&r, IIR), 0x00, "then modem status");
	cr_expect(r.irq);
	rd(&r, MSR);
	cr_expect_eq(rd(&r, IIR), 0x01);
	cr_expect_not(r.irq);
	uart_free(r.u);
}

/* kernel/uart.c uartinit(), then one received key. */
Test(uart, xv6_init_sequence_and_keypress)
{
	struct rig r;
	rig_init(&r);
	wr(&r, IER, 0x00);
	wr(&r, LCR, 0x80);
	wr(&r, DLL, 0x03);
	wr(&r, DLM, 0x00);
	wr(&r, LCR, 0x03);
	wr(&r, FCR, 0x07);
	wr(&r, IER, 0x03);
	cr_expect_eq(r.ntx, 0);
	/* Enabling ETBEI with THR empty raises THRE at once, as in QEMU:
	 * xv6's uartintr -> uartstart reads ISR when it has nothing to send,
	 * which acknowledges it. */
	cr_expect(r.irq);

	cr_expect(uart_receive(r.u, 'l'));
	cr_expect(r.irq);
	cr_expect_eq(rd(&r, IIR), 0xc4, "data available outranks THRE");
	cr_expect_eq(rd(&r, LSR) & 0x01, 0x01);
	cr_expect_eq(rd(&r, RBR), 'l');
	cr_expect_eq(rd(&r, LSR) & 0x01, 0x00);
	cr_expect(r.irq, "THRE is still pending");
	cr_expect_eq(rd(&r, IIR), 0xc2);
	cr_expect_not(r.irq);
	cr_expect_eq(rd(&r, IIR), 0xc1);

	/* uartputc: wait for THRE in LSR, write THR; the THRE interrupt
	 * tells xv6 to send the next byte. */
	cr_expect(rd(&r, LSR) & 0x20);
	wr(&r, THR, '$');
	cr_expect(r.irq);
	cr_expect_eq(r.ntx, 1);
	cr_expect_eq(r.tx[0], '$');
	cr_expect_eq(rd(&r, IIR), 0xc2);
	cr_expect_not(r.irq);
	uart_free(r.u);
}

Test(uart, wide_and_aliased_accesses)
{
	struct rig r;
	rig_init(&r);
	uint64_t v;
	cr_assert(bus_write(&r.bus, UART_BASE + SCR, 4, 0x12345678));
	cr_expect_eq(rd(&r, SCR), 0x78, "only the low byte is written");
	cr_assert(bus_read(&r.bus, UART_BASE + SCR, 1, &v));
	cr_assert(bus_read(&r.bus, UART_BASE + 4, 4, &v));
	cr_expect_eq(v, 0, "a 4-byte read at MCR reads MCR alone");
	cr_assert(bus_read(&r.bus, UART_BASE + LSR, 2, &v));
	cr_expect_eq(v, 0x60);
	cr_assert(bus_read(&r.bus, UART_BASE + 0x8 + SCR, 1, &v));
	cr_expect_eq(v, 0x78, "registers repeat every 8 bytes");
	cr_assert(bus_write(&r.bus, UART_BASE + 0xf8 + THR, 2, 0x4142));
	cr_expect_eq(r.ntx, 1);
	cr_expect_eq(r.tx[0], 0x42);
	cr_assert(bus_read(&r.bus, UART_BASE + 0xf8, 8, &v));
	cr_expect_not(bus_read(&r.bus, UART_BASE + 0xfc, 8, &v), "past the region");
	cr_expect_not(bus_read(&r.bus, UART_BASE + UART_SIZE, 1, &v));
	uart_free(r.u);
}

Test(uart, break_is_a_flagged_nul_with_a_line_status_interrupt)
{
	struct rig r;
	rig_init(&r);
	wr(&r, FCR, 0x01);
	wr(&r, IER, 0x04); /* ELSI only */
	cr_assert(uart_receive_break(r.u));
	cr_expect(r.irq, "the receiver line status interrupt");
	cr_expect_eq(rd(&r, IIR) & 0x0f, 0x06);
	const uint8_t lsr = rd(&r, LSR);
	cr_expect_eq(lsr & 0x11, 0x11, "BI and DR: lsr %#x", lsr);
	cr_expect_eq(rd(&r, LSR) & 0x10, 0, "reading LSR clears BI");
	cr_expect_not(r.irq);
	cr_expect_eq(rd(&r, RBR), 0, "a break reads as NUL");
	cr_expect_eq(rd(&r, LSR) & 0x01, 0);
	uart_free(r.u);
}

Test(uart, second_uart_cannot_overlap)
{
	struct rig r;
	rig_init(&r);
	struct uart *again = uart_new(&r.bus, UART_BASE + 0x80, (struct irq_line){0}, NULL, NULL);
	cr_expect_null(again);
	uart_free(r.u);
}

/* ---- The host console ------------------------------------------------- */

struct con_rig {
	struct machine *m;
	struct console *c;
	int in[2];  /* the test writes in[1]; the console reads in[0] */
	int out[2]; /* the console writes out[1]; the test reads out[0] */
};

static void con_init(struct con_rig *r)
{
	r->m = machine_new(0x80000000, 1 << 20, 1, 0x80000000);
	cr_assert_not_null(r->m);
	cr_assert_eq(pipe(r->in), 0);
	cr_assert_eq(pipe(r->out), 0);
	r->c = console_new(r->m, r->in[0], r->out[1]);
	cr_assert_not_null(r->c);
}

static void con_fini(struct con_rig *r)
{
	console_free(r->c);
	machine_free(r->m);
	close(r->in[0]);
	if (r->in[1] >= 0)
		close(r->in[1]);
	close(r->out[0]);
	close(r->out[1]);
}

static void con_send(struct con_rig *r, const char *s, size_t len)
{
	cr_assert_eq(write(r->in[1], s, len), (ssize_t)len);
}

static void sleep_ms(long ms)
{
	struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L};
	nanosleep(&ts, NULL);
}

/* Take exactly `want` bytes, waiting up to two seconds for the reader. */
static size_t con_take(struct con_rig *r, uint8_t *buf, size_t want)
{
	size_t got = 0;
	for (int i = 0; i < 2000 && got < want; i++) {
		got += console_take(r->c, buf + got, want - got);
		if (got < want)
			sleep_ms(1);
	}
	return got;
}

/* Read what the console wrote to out_fd so far (it writes synchronously). */
static size_t con_output(struct con_rig *r, char *buf, size_t max)
{
	size_t n = 0;
	for (int i = 0; i < 2000; i++) {
		fd_set set;
		FD_ZERO(&set);
		FD_SET(r->out[0], &set);
		struct timeval tv = {0, 1000};
		if (select(r->out[0] + 1, &set, NULL, NULL, &tv) > 0) {
			const ssize_t k = read(r->out[0], buf + n, max - 1 - n);
			if (k > 0)
				n += (size_t)k;
		} else if (n) {
			break;
		}
	}
	buf[n] = 0;
	return n;
}

Test(console, input_arrives_in_order)
{
	struct con_rig r;
	con_init(&r);
	con_send(&r, "ls\n", 3);
	uint8_t buf[8];
	cr_assert_eq(con_take(&r, buf, 3), 3);
	cr_expect_arr_eq(buf, "ls\n", 3);
	cr_expect_eq(console_take(r.c, buf, sizeof(buf)), 0);
	con_fini(&r);
}

Test(console, peek_keeps_the_byte_until_dropped)
{
	struct con_rig r;
	con_init(&r);
	con_send(&r, "xy", 2);
	uint8_t b = 0;
	for (int i = 0; i < 2000 && !console_peek(r.c, &b); i++)
		sleep_ms(1);
	cr_assert_eq(b, 'x');
	cr_expect(console_peek(r.c, &b));
	cr_expect_eq(b, 'x', "a refused byte is offered again");
	console_consume(r.c);
	for (int i = 0; i < 2000 && !console_peek(r.c, &b); i++)
		sleep_ms(1);
	cr_expect_eq(b, 'y');
	console_consume(r.c);
	cr_expect_not(console_peek(r.c, &b));
	console_consume(r.c); /* nothing pending: no effect */
	con_fini(&r);
}

Test(console, ctrl_a_ctrl_a_sends_ctrl_a)
{
	struct con_rig r;
	con_init(&r);
	con_send(&r, "\x01\x01z\x01qA", 6);
	uint8_t buf[4];
	cr_assert_eq(con_take(&r, buf, 3), 3);
	cr_expect_eq(buf[0], 0x01);
	cr_expect_eq(buf[1], 'z');
	cr_expect_eq(buf[2], 'A', "an unknown escape is dropped");
	cr_expect_eq(atomic_load(&r.m->stop), STOP_NONE);
	con_fini(&r);
}

Test(console, escape_split_across_reads)
{
	struct con_rig r;
	con_init(&r);
	con_send(&r, "\x01", 1);
	sleep_ms(20);
	con_send(&r, "\x01", 1);
	uint8_t b;
	cr_assert_eq(con_take(&r, &b, 1), 1);
	cr_expect_eq(b, 0x01);
	con_fini(&r);
}

Test(console, ctrl_a_x_stops_the_machine)
{
	struct con_rig r;
	con_init(&r);
	con_send(&r, "ab\x01x", 4);
	for (int i = 0; i < 2000 && atomic_load(&r.m->stop) == STOP_NONE; i++)
		sleep_ms(1);
	cr_expect_eq(atomic_load(&r.m->stop), STOP_USER);
	cr_expect_eq(r.m->exit_code, 0);
	uint8_t buf[4];
	cr_expect_eq(console_take(r.c, buf, sizeof(buf)), 2, "input before the escape is kept");
	char out[128];
	con_output(&r, out, sizeof(out));
	cr_expect_str_eq(out, "rvjit: Terminated\n");
	for (int i = 0; i < 2000 && !console_input_closed(r.c); i++)
		sleep_ms(1);
	cr_expect(console_input_closed(r.c));
	con_fini(&r);
}

Test(console, ctrl_a_h_prints_help)
{
	struct con_rig r;
	con_init(&r);
	con_send(&r, "\x01h", 2);
	char out[512];
	con_output(&r, out, sizeof(out));
	cr_expect(strstr(out, "C-a h"));
	cr_expect(strstr(out, "C-a x"));
	cr_expect(strstr(out, "C-a c"));
	cr_expect(strstr(out, "monitor"));
	cr_expect(strstr(out, "C-a C-a"));
	cr_expect(strstr(out, "C-a t    toggle console timestamps"));
	cr_expect(strstr(out, "C-a s    save disk data back to file (if -snapshot)"));
	cr_expect(strstr(out, "C-a b    send break"));
	cr_expect_eq(atomic_load(&r.m->stop), STOP_NONE);
	con_fini(&r);
}

Test(console, ctrl_a_c_switches_input_to_the_monitor_and_back)
{
	struct con_rig r;
	con_init(&r);
	console_enable_monitor(r.c);
	con_send(&r,
		 "ab\x01"
		 "cxy\x01"
		 "cz",
		 9);
	uint8_t buf[8];
	size_t n = 0;
	for (int i = 0; i < 2000 && n < 3; i++) {
		n += console_take(r.c, buf + n, sizeof(buf) - n);
		sleep_ms(1);
	}
	cr_expect_eq(n, 3);
	cr_expect_arr_eq(buf, "abz", 3);
	enum console_monitor_event entered;
	cr_expect_eq(console_take_monitor(r.c, buf, sizeof(buf), &entered), 2);
	cr_expect_arr_eq(buf, "xy", 2);
	cr_expect(entered);
	con_fini(&r);
}

Test(console, end_of_input_does_not_stop_the_machine)
{
	struct con_rig r;
	con_init(&r);
	con_send(&r, "ok", 2);
	close(r.in[1]);
	r.in[1] = -1;
	for (int i = 0; i < 2000 && !console_input_closed(r.c); i++)
		sleep_ms(1);
	cr_assert(console_input_closed(r.c));
	uint8_t buf[4];
	cr_expect_eq(console_take(r.c, buf, sizeof(buf)), 2);
	cr_expect_arr_eq(buf, "ok", 2);
	cr_expect_eq(atomic_load(&r.m->stop), STOP_NONE);
	con_fini(&r);
}

Test(console, long_input_waits_for_the_guest)
{
	struct con_rig r;
	con_init(&r);
	enum { N = 20000 }; /* more than the console queues; less than a pipe holds */
	static char in[N];
	for (size_t i = 0; i < N; i++)
		in[i] = (char)('a' + i % 26);
	con_send(&r, in, N);
	static uint8_t got[N];
	cr_assert_eq(con_take(&r, got, N), N);
	cr_expect_arr_eq(got, in, N);
	con_fini(&r);
}

Test(console, ctrl_a_b_sends_a_break_after_earlier_input)
{
	struct con_rig r;
	con_init(&r);
	con_send(&r,
		 "ab\x01"
		 "bc",
		 5);
	uint8_t buf[4];
	cr_assert_eq(con_take(&r, buf, 2), 2);
	cr_expect_arr_eq(buf, "ab", 2);
	bool brk = false;
	for (int i = 0; i < 2000 && !brk; i++) {
		cr_expect_eq(console_take(r.c, buf, 1), 0, "nothing passes the break");
		brk = console_take_break(r.c);
		if (!brk)
			sleep_ms(1);
	}
	cr_expect(brk, "the break arrives after 'ab'");
	cr_expect_not(console_take_break(r.c), "one break, taken once");
	cr_assert_eq(con_take(&r, buf, 1), 1);
	cr_expect_eq(buf[0], 'c');
	con_fini(&r);
}

Test(console, ctrl_a_b_before_any_input_is_taken_first)
{
	struct con_rig r;
	con_init(&r);
	con_send(&r,
		 "\x01"
		 "bz",
		 3);
	bool brk = false;
	for (int i = 0; i < 2000 && !brk; i++) {
		uint8_t byte;
		cr_expect_not(console_peek(r.c, &byte), "the break is ahead of 'z'");
		brk = console_take_break(r.c);
		if (!brk)
			sleep_ms(1);
	}
	cr_expect(brk);
	uint8_t buf[1];
	cr_assert_eq(con_take(&r, buf, 1), 1);
	cr_expect_eq(buf[0], 'z');
	con_fini(&r);
}

Test(console, ctrl_a_t_stamps_each_line_after_the_next_newline)
{
	struct con_rig r;
	con_init(&r);
	con_send(&r, "\x01t", 2);
	sleep_ms(50); /* the reader applies the escape */
	for (const char *p = "tail\nfirst\nsecond\n"; *p; p++)
		console_write(r.c, (uint8_t)*p);
	char out[256];
	con_output(&r, out, sizeof(out));
	/* As QEMU's mux: the line under way is not stamped, the next ones
	 * are, from 0 at the first stamp. */
	cr_expect(!strncmp(out, "tail\n[00:00:00.0", 16), "%s", out);
	const char *second = strstr(out, "second");
	cr_assert_not_null(second, "%s", out);
	cr_expect(!strncmp(second - 16, "\n[00:00:00.", 11), "%s", out);
	cr_expect_eq(strlen(out), strlen("tail\nfirst\nsecond\n") + 2 * 15, "%s", out);
	con_send(&r, "\x01t", 2);
	sleep_ms(50);
	for (const char *p = "plain\n"; *p; p++)
		console_write(r.c, (uint8_t)*p);
	con_output(&r, out, sizeof(out));
	cr_expect_str_eq(out, "plain\n", "C-a t again turns the stamps off");
	con_fini(&r);
}

Test(console, output_is_written_at_newline_and_flush)
{
	struct con_rig r;
	con_init(&r);
	for (const char *p = "init\n$ "; *p; p++)
		console_write(r.c, (uint8_t)*p);
	char out[16];
	con_output(&r, out, sizeof(out));
	cr_expect_str_eq(out, "init\n", "a whole line goes out at once");
	console_flush(r.c);
	con_output(&r, out, sizeof(out));
	cr_expect_str_eq(out, "$ ", "the prompt goes out at the flush");
	console_flush(r.c); /* nothing pending: writes nothing */
	console_write(r.c, 'x');
	console_free(r.c);
	r.c = NULL;
	con_output(&r, out, sizeof(out));
	cr_expect_str_eq(out, "x", "console_free flushes");
	con_fini(&r);
}

Test(console, messages_follow_pending_output)
{
	struct con_rig r;
	con_init(&r);
	console_write(r.c, '$');
	con_send(&r, "\x01x", 2);
	for (int i = 0; i < 2000 && atomic_load(&r.m->stop) == STOP_NONE; i++)
		sleep_ms(1);
	char out[64];
	con_output(&r, out, sizeof(out));
	cr_expect_str_eq(out, "$rvjit: Terminated\n");
	con_fini(&r);
}

Test(console, attach_and_detach_machines)
{
	int in[2], out[2];
	cr_assert_eq(pipe(in), 0);
	cr_assert_eq(pipe(out), 0);
	struct console *c = console_new(NULL, in[0], out[1]);
	cr_assert_not_null(c);
	cr_assert_eq(write(in[1], "a", 1), 1);
	uint8_t b = 0;
	for (int i = 0; i < 2000 && !console_peek(c, &b); i++)
		sleep_ms(1);
	cr_expect_eq(b, 'a', "input is queued with no machine attached");

	struct machine *m1 = machine_new(0x80000000, 1 << 20, 1, 0x80000000);
	cr_assert_not_null(m1);
	console_attach(c, m1);
	console_attach(c, NULL);
	machine_free(m1); /* a reboot: the old machine goes */
	cr_assert_eq(write(in[1], "b\x01x", 3), 3);
	for (int i = 0; i < 2000 && !console_input_closed(c); i++)
		sleep_ms(1);
	cr_assert(console_input_closed(c));

	struct machine *m2 = machine_new(0x80000000, 1 << 20, 1, 0x80000000);
	cr_assert_not_null(m2);
	cr_expect_eq(atomic_load(&m2->stop), STOP_NONE);
	console_attach(c, m2);
	cr_expect_eq(atomic_load(&m2->stop), STOP_USER, "C-a x while detached stops the next");
	uint8_t buf[4];
	cr_expect_eq(console_take(c, buf, sizeof(buf)), 2);
	cr_expect_arr_eq(buf, "ab", 2);
	console_free(c);
	machine_free(m2);
	close(in[0]);
	close(in[1]);
	close(out[0]);
	close(out[1]);
}

/* Threads of this process (Linux: one entry each in /proc/self/task). */
static unsigned thread_count(void)
{
	DIR *d = opendir("/proc/self/task");
	cr_assert_not_null(d);
	unsigned n = 0;
	for (const struct dirent *e; (e = readdir(d));)
		n += e->d_name[0] != '.';
	closedir(d);
	return n;
}

static double seconds_since(const struct timespec *t0)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)(t.tv_sec - t0->tv_sec) + (double)(t.tv_nsec - t0->tv_nsec) / 1e9;
}

/* What console_free promises (core/console.h) with the reader blocked in
 * poll() and no input coming: it returns without waiting for input, the
 * reader thread has ended, neither descriptor is closed, and nothing reads
 * in_fd any more (a reader left running would take input written now). */
Test(console, free_while_reader_blocks, .timeout = 10)
{
	struct con_rig r;
	r.m = machine_new(0x80000000, 1 << 20, 1, 0x80000000);
	cr_assert_not_null(r.m);
	cr_assert_eq(pipe(r.in), 0);
	cr_assert_eq(pipe(r.out), 0);
	const unsigned threads = thread_count();
	r.c = console_new(r.m, r.in[0], r.out[1]);
	cr_assert_not_null(r.c);
	cr_assert_eq(thread_count(), threads + 1, "the reader thread runs");
	sleep_ms(5); /* the reader is in poll() now */

	struct timespec t0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	console_free(r.c);
	cr_expect_lt(seconds_since(&t0), 1.0, "console_free waited for input");
	cr_expect_eq(thread_count(), threads, "the reader thread has ended");
	cr_expect_neq(fcntl(r.in[0], F_GETFD), -1, "in_fd is still open");
	cr_expect_neq(fcntl(r.out[1], F_GETFD), -1, "out_fd is still open");

	con_send(&r, "late", 4);
	sleep_ms(20);
	cr_assert_eq(fcntl(r.in[0], F_SETFL, O_NONBLOCK), 0);
	char buf[8] = {0};
	cr_expect_eq(read(r.in[0], buf, sizeof(buf)), 4, "input after the free stays unread");
	cr_expect_str_eq(buf, "late");

	machine_free(r.m);
	for (int i = 0; i < 2; i++) {
		close(r.in[i]);
		close(r.out[i]);
	}
}

Test(console, uart_fed_one_byte_at_a_time)
{
	struct con_rig con;
	con_init(&con);
	struct rig r;
	rig_init(&r);
	wr(&r, FCR, 0x01);
	char in[40];
	for (size_t i = 0; i < sizeof(in); i++)
		in[i] = (char)('0' + i);
	con_send(&con, in, sizeof(in));
	/* What a glue poller does: offer bytes while the UART takes them. */
	uint8_t got[40];
	size_t n = 0;
	for (int i = 0; i < 2000 && n < sizeof(in); i++) {
		uint8_t b;
		while (console_peek(con.c, &b) && uart_can_receive(r.u)) {
			cr_assert(uart_receive(r.u, b));
			console_consume(con.c);
		}
		while (rd(&r, LSR) & 0x01)
			got[n++] = rd(&r, RBR);
		sleep_ms(1);
	}
	cr_assert_eq(n, sizeof(in));
	cr_expect_arr_eq(got, in, sizeof(in));
	cr_expect_eq(rd(&r, LSR) & 0x02, 0, "no overrun");
	uart_free(r.u);
	con_fini(&con);
}
