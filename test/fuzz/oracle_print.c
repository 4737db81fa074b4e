/*
 * Hart 0 of the oracle harness (oracle_harness.S), once every hart has
 * saved its final state: print it all on the UART, then stop the machine
 * through the test finisher. The format (read by oracle_compare.c):
 *   oracle-begin
 *   s H I VALUE   word I of hart H's save area (oracle_layout.h ORACLE_SV_*)
 *   m PA VALUE    a word of the program's memory that it changed
 *   oracle-end
 * Numbers in hex. Built freestanding, without FP (the FP registers are
 * already saved) and without data: everything it reads is at fixed
 * addresses.
 */
#include "oracle_layout.h"
#include <stdint.h>

#define MMIO8(a)  (*(volatile uint8_t *)(uintptr_t)(a))
#define WORD64(a) (*(volatile uint64_t *)(uintptr_t)(a))

static void put(char c)
{
	while (!(MMIO8(ORACLE_UART_PA + 5) & 0x20)) /* LSR: THR empty */
		;
	MMIO8(ORACLE_UART_PA) = (uint8_t)c;
}

static void put_str(const char *s)
{
	while (*s)
		put(*s++);
}

static void put_hex(uint64_t v)
{
	for (int shift = 60; shift >= 0; shift -= 4)
		put("0123456789abcdef"[(v >> shift) & 15]);
}

static void put_line(char kind, uint64_t a, uint64_t b, uint64_t v)
{
	put(kind);
	put(' ');
	if (kind == 's') {
		put_hex(a);
		put(' ');
	}
	put_hex(b);
	put(' ');
	put_hex(v);
	put('\n');
}

void oracle_print(void);
void oracle_print(void)
{
	const uint64_t state0 = ORACLE_STATE_PA;
	const uint64_t nharts = WORD64(state0 + ORACLE_ST_NHARTS);
	for (uint64_t h = 1; h < nharts; h++)
		while (!WORD64(ORACLE_SAVE_PA + h * ORACLE_SAVE_STRIDE + ORACLE_SV_DONE))
			;
	__asm__ volatile("fence rw, rw" ::: "memory");
	put_str("oracle-begin\n");
	for (uint64_t h = 0; h < nharts; h++)
		for (uint64_t i = 0; i < ORACLE_SV_WORDS; i++)
			put_line('s', h, i,
				 WORD64(ORACLE_SAVE_PA + h * ORACLE_SAVE_STRIDE + 8 * i));
	const uint64_t regions = WORD64(state0 + ORACLE_ST_NREGIONS);
	for (uint64_t r = 0; r < regions; r++) {
		const uint64_t pa = WORD64(state0 + ORACLE_ST_REGIONS + 16 * r);
		const uint64_t size = WORD64(state0 + ORACLE_ST_REGIONS + 16 * r + 8);
		for (uint64_t a = pa; a < pa + size; a += 8)
			if (WORD64(a) != WORD64(a + ORACLE_PRISTINE_OFF))
				put_line('m', 0, a, WORD64(a));
	}
	put_str("oracle-end\n");
	*(volatile uint32_t *)(uintptr_t)ORACLE_FINISHER_PA = 0x5555;
	for (;;)
		__asm__ volatile("wfi");
}
