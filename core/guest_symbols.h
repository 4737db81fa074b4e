/*
 * The function symbols of the loaded ELF images, for the -d logs' block
 * names ("IN: main", "Trace 0: ... main"). QEMU keeps the STT_FUNC symbols
 * of every ELF it loads, sorted by address, and a symbol of size 0 covers
 * up to the next one (hw/core/loader.c, include/hw/elf_ops.h): so do we,
 * so that the same program gets the same names in both logs.
 */
#ifndef RVJIT_GUEST_SYMBOLS_H
#define RVJIT_GUEST_SYMBOLS_H

#include <stddef.h>
#include <stdint.h>

struct guest_symbol {
	uint64_t addr, size;
	char *name;
};

/* One table per loaded image; lookups try the last-loaded first. */
struct guest_symbols {
	struct guest_symbol *syms; /* sorted by addr */
	size_t n;
	struct guest_symbols *next;
};

/* Adopt syms[0..n) (malloc'd, names malloc'd) as a new table at the head
 * of *list: sorts them and gives each size-0 symbol the gap to the next. */
void guest_symbols_add(struct guest_symbols **list, struct guest_symbol *syms, size_t n);

/* The name of the function holding addr, or "" when none does. */
const char *guest_symbols_lookup(const struct guest_symbols *list, uint64_t addr);

void guest_symbols_free(struct guest_symbols *list);

#endif
