/*
 * libFuzzer entry point of the translator fuzzer: the input bytes are the
 * generator's choices (test/fuzz/rvgen.c), so coverage guidance steers the
 * instruction mix. A divergence between the translated and the interpreted
 * run aborts, and libFuzzer keeps the input.
 *   fuzz_translator -jobs=2 -workers=2 -max_total_time=600 corpus/
 */
#include "rvgen.h"
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct rvgen_program p;
	struct rvgen_rng r;
	rvgen_fork_translated = false;
	rvgen_rng_bytes(&r, data, size);
	rvgen_generate(&r, &p, 64);
	if (!rvgen_check(&p, stderr)) {
		rvgen_minimise(&p);
		fprintf(stderr, "minimised reproducer (for test/fuzz/regressions.txt):\n");
		rvgen_print(stderr, &p);
		abort();
	}
	return 0;
}
