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
 * about them (translated code, TLB entries). */
static void range_changed(struct user_process *p, uint64_t addr, uint64_t len)
{
	struct machine *m = p->m;
	for (uint64_t a = addr; a < addr + len; a += PAGE_SIZE)
		if (page_flags_of(m, a >> PAGE_SHIFT) & PAGE_CODE)
			tb_invalidate_page(m, a);
	for (unsigned i = 0; i < m->nharts; i++)
		tlb_flush_all(m->harts[i]);
}

static void set_prot(struct user_process *p, uint64_t addr, uint64_t len, unsigned bits)
{
	memset(p->m->user_prot + (addr >> PAGE_SHIFT), (int)bits, len >> PAGE_SHIFT);
}

bool user_space_init(struct user_process *p)
{
	p->mmap_hint = USER_MMAP_TOP;
	return true;
}

/* The part of a file mapping that has file behind it: pages past the end
 * of the file would be a host SIGBUS when touched, so they are mapped
 * anonymous (zeros) instead. Linux would give the guest SIGBUS there. */
static uint64_t file_backed_len(int fd, uint64_t off, uint64_t len)
{
	struct stat st;
	if (fstat(fd, &st) || !S_ISREG(st.st_mode))
		return len; /* devices, memfds of other kinds: as asked */
	const uint64_t size =
	    ((uint64_t)st.st_size + PAGE_OFFSET_MASK) & ~(uint64_t)PAGE_OFFSET_MASK;
	if (off >= size)
		return 0;
	return size - off < len ? size - off : len;
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
	set_prot(p, addr, len, guest_prot_bits(prot));
	range_changed(p, addr, len);
	return 0;
}

int user_unmap(struct user_process *p, uint64_t addr, uint64_t len)
{
	len = (len + PAGE_OFFSET_MASK) & ~(uint64_t)PAGE_OFFSET_MASK;
	if (!range_ok(addr, len))
		return -EINVAL;
	/* Back to reserved: the host memory is released, the space kept. */
	if (mmap(p->m->ram + addr, len, PROT_NONE,
		 MAP_FIXED | MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0) == MAP_FAILED)
		return -errno;
	set_prot(p, addr, len, 0);
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
	set_prot(p, addr, len, guest_prot_bits(prot));
	range_changed(p, addr, len);
	return 0;
}

bool user_range_mapped(const struct user_process *p, uint64_t addr, uint64_t len)
{
	const uint8_t *prot = p->m->user_prot;
	for (uint64_t pg = addr >> PAGE_SHIFT; pg < (addr + len + PAGE_OFFSET_MASK) >> PAGE_SHIFT;
	     pg++)
		if (!prot[pg])
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
	const uint8_t *table = p->m->user_prot;
	for (uint64_t pg = addr >> PAGE_SHIFT; pg <= (addr + len - 1) >> PAGE_SHIFT; pg++)
		if ((table[pg] & prot) != prot)
			return NULL;
	return p->m->ram + addr;
}

const char *user_string(const struct user_process *p, uint64_t addr)
{
	uint64_t a = addr;
	while (a < USER_SPACE_SIZE && (p->m->user_prot[a >> PAGE_SHIFT] & USER_PROT_READ)) {
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
