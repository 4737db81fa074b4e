/*
 * recursion - call/return bound code: the Takeuchi function (three-way tree
 * recursion, almost nothing but calls), a walk over a binary tree built in a
 * static pool (recursive insert and recursive fold), and a chain recursion
 * thousands of frames deep whose result is mixed after every return, so the
 * compiler cannot turn it into a loop. Every function is kept out of line:
 * a recursive compiler, interpreter or tree walker spends its time like this,
 * in prologues, epilogues, spills to the stack and `ret`.
 */
#include "../rt/bench.h"

BENCH_SIZE(115);

#define TREE_NODES  8192
#define CHAIN_DEPTH 6000

struct tnode {
	struct tnode *left, *right;
	uint64_t key;
};

static struct tnode pool[TREE_NODES];

static BENCH_NOINLINE uint32_t tak(uint32_t x, uint32_t y, uint32_t z)
{
	if (y >= x)
		return z;
	return tak(tak(x - 1, y, z), tak(y - 1, z, x), tak(z - 1, x, y));
}

/* Unbalanced binary search tree insert, recursive as a textbook writes it. */
static BENCH_NOINLINE struct tnode *insert(struct tnode *t, struct tnode *fresh)
{
	if (!t)
		return fresh;
	if (fresh->key < t->key)
		t->left = insert(t->left, fresh);
	else
		t->right = insert(t->right, fresh);
	return t;
}

/* In-order fold: the position in the walk feeds the hash. */
static BENCH_NOINLINE uint64_t fold(const struct tnode *t, uint64_t h)
{
	if (!t)
		return h;
	h = fold(t->left, h);
	h = (h ^ t->key) * 0x100000001b3ull;
	return fold(t->right, h);
}

static BENCH_NOINLINE uint32_t depth(const struct tnode *t)
{
	if (!t)
		return 0;
	uint32_t l = depth(t->left), r = depth(t->right);
	return 1 + (l > r ? l : r);
}

/* Deep, not tail-recursive: the xor-shift after the call keeps every frame. */
static BENCH_NOINLINE uint64_t chain(uint32_t d, uint64_t x)
{
	if (d == 0)
		return x;
	uint64_t h = chain(d - 1, x * 3 + d);
	return (h ^ (h >> 7)) + d;
}

uint64_t workload(uint64_t n)
{
	uint64_t rng = 0x3c6ef372fe94f82bull, sum = 0;
	for (uint64_t it = 0; it < n; it++) {
		sum = bench_mix(sum, tak(18 + (uint32_t)(it & 1), 12, 6));

		struct tnode *root = 0;
		for (uint32_t i = 0; i < TREE_NODES; i++) {
			pool[i].left = pool[i].right = 0;
			pool[i].key = bench_rand(&rng) >> 40;
			root = insert(root, &pool[i]);
		}
		sum = bench_mix(sum, fold(root, sum));
		sum = bench_mix(sum, depth(root));

		for (uint32_t k = 0; k < 16; k++)
			sum = bench_mix(sum, chain(CHAIN_DEPTH + k, sum));
	}
	return sum;
}
