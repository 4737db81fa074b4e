/* Command-line parsing (see options.h). */
#include "options.h"
#include "core/machine.h"
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

static int fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}

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

/* Split "a=b,c=d" option lists in place: returns the value of key, or NULL. */
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

static bool parse_bool(const char *v, bool *out)
{
	if (!v || !strcmp(v, "on") || !strcmp(v, "true") || !strcmp(v, "yes") || !strcmp(v, "1"))
		*out = true;
	else if (!strcmp(v, "off") || !strcmp(v, "false") || !strcmp(v, "no") || !strcmp(v, "0"))
		*out = false;
	else
		return false;
	return true;
}

static int parse_log(struct options *o, const char *list, char *err, size_t errlen)
{
	char *copy = strdup(list);
	int rc = 0;
	for (char *tok = strtok(copy, ","); tok; tok = strtok(NULL, ",")) {
		if (!strcmp(tok, "in_asm"))
			o->log_mask |= LOG_IN_ASM;
		else if (!strcmp(tok, "out_asm"))
			o->log_mask |= LOG_OUT_ASM;
		else if (!strcmp(tok, "exec"))
			o->log_mask |= LOG_EXEC;
		else if (!strcmp(tok, "int"))
			o->log_mask |= LOG_INT;
		else {
			rc = fail(err, errlen,
				  "-d: unknown log item '%s' (known: in_asm, out_asm, exec, int)",
				  tok);
			break;
		}
	}
	free(copy);
	return rc;
}

static int parse_drive(struct options *o, const char *arg, char *err, size_t errlen)
{
	if (o->board.ndrives == VIRT_MAX_DRIVES)
		return fail(err, errlen, "-drive: at most %d drives", VIRT_MAX_DRIVES);
	struct virt_drive *d = &o->board.drives[o->board.ndrives];
	struct drive_use *use = &o->drive_use[o->board.ndrives];
	memset(d, 0, sizeof(*d));
	memset(use, 0, sizeof(*use));
	d->slot = -1;
	char *copy = strdup(arg);
	struct kv kv[MAX_KV];
	const int n = split_kv(copy, kv, MAX_KV);
	int rc = 0;
	bool if_none = false;
	for (int i = 0; i < n && rc == 0; i++) {
		const char *k = kv[i].key, *v = kv[i].val;
		if (!strcmp(k, "file") && v && *v) {
			free(d->file);
			d->file = strdup(v);
		} else if (!strcmp(k, "id") && v && *v) {
			free(d->id);
			d->id = strdup(v);
		} else if (!strcmp(k, "if") && v && !strcmp(v, "none")) {
			if_none = true;
		} else if (!strcmp(k, "if") && v && !strcmp(v, "virtio")) {
			use->if_virtio = true;
		} else if (!strcmp(k, "if")) {
			rc = fail(err, errlen,
				  "-drive: unsupported interface if=%s (use if=none or if=virtio)",
				  v ? v : "");
		} else if (!strcmp(k, "format")) {
			if (!v || (strcmp(v, "raw") && strcmp(v, "qcow2")))
				rc = fail(err, errlen,
					  "-drive: unsupported format '%s' (supported: raw, qcow2)",
					  v ? v : "");
			else {
				free(d->format);
				d->format = strdup(v);
			}
		} else if (!strcmp(k, "readonly") || !strcmp(k, "read-only")) {
			if (!parse_bool(v, &d->readonly))
				rc = fail(err, errlen, "-drive: bad value '%s' for %s", v, k);
		} else if (!strcmp(k, "snapshot")) {
			if (!parse_bool(v, &d->snapshot))
				rc = fail(err, errlen, "-drive: bad value '%s' for snapshot", v);
		} else if (!strcmp(k, "media") && v && !strcmp(v, "disk")) {
			/* the only kind there is */
		} else if (!strcmp(k, "cache") || !strcmp(k, "aio")) {
			/* host caching policy: writes are pwrite(), flush is fdatasync() */
		} else {
			rc = fail(err, errlen, "-drive: unknown parameter '%s'", k);
		}
	}
	free(copy);
	if (rc == 0 && !d->file)
		rc = fail(err, errlen, "-drive: missing file=");
	if (rc == 0 && !if_none && !use->if_virtio)
		rc = fail(err, errlen,
			  "-drive %s: say if=none (with -device virtio-blk-device) or if=virtio",
			  d->file);
	if (rc == 0 && if_none && !d->id)
		rc = fail(err, errlen, "-drive %s: if=none needs an id=", d->file);
	if (rc == 0) {
		for (unsigned i = 0; i < o->board.ndrives; i++)
			if (d->id && o->board.drives[i].id && !strcmp(o->board.drives[i].id, d->id))
				rc = fail(err, errlen, "-drive: duplicate id '%s'", d->id);
	}
	if (rc) {
		free(d->file);
		free(d->id);
		free(d->format);
		return rc;
	}
	o->board.ndrives++;
	return 0;
}

static int parse_device(struct options *o, const char *arg, char *err, size_t errlen)
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
				 !strncmp(kv[i].val, "virtio-mmio-bus.", 16)) {
				char *end;
				long s = strtol(kv[i].val + 16, &end, 10);
				if (*end || s < 0 || s > 7)
					rc = fail(err, errlen,
						  "-device: no bus '%s' (virtio-mmio-bus.0 to .7)",
						  kv[i].val);
				slot = (int)s;
			} else
				rc = fail(err, errlen,
					  "-device virtio-blk-device: unknown parameter '%s'",
					  kv[i].key);
		}
		if (rc == 0 && !drive)
			rc = fail(err, errlen, "-device virtio-blk-device: missing drive=");
		struct virt_drive *d = NULL;
		struct drive_use *use = NULL;
		for (unsigned i = 0; rc == 0 && i < o->board.ndrives; i++)
			if (o->board.drives[i].id && !strcmp(o->board.drives[i].id, drive)) {
				d = &o->board.drives[i];
				use = &o->drive_use[i];
			}
		if (rc == 0 && !d)
			rc = fail(
			    err, errlen,
			    "-device virtio-blk-device: no drive with id '%s' (give -drive first)",
			    drive);
		if (rc == 0 && use->attached)
			rc = fail(err, errlen,
				  "-device virtio-blk-device: drive '%s' is already in use", drive);
		if (rc == 0) {
			use->attached = true;
			d->slot = slot;
		}
	} else if (n > 0 && !strcmp(kv[0].key, "loader")) {
		if (o->board.nloaders == VIRT_MAX_LOADERS) {
			rc = fail(err, errlen, "-device loader: at most %d", VIRT_MAX_LOADERS);
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
						rc = fail(err, errlen,
							  "-device loader: bad addr '%s'",
							  kv[i].val);
				} else
					rc = fail(err, errlen,
						  "-device loader: unknown parameter '%s'",
						  kv[i].key);
			}
			if (rc == 0 && (!l->file || !have_addr))
				rc = fail(err, errlen, "-device loader: needs file= and addr=");
			if (rc == 0)
				o->board.nloaders++;
			else
				free(l->file);
		}
	} else {
		rc = fail(err, errlen,
			  "-device: unsupported device '%s' (supported: virtio-blk-device, loader)",
			  n ? kv[0].key : "");
	}
	free(copy);
	return rc;
}

static int parse_machine(struct options *o, const char *arg, char *err, size_t errlen)
{
	char *copy = strdup(arg);
	struct kv kv[MAX_KV];
	const int n = split_kv(copy, kv, MAX_KV);
	int rc = 0;
	for (int i = 0; i < n && rc == 0; i++) {
		const char *k = kv[i].key;
		if (i == 0 && !kv[i].val) {
			if (strcmp(k, "virt"))
				rc = fail(err, errlen,
					  "-machine: unsupported machine '%s' (only 'virt')", k);
		} else if (!strcmp(k, "type") && kv[i].val) {
			if (strcmp(kv[i].val, "virt"))
				rc = fail(err, errlen,
					  "-machine: unsupported machine '%s' (only 'virt')",
					  kv[i].val);
		} else if (!strcmp(k, "dumpdtb") && kv[i].val && *kv[i].val) {
			free(o->dumpdtb);
			o->dumpdtb = strdup(kv[i].val);
		} else {
			rc = fail(err, errlen, "-machine: unknown property '%s'", k);
		}
	}
	free(copy);
	return rc;
}

static int parse_global(struct options *o, const char *arg, char *err, size_t errlen)
{
	const char *prefix = "virtio-mmio.force-legacy=";
	if (!strncmp(arg, prefix, strlen(prefix))) {
		if (!parse_bool(arg + strlen(prefix), &o->board.virtio_legacy))
			return fail(err, errlen, "-global: bad value in '%s'", arg);
		return 0;
	}
	return fail(err, errlen, "-global: unsupported property '%s'", arg);
}

static int parse_smp(struct options *o, const char *arg, char *err, size_t errlen)
{
	const char *num = !strncmp(arg, "cpus=", 5) ? arg + 5 : arg;
	char *end;
	long n = strtol(num, &end, 10);
	if ((*end && *end != ',') || n < 1 || n > MAX_HARTS)
		return fail(err, errlen, "-smp: '%s' is not a hart count from 1 to %d", arg,
			    MAX_HARTS);
	o->board.nharts = (unsigned)n;
	return 0;
}

/* -accel tcg[,thread=single|multi]: QEMU's way to pick MTTCG or not. */
static int parse_accel(struct options *o, const char *arg, char *err, size_t errlen)
{
	if (strncmp(arg, "tcg", 3) || (arg[3] && arg[3] != ','))
		return fail(err, errlen, "-accel: '%s': only 'tcg' is available", arg);
	for (const char *p = arg + 3; *p == ',';) {
		p++;
		const size_t n = strcspn(p, ",");
		if (n == 13 && !strncmp(p, "thread=single", n))
			o->single_thread = true;
		else if (n == 12 && !strncmp(p, "thread=multi", n))
			o->single_thread = false;
		else
			return fail(err, errlen,
				    "-accel: unknown property '%.*s' (thread=single|multi)", (int)n,
				    p);
		p += n;
	}
	return 0;
}

/* -icount [shift=]N[,sleep=off]: virtual time, 2^N ns per instruction.
 * An idle machine skips to its next timer (QEMU's sleep=off); QEMU's
 * adaptive shift=auto and sleep=on follow the host clock, which would undo
 * the point here, a run that repeats exactly. */
static int parse_icount(struct options *o, const char *arg, char *err, size_t errlen)
{
	const char *p = !strncmp(arg, "shift=", 6) ? arg + 6 : arg;
	char *end;
	const long n = strtol(p, &end, 10);
	if (end == p || n < 0 || n > 10 || (*end && *end != ','))
		return fail(err, errlen,
			    "-icount: '%s': expected shift=N with N from 0 to 10 "
			    "(shift=auto is not supported)",
			    arg);
	o->icount_shift = (int)n;
	for (p = end; *p == ',';) {
		p++;
		const size_t len = strcspn(p, ",");
		if (!(len == 9 && !strncmp(p, "sleep=off", len)))
			return fail(err, errlen,
				    "-icount: '%.*s' is not supported (only sleep=off)", (int)len,
				    p);
		p += len;
	}
	return 0;
}

static void set_str(char **dst, const char *v)
{
	free(*dst);
	*dst = strdup(v);
}

int options_parse(struct options *o, int argc, char **argv, char *err, size_t errlen)
{
	memset(o, 0, sizeof(*o));
	o->board.ram_size = 128ULL << 20;
	o->board.nharts = 1;
	o->board.virtio_legacy = true;
	o->jit_cache = 64ULL << 20;
	o->icount_shift = -1;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		/* QEMU accepts --opt as -opt. */
		const char *name = (a[0] == '-' && a[1] == '-') ? a + 1 : a;
		const char *val = i + 1 < argc ? argv[i + 1] : NULL;
#define NEED_ARG                                                                                   \
	do {                                                                                       \
		if (!val)                                                                          \
			return fail(err, errlen, "%s: missing argument", a);                       \
		i++;                                                                               \
	} while (0)
		if (a[0] != '-') {
			if (o->board.kernel)
				return fail(err, errlen,
					    "more than one program given ('%s' and '%s')",
					    o->board.kernel, a);
			set_str(&o->board.kernel, a);
			if (!o->board.bios)
				set_str(&o->board.bios, "none");
		} else if (!strcmp(name, "-h") || !strcmp(name, "-help")) {
			o->help = true;
		} else if (!strcmp(name, "-version")) {
			o->version = true;
		} else if (!strcmp(name, "-machine") || !strcmp(name, "-M")) {
			NEED_ARG;
			if (parse_machine(o, val, err, errlen))
				return -1;
		} else if (!strcmp(name, "-bios")) {
			NEED_ARG;
			set_str(&o->board.bios, val);
		} else if (!strcmp(name, "-kernel")) {
			NEED_ARG;
			set_str(&o->board.kernel, val);
		} else if (!strcmp(name, "-append")) {
			NEED_ARG;
			set_str(&o->board.append, val);
		} else if (!strcmp(name, "-initrd")) {
			NEED_ARG;
			set_str(&o->board.initrd, val);
		} else if (!strcmp(name, "-dtb")) {
			NEED_ARG;
			set_str(&o->board.dtb, val);
		} else if (!strcmp(name, "-m")) {
			NEED_ARG;
			const char *v = !strncmp(val, "size=", 5) ? val + 5 : val;
			uint64_t size;
			if (!options_parse_size(v, true, &size) || size < (1ULL << 20) ||
			    (size & 0xfff) || size > (64ULL << 30))
				return fail(err, errlen,
					    "-m: '%s' is not a RAM size from 1M to 64G", val);
			o->board.ram_size = size;
		} else if (!strcmp(name, "-smp")) {
			NEED_ARG;
			if (parse_smp(o, val, err, errlen))
				return -1;
		} else if (!strcmp(name, "-nographic")) {
			/* the console is already stdio */
		} else if (!strcmp(name, "-display")) {
			NEED_ARG;
			if (strcmp(val, "none"))
				return fail(err, errlen, "%s: only 'none' is supported", a);
		} else if (!strcmp(name, "-monitor")) {
			NEED_ARG;
			/* The monitor is on the stdio console (Ctrl-a c) or nowhere. */
			if (!strcmp(val, "none"))
				o->no_monitor = true;
			else if (strcmp(val, "stdio"))
				return fail(err, errlen,
					    "%s: only 'none' and 'stdio' are supported", a);
		} else if (!strcmp(name, "-s")) {
			set_str(&o->gdb, "tcp::1234");
		} else if (!strcmp(name, "-S")) {
			o->start_paused = true;
		} else if (!strcmp(name, "-gdb")) {
			NEED_ARG;
			if (!strcmp(val, "none")) {
				free(o->gdb);
				o->gdb = NULL;
			} else {
				set_str(&o->gdb, val);
			}
		} else if (!strcmp(name, "-serial")) {
			NEED_ARG;
			if (strcmp(val, "stdio") && strcmp(val, "mon:stdio"))
				return fail(err, errlen,
					    "-serial: only 'stdio' and 'mon:stdio' are supported");
		} else if (!strcmp(name, "-d")) {
			NEED_ARG;
			if (parse_log(o, val, err, errlen))
				return -1;
		} else if (!strcmp(name, "-D")) {
			NEED_ARG;
			set_str(&o->log_file, val);
		} else if (!strcmp(name, "-global")) {
			NEED_ARG;
			if (parse_global(o, val, err, errlen))
				return -1;
		} else if (!strcmp(name, "-drive")) {
			NEED_ARG;
			if (parse_drive(o, val, err, errlen))
				return -1;
		} else if (!strcmp(name, "-device")) {
			NEED_ARG;
			if (parse_device(o, val, err, errlen))
				return -1;
		} else if (!strcmp(name, "-snapshot")) {
			o->board.snapshot = true;
		} else if (!strcmp(name, "-no-reboot")) {
			o->no_reboot = true;
		} else if (!strcmp(name, "-interp")) {
			o->interp = true;
		} else if (!strcmp(name, "-icount")) {
			NEED_ARG;
			if (parse_icount(o, val, err, errlen))
				return -1;
		} else if (!strcmp(name, "-accel")) {
			NEED_ARG;
			if (parse_accel(o, val, err, errlen))
				return -1;
		} else if (!strcmp(name, "-threads")) {
			NEED_ARG;
			if (strcmp(val, "1") && strcmp(val, "N"))
				return fail(err, errlen,
					    "--threads: '%s': 1 (one thread for all harts) "
					    "or N (one per hart)",
					    val);
			o->single_thread = !strcmp(val, "1");
		} else if (!strcmp(name, "-stats")) {
			o->stats = true;
		} else if (!strcmp(name, "-perf-map")) {
			o->perf_map = true;
		} else if (!strcmp(name, "-check")) {
			o->check = true;
		} else if (!strcmp(name, "-check-selftest")) {
			o->check = o->check_selftest = true;
		} else if (!strcmp(name, "-jit-cache")) {
			NEED_ARG;
			if (!options_parse_size(val, true, &o->jit_cache) ||
			    o->jit_cache < (1ULL << 20))
				return fail(err, errlen,
					    "--jit-cache: '%s' is not a size of at least 1M", val);
		} else {
			return fail(err, errlen, "unknown option '%s' (see --help)", a);
		}
#undef NEED_ARG
	}
	for (unsigned i = 0; i < o->board.ndrives; i++)
		if (o->board.drives[i].id && !o->drive_use[i].if_virtio &&
		    !o->drive_use[i].attached)
			return fail(err, errlen,
				    "-drive id=%s: no -device virtio-blk-device uses it",
				    o->board.drives[i].id);
	if (o->board.initrd && !o->board.kernel)
		return fail(err, errlen, "-initrd: needs -kernel (the initrd goes after it)");
	if (!o->help && !o->version && !o->board.kernel && o->board.nloaders == 0 && !o->dumpdtb &&
	    !(o->board.bios && strcmp(o->board.bios, "none")))
		return fail(
		    err, errlen,
		    "no program given: rvjit [options] PROGRAM, or -kernel FILE (see --help)");
	return 0;
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
	for (unsigned i = 0; i < o->board.ndrives; i++) {
		free(o->board.drives[i].file);
		free(o->board.drives[i].id);
		free(o->board.drives[i].format);
	}
	for (unsigned i = 0; i < o->board.nloaders; i++)
		free(o->board.loaders[i].file);
	memset(o, 0, sizeof(*o));
}

void options_usage(FILE *out)
{
	fputs(
	    "usage: rvjit [options] PROGRAM\n"
	    "       rvjit -machine virt -bios none -kernel PROGRAM [options]\n"
	    "\n"
	    "Runs a RISC-V RV64GC program or operating system on an emulation of QEMU's\n"
	    "'virt' board. PROGRAM is an ELF64 executable, or a raw image loaded at\n"
	    "0x80000000. The run ends when the guest writes its exit code through HTIF\n"
	    "(a 'tohost' symbol) or the test finisher at 0x100000; that code is rvjit's\n"
	    "exit status.\n"
	    "\n"
	    "Machine (QEMU spelling):\n"
	    "  -machine virt[,dumpdtb=FILE]   the board (the only one); dumpdtb writes its\n"
	    "                           device tree to FILE and exits\n"
	    "  -M virt                  the same\n"
	    "  -bios none|default|FILE  firmware at 0x80000000; 'none' boots -kernel directly,\n"
	    "                           'default' (the default) is OpenSBI fw_dynamic\n"
	    "  -kernel FILE             the program or kernel (ELF or raw; raw at 0x80200000\n"
	    "                           after firmware)\n"
	    "  -append STRING           kernel command line (/chosen/bootargs)\n"
	    "  -initrd FILE             initial RAM disk, after the kernel (/chosen)\n"
	    "  -dtb FILE                pass this device tree instead of the generated one\n"
	    "  -m SIZE                  RAM size, e.g. 128M, 1G (default 128M; a bare number is "
	    "MiB)\n"
	    "  -smp N                   number of harts, 1 to 8 (default 1)\n"
	    "  -nographic               accepted: the console is always on stdio\n"
	    "  -serial stdio|mon:stdio  accepted\n"
	    "  -monitor none|stdio      no monitor, or the monitor on the console (Ctrl-a c,\n"
	    "                           the default)\n"
	    "  -display none            accepted\n"
	    "  -drive file=F,if=none,format=raw|qcow2,id=ID[,readonly=on][,snapshot=on]\n"
	    "                           (format omitted: probed, with a warning for raw)\n"
	    "  -drive file=F,if=virtio,format=raw|qcow2   a virtio-blk disk in the next free slot\n"
	    "  -device virtio-blk-device,drive=ID[,bus=virtio-mmio-bus.N]\n"
	    "  -device loader,file=F,addr=ADDR      copy a raw file to guest memory\n"
	    "  -global virtio-mmio.force-legacy=false|true   virtio-mmio version 2 or 1 (default "
	    "1)\n"
	    "  -snapshot                keep all disk writes in memory\n"
	    "  -no-reboot               exit instead of resetting when the guest reboots\n"
	    "  -accel tcg[,thread=single|multi]   multi (the default): one host thread per\n"
	    "                           hart; single: all harts on one thread, round-robin\n"
	    "  -icount [shift=]N[,sleep=off]   deterministic: time advances 2^N ns per\n"
	    "                           instruction, harts run round-robin, idle time is\n"
	    "                           skipped; the same input gives the same run\n"
	    "  -d in_asm,exec,int,out_asm   log guest code / blocks run / traps / host code\n"
	    "                           (in_asm: as translated; with --interp, as executed)\n"
	    "  -D FILE                  write the log to FILE instead of stderr\n"
	    "\n"
	    "Debugging (QEMU spelling; these lines start in column 0 because xv6's\n"
	    "Makefile looks for '^-gdb' in the help text):\n"
	    "-gdb tcp::PORT|tcp:HOST:PORT   wait for gdb connections on PORT\n"
	    "-s                       shorthand for -gdb tcp::1234\n"
	    "-S                       do not start the harts until gdb or the monitor\n"
	    "                         says continue\n"
	    "\n"
	    "rvjit options:\n"
	    "  --interp                 use the interpreter instead of the x86-64 translator\n"
	    "  --jit-cache SIZE         translated-code buffer size (default 64M)\n"
	    "  --threads 1|N            harts share one host thread round-robin, or each\n"
	    "                           has its own (N, the default; 1 with -gdb or --check)\n"
	    "  --stats                  at exit, print retired instructions, seconds and MIPS\n"
	    "  --perf-map               write /tmp/perf-PID.map so perf report names guest blocks\n"
	    "  --check                  run the interpreter beside the translator, block by "
	    "block,\n"
	    "                           and stop at the first difference (slow; for debugging)\n"
	    "  -h, --help               this text\n"
	    "  --version                print the version\n"
	    "\n"
	    "Console: Ctrl-a x quits, Ctrl-a c switches to the monitor and back,\n"
	    "Ctrl-a h helps, Ctrl-a Ctrl-a sends Ctrl-a.\n",
	    out);
}
