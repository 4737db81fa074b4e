/*
 * Signals of the guest process (user/signal.c): the guest's dispositions
 * and mask, synchronous signals from its faults, and delivery on its own
 * stack with riscv64 Linux's signal frame.
 */
#ifndef RVJIT_USER_SIGNAL_H
#define RVJIT_USER_SIGNAL_H

#include "process.h"

/* The guest took exception `cause` (not an ecall) with `tval`: the signal
 * Linux would send for it is raised; with no handler the process dies of
 * it, as under Linux. */
void user_signal_fault(struct user_thread *t, uint64_t cause, uint64_t tval);

/* Run a handler for every pending, unblocked signal: called when the guest
 * leaves a system call or a fault, and between blocks when a host signal
 * arrived. */
void user_signal_deliver(struct user_thread *t);

/* Print QEMU's "uncaught target signal" line and die of host signal sig. */
_Noreturn void user_signal_die(struct user_process *p, int sig);

#endif
