/*
 * divide - loops that divide: Euclid's gcd on random 64-bit pairs, printing
 * numbers in bases 10 and 2-36 (a divide and a remainder per digit, the
 * divisor unknown at compile time), modular exponentiation with a run-time
 * 32-bit modulus, and signed 32-bit division and remainder with negative
 * operands. Exercises div/divu/rem/remu in both widths, whose latency is
 * long on the host too, and number formatting as printf does it.
 */
#include "../rt/bench.h"

BENCH_SIZE(11000);

static BENCH_NOINLINE uint64_t gcd(uint64_t a, uint64_t b)
{
	while (b) {
		uint64_t t = a % b;
		a = b;
		b = t;
	}
	return a;
}

/* Writes v in base (2..36) backwards into out; returns the digit count. */
static BENCH_NOINLINE uint32_t to_base(uint64_t v, uint32_t base, uint8_t *out)
{
	uint32_t len = 0;
	do {
		out[len++] = (uint8_t) "0123456789abcdefghijklmnopqrstuvwxyz"[v % base];
		v /= base;
	} while (v);
	return len;
}

static BENCH_NOINLINE uint32_t pow_mod(uint32_t b, uint32_t e, uint32_t m)
{
	uint64_t r = 1 % m, x = b % m;
	while (e) {
		if (e & 1)
			r = r * x % m;
		x = x * x % m;
		e >>= 1;
	}
	return (uint32_t)r;
}

static BENCH_NOINLINE int64_t signed_mix(int32_t a, int32_t b)
{
	int64_t acc = 0;
	for (int i = 0; i < 16; i++) {
		int32_t d = b | 1;
		if (d == -1) /* INT32_MIN / -1 overflows (x86 traps, RISC-V does not) */
			d = 3;
		acc += a / d;
		acc ^= a % d;
		a = (int32_t)((uint32_t)a * 1103515245u + 12345u);
		b = (b >> 3) - (a >> 5);
	}
	return acc;
}

uint64_t workload(uint64_t n)
{
	uint64_t rng = 0x5be0cd19137e2179ull, sum = 0;
	uint8_t digits[72];
	for (uint64_t it = 0; it < n; it++) {
		for (int i = 0; i < 64; i++) {
			uint64_t a = bench_rand(&rng), b = bench_rand(&rng) >> (i & 31);
			sum = bench_mix(sum, gcd(a, b | 1));
		}
		for (int i = 0; i < 64; i++) {
			uint64_t v = bench_rand(&rng) >> (i & 15);
			uint32_t len = to_base(v, 10, digits);
			uint64_t h = len;
			for (uint32_t k = 0; k < len; k++)
				h = h * 131 + digits[k];
			len = to_base(v, 2 + (uint32_t)(v % 35), digits);
			for (uint32_t k = 0; k < len; k++)
				h = h * 131 + digits[k];
			sum = bench_mix(sum, h);
		}
		for (int i = 0; i < 16; i++) {
			uint64_t r = bench_rand(&rng);
			uint32_t m = (uint32_t)(r >> 33) | 0x10001u;
			sum = bench_mix(sum, pow_mod((uint32_t)r, (uint32_t)(r >> 20), m));
		}
		for (int i = 0; i < 8; i++) {
			uint64_t r = bench_rand(&rng);
			sum = bench_mix(sum, (uint64_t)signed_mix((int32_t)r, (int32_t)(r >> 32)));
		}
	}
	return sum;
}
