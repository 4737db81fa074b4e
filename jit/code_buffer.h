/*
 * Memory for generated code, mapped twice: `rw` to write it, `rx` to run
 * it. The same offset addresses the same byte in both views, so code is
 * emitted and patched by offset and entered at rx + offset.
 */
#ifndef RVJIT_CODE_BUFFER_H
#define RVJIT_CODE_BUFFER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct code_buffer {
	uint8_t *rw;
	uint8_t *rx;
	size_t size;
	size_t used;
	int fd;
};

bool code_buffer_init(struct code_buffer *cb, size_t size);
void code_buffer_free(struct code_buffer *cb);

static inline void *code_buffer_rx(const struct code_buffer *cb, size_t offset)
{
	return cb->rx + offset;
}

static inline size_t code_buffer_offset(const struct code_buffer *cb, const void *rx)
{
	return (size_t)((const uint8_t *)rx - cb->rx);
}

#endif
