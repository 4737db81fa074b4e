/*
 * The `virt` board: QEMU's memory map, its devices, and how programs are
 * put in place at power-on. Builds a complete machine from the options.
 */
#ifndef RVJIT_VIRT_H
#define RVJIT_VIRT_H

#include "bootrom.h"
#include "cli/options.h"
#include "core/machine.h"

#define VIRT_TEST_BASE	   0x00100000
#define VIRT_CLINT_BASE	   0x02000000
#define VIRT_PLIC_BASE	   0x0c000000
#define VIRT_UART0_BASE	   0x10000000
#define VIRT_UART0_IRQ	   10
#define VIRT_VIRTIO_BASE   0x10001000
#define VIRT_VIRTIO_STRIDE 0x1000
#define VIRT_VIRTIO_COUNT  8
#define VIRT_VIRTIO_IRQ	   1 /* slot i uses IRQ 1 + i */
#define VIRT_PLIC_SOURCES  96
#define VIRT_DRAM_BASE	   0x80000000ULL
#define VIRT_KERNEL_OFFSET 0x200000 /* -kernel after firmware, as QEMU places it */

struct console;
struct virt_board;

/* What the device tree says beyond the fixed board (loader/virt_fdt.c). */
struct virt_fdt_config {
	uint64_t ram_base, ram_size;
	unsigned nharts;
	const char *bootargs;		   /* /chosen/bootargs, NULL for none */
	uint64_t initrd_start, initrd_end; /* /chosen initrd; end 0 for none */
};

/* The board's flattened device tree, malloc'd; NULL when out of memory. */
uint8_t *virt_fdt_build(const struct virt_fdt_config *c, size_t *size);

/* Where the device tree goes, as QEMU's riscv_load_fdt: the highest 2 MiB
 * boundary that leaves room for it below the end of RAM, or below 3 GiB
 * when RAM goes past that (so 32-bit software can reach it). */
uint64_t virt_fdt_addr(uint64_t ram_base, uint64_t ram_size, uint64_t fdt_size);

/* Build and load the whole machine. On failure returns NULL after writing
 * one line to err. `console` receives UART output and supplies input. */
struct virt_board *virt_board_new(const struct options *o, struct console *console, char *err,
				  size_t errlen);
struct machine *virt_board_machine(struct virt_board *b);
/* Flush and close disks, free everything. */
void virt_board_free(struct virt_board *b);
/* Write the device tree the board passes in a1 to `path` (dumpdtb=). */
int virt_board_dump_dtb(const struct virt_board *b, const char *path, char *err, size_t errlen);
/* Make every completed disk write durable (quit paths call this). */
void virt_board_flush(struct virt_board *b);

#endif
