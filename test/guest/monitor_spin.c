// host-run: monitor_session.py
/*
 * Driven by test/monitor_session.py (and the gdb reconnect check in
 * test/gdb_session.py), not run as a guest_ test: prints "spinning", then
 * counts in `ticks` forever until the host stops the emulator.
 */
#include "guest.h"

volatile uint64_t ticks;

int main(void)
{
	puts_uart("spinning\n");
	for (;;)
		ticks++;
}
