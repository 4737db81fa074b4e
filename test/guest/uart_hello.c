// expect-output: hello from rvjit
/* Console output reaches the host through the 16550 UART's THR. */
#include "guest.h"

int main(void)
{
	puts_uart("hello from rvjit\n");
	return 0;
}
