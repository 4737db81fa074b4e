// host-run: gdb_session.py
/*
 * Driven by test/gdb_session.py through gdb-multiarch, not run as a guest_
 * test. gdb stops at some_function (a0 = 7) and writes a0 = 8, steps,
 * reads and writes some_data, watches counter (0 -> 24), and the exit
 * status is some_data[0] (5 once gdb wrote it; 0x11 untouched), plus 100
 * when some_function's result is not the one for 8.
 */
#include "guest.h"

volatile uint32_t some_data[4] = {0x11111111, 0x22222222, 0x33333333, 0x44444444};
volatile uint64_t counter;

__attribute__((noinline)) uint64_t some_function(uint64_t x)
{
	counter = x * 3;
	return counter + 1;
}

int main(void)
{
	const uint64_t r = some_function(7);
	return (int)(some_data[0] & 0xff) + (r == 25 ? 0 : 100);
}
