/*
 * Function symbols for the -d logs (see guest_symbols.h).
 */
#include "guest_symbols.h"
#include <stdlib.h>

static int by_addr(const void *a, const void *b)
{
	const struct guest_symbol *x = a, *y = b;
	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

void guest_symbols_add(struct guest_symbols **list, struct guest_symbol *syms, size_t n)
{
	if (n == 0) {
		free(syms);
		return;
	}
	qsort(syms, n, sizeof(*syms), by_addr);
	for (size_t i = 0; i + 1 < n; i++)
		if (syms[i].size == 0)
			syms[i].size = syms[i + 1].addr - syms[i].addr;
	struct guest_symbols *t = malloc(sizeof(*t));
	if (!t) {
		for (size_t i = 0; i < n; i++)
			free(syms[i].name);
		free(syms);
		return;
	}
	*t = (struct guest_symbols){.syms = syms, .n = n, .next = *list};
	*list = t;
}

static int holds(const void *key, const void *elt)
{
	const uint64_t addr = *(const uint64_t *)key;
	const struct guest_symbol *s = elt;
	if (addr < s->addr)
		return -1;
	return addr - s->addr >= s->size;
}

const char *guest_symbols_lookup(const struct guest_symbols *list, uint64_t addr)
{
	for (; list; list = list->next) {
		const struct guest_symbol *s =
		    bsearch(&addr, list->syms, list->n, sizeof(*list->syms), holds);
		if (s)
			return s->name;
	}
	return "";
}

void guest_symbols_free(struct guest_symbols *list)
{
	while (list) {
		struct guest_symbols *next = list->next;
		for (size_t i = 0; i < list->n; i++)
			free(list->syms[i].name);
		free(list->syms);
		free(list);
		list = next;
	}
}
