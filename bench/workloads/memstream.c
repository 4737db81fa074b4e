/*
 * memstream - load/store bandwidth: memset-, memcpy- and sum-style streaming
 * passes over two 4 MiB buffers (larger than most L2 caches), mostly 64-bit
 * accesses plus one byte-wise pass. Stresses the load/store fast path and
 * the software TLB (each pass touches 2048 distinct 4 KiB pages).
 */
#include "../rt/bench.h"

BENCH_SIZE(135);

#define WORDS	  (4u << 20) / 8u /* 4 MiB of uint64_t */
#define BYTE_PASS 65536u	  /* bytes copied one at a time per pass */

static uint64_t src[WORDS];
static uint64_t dst[WORDS];

static BENCH_NOINLINE void fill(uint64_t *p, size_t words, uint64_t pattern)
{
	for (size_t i = 0; i < words; i += 4) {
		p[i + 0] = pattern;
		p[i + 1] = pattern + 1;
		p[i + 2] = pattern + 2;
		p[i + 3] = pattern + 3;
	}
}

static BENCH_NOINLINE void copy(uint64_t *restrict d, const uint64_t *restrict s, size_t words,
				size_t rot)
{
	size_t first = words - rot;
	for (size_t i = 0; i < first; i++)
		d[i] = s[i + rot];
	for (size_t i = 0; i < rot; i++)
		d[first + i] = s[i] ^ 0xa5a5a5a5a5a5a5a5ull;
}

static BENCH_NOINLINE void copy_bytes(uint8_t *restrict d, const uint8_t *restrict s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		d[i] = (uint8_t)(s[i] + 1);
}

static BENCH_NOINLINE uint64_t sum_words(const uint64_t *p, size_t words)
{
	uint64_t a = 0, b = 0;
	for (size_t i = 0; i < words; i += 2) {
		a += p[i];
		b ^= p[i + 1];
	}
	return a ^ (b << 1);
}

uint64_t workload(uint64_t n)
{
	uint64_t rng = 0x13198a2e03707344ull, sum = 0;
	for (size_t i = 0; i < WORDS; i++)
		src[i] = bench_rand(&rng);
	for (uint64_t it = 0; it < n; it++) {
		fill(dst, WORDS, it * 0x9e3779b97f4a7c15ull);
		copy(dst, src, WORDS, (size_t)(it * 4099) % WORDS);
		copy_bytes((uint8_t *)src + (it % 64) * BYTE_PASS,
			   (const uint8_t *)dst + 8 * BYTE_PASS, BYTE_PASS);
		sum = bench_mix(sum, sum_words(dst, WORDS));
	}
	return bench_mix(sum, sum_words(src, WORDS));
}
