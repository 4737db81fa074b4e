/*
 * The `virt` board: QEMU's memory map, its devices, and how programs are
 * put in place at power-on. Builds a complete machine from the options.
 */
#ifndef RVJIT_VIRT_H
#define RVJIT_VIRT_H

#include "bootrom.h"
#include "core/machine.h"
#include "core/options.h"

#define VIRT_TEST_BASE 0x00100000
#define VIRT_CLINT_BASE 0x02000000
#define VIRT_PLIC_BASE 0x0c000000
#define VIRT_UART0_BASE 0x10000000
#define VIRT_UART0_IRQ 10
#define VIRT_VIRTIO_BASE 0x10001000
#define VIRT_VIRTIO_STRIDE 0x1000
#define VIRT_VIRTIO_COUNT 8
#define VIRT_VIRTIO_IRQ 1 /* slot i uses IRQ 1 + i */
#define VIRT_PLIC_SOURCES 96
#define VIRT_DRAM_BASE 0x80000000ULL
#define VIRT_KERNEL_OFFSET 0x200000 /* -kernel after firmware, as QEMU places it */

struct console;
struct virt_board;

/* Build and load the whole machine. On failure returns NULL after writing
 * one line to err. `console` receives UART output and supplies input. */
struct virt_board *virt_board_new(const struct options *o, struct console *console, char *err,
                                  size_t errlen);
struct machine *virt_board_machine(struct virt_board *b);
/* Flush and close disks, free everything. */
void virt_board_free(struct virt_board *b);
/* Make every completed disk write durable (quit paths call this). */
void virt_board_flush(struct virt_board *b);

#endif
