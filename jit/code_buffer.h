/*
 * Memory for generated code, mapped twice: `rw` to write it, `rx` to run
 * it, so no page is ever writable and executable through one mapping. The
 * same offset addresses the same byte in both views, so code is emitted
 * and patched by offset and entered at rx + offset.
 *
 * Both views are one shared anonymous mapping and its alias, not a named
 * file (memfd): profilers take a file-backed mapping for a file and read
 * its symbols from the file, while they look up code in shared anonymous
 * memory (which the kernel names "/dev/zero (deleted)") in the process's
 * /tmp/perf-PID.map, where --perf-map names each translated block.
 * Where that alias is refused (under valgrind), the views are of a memfd.
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
};

bool code_buffer_init(struct code_buffer *cb, size_t size);
void code_buffer_free(struct code_buffer *cb);
/*
 * fork(): the views are shared memory, which stays shared in the child,
 * so parent and child would write their code over each other's. Before
 * the fork, code_buffer_copy makes a new buffer holding the code so far
 * (which the child's block cache matches); after it, the child moves that
 * copy onto its buffer's addresses (code_buffer_adopt) and the parent
 * frees it. Both false with a message when memory cannot be had.
 */
bool code_buffer_copy(const struct code_buffer *cb, struct code_buffer *copy);
bool code_buffer_adopt(struct code_buffer *cb, struct code_buffer *copy);

static inline void *code_buffer_rx(const struct code_buffer *cb, size_t offset)
{
	return cb->rx + offset;
}

static inline size_t code_buffer_offset(const struct code_buffer *cb, const void *rx)
{
	return (size_t)((const uint8_t *)rx - cb->rx);
}

#endif
