/* mmap: a file mapped MAP_SHARED, changed through the mapping, msync'd and
 * read back with read(); a MAP_PRIVATE mapping of it does not write
 * through; anonymous mmap is zeroed, munmap makes it fault, mremap grows a
 * mapping (moving it if it must) with its contents; mprotect to read-only
 * makes a write fault with SIGSEGV (SEGV_ACCERR) at the address written,
 * and back to read-write lets it succeed. */
#define TEST_NAME "mmap_file"
#include "check.h"

#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <sys/mman.h>
#include <unistd.h>

struct fault {
	volatile uintptr_t addr;
	volatile int code;
	sigjmp_buf jump;
};

/* The SIGSEGV handler reaches main's record through this (set once). */
static struct fault *fault_ptr;

static void on_segv(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	(void)uc;
	fault_ptr->addr = (uintptr_t)si->si_addr;
	fault_ptr->code = si->si_code;
	siglongjmp(fault_ptr->jump, 1);
}

/* Writes one byte at p; returns 1 if it faulted (SIGSEGV). */
static int store_faults(struct fault *f, volatile char *p)
{
	f->addr = 0;
	f->code = 0;
	if (sigsetjmp(f->jump, 1) == 0) {
		*p = 'w';
		return 0;
	}
	return 1;
}

int main(void)
{
	static struct fault fault;
	fault_ptr = &fault;
	const long page = sysconf(_SC_PAGESIZE);
	CHECK(page == 4096, "page size %ld", page);

	/* A 3-page file, mapped shared. */
	const size_t size = 3 * 4096;
	int fd = open("mapped.bin", O_RDWR | O_CREAT | O_TRUNC, 0600);
	CHECK_SYS(fd);
	CHECK_SYS(ftruncate(fd, size));
	CHECK(pwrite(fd, "file start", 10, 0) == 10, "pwrite");
	char *m = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	CHECK(m != MAP_FAILED, "mmap MAP_SHARED: %s", strerror(errno));
	CHECK(((uintptr_t)m & 4095) == 0, "mapping %p is not page aligned", m);
	CHECK(!memcmp(m, "file start", 10), "the mapping does not show the file");
	for (size_t i = 0; i < size; i++)
		m[i] = (char)(i * 7 + 3);
	CHECK_SYS(msync(m, size, MS_SYNC));
	char *back = malloc(size);
	CHECK(pread(fd, back, size, 0) == (ssize_t)size, "pread");
	CHECK(!memcmp(back, m, size), "read() does not see the writes through the mapping");
	/* ... and write() shows in the mapping. */
	CHECK(pwrite(fd, "via write", 9, 5000) == 9, "pwrite");
	CHECK(!memcmp(m + 5000, "via write", 9), "the mapping does not see write()");

	/* An offset mapping of the second page, private: writes stay private. */
	char *priv = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 4096);
	CHECK(priv != MAP_FAILED, "mmap MAP_PRIVATE at offset 4096");
	CHECK(!memcmp(priv + 5000 - 4096, "via write", 9), "offset mapping contents");
	memcpy(priv, "private!", 8);
	CHECK(pread(fd, back, 8, 4096) == 8 && memcmp(back, "private!", 8),
	      "a MAP_PRIVATE write reached the file");
	CHECK(memcmp(m + 4096, "private!", 8), "a MAP_PRIVATE write reached the shared mapping");
	CHECK_SYS(munmap(priv, 4096));
	CHECK_SYS(munmap(m, size));
	CHECK_SYS(close(fd));
	/* The file keeps what was written once unmapped and closed. */
	fd = open("mapped.bin", O_RDONLY);
	CHECK_SYS(fd);
	CHECK(read(fd, back, size) == (ssize_t)size, "read");
	for (size_t i = 0; i < size; i++)
		if (i < 5000 || i >= 5009)
			CHECK(back[i] == (char)(i * 7 + 3), "byte %zu of the file", i);
	CHECK_SYS(close(fd));
	CHECK_SYS(unlink("mapped.bin"));
	free(back);

	struct sigaction sa = {.sa_sigaction = on_segv, .sa_flags = SA_SIGINFO};
	sigemptyset(&sa.sa_mask);
	CHECK_SYS(sigaction(SIGSEGV, &sa, NULL));

	/* Anonymous memory: zero-filled; gone after munmap. */
	size_t asize = 16 * 4096;
	char *a = mmap(NULL, asize, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(a != MAP_FAILED, "anonymous mmap");
	for (size_t i = 0; i < asize; i++)
		CHECK(a[i] == 0, "anonymous byte %zu is %d", i, a[i]);
	for (size_t i = 0; i < asize; i += 8)
		*(uint64_t *)(a + i) = i * 0x9e3779b97f4a7c15ULL;

	/* mremap to 64 pages with MREMAP_MAYMOVE: contents kept, the new part
	 * zeroed and usable. */
	size_t bsize = 64 * 4096;
	char *b = mremap(a, asize, bsize, MREMAP_MAYMOVE);
	CHECK(b != MAP_FAILED, "mremap: %s", strerror(errno));
	for (size_t i = 0; i < asize; i += 8)
		CHECK(*(uint64_t *)(b + i) == i * 0x9e3779b97f4a7c15ULL, "word %zu after mremap",
		      i);
	for (size_t i = asize; i < bsize; i++)
		CHECK(b[i] == 0, "grown byte %zu is %d", i, b[i]);
	memset(b + asize, 0x5a, bsize - asize);
	/* Shrink it in place. */
	CHECK(mremap(b, bsize, 8 * 4096, 0) == b, "mremap shrink moved");
	CHECK(store_faults(&fault, b + 8 * 4096 + 10), "no fault past the shrunk end");
	CHECK(fault.addr == (uintptr_t)(b + 8 * 4096 + 10) && fault.code == SEGV_MAPERR,
	      "si_addr %#lx code %d", (unsigned long)fault.addr, fault.code);

	/* mprotect: read-only faults on write with SEGV_ACCERR, reads work;
	 * read-write again and the store goes through. */
	CHECK_SYS(mprotect(b + 4096, 4096, PROT_READ));
	CHECK(b[4096 + 17] == (char)((4096 + 16) * 0x9e3779b97f4a7c15ULL >> 8),
	      "read of a read-only page");
	CHECK(!store_faults(&fault, b + 4095), "the page before the read-only one faulted");
	CHECK(store_faults(&fault, b + 4096 + 100), "write to a read-only page did not fault");
	CHECK(fault.addr == (uintptr_t)(b + 4096 + 100), "si_addr %#lx, want %p",
	      (unsigned long)fault.addr, (void *)(b + 4096 + 100));
	CHECK(fault.code == SEGV_ACCERR, "si_code %d, want SEGV_ACCERR", fault.code);
	CHECK_SYS(mprotect(b + 4096, 4096, PROT_READ | PROT_WRITE));
	CHECK(!store_faults(&fault, b + 4096 + 100) && b[4096 + 100] == 'w',
	      "write after mprotect read-write");
	/* PROT_NONE: even a read faults. */
	CHECK_SYS(mprotect(b, 4096, PROT_NONE));
	fault.addr = 0;
	if (sigsetjmp(fault.jump, 1) == 0) {
		(void)*(volatile char *)(b + 8);
		FAIL("a read of a PROT_NONE page did not fault");
	}
	CHECK(fault.addr == (uintptr_t)(b + 8) && fault.code == SEGV_ACCERR,
	      "PROT_NONE read: si_addr %#lx code %d", (unsigned long)fault.addr, fault.code);
	CHECK_SYS(munmap(b, 8 * 4096));

	/* MAP_FIXED over part of a mapping replaces just that part. */
	char *c = mmap(NULL, 4 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(c != MAP_FAILED, "mmap");
	memset(c, 1, 4 * 4096);
	char *f = mmap(c + 4096, 4096, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	CHECK(f == c + 4096, "MAP_FIXED at %p gave %p", c + 4096, f);
	CHECK(c[0] == 1 && c[4096] == 0 && c[8191] == 0 && c[8192] == 1, "MAP_FIXED contents");
	CHECK_SYS(munmap(c, 4 * 4096));
	PASS();
	return 0;
}
