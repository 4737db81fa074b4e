/* 8 threads, each a small JIT of its own: it writes RISC-V code into its
 * own RWX page (a function returning a constant, and a loop adding it),
 * clears the instruction cache, runs it, and rewrites it in place with a
 * new constant, over and over, while the other threads do the same on
 * their pages (translated code dropped for one page while other harts run
 * theirs); every call must return what the code written last computes.
 * Half the threads also flip their page to RX and back with mprotect. */
#define TEST_NAME "threads_jit"
#include "check.h"
#include "rv_encode.h"

#include <pthread.h>
#include <stdint.h>
#include <sys/mman.h>
#include <unistd.h>

#define NTHREADS 8
#define ROUNDS	 3000

typedef long (*fn1)(long);

enum { A0 = 10, A1 = 11, A2 = 12, ZERO = 0 };

static void *jit(void *arg)
{
	const long id = (long)arg;
	const long page = sysconf(_SC_PAGESIZE);
	uint32_t *code = mmap(NULL, page, PROT_READ | PROT_WRITE | PROT_EXEC,
			      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(code != MAP_FAILED, "mmap RWX");
	for (int round = 0; round < ROUNDS; round++) {
		const int k = (int)((id * 131 + round * 7) % 2000) - 1000;
		if ((id & 1) && round % 16 == 0)
			CHECK_SYS(mprotect(code, page, PROT_READ | PROT_WRITE));
		/* f(n) = sum of k, n times (n > 0): a2 = 0; loop: a2 += k;
		 * a0 -= 1; bne a0, zero, loop; a0 = a2; ret */
		const uint32_t words[] = {
		    addi(A2, ZERO, 0), addi(A2, A2, k), addi(A0, A0, -1),
		    bne(A0, ZERO, -8), addi(A0, A2, 0), RET,
		};
		memcpy(code, words, sizeof(words));
		__builtin___clear_cache((char *)code, (char *)code + sizeof(words));
		if ((id & 1) && round % 16 == 0)
			CHECK_SYS(mprotect(code, page, PROT_READ | PROT_EXEC | PROT_WRITE));
		const long n = 1 + round % 50;
		const long got = ((fn1)(uintptr_t)code)(n);
		CHECK(got == n * k, "thread %ld round %d: %ld, want %ld", id, round, got, n * k);
	}
	munmap(code, page);
	return (void *)1;
}

int main(void)
{
	pthread_t t[NTHREADS];
	for (long i = 0; i < NTHREADS; i++)
		CHECK(pthread_create(&t[i], NULL, jit, (void *)i) == 0, "create");
	for (int i = 0; i < NTHREADS; i++) {
		void *r;
		pthread_join(t[i], &r);
		CHECK(r == (void *)1, "thread %d", i);
	}
	PASS();
	return 0;
}
