/* HTIF tohost/fromhost mailbox (see htif.c). */
#ifndef RVJIT_HTIF_H
#define RVJIT_HTIF_H

#include "core/machine.h"

/* Watch `tohost` (and answer in `fromhost`, 0 if none). NULL when tohost is
 * not in RAM. */
struct htif *htif_new(struct machine *m, uint64_t tohost, uint64_t fromhost,
		      void (*putc)(void *opaque, uint8_t byte), void *putc_opaque);
void htif_free(struct htif *hi);

#endif
