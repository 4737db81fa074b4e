/* -dtb harness: the blob's header check (fdt/fdt.c) and its placement. */
#include "fdt/fdt.h"
#include "harness.h"
#include "loader/virt.h"
#include <stdlib.h>
#include <string.h>

int harness_dtb(const uint8_t *data, size_t size)
{
	if (!fdt_check_header(data, size))
		return 0;
	/* Accepted: the board copies the whole blob below the end of RAM.
	 * The copy reads `size` bytes, as virt.c does, from a buffer of
	 * exactly that size, so ASan sees any read past it. */
	const uint64_t ram = 16u << 20;
	const uint64_t at = virt_fdt_addr(0x80000000ULL, ram, size);
	if (at < 0x80000000ULL || at + size > 0x80000000ULL + ram)
		abort();
	const uint32_t total =
	    (uint32_t)data[4] << 24 | (uint32_t)data[5] << 16 | (uint32_t)data[6] << 8 | data[7];
	uint8_t *copy = malloc(size);
	if (copy) {
		memcpy(copy, data, size);
		memcpy(copy, data, total); /* totalsize was checked against size */
		free(copy);
	}
	return 0;
}

uint8_t *seed_dtb(unsigned index, size_t *size)
{
	if (index > 0)
		return NULL;
	struct isa isa;
	isa_default(&isa);
	const struct virt_fdt_config c = {.ram_base = 0x80000000ULL,
					  .ram_size = 128u << 20,
					  .nharts = 2,
					  .isa = &isa,
					  .bootargs = "console=ttyS0"};
	return virt_fdt_build(&c, size);
}
