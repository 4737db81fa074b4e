/*
 * NS16550A UART (see uart16550.h), after the TI PC16550D datasheet. Section
 * names below ("IIR", "FCR", ...) are the datasheet's register
 * descriptions; "Table" means its Interrupt Control Functions table.
 *
 * What the model leaves out, and why it is invisible to software:
 * - Timing. Bytes leave THR the moment they are written, so THRE/TEMT never
 *   drop, and the divisor latch is stored but sets no baud rate.
 * - Line errors. Parity and framing errors never happen on a host stream,
 *   so LSR bits 2, 3 and 7 stay 0. Overrun (bit 1) can occur, and a break
 *   (bit 4) when the host sends one (the console's C-a b).
 * - The character timeout. In FIFO mode the chip reports "character
 *   timeout" (IIR 0xC) when fewer bytes than the trigger level have waited
 *   four character times. Host input arrives in bursts with no line timing
 *   to wait for, so the timeout is indicated at once whenever the FIFO holds
 *   data below the trigger level; drivers (Linux 8250, xv6) handle 0xC
 *   exactly like "received data available".
 */
#include "uart16550.h"
#include "core/vmstate.h"
#include "fdt/fdt.h"
#include <stdio.h>
#include <stdlib.h>

/* Register offsets. */
enum {
	UART_RBR_THR = 0, /* DLL when LCR.DLAB */
	UART_IER = 1,	  /* DLM when LCR.DLAB */
	UART_IIR_FCR = 2,
	UART_LCR = 3,
	UART_MCR = 4,
	UART_LSR = 5,
	UART_MSR = 6,
	UART_SCR = 7,
};

/* IER: the four interrupt enables; bits 7:4 are always 0. */
enum {
	IER_ERBFI = 0x01, /* received data available (and character timeout) */
	IER_ETBEI = 0x02, /* transmitter holding register empty */
	IER_ELSI = 0x04,  /* receiver line status */
	IER_EDSSI = 0x08, /* modem status */
	IER_MASK = 0x0f,
};

/* IIR: bit 0 is "no interrupt pending", bits 3:1 identify the highest
 * priority pending interrupt (Table: Interrupt Control Functions), bits
 * 7:6 are set when FCR bit 0 enabled the FIFOs. */
enum {
	IIR_NONE = 0x01,
	IIR_MODEM = 0x00,   /* priority 4 */
	IIR_THRE = 0x02,    /* priority 3 */
	IIR_RDA = 0x04,	    /* priority 2 */
	IIR_LINE = 0x06,    /* priority 1, the highest */
	IIR_TIMEOUT = 0x0c, /* priority 2, FIFO mode only */
	IIR_FIFO = 0xc0,
};

/* FCR: write-only, shares the IIR address. */
enum {
	FCR_ENABLE = 0x01,   /* both FIFOs; other bits are ignored while 0 */
	FCR_CLEAR_RX = 0x02, /* self-clearing */
	FCR_CLEAR_TX = 0x04, /* self-clearing */
	FCR_DMA = 0x08,	     /* DMA mode select: kept, no effect without DMA */
	FCR_TRIGGER = 0xc0,  /* RCVR FIFO trigger level: 1, 4, 8, 14 bytes */
};

enum { LCR_DLAB = 0x80 };

/* MCR: bits 7:5 are always 0. */
enum {
	MCR_DTR = 0x01,
	MCR_RTS = 0x02,
	MCR_OUT1 = 0x04,
	MCR_OUT2 = 0x08,
	MCR_LOOP = 0x10,
	MCR_MASK = 0x1f,
};

enum {
	LSR_DR = 0x01,	     /* data ready */
	LSR_OE = 0x02,	     /* overrun error */
	LSR_BI = 0x10,	     /* break interrupt */
	LSR_THRE = 0x20,     /* transmitter holding register empty */
	LSR_TEMT = 0x40,     /* transmitter empty */
	LSR_INT_BITS = 0x1e, /* OE, PE, FE, BI: the line status interrupt */
};

enum {
	MSR_DCTS = 0x01, /* delta bits 3:0, cleared by reading MSR */
	MSR_DDSR = 0x02,
	MSR_TERI = 0x04, /* trailing edge of RI: RI went from 1 to 0 */
	MSR_DDCD = 0x08,
	MSR_DELTAS = 0x0f,
	MSR_CTS = 0x10,
	MSR_DSR = 0x20,
	MSR_RI = 0x40,
	MSR_DCD = 0x80,
};

struct uart {
	struct irq_line irq;
	uart_tx_fn tx;
	void *tx_opaque;

	uint8_t rx[UART_FIFO_SIZE]; /* RCVR FIFO; one slot used in 16450 mode */
	unsigned rx_head;	    /* index of the oldest byte */
	unsigned rx_count;
	uint8_t rbr; /* last byte read: what an empty RBR returns */

	uint8_t ier, lcr, mcr, lsr, msr, scr, fcr;
	uint8_t dll, dlm;
	/* The THRE interrupt is an event, not the THRE bit: set when THR
	 * empties (at once, after each THR write) or when ETBEI is enabled
	 * with THR empty; cleared by reading IIR while it is the reported
	 * source, by writing THR, or by disabling ETBEI (IIR section). */
	bool thr_ipending;
};

static bool fifo_enabled(const struct uart *u)
{
	return u->fcr & FCR_ENABLE;
}

static unsigned rx_capacity(const struct uart *u)
{
	return fifo_enabled(u) ? UART_FIFO_SIZE : 1;
}

static unsigned rx_trigger(const struct uart *u)
{
	static const unsigned level[4] = {1, 4, 8, 14};
	return level[u->fcr >> 6];
}

/* The modem status inputs (MSR bits 7:4). With a host stream there are no
 * modem lines: report CTS, DSR and DCD asserted, as QEMU's serial does for
 * a chardev without modem control. In loopback mode they are wired to the
 * MCR outputs: CTS=RTS, DSR=DTR, RI=OUT1, DCD=OUT2 (MCR bit 4). */
static uint8_t modem_inputs(const struct uart *u)
{
	if (!(u->mcr & MCR_LOOP))
		return MSR_CTS | MSR_DSR | MSR_DCD;
	uint8_t in = 0;
	if (u->mcr & MCR_RTS)
		in |= MSR_CTS;
	if (u->mcr & MCR_DTR)
		in |= MSR_DSR;
	if (u->mcr & MCR_OUT1)
		in |= MSR_RI;
	if (u->mcr & MCR_OUT2)
		in |= MSR_DCD;
	return in;
}

/* Latch new modem inputs into MSR, setting the delta bits for changes. */
static void update_msr(struct uart *u)
{
	const uint8_t old = u->msr & 0xf0, now = modem_inputs(u);
	const uint8_t changed = old ^ now;
	uint8_t delta = u->msr & MSR_DELTAS;
	if (changed & MSR_CTS)
		delta |= MSR_DCTS;
	if (changed & MSR_DSR)
		delta |= MSR_DDSR;
	if (changed & MSR_DCD)
		delta |= MSR_DDCD;
	if ((old & MSR_RI) && !(now & MSR_RI))
		delta |= MSR_TERI;
	u->msr = now | delta;
}

/* The highest priority pending and enabled interrupt (IIR bits 3:0). */
static uint8_t interrupt_id(const struct uart *u)
{
	if ((u->ier & IER_ELSI) && (u->lsr & LSR_INT_BITS))
		return IIR_LINE;
	if ((u->ier & IER_ERBFI) && u->rx_count) {
		if (fifo_enabled(u) && u->rx_count < rx_trigger(u))
			return IIR_TIMEOUT; /* see the top of the file */
		return IIR_RDA;
	}
	if ((u->ier & IER_ETBEI) && u->thr_ipending)
		return IIR_THRE;
	if ((u->ier & IER_EDSSI) && (u->msr & MSR_DELTAS))
		return IIR_MODEM;
	return IIR_NONE;
}

/* The INTRPT pin is high whenever IIR reports an interrupt. MCR.OUT2 does
 * not gate it: that gate is PC board logic outside the chip, and QEMU's
 * virt board does not apply it (xv6 never sets OUT2). */
/* Tell the interrupt controller the current condition. Called only on the
 * events that change it (QEMU's serial.c calls serial_update_irq at the same
 * places): the virt PLIC latches a pending bit on each raise, so re-raising
 * on every status poll would re-pend an interrupt the driver has already
 * handled (xv6 of 2022 never reads IIR to acknowledge THRE). */
static void update_irq(struct uart *u)
{
	irq_set(&u->irq, interrupt_id(u) != IIR_NONE);
}

static void rx_clear(struct uart *u)
{
	u->rx_head = 0;
	u->rx_count = 0;
	u->lsr &= (uint8_t)~LSR_DR;
}

/* A byte reaches the receiver (from the line or the loopback). When it is
 * full that is an overrun (LSR bit 1): in FIFO mode the byte in the shift
 * register is lost and the FIFO kept; in 16450 mode the new byte replaces
 * the unread one in RBR. */
static bool rx_push(struct uart *u, uint8_t byte)
{
	if (u->rx_count == rx_capacity(u)) {
		u->lsr |= LSR_OE;
		if (fifo_enabled(u))
			return false;
		u->rx[u->rx_head] = byte;
		return true;
	}
	u->rx[(u->rx_head + u->rx_count) % UART_FIFO_SIZE] = byte;
	u->rx_count++;
	u->lsr |= LSR_DR;
	return true;
}

/* Reading RBR takes the oldest byte. With nothing received, RBR still holds
 * the last byte read (the datasheet leaves the value undefined). */
static uint8_t rx_pop(struct uart *u)
{
	if (u->rx_count) {
		u->rbr = u->rx[u->rx_head];
		u->rx_head = (u->rx_head + 1) % UART_FIFO_SIZE;
		if (--u->rx_count == 0)
			u->lsr &= (uint8_t)~LSR_DR;
	}
	return u->rbr;
}

static void write_thr(struct uart *u, uint8_t byte)
{
	/* Loopback: the transmitter output is looped to the receiver input
	 * and the serial output is held marking (MCR bit 4). */
	if (u->mcr & MCR_LOOP)
		rx_push(u, byte);
	else if (u->tx)
		u->tx(u->tx_opaque, byte);
	/* The byte left at once: THR is empty again and says so. */
	u->lsr |= LSR_THRE | LSR_TEMT;
	u->thr_ipending = true;
}

static void write_ier(struct uart *u, uint8_t val)
{
	const uint8_t changed = (u->ier ^ val) & IER_MASK;
	u->ier = val & IER_MASK;
	/* Enabling ETBEI while THR is empty raises the THRE interrupt at once
	 * (what Linux's 8250 driver probes for and relies on to start
	 * transmitting); disabling it drops a pending one. */
	if (changed & IER_ETBEI)
		u->thr_ipending = (u->ier & IER_ETBEI) && (u->lsr & LSR_THRE);
}

static void write_fcr(struct uart *u, uint8_t val)
{
	/* FCR bit 0: "Resetting FCR0 will clear all bytes in both FIFOs";
	 * changing the mode either way empties them. The other bits are
	 * programmed only together with FCR0 = 1. */
	if ((val ^ u->fcr) & FCR_ENABLE)
		rx_clear(u);
	if (!(val & FCR_ENABLE)) {
		u->fcr = 0;
		return;
	}
	/* Bit 1 empties the RCVR FIFO (not the shift register, which here
	 * never holds anything); bit 2 empties the XMIT FIFO, which is always
	 * empty. Both clear themselves. */
	if (val & FCR_CLEAR_RX)
		rx_clear(u);
	u->fcr = val & (FCR_ENABLE | FCR_DMA | FCR_TRIGGER);
}

static uint64_t uart_read(void *opaque, uint64_t offset, unsigned size)
{
	struct uart *u = opaque;
	uint8_t val = 0;
	bool signal = false; /* did this read change an interrupt condition? */
	switch (offset & 7) {
	case UART_RBR_THR:
		if (u->lcr & LCR_DLAB) {
			val = u->dll;
		} else {
			val = rx_pop(u);
			signal = true;
		}
		break;
	case UART_IER:
		val = (u->lcr & LCR_DLAB) ? u->dlm : u->ier;
		break;
	case UART_IIR_FCR:
		val = interrupt_id(u);
		/* IIR section: the THRE interrupt is cleared by "reading the
		 * IIR (if source of interrupt)". */
		if (val == IIR_THRE) {
			u->thr_ipending = false;
			signal = true;
		}
		if (fifo_enabled(u))
			val |= IIR_FIFO;
		break;
	case UART_LCR:
		val = u->lcr;
		break;
	case UART_MCR:
		val = u->mcr;
		break;
	case UART_LSR:
		val = u->lsr;
		/* Reading LSR clears the error bits, OE among them. */
		signal = (u->lsr & LSR_INT_BITS) != 0;
		u->lsr &= (uint8_t)~LSR_INT_BITS;
		break;
	case UART_MSR:
		val = u->msr;
		/* Reading MSR clears the delta bits. */
		signal = (u->msr & MSR_DELTAS) != 0;
		u->msr &= (uint8_t)~MSR_DELTAS;
		break;
	case UART_SCR:
		val = u->scr;
		break;
	}
	if (signal)
		update_irq(u);
	return val;
}

static void uart_write(void *opaque, uint64_t offset, unsigned size, uint64_t val64)
{
	struct uart *u = opaque;
	const uint8_t val = (uint8_t)val64;
	switch (offset & 7) {
	case UART_RBR_THR:
		if (u->lcr & LCR_DLAB)
			u->dll = val;
		else
			write_thr(u, val);
		break;
	case UART_IER:
		if (u->lcr & LCR_DLAB)
			u->dlm = val;
		else
			write_ier(u, val);
		break;
	case UART_IIR_FCR:
		write_fcr(u, val);
		break;
	case UART_LCR:
		u->lcr = val;
		return;
	case UART_MCR:
		u->mcr = val & MCR_MASK;
		update_msr(u);
		break;
	case UART_LSR:
	case UART_MSR:
		/* Status registers: writes are for factory test, ignored (as
		 * in QEMU). */
		return;
	case UART_SCR:
		u->scr = val;
		return;
	}
	update_irq(u);
}

bool uart_can_receive(const struct uart *u)
{
	return !(u->mcr & MCR_LOOP) && u->rx_count < rx_capacity(u);
}

bool uart_receive(struct uart *u, uint8_t byte)
{
	if (u->mcr & MCR_LOOP)
		return false;
	const bool stored = rx_push(u, byte);
	update_irq(u);
	return stored;
}

/* A break is a character time of zero bits: the receiver takes a NUL and
 * flags it (PC16550D, LSR bit 4), which Linux's 8250 driver reads as the
 * start of a magic SysRq sequence. */
bool uart_receive_break(struct uart *u)
{
	if (u->mcr & MCR_LOOP)
		return false;
	const bool stored = rx_push(u, 0);
	u->lsr |= LSR_BI;
	update_irq(u);
	return stored;
}

struct uart *uart_new(struct bus *bus, uint64_t base, struct irq_line irq, uart_tx_fn tx,
		      void *tx_opaque)
{
	struct uart *u = calloc(1, sizeof(*u));
	if (!u) {
		fprintf(stderr, "rvjit: out of memory\n");
		return NULL;
	}
	u->irq = irq;
	u->tx = tx;
	u->tx_opaque = tx_opaque;
	/* Reset state (datasheet's "UART Reset Configuration"): every
	 * register 0 except IIR = 0x01, LSR = THRE | TEMT, and MSR bits 7:4
	 * following the inputs. */
	u->lsr = LSR_THRE | LSR_TEMT;
	u->msr = modem_inputs(u);
	if (!bus_add(bus, base, UART_SIZE, u, uart_read, uart_write, "uart16550")) {
		fprintf(stderr, "rvjit: cannot map the UART at 0x%llx\n", (unsigned long long)base);
		free(u);
		return NULL;
	}
	update_irq(u);
	return u;
}

void uart_free(struct uart *u)
{
	free(u);
}

void uart_fdt(struct fdt *f, uint64_t base, unsigned irq, uint32_t intc)
{
	fdt_begin_node_at(f, "serial", base);
	fdt_prop_string(f, "compatible", "ns16550a");
	fdt_prop_reg(f, base, UART_SIZE);
	fdt_prop_u32(f, "clock-frequency", UART_CLOCK_HZ);
	fdt_prop_u32(f, "interrupt-parent", intc);
	fdt_prop_u32(f, "interrupts", irq);
	fdt_end_node(f);
}

/* The snapshot state (core/vmstate.h): the registers and what the device
 * keeps between accesses, not its configuration. */
void uart_save(struct uart *d, struct vmstate_out *o)
{
	VMSTATE_PUT(o, d->rx);
	VMSTATE_PUT(o, d->rx_head);
	VMSTATE_PUT(o, d->rx_count);
	const uint8_t regs[] = {d->rbr, d->ier, d->lcr, d->mcr, d->lsr,		d->msr,
				d->scr, d->fcr, d->dll, d->dlm, d->thr_ipending};
	VMSTATE_PUT(o, regs);
}

void uart_load(struct uart *d, struct vmstate_in *in)
{
	uint8_t regs[11];
	VMSTATE_GET(in, d->rx);
	VMSTATE_GET(in, d->rx_head);
	VMSTATE_GET(in, d->rx_count);
	VMSTATE_GET(in, regs);
	d->rx_head %= UART_FIFO_SIZE;
	d->rx_count = d->rx_count > UART_FIFO_SIZE ? UART_FIFO_SIZE : d->rx_count;
	d->rbr = regs[0], d->ier = regs[1], d->lcr = regs[2], d->mcr = regs[3];
	d->lsr = regs[4], d->msr = regs[5], d->scr = regs[6], d->fcr = regs[7];
	d->dll = regs[8], d->dlm = regs[9], d->thr_ipending = regs[10];
	update_irq(d);
}
