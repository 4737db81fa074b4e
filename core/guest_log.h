/*
 * The -d items that describe the guest, in QEMU's layout so that scripts
 * written for QEMU's logs read rvjit's: cpu and fpu, a hart's state before
 * a block runs (QEMU's riscv_cpu_dump_state, target/riscv/cpu.c, for a
 * hart without the H extension); guest_errors, accesses to physical
 * addresses where nothing is (QEMU's memory.c wording).
 */
#ifndef RVJIT_GUEST_LOG_H
#define RVJIT_GUEST_LOG_H

#include "hart.h"
#include <stdbool.h>
#include <stdio.h>

/* pc, the machine and supervisor trap CSRs and satp, the x registers four
 * to a line, and with fpu the f registers too. */
void cpu_log_state(struct hart *h, FILE *f, bool fpu);

/* -d guest_errors: the hart read, wrote or fetched `size` bytes at pa, where
 * no RAM, ROM or device is (it gets an access fault). Logs only when the
 * machine's log_mask has LOG_GUEST_ERRORS. */
void log_invalid_access(struct machine *m, bool write, uint64_t pa, unsigned size);

#endif
