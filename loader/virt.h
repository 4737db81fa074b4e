/*
 * The `virt` board: QEMU's memory map, its devices, and how programs are
 * put in place at power-on. Builds a complete machine from a plain board
 * description (struct virt_config) and the host end of its serial line
 * (struct virt_serial). It parses no command line and knows no terminal;
 * its error messages name the QEMU option a value comes from (-drive,
 * -dtb, -initrd), since that is what the user typed.
 */
#ifndef RVJIT_VIRT_H
#define RVJIT_VIRT_H

#include "bootrom.h"
#include "core/machine.h"
#include "devices/goldfish_rtc.h"
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define VIRT_TEST_BASE	   0x00100000
#define VIRT_RTC_BASE	   0x00101000
#define VIRT_RTC_IRQ	   11
#define VIRT_CLINT_BASE	   0x02000000
#define VIRT_PLIC_BASE	   0x0c000000
#define VIRT_UART0_BASE	   0x10000000
#define VIRT_UART0_IRQ	   10
#define VIRT_VIRTIO_BASE   0x10001000
#define VIRT_VIRTIO_STRIDE 0x1000
#define VIRT_VIRTIO_COUNT  8
#define VIRT_VIRTIO_IRQ	   1 /* slot i uses IRQ 1 + i */
#define VIRT_PLIC_SOURCES  96
/* rvjit's power button (devices/virtio_input.h), a ninth virtio-mmio
 * transport after QEMU's eight, on an interrupt QEMU's virt leaves free:
 * every address, interrupt and device order QEMU users rely on stays. */
#define VIRT_POWER_BUTTON_BASE 0x10009000
#define VIRT_POWER_BUTTON_IRQ  9
#define VIRT_DRAM_BASE	       0x80000000ULL
#define VIRT_KERNEL_OFFSET     0x200000 /* -kernel after firmware, as QEMU places it */

#define VIRT_PCI_AUTO (-1) /* a virtio-pci device in the first free PCI slot */

#define VIRT_MAX_DRIVES	 8
#define VIRT_MAX_LOADERS 8
#define VIRT_MAX_NICS	 4

/* A virtio-net device and its backend (made by the caller, which frees it
 * after the board). */
struct netdev;
struct virt_nic {
	struct netdev *backend;
	uint8_t mac[6];
	int pci_devfn; /* as virt_drive's */
};

/* A disk image for a virtio-blk device. */
struct virt_drive {
	char *file;
	char *id;     /* the device's serial number (VIRTIO_BLK_T_GET_ID), NULL for none */
	char *format; /* "raw" or "qcow2"; NULL: probe the file (devices/disk.c) */
	bool readonly;
	bool snapshot;	 /* writes stay in memory */
	bool no_locking; /* file.locking=off: the image is not locked against other users */
	int slot;	 /* virtio-mmio slot 0..7, or -1: the free one with the highest address */
	bool no_device;	 /* opened, but no device shows it to the guest (QEMU's -hda on virt) */
	bool blockdev;	 /* from -blockdev, which -snapshot leaves alone (as QEMU's) */
	unsigned order;	 /* its device's place among the virtio devices (slot order) */
	int pci_devfn;	 /* 0: virtio-mmio; VIRT_PCI_AUTO: virtio-pci, first free slot;
			    else virtio-pci at this devfn (slot << 3 | function) */
};

#define VIRT_MAX_RNG_BACKENDS 8

/* An rng backend (-object rng-random or rng-builtin), opened at power-on
 * whether or not a device uses it, as QEMU opens it. */
struct virt_rng_backend {
	char *id;
	char *filename; /* rng-random's file; NULL: rng-builtin (host getrandom) */
};

/* A virtio-rng device (-device virtio-rng-device). */
struct virt_rng {
	int backend; /* in rng_backends; -1: a builtin one of its own (QEMU's default) */
	uint64_t max_bytes;
	uint32_t period_ms;
	int slot;	/* virtio-mmio slot 0..7, or -1 as for drives */
	unsigned order; /* its place among the virtio devices (slot order) */
	int pci_devfn;	/* as virt_drive's */
};

/* A raw file copied to guest memory at power-on (QEMU's generic loader). */
struct virt_loader {
	char *file;
	uint64_t addr;
};

/* What to build: everything the board needs to power on. Strings belong to
 * the caller and must outlive virt_board_new. */
struct virt_config {
	uint64_t ram_size;
	unsigned nharts;
	struct isa isa;	    /* -cpu: the extensions of every hart */
	char *bios;	    /* NULL: "default" (OpenSBI); "none"; or a file */
	char *kernel;	    /* NULL for none */
	char *append;	    /* the kernel command line (/chosen/bootargs), NULL for none */
	char *initrd;	    /* NULL for none; needs a kernel */
	char *dtb;	    /* this device tree instead of ours, NULL for ours */
	bool virtio_legacy; /* virtio-mmio version 1 (QEMU's force-legacy default) */
	bool snapshot;	    /* every drive but -blockdev's snapshot=on */
	struct virt_drive drives[VIRT_MAX_DRIVES];
	unsigned ndrives;
	struct virt_loader loaders[VIRT_MAX_LOADERS];
	unsigned nloaders;
	struct virt_rng_backend rng_backends[VIRT_MAX_RNG_BACKENDS];
	unsigned nrng_backends;
	struct virt_rng rngs[VIRT_VIRTIO_COUNT];
	unsigned nrngs;
	struct virt_nic nics[VIRT_MAX_NICS]; /* after the disks, in the free slots */
	unsigned nnics;
	/* -rtc: what the Goldfish RTC counts */
	struct rtc_config rtc;
	bool no_power_button; /* -machine virt,power-button=off */
};

/* The host end of the board's serial line (the UART, and HTIF's console
 * output). The board calls these from the thread that runs the machine:
 * write takes one guest output byte; peek copies the oldest pending input
 * byte without removing it and returns false when none is pending;
 * consume removes it; flush pushes buffered output out (the board calls it
 * whenever it polls devices, and before it closes). */
struct virt_serial {
	void *opaque;
	void (*write)(void *opaque, uint8_t byte);
	bool (*peek)(void *opaque, uint8_t *byte);
	void (*consume)(void *opaque);
	void (*flush)(void *opaque);
	/* A break at the head of the input (nothing before it left to
	 * peek): true once per break. NULL: the line never breaks. */
	bool (*take_break)(void *opaque);
};

struct virt_board;

/* What the device tree says beyond the fixed board (loader/virt_fdt.c). */
struct virt_fdt_config {
	uint64_t ram_base, ram_size;
	unsigned nharts;
	const struct isa *isa;
	const char *bootargs;		   /* /chosen/bootargs, NULL for none */
	uint64_t initrd_start, initrd_end; /* /chosen initrd; end 0 for none */
	bool power_button;		   /* the node of VIRT_POWER_BUTTON_BASE */
};

/* The board's flattened device tree, malloc'd; NULL when out of memory. */
uint8_t *virt_fdt_build(const struct virt_fdt_config *c, size_t *size);

/* Where the device tree goes, as QEMU's riscv_load_fdt: the highest 2 MiB
 * boundary that leaves room for it below the end of RAM, or below 3 GiB
 * when RAM goes past that (so 32-bit software can reach it). */
uint64_t virt_fdt_addr(uint64_t ram_base, uint64_t ram_size, uint64_t fdt_size);

/* Build and load the whole machine. On failure returns NULL after writing
 * one line to err. `serial` (copied) receives UART and HTIF output and
 * supplies UART input. */
struct virt_board *virt_board_new(const struct virt_config *c, const struct virt_serial *serial,
				  char *err, size_t errlen);
struct machine *virt_board_machine(struct virt_board *b);
/* Flush and close disks, free everything. */
void virt_board_free(struct virt_board *b);
/* Write the device tree the board passes in a1 to `path` (dumpdtb=). */
int virt_board_dump_dtb(const struct virt_board *b, const char *path, char *err, size_t errlen);
/* QEMU's `commit` (the monitor's, and C-a s for all): write the guest's
 * writes to a snapshot=on drive into its image; id names the drive (its
 * -drive id= or -blockdev node-name=), NULL all of them. -1 with QEMU's
 * message in err (no such drive, or the first failure); a drive that
 * failed keeps its writes in memory. */
int virt_board_commit(struct virt_board *b, const char *id, char *err, size_t errlen);
/* savevm/loadvm: the whole machine's state (core/vmstate.h), the
 * devices' after the machine's. Harts parked; a load's layout is checked
 * first (vmstate_same_layout against a save). */
struct vmstate_out;
struct vmstate_in;
void virt_board_save_state(struct virt_board *b, struct vmstate_out *o);
void virt_board_load_state(struct virt_board *b, struct vmstate_in *in);
/* Drive i of VIRT_MAX_DRIVES: its open device (NULL: none) and the name
 * the monitor gives it (its id, else its file). False past the last. */
struct block_dev;
bool virt_board_drive(struct virt_board *b, unsigned i, struct block_dev **dev, const char **name);
/* `info pci`: the PCIe functions in QEMU's layout, a line at a time. */
void virt_board_pci_info(struct virt_board *b, void (*out)(void *opaque, const char *line),
			 void *opaque);
/* The monitor's system_powerdown: press the power button. False when the
 * board has none (power-button=off) or the press was dropped (too many
 * presses wait for the guest). */
bool virt_board_powerdown(struct virt_board *b);
/* Make every completed disk write durable (quit paths call this). */
void virt_board_flush(struct virt_board *b);

#endif
