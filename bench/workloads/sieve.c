/*
 * sieve - byte-array loops: the sieve of Eratosthenes over a 256 KiB array of
 * flags (one byte per odd number), counting the primes and summing gaps
 * between them, then three other passes of the kind text and image code is
 * made of: a byte histogram, a translation through a 256-byte table, and a
 * run-length count. Loads and stores are single bytes with short,
 * predictable loop bodies; the sieve's inner loop strides through memory.
 */
#include "../rt/bench.h"

BENCH_SIZE(60);

#define SIEVE_BYTES (256u << 10) /* odd numbers below 512 Ki */
#define TEXT_BYTES  (64u << 10)

static uint8_t composite[SIEVE_BYTES];
static uint8_t text[TEXT_BYTES];
static uint8_t xlat[256];
static uint32_t histogram[256];

/* composite[i] describes the odd number 2i + 1. Returns the prime count. */
static BENCH_NOINLINE uint64_t sieve(uint8_t *flags, uint32_t len, uint64_t *gaps)
{
	for (uint32_t i = 0; i < len; i++)
		flags[i] = 0;
	flags[0] = 1; /* 1 is not prime */
	for (uint32_t i = 1; (2 * i + 1) * (2 * i + 1) < 2 * len; i++) {
		if (flags[i])
			continue;
		uint32_t p = 2 * i + 1;
		for (uint32_t j = (p * p) / 2; j < len; j += p)
			flags[j] = 1;
	}
	uint64_t count = 1, last = 2, gap_hash = 0; /* 2 is prime */
	for (uint32_t i = 1; i < len; i++) {
		if (!flags[i]) {
			uint64_t prime = 2 * (uint64_t)i + 1;
			gap_hash = gap_hash * 31 + (prime - last);
			last = prime;
			count++;
		}
	}
	*gaps = gap_hash;
	return count;
}

static BENCH_NOINLINE uint64_t byte_passes(uint8_t *buf, uint32_t len)
{
	for (uint32_t i = 0; i < 256; i++)
		histogram[i] = 0;
	for (uint32_t i = 0; i < len; i++)
		histogram[buf[i]]++;
	for (uint32_t i = 0; i < len; i++)
		buf[i] = xlat[buf[i]];
	uint64_t runs = 0, h = 0;
	for (uint32_t i = 1; i < len; i++) {
		if (buf[i] != buf[i - 1]) {
			runs++;
			h += i;
		}
	}
	for (uint32_t i = 0; i < 256; i++)
		h = h * 0x9e3779b1u + histogram[i];
	return h ^ (runs << 40);
}

uint64_t workload(uint64_t n)
{
	uint64_t rng = 0xa54ff53a5f1d36f1ull, sum = 0;
	/* Text-like bytes: mostly a small alphabet, with repeats, so runs form. */
	for (uint32_t i = 0; i < TEXT_BYTES; i++) {
		uint64_t r = bench_rand(&rng);
		text[i] = (r & 7) == 0 && i > 0 ? text[i - 1] : (uint8_t)(32 + (r >> 8) % 64);
	}
	for (uint32_t i = 0; i < 256; i++)
		xlat[i] = (uint8_t)(i * 37 + 11);
	for (uint64_t it = 0; it < n; it++) {
		uint64_t gaps;
		uint32_t len = SIEVE_BYTES - (uint32_t)(it % 64) * 1024;
		sum = bench_mix(sum, sieve(composite, len, &gaps));
		sum = bench_mix(sum, gaps);
		for (uint32_t pass = 0; pass < 4; pass++)
			sum = bench_mix(sum, byte_passes(text, TEXT_BYTES));
	}
	return sum;
}
