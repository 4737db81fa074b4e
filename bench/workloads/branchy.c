/*
 * branchy - unpredictable conditional branches: each iteration refills a
 * 4096-element array with random keys, quicksorts it (every comparison is
 * a coin flip), then runs a decision mix whose if/else chain depends on the
 * random data. Stresses conditional branches, block exits and the block
 * chaining of a translator, not memory.
 */
#include "../rt/bench.h"

BENCH_SIZE(1100);

#define ELEMS 4096

static uint32_t keys[ELEMS];

static void insertion_sort(uint32_t *a, long lo, long hi)
{
	for (long i = lo + 1; i <= hi; i++) {
		uint32_t v = a[i];
		long j = i - 1;
		while (j >= lo && a[j] > v) {
			a[j + 1] = a[j];
			j--;
		}
		a[j + 1] = v;
	}
}

/* Hoare partition, median-of-three pivot; recurse on the smaller side. */
static void quicksort(uint32_t *a, long lo, long hi)
{
	while (hi - lo > 16) {
		long mid = lo + (hi - lo) / 2;
		uint32_t x = a[lo], y = a[mid], z = a[hi];
		uint32_t pivot =
		    x < y ? (y < z ? y : (x < z ? z : x)) : (x < z ? x : (y < z ? z : y));
		long i = lo - 1, j = hi + 1;
		for (;;) {
			do
				i++;
			while (a[i] < pivot);
			do
				j--;
			while (a[j] > pivot);
			if (i >= j)
				break;
			uint32_t t = a[i];
			a[i] = a[j];
			a[j] = t;
		}
		if (j - lo < hi - j) {
			quicksort(a, lo, j);
			lo = j + 1;
		} else {
			quicksort(a, j + 1, hi);
			hi = j;
		}
	}
	insertion_sort(a, lo, hi);
}

static uint64_t decide(const uint32_t *a, size_t len, uint64_t seed)
{
	uint64_t acc = seed;
	for (size_t i = 0; i < len; i++) {
		uint32_t v = a[i] ^ (uint32_t)(acc >> 7);
		if (v & 1) {
			if (v & 4)
				acc += v;
			else
				acc ^= (uint64_t)v << 3;
		} else if ((v & 24) == 8) {
			acc = acc * 3 + 1;
		} else if (v & 64) {
			acc -= v >> 2;
		} else {
			acc = (acc << 1) | (v >> 31);
		}
	}
	return acc;
}

uint64_t workload(uint64_t n)
{
	uint64_t rng = 0x082efa98ec4e6c89ull, sum = 0;
	for (uint64_t it = 0; it < n; it++) {
		for (size_t i = 0; i < ELEMS; i++)
			keys[i] = (uint32_t)bench_rand(&rng);
		quicksort(keys, 0, ELEMS - 1);
		sum = bench_mix(sum, keys[0] ^ ((uint64_t)keys[ELEMS / 2] << 32) ^ keys[ELEMS - 1]);
		sum = bench_mix(sum, decide(keys, ELEMS, sum));
		/* Decide again on unsorted data so branch history cannot help. */
		for (size_t i = 0; i < ELEMS; i += 2)
			keys[i] ^= (uint32_t)bench_rand(&rng);
		sum = bench_mix(sum, decide(keys, ELEMS, sum));
	}
	return sum;
}
