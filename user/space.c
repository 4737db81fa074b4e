/*
 * The guest process's address space: which pages are mapped, with which
 * protections, where new mappings go, and the checks every system call
 * makes on the pointers it is given.
 *
 * Guest pages live in the host's reservation at m->ram (process.h). A
 * mapped page is host-readable and, where the host allows it, writable,
 * whatever the guest asked: the guest's own protections are enforced by
 * m->user_prot, which the soft MMU and user_ptr read, so the emulator can
 * still write translated-code bookkeeping and load segments. A shared
 * file mapping the host cannot make writable (a read-only descriptor)
 * stays read-only on the host, and a guest asking to write it gets
 * EACCES, as from Linux. Unmapped pages are PROT_NONE on the host too.
 *
 * With several threads, each hart caches translations of guest pages to
 * host addresses in its own TLB, which only its own thread may touch. A
 * change that removes a host mapping (munmap, a MAP_FIXED mapping over
 * pages in use, mremap moving pages) or lowers a guest protection must
 * not let another hart go on through a stale entry: that would be a host
 * SIGSEGV, or a store the guest forbade. So, with the changing thread
 * holding space_lock (one change at a time, which also keeps mmap's
 * search for room and brk consistent):
 *  1. before such a change, it stops the harts (user_space_stop_harts): an
 *     exclusive section (core/hart_threads.c) zeroes every hart's budget
 *     and waits until none is inside a quantum. A hart in a system call
 *     is outside its quantum (user/run.c), so a thread blocked in a futex
 *     wait or a read does not hold the change up;
 *  2. it changes the host mapping and m->user_prot, and counts the change
 *     in p->space_gen;
 *  3. it ends the exclusive section (user_space_unlock), and every hart,
 *     its own included, drops its whole TLB before its next quantum
 *     because space_gen moved (user_space_sync). The generation is read
 *     after machine_enter_quantum took m->lock, which the exclusive
 *     section's end released after the count, so no hart misses it.
 * Changes that only add access (a mapping in free space, mprotect
 * raising protections) skip step 1: an older entry can only allow less,
 * and a miss refills from m->user_prot. Without threads there is one hart
 * and it is in the system call: step 3 alone does.
 * A limit: a system call of another thread that copies to or from guest
 * memory itself (not through the host kernel, which gives EFAULT) while
 * the pages are unmapped under it can still fault in the host; Linux
 * serializes this with the mm's lock, which the guest cannot hold here
 * across a blocking call.
 */
#include "core/mmu.h"
#include "core/tb.h"
#include "process.h"
#include <errno.h>
#include <limits.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>

/* Every mapped page has this bit in m->user_prot (which the MMU ignores),
 * so that a guest PROT_NONE mapping (a guard page, a reservation) is
 * taken, not free. */
#define USER_PROT_MAPPED 0x80

static unsigned guest_prot_bits(int prot)
{
	return USER_PROT_MAPPED | ((prot & PROT_READ) ? USER_PROT_READ : 0) |
	       ((prot & PROT_WRITE) ? USER_PROT_WRITE : 0) |
	       ((prot & PROT_EXEC) ? USER_PROT_EXEC : 0);
}

static bool range_ok(uint64_t addr, uint64_t len)
{
	return !(addr & PAGE_OFFSET_MASK) && len && len <= USER_SPACE_SIZE &&
	       addr <= USER_SPACE_SIZE - len;
}

/* The pages' contents or protections changed: forget what was cached
 * about them (translated code now, TLB entries at every hart's next
 * quantum). */
static void range_changed(struct user_process *p, uint64_t addr, uint64_t len)
{
	struct machine *m = p->m;
	for (uint64_t a = addr; a < addr + len; a += PAGE_SIZE)
		if (page_flags_of(m, a >> PAGE_SHIFT) & PAGE_CODE)
			tb_invalidate_page(m, a);
	__atomic_fetch_add(&p->space_gen, 1, __ATOMIC_SEQ_CST);
}

void user_space_lock(struct user_process *p)
{
	pthread_mutex_lock(&p->space_lock);
}

void user_space_unlock(struct user_process *p)
{
	if (p->space_exclusive) {
		p->space_exclusive = false;
		machine_exclusive_end(p->m);
	}
	pthread_mutex_unlock(&p->space_lock);
}

void user_space_stop_harts(struct user_process *p)
{
	if (p->m->threaded && !p->space_exclusive) {
		machine_exclusive_begin(p->m);
		p->space_exclusive = true;
	}
}

void user_space_sync(struct user_thread *t)
{
	const uint64_t gen = __atomic_load_n(&t->p->space_gen, __ATOMIC_ACQUIRE);
	if (gen != t->tlb_gen) {
		tlb_flush_all(t->h);
		t->tlb_gen = gen;
	}
}

/* Does [addr, addr+len) hold a mapped page? */
static bool range_used(const struct user_process *p, uint64_t addr, uint64_t len)
{
	const uint8_t *prot = p->m->user_prot + (addr >> PAGE_SHIFT);
	for (uint64_t i = 0; i < len >> PAGE_SHIFT; i++)
		if (prot[i])
			return true;
	return false;
}

/* Other threads' system calls read m->user_prot meanwhile (user_ptr):
 * written and read as (relaxed) atomics. */
void user_space_set_prot(struct user_process *p, uint64_t addr, uint64_t len, uint8_t bits)
{
	uint8_t *prot = p->m->user_prot + (addr >> PAGE_SHIFT);
	for (uint64_t i = 0; i < len >> PAGE_SHIFT; i++)
		__atomic_store_n(&prot[i], bits, __ATOMIC_RELAXED);
}

static uint8_t prot_of(const struct user_process *p, uint64_t page)
{
	return __atomic_load_n(&p->m->user_prot[page], __ATOMIC_RELAXED);
}

bool user_space_init(struct user_process *p)
{
	p->mmap_hint = USER_MMAP_TOP;
	return pthread_mutex_init(&p->space_lock, NULL) == 0;
}

int user_map(struct user_process *p, uint64_t addr, uint64_t len, int prot, int flags, int fd,
	     uint64_t off)
{
	if (!range_ok(addr, len))
		return -EINVAL;
	if (range_used(p, addr, len))
		user_space_stop_harts(p); /* replaces pages in use */
	uint8_t *host = p->m->ram + addr;
	const int kind = (flags & MAP_SHARED) ? MAP_SHARED : MAP_PRIVATE;
	const int host_flags = MAP_FIXED | kind | (fd < 0 ? MAP_ANONYMOUS | MAP_NORESERVE : 0);
	int host_prot = prot == PROT_NONE ? PROT_NONE : PROT_READ | PROT_WRITE;
	void *r = mmap(host, len, host_prot, host_flags, fd, (off_t)off);
	if (r == MAP_FAILED && errno == EACCES && kind == MAP_SHARED && !(prot & PROT_WRITE)) {
		host_prot = PROT_READ;
		r = mmap(host, len, host_prot, host_flags, fd, (off_t)off);
	}
	if (r == MAP_FAILED)
		return -errno;
	user_space_set_prot(p, addr, len, guest_prot_bits(prot));
	range_changed(p, addr, len);
	return 0;
}

int user_unmap(struct user_process *p, uint64_t addr, uint64_t len)
{
	len = (len + PAGE_OFFSET_MASK) & ~(uint64_t)PAGE_OFFSET_MASK;
	if (!range_ok(addr, len))
		return -EINVAL;
	if (range_used(p, addr, len))
		user_space_stop_harts(p);
	/* Back to reserved: the host memory is released, the space kept. */
	if (mmap(p->m->ram + addr, len, PROT_NONE,
		 MAP_FIXED | MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0) == MAP_FAILED)
		return -errno;
	user_space_set_prot(p, addr, len, 0);
	range_changed(p, addr, len);
	return 0;
}

int user_protect(struct user_process *p, uint64_t addr, uint64_t len, int prot)
{
	len = (len + PAGE_OFFSET_MASK) & ~(uint64_t)PAGE_OFFSET_MASK;
	if (addr & PAGE_OFFSET_MASK)
		return -EINVAL;
	if (!len)
		return 0;
	if (!range_ok(addr, len) || !user_range_mapped(p, addr, len))
		return -ENOMEM;
	const unsigned bits = guest_prot_bits(prot);
	for (uint64_t pg = addr >> PAGE_SHIFT; pg < (addr + len) >> PAGE_SHIFT; pg++)
		if (prot_of(p, pg) & ~bits) {
			user_space_stop_harts(p); /* protections lowered */
			break;
		}
	uint8_t *host = p->m->ram + addr;
	if (prot == PROT_NONE) {
		if (mprotect(host, len, PROT_NONE))
			return -errno;
	} else if (mprotect(host, len, PROT_READ | PROT_WRITE)) {
		if (errno != EACCES || (prot & PROT_WRITE))
			return -errno;
		if (mprotect(host, len, PROT_READ))
			return -errno;
	}
	user_space_set_prot(p, addr, len, bits);
	range_changed(p, addr, len);
	return 0;
}

bool user_range_mapped(const struct user_process *p, uint64_t addr, uint64_t len)
{
	for (uint64_t pg = addr >> PAGE_SHIFT; pg < (addr + len + PAGE_OFFSET_MASK) >> PAGE_SHIFT;
	     pg++)
		if (!prot_of(p, pg))
			return false;
	return true;
}

static bool range_free(const struct user_process *p, uint64_t addr, uint64_t len)
{
	const uint8_t *prot = p->m->user_prot + (addr >> PAGE_SHIFT);
	for (uint64_t i = 0; i < len >> PAGE_SHIFT; i++)
		if (prot[i])
			return false;
	return true;
}

uint64_t user_find_room(struct user_process *p, uint64_t len, uint64_t hint)
{
	len = (len + PAGE_OFFSET_MASK) & ~(uint64_t)PAGE_OFFSET_MASK;
	if (!len || len > USER_MMAP_TOP - USER_MMAP_MIN)
		return 0;
	if (hint && !(hint & PAGE_OFFSET_MASK) && hint >= USER_MMAP_MIN &&
	    hint <= USER_SPACE_SIZE - len && range_free(p, hint, len))
		return hint;
	/* Top-down from the last place found, then once more from the top. */
	for (int pass = 0; pass < 2; pass++) {
		uint64_t top = pass ? USER_MMAP_TOP : p->mmap_hint;
		while (top >= USER_MMAP_MIN + len) {
			const uint64_t a = top - len;
			/* Find the highest taken page in [a, top): start
			 * again below it, or take [a, top). */
			const uint8_t *prot = p->m->user_prot;
			uint64_t pg = top >> PAGE_SHIFT;
			while (pg > a >> PAGE_SHIFT && !prot[pg - 1])
				pg--;
			if (pg == a >> PAGE_SHIFT) {
				p->mmap_hint = a;
				return a;
			}
			top = (pg - 1) << PAGE_SHIFT;
		}
	}
	return 0;
}

void *user_ptr(const struct user_process *p, uint64_t addr, uint64_t len, unsigned prot)
{
	if (!len)
		return p->m->ram + (addr < USER_SPACE_SIZE ? addr : 0);
	if (addr >= USER_SPACE_SIZE || len > USER_SPACE_SIZE - addr)
		return NULL;
	for (uint64_t pg = addr >> PAGE_SHIFT; pg <= (addr + len - 1) >> PAGE_SHIFT; pg++)
		if ((prot_of(p, pg) & prot) != prot)
			return NULL;
	return p->m->ram + addr;
}

const char *user_string(const struct user_process *p, uint64_t addr)
{
	uint64_t a = addr;
	while (a < USER_SPACE_SIZE && (prot_of(p, a >> PAGE_SHIFT) & USER_PROT_READ)) {
		const uint64_t page_end = (a | PAGE_OFFSET_MASK) + 1;
		if (memchr(p->m->ram + a, 0, page_end - a))
			return (const char *)p->m->ram + addr;
		a = page_end;
	}
	return NULL;
}

const char *user_path(const struct user_process *p, const char *path, char *buf, size_t size)
{
	if (!p->sysroot || path[0] != '/')
		return path;
	struct stat st;
	const int n = snprintf(buf, size, "%s%s", p->sysroot, path);
	if (n < 0 || (size_t)n >= size || lstat(buf, &st) != 0)
		return path;
	return buf;
}
