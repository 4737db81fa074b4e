/* A program that tries to reach outside its address space: mappings asked
 * for at fixed addresses beyond it (where an emulator's own code and heap
 * live on the host), mremap and brk past its end, system calls handed wild
 * pointers, and plain loads and stores to such addresses. Each must fail as
 * it does on riscv64 Linux (an error, or SIGSEGV for the access), and the
 * program must go on. */
#define TEST_NAME "hostile_space"
#include "check.h"
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

static sigjmp_buf back;
static volatile uintptr_t fault_addr;

static void on_segv(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	(void)uc;
	fault_addr = (uintptr_t)si->si_addr;
	siglongjmp(back, 1);
}

/* Addresses past Sv39's 256 GiB user half: where x86-64 hosts put a PIE's
 * code, its heap, shared libraries and the stack. */
static const uintptr_t beyond[] = {
    (uintptr_t)1 << 38, 0x555555554000ULL,     0x7f0000000000ULL,
    0x7ffffffde000ULL,	0xffffffffff600000ULL,
};

int main(void)
{
	const size_t n = sizeof(beyond) / sizeof(beyond[0]);
	for (size_t i = 0; i < n; i++) {
		void *want = (void *)beyond[i];
		void *got = mmap(want, 4096, PROT_READ | PROT_WRITE,
				 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
		CHECK(got == MAP_FAILED, "MAP_FIXED at %p succeeded", want);
		got = mmap(want, 4096, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
		CHECK(got == MAP_FAILED || got != want, "MAP_FIXED_NOREPLACE at %p gave it", want);
		/* A hint is only a hint: what comes back is inside the space. */
		got = mmap(want, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		CHECK(got != MAP_FAILED && (uintptr_t)got < ((uintptr_t)1 << 38),
		      "hinted mmap at %p gave %p", want, got);
		CHECK_SYS(munmap(got, 4096));
		CHECK(munmap(want, 4096) == -1, "munmap of %p succeeded", want);
		CHECK(mprotect(want, 4096, PROT_READ) == -1, "mprotect of %p succeeded", want);
		/* Wild buffers: -EFAULT, nothing written anywhere. */
		CHECK(syscall(SYS_getcwd, want, 64) == -1 && errno == EFAULT, "getcwd into %p",
		      want);
		CHECK(syscall(SYS_read, 0, want, 1) == -1 && errno == EFAULT, "read into %p", want);
	}
	/* mremap onto or past the end, brk far away. */
	char *m = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(m != MAP_FAILED, "mmap");
	void *moved = mremap(m, 8192, 8192, MREMAP_MAYMOVE | MREMAP_FIXED, (void *)beyond[1]);
	CHECK(moved == MAP_FAILED, "mremap to %p succeeded", (void *)beyond[1]);
	m[0] = 1; /* still there */
	void *old_brk = sbrk(0);
	CHECK(syscall(SYS_brk, beyond[2]) == (long)(uintptr_t)old_brk, "brk to %p moved the break",
	      (void *)beyond[2]);

	/* Plain accesses: SIGSEGV with the address, and the program goes on. */
	struct sigaction sa = {.sa_sigaction = on_segv, .sa_flags = SA_SIGINFO};
	sigemptyset(&sa.sa_mask);
	CHECK_SYS(sigaction(SIGSEGV, &sa, NULL));
	for (size_t i = 0; i < n; i++) {
		volatile uint64_t *p = (volatile uint64_t *)beyond[i];
		if (!sigsetjmp(back, 1)) {
			*p = 0x1234;
			FAIL("a store to %p went through", (void *)p);
		}
		CHECK(fault_addr == beyond[i], "store fault at %p, not %p", (void *)fault_addr,
		      (void *)p);
		if (!sigsetjmp(back, 1)) {
			(void)*p;
			FAIL("a load from %p went through", (void *)p);
		}
		CHECK(fault_addr == beyond[i], "load fault at %p", (void *)fault_addr);
	}
	PASS();
	return 0;
}
