/*
 * UART: an NS16550A as QEMU's `virt` board maps it at 0x10000000 (IRQ 10),
 * following the TI PC16550D datasheet (SNLS378C). Registers are one byte
 * apart (reg-shift 0):
 *
 *   +0  RBR (read) / THR (write)        DLAB=0
 *   +0  DLL, divisor latch low          DLAB=1
 *   +1  IER: ERBFI, ETBEI, ELSI, EDSSI  DLAB=0
 *   +1  DLM, divisor latch high         DLAB=1
 *   +2  IIR (read) / FCR (write)
 *   +3  LCR (bit 7 is DLAB)
 *   +4  MCR (bit 4: loopback)
 *   +5  LSR
 *   +6  MSR
 *   +7  SCR
 *
 * The offset is taken modulo 8 inside the 0x100-byte region, as QEMU's
 * serial_ioport_read/write do. Accesses of any width (1, 2, 4, 8) act on the
 * register at the access's offset and use only the low byte of the value,
 * like QEMU's serial_mm region; reads return that register zero-extended.
 *
 * Transmission is instantaneous: a byte written to THR goes at once to the
 * tx callback (or, in loopback mode, to the receiver), so THRE and TEMT are
 * always set and each THR write raises a THRE interrupt if ETBEI is on.
 *
 * The UART lives on the CPU thread: every function here, like the bus
 * callbacks, must be called from the thread that runs the machine.
 */
#ifndef RVJIT_UART16550_H
#define RVJIT_UART16550_H

#include "core/bus.h"
#include "irq.h"
#include <stdbool.h>
#include <stdint.h>

#define UART_BASE      0x10000000ULL
#define UART_SIZE      0x100ULL
#define UART_IRQ       10
#define UART_FIFO_SIZE 16

struct uart;

/* Called with every byte the guest transmits (not in loopback mode). */
typedef void (*uart_tx_fn)(void *opaque, uint8_t byte);

/* Create a UART, map it at `base` on `bus` with interrupt output `irq`.
 * Returns NULL with a message when memory or the bus table runs out. */
struct uart *uart_new(struct bus *bus, uint64_t base, struct irq_line irq, uart_tx_fn tx,
		      void *tx_opaque);

/* Free a UART. Only once nothing uses the bus it is mapped on. */
void uart_free(struct uart *u);

/* Whether the receiver has room for a byte from the serial line: the
 * 16-byte FIFO when FCR enabled it, else the single receiver buffer
 * register; never in loopback mode. A host feeding the UART checks this
 * first and keeps its byte while it is false: flow control that a real
 * serial line lacks, so no input is lost (QEMU's can_receive does the
 * same). */
bool uart_can_receive(const struct uart *u);

/* A byte arrives on the serial line. Returns whether it was stored. When
 * the receiver is full this is a real overrun (PC16550D, LSR bit 1): OE is
 * set and, in FIFO mode, the byte is lost and false is returned; in 16450
 * mode the new byte overwrites RBR and true is returned. In loopback mode
 * the serial input is disconnected (PC16550D, MCR bit 4): the byte is not
 * stored and false is returned. A caller that checks uart_can_receive()
 * first never causes an overrun and never loses a byte. */
bool uart_receive(struct uart *u, uint8_t byte);

/* A break condition arrives on the serial line: a NUL byte with LSR's
 * break bit, raising the receiver line status interrupt when enabled. Same
 * room rules and result as uart_receive. */
bool uart_receive_break(struct uart *u);

/* QEMU's virt advertises a 3.6864 MHz input clock (divisor 1 = 230400 baud). */
#define UART_CLOCK_HZ 3686400u

/* Write the UART's device-tree node ("ns16550a", interrupt `irq` of the
 * interrupt controller with phandle `intc`). */
struct fdt;
void uart_fdt(struct fdt *f, uint64_t base, unsigned irq, uint32_t intc);

/* savevm/loadvm (core/vmstate.h): the device's state into or out of the
 * stream; load also re-drives its interrupt lines. */
struct vmstate_out;
struct vmstate_in;
void uart_save(struct uart *d, struct vmstate_out *o);
void uart_load(struct uart *d, struct vmstate_in *in);

#endif
