// stdin: hello\nq
// expect-output: ^HELLO$
/*
 * Echoes the UART in upper case, byte by byte, until it reads 'q': so a
 * host end (stdio here; the chardev backends in test/chardev_backends.py)
 * proves its input reached the guest's receive path and the guest's
 * output came back. Starts with "echo ready" and ends with "bye".
 */
#include "guest.h"

#define REG(off) (((volatile uint8_t *)UART0)[off])
#define RBR	 0
#define LSR	 5
#define LSR_DR	 0x01

int main(void)
{
	puts_uart("echo ready\n");
	for (;;) {
		while (!(REG(LSR) & LSR_DR))
			;
		const char c = (char)REG(RBR);
		if (c == 'q')
			break;
		putchar_uart(c >= 'a' && c <= 'z' ? (char)(c - 'a' + 'A') : c);
	}
	puts_uart("bye\n");
	return 0;
}
