/*
 * The command line: QEMU's spelling for what QEMU's virt board users type
 * (`-machine virt -bios none -kernel F -m 128M -smp 3 -nographic ...`), plus
 * `rvjit [options] PROGRAM` and rvjit's own long options.
 */
#ifndef RVJIT_OPTIONS_H
#define RVJIT_OPTIONS_H

#include "chardev.h"
#include "loader/virt.h"
#include "smp.h"
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* -drive's own state beside the board's virt_drive, for checks while
 * parsing. */
struct drive_use {
	bool if_virtio; /* -drive ...,if=virtio: attach to the next free slot */
	bool attached;	/* a -device virtio-blk-device names it */
	bool orphan_ok; /* -hda: QEMU's virt attaches no device to it, silently */
};

/*
 * A device's reference to a backend by id, kept until every option is
 * parsed and then resolved, as QEMU does: `-device X,drive=ID` may come
 * before the `-drive id=ID` it names. Each kind of backend is one row of
 * options.c's backend_kinds table (its key, how to find an id, how to
 * attach a device to it); netdev=, rng= and chardev= become new kinds.
 */
enum backend_kind {
	BACKEND_DRIVE, /* drive=: a -drive id= or a -blockdev node-name= */
	BACKEND_RNG,   /* rng=: an -object rng-random or rng-builtin id= */
	BACKEND_KINDS
};

struct backend_ref {
	enum backend_kind kind;
	char *id;
	char *device;	/* the device as typed ("virtio-blk-device"), for messages */
	int slot;	/* bus=virtio-mmio-bus.N, or -1 */
	int pci_devfn;	/* a -pci device: VIRT_PCI_AUTO or its addr=; 0: virtio-mmio */
	unsigned order; /* the device's place among the virtio devices (slot order) */
	unsigned index; /* rng=: the device's entry in board.rngs */
};

#define MAX_BACKEND_REFS 16

/* One -blockdev node (a basic subset of QEMU's block graph): a protocol
 * node (driver=file,filename=F) or a format node (driver=raw|qcow2) over
 * one, named by file=NODE or given inline as file.driver=file,
 * file.filename=F. */
struct blockdev_node {
	char *node_name;
	char *driver;	/* "file", "raw" or "qcow2" */
	char *filename; /* driver=file (or an inline file.filename=) */
	char *file;	/* a format node's protocol node, by node-name */
	bool readonly;
	bool used; /* a device or a format node refers to it */
};

#define MAX_BLOCKDEVS 16

#define MAX_CHARDEVS 8

/* A network backend as given: -netdev TYPE,id=ID,..., the backend half of
 * -nic, or -net user. `arg` is the text after the option, minus what only
 * the NIC takes; `origin` the option as typed, for messages. */
struct netdev_spec {
	char *id;
	char *type; /* "user" */
	char *arg;
	char *origin;
	bool used; /* a NIC uses it */
};

/* A NIC as given, before its backend is resolved (cli/options_net.c). */
struct nic_use {
	char *netdev_id; /* NULL: the -net user hub */
	char *origin;	 /* the option as typed */
	int netdev;	 /* after parsing: index in netdevs */
};

#define MAX_NETDEVS 4

/* Where -serial or the monitor is, as given: stdio (the shared mux), a
 * chardev by id (chardev:ID, -mon chardev=ID, or the implicit chardev of
 * a legacy form), resolved once every option is parsed. */
struct chardev_use {
	char *ref;    /* chardev id; NULL: stdio */
	char *origin; /* the option as typed, for messages */
};

struct options {
	/* What the board is built from: -bios, -kernel, -append, -initrd,
	 * -dtb, -m, -smp, -global, -drive, -device, -snapshot. A PROGRAM
	 * without -kernel sets kernel (and bios "none"). */
	struct virt_config board;
	struct drive_use drive_use[VIRT_MAX_DRIVES]; /* beside board.drives */
	struct smp_config smp_config;		     /* every -smp, merged */
	struct smp_topology smp;		     /* ... resolved: board.nharts is smp.cpus */
	char *dumpdtb; /* -machine virt,dumpdtb=FILE: write the tree, exit 0 */
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
	bool no_monitor;   /* -monitor none, -nodefaults: no monitor */
	bool no_serial;	   /* -serial none, -nodefaults: the UART has no host end */
	bool serial_given; /* -serial or -monitor given: -nodefaults keeps them */
	bool monitor_given;
	char *name;	  /* -name: the guest's name (`info name`) */
	char *pidfile;	  /* -pidfile FILE: our pid, written at start-up */
	char *loadvm;	  /* -loadvm TAG: start from this snapshot, NULL: power on */
	bool daemonize;	  /* -daemonize: detach once the machine is built */
	bool nographic;	  /* -nographic given (QEMU refuses it with -daemonize) */
	bool no_shutdown; /* -no-shutdown: guest poweroff stops the machine */
	bool nodefaults;  /* -nodefaults: no default serial or monitor */
	struct backend_ref refs[MAX_BACKEND_REFS]; /* resolved after parsing */
	unsigned nrefs;
	unsigned virtio_order; /* virtio devices so far: -device, -drive if=virtio */
	struct blockdev_node blockdevs[MAX_BLOCKDEVS];
	unsigned nblockdevs;
	/* -chardev, the implicit chardevs of -serial/-monitor's legacy forms,
	 * and (last) the stdio mux they share. After parsing, serial_chardev
	 * and monitor_chardev index it, -1 for none (no_serial, no_monitor). */
	struct chardev_spec chardevs[MAX_CHARDEVS];
	unsigned nchardevs;
	struct chardev_use serial_use, monitor_use;
	bool monitor_on_serial; /* -serial mon:X: the monitor shares X unless -monitor/-mon */
	unsigned nmonitors;	/* -monitor options so far (implicit chardev ids) */
	int serial_chardev, monitor_chardev;
	struct netdev_spec netdevs[MAX_NETDEVS];
	unsigned nnetdevs;
	struct nic_use nic_use[VIRT_MAX_NICS]; /* beside board.nics */
	bool net_nic;			       /* -net nic given: it pairs with -net user */
	bool log_help;			       /* -d help: list the log items and exit */
	bool cpu_help;			       /* -cpu help: list the CPU models and exit */
	bool help, version;
};

/* Parse argv into *o. Returns 0, or -1 with one line in err naming the
 * offending option and the reason. Strings in *o are heap copies. */
int options_parse(struct options *o, int argc, char **argv, char *err, size_t errlen);
void options_free(struct options *o);
void options_usage(FILE *out);
/* -d help: the log items, in QEMU's layout. */
void options_log_help(FILE *out);

/* -chardev, -serial, -monitor, -mon (cli/options_chardev.c): 0, or -1
 * with err. options_chardev_complete applies -nodefaults, -daemonize and
 * mon:, then resolves the references into serial_chardev and
 * monitor_chardev. */
int options_chardev(struct options *o, const char *arg, char *err, size_t errlen);
int options_serial(struct options *o, const char *arg, char *err, size_t errlen);
int options_monitor(struct options *o, const char *arg, char *err, size_t errlen);
int options_mon(struct options *o, const char *arg, char *err, size_t errlen);
int options_chardev_complete(struct options *o, char *err, size_t errlen);
void options_chardev_free(struct options *o);

/* -object rng-random|rng-builtin and -device virtio-rng-device
 * (cli/options_rng.c): 0, or -1 with QEMU's message in err. attach
 * resolves an rng= reference once every option is parsed. */
int options_object(struct options *o, const char *arg, char *err, size_t errlen);
int options_rng_device(struct options *o, const char *arg, char *err, size_t errlen);
int options_rng_attach(struct options *o, const struct backend_ref *r, char *err, size_t errlen);
void options_rng_free(struct options *o);

/* Remember that `device` names backend `id` of `kind`, to be resolved
 * once every option is parsed; the ref, or NULL with err. */
/* -device virtio-blk-pci, virtio-net-pci, virtio-rng-pci (options_pci.c):
 * is `arg` one, and parse it. */
bool options_is_pci_device(const char *arg);
int options_pci_device(struct options *o, const char *arg, char *err, size_t errlen);
/* Any other -device (options.c). */
int options_device(struct options *o, const char *arg, char *err, size_t errlen);

struct backend_ref *options_add_backend_ref(struct options *o, enum backend_kind kind,
					    const char *device, const char *id, int slot, char *err,
					    size_t errlen);

/* -netdev, -nic, -net, -device virtio-net-device (cli/options_net.c): 0,
 * or -1 with err. options_net_complete resolves each NIC's backend. */
int options_netdev(struct options *o, const char *arg, char *err, size_t errlen);
int options_nic(struct options *o, const char *arg, char *err, size_t errlen);
int options_net(struct options *o, const char *arg, char *err, size_t errlen);
int options_net_device(struct options *o, const char *arg, char *err, size_t errlen);
int options_net_complete(struct options *o, char *err, size_t errlen);
void options_net_free(struct options *o);

/* Parse a size like 128M, 2G, 64K, 512 (QEMU -m: a bare number is MiB when
 * mib_default). Returns false on garbage or overflow. */
bool options_parse_size(const char *s, bool mib_default, uint64_t *out);

/* The LOG_* mask of a -d list ("in_asm,int"), for the monitor's `log`.
 * False with one line in err on an unknown item. */
bool options_parse_log(const char *list, unsigned *mask, char *err, size_t errlen);

#endif
