/*
 * guest.c - the bare-metal side of a benchmark on QEMU's virt board.
 *
 * start.S or start_sv39.S sets up a stack, clears .bss, turns on the FPU and
 * calls bench_main(). bench_main runs the workload, prints
 * "checksum: 0x<16 hex digits>" on the 16550 UART and powers off through the
 * SiFive test finisher. A trap lands in bench_trap(), which prints the cause
 * and powers off with a failure code, so a broken emulator fails loudly
 * instead of hanging.
 */
#include "bench.h"

#define UART_BASE     0x10000000ul /* 16550: THR at +0, LSR at +5 */
#define UART_LSR_THRE 0x20	   /* LSR bit 5: transmit holding register empty */
#define FINISHER_BASE 0x100000ul
#define FINISHER_PASS 0x5555u
#define FINISHER_FAIL 0x3333u /* exit code in bits 31:16 */

static void uart_putc(unsigned c)
{
	volatile uint8_t *uart = (volatile uint8_t *)UART_BASE;
	while (!(uart[5] & UART_LSR_THRE))
		;
	uart[0] = (uint8_t)c;
}

static void uart_puts(const char *s)
{
	while (*s)
		uart_putc((unsigned char)*s++);
}

static void uart_puthex(uint64_t v)
{
	uart_puts("0x");
	for (int shift = 60; shift >= 0; shift -= 4)
		uart_putc("0123456789abcdef"[(v >> shift) & 15]);
}

static __attribute__((noreturn)) void finish(uint32_t code)
{
	*(volatile uint32_t *)FINISHER_BASE = code;
	/*
	 * Still running: the device at FINISHER_BASE knows only the power-off
	 * value (RVVM's syscon ignores the fail code). Power off anyway; the
	 * trap line already on the UART, and no checksum line, mark the run
	 * failed.
	 */
	*(volatile uint32_t *)FINISHER_BASE = FINISHER_PASS;
	for (;;)
		__asm__ volatile("wfi");
}

void bench_main(void)
{
	uint64_t n = *(volatile const uint64_t *)&bench_n;
#ifdef BENCH_PRINT_INSTRET
	/* For sizing only: under QEMU this needs -icount shift=0. */
	uint64_t i0, i1;
	__asm__ volatile("csrr %0, minstret" : "=r"(i0));
#endif
	uint64_t sum = workload(n);
#ifdef BENCH_PRINT_INSTRET
	__asm__ volatile("csrr %0, minstret" : "=r"(i1));
	uart_puts("instret: ");
	uart_puthex(i1 - i0);
	uart_puts("\n");
#endif
	uart_puts("checksum: ");
	uart_puthex(sum);
	uart_puts("\n");
	finish(FINISHER_PASS);
}

/* Called in M-mode by trap_entry in start*.S with a fresh stack. */
void bench_trap(void)
{
	uint64_t cause, epc, tval;
	__asm__ volatile("csrr %0, mcause" : "=r"(cause));
	__asm__ volatile("csrr %0, mepc" : "=r"(epc));
	__asm__ volatile("csrr %0, mtval" : "=r"(tval));
	uart_puts("bench: unexpected trap mcause=");
	uart_puthex(cause);
	uart_puts(" mepc=");
	uart_puthex(epc);
	uart_puts(" mtval=");
	uart_puthex(tval);
	uart_puts("\n");
	finish(FINISHER_FAIL | (1u << 16));
}

/* GCC may emit calls to these even in freestanding code (struct copies). */
void *memcpy(void *dst, const void *src, size_t len)
{
	unsigned char *d = dst;
	const unsigned char *s = src;
	while (len--)
		*d++ = *s++;
	return dst;
}

void *memset(void *dst, int c, size_t len)
{
	unsigned char *d = dst;
	while (len--)
		*d++ = (unsigned char)c;
	return dst;
}
