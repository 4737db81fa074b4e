/* Many distinct pieces of code, each run and then run again: with a small
 * translated-code buffer (rvjit-user --jit-cache 1M, test
 * user_code_flush_small_cache) the buffer fills and is flushed many
 * times over, and every function must still give its own answer, the
 * ones translated before a flush as well as after. */
#define TEST_NAME "code_flush"
#include "check.h"
#include "rv_encode.h"
#include <stdint.h>
#include <sys/mman.h>

#define FUNCS 6000 /* 16 bytes each */

int main(void)
{
	uint32_t *code =
	    mmap(NULL, FUNCS * 16, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(code != MAP_FAILED, "mmap");
	/* Function i adds i % 2000 - 1000 twice: four words, its own block. */
	for (int i = 0; i < FUNCS; i++) {
		code[4 * i] = addi(10, 10, i % 2000 - 1000);
		code[4 * i + 1] = addi(10, 10, i % 2000 - 1000);
		code[4 * i + 2] = RET;
		code[4 * i + 3] = RET;
	}
	CHECK_SYS(mprotect(code, FUNCS * 16, PROT_READ | PROT_EXEC));
	__builtin___clear_cache((char *)code, (char *)(code + 4 * FUNCS));
	for (int round = 0; round < 3; round++) {
		for (int i = 0; i < FUNCS; i++) {
			long (*f)(long) = (long (*)(long))(void *)(code + 4 * i);
			const long want = 7 + 2 * (i % 2000 - 1000);
			const long got = f(7);
			CHECK(got == want, "round %d, function %d gave %ld, not %ld", round, i, got,
			      want);
		}
	}
	PASS();
	return 0;
}
