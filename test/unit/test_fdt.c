/* The FDT writer (fdt/fdt.c) against the Devicetree Specification v0.4
 * chapter 5: header fields, token layout, alignment, string sharing. */
#include "fdt/fdt.h"
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* A time limit for every test: a hang fails it instead of stalling the
 * run. */
TestSuite(fdt, .timeout = 60);

Test(fdt, header_describes_the_blocks)
{
	struct fdt f;
	size_t size;
	fdt_init(&f);
	fdt_begin_node(&f, "");
	fdt_prop_u32(&f, "#address-cells", 2);
	fdt_end_node(&f);
	uint8_t *b = fdt_finish(&f, &size);
	cr_assert_not_null(b);
	cr_expect_eq(be32(b + 0), 0xd00dfeed); /* magic */
	cr_expect_eq(be32(b + 4), size);       /* totalsize */
	cr_expect_eq(be32(b + 20), 17);	       /* version */
	cr_expect_eq(be32(b + 24), 16);	       /* last_comp_version */
	const uint32_t off_struct = be32(b + 8), off_strings = be32(b + 12);
	const uint32_t off_rsv = be32(b + 16);
	cr_expect_eq(off_rsv % 8, 0);
	cr_expect_eq(off_struct % 4, 0);
	/* The reservation map is only its {0, 0} terminator. */
	for (int i = 0; i < 16; i++)
		cr_expect_eq(b[off_rsv + i], 0);
	cr_expect_eq(be32(b + 36), off_strings - off_struct); /* size_dt_struct */
	cr_expect_eq(be32(b + 32), size - off_strings);	      /* size_dt_strings */
	/* BEGIN_NODE "" (padded to 4), PROP len=4 nameoff=0 value, END_NODE, END */
	const uint8_t *s = b + off_struct;
	cr_expect_eq(be32(s + 0), 1);
	cr_expect_eq(be32(s + 4), 0);
	cr_expect_eq(be32(s + 8), 3);
	cr_expect_eq(be32(s + 12), 4);
	cr_expect_eq(be32(s + 16), 0);
	cr_expect_eq(be32(s + 20), 2);
	cr_expect_eq(be32(s + 24), 2);
	cr_expect_eq(be32(s + 28), 9);
	cr_expect_str_eq((const char *)b + off_strings, "#address-cells");
	cr_expect(fdt_check_header(b, size));
	free(b);
}

Test(fdt, property_names_are_stored_once)
{
	struct fdt f;
	size_t size;
	fdt_init(&f);
	fdt_begin_node(&f, "");
	for (int i = 0; i < 5; i++) {
		fdt_begin_node_at(&f, "dev", 0x1000 * (uint64_t)i);
		fdt_prop_string(&f, "compatible", "x");
		fdt_prop_reg(&f, 0x1000 * (uint64_t)i, 0x1000);
		fdt_end_node(&f);
	}
	fdt_end_node(&f);
	uint8_t *b = fdt_finish(&f, &size);
	cr_assert_not_null(b);
	cr_expect_eq(be32(b + 32), sizeof("compatible") + sizeof("reg"));
	free(b);
}

Test(fdt, values_are_big_endian_and_padded)
{
	struct fdt f;
	size_t size;
	fdt_init(&f);
	fdt_begin_node(&f, "");
	fdt_prop_u64(&f, "a", 0x0102030405060708ULL);
	fdt_prop_strings(&f, "b", "xy", "z", NULL); /* 5 bytes, padded to 8 */
	fdt_prop_empty(&f, "c");
	fdt_end_node(&f);
	uint8_t *b = fdt_finish(&f, &size);
	cr_assert_not_null(b);
	const uint8_t *s = b + be32(b + 8) + 8; /* after BEGIN_NODE "" */
	cr_expect_eq(be32(s + 4), 8);
	cr_expect_eq(be32(s + 12), 0x01020304);
	cr_expect_eq(be32(s + 16), 0x05060708);
	s += 20;
	cr_expect_eq(be32(s + 4), 5);
	cr_expect_eq(memcmp(s + 12, "xy\0z\0\0\0\0", 8), 0);
	s += 20;
	cr_expect_eq(be32(s), 3);
	cr_expect_eq(be32(s + 4), 0);
	cr_expect_eq(be32(s + 12), 2); /* END_NODE right after the empty value */
	free(b);
}

Test(fdt, unbalanced_nodes_are_refused)
{
	struct fdt f;
	size_t size;
	fdt_init(&f);
	fdt_begin_node(&f, "");
	fdt_begin_node(&f, "open");
	fdt_end_node(&f);
	cr_expect_null(fdt_finish(&f, &size));
	fdt_init(&f);
	fdt_end_node(&f);
	cr_expect_null(fdt_finish(&f, &size));
}

Test(fdt, phandles_are_unique)
{
	struct fdt f;
	fdt_init(&f);
	const uint32_t a = fdt_alloc_phandle(&f), b = fdt_alloc_phandle(&f);
	cr_expect_neq(a, 0);
	cr_expect_neq(a, b);
	fdt_free(&f);
}
