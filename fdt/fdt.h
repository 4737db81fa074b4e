/*
 * A flattened device tree (FDT, "DTB") writer, following the Devicetree
 * Specification v0.4, chapter 5 ("Flattened Devicetree (DTB) Format").
 *
 * A tree is written top to bottom, as dtc would print it:
 *
 *     struct fdt f;
 *     fdt_init(&f);
 *     fdt_begin_node(&f, "");                     the root
 *     fdt_prop_u32(&f, "#address-cells", 2);
 *     fdt_begin_node_at(&f, "memory", 0x80000000);
 *     fdt_prop_string(&f, "device_type", "memory");
 *     fdt_prop_reg(&f, 0x80000000, 128 << 20);
 *     fdt_end_node(&f);
 *     fdt_end_node(&f);
 *     uint8_t *blob = fdt_finish(&f, &size);      malloc'd, caller frees
 *
 * Every value is stored big-endian (5.2). Property names go to the strings
 * block once each (5.5): a name used by many nodes costs its bytes once.
 * Memory failures are remembered and reported by fdt_finish, so the
 * writers need no error checks of their own.
 */
#ifndef RVJIT_FDT_H
#define RVJIT_FDT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FDT_MAGIC	      0xd00dfeedu
#define FDT_VERSION	      17
#define FDT_LAST_COMP_VERSION 16

struct fdt_buf {
	uint8_t *data;
	size_t len, cap;
};

struct fdt {
	struct fdt_buf structure; /* the structure block (5.4) */
	struct fdt_buf strings;	  /* the strings block (5.5) */
	int depth;		  /* open nodes */
	uint32_t last_phandle;
	bool failed; /* out of memory, or unbalanced nodes */
};

void fdt_init(struct fdt *f);
/* Free the buffers (fdt_finish does this too). */
void fdt_free(struct fdt *f);

/* A new phandle value, unique within this tree (1, 2, 3, ...). */
uint32_t fdt_alloc_phandle(struct fdt *f);

void fdt_begin_node(struct fdt *f, const char *name);
/* "name@<addr in hex>", the unit-address convention (2.2.1). */
void fdt_begin_node_at(struct fdt *f, const char *name, uint64_t addr);
void fdt_end_node(struct fdt *f);

void fdt_prop(struct fdt *f, const char *name, const void *data, size_t len);
void fdt_prop_empty(struct fdt *f, const char *name);
void fdt_prop_u32(struct fdt *f, const char *name, uint32_t v);
void fdt_prop_u64(struct fdt *f, const char *name, uint64_t v);
void fdt_prop_string(struct fdt *f, const char *name, const char *s);
/* A <stringlist>: the NULL-terminated list of strings, e.g. a compatible
 * with several entries. */
void fdt_prop_strings(struct fdt *f, const char *name, ...);
void fdt_prop_cells(struct fdt *f, const char *name, const uint32_t *cells, size_t n);
/* reg = <base size> with #address-cells = #size-cells = 2. */
void fdt_prop_reg(struct fdt *f, uint64_t base, uint64_t size);

/* The whole blob (header, empty memory reservation map, structure,
 * strings) in a malloc'd buffer; NULL when memory ran out or nodes are not
 * balanced. Frees f's buffers either way. */
uint8_t *fdt_finish(struct fdt *f, size_t *size);

/* Whether `blob` of `size` bytes starts with a plausible FDT header whose
 * totalsize fits; used to check -dtb files. */
bool fdt_check_header(const uint8_t *blob, size_t size);

#endif
