// stdin: ping\n
// expect-output: got: ping
/*
 * UART receive through the PLIC, as an interrupt-driven driver does it: the
 * 16550 programmed with 8N1, FIFOs on (trigger level 1) and IER = received
 * data available; PLIC source 10 enabled for hart 0's M context; the hart
 * sleeps in wfi until the M external interrupt. The handler claims (must
 * be 10), reads while LSR.DR, completes. Along the way: IIR says "no
 * interrupt" (0xc1) before input and after draining, "received data" (0xc4)
 * in the handler, and a claim with nothing pending returns 0.
 */
#include "guest.h"
#include "guest_irq.h"

#define UART_IRQ 10
#define REG(off) (((volatile uint8_t *)UART0)[off])
#define RBR	 0
#define IER	 1
#define IIR	 2
#define FCR	 2
#define LCR	 3
#define MCR	 4
#define LSR	 5

static char line[64];
static volatile unsigned nline;
static volatile unsigned interrupts;
static volatile unsigned bad_iir, bad_claim;

__attribute__((interrupt("machine"), aligned(4))) static void trap(void)
{
	if (csr_read(mcause) != MCAUSE_M_EXTERNAL)
		guest_exit(1000 + (int)(csr_read(mcause) & 0xff));
	const uint32_t id = plic_claim_m0();
	if (id != UART_IRQ) {
		bad_claim = id ? id : 0xffff;
		plic_complete_m0(id);
		interrupts++;
		return;
	}
	/* Received data available, FIFOs enabled (bits 7:6), trigger level 1
	 * so never a timeout indication with at least one byte. */
	const uint8_t iir = REG(IIR);
	if (iir != 0xc4)
		bad_iir = iir | 0x100;
	while (REG(LSR) & 0x01) {
		const char c = (char)REG(RBR);
		if (nline < sizeof(line) - 1)
			line[nline++] = c;
	}
	/* Drained: no interrupt left in the UART. */
	if (REG(IIR) != 0xc1 && !bad_iir)
		bad_iir = REG(IIR) | 0x200;
	plic_complete_m0(id);
	interrupts++;
}

static int line_done(void)
{
	for (unsigned i = 0; i < nline; i++)
		if (line[i] == '\n')
			return 1;
	return 0;
}

int main(void)
{
	/* Like a driver: interrupts off, 8N1 with the divisor set (DLAB),
	 * FIFOs on and cleared, DTR/RTS/OUT2, then RX interrupts on. */
	REG(IER) = 0x00;
	REG(LCR) = 0x80;
	REG(0) = 0x03; /* DLL: 38400 baud */
	REG(1) = 0x00; /* DLM */
	REG(LCR) = 0x03;
	CHECK(REG(LCR) == 0x03, 1);
	REG(FCR) = 0x07;
	REG(MCR) = 0x0b;
	/* With IER = 0 nothing can be pending, whatever arrived already. */
	CHECK(REG(IIR) == 0xc1, 2);

	csr_write(mtvec, (uint64_t)(uintptr_t)trap);
	/* Nothing enabled yet in context 0: a claim returns 0. */
	CHECK(plic_claim_m0() == 0, 3);
	plic_enable_m0(UART_IRQ, 1);
	CHECK(mmio_read32(PLIC_PRIORITY(UART_IRQ)) == 1, 4);
	CHECK(mmio_read32(PLIC_ENABLE(PLIC_CTX_M0, UART_IRQ)) & (1u << UART_IRQ), 5);
	csr_set(mie, MIE_MEIE);
	csr_set(mstatus, MSTATUS_MIE);
	REG(IER) = 0x01;
	CHECK(REG(IER) == 0x01, 6);

	/* Sleep until the whole line is in. */
	while (!line_done()) {
		const unsigned seen = interrupts;
		csr_clear(mstatus, MSTATUS_MIE);
		if (!line_done())
			wait_for_change(&interrupts, seen);
		csr_set(mstatus, MSTATUS_MIE);
		CHECK(!bad_claim, 7);
		CHECK(!bad_iir, 8);
	}
	CHECK(interrupts >= 1, 9);

	/* All input consumed: nothing pending in the UART or the PLIC, and a
	 * claim returns 0. */
	csr_clear(mstatus, MSTATUS_MIE);
	CHECK(!(REG(LSR) & 0x01), 10);
	CHECK(REG(IIR) == 0xc1, 11);
	CHECK(!(mmio_read32(PLIC_PENDING(UART_IRQ)) & (1u << UART_IRQ)), 12);
	CHECK(plic_claim_m0() == 0, 13);
	CHECK(!(csr_read(mip) & MIP_MEIP), 14);

	line[nline] = 0;
	puts_uart("got: ");
	puts_uart(line);
	CHECK(nline == 5 && line[0] == 'p' && line[1] == 'i' && line[2] == 'n' && line[3] == 'g',
	      15);
	return 0;
}
