/* The dual-mapped code buffer (see code_buffer.h). */
#define _GNU_SOURCE
#include "code_buffer.h"
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

bool code_buffer_init(struct code_buffer *cb, size_t size)
{
	memset(cb, 0, sizeof(*cb));
	cb->rw = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (cb->rw == MAP_FAILED)
		goto fail;
	/* mremap(2): an old size of 0 on a shared mapping maps the same
	 * pages a second time; that view then becomes read-execute. */
	cb->rx = mremap(cb->rw, 0, size, MREMAP_MAYMOVE);
	if (cb->rx == MAP_FAILED) {
		munmap(cb->rw, size);
		goto fail;
	}
	if (mprotect(cb->rx, size, PROT_READ | PROT_EXEC) != 0) {
		munmap(cb->rx, size);
		munmap(cb->rw, size);
		goto fail;
	}
	cb->size = size;
	return true;
fail:
	perror("rvjit: cannot map the code buffer");
	memset(cb, 0, sizeof(*cb));
	return false;
}

void code_buffer_free(struct code_buffer *cb)
{
	if (!cb->size)
		return;
	munmap(cb->rw, cb->size);
	munmap(cb->rx, cb->size);
	memset(cb, 0, sizeof(*cb));
}
