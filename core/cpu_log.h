/*
 * -d cpu and -d fpu: a hart's state before a block runs, in the layout of
 * QEMU's riscv_cpu_dump_state (target/riscv/cpu.c) for a hart without the
 * H extension, so that scripts written for QEMU's logs read rvjit's.
 */
#ifndef RVJIT_CPU_LOG_H
#define RVJIT_CPU_LOG_H

#include "hart.h"
#include <stdbool.h>
#include <stdio.h>

/* pc, the machine and supervisor trap CSRs and satp, the x registers four
 * to a line, and with fpu the f registers too. */
void cpu_log_state(struct hart *h, FILE *f, bool fpu);

#endif
