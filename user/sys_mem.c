/*
 * Memory system calls: the heap (brk), mappings (mmap, munmap, mprotect,
 * mremap) kept in the guest's space (user/space.c), and the calls that
 * only advise.
 */
#define _GNU_SOURCE
#include "syscalls.h"
#include <string.h>
#include <sys/mman.h>

static long brk_locked(struct user_process *p, const uint64_t a[6])
{
	/* Linux's answer is always the current break: unchanged when the
	 * request is below the start or cannot be met. */
	const uint64_t want = a[0];
	if (want < p->brk_start || want >= USER_MMAP_MIN + USER_SPACE_SIZE / 2)
		return (long)p->brk;
	const uint64_t old_end = page_up(p->brk), new_end = page_up(want);
	if (new_end > old_end) {
		if (user_find_room(p, new_end - old_end, old_end) != old_end)
			return (long)p->brk;
		if (user_map(p, old_end, new_end - old_end, PROT_READ | PROT_WRITE, MAP_PRIVATE, -1,
			     0))
			return (long)p->brk;
	} else if (new_end < old_end) {
		user_unmap(p, new_end, old_end - new_end);
	}
	p->brk = want;
	return (long)p->brk;
}

static long mmap_locked(struct user_process *p, const uint64_t a[6])
{
	const uint64_t addr = a[0], len = page_up(a[1]), off = a[5];
	const int prot = (int)a[2], flags = (int)a[3];
	const int fd = (flags & MAP_ANONYMOUS) ? -1 : (int)a[4];
	if (!a[1] || !len || (off & PAGE_OFFSET_MASK))
		return -EINVAL;
	const int kind = flags & MAP_SHARED_VALIDATE;
	if (kind != MAP_SHARED && kind != MAP_PRIVATE && kind != MAP_SHARED_VALIDATE)
		return -EINVAL;
	uint64_t at;
	if (flags & (MAP_FIXED | MAP_FIXED_NOREPLACE)) {
		if ((addr & PAGE_OFFSET_MASK) || addr >= USER_SPACE_SIZE ||
		    len > USER_SPACE_SIZE - addr)
			return (flags & MAP_FIXED) ? -EINVAL : -ENOMEM;
		if ((flags & MAP_FIXED_NOREPLACE) && !(flags & MAP_FIXED)) {
			for (uint64_t x = addr; x < addr + len; x += PAGE_SIZE)
				if (user_range_mapped(p, x, 1))
					return -EEXIST;
		}
		at = addr;
	} else {
		at = user_find_room(p, len, addr & ~(uint64_t)PAGE_OFFSET_MASK);
		if (!at)
			return -ENOMEM;
	}
	const int r =
	    user_map(p, at, len, prot, kind == MAP_PRIVATE ? MAP_PRIVATE : MAP_SHARED, fd, off);
	return r ? r : (long)at;
}

static long munmap_locked(struct user_process *p, const uint64_t a[6])
{
	if (a[0] & PAGE_OFFSET_MASK || !a[1])
		return -EINVAL;
	return user_unmap(p, a[0], a[1]);
}

static long mprotect_locked(struct user_process *p, const uint64_t a[6])
{
	return user_protect(p, a[0], a[1], (int)a[2]);
}

/* Move the host pages of [from, from+len) to `to` (free, not overlapping),
 * leaving `from` reserved again. */
static int move_pages(struct user_process *p, uint64_t from, uint64_t old_len, uint64_t to,
		      uint64_t new_len)
{
	uint8_t *ram = p->m->ram;
	user_space_stop_harts(p); /* `from` loses its host pages */
	if (mremap(ram + from, old_len, new_len, MREMAP_MAYMOVE | MREMAP_FIXED, ram + to) ==
	    MAP_FAILED)
		return -errno;
	if (mmap(ram + from, old_len, PROT_NONE,
		 MAP_FIXED | MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0) == MAP_FAILED)
		return -errno;
	return 0;
}

static long mremap_locked(struct user_process *p, const uint64_t a[6])
{
	const uint64_t old = a[0], old_len = page_up(a[1]), new_len = page_up(a[2]);
	const int flags = (int)a[3];
	if ((old & PAGE_OFFSET_MASK) || !new_len || (flags & ~(MREMAP_MAYMOVE | MREMAP_FIXED)) ||
	    ((flags & MREMAP_FIXED) && !(flags & MREMAP_MAYMOVE)))
		return -EINVAL;
	if (!old_len || !user_range_mapped(p, old, old_len))
		return -EFAULT;
	const uint8_t prot = p->m->user_prot[old >> PAGE_SHIFT];
	if (!(flags & MREMAP_FIXED) && new_len <= old_len) {
		if (new_len < old_len)
			user_unmap(p, old + new_len, old_len - new_len);
		return (long)old;
	}
	uint64_t to;
	if (flags & MREMAP_FIXED) {
		to = a[4];
		if ((to & PAGE_OFFSET_MASK) || to >= USER_SPACE_SIZE ||
		    new_len > USER_SPACE_SIZE - to || (to < old + old_len && old < to + new_len))
			return -EINVAL;
		user_unmap(p, to, new_len);
	} else if (old + new_len <= USER_SPACE_SIZE &&
		   user_find_room(p, new_len - old_len, old + old_len) == old + old_len) {
		/* Grow in place: out of the way and back, so the host never
		 * sees a range that is both reserved and mapped. */
		const uint64_t tmp = user_find_room(p, new_len, 0);
		if (!tmp)
			return -ENOMEM;
		int r = move_pages(p, old, old_len, tmp, old_len);
		if (!r)
			r = move_pages(p, tmp, old_len, old, new_len);
		if (r)
			return r;
		user_space_set_prot(p, old + old_len, new_len - old_len, prot);
		return (long)old;
	} else if (!(flags & MREMAP_MAYMOVE)) {
		return -ENOMEM;
	} else if (!(to = user_find_room(p, new_len, 0))) {
		return -ENOMEM;
	}
	const int r = move_pages(p, old, old_len, to, new_len);
	if (r)
		return r;
	/* The pages keep their protection at the new place; the old place
	 * is free (user_unmap also drops what was cached about it). */
	user_space_set_prot(p, to, new_len, prot);
	user_unmap(p, old, old_len);
	return (long)to;
}

/* The calls that change the address space, one thread at a time
 * (space.c). */
static long with_space_lock(struct user_process *p,
			    long (*change)(struct user_process *p, const uint64_t a[6]),
			    const uint64_t a[6])
{
	user_space_lock(p);
	const long r = change(p, a);
	user_space_unlock(p);
	return r;
}

SYSCALL(brk)
{
	(void)t;
	return with_space_lock(p, brk_locked, a);
}

SYSCALL(mmap)
{
	(void)t;
	return with_space_lock(p, mmap_locked, a);
}

SYSCALL(munmap)
{
	(void)t;
	return with_space_lock(p, munmap_locked, a);
}

SYSCALL(mprotect)
{
	(void)t;
	return with_space_lock(p, mprotect_locked, a);
}

SYSCALL(mremap)
{
	(void)t;
	return with_space_lock(p, mremap_locked, a);
}

SYSCALL(madvise)
{
	/* MADV_DONTNEED must zero private anonymous pages, as it does on the
	 * host; the rest only advise. */
	const int advice = (int)a[2];
	if (advice == MADV_DONTNEED || advice == MADV_REMOVE || advice == MADV_FREE) {
		if (!user_range_mapped(p, a[0], a[1]))
			return -ENOMEM;
		return host_result(madvise(p->m->ram + a[0], a[1], advice));
	}
	return 0;
}

SYSCALL(msync)
{
	if (!user_range_mapped(p, a[0], a[1]))
		return -ENOMEM;
	return host_result(msync(p->m->ram + a[0], a[1], (int)a[2]));
}

SYSCALL(mincore)
{
	if ((a[0] & PAGE_OFFSET_MASK) || !user_range_mapped(p, a[0], a[1]))
		return -ENOMEM;
	unsigned char *vec = user_ptr(p, a[2], page_up(a[1]) >> PAGE_SHIFT, USER_PROT_WRITE);
	return vec ? host_result(mincore(p->m->ram + a[0], a[1], vec)) : -EFAULT;
}

SYSCALL(mlock)
{
	return 0;
}

SYSCALL(riscv_flush_icache)
{
	/* Stores to pages holding translated code already drop it. */
	return 0;
}

SYSCALL(membarrier)
{
	/* MEMBARRIER_CMD_QUERY answers "none"; every other command is a
	 * full fence here, which each guest thread's host thread gives. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	return 0;
}
