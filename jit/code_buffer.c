/* The dual-mapped code buffer (see code_buffer.h). */
#define _GNU_SOURCE
#include "code_buffer.h"
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

bool code_buffer_init(struct code_buffer *cb, size_t size)
{
	memset(cb, 0, sizeof(*cb));
	cb->fd = -1;
	cb->fd = memfd_create("rvjit-code", MFD_CLOEXEC);
	if (cb->fd < 0 || ftruncate(cb->fd, (off_t)size) != 0)
		goto fail;
	cb->rw = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, cb->fd, 0);
	if (cb->rw == MAP_FAILED)
		goto fail;
	cb->rx = mmap(NULL, size, PROT_READ | PROT_EXEC, MAP_SHARED, cb->fd, 0);
	if (cb->rx == MAP_FAILED) {
		munmap(cb->rw, size);
		goto fail;
	}
	cb->size = size;
	return true;
fail:
	perror("rvjit: cannot map the code buffer");
	if (cb->fd >= 0)
		close(cb->fd);
	memset(cb, 0, sizeof(*cb));
	return false;
}

void code_buffer_free(struct code_buffer *cb)
{
	if (!cb->size)
		return;
	munmap(cb->rw, cb->size);
	munmap(cb->rx, cb->size);
	close(cb->fd);
	memset(cb, 0, sizeof(*cb));
}
