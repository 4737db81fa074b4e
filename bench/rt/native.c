/*
 * native.c - the host harness: the same workload built for the host with
 * gcc -O2, timed around the workload() call. Prints the checksum line the
 * guest prints, and "native: seconds=S" on stderr.
 */
#define _POSIX_C_SOURCE 199309L
#include <stdio.h>
#include <time.h>

#include "bench.h"

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

int main(void)
{
	uint64_t n = *(volatile const uint64_t *)&bench_n;
	double t0 = now();
	uint64_t sum = workload(n);
	double t1 = now();
	printf("checksum: 0x%016llx\n", (unsigned long long)sum);
	fprintf(stderr, "native: seconds=%.6f\n", t1 - t0);
	return 0;
}
