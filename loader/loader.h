/*
 * Putting programs into guest memory: ELF64 executables, raw images, the
 * boot ROM. Errors are reported as one line in `err` (no prefix); the
 * caller prints "rvjit: FILE: <err>".
 */
#ifndef RVJIT_LOADER_H
#define RVJIT_LOADER_H

#include "core/machine.h"
#include <stddef.h>
#include <stdint.h>

struct load_info {
	uint64_t entry;	    /* e_entry, or the load address of a raw image */
	uint64_t low, high; /* lowest and one past the highest loaded address */
	uint64_t tohost;    /* address of the `tohost` symbol, 0 if none */
	uint64_t fromhost;  /* address of the `fromhost` symbol, 0 if none */
};

/* True when the first bytes are the ELF magic. */
bool loader_is_elf(const uint8_t *data, size_t size);

/*
 * Load an ELF64 little-endian RISC-V executable (ET_EXEC, or ET_DYN at its
 * link addresses) from memory: every PT_LOAD segment is copied into RAM and
 * its bss zeroed. Rejected with an error: not ELF, wrong class / byte order /
 * machine / type, truncated headers or segment data, p_filesz > p_memsz, a
 * segment outside RAM, segments that overlap each other. Nothing is written
 * to RAM unless the whole file is valid.
 */
int load_elf_image(struct machine *m, const uint8_t *data, size_t size, struct load_info *info,
		   char *err, size_t errlen);

/* Copy a raw image to guest physical address `addr` (must fit in RAM). */
int load_raw_image(struct machine *m, const uint8_t *data, size_t size, uint64_t addr,
		   struct load_info *info, char *err, size_t errlen);

/* Read a whole file into a malloc'd buffer; NULL with err set on failure. */
uint8_t *load_file(const char *path, size_t *size, char *err, size_t errlen);

#endif
