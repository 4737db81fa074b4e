/*
 * The command line: QEMU's spelling for what QEMU's virt board users type
 * (`-machine virt -bios none -kernel F -m 128M -smp 3 -nographic ...`), plus
 * `rvjit [options] PROGRAM` and rvjit's own long options.
 */
#ifndef RVJIT_OPTIONS_H
#define RVJIT_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define MAX_DRIVES  8
#define MAX_LOADERS 8

struct drive_opt {
	char *file;
	char *id;	/* NULL for if=virtio drives */
	char *format;	/* "raw" or "qcow2"; NULL: probe the file (devices/disk.c) */
	bool if_virtio; /* -drive ...,if=virtio: attach to the next free slot */
	bool readonly;
	bool snapshot;
	int slot; /* virtio-mmio-bus.N from -device, -1 until attached */
	bool attached;
};

struct loader_opt { /* -device loader,file=F,addr=A */
	char *file;
	uint64_t addr;
};

struct options {
	char *bios; /* NULL: "default"; "none"; or a file */
	char *kernel;
	char *append;  /* -append: the kernel command line (/chosen/bootargs) */
	char *initrd;  /* -initrd FILE */
	char *dtb;     /* -dtb FILE: use this device tree instead of ours */
	char *dumpdtb; /* -machine virt,dumpdtb=FILE: write the tree, exit 0 */
	uint64_t ram_size;
	unsigned smp;
	bool virtio_legacy; /* virtio-mmio.force-legacy (QEMU's default: true) */
	unsigned log_mask;
	char *log_file;
	bool interp;	     /* --interp */
	int icount_shift;    /* -icount shift=N: 0..10, -1 when not given */
	bool single_thread;  /* -accel tcg,thread=single / --threads 1: harts
				share one host thread, round-robin */
	bool stats;	     /* --stats: instructions, time and MIPS at exit */
	bool perf_map;	     /* --perf-map: /tmp/perf-PID.map for perf report */
	bool check;	     /* --check: lockstep-compare the translator with the interpreter */
	bool check_selftest; /* --check-selftest (hidden): corrupt one result, for the tests */
	uint64_t jit_cache;  /* --jit-cache, bytes */
	bool no_reboot;
	char *gdb;	   /* -gdb tcp::PORT (-s: tcp::1234), NULL: no stub */
	bool start_paused; /* -S: no hart runs until gdb or the monitor says continue */
	bool no_monitor;   /* -monitor none: Ctrl-a c has no monitor to show */
	bool snapshot;	   /* -snapshot: every drive snapshot=on */
	struct drive_opt drives[MAX_DRIVES];
	unsigned ndrives;
	struct loader_opt loaders[MAX_LOADERS];
	unsigned nloaders;
	bool help, version;
};

/* Parse argv into *o. Returns 0, or -1 with one line in err naming the
 * offending option and the reason. Strings in *o are heap copies. */
int options_parse(struct options *o, int argc, char **argv, char *err, size_t errlen);
void options_free(struct options *o);
void options_usage(FILE *out);

/* Parse a size like 128M, 2G, 64K, 512 (QEMU -m: a bare number is MiB when
 * mib_default). Returns false on garbage or overflow. */
bool options_parse_size(const char *s, bool mib_default, uint64_t *out);

#endif
