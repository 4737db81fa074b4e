/*
 * A hart that waits for another one gives its host CPU away: the back edge
 * of a polling loop the translator recognises, Zihintpause's pause, and
 * Zawrs's wrs.nto/wrs.sto. None of them changes guest state.
 */
#ifndef RVJIT_SPIN_WAIT_H
#define RVJIT_SPIN_WAIT_H

#include "hart.h"
#include <stdint.h>

/* One iteration of a wait with a thread per hart (m->threaded): now and
 * then yield the host thread, and sleep once the wait has gone on for a
 * while. Without threads it does nothing. */
void hart_spin_wait(struct hart *h);

/* Zawrs: stall while h's reservation is valid and the memory it covers
 * still holds what LR read, no interrupt is pending and enabled in mie
 * (whatever the global enables), and less than bound_ns has passed. Only
 * with a thread per hart and without -icount; otherwise it returns at
 * once, which Zawrs allows ("permitted to occasionally terminate the
 * stall ... for any reason"). */
void hart_wait_on_reservation(struct hart *h, uint64_t bound_ns);

#endif
