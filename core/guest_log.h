/*
 * The -d items that describe the guest, in QEMU 7.2's layout so that
 * scripts written for QEMU's logs read rvjit's:
 *   in_asm, each block as it is decoded ("----------------", "IN: symbol",
 *     "Priv: P; Virt: 0", one line per instruction, a blank line: QEMU's
 *     translator_loop and riscv_tr_disas_log, with its disassembler's
 *     spelling, core/disasm_qemu.c);
 *   exec, each block as it starts ("Trace N: host [cs_base/pc/flags/cflags]
 *     symbol", accel/tcg/cpu-exec.c);
 *   cpu and fpu, a hart's state before a block runs (riscv_cpu_dump_state,
 *     target/riscv/cpu.c, for a hart without the H extension);
 *   int, each trap as it is taken (riscv_cpu_do_interrupt,
 *     target/riscv/cpu_helper.c);
 *   guest_errors, accesses to physical addresses where nothing is (QEMU's
 *     memory.c wording) and to registers a device does not have;
 *   unimp, the registers a device has but rvjit does not model.
 */
#ifndef RVJIT_GUEST_LOG_H
#define RVJIT_GUEST_LOG_H

#include "hart.h"
#include "op.h"
#include <stdbool.h>
#include <stdio.h>

/* -d in_asm: the n ops of the block at va, decoded in privilege mode priv. */
void log_in_asm(struct machine *m, unsigned priv, uint64_t va, const struct op *ops, unsigned n);

/* -d exec: the hart enters the block at its pc; host is where its code
 * is (translated code, or the interpreter's block). */
void log_exec(struct hart *h, const void *host);

/* pc, the machine and supervisor trap CSRs and satp, the x registers four
 * to a line, and with fpu the f registers too. */
void cpu_log_state(struct hart *h, FILE *f, bool fpu);

/* -d int: the hart takes the trap `cause` (interrupt bit included) at epc. */
void log_trap(struct hart *h, uint64_t cause, uint64_t epc, uint64_t tval);

/* -d guest_errors: the hart read, wrote or fetched `size` bytes at pa, where
 * no RAM, ROM or device is (it gets an access fault). Logs only when the
 * machine's log_mask has LOG_GUEST_ERRORS. */
void log_invalid_access(struct machine *m, bool write, uint64_t pa, unsigned size);

/* A device register access that rvjit ignores (reads as 0, writes dropped),
 * in the words of QEMU's device: with LOG_GUEST_ERRORS for an offset the
 * device does not have, LOG_UNIMP for one it has but rvjit does not model.
 * `what` is the device's own message, e.g. "plic: invalid register read". */
void log_device_access(struct machine *m, unsigned mask, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
