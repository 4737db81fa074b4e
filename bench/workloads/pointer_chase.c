/*
 * pointer_chase - memory latency: a singly linked list threaded through a
 * random cyclic permutation (Sattolo's algorithm) of 1 Mi 16-byte nodes
 * (16 MiB, past the host's L2), walked with a little hashing
 * per node. Every load depends on the previous one, so the cost per step is
 * a miss in the host cache plus the emulator's software-TLB lookup, which
 * misses too: 4096 pages visited in random order.
 */
#include "../rt/bench.h"

BENCH_SIZE(4000000);

#define NODES (1u << 20)

struct node {
	struct node *next;
	uint64_t value;
};

static struct node nodes[NODES];
static uint32_t perm[NODES];

uint64_t workload(uint64_t n)
{
	uint64_t rng = 0xa4093822299f31d0ull;
	/* Sattolo: a random permutation with exactly one cycle. */
	for (uint32_t i = 0; i < NODES; i++)
		perm[i] = i;
	for (uint32_t i = NODES - 1; i > 0; i--) {
		uint32_t j = (uint32_t)(bench_rand(&rng) % i);
		uint32_t t = perm[i];
		perm[i] = perm[j];
		perm[j] = t;
	}
	for (uint32_t i = 0; i < NODES; i++) {
		nodes[perm[i]].next = &nodes[perm[(i + 1) % NODES]];
		nodes[i].value = bench_rand(&rng);
	}

	const struct node *p = &nodes[perm[0]];
	uint64_t h = 0;
	for (uint64_t step = 0; step < n; step++) {
		uint64_t v = p->value;
		h = (h ^ v) * 0x100000001b3ull;
		h ^= h >> 29;
		p = p->next;
	}
	return bench_mix(h, (uint64_t)(p - nodes));
}
