/* Console output for C guest programs, through the UART's THR. */
#include "guest.h"

void putchar_uart(char c)
{
	volatile uint8_t *uart = (volatile uint8_t *)UART0;
	while (!(uart[5] & 0x20)) /* LSR.THRE */
		;
	uart[0] = (uint8_t)c;
}

void puts_uart(const char *s)
{
	while (*s)
		putchar_uart(*s++);
}

void print_hex(uint64_t v)
{
	puts_uart("0x");
	for (int i = 60; i >= 0; i -= 4)
		putchar_uart("0123456789abcdef"[(v >> i) & 15]);
}
