/*
 * The input harnesses without a fuzzing engine:
 *   fuzz_inputs HARNESS ITERATIONS SEED [FILE...]
 * runs HARNESS (elf, dtb, qcow2, virtio_blk) on its built-in seeds and the
 * given files, then on ITERATIONS mutations of them (bit flips, special
 * values at random offsets, truncation, splices), each in a buffer of
 * exactly its size so the sanitizers see any overrun. A crash or a
 * sanitizer report is the failure; there is nothing else to compare.
 */
#include "harness.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct harness {
	const char *name;
	int (*run)(const uint8_t *, size_t);
	uint8_t *(*seed)(unsigned, size_t *);
};
static const struct harness harnesses[] = {
    {"elf", harness_elf, seed_elf},
    {"dtb", harness_dtb, seed_dtb},
    {"qcow2", harness_qcow2, seed_qcow2},
    {"virtio_blk", harness_virtio_blk, seed_virtio_blk},
};

static uint64_t rnd(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

#define MAX_SEEDS 64

int main(int argc, char **argv)
{
	if (argc < 4) {
		fprintf(stderr, "usage: %s elf|dtb|qcow2|virtio_blk ITERATIONS SEED [FILE...]\n",
			argv[0]);
		return 2;
	}
	const struct harness *h = NULL;
	for (size_t i = 0; i < sizeof(harnesses) / sizeof(harnesses[0]); i++)
		if (!strcmp(argv[1], harnesses[i].name))
			h = &harnesses[i];
	if (!h) {
		fprintf(stderr, "%s: no harness '%s'\n", argv[0], argv[1]);
		return 2;
	}
	const unsigned long iterations = strtoul(argv[2], NULL, 0);
	uint64_t state = strtoull(argv[3], NULL, 0) * 0x9e3779b97f4a7c15ULL | 1;
	uint8_t *seeds[MAX_SEEDS];
	size_t sizes[MAX_SEEDS];
	unsigned n = 0;
	for (unsigned i = 0; n < MAX_SEEDS; i++) {
		if (!(seeds[n] = h->seed(i, &sizes[n])))
			break;
		n++;
	}
	for (int a = 4; a < argc && n < MAX_SEEDS; a++) {
		FILE *f = fopen(argv[a], "rb");
		if (!f) {
			perror(argv[a]);
			return 2;
		}
		fseek(f, 0, SEEK_END);
		const long len = ftell(f);
		rewind(f);
		seeds[n] = malloc(len > 0 ? (size_t)len : 1);
		sizes[n] = fread(seeds[n], 1, len > 0 ? (size_t)len : 0, f);
		fclose(f);
		n++;
	}
	for (unsigned i = 0; i < n; i++)
		h->run(seeds[i], sizes[i]);
	static const uint64_t special[] = {0,
					   1,
					   0x7f,
					   0x80,
					   0xff,
					   0x7fff,
					   0xffff,
					   0x7fffffff,
					   0x80000000,
					   0xffffffff,
					   0xffffffffffffffffULL,
					   0x8000000000000000ULL,
					   0x1000,
					   0xfff};
	for (unsigned long it = 0; it < iterations && n; it++) {
		const unsigned k = (unsigned)(rnd(&state) % n);
		size_t size = sizes[k];
		uint8_t *buf = malloc(size + 16);
		memcpy(buf, seeds[k], size);
		const unsigned edits = 1 + (unsigned)(rnd(&state) % 8);
		for (unsigned e = 0; e < edits && size; e++) {
			const size_t at = (size_t)(rnd(&state) % size);
			switch (rnd(&state) % 5) {
			case 0:
				buf[at] ^= (uint8_t)(1u << (rnd(&state) % 8));
				break;
			case 1:
				buf[at] = (uint8_t)rnd(&state);
				break;
			case 2: {
				const uint64_t v =
				    special[rnd(&state) % (sizeof(special) / sizeof(special[0]))];
				const size_t w = (size_t)1 << (rnd(&state) % 4);
				for (size_t b = 0; b < w && at + b < size;
				     b++) /* either byte order */
					buf[at + b] =
					    (uint8_t)(rnd(&state) & 1 ? v >> (8 * b)
								      : v >> (8 * (w - 1 - b)));
				break;
			}
			case 3:
				size = at;
				break; /* truncate */
			default: {     /* copy a chunk of another seed over */
				const unsigned o = (unsigned)(rnd(&state) % n);
				const size_t from = sizes[o] ? (size_t)(rnd(&state) % sizes[o]) : 0;
				size_t len = (size_t)(rnd(&state) % 64);
				if (from + len > sizes[o])
					len = sizes[o] - from;
				if (at + len > size)
					len = size - at;
				memcpy(buf + at, seeds[o] + from, len);
				break;
			}
			}
		}
		/* Exactly `size` bytes, so any read past the end is an overrun. */
		uint8_t *exact = malloc(size ? size : 1);
		memcpy(exact, buf, size);
		free(buf);
		h->run(exact, size);
		free(exact);
	}
	printf("%s: %u seeds, %lu mutations: no crash\n", h->name, n, iterations);
	for (unsigned i = 0; i < n; i++)
		free(seeds[i]);
	return 0;
}
