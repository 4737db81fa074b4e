/*
 * The lockstep check (--check, jit/check.c): every translated block is
 * compared with the interpreter's result for the same block.
 */
#ifndef RVJIT_CHECK_H
#define RVJIT_CHECK_H

#include "translate.h"
#include <stdio.h>

struct jit_check *jit_check_new(bool selftest);
void jit_check_free(struct jit_check *c);

/* Remember the host code size of a block, for the divergence report. */
void jit_check_note_code(struct jit_check *c, uint64_t generation, const void *native, size_t size);

/* Run b (translated) on h with the interpreter's result beside it; stops the
 * machine with STOP_FATAL and a report on stderr when they differ. Returns
 * what enter() returned. */
int jit_check_block(struct jit *j, struct hart *h, struct block *b,
		    int (*enter)(struct hart *h, void *code));

/* "N blocks checked, ..." */
void jit_check_summary(const struct jit_check *c, FILE *out);

#endif
