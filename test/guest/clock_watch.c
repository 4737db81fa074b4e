// host-run: clock_stops.py
/*
 * Driven by test/clock_stops.py, not run as a guest_ test: prints the first
 * readings of the `time` CSR and of the CLINT's mtime ("time 0x... mtime
 * 0x..."), then reads `time` forever, keeping in `max_step` the largest
 * step between two consecutive reads and counting the reads in `reads`.
 * With several harts (each on its host thread) every hart does the same,
 * and hart 0 alone prints. A machine stopped for seconds must not show up
 * as a step of seconds.
 */
#include "guest.h"

#define MTIME (CLINT + 0xbff8)

volatile uint64_t max_step;
volatile uint64_t reads;

int main(void)
{
	const uint64_t time0 = csr_read(time);
	const uint64_t mtime0 = *(volatile uint64_t *)MTIME;
	if (csr_read(mhartid) == 0) {
		puts_uart("time ");
		print_hex(time0);
		puts_uart(" mtime ");
		print_hex(mtime0);
		puts_uart("\n");
	}
	uint64_t last = csr_read(time);
	for (;;) {
		const uint64_t now = csr_read(time);
		if (now - last > max_step)
			max_step = now - last;
		last = now;
		reads++;
	}
}
