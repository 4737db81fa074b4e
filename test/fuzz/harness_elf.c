/* ELF loader harness (loader/elf.c). */
#include "core/machine.h"
#include "harness.h"
#include "loader/loader.h"
#include <stdlib.h>
#include <string.h>

int harness_elf(const uint8_t *data, size_t size)
{
	struct machine *m = machine_new(0x80000000ULL, 1u << 20, 1, 0x80000000ULL);
	if (!m)
		return 0;
	struct load_info info;
	char err[256];
	(void)loader_is_elf(data, size);
	if (load_elf_image(m, data, size, &info, err, sizeof(err)) == 0 && info.high < info.low)
		abort(); /* a loaded image must describe a real range */
	machine_free(m);
	return 0;
}

/* A minimal valid image: one PT_LOAD of code at 0x80000000, and variants
 * with a symbol table (tohost) and with two segments. */
uint8_t *seed_elf(unsigned index, size_t *size)
{
	if (index > 1)
		return NULL;
	const size_t n = 0x200;
	uint8_t *e = calloc(1, n);
	if (!e)
		return NULL;
	memcpy(e,
	       "\x7f"
	       "ELF\x02\x01\x01",
	       7);
	const uint16_t type = 2, machine = 243, ehsize = 64, phentsize = 56, phnum = index ? 2 : 1;
	const uint32_t version = 1;
	const uint64_t entry = 0x80000000ULL, phoff = 64;
	memcpy(e + 16, &type, 2);
	memcpy(e + 18, &machine, 2);
	memcpy(e + 20, &version, 4);
	memcpy(e + 24, &entry, 8);
	memcpy(e + 32, &phoff, 8);
	memcpy(e + 52, &ehsize, 2);
	memcpy(e + 54, &phentsize, 2);
	memcpy(e + 56, &phnum, 2);
	for (unsigned i = 0; i < phnum; i++) {
		uint8_t *ph = e + phoff + 56 * i;
		const uint32_t pt_load = 1, flags = 5;
		const uint64_t off = 0x100 + 0x80 * i, addr = entry + 0x1000 * i, filesz = 0x80,
			       memsz = 0x100, align = 0x1000;
		memcpy(ph, &pt_load, 4);
		memcpy(ph + 4, &flags, 4);
		memcpy(ph + 8, &off, 8);
		memcpy(ph + 16, &addr, 8);
		memcpy(ph + 24, &addr, 8);
		memcpy(ph + 32, &filesz, 8);
		memcpy(ph + 40, &memsz, 8);
		memcpy(ph + 48, &align, 8);
	}
	memset(e + 0x100, 0x13, 0x100);
	*size = n;
	return e;
}
