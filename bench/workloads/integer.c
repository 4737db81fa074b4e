/*
 * integer - ALU-bound: a table-driven CRC-32 over a 16 KiB buffer, then a
 * mix of 64-bit multiply (low and high half), divide, remainder, shifts and
 * rotates. Stresses the integer decode/execute path and M-extension
 * helpers; almost no memory traffic beyond L1.
 */
#include "../rt/bench.h"

BENCH_SIZE(2800);

#define BUF_BYTES 16384

static uint32_t crc_table[256];
static uint8_t buf[BUF_BYTES];

static void crc_init(void)
{
	for (uint32_t i = 0; i < 256; i++) {
		uint32_t c = i;
		for (int k = 0; k < 8; k++)
			c = (c & 1) ? 0xedb88320u ^ (c >> 1) : c >> 1;
		crc_table[i] = c;
	}
}

static uint32_t crc32(uint32_t crc, const uint8_t *p, size_t len)
{
	crc = ~crc;
	for (size_t i = 0; i < len; i++)
		crc = crc_table[(crc ^ p[i]) & 0xff] ^ (crc >> 8);
	return ~crc;
}

/* GCC's 128-bit integer (both RV64 and x86-64 have it): gives mulhu. */
__extension__ typedef unsigned __int128 u128;

static inline uint64_t rotl(uint64_t x, unsigned r)
{
	return (x << r) | (x >> (64 - r));
}

/* 64x64->128 multiply, divide and remainder: the M extension's full set. */
static uint64_t arith_mix(uint64_t seed, unsigned rounds)
{
	uint64_t a = seed | 1, b = seed ^ 0x5851f42d4c957f2dull, acc = 0;
	for (unsigned i = 0; i < rounds; i++) {
		u128 p = (u128)a * b;
		uint64_t hi = (uint64_t)(p >> 64), lo = (uint64_t)p;
		uint64_t d = (hi | 1) & 0xffffffffull;
		acc += lo / d + lo % (d + 7);
		int64_t s = (int64_t)(lo ^ acc);
		acc ^= (uint64_t)(s / (int64_t)((i & 63) + 3)) + (uint64_t)(s % 17);
		uint32_t w = (uint32_t)acc * 2654435761u;
		acc += w >> (i & 15);
		a = rotl(a + hi, 13) ^ acc;
		b = b * 6364136223846793005ull + 1442695040888963407ull;
	}
	return acc ^ a;
}

uint64_t workload(uint64_t n)
{
	uint64_t rng = 0x243f6a8885a308d3ull, sum = 0;
	crc_init();
	for (size_t i = 0; i < BUF_BYTES; i++)
		buf[i] = (uint8_t)bench_rand(&rng);
	for (uint64_t it = 0; it < n; it++) {
		uint32_t crc = crc32((uint32_t)it, buf, BUF_BYTES);
		buf[it % BUF_BYTES] ^= (uint8_t)crc;
		sum = bench_mix(sum, crc);
		sum = bench_mix(sum, arith_mix(sum ^ it, 2048));
	}
	return sum;
}
