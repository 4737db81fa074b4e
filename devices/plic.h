/*
 * PLIC: the SiFive Platform-Level Interrupt Controller as QEMU's `virt`
 * board maps it at 0x0c000000 (hw/intc/sifive_plic.c, RISC-V PLIC spec
 * 1.0.0). Two contexts per hart: context 2*h is hart h in M-mode and drives
 * its mip.MEIP; context 2*h+1 is S-mode and drives mip.SEIP.
 *
 *   0x000000 + 4*src           priority[src]      0..7; 0 never interrupts
 *   0x001000 + 4*(src/32)      pending bits       read-only
 *   0x002000 + 0x80*ctx        enable bits of ctx
 *   0x200000 + 0x1000*ctx      threshold of ctx   0..7
 *   0x200004 + 0x1000*ctx      claim / complete of ctx
 *
 * Registers take aligned 4-byte accesses only (as in QEMU); anything else,
 * and every reserved offset, reads 0 and ignores writes.
 */
#ifndef RVJIT_PLIC_H
#define RVJIT_PLIC_H

#include "irq.h"
#include <stdbool.h>
#include <stdint.h>

#define PLIC_BASE 0x0c000000ULL
/* QEMU virt maps VIRT_PLIC_SIZE(VIRT_CPUS_MAX * 2) = 0x200000 + 1024 *
 * 0x1000 (hw/riscv/virt.c, 512 harts max), whatever -smp says. */
#define PLIC_SIZE 0x600000ULL
/* QEMU virt's VIRT_IRQCHIP_NUM_SOURCES: ids 1..95, id 0 means "none". */
#define PLIC_VIRT_SOURCES 96
#define PLIC_MAX_SOURCES  1024 /* the PLIC spec's limit */

struct machine;
struct plic;

/* Create a PLIC with `nsources` source ids (id 0 included, so ids 1 ..
 * nsources-1 are usable) and two contexts for each of m's harts, and map it
 * at `base` on m->bus. Returns NULL with a message on failure. */
struct plic *plic_new(struct machine *m, uint64_t base, unsigned nsources);

/* Free a PLIC. Only once its machine no longer runs. */
void plic_free(struct plic *p);

/* Drive the level of interrupt line `irq` (an irq_line `set` function, with
 * the struct plic as opaque). Ids out of range are ignored. Any thread. */
void plic_set_irq(void *plic, unsigned irq, bool level);

/* The irq_line a device uses for source `irq`. */
struct irq_line plic_line(struct plic *p, unsigned irq);

/* Write the PLIC's device-tree node with phandle `phandle`: per hart h
 * (intc[h] its interrupt controller) context 2h drives the M external
 * interrupt (11) and context 2h+1 the S external interrupt (9). */
struct fdt;
void plic_fdt(struct fdt *f, uint64_t base, unsigned nsources, const uint32_t *intc,
	      unsigned nharts, uint32_t phandle);

/* savevm/loadvm (core/vmstate.h): the device's state into or out of the
 * stream; load also re-drives its interrupt lines. */
struct vmstate_out;
struct vmstate_in;
void plic_save(struct plic *d, struct vmstate_out *o);
void plic_load(struct plic *d, struct vmstate_in *in);

#endif
