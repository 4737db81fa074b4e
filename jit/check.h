/*
 * The lockstep check (--check, jit/check.c): every run of translated code,
 * chained blocks and loops included, is compared with the interpreter's
 * result for the same blocks.
 */
#ifndef RVJIT_CHECK_H
#define RVJIT_CHECK_H

#include "translate.h"
#include <stdio.h>

struct jit_check *jit_check_new(bool selftest);
void jit_check_free(struct jit_check *c);

/* Remember the host code size of a block, for the divergence report. */
void jit_check_note_code(struct jit_check *c, uint64_t generation, const void *native, size_t size);

/* Enter b's translated code on h, as the dispatcher would, with the
 * interpreter's result beside it; the run may go on through chained blocks,
 * and takes the blocks it ran from h->budget. Stops the machine with
 * STOP_FATAL and a report on stderr when the two differ. Returns what
 * enter() returned. */
int jit_check_block(struct jit *j, struct hart *h, struct block *b,
		    int (*enter)(struct hart *h, void *code));

/* "N blocks checked, ..." */
void jit_check_summary(const struct jit_check *c, FILE *out);

#endif
