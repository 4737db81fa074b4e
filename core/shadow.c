/*
 * The lockstep check's write log (shadow.h): the stores of a shadow run
 * land here instead of in guest memory, and the run's later loads see them
 * over memory. core/mmu.c calls these whenever h->shadow is set.
 */
#include "shadow.h"
#include <string.h>

void shadow_overlay(const struct shadow_log *l, uint64_t pa, uint8_t *buf, unsigned size)
{
	for (unsigned i = 0; i < l->n; i++) {
		const struct shadow_store *s = &l->s[i];
		for (unsigned k = 0; k < s->size; k++) {
			const uint64_t at = s->pa + k;
			if (at >= pa && at - pa < size)
				buf[at - pa] = ((const uint8_t *)&s->data)[k];
		}
	}
}

struct shadow_store *shadow_record(struct shadow_log *l, uint64_t pa, const void *bytes,
				   unsigned size)
{
	if (l->n == SHADOW_MAX_STORES)
		return NULL;
	struct shadow_store *s = &l->s[l->n++];
	s->pa = pa;
	s->size = size;
	s->data = 0;
	memcpy(&s->data, bytes, size);
	return s;
}
