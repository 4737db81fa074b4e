// host-run: monitor_session.py
/*
 * Driven by test/monitor_session.py (and the gdb reconnect check in
 * test/gdb_session.py), not run as a guest_ test: hart 0 prints "spinning",
 * then every hart counts in `ticks` forever until the host stops the
 * emulator.
 */
#include "guest.h"

volatile uint64_t ticks;

int main(void)
{
	/* Every hart of -smp N gets here: one line, not N interleaved. */
	if (csr_read(mhartid) == 0)
		puts_uart("spinning\n");
	for (;;)
		ticks++;
}
