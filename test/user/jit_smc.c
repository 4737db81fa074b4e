/* A small JIT: RISC-V machine code written into an mmap'd RW buffer,
 * turned RX with mprotect, the instruction cache cleared
 * (__builtin___clear_cache: riscv_flush_icache), and called; then new code
 * written at the same address (add becomes sub, then mul) and called
 * again: an emulator that translated the first code must not run it
 * stale. The same on a page kept RWX and rewritten in place, and a loop
 * whose constant is patched between calls. */
#define TEST_NAME "jit_smc"
#include "check.h"
#include "rv_encode.h"

#include <stdint.h>
#include <sys/mman.h>
#include <unistd.h>

typedef long (*fn2)(long, long);

/* RV64 encodings (the RISC-V unprivileged spec, chapter "RV32I"). */
#define ADD_A0_A0_A1 0x00b50533u /* add a0, a0, a1 */
#define SUB_A0_A0_A1 0x40b50533u /* sub a0, a0, a1 */
#define MUL_A0_A0_A1 0x02b50533u /* mul a0, a0, a1 */

static void emit(uint32_t *code, const uint32_t *words, int n)
{
	memcpy(code, words, n * sizeof *words);
	__builtin___clear_cache((char *)code, (char *)(code + n));
}

static long call_many(fn2 f, long a, long b)
{
	long r = 0;
	for (int i = 0; i < 10000; i++) /* hot: a translator will have it compiled */
		r = f(a, b);
	return r;
}

int main(void)
{
	/* W^X: write, mprotect RX, run; mprotect RW, rewrite, RX, run. */
	uint32_t *code =
	    mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(code != MAP_FAILED, "mmap");
	const uint32_t add[] = {ADD_A0_A0_A1, RET};
	emit(code, add, 2);
	CHECK_SYS(mprotect(code, 4096, PROT_READ | PROT_EXEC));
	__builtin___clear_cache((char *)code, (char *)code + 8);
	fn2 f = (fn2)(uintptr_t)code;
	CHECK(call_many(f, 40, 2) == 42, "add(40, 2) = %ld", f(40, 2));

	CHECK_SYS(mprotect(code, 4096, PROT_READ | PROT_WRITE));
	const uint32_t sub[] = {SUB_A0_A0_A1, RET};
	emit(code, sub, 2);
	CHECK_SYS(mprotect(code, 4096, PROT_READ | PROT_EXEC));
	CHECK(call_many(f, 40, 2) == 38, "after rewriting to sub: f(40, 2) = %ld (42: stale add)",
	      f(40, 2));
	CHECK_SYS(munmap(code, 4096));

	/* RWX, rewritten in place with only the cache flush between. */
	code = mmap(NULL, 4096, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1,
		    0);
	CHECK(code != MAP_FAILED, "mmap RWX");
	f = (fn2)(uintptr_t)code;
	emit(code, add, 2);
	CHECK(call_many(f, 7, 6) == 13, "RWX add(7, 6) = %ld", f(7, 6));
	emit(code, sub, 2);
	CHECK(call_many(f, 7, 6) == 1, "RWX sub(7, 6) = %ld", f(7, 6));
	const uint32_t mul[] = {MUL_A0_A0_A1, RET};
	emit(code, mul, 2);
	CHECK(call_many(f, 7, 6) == 42, "RWX mul(7, 6) = %ld", f(7, 6));

	/* A loop: a0 += K, a1 times (a1 > 0); K patched from 3 to 5. The
	 * code runs long enough to be hot before the patch. */
	for (int k = 3; k <= 5; k += 2) {
		const uint32_t loop[] = {
		    addi(5, 0, 0),   /* li t0, 0 */
		    addi(10, 10, k), /* loop: addi a0, a0, K */
		    addi(5, 5, 1),   /* addi t0, t0, 1 */
		    bne(5, 11, -8),  /* bne t0, a1, loop */
		    RET,
		};
		emit(code, loop, 5);
		long r = call_many(f, 1, 1000);
		CHECK(r == 1 + 1000L * k, "loop with K=%d gave %ld, want %ld", k, r, 1 + 1000L * k);
	}

	/* Code written by the guest at a second address, then the first
	 * function patched to jump there (auipc-free: jal with an offset). */
	const uint32_t sub_at_2k[] = {SUB_A0_A0_A1, RET};
	emit(code + 512, sub_at_2k, 2);
	uint32_t jal = 0x6f; /* jal zero, +2048: imm[20|10:1|11|19:12] */
	uint32_t off = 2048;
	jal |= (((off >> 20) & 1) << 31) | (((off >> 1) & 0x3ff) << 21) |
	       (((off >> 11) & 1) << 20) | (((off >> 12) & 0xff) << 12);
	emit(code, &jal, 1);
	CHECK(call_many(f, 50, 8) == 42, "jump to new code: f(50, 8) = %ld", f(50, 8));
	CHECK_SYS(munmap(code, 4096));
	PASS();
	return 0;
}
