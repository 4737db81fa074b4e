/*
 * hash - hash and checksum arithmetic over a 64 KiB buffer, the inner loops
 * of hash tables, content addressing and network code: FNV-1a (a byte at a
 * time, a multiply per byte), a murmur-style 64-bit block hash (8-byte loads,
 * multiply, rotate, xor-shift), an xxHash-style four-lane stripe hash, and a
 * bitwise CRC-32C (eight shift/mask/xor steps per byte, no table). Integer
 * multiply and shift chains with long dependencies, few branches.
 */
#include "../rt/bench.h"

BENCH_SIZE(400);

#define BUF_BYTES (64u << 10)

static uint8_t buf[BUF_BYTES];

static inline uint64_t rotl64(uint64_t x, unsigned r)
{
	return (x << r) | (x >> (64 - r));
}

/* Little-endian 64-bit load from bytes (both targets are little-endian). */
static inline uint64_t load64(const uint8_t *p)
{
	uint64_t v = 0;
	for (int i = 7; i >= 0; i--)
		v = (v << 8) | p[i];
	return v;
}

static BENCH_NOINLINE uint64_t fnv1a(const uint8_t *p, size_t len)
{
	uint64_t h = 0xcbf29ce484222325ull;
	for (size_t i = 0; i < len; i++)
		h = (h ^ p[i]) * 0x100000001b3ull;
	return h;
}

static BENCH_NOINLINE uint64_t block_hash(const uint8_t *p, size_t len, uint64_t seed)
{
	const uint64_t m = 0xc6a4a7935bd1e995ull;
	uint64_t h = seed ^ (len * m);
	for (size_t i = 0; i + 8 <= len; i += 8) {
		uint64_t k = load64(p + i);
		k *= m;
		k ^= k >> 47;
		k *= m;
		h ^= k;
		h *= m;
	}
	h ^= h >> 47;
	h *= m;
	return h ^ (h >> 47);
}

static BENCH_NOINLINE uint64_t stripe_hash(const uint8_t *p, size_t len, uint64_t seed)
{
	const uint64_t p1 = 0x9e3779b185ebca87ull, p2 = 0xc2b2ae3d27d4eb4full;
	uint64_t v[4] = {seed + p1 + p2, seed + p2, seed, seed - p1};
	for (size_t i = 0; i + 32 <= len; i += 32) {
		for (int lane = 0; lane < 4; lane++) {
			v[lane] += load64(p + i + 8 * lane) * p2;
			v[lane] = rotl64(v[lane], 31) * p1;
		}
	}
	uint64_t h = rotl64(v[0], 1) + rotl64(v[1], 7) + rotl64(v[2], 12) + rotl64(v[3], 18);
	h ^= h >> 33;
	h *= p2;
	return h ^ (h >> 29);
}

static BENCH_NOINLINE uint32_t crc32c(const uint8_t *p, size_t len, uint32_t crc)
{
	crc = ~crc;
	for (size_t i = 0; i < len; i++) {
		crc ^= p[i];
		for (int k = 0; k < 8; k++)
			crc = (crc >> 1) ^ (0x82f63b78u & (0u - (crc & 1)));
	}
	return ~crc;
}

uint64_t workload(uint64_t n)
{
	uint64_t rng = 0x1f83d9abfb41bd6bull, sum = 0;
	for (size_t i = 0; i < BUF_BYTES; i++)
		buf[i] = (uint8_t)(bench_rand(&rng) >> 17);
	for (uint64_t it = 0; it < n; it++) {
		size_t len = BUF_BYTES - (it % 16) * 8;
		sum = bench_mix(sum, fnv1a(buf, len));
		sum = bench_mix(sum, block_hash(buf, len, sum));
		sum = bench_mix(sum, stripe_hash(buf, len, sum));
		sum = bench_mix(sum, crc32c(buf, 8192, (uint32_t)sum));
		buf[(sum >> 20) % BUF_BYTES] ^= (uint8_t)sum;
	}
	return sum;
}
