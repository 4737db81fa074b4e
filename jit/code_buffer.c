/* The dual-mapped code buffer (see code_buffer.h). */
#define _GNU_SOURCE
#include "code_buffer.h"
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

/* The second way: both views of a memfd. Profilers then read the code as
 * a file's and never look in the perf map, but it runs where the alias
 * of an anonymous mapping is refused (valgrind, for one, rejects mremap
 * with an old size of 0). The views keep the file alive without the fd. */
static bool map_memfd(struct code_buffer *cb, size_t size)
{
	const int fd = memfd_create("rvjit-code", MFD_CLOEXEC);
	if (fd < 0)
		return false;
	bool ok = ftruncate(fd, (off_t)size) == 0;
	if (ok) {
		cb->rw = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
		ok = cb->rw != MAP_FAILED;
	}
	if (ok) {
		cb->rx = mmap(NULL, size, PROT_READ | PROT_EXEC, MAP_SHARED, fd, 0);
		ok = cb->rx != MAP_FAILED;
		if (!ok)
			munmap(cb->rw, size);
	}
	close(fd);
	return ok;
}

static bool map_anonymous(struct code_buffer *cb, size_t size)
{
	cb->rw = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (cb->rw == MAP_FAILED)
		return false;
	/* mremap(2): an old size of 0 on a shared mapping maps the same
	 * pages a second time; that view then becomes read-execute. */
	cb->rx = mremap(cb->rw, 0, size, MREMAP_MAYMOVE);
	if (cb->rx == MAP_FAILED) {
		munmap(cb->rw, size);
		return false;
	}
	if (mprotect(cb->rx, size, PROT_READ | PROT_EXEC) != 0) {
		munmap(cb->rx, size);
		munmap(cb->rw, size);
		return false;
	}
	return true;
}

bool code_buffer_init(struct code_buffer *cb, size_t size)
{
	memset(cb, 0, sizeof(*cb));
	if (!map_anonymous(cb, size) && !map_memfd(cb, size)) {
		perror("rvjit: cannot map the code buffer");
		memset(cb, 0, sizeof(*cb));
		return false;
	}
	cb->size = size;
	return true;
}

bool code_buffer_copy(const struct code_buffer *cb, struct code_buffer *copy)
{
	memset(copy, 0, sizeof(*copy));
	if (!cb->size)
		return true;
	if (!map_anonymous(copy, cb->size) && !map_memfd(copy, cb->size)) {
		perror("rvjit: cannot copy the code buffer");
		return false;
	}
	copy->size = cb->size;
	copy->used = cb->used;
	memcpy(copy->rw, cb->rw, cb->used);
	return true;
}

bool code_buffer_adopt(struct code_buffer *cb, struct code_buffer *copy)
{
	if (!cb->size)
		return true;
	/* Onto the old views' addresses, which every block pointer and
	 * return address uses. */
	if (mremap(copy->rx, cb->size, cb->size, MREMAP_MAYMOVE | MREMAP_FIXED, cb->rx) ==
		MAP_FAILED ||
	    mremap(copy->rw, cb->size, cb->size, MREMAP_MAYMOVE | MREMAP_FIXED, cb->rw) ==
		MAP_FAILED) {
		perror("rvjit: cannot take the code buffer's copy");
		return false;
	}
	memset(copy, 0, sizeof(*copy));
	return true;
}

void code_buffer_free(struct code_buffer *cb)
{
	if (!cb->size)
		return;
	munmap(cb->rw, cb->size);
	munmap(cb->rx, cb->size);
	memset(cb, 0, sizeof(*cb));
}
