/*
 * FDT writer (see fdt.h). Devicetree Specification v0.4, chapter 5:
 *
 *   header (5.2)           10 big-endian u32 fields, 40 bytes
 *   memory reservations    (5.3) pairs of u64; we write only the
 *                          terminating {0, 0} entry
 *   structure block (5.4)  FDT_BEGIN_NODE name\0 [pad], FDT_PROP len
 *                          nameoff value [pad], FDT_END_NODE, ..., FDT_END
 *   strings block (5.5)    NUL-terminated property names
 *
 * Tokens and property values are 4-byte aligned; the reservation map is
 * 8-byte aligned.
 */
#include "fdt.h"
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum {
	FDT_BEGIN_NODE = 1,
	FDT_END_NODE = 2,
	FDT_PROP = 3,
	FDT_END = 9,
};

#define FDT_HEADER_SIZE 40
#define FDT_RSVMAP_SIZE 16 /* the terminating entry only */

static void put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static uint32_t get_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Append len bytes (data may be NULL for zeros); then pad with zeros to a
 * multiple of 4. */
static void buf_append(struct fdt *f, struct fdt_buf *b, const void *data, size_t len, bool pad)
{
	const size_t total = pad ? (len + 3) & ~(size_t)3 : len;
	if (f->failed)
		return;
	if (b->len + total > b->cap) {
		size_t cap = b->cap ? b->cap : 1024;
		while (cap < b->len + total)
			cap *= 2;
		uint8_t *p = realloc(b->data, cap);
		if (!p) {
			f->failed = true;
			return;
		}
		b->data = p;
		b->cap = cap;
	}
	if (data)
		memcpy(b->data + b->len, data, len);
	else
		memset(b->data + b->len, 0, len);
	memset(b->data + b->len + len, 0, total - len);
	b->len += total;
}

static void put_token(struct fdt *f, uint32_t token)
{
	uint8_t be[4];
	put_be32(be, token);
	buf_append(f, &f->structure, be, 4, false);
}

/* Offset of `name` in the strings block, adding it the first time. */
static uint32_t string_offset(struct fdt *f, const char *name)
{
	const size_t n = strlen(name) + 1;
	for (size_t off = 0; off < f->strings.len; off += strlen((char *)f->strings.data + off) + 1)
		if (!strcmp((char *)f->strings.data + off, name))
			return (uint32_t)off;
	const size_t off = f->strings.len;
	buf_append(f, &f->strings, name, n, false);
	return (uint32_t)off;
}

void fdt_init(struct fdt *f)
{
	memset(f, 0, sizeof(*f));
}

void fdt_free(struct fdt *f)
{
	free(f->structure.data);
	free(f->strings.data);
	memset(f, 0, sizeof(*f));
}

uint32_t fdt_alloc_phandle(struct fdt *f)
{
	return ++f->last_phandle;
}

void fdt_begin_node(struct fdt *f, const char *name)
{
	put_token(f, FDT_BEGIN_NODE);
	buf_append(f, &f->structure, name, strlen(name) + 1, true);
	f->depth++;
}

void fdt_begin_node_at(struct fdt *f, const char *name, uint64_t addr)
{
	char full[128];
	snprintf(full, sizeof(full), "%s@%llx", name, (unsigned long long)addr);
	fdt_begin_node(f, full);
}

void fdt_end_node(struct fdt *f)
{
	if (f->depth == 0) {
		f->failed = true;
		return;
	}
	put_token(f, FDT_END_NODE);
	f->depth--;
}

void fdt_prop(struct fdt *f, const char *name, const void *data, size_t len)
{
	uint8_t head[8];
	put_be32(head, (uint32_t)len);
	put_be32(head + 4, string_offset(f, name));
	put_token(f, FDT_PROP);
	buf_append(f, &f->structure, head, sizeof(head), false);
	buf_append(f, &f->structure, data, len, true);
}

void fdt_prop_empty(struct fdt *f, const char *name)
{
	fdt_prop(f, name, NULL, 0);
}

void fdt_prop_u32(struct fdt *f, const char *name, uint32_t v)
{
	fdt_prop_cells(f, name, &v, 1);
}

void fdt_prop_u64(struct fdt *f, const char *name, uint64_t v)
{
	const uint32_t cells[2] = {(uint32_t)(v >> 32), (uint32_t)v};
	fdt_prop_cells(f, name, cells, 2);
}

void fdt_prop_string(struct fdt *f, const char *name, const char *s)
{
	fdt_prop(f, name, s, strlen(s) + 1);
}

void fdt_prop_strings(struct fdt *f, const char *name, ...)
{
	char list[256];
	size_t len = 0;
	va_list ap;
	va_start(ap, name);
	for (const char *s = va_arg(ap, const char *); s; s = va_arg(ap, const char *)) {
		const size_t n = strlen(s) + 1;
		if (len + n > sizeof(list)) {
			f->failed = true;
			break;
		}
		memcpy(list + len, s, n);
		len += n;
	}
	va_end(ap);
	fdt_prop(f, name, list, len);
}

void fdt_prop_cells(struct fdt *f, const char *name, const uint32_t *cells, size_t n)
{
	/* Short lists on the stack; the interrupt lists of the CLINT and
	 * the PLIC (4 cells a hart) can be longer. */
	uint8_t small[64 * 4] = {0}; /* zeroed: gcc -fsanitize thinks n = 0 reads it */
	uint8_t *be = n <= 64 ? small : malloc(4 * n);
	if (!be) {
		f->failed = true;
		return;
	}
	for (size_t i = 0; i < n; i++)
		put_be32(be + 4 * i, cells[i]);
	fdt_prop(f, name, be, 4 * n);
	if (be != small)
		free(be);
}

void fdt_prop_reg(struct fdt *f, uint64_t base, uint64_t size)
{
	const uint32_t cells[4] = {(uint32_t)(base >> 32), (uint32_t)base, (uint32_t)(size >> 32),
				   (uint32_t)size};
	fdt_prop_cells(f, "reg", cells, 4);
}

uint8_t *fdt_finish(struct fdt *f, size_t *size)
{
	put_token(f, FDT_END);
	if (f->depth != 0)
		f->failed = true;
	const size_t off_rsvmap = FDT_HEADER_SIZE;
	const size_t off_struct = off_rsvmap + FDT_RSVMAP_SIZE;
	const size_t off_strings = off_struct + f->structure.len;
	const size_t total = off_strings + f->strings.len;
	uint8_t *blob = f->failed ? NULL : calloc(1, total);
	if (blob) {
		const uint32_t header[10] = {
		    FDT_MAGIC,
		    (uint32_t)total,
		    (uint32_t)off_struct,
		    (uint32_t)off_strings,
		    (uint32_t)off_rsvmap,
		    FDT_VERSION,
		    FDT_LAST_COMP_VERSION,
		    0, /* boot_cpuid_phys */
		    (uint32_t)f->strings.len,
		    (uint32_t)f->structure.len,
		};
		for (int i = 0; i < 10; i++)
			put_be32(blob + 4 * i, header[i]);
		memcpy(blob + off_struct, f->structure.data, f->structure.len);
		memcpy(blob + off_strings, f->strings.data, f->strings.len);
		*size = total;
	}
	fdt_free(f);
	return blob;
}

bool fdt_check_header(const uint8_t *blob, size_t size)
{
	return size >= FDT_HEADER_SIZE && get_be32(blob) == FDT_MAGIC &&
	       get_be32(blob + 4) >= FDT_HEADER_SIZE && get_be32(blob + 4) <= size &&
	       get_be32(blob + 24) <= FDT_VERSION;
}
