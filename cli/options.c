/*
 * Command-line parsing (see options.h), from one table: each option's
 * name, whether it takes an argument, its handler and its --help entry.
 * A handler applies one option to struct options, or writes one line
 * naming the option and the reason to err and returns -1.
 */
#include "options.h"
#include "core/errmsg.h"
#include "core/machine.h"
#include "qemu_syntax.h"
#include "smp.h"
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

bool options_parse_size(const char *s, bool mib_default, uint64_t *out)
{
	char *end;
	if (!s || !isdigit((unsigned char)*s))
		return false;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 0);
	if (errno)
		return false;
	unsigned shift = mib_default ? 20 : 0;
	if (*end) {
		switch (toupper((unsigned char)*end)) {
		case 'B':
			shift = 0;
			break;
		case 'K':
			shift = 10;
			break;
		case 'M':
			shift = 20;
			break;
		case 'G':
			shift = 30;
			break;
		case 'T':
			shift = 40;
			break;
		default:
			return false;
		}
		end++;
		if (*end == 'i' || *end == 'B')
			end++;
		if (*end)
			return false;
	}
	if (shift && v > (UINT64_MAX >> shift))
		return false;
	*out = (uint64_t)v << shift;
	return true;
}

/* Split an "a=b,c,d=e" list in place into up to max pairs (val NULL for a
 * key without "="); returns how many. */
struct kv {
	char *key, *val;
};
#define MAX_KV 16

static int split_kv(char *s, struct kv *kv, int max)
{
	int n = 0;
	for (char *tok = strtok(s, ","); tok && n < max; tok = strtok(NULL, ",")) {
		char *eq = strchr(tok, '=');
		kv[n].key = tok;
		kv[n].val = NULL;
		if (eq) {
			*eq = '\0';
			kv[n].val = eq + 1;
		}
		n++;
	}
	return n;
}

static void set_str(char **dst, const char *v)
{
	free(*dst);
	*dst = strdup(v);
}

/* -d's items: QEMU's names, and QEMU 7.2's help text for them, in its
 * order (core/guest_log.h has what each logs). */
static const struct log_item {
	const char *name;
	unsigned mask;
	const char *help;
} log_items[] = {
    {"out_asm", LOG_OUT_ASM, "show generated host assembly code for each compiled TB"},
    {"in_asm", LOG_IN_ASM, "show target assembly code for each compiled TB"},
    {"int", LOG_INT, "show interrupts/exceptions in short format"},
    {"exec", LOG_EXEC, "show trace before each executed TB (lots of logs)"},
    {"cpu", LOG_CPU, "show CPU registers before entering a TB (lots of logs)"},
    {"fpu", LOG_FPU, "include FPU registers in the 'cpu' logging"},
    {"unimp", LOG_UNIMP, "log unimplemented functionality"},
    {"guest_errors", LOG_GUEST_ERRORS,
     "log when the guest OS does something invalid (eg accessing a\nnon-existent register)"},
    {"page", LOG_PAGE, "dump pages at beginning of user mode emulation"},
    {"nochain", LOG_NOCHAIN,
     "do not chain compiled TBs so that \"exec\" and \"cpu\" show\ncomplete traces"},
};

/* QEMU's items that rvjit lacks: refused by name with the reason, rather
 * than accepted and ignored. */
static const struct {
	const char *name, *why;
} log_missing[] = {
    {"mmu", "MMU activity is not logged"},
    {"cpu_reset", "reset state is not logged"},
    {"op", "rvjit has no TCG micro ops"},
    {"op_opt", "rvjit has no TCG micro ops"},
    {"op_ind", "rvjit has no TCG micro ops"},
    {"pcall", "QEMU logs it for x86 guests only"},
    {"plugin", "rvjit has no TCG plugins"},
    {"strace", "QEMU logs it in user-mode emulation only"},
    {"tid", "one log file serves every hart"},
};

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

void options_log_help(FILE *out)
{
	/* QEMU prints a two-line text as it is: the second line unindented */
	fputs("Log items (comma separated):\n", out);
	for (size_t i = 0; i < ARRAY_SIZE(log_items); i++)
		fprintf(out, "%-15s %s\n", log_items[i].name, log_items[i].help);
}

static int opt_d(struct options *o, const char *opt, const char *list, char *err, size_t errlen)
{
	if (!strcmp(list, "help")) {
		o->log_help = true;
		return 0;
	}
	char *copy = strdup(list);
	int rc = 0;
	for (char *tok = strtok(copy, ","); tok && rc == 0; tok = strtok(NULL, ",")) {
		size_t i = 0;
		while (i < ARRAY_SIZE(log_items) && strcmp(tok, log_items[i].name))
			i++;
		if (i < ARRAY_SIZE(log_items)) {
			o->log_mask |= log_items[i].mask;
			continue;
		}
		for (i = 0; i < ARRAY_SIZE(log_missing); i++)
			if (!strcmp(tok, log_missing[i].name))
				rc = errmsg(err, errlen, "-d: log item '%s' is not supported (%s)",
					    tok, log_missing[i].why);
		if (rc == 0)
			rc = errmsg(err, errlen,
				    "-d: unknown log item '%s' (see -d help for the list)", tok);
	}
	free(copy);
	return rc;
}

/* Whether id names a -drive or a -blockdev node already (QEMU: one
 * namespace). */
static bool backend_id_taken(const struct options *o, const char *id)
{
	for (unsigned i = 0; i < o->board.ndrives; i++)
		if (o->board.drives[i].id && !strcmp(o->board.drives[i].id, id))
			return true;
	for (unsigned i = 0; i < o->nblockdevs; i++)
		if (!strcmp(o->blockdevs[i].node_name, id))
			return true;
	return false;
}

/* The next free board drive, cleared, with its -drive state. */
static struct virt_drive *new_drive(struct options *o, const char *opt, struct drive_use **use,
				    char *err, size_t errlen)
{
	if (o->board.ndrives == VIRT_MAX_DRIVES) {
		errmsg(err, errlen, "%s: at most %d drives", opt, VIRT_MAX_DRIVES);
		return NULL;
	}
	struct virt_drive *d = &o->board.drives[o->board.ndrives];
	*use = &o->drive_use[o->board.ndrives];
	memset(d, 0, sizeof(*d));
	memset(*use, 0, sizeof(**use));
	d->slot = -1;
	return d;
}

/* QEMU's id for an if=none drive given by index: "noneN", the first free
 * N from `from` on. */
static char *index_drive_id(const struct options *o, int from)
{
	char id[16];
	for (int n = from;; n++) {
		snprintf(id, sizeof(id), "none%d", n);
		if (!backend_id_taken(o, id))
			return strdup(id);
	}
}

static void drive_free(struct virt_drive *d)
{
	free(d->file);
	free(d->id);
	free(d->format);
}

/* One -drive key. */
static int drive_key(struct virt_drive *d, struct drive_use *use, const char *k, const char *v,
		     char *err, size_t errlen)
{
	if (!strcmp(k, "file") && v && *v) {
		set_str(&d->file, v);
	} else if (!strcmp(k, "id") && v && *v) {
		set_str(&d->id, v);
	} else if (!strcmp(k, "if") && v && !strcmp(v, "none")) {
		use->if_virtio = false; /* QEMU's default on riscv virt */
	} else if (!strcmp(k, "if") && v && !strcmp(v, "virtio")) {
		use->if_virtio = true;
	} else if (!strcmp(k, "if")) {
		return errmsg(err, errlen,
			      "-drive: unsupported interface if=%s (use if=none or if=virtio)",
			      v ? v : "");
	} else if (!strcmp(k, "format")) {
		if (!v || (strcmp(v, "raw") && strcmp(v, "qcow2")))
			return errmsg(err, errlen,
				      "-drive: unsupported format '%s' (supported: raw, qcow2)",
				      v ? v : "");
		set_str(&d->format, v);
	} else if (!strcmp(k, "readonly") || !strcmp(k, "read-only")) {
		if (!qemu_bool_parse(v, &d->readonly))
			return errmsg(err, errlen, "-drive: bad value '%s' for %s", v, k);
	} else if (!strcmp(k, "snapshot")) {
		if (!qemu_bool_parse(v, &d->snapshot))
			return errmsg(err, errlen, "-drive: bad value '%s' for snapshot", v);
	} else if (!strcmp(k, "file.locking")) {
		/* QEMU's on|off|auto: auto and on both lock (devices/disk_lock.c) */
		if (v && strcmp(v, "on") && strcmp(v, "off") && strcmp(v, "auto"))
			return errmsg(err, errlen,
				      "-drive: bad value '%s' for file.locking (on, off, auto)", v);
		d->no_locking = v && !strcmp(v, "off");
	} else if (!strcmp(k, "media") && v && !strcmp(v, "disk")) {
		/* the only kind there is */
	} else if (!strcmp(k, "cache") || !strcmp(k, "aio")) {
		/* host caching policy: writes are pwrite(), flush is fdatasync() */
	} else {
		return errmsg(err, errlen, "-drive: unknown parameter '%s'", k);
	}
	return 0;
}

bool options_parse_log(const char *list, unsigned *mask, char *err, size_t errlen)
{
	struct options o = {0};
	const bool ok = opt_d(&o, "-d", list, err, errlen) == 0;
	*mask = o.log_mask;
	return ok;
}

static int opt_drive(struct options *o, const char *opt, const char *arg, char *err, size_t errlen)
{
	struct drive_use *use;
	struct virt_drive *d = new_drive(o, "-drive", &use, err, errlen);
	if (!d)
		return -1;
	char *copy = strdup(arg);
	struct kv kv[MAX_KV];
	const int n = split_kv(copy, kv, MAX_KV);
	int rc = 0;
	for (int i = 0; i < n && rc == 0; i++)
		rc = drive_key(d, use, kv[i].key, kv[i].val, err, errlen);
	free(copy);
	if (rc == 0 && !d->file)
		rc = errmsg(err, errlen, "-drive: missing file=");
	if (rc == 0 && !use->if_virtio && !d->id) {
		/* No if= is if=none on QEMU's riscv virt, and a drive without
		 * id= is "noneN" (N its index), for a -device to name; until
		 * one does, the guest does not see it (as -hda). */
		use->orphan_ok = true;
		d->id = index_drive_id(o, 0);
	}
	if (rc == 0 && d->id && backend_id_taken(o, d->id))
		rc = errmsg(err, errlen, "-drive: duplicate id '%s'", d->id);
	if (rc) {
		drive_free(d);
		return rc;
	}
	if (use->if_virtio)
		d->order = o->virtio_order++;
	o->board.ndrives++;
	return 0;
}

/* -hda..-hdd FILE: QEMU's `-drive file=FILE,index=N,media=disk` with the
 * machine's default interface, which on QEMU 7.2's riscv virt is if=none:
 * a drive with id noneN that no device shows until
 * `-device virtio-blk-device,drive=noneN` names it. */
static int opt_hd(struct options *o, const char *opt, const char *arg, char *err, size_t errlen)
{
	const char *name = opt[1] == '-' ? opt + 2 : opt + 1;
	char id[16]; /* "none" and a digit; room for any int to keep the compiler sure */
	snprintf(id, sizeof(id), "none%d", name[2] - 'a');
	if (backend_id_taken(o, id))
		return errmsg(err, errlen, "%s: drive index %d is already in use", opt,
			      name[2] - 'a');
	struct drive_use *use;
	struct virt_drive *d = new_drive(o, opt, &use, err, errlen);
	if (!d)
		return -1;
	d->file = strdup(arg);
	d->id = strdup(id);
	use->orphan_ok = true;
	o->board.ndrives++;
	return 0;
}

/* One -blockdev key, or an inline protocol node's (file.driver=file,
 * file.filename=F). */
static int blockdev_key(struct blockdev_node *b, bool *inline_file, const char *k, const char *v,
			char *err, size_t errlen)
{
	if (!v || !*v)
		return errmsg(err, errlen, "-blockdev: %s needs a value", k);
	if (!strcmp(k, "driver")) {
		if (strcmp(v, "file") && strcmp(v, "raw") && strcmp(v, "qcow2"))
			return errmsg(err, errlen,
				      "-blockdev: unsupported driver '%s' (supported: file, raw, "
				      "qcow2)",
				      v);
		set_str(&b->driver, v);
	} else if (!strcmp(k, "node-name")) {
		set_str(&b->node_name, v);
	} else if (!strcmp(k, "filename")) {
		set_str(&b->filename, v);
	} else if (!strcmp(k, "file")) {
		set_str(&b->file, v);
	} else if (!strcmp(k, "file.driver")) {
		if (strcmp(v, "file"))
			return errmsg(err, errlen,
				      "-blockdev: unsupported file.driver '%s' (only 'file')", v);
		*inline_file = true;
	} else if (!strcmp(k, "file.filename")) {
		set_str(&b->filename, v);
		*inline_file = true;
	} else if (!strcmp(k, "read-only")) {
		if (!qemu_bool_parse(v, &b->readonly))
			return errmsg(err, errlen, "-blockdev: bad value '%s' for read-only", v);
	} else if (!strcmp(k, "cache.direct") || !strcmp(k, "cache.no-flush") ||
		   !strcmp(k, "aio")) {
		/* host caching policy, as -drive's cache= */
	} else {
		return errmsg(err, errlen, "-blockdev: unsupported parameter '%s'", k);
	}
	return 0;
}

static void blockdev_free(struct blockdev_node *b)
{
	free(b->node_name);
	free(b->driver);
	free(b->filename);
	free(b->file);
}

/* -blockdev driver=file,filename=F,node-name=N, or driver=raw|qcow2 over
 * file=NODE (or file.driver=file,file.filename=F), node-name=N. */
static int opt_blockdev(struct options *o, const char *opt, const char *arg, char *err,
			size_t errlen)
{
	if (o->nblockdevs == MAX_BLOCKDEVS)
		return errmsg(err, errlen, "-blockdev: at most %d nodes", MAX_BLOCKDEVS);
	struct blockdev_node *b = &o->blockdevs[o->nblockdevs];
	memset(b, 0, sizeof(*b));
	char *copy = strdup(arg);
	struct kv kv[MAX_KV];
	const int n = split_kv(copy, kv, MAX_KV);
	int rc = 0;
	bool inline_file = false;
	for (int i = 0; i < n && rc == 0; i++)
		rc = blockdev_key(b, &inline_file, kv[i].key, kv[i].val, err, errlen);
	free(copy);
	const bool protocol = b->driver && !strcmp(b->driver, "file");
	if (rc == 0 && !b->driver)
		rc = errmsg(err, errlen, "-blockdev: missing driver=");
	else if (rc == 0 && !b->node_name)
		rc = errmsg(err, errlen, "-blockdev: missing node-name= (a device names the node)");
	else if (rc == 0 && backend_id_taken(o, b->node_name))
		rc = errmsg(err, errlen, "-blockdev: node-name '%s' is already in use",
			    b->node_name);
	else if (rc == 0 && protocol && (!b->filename || b->file || inline_file))
		rc = errmsg(err, errlen, "-blockdev driver=file: needs filename= (and no file=)");
	else if (rc == 0 && !protocol && !b->file == !(inline_file && b->filename))
		rc = errmsg(err, errlen,
			    "-blockdev driver=%s: needs file=NODE or "
			    "file.driver=file,file.filename=F",
			    b->driver);
	if (rc) {
		blockdev_free(b);
		return rc;
	}
	o->nblockdevs++;
	return 0;
}

/* resolve_backend_refs looks the ref up once every option is parsed. */
struct backend_ref *options_add_backend_ref(struct options *o, enum backend_kind kind,
					    const char *device, const char *id, int slot, char *err,
					    size_t errlen)
{
	if (o->nrefs == MAX_BACKEND_REFS) {
		errmsg(err, errlen, "-device: at most %d devices with a backend", MAX_BACKEND_REFS);
		return NULL;
	}
	struct backend_ref *r = &o->refs[o->nrefs++];
	memset(r, 0, sizeof(*r));
	r->kind = kind;
	r->device = strdup(device);
	r->id = strdup(id);
	r->slot = slot;
	return r;
}

static int opt_device(struct options *o, const char *opt, const char *arg, char *err, size_t errlen)
{
	(void)opt;
	if (options_is_pci_device(arg))
		return options_pci_device(o, arg, err, errlen);
	return options_device(o, arg, err, errlen);
}

int options_device(struct options *o, const char *arg, char *err, size_t errlen)
{
	char *copy = strdup(arg);
	struct kv kv[MAX_KV];
	const int n = split_kv(copy, kv, MAX_KV);
	int rc = 0;
	if (n > 0 && !strcmp(kv[0].key, "virtio-blk-device")) {
		const char *drive = NULL;
		int slot = -1;
		for (int i = 1; i < n && rc == 0; i++) {
			if (!strcmp(kv[i].key, "drive") && kv[i].val)
				drive = kv[i].val;
			else if (!strcmp(kv[i].key, "bus") && kv[i].val &&
				 !strcmp(kv[i].val, "pcie.0"))
				rc = errmsg(
				    err, errlen,
				    "-device %s: Device 'virtio-blk-device' can't go on PCIE bus",
				    arg);
			else if (!strcmp(kv[i].key, "bus") && kv[i].val &&
				 !strncmp(kv[i].val, "virtio-mmio-bus.", 16)) {
				char *end;
				long s = strtol(kv[i].val + 16, &end, 10);
				if (*end || s < 0 || s > 7)
					rc =
					    errmsg(err, errlen,
						   "-device: no bus '%s' (virtio-mmio-bus.0 to .7)",
						   kv[i].val);
				slot = (int)s;
			} else
				rc = errmsg(err, errlen,
					    "-device virtio-blk-device: unknown parameter '%s'",
					    kv[i].key);
		}
		if (rc == 0 && !drive)
			rc = errmsg(err, errlen, "-device virtio-blk-device: missing drive=");
		struct backend_ref *r = NULL;
		if (rc == 0 && !(r = options_add_backend_ref(o, BACKEND_DRIVE, kv[0].key, drive,
							     slot, err, errlen)))
			rc = -1;
		if (r)
			r->order = o->virtio_order++;
	} else if (n > 0 && !strcmp(kv[0].key, "virtio-rng-device")) {
		rc = options_rng_device(o, arg, err, errlen);
	} else if (n > 0 && !strcmp(kv[0].key, "virtio-net-device")) {
		rc = options_net_device(o, arg, err, errlen);
	} else if (n > 0 && !strcmp(kv[0].key, "loader")) {
		if (o->board.nloaders == VIRT_MAX_LOADERS) {
			rc = errmsg(err, errlen, "-device loader: at most %d", VIRT_MAX_LOADERS);
		} else {
			struct virt_loader *l = &o->board.loaders[o->board.nloaders];
			bool have_addr = false;
			l->file = NULL;
			for (int i = 1; i < n && rc == 0; i++) {
				if (!strcmp(kv[i].key, "file") && kv[i].val) {
					free(l->file);
					l->file = strdup(kv[i].val);
				} else if (!strcmp(kv[i].key, "addr") && kv[i].val) {
					char *end;
					l->addr = strtoull(kv[i].val, &end, 0);
					have_addr = !*end;
					if (*end)
						rc = errmsg(err, errlen,
							    "-device loader: bad addr '%s'",
							    kv[i].val);
				} else
					rc = errmsg(err, errlen,
						    "-device loader: unknown parameter '%s'",
						    kv[i].key);
			}
			if (rc == 0 && (!l->file || !have_addr))
				rc = errmsg(err, errlen, "-device loader: needs file= and addr=");
			if (rc == 0)
				o->board.nloaders++;
			else
				free(l->file);
		}
	} else {
		rc = errmsg(err, errlen,
			    "-device: unsupported device '%s' (supported: virtio-blk-device, "
			    "virtio-rng-device, virtio-net-device, virtio-blk-pci, virtio-rng-pci, "
			    "virtio-net-pci, loader)",
			    n ? kv[0].key : "");
	}
	free(copy);
	return rc;
}

static int opt_object(struct options *o, const char *opt, const char *arg, char *err, size_t errlen)
{
	(void)opt;
	return options_object(o, arg, err, errlen);
}

static int opt_netdev(struct options *o, const char *opt, const char *arg, char *err, size_t errlen)
{
	return options_netdev(o, arg, err, errlen);
}

static int opt_nic(struct options *o, const char *opt, const char *arg, char *err, size_t errlen)
{
	return options_nic(o, arg, err, errlen);
}

static int opt_net(struct options *o, const char *opt, const char *arg, char *err, size_t errlen)
{
	return options_net(o, arg, err, errlen);
}

/* Whether an accel=A:B:C list names tcg: QEMU falls back along it. */
static bool accel_list_has_tcg(const char *list)
{
	for (const char *p = list;; p++) {
		const size_t n = strcspn(p, ":");
		if (n == 3 && !strncmp(p, "tcg", 3))
			return true;
		p += n;
		if (!*p)
			return false;
	}
}

static int opt_machine(struct options *o, const char *opt, const char *arg, char *err,
		       size_t errlen)
{
	char *copy = strdup(arg);
	struct kv kv[MAX_KV];
	const int n = split_kv(copy, kv, MAX_KV);
	int rc = 0;
	for (int i = 0; i < n && rc == 0; i++) {
		const char *k = kv[i].key;
		if (i == 0 && !kv[i].val) {
			if (strcmp(k, "virt"))
				rc = errmsg(err, errlen,
					    "-machine: unsupported machine '%s' (only 'virt')", k);
		} else if (!strcmp(k, "type") && kv[i].val) {
			if (strcmp(kv[i].val, "virt"))
				rc = errmsg(err, errlen,
					    "-machine: unsupported machine '%s' (only 'virt')",
					    kv[i].val);
		} else if (!strcmp(k, "accel") && kv[i].val) {
			/* QEMU's older spelling of -accel, a list to try in
			 * order (kvm:tcg): tcg is what there is. */
			if (!accel_list_has_tcg(kv[i].val))
				rc = errmsg(err, errlen,
					    "-machine: invalid accelerator '%s' (only tcg)",
					    kv[i].val);
		} else if (!strcmp(k, "dumpdtb") && kv[i].val && *kv[i].val) {
			free(o->dumpdtb);
			o->dumpdtb = strdup(kv[i].val);
		} else if (!strcmp(k, "power-button")) {
			/* rvjit's own: the virtio-input power button. */
			bool on;
			if (!qemu_bool_parse(kv[i].val, &on))
				rc = errmsg(err, errlen,
					    "-machine: power-button takes on or off, not '%s'",
					    kv[i].val);
			else
				o->board.no_power_button = !on;
		} else {
			rc = errmsg(err, errlen, "-machine: unknown property '%s'", k);
		}
	}
	free(copy);
	return rc;
}

static int opt_global(struct options *o, const char *opt, const char *arg, char *err, size_t errlen)
{
	const char *prefix = "virtio-mmio.force-legacy=";
	if (!strncmp(arg, prefix, strlen(prefix))) {
		if (!qemu_bool_parse(arg + strlen(prefix), &o->board.virtio_legacy))
			return errmsg(err, errlen, "-global: bad value in '%s'", arg);
		return 0;
	}
	return errmsg(err, errlen, "-global: unsupported property '%s'", arg);
}

/* -cpu MODEL[,ext=on|off...] (core/isa.c); "help" lists the models. */
static int opt_cpu(struct options *o, const char *opt, const char *arg, char *err, size_t errlen)
{
	if (!strcmp(arg, "help") || !strcmp(arg, "?")) {
		o->cpu_help = true;
		return 0;
	}
	return isa_parse_cpu(arg, &o->board.isa, err, errlen);
}

/* -smp: merged over every -smp given, resolved in check_complete (cli/smp.c). */
static int opt_smp(struct options *o, const char *opt, const char *arg, char *err, size_t errlen)
{
	return smp_parse(&o->smp_config, arg, err, errlen);
}

/* -accel tcg[,thread=single|multi]: QEMU's way to pick MTTCG or not. */
static int opt_accel(struct options *o, const char *opt, const char *arg, char *err, size_t errlen)
{
	if (strncmp(arg, "tcg", 3) || (arg[3] && arg[3] != ','))
		return errmsg(err, errlen, "-accel: '%s': only 'tcg' is available", arg);
	for (const char *p = arg + 3; *p == ',';) {
		p++;
		const size_t n = strcspn(p, ",");
		if (n == 13 && !strncmp(p, "thread=single", n))
			o->single_thread = true;
		else if (n == 12 && !strncmp(p, "thread=multi", n))
			o->single_thread = false;
		else
			return errmsg(err, errlen,
				      "-accel: unknown property '%.*s' (thread=single|multi)",
				      (int)n, p);
		p += n;
	}
	return 0;
}

/* -icount [shift=]N[,sleep=off]: virtual time, 2^N ns per instruction.
 * An idle machine skips to its next timer (QEMU's sleep=off); QEMU's
 * adaptive shift=auto and sleep=on follow the host clock, which would undo
 * the point here, a run that repeats exactly. */
static int opt_icount(struct options *o, const char *opt, const char *arg, char *err, size_t errlen)
{
	const char *p = !strncmp(arg, "shift=", 6) ? arg + 6 : arg;
	char *end;
	const long n = strtol(p, &end, 10);
	if (end == p || n < 0 || n > 10 || (*end && *end != ','))
		return errmsg(err, errlen,
			      "-icount: '%s': expected shift=N with N from 0 to 10 "
			      "(shift=auto is not supported)",
			      arg);
	o->icount_shift = (int)n;
	for (p = end; *p == ',';) {
		p++;
		const size_t len = strcspn(p, ",");
		if (!(len == 9 && !strncmp(p, "sleep=off", len)))
			return errmsg(err, errlen,
				      "-icount: '%.*s' is not supported (only sleep=off)", (int)len,
				      p);
		p += len;
	}
	return 0;
}

static int opt_bios(struct options *o, const char *opt, const char *arg, char *err, size_t errlen)
{
	set_str(&o->board.bios, arg);
	return 0;
}

static int opt_kernel(struct options *o, const char *opt, const char *arg, char *err, size_t errlen)
{
	set_str(&o->board.kernel, arg);
	return 0;
}

static int opt_append(struct options *o, const char *opt, const char *arg, char *err, size_t errlen)
{
	set_str(&o->board.append, arg);
	return 0;
}

static int opt_initrd(struct options *o, const char *opt, const char *arg, char *err, size_t errlen)
{
	set_str(&o->board.initrd, arg);
	return 0;
}

static int opt_dtb(struct options *o, const char *opt, const char *arg, char *err, size_t errlen)
{
	set_str(&o->board.dtb, arg);
	return 0;
}

static int opt_m(struct options *o, const char *opt, const char *arg, char *err, size_t errlen)
{
	const char *v = !strncmp(arg, "size=", 5) ? arg + 5 : arg;
	uint64_t size;
	if (!options_parse_size(v, true, &size) || size < (1ULL << 20) ||
	    (size & PAGE_OFFSET_MASK) || size > (64ULL << 30))
		return errmsg(err, errlen, "-m: '%s' is not a RAM size from 1M to 64G", arg);
	o->board.ram_size = size;
	return 0;
}

static int opt_nographic(struct options *o, const char *opt, const char *arg, char *err,
			 size_t errlen)
{
	o->nographic = true; /* the console is stdio anyway */
	return 0;
}

static int opt_display(struct options *o, const char *opt, const char *arg, char *err,
		       size_t errlen)
{
	if (strcmp(arg, "none"))
		return errmsg(err, errlen, "%s: only 'none' is supported", opt);
	return 0;
}

/* Host ends (cli/options_chardev.c). */
static int opt_monitor(struct options *o, const char *opt, const char *arg, char *err,
		       size_t errlen)
{
	return options_monitor(o, arg, err, errlen);
}

static int opt_mon(struct options *o, const char *opt, const char *arg, char *err, size_t errlen)
{
	return options_mon(o, arg, err, errlen);
}

static int opt_serial(struct options *o, const char *opt, const char *arg, char *err, size_t errlen)
{
	return options_serial(o, arg, err, errlen);
}

static int opt_chardev(struct options *o, const char *opt, const char *arg, char *err,
		       size_t errlen)
{
	return options_chardev(o, arg, err, errlen);
}

static int opt_gdb(struct options *o, const char *opt, const char *arg, char *err, size_t errlen)
{
	if (!strcmp(arg, "none")) {
		free(o->gdb);
		o->gdb = NULL;
	} else {
		set_str(&o->gdb, arg);
	}
	return 0;
}

static int opt_s(struct options *o, const char *opt, const char *arg, char *err, size_t errlen)
{
	set_str(&o->gdb, "tcp::1234");
	return 0;
}

static int opt_S(struct options *o, const char *opt, const char *arg, char *err, size_t errlen)
{
	o->start_paused = true;
	return 0;
}

static int opt_D(struct options *o, const char *opt, const char *arg, char *err, size_t errlen)
{
	set_str(&o->log_file, arg);
	return 0;
}

static int opt_loadvm(struct options *o, const char *opt, const char *arg, char *err, size_t errlen)
{
	set_str(&o->loadvm, arg);
	return 0;
}

static int opt_snapshot(struct options *o, const char *opt, const char *arg, char *err,
			size_t errlen)
{
	o->board.snapshot = true;
	return 0;
}

static int opt_no_reboot(struct options *o, const char *opt, const char *arg, char *err,
			 size_t errlen)
{
	o->no_reboot = true;
	return 0;
}

static int opt_interp(struct options *o, const char *opt, const char *arg, char *err, size_t errlen)
{
	o->interp = true;
	return 0;
}

static int opt_threads(struct options *o, const char *opt, const char *arg, char *err,
		       size_t errlen)
{
	if (strcmp(arg, "1") && strcmp(arg, "N"))
		return errmsg(err, errlen,
			      "--threads: '%s': 1 (one thread for all harts) or N (one per hart)",
			      arg);
	o->single_thread = !strcmp(arg, "1");
	return 0;
}

static int opt_stats(struct options *o, const char *opt, const char *arg, char *err, size_t errlen)
{
	o->stats = true;
	return 0;
}

static int opt_perf_map(struct options *o, const char *opt, const char *arg, char *err,
			size_t errlen)
{
	o->perf_map = true;
	return 0;
}

static int opt_check(struct options *o, const char *opt, const char *arg, char *err, size_t errlen)
{
	o->check = true;
	return 0;
}

static int opt_check_selftest(struct options *o, const char *opt, const char *arg, char *err,
			      size_t errlen)
{
	o->check = o->check_selftest = true;
	return 0;
}

static int opt_jit_cache(struct options *o, const char *opt, const char *arg, char *err,
			 size_t errlen)
{
	if (!options_parse_size(arg, true, &o->jit_cache) || o->jit_cache < (1ULL << 20))
		return errmsg(err, errlen, "--jit-cache: '%s' is not a size of at least 1M", arg);
	return 0;
}

static int opt_help(struct options *o, const char *opt, const char *arg, char *err, size_t errlen)
{
	o->help = true;
	return 0;
}

static int opt_version(struct options *o, const char *opt, const char *arg, char *err,
		       size_t errlen)
{
	o->version = true;
	return 0;
}

/* -rtc base=utc|localtime|DATE[,clock=host|rt|vm][,driftfix=none|slew]
 * (QEMU's configure_rtc; several -rtc merge, the last value winning).
 * driftfix is the mc146818's lost-tick policy: nothing to do on virt. */
static int opt_rtc(struct options *o, const char *opt, const char *arg, char *err, size_t errlen)
{
	static const char *const clocks[] = {
	    [RTC_CLOCK_HOST] = "host", [RTC_CLOCK_RT] = "rt", [RTC_CLOCK_VM] = "vm"};
	struct rtc_config *c = &o->board.rtc;
	char *copy = strdup(arg);
	struct kv kv[MAX_KV];
	const int n = split_kv(copy, kv, MAX_KV);
	int rc = 0;
	for (int i = 0; i < n && rc == 0; i++) {
		const char *k = kv[i].key, *v = kv[i].val ? kv[i].val : "on";
		if (!strcmp(k, "base")) {
			if (!strcmp(v, "utc") || !strcmp(v, "localtime"))
				c->base = !strcmp(v, "utc") ? RTC_BASE_UTC : RTC_BASE_LOCALTIME;
			else if (rtc_parse_datetime(v, &c->start))
				c->base = RTC_BASE_DATETIME;
			else
				rc = errmsg(err, errlen,
					    "%s %s: invalid datetime format (valid formats: "
					    "'2006-06-17T16:01:21' or '2006-06-17')",
					    opt, arg);
		} else if (!strcmp(k, "clock")) {
			unsigned j = 0;
			while (j < ARRAY_SIZE(clocks) && strcmp(v, clocks[j]))
				j++;
			if (j < ARRAY_SIZE(clocks))
				c->clock = (enum rtc_clock)j;
			else
				rc = errmsg(err, errlen, "%s %s: invalid option value '%s'", opt,
					    arg, v);
		} else if (!strcmp(k, "driftfix")) {
			if (strcmp(v, "none") && strcmp(v, "slew"))
				rc = errmsg(err, errlen, "%s %s: invalid option value '%s'", opt,
					    arg, v);
		} else {
			rc = errmsg(err, errlen, "%s %s: Invalid parameter '%s'", opt, arg, k);
		}
	}
	free(copy);
	return rc;
}

/* -name NAME or -name guest=NAME[,process=P]: QEMU's implied "guest". */
static int opt_name(struct options *o, const char *opt, const char *arg, char *err, size_t errlen)
{
	char *copy = strdup(arg);
	struct kv kv[MAX_KV];
	const int n = split_kv(copy, kv, MAX_KV);
	int rc = 0;
	for (int i = 0; i < n && rc == 0; i++) {
		if (i == 0 && !kv[i].val)
			set_str(&o->name, kv[i].key);
		else if (!strcmp(kv[i].key, "guest") && kv[i].val)
			set_str(&o->name, kv[i].val);
		else
			rc = errmsg(err, errlen, "%s: unsupported parameter '%s' (only guest=)",
				    opt, kv[i].key);
	}
	free(copy);
	return rc;
}

static int opt_pidfile(struct options *o, const char *opt, const char *arg, char *err,
		       size_t errlen)
{
	set_str(&o->pidfile, arg);
	return 0;
}

static int opt_daemonize(struct options *o, const char *opt, const char *arg, char *err,
			 size_t errlen)
{
	o->daemonize = true;
	return 0;
}

static int opt_no_shutdown(struct options *o, const char *opt, const char *arg, char *err,
			   size_t errlen)
{
	o->no_shutdown = true;
	return 0;
}

/* -nodefaults: QEMU's default serial and monitor go; -serial and -monitor
 * given anywhere on the line stay (applied in check_complete). */
static int opt_nodefaults(struct options *o, const char *opt, const char *arg, char *err,
			  size_t errlen)
{
	o->nodefaults = true;
	return 0;
}

/* A word that is not an option: the program, as -kernel with -bios none. */
static int program(struct options *o, const char *arg, char *err, size_t errlen)
{
	if (o->board.kernel)
		return errmsg(err, errlen, "more than one program given ('%s' and '%s')",
			      o->board.kernel, arg);
	set_str(&o->board.kernel, arg);
	if (!o->board.bios)
		set_str(&o->board.bios, "none");
	return 0;
}

/* The parts of --help; each has its indentation. */
enum help_section { HELP_MACHINE, HELP_DEBUG, HELP_RVJIT, HELP_SECTIONS };

static const struct {
	const char *title;
	int indent;
} help_sections[HELP_SECTIONS] = {
    [HELP_MACHINE] = {"Machine (QEMU spelling):", 2},
    /* xv6's Makefile runs `qemu -help | grep -q '^-gdb'` to choose between
     * -gdb and the older -s -p: keep these options in column 0. */
    [HELP_DEBUG] = {"Debugging (QEMU spelling; these lines start in column 0 because xv6's\n"
		    "Makefile looks for '^-gdb' in the help text):",
		    0},
    [HELP_RVJIT] = {"rvjit options:", 2},
};

/* Help text starts this many columns after the section's indentation. */
#define HELP_COLUMN 25

/*
 * One option: its name (the one-dash spelling; QEMU accepts "--name" for
 * "-name", and so do we), whether it takes the next word as its argument,
 * the handler that applies it, and its --help entry: the synopsis for the
 * left column (NULL: not listed) and the text for the right, '\n' between
 * lines. A row without a name is a second --help entry for the option
 * above it and never matches.
 */
enum option_arg { NO_ARG, ARG };

struct option_def {
	const char *name;
	enum option_arg arg;
	int (*handle)(struct options *o, const char *opt, const char *arg, char *err,
		      size_t errlen);
	enum help_section section;
	const char *synopsis;
	const char *help;
};

static const struct option_def option_table[] = {
    {"-machine", ARG, opt_machine, HELP_MACHINE,
     "-machine virt[,accel=tcg][,dumpdtb=FILE][,power-button=on|off]",
     "the board (the only one); dumpdtb writes its\ndevice tree to FILE and exits; "
     "power-button=off\nleaves out the virtio-input power button"},
    {"-M", ARG, opt_machine, HELP_MACHINE, "-M virt", "the same"},
    {"-bios", ARG, opt_bios, HELP_MACHINE, "-bios none|default|FILE",
     "firmware at 0x80000000; 'none' boots -kernel\ndirectly, 'default' (the default) is "
     "OpenSBI\nfw_dynamic"},
    {"-kernel", ARG, opt_kernel, HELP_MACHINE, "-kernel FILE",
     "the program or kernel (ELF or raw; raw at 0x80200000\nafter firmware)"},
    {"-append", ARG, opt_append, HELP_MACHINE, "-append STRING",
     "kernel command line (/chosen/bootargs)"},
    {"-initrd", ARG, opt_initrd, HELP_MACHINE, "-initrd FILE",
     "initial RAM disk, after the kernel (/chosen)"},
    {"-dtb", ARG, opt_dtb, HELP_MACHINE, "-dtb FILE",
     "pass this device tree instead of the generated one"},
    {"-m", ARG, opt_m, HELP_MACHINE, "-m SIZE",
     "RAM size, e.g. 128M, 1G (default 128M; a bare number\nis MiB)"},
    {"-cpu", ARG, opt_cpu, HELP_MACHINE, "-cpu rv64|max|rva22s64...[,EXT=on|off...]",
     "the harts' extensions (-cpu help lists the models;\ndefault rv64: RV64GC); e.g. "
     "-cpu rv64,zba=on"},
    {"-smp", ARG, opt_smp, HELP_MACHINE,
     "-smp [cpus=]N[,maxcpus=M][,sockets=S][,cores=C][,threads=T]",
     "harts, 1 to 512 (default 1); the topology follows\nQEMU's rules (the product must be "
     "maxcpus);\nmaxcpus > N starts N harts"},
    {"-nographic", NO_ARG, opt_nographic, HELP_MACHINE, "-nographic",
     "accepted: the console is on stdio"},
    {"-chardev", ARG, opt_chardev, HELP_MACHINE, "-chardev BACKEND,id=ID[,mux=on][,...]",
     "a host end: null, stdio[,signal=on|off],\nfile,path=F[,append=on], pty,\n"
     "socket,host=H,port=P|path=UNIX[,server=on][,wait=off]\n[,telnet=on]"},
    {"-serial", ARG, opt_serial, HELP_MACHINE,
     "-serial none|null|stdio|file:F|pty|chardev:ID|tcp:[H]:P[,server=on][,wait=off]|unix:P",
     "the UART's host end (default stdio; mon:X shares X\nwith the monitor, as mon:stdio)"},
    {"-monitor", ARG, opt_monitor, HELP_MACHINE, "-monitor none|stdio|chardev:ID|...",
     "no monitor, or where it is (the -serial forms;\ndefault: on the console, Ctrl-a c)"},
    {"-mon", ARG, opt_mon, HELP_MACHINE, "-mon chardev=ID[,mode=readline]",
     "the monitor on chardev ID"},
    {"-display", ARG, opt_display, HELP_MACHINE, "-display none", "accepted"},
    {"-drive", ARG, opt_drive, HELP_MACHINE,
     "-drive file=F[,if=none][,format=raw|qcow2][,id=ID][,readonly=on][,snapshot=on]",
     "a disk for -device virtio-blk-device,drive=ID\n(format omitted: probed, with a warning "
     "for raw;\nno id=: QEMU's none0, none1...: the guest sees it\nonly through a -device)"},
    {NULL, NO_ARG, NULL, HELP_MACHINE, "-drive file=F,if=virtio,format=raw|qcow2",
     "a virtio-blk disk in the next free slot"},
    {"-hda", ARG, opt_hd, HELP_MACHINE, "-hda FILE",
     "drive none0 (-hdb: none1 ... -hdd: none3), as QEMU's\nvirt: no device until "
     "-device virtio-blk-device,\ndrive=none0"},
    {"-hdb", ARG, opt_hd, HELP_MACHINE, NULL, NULL},
    {"-hdc", ARG, opt_hd, HELP_MACHINE, NULL, NULL},
    {"-hdd", ARG, opt_hd, HELP_MACHINE, NULL, NULL},
    {"-blockdev", ARG, opt_blockdev, HELP_MACHINE,
     "-blockdev driver=file,node-name=N,filename=F[,read-only=on]",
     "a disk for -device virtio-blk-device,drive=N"},
    {NULL, NO_ARG, NULL, HELP_MACHINE, "-blockdev driver=raw|qcow2,node-name=N,file=NODE",
     "a format over a driver=file node (or inline:\nfile.driver=file,file.filename=F)"},
    {"-device", ARG, opt_device, HELP_MACHINE,
     "-device virtio-blk-device,drive=ID[,bus=virtio-mmio-bus.N]",
     "a virtio-blk device for drive ID, given before or\nafter it (no bus=: the free slot "
     "with the highest\naddress)"},
    {NULL, NO_ARG, NULL, HELP_MACHINE,
     "-device virtio-rng-device[,rng=ID][,max-bytes=N][,period=MS][,bus=virtio-mmio-bus.N]",
     "a virtio-rng device reading -object ID (no rng=:\nits own rng-builtin), at most "
     "max-bytes per\nperiod ms (QEMU's slot order, as virtio-blk's)"},
    {"-object", ARG, opt_object, HELP_MACHINE, "-object rng-random,id=ID[,filename=F]",
     "a random-number backend reading F (default\n/dev/urandom), for virtio-rng-device,rng=ID"},
    {NULL, NO_ARG, NULL, HELP_MACHINE, "-object rng-builtin,id=ID",
     "a backend reading the host's getrandom()"},
    {NULL, NO_ARG, NULL, HELP_MACHINE, "-device virtio-net-device,netdev=ID[,mac=M]",
     "a virtio-net NIC on -netdev ID (default MAC\n52:54:00:12:34:56, +1 per NIC)"},
    {NULL, NO_ARG, NULL, HELP_MACHINE,
     "-device virtio-blk-pci|virtio-net-pci|virtio-rng-pci,...[,addr=S[.F]]",
     "the same devices as virtio-pci functions on the\nPCIe root bus (bus=pcie.0), at "
     "slot S or the\nfirst free one"},
    {"-netdev", ARG, opt_netdev, HELP_MACHINE, "-netdev user,id=ID[,restrict=on|off][,...]",
     "user networking (libslirp): the guest reaches the\nhost as 10.0.2.2; also net=A/M, "
     "host=IP,\ndhcpstart=IP, hostfwd=tcp|udp:[H]:HP-[G]:GP,\n"
     "guestfwd=tcp:[S]:P-tcp:H:HP|unix:PATH|cmd:COMMAND,\n"
     "ipv4=on|off, ipv6=on|off, ipv6-net=A/L, ipv6-host=IP,\nipv6-dns=IP"},
    {NULL, NO_ARG, NULL, HELP_MACHINE, "-netdev tap,id=ID[,ifname=N][,script=F|no][,...]",
     "a host TAP interface (/dev/net/tun); also\ndownscript=F|no (default /etc/qemu-ifup, "
     "-ifdown), fd=N"},
    {"-nic", ARG, opt_nic, HELP_MACHINE, "-nic user[,model=virtio-net-device][,mac=M][,...]",
     "a NIC and its -netdev user in one option"},
    {"-net", ARG, opt_net, HELP_MACHINE, "-net nic[,macaddr=M] -net user[,...]",
     "the old form: a NIC and the backend it joins"},
    {NULL, NO_ARG, NULL, HELP_MACHINE, "-device loader,file=F,addr=ADDR",
     "copy a raw file to guest memory"},
    {"-global", ARG, opt_global, HELP_MACHINE, "-global virtio-mmio.force-legacy=false|true",
     "virtio-mmio version 2 or 1 (default 1)"},
    {"-loadvm", ARG, opt_loadvm, HELP_MACHINE, "-loadvm TAG",
     "start from the snapshot TAG that savevm wrote\n(the machine and its qcow2 disks)"},
    {"-snapshot", NO_ARG, opt_snapshot, HELP_MACHINE, "-snapshot",
     "keep -drive writes in memory (not -blockdev's,\nas QEMU)"},
    {"-no-reboot", NO_ARG, opt_no_reboot, HELP_MACHINE, "-no-reboot",
     "exit instead of resetting when the guest reboots"},
    {"-no-shutdown", NO_ARG, opt_no_shutdown, HELP_MACHINE, "-no-shutdown",
     "on guest poweroff, stop the machine instead of\nexiting (the monitor stays until "
     "quit)"},
    {"-nodefaults", NO_ARG, opt_nodefaults, HELP_MACHINE, "-nodefaults",
     "no default serial or monitor; only those given\nwith -serial or -monitor have a host end"},
    {"-rtc", ARG, opt_rtc, HELP_MACHINE, "-rtc base=utc|localtime|DATE[,clock=host|rt|vm]",
     "the Goldfish RTC's start (DATE: 2006-06-17T16:01:21\nor 2006-06-17) and the clock it "
     "follows (vm stops\nwith the machine); driftfix= is accepted"},
    {"-name", ARG, opt_name, HELP_MACHINE, "-name NAME|guest=NAME",
     "the guest's name (the monitor's info name)"},
    {"-pidfile", ARG, opt_pidfile, HELP_MACHINE, "-pidfile FILE",
     "write the process id to FILE (locked; removed at\nexit)"},
    {"-daemonize", NO_ARG, opt_daemonize, HELP_MACHINE, "-daemonize",
     "run in the background once the machine is built\n(not with -nographic or a stdio "
     "serial/monitor)"},
    {"-accel", ARG, opt_accel, HELP_MACHINE, "-accel tcg[,thread=single|multi]",
     "multi (the default): one host thread per hart;\nsingle: all harts on one thread, "
     "round-robin"},
    {"-icount", ARG, opt_icount, HELP_MACHINE, "-icount [shift=]N[,sleep=off]",
     "deterministic: time advances 2^N ns per instruction,\nharts run round-robin, idle time is "
     "skipped; the\nsame input gives the same run"},
    {"-d", ARG, opt_d, HELP_MACHINE, "-d ITEM[,ITEM...]|help",
     "log in QEMU's format: in_asm, out_asm, exec, int,\ncpu, fpu, unimp, guest_errors, "
     "page,\nnochain (-d help lists them)"},
    {"-D", ARG, opt_D, HELP_MACHINE, "-D FILE", "write the log to FILE instead of stderr"},

    {"-gdb", ARG, opt_gdb, HELP_DEBUG, "-gdb tcp::PORT|tcp:HOST:PORT",
     "wait for gdb connections on PORT"},
    {"-s", NO_ARG, opt_s, HELP_DEBUG, "-s", "shorthand for -gdb tcp::1234"},
    {"-S", NO_ARG, opt_S, HELP_DEBUG, "-S",
     "do not start the harts until gdb or the monitor\nsays continue"},

    {"-interp", NO_ARG, opt_interp, HELP_RVJIT, "--interp",
     "use the interpreter instead of the x86-64 translator"},
    {"-jit-cache", ARG, opt_jit_cache, HELP_RVJIT, "--jit-cache SIZE",
     "translated-code buffer size (default 64M)"},
    {"-threads", ARG, opt_threads, HELP_RVJIT, "--threads 1|N",
     "harts share one host thread round-robin, or each\nhas its own (N, the default; 1 with "
     "--check or -icount)"},
    {"-stats", NO_ARG, opt_stats, HELP_RVJIT, "--stats",
     "at exit, print retired instructions, seconds and MIPS"},
    {"-perf-map", NO_ARG, opt_perf_map, HELP_RVJIT, "--perf-map",
     "write /tmp/perf-PID.map so perf report names guest\nblocks"},
    {"-check", NO_ARG, opt_check, HELP_RVJIT, "--check",
     "run the interpreter beside the translator, block by\nblock, and stop at the first "
     "difference (slow; for\ndebugging)"},
    /* For the tests: corrupt one result, so --check must catch it. */
    {"-check-selftest", NO_ARG, opt_check_selftest, HELP_RVJIT, NULL, NULL},
    {"-h", NO_ARG, opt_help, HELP_RVJIT, "-h, --help", "this text"},
    {"-help", NO_ARG, opt_help, HELP_RVJIT, NULL, NULL},
    {"-version", NO_ARG, opt_version, HELP_RVJIT, "--version", "print the version"},
};

#define OPTION_COUNT (sizeof(option_table) / sizeof(option_table[0]))

static const struct option_def *find_option(const char *name)
{
	for (size_t i = 0; i < OPTION_COUNT; i++)
		if (option_table[i].name && !strcmp(option_table[i].name, name))
			return &option_table[i];
	return NULL;
}

/* A -blockdev node as a board drive: the format node's driver over its
 * protocol node's file (a device on a driver=file node reads it raw). */
static int blockdev_to_drive(struct options *o, struct blockdev_node *node,
			     const struct backend_ref *r, char *err, size_t errlen)
{
	const struct blockdev_node *proto = node;
	if (node->file) {
		proto = NULL;
		for (unsigned i = 0; i < o->nblockdevs; i++)
			if (!strcmp(o->blockdevs[i].node_name, node->file))
				proto = &o->blockdevs[i];
		if (!proto)
			return errmsg(err, errlen, "-blockdev node-name=%s: no node '%s' for file=",
				      node->node_name, node->file);
		if (strcmp(proto->driver, "file"))
			return errmsg(err, errlen,
				      "-blockdev node-name=%s: file=%s must be a driver=file node",
				      node->node_name, node->file);
	}
	if (node->used)
		return errmsg(err, errlen, "-device %s,drive=%s: node '%s' is already in use",
			      r->device, r->id, r->id);
	struct drive_use *use;
	struct virt_drive *d = new_drive(o, "-blockdev", &use, err, errlen);
	if (!d)
		return -1;
	d->file = strdup(proto->filename);
	d->id = strdup(node->node_name);
	d->format = strdup(strcmp(node->driver, "file") ? node->driver : "raw");
	d->readonly = node->readonly || proto->readonly;
	d->blockdev = true;
	d->slot = r->slot;
	d->pci_devfn = r->pci_devfn;
	d->order = r->order;
	use->attached = true;
	node->used = true;
	o->board.ndrives++;
	return 0;
}

/* drive=ID: a -drive id= (its device now takes it) or a -blockdev node
 * (which becomes a drive). Returns 1 when nothing has that id. */
static int attach_drive(struct options *o, const struct backend_ref *r, char *err, size_t errlen)
{
	for (unsigned i = 0; i < o->board.ndrives; i++) {
		struct virt_drive *d = &o->board.drives[i];
		struct drive_use *use = &o->drive_use[i];
		if (!d->id || strcmp(d->id, r->id))
			continue;
		if (use->attached || use->if_virtio)
			return errmsg(err, errlen,
				      "-device %s,drive=%s: drive '%s' is already in use",
				      r->device, r->id, r->id);
		use->attached = true;
		d->slot = r->slot;
		d->pci_devfn = r->pci_devfn;
		d->order = r->order;
		return 0;
	}
	for (unsigned i = 0; i < o->nblockdevs; i++)
		if (!strcmp(o->blockdevs[i].node_name, r->id))
			return blockdev_to_drive(o, &o->blockdevs[i], r, err, errlen);
	return 1;
}

/* Each kind of backend a device can name: the device's key, what gives
 * such an id (for the error when nothing does), and how a device takes
 * one (0, -1 with err, or 1: no such id). */
static const struct {
	const char *key;
	const char *given_by;
	int (*attach)(struct options *o, const struct backend_ref *r, char *err, size_t errlen);
} backend_kinds[BACKEND_KINDS] = {
    [BACKEND_DRIVE] = {"drive", "-drive id= or -blockdev node-name=", attach_drive},
    [BACKEND_RNG] = {"rng", "-object rng-random or rng-builtin id=", options_rng_attach},
};

/* QEMU resolves references after parsing every option: so the order of
 * -device and its backend does not matter. */
static int resolve_backend_refs(struct options *o, char *err, size_t errlen)
{
	for (unsigned i = 0; i < o->nrefs; i++) {
		const struct backend_ref *r = &o->refs[i];
		const int rc = backend_kinds[r->kind].attach(o, r, err, errlen);
		if (rc < 0)
			return -1;
		if (rc > 0)
			return errmsg(err, errlen, "-device %s,%s=%s: no %s with id '%s' (give %s)",
				      r->device, backend_kinds[r->kind].key, r->id,
				      backend_kinds[r->kind].key, r->id,
				      backend_kinds[r->kind].given_by);
	}
	return 0;
}

/* Checks that need the whole command line. */
static int check_complete(struct options *o, char *err, size_t errlen)
{
	if (resolve_backend_refs(o, err, errlen))
		return -1;
	struct virt_config *b = &o->board;
	if (smp_resolve(&o->smp_config, MAX_HARTS, &o->smp, err, errlen))
		return -1;
	if (o->smp.zero_given)
		fprintf(stderr, "rvjit: warning: %s\n", SMP_ZERO_WARNING);
	/* QEMU's virt has no hotplug: it starts cpus harts, not maxcpus. */
	b->nharts = o->smp.cpus;
	for (unsigned i = 0; i < b->ndrives; i++) {
		if (o->drive_use[i].orphan_ok && !o->drive_use[i].attached)
			b->drives[i].no_device = true;
		else if (b->drives[i].id && !o->drive_use[i].if_virtio && !o->drive_use[i].attached)
			return errmsg(err, errlen,
				      "-drive id=%s: no -device virtio-blk-device uses it",
				      b->drives[i].id);
	}
	if (options_chardev_complete(o, err, errlen) || options_net_complete(o, err, errlen))
		return -1;
	if (o->log_help || o->cpu_help)
		return 0;
	if (b->initrd && !b->kernel)
		return errmsg(err, errlen, "-initrd: needs -kernel (the initrd goes after it)");
	if (!o->help && !o->version && !b->kernel && b->nloaders == 0 && !o->dumpdtb &&
	    !(b->bios && strcmp(b->bios, "none")))
		return errmsg(
		    err, errlen,
		    "no program given: rvjit [options] PROGRAM, or -kernel FILE (see --help)");
	return 0;
}

int options_parse(struct options *o, int argc, char **argv, char *err, size_t errlen)
{
	memset(o, 0, sizeof(*o));
	o->board.ram_size = 128ULL << 20;
	o->board.virtio_legacy = true;
	isa_default(&o->board.isa);
	o->jit_cache = 64ULL << 20;
	o->icount_shift = -1;
	rtc_config_stamp(&o->board.rtc); /* QEMU's -rtc base=utc counts from start-up */
	o->serial_chardev = o->monitor_chardev = -1;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (a[0] != '-') {
			if (program(o, a, err, errlen))
				return -1;
			continue;
		}
		const struct option_def *def = find_option(a[1] == '-' ? a + 1 : a);
		if (!def)
			return errmsg(err, errlen, "unknown option '%s' (see --help)", a);
		const char *arg = NULL;
		if (def->arg == ARG) {
			if (i + 1 == argc)
				return errmsg(err, errlen, "%s: missing argument", a);
			arg = argv[++i];
		}
		if (def->handle(o, a, arg, err, errlen))
			return -1;
	}
	return check_complete(o, err, errlen);
}

void options_free(struct options *o)
{
	free(o->board.bios);
	free(o->board.kernel);
	free(o->board.append);
	free(o->board.initrd);
	free(o->board.dtb);
	free(o->dumpdtb);
	free(o->log_file);
	free(o->gdb);
	free(o->name);
	free(o->pidfile);
	free(o->loadvm);
	for (unsigned i = 0; i < o->board.ndrives; i++)
		drive_free(&o->board.drives[i]);
	for (unsigned i = 0; i < o->nrefs; i++) {
		free(o->refs[i].id);
		free(o->refs[i].device);
	}
	for (unsigned i = 0; i < o->nblockdevs; i++)
		blockdev_free(&o->blockdevs[i]);
	for (unsigned i = 0; i < o->board.nloaders; i++)
		free(o->board.loaders[i].file);
	options_chardev_free(o);
	options_rng_free(o);
	options_net_free(o);
	memset(o, 0, sizeof(*o));
}

/* One --help entry: the synopsis, then the text from the section's help
 * column on (on the next line when the synopsis reaches that column). */
static void print_help_entry(FILE *out, const struct option_def *def, int indent)
{
	const int column = indent + HELP_COLUMN;
	int width = fprintf(out, "%*s%s", indent, "", def->synopsis);
	if (width > column - 2) {
		fputc('\n', out);
		width = 0;
	}
	for (const char *line = def->help;;) {
		const size_t len = strcspn(line, "\n");
		fprintf(out, "%*s%.*s\n", column - width, "", (int)len, line);
		width = 0;
		if (!line[len])
			break;
		line += len + 1;
	}
}

void options_usage(FILE *out)
{
	fputs("usage: rvjit [options] PROGRAM\n"
	      "       rvjit -machine virt -bios none -kernel PROGRAM [options]\n"
	      "\n"
	      "Runs a RISC-V RV64GC program or operating system on an emulation of QEMU's\n"
	      "'virt' board. PROGRAM is an ELF64 executable, or a raw image loaded at\n"
	      "0x80000000. The run ends when the guest writes its exit code through HTIF\n"
	      "(a 'tohost' symbol) or the test finisher at 0x100000; that code is rvjit's\n"
	      "exit status.\n",
	      out);
	for (int s = 0; s < HELP_SECTIONS; s++) {
		fprintf(out, "\n%s\n", help_sections[s].title);
		for (size_t i = 0; i < OPTION_COUNT; i++)
			if (option_table[i].section == (enum help_section)s &&
			    option_table[i].synopsis)
				print_help_entry(out, &option_table[i], help_sections[s].indent);
	}
	fputs("\n"
	      "Console: Ctrl-a x quits, Ctrl-a c switches to the monitor and back,\n"
	      "Ctrl-a s commits -snapshot writes, Ctrl-a t stamps output lines,\n"
	      "Ctrl-a b sends a break, Ctrl-a h helps, Ctrl-a Ctrl-a sends Ctrl-a.\n",
	      out);
}
