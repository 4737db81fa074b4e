/*
 * CLINT: the SiFive Core Local Interruptor as QEMU's `virt` board maps it at
 * 0x02000000 (QEMU builds it from an ACLINT MSWI + MTIMER pair with the
 * legacy SiFive layout, hw/intc/riscv_aclint.c):
 *
 *   0x0000 + 4*hart   msip[hart]      bit 0 drives mip.MSIP of that hart
 *   0x4000 + 8*hart   mtimecmp[hart]  64 bits; mip.MTIP = mtime >= mtimecmp
 *   0xbff8            mtime           10 MHz, read-only here (see clint.c)
 *
 * msip takes 4-byte accesses; mtimecmp and mtime take 8-byte accesses or
 * 4-byte accesses to either half (32-bit software). Anything else reads 0
 * and is ignored on write.
 */
#ifndef RVJIT_CLINT_H
#define RVJIT_CLINT_H

#include <stdint.h>

#define CLINT_BASE 0x02000000ULL
#define CLINT_SIZE 0x10000ULL

struct machine;
struct clint;

/* Create the CLINT for every hart of `m`, map it at `base` on m->bus and
 * register its timer poller. Returns NULL with a message on failure. */
struct clint *clint_new(struct machine *m, uint64_t base);

/* Free a CLINT. Only once its machine no longer runs: the bus and poller
 * tables still point to it. */
void clint_free(struct clint *c);

/* Write the CLINT's device-tree node (QEMU virt's "sifive,clint0"):
 * interrupts-extended names each hart's M software (3) and M timer (7)
 * interrupt; intc[h] is the phandle of hart h's interrupt controller. */
struct fdt;
void clint_fdt(struct fdt *f, uint64_t base, const uint32_t *intc, unsigned nharts);

/* savevm/loadvm (core/vmstate.h): the device's state into or out of the
 * stream; load also re-drives its interrupt lines. */
struct vmstate_out;
struct vmstate_in;
void clint_save(struct clint *d, struct vmstate_out *o);
void clint_load(struct clint *d, struct vmstate_in *in);

#endif
