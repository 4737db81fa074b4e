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
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

/* Every mapped page has this bit in m->user_prot (which the MMU ignores),
 * so that a guest PROT_NONE mapping (a guard page, a reservation) is
 * taken, not free. */
#define USER_PROT_MAPPED 0x80
/* A shared mapping ("s" in /proc/self/maps; the MMU ignores it too). */
#define USER_PROT_SHARED 0x40

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

/* Put r in its place among p->regions (sorted by start); with no memory
 * for it (or no name) it is forgotten, its name freed. */
static void regions_insert(struct user_process *p, struct user_region r)
{
	struct user_region *grown =
	    r.name ? realloc(p->regions, (p->nregions + 1) * sizeof(*grown)) : NULL;
	if (!grown) {
		free(r.name);
		return;
	}
	p->regions = grown;
	size_t at = p->nregions;
	while (at > 0 && grown[at - 1].start > r.start) {
		grown[at] = grown[at - 1];
		at--;
	}
	grown[at] = r;
	p->nregions++;
}

/* Forget the names of [addr, addr+len): it was unmapped or mapped over. */
static void regions_remove(struct user_process *p, uint64_t addr, uint64_t len)
{
	const uint64_t end = addr + len;
	size_t out = 0;
	struct user_region tail = {0};
	bool split = false;
	for (size_t i = 0; i < p->nregions; i++) {
		struct user_region r = p->regions[i];
		if (r.end <= addr || r.start >= end) {
			p->regions[out++] = r;
			continue;
		}
		if (r.start < addr && r.end > end) { /* a hole in the middle */
			tail = r;
			tail.offset += end - r.start;
			tail.start = end;
			tail.name = strdup(r.name);
			split = true;
		}
		if (r.start < addr) {
			r.end = addr;
			p->regions[out++] = r;
		} else if (r.end > end) {
			r.offset += end - r.start;
			r.start = end;
			p->regions[out++] = r;
		} else {
			free(r.name);
		}
	}
	p->nregions = out;
	if (split)
		regions_insert(p, tail);
}

void user_name_region(struct user_process *p, uint64_t addr, uint64_t len, const char *name)
{
	regions_remove(p, addr, len);
	regions_insert(
	    p, (struct user_region){.start = addr, .end = addr + len, .name = strdup(name)});
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

/* The part of a file mapping that has file behind it: pages past the end
 * of the file would be a host SIGBUS when touched, so they are mapped
 * anonymous (zeros) instead. Linux would give the guest SIGBUS there. */
static uint64_t file_backed_len(int fd, uint64_t off, uint64_t len)
{
	struct stat st;
	if (fstat(fd, &st) || !S_ISREG(st.st_mode))
		return len; /* devices, memfds of other kinds: as asked */
	const uint64_t size = page_up((uint64_t)st.st_size);
	if (off >= size)
		return 0;
	return size - off < len ? size - off : len;
}

void user_adopt_mapping(struct user_process *p, uint64_t addr, uint64_t len, int prot, bool shared)
{
	user_space_set_prot(p, addr, len, guest_prot_bits(prot) | (shared ? USER_PROT_SHARED : 0));
	range_changed(p, addr, len);
	regions_remove(p, addr, len);
}

int user_map(struct user_process *p, uint64_t addr, uint64_t len, int prot, int flags, int fd,
	     uint64_t off)
{
	if (!range_ok(addr, len))
		return -EINVAL;
	if (fd >= 0) {
		const uint64_t backed = file_backed_len(fd, off, len);
		if (backed < len) {
			const int r = user_map(p, addr + backed, len - backed, prot,
					       (flags & ~MAP_SHARED) | MAP_PRIVATE, -1, 0);
			if (r || !backed)
				return r;
			len = backed;
		}
	}
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
	user_adopt_mapping(p, addr, len, prot, kind == MAP_SHARED);
	char link[64], name[PATH_MAX];
	struct stat st;
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	const ssize_t n = fd >= 0 ? readlink(link, name, sizeof(name) - 1) : -1;
	if (n > 0 && !fstat(fd, &st)) {
		name[n] = 0;
		regions_insert(p, (struct user_region){.start = addr,
						       .end = addr + len,
						       .offset = off,
						       .dev = st.st_dev,
						       .inode = st.st_ino,
						       .name = strdup(name)});
	}
	return 0;
}

int user_unmap(struct user_process *p, uint64_t addr, uint64_t len)
{
	len = page_up(len);
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
	regions_remove(p, addr, len);
	return 0;
}

int user_protect(struct user_process *p, uint64_t addr, uint64_t len, int prot)
{
	len = page_up(len);
	if (addr & PAGE_OFFSET_MASK)
		return -EINVAL;
	if (!len)
		return 0;
	if (!range_ok(addr, len) || !user_range_mapped(p, addr, len))
		return -ENOMEM;
	const unsigned bits = guest_prot_bits(prot);
	for (uint64_t pg = addr >> PAGE_SHIFT; pg < (addr + len) >> PAGE_SHIFT; pg++)
		if (prot_of(p, pg) & ~bits & (USER_PROT_READ | USER_PROT_WRITE | USER_PROT_EXEC)) {
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
	const uint8_t shared = prot_of(p, addr >> PAGE_SHIFT) & USER_PROT_SHARED;
	user_space_set_prot(p, addr, len, bits | shared);
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

uint64_t user_find_room(struct user_process *p, uint64_t len, uint64_t hint)
{
	len = page_up(len);
	if (!len || len > USER_MMAP_TOP - USER_MMAP_MIN)
		return 0;
	if (hint && !(hint & PAGE_OFFSET_MASK) && hint >= USER_MMAP_MIN &&
	    hint <= USER_SPACE_SIZE - len && !range_used(p, hint, len))
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

static const struct user_region *region_at(const struct user_process *p, uint64_t addr)
{
	for (size_t i = 0; i < p->nregions; i++)
		if (addr >= p->regions[i].start && addr < p->regions[i].end)
			return &p->regions[i];
	return NULL;
}

void user_write_maps(const struct user_process *p, int fd)
{
	FILE *f = fdopen(dup(fd), "w");
	if (!f)
		return;
	const uint8_t *prot = p->m->user_prot;
	const uint64_t pages = USER_SPACE_SIZE >> PAGE_SHIFT;
	const uint64_t heap_end = page_up(p->brk);
	/* What a line shows: pages that differ only in bits the guest cannot
	 * see (USER_PROT_FAST_WRITE) are one mapping. */
	const uint8_t shown = USER_PROT_READ | USER_PROT_WRITE | USER_PROT_EXEC | USER_PROT_SHARED;
	for (uint64_t pg = 0; pg < pages;) {
		if (!prot[pg]) {
			/* Skip unmapped stretches a word at a time. */
			uint64_t word;
			while (pg + 8 <= pages && (memcpy(&word, prot + pg, 8), !word))
				pg += 8;
			while (pg < pages && !prot[pg])
				pg++;
			continue;
		}
		const uint64_t start = pg << PAGE_SHIFT;
		const struct user_region *r = region_at(p, start);
		uint64_t end_pg = pg + 1;
		while (end_pg < pages && (prot[end_pg] & shown) == (prot[pg] & shown) &&
		       prot[end_pg] && region_at(p, end_pg << PAGE_SHIFT) == r &&
		       end_pg << PAGE_SHIFT != p->brk_start) /* the heap is a line of its own */
			end_pg++;
		const uint8_t b = prot[pg];
		const uint64_t end = end_pg << PAGE_SHIFT;
		const char *name = r ? r->name : "";
		if (!r && start >= p->brk_start && end <= heap_end && heap_end > p->brk_start)
			name = "[heap]";
		fprintf(f, "%08llx-%08llx %c%c%c%c %08llx %02x:%02x %-10llu %s%s\n",
			(unsigned long long)start, (unsigned long long)end,
			(b & USER_PROT_READ) ? 'r' : '-', (b & USER_PROT_WRITE) ? 'w' : '-',
			(b & USER_PROT_EXEC) ? 'x' : '-', (b & USER_PROT_SHARED) ? 's' : 'p',
			(unsigned long long)(r ? r->offset + (start - r->start) : 0),
			r ? major(r->dev) : 0, r ? minor(r->dev) : 0,
			(unsigned long long)(r ? r->inode : 0), *name ? "               " : "",
			name);
		pg = end_pg;
	}
	fclose(f);
}
