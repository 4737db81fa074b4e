/*
 * bench.h - the contract between a benchmark workload and its two harnesses.
 *
 * A workload is one portable C file under bench/workloads/ that defines
 *
 *     uint64_t workload(uint64_t n);
 *     BENCH_SIZE(full_n);
 *
 * workload(n) must be deterministic and must return the same 64-bit checksum
 * when built for the RISC-V guest (rt/guest.c + rt/start*.S, bare metal on
 * the virt board) and for the host (rt/native.c): fixed-width unsigned
 * integers only, no plain char arithmetic (its signedness differs between
 * RV64 and x86-64), doubles only through + - * / and sqrt (both builds use
 * -ffp-contract=off, so no fused multiply-add changes the rounding).
 *
 * BENCH_SIZE(full_n) records the workload's full-size n (~600-750 million
 * guest instructions). The build scales it: -DBENCH_SCALE=P gives P percent
 * of full_n, -DBENCH_N=K sets n to K outright.
 */
#ifndef RVJIT_BENCH_H
#define RVJIT_BENCH_H

#include <stddef.h>
#include <stdint.h>

#ifndef BENCH_SCALE
#define BENCH_SCALE 100
#endif

#ifdef BENCH_N
#define BENCH_SIZE(full_n) const uint64_t bench_n = (BENCH_N)
#else
#define BENCH_SIZE(full_n)                                                                         \
	const uint64_t bench_n = ((uint64_t)(full_n) * (BENCH_SCALE) / 100 > 0                     \
				      ? (uint64_t)(full_n) * (BENCH_SCALE) / 100                   \
				      : 1)
#endif

/* The iteration count chosen at build time (see BENCH_SIZE). */
extern const uint64_t bench_n;

/* The workload's entry point: run n iterations, return a checksum. */
uint64_t workload(uint64_t n);

/* Keep a function out of line so calls stay calls on both builds. */
#define BENCH_NOINLINE __attribute__((noinline, noclone))

/* xorshift64: the deterministic pseudo-random source every workload uses. */
static inline uint64_t bench_rand(uint64_t *state)
{
	uint64_t x = *state;
	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	*state = x;
	return x;
}

/* A double's bits, for checksums that must match bit for bit. */
static inline uint64_t bench_double_bits(double d)
{
	union {
		double d;
		uint64_t u;
	} v = {d};
	return v.u;
}

/* A 64-bit finaliser (murmur3 fmix64) to fold values into a checksum. */
static inline uint64_t bench_mix(uint64_t h, uint64_t v)
{
	h ^= v + 0x9e3779b97f4a7c15ull + (h << 6) + (h >> 2);
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdull;
	h ^= h >> 33;
	return h;
}

#endif
