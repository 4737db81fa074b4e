/*
 * The translator fuzzer without a fuzzing engine.
 *
 *   fuzz_translator_seeds N SEED [MAX_ITEMS]
 *       generate N programs from seeds SEED, SEED+1, ...; run each
 *       translated and interpreted; on a divergence print the differences
 *       and a minimised reproducer line for test/fuzz/regressions.txt.
 *   fuzz_translator_seeds --replay FILE
 *       run every reproducer line of FILE (the regression test).
 * Exit status 1 when any program diverged.
 */
#include "rvgen.h"
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

static int replay(const char *path)
{
	FILE *f = fopen(path, "r");
	if (!f) {
		perror(path);
		return 2;
	}
	char line[16384];
	unsigned n = 0, bad = 0, lineno = 0;
	static struct rvgen_program p;
	while (fgets(line, sizeof(line), f)) {
		lineno++;
		if (line[0] == '#' || line[0] == '\n')
			continue;
		if (!rvgen_parse(line, &p)) {
			fprintf(stderr, "%s:%u: not a reproducer line\n", path, lineno);
			bad++;
			continue;
		}
		n++;
		if (!rvgen_check(&p, stdout)) {
			printf("FAIL: %s:%u diverges\n", path, lineno);
			bad++;
		}
	}
	fclose(f);
	printf("%u programs replayed, %u failed\n", n, bad);
	return bad ? 1 : 0;
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "--replay"))
		return replay(argv[2]);
	if (argc < 3) {
		fprintf(stderr, "usage: %s N SEED [MAX_ITEMS] | --replay FILE\n", argv[0]);
		return 2;
	}
	const uint64_t n = strtoull(argv[1], NULL, 0), seed0 = strtoull(argv[2], NULL, 0);
	const unsigned max_items = argc > 3 ? (unsigned)strtoul(argv[3], NULL, 0) : 64;
	static struct rvgen_program p;
	unsigned diverged = 0;
	for (uint64_t i = 0; i < n; i++) {
		struct rvgen_rng r;
		rvgen_rng_seed(&r, seed0 + i);
		rvgen_generate(&r, &p, max_items);
		if (rvgen_check(&p, NULL))
			continue;
		diverged++;
		printf("seed %" PRIu64 " diverges (%u items); minimising\n", seed0 + i, p.n);
		rvgen_minimise(&p);
		rvgen_check(&p, stdout);
		printf("reproducer (%u items):\n", p.n);
		rvgen_print(stdout, &p);
		fflush(stdout);
	}
	printf("%" PRIu64 " programs, %u diverged\n", n, diverged);
	return diverged ? 1 : 0;
}
