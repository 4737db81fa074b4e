/*
 * savevm, loadvm, delvm and `info snapshots` (cli/vm_snapshot.h), following
 * QEMU 7.2's migration/savevm.c rules as a user sees them:
 *  - every open drive that is writable must hold snapshots, or the command
 *    fails naming it ("Device 'x0' is writable but does not support
 *    snapshots"); read-only drives are left out;
 *  - the VM state goes to the first drive that holds snapshots; with none,
 *    "no block device can store vmstate for snapshot";
 *  - the monitor finds snapshots by name (not by ID), and `info snapshots`
 *    shows as loadable those whose name every such drive has.
 * The harts are parked (paused, and out of their quanta) while the state is
 * read or written, and run again afterwards if they ran before.
 */
#define _GNU_SOURCE
#include "vm_snapshot.h"
#include "core/errmsg.h"
#include "core/machine.h"
#include "core/vmstate.h"
#include "devices/disk_snapshot.h"
#include "loader/virt.h"
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* The drives that take part, and the one holding the VM state. */
struct drives {
	struct block_dev *dev[VIRT_MAX_DRIVES];
	const char *name[VIRT_MAX_DRIVES];
	unsigned n;
	int vmstate; /* index into dev, -1: none */
};

/* QEMU's bdrv_all_can_snapshot, then its vmstate drive. check_writable
 * false: `info snapshots`, which only wants the latter. */
static int find_drives(struct virt_board *b, struct drives *d, bool check_writable, char *err,
		       size_t errlen)
{
	memset(d, 0, sizeof(*d));
	d->vmstate = -1;
	struct block_dev *dev;
	const char *name;
	for (unsigned i = 0; virt_board_drive(b, i, &dev, &name); i++) {
		if (!dev)
			continue;
		if (disk_can_snapshot(dev)) {
			if (d->vmstate < 0)
				d->vmstate = (int)d->n;
			d->dev[d->n] = dev;
			d->name[d->n++] = name;
		} else if (check_writable && !dev->readonly) {
			return errmsg(err, errlen,
				      "Device '%s' is writable but does not support snapshots",
				      name);
		}
	}
	if (d->vmstate < 0)
		return errmsg(err, errlen, "no block device can store vmstate for snapshot");
	return 0;
}

/* The ID of the snapshot called name on dev, or false. */
static bool find_by_name(struct block_dev *dev, const char *name, struct disk_snapshot *out)
{
	struct disk_snapshot *list;
	unsigned n;
	bool found = false;
	if (disk_snapshot_list(dev, &list, &n))
		return false;
	for (unsigned i = 0; i < n && !found; i++)
		if (!strcmp(list[i].name, name)) {
			*out = list[i];
			found = true;
		}
	free(list);
	return found;
}

/* Stop the harts and wait until none is inside a quantum; whether they
 * were running. The monitor runs as a poller, holding the I/O lock a hart
 * may be waiting for, so it lets go of it while it waits. */
static bool park(struct machine *m)
{
	const bool was_running = !atomic_load(&m->paused);
	machine_pause(m);
	machine_halt_harts(m);
	while (!machine_harts_parked(m)) {
		machine_io_unlock(m);
		usleep(200);
		machine_io_lock(m);
	}
	return was_running;
}

static int delete_everywhere(const struct drives *d, const char *name, char *err, size_t errlen)
{
	for (unsigned i = 0; i < d->n; i++) {
		struct disk_snapshot sn;
		while (find_by_name(d->dev[i], name, &sn)) {
			const int r = disk_snapshot_delete(d->dev[i], sn.id);
			if (r)
				return errmsg(err, errlen,
					      "Could not delete snapshot '%s' on '%s': %s", name,
					      d->name[i], strerror(-r));
		}
	}
	return 0;
}

/* The guest's clock: with -icount the instruction clock, as QEMU's. */
static uint64_t vm_clock_ns(const struct machine *m)
{
	return m->icount ? machine_mtime(m) * NS_PER_MTIME_TICK : machine_clock_ns(m);
}

int vm_snapshot_save(struct virt_board *b, const char *name, char *err, size_t errlen)
{
	struct drives d;
	if (find_drives(b, &d, true, err, errlen))
		return -1;
	struct timespec now;
	clock_gettime(CLOCK_REALTIME, &now);
	char tag[DISK_SNAPSHOT_NAME_MAX];
	if (name && *name) {
		snprintf(tag, sizeof(tag), "%s", name);
	} else {
		struct tm tm;
		localtime_r(&now.tv_sec, &tm);
		strftime(tag, sizeof(tag), "vm-%Y%m%d%H%M%S", &tm);
	}
	struct machine *m = virt_board_machine(b);
	const bool was_running = park(m);
	struct vmstate_out o = {0};
	virt_board_save_state(b, &o);
	int rc = 0, r;
	if (o.failed)
		rc = errmsg(err, errlen, "Error while writing VM state: %s", strerror(ENOMEM));
	if (!rc)
		rc = delete_everywhere(&d, tag, err, errlen);
	if (!rc && (r = disk_vmstate_write(d.dev[d.vmstate], 0, o.buf, o.len)))
		rc = errmsg(err, errlen, "Error while writing VM state: %s", strerror(-r));
	for (unsigned i = 0; i < d.n && !rc; i++) {
		struct disk_snapshot sn = {.date_sec = (uint32_t)now.tv_sec,
					   .date_nsec = (uint32_t)now.tv_nsec,
					   .vm_clock_ns = vm_clock_ns(m),
					   .vm_state_size = (int)i == d.vmstate ? o.len : 0,
					   /* QEMU 7.2 records it only in
					    * record/replay, even with -icount */
					   .icount = UINT64_MAX};
		snprintf(sn.name, sizeof(sn.name), "%s", tag);
		if ((r = disk_snapshot_create(d.dev[i], &sn)))
			rc =
			    errmsg(err, errlen, "Error while creating snapshot on '%s'", d.name[i]);
	}
	free(o.buf);
	if (was_running)
		machine_resume(m);
	return rc;
}

int vm_snapshot_load(struct virt_board *b, const char *name, char *err, size_t errlen)
{
	/* QEMU stops the machine first, and leaves it stopped when the load
	 * fails (`info status`: paused); the machine state is untouched. */
	struct machine *m = virt_board_machine(b);
	const bool was_running = park(m);
	struct drives d;
	int rc = find_drives(b, &d, true, err, errlen);
	struct disk_snapshot ids[VIRT_MAX_DRIVES];
	for (unsigned i = 0; i < d.n && !rc; i++)
		if (!find_by_name(d.dev[i], name, &ids[i]))
			rc = errmsg(err, errlen,
				    "Snapshot '%s' does not exist in one or more devices", name);
	const struct disk_snapshot *sn = rc ? NULL : &ids[d.vmstate];
	if (!rc && !sn->vm_state_size)
		rc = errmsg(err, errlen,
			    "This is a disk-only snapshot. Revert to it  offline using qemu-img");
	uint8_t *buf = NULL;
	if (!rc && !(buf = sn->vm_state_size <= SIZE_MAX ? malloc(sn->vm_state_size) : NULL))
		rc = errmsg(err, errlen, "Error while loading VM state: %s", strerror(ENOMEM));
	int r =
	    rc ? 0
	       : disk_snapshot_vmstate_read(d.dev[d.vmstate], sn->id, 0, buf, sn->vm_state_size);
	if (r)
		rc = errmsg(err, errlen, "Error while loading VM state: %s", strerror(-r));
	if (rc) {
		free(buf);
		return rc;
	}
	/* What this machine would save now has the layout the state must
	 * have: checked before anything changes. */
	struct vmstate_out cur = {0};
	virt_board_save_state(b, &cur);
	const struct vmstate_in saved = {.buf = buf, .len = sn->vm_state_size};
	const struct vmstate_in mine = {.buf = cur.buf, .len = cur.len};
	char why[200];
	if (cur.failed)
		rc = errmsg(err, errlen, "Error while loading VM state: %s", strerror(ENOMEM));
	else if (!vmstate_same_layout(&saved, &mine, why, sizeof(why)))
		rc = errmsg(err, errlen, "Error while loading VM state: %s", why);
	free(cur.buf);
	for (unsigned i = 0; i < d.n && !rc; i++)
		if ((r = disk_snapshot_goto(d.dev[i], ids[i].id)))
			rc = errmsg(err, errlen,
				    "Could not revert '%s' to snapshot '%s': %s (the machine "
				    "state was not loaded)",
				    d.name[i], name, strerror(-r));
	if (!rc) {
		struct vmstate_in in = saved;
		virt_board_load_state(b, &in);
	}
	free(buf);
	if (was_running && !rc)
		machine_resume(m);
	return rc;
}

int vm_snapshot_delete(struct virt_board *b, const char *name, char *err, size_t errlen)
{
	struct drives d;
	if (find_drives(b, &d, true, err, errlen))
		return -1;
	return delete_everywhere(&d, name, err, errlen);
}

/* QEMU's size_to_str: three significant digits in the largest binary
 * unit that keeps the number at least 1000/1024 of it. */
static void size_str(uint64_t v, char *out, size_t len)
{
	static const char *const units[] = {"", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"};
	const double x = (double)v * 1024.0 / 1000.0;
	unsigned u = 0;
	while (u < 6 && x >= (double)(1ull << (10 * (u + 1))))
		u++;
	snprintf(out, len, "%0.3g %sB", (double)v / (double)(1ull << (10 * u)), units[u]);
}

static void dump_header(FILE *f)
{
	fprintf(f, "%-10s%-17s%8s%20s%13s%11s\n", "ID", "TAG", "VM SIZE", "DATE", "VM CLOCK",
		"ICOUNT");
}

static void dump(FILE *f, const struct disk_snapshot *sn, const char *id)
{
	char size[32], date[32] = "", clock[32], icount[24] = "";
	size_str(sn->vm_state_size, size, sizeof(size));
	const time_t t = sn->date_sec;
	struct tm tm;
	if (localtime_r(&t, &tm))
		strftime(date, sizeof(date), "%Y-%m-%d %H:%M:%S", &tm);
	const uint64_t ms = sn->vm_clock_ns / 1000000;
	snprintf(clock, sizeof(clock), "%02u:%02u:%02u.%03u", (unsigned)(ms / 3600000),
		 (unsigned)(ms / 60000 % 60), (unsigned)(ms / 1000 % 60), (unsigned)(ms % 1000));
	if (sn->icount != UINT64_MAX)
		snprintf(icount, sizeof(icount), "%" PRIu64, sn->icount);
	fprintf(f, "%-9s %-16s %8s%20s%13s%11s\n", id, sn->name, size, date, clock, icount);
}

char *vm_snapshot_info(struct virt_board *b)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	if (!f)
		return NULL;
	struct drives d;
	char err[200];
	struct disk_snapshot *lists[VIRT_MAX_DRIVES] = {0};
	unsigned counts[VIRT_MAX_DRIVES] = {0};
	if (find_drives(b, &d, false, err, sizeof(err))) {
		fprintf(f, "%s\n", err);
		goto out;
	}
	for (unsigned i = 0; i < d.n; i++)
		disk_snapshot_list(d.dev[i], &lists[i], &counts[i]);
	const unsigned v = (unsigned)d.vmstate;
	if (!counts[v]) {
		fprintf(f, "There is no snapshot available.\n");
		goto out;
	}
	/* A name is loadable when every drive has it. */
	bool *loadable = calloc(counts[v], sizeof(*loadable));
	unsigned total = 0;
	if (!loadable)
		goto out;
	for (unsigned s = 0; s < counts[v]; s++) {
		loadable[s] = true;
		for (unsigned i = 0; i < d.n; i++) {
			struct disk_snapshot sn;
			if (i != v && !find_by_name(d.dev[i], lists[v][s].name, &sn))
				loadable[s] = false;
		}
		total += loadable[s];
	}
	if (total) {
		fprintf(f, "List of snapshots present on all disks:\n");
		dump_header(f);
		for (unsigned s = 0; s < counts[v]; s++)
			if (loadable[s])
				dump(f, &lists[v][s], "--");
	} else {
		fprintf(f, "None\n");
	}
	free(loadable);
	for (unsigned i = 0; i < d.n; i++) {
		bool header = false;
		for (unsigned s = 0; s < counts[i]; s++) {
			bool everywhere = true;
			for (unsigned j = 0; j < d.n && everywhere; j++) {
				struct disk_snapshot sn;
				everywhere =
				    j == i || find_by_name(d.dev[j], lists[i][s].name, &sn);
			}
			if (everywhere)
				continue;
			if (!header)
				fprintf(f, "\nList of partial (non-loadable) snapshots on '%s':\n",
					d.name[i]);
			if (!header)
				dump_header(f);
			header = true;
			dump(f, &lists[i][s], lists[i][s].id);
		}
	}
out:
	for (unsigned i = 0; i < VIRT_MAX_DRIVES; i++)
		free(lists[i]);
	fclose(f);
	return text;
}
