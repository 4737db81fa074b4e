/*
 * calls - calls and returns: naive recursive Fibonacci, a recursive
 * Ackermann-style descent, and a chain of small functions called through a
 * table of function pointers. Nearly every block ends in jal/jalr, so this
 * stresses return-address handling and the translator's indirect-jump
 * lookup for `ret`.
 */
#include "../rt/bench.h"

BENCH_SIZE(580);

static BENCH_NOINLINE uint64_t fib(uint32_t k)
{
	return k < 2 ? k : fib(k - 1) + fib(k - 2);
}

static BENCH_NOINLINE uint64_t ack(uint64_t m, uint64_t n)
{
	if (m == 0)
		return n + 1;
	if (n == 0)
		return ack(m - 1, 1);
	return ack(m - 1, ack(m, n - 1));
}

static BENCH_NOINLINE uint64_t f_add(uint64_t x, uint64_t y)
{
	return x + y;
}
static BENCH_NOINLINE uint64_t f_xor(uint64_t x, uint64_t y)
{
	return x ^ (y << 1);
}
static BENCH_NOINLINE uint64_t f_mul(uint64_t x, uint64_t y)
{
	return x * (y | 1);
}
static BENCH_NOINLINE uint64_t f_rot(uint64_t x, uint64_t y)
{
	return ((x << 5) | (x >> 59)) ^ y;
}

typedef uint64_t (*binop)(uint64_t, uint64_t);

static BENCH_NOINLINE uint64_t apply_chain(const binop *ops, uint64_t x, uint32_t len)
{
	for (uint32_t i = 0; i < len; i++)
		x = ops[(x >> 11) & 3](x, i);
	return x;
}

uint64_t workload(uint64_t n)
{
	static const binop ops[4] = {f_add, f_xor, f_mul, f_rot};
	binop const *volatile table = ops; /* keep the calls indirect */
	uint64_t sum = 0;
	for (uint64_t it = 0; it < n; it++) {
		sum = bench_mix(sum, fib(20 + (uint32_t)(it & 1)));
		sum = bench_mix(sum, ack(2, 200 + (it & 7)));
		sum = bench_mix(sum, apply_chain(table, sum, 4096));
	}
	return sum;
}
