/*
 * The virtio-pci devices on the command line, as QEMU spells them:
 *
 *   -device virtio-blk-pci,drive=ID[,addr=SLOT[.FN]][,bus=pcie.0]
 *   -device virtio-net-pci[,netdev=ID][,mac=M][,addr=...][,bus=pcie.0]
 *   -device virtio-rng-pci[,rng=ID][,max-bytes=N][,period=MS][,addr=...]
 *
 * Each is its virtio-mmio twin (virtio-blk-device...) on the PCIe root bus:
 * this file takes addr= and bus= off, lets the twin's parser read the
 * rest, and marks what it made as a PCI function. addr= is QEMU's: a hex
 * slot 0-1f and an optional .function 0-7; without it the device takes
 * the first free slot when the board is built.
 */
#include "core/errmsg.h"
#include "options.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const pci_names[] = {"virtio-blk-pci", "virtio-net-pci", "virtio-rng-pci"};

static int pci_kind(const char *arg)
{
	const size_t len = strcspn(arg, ",");
	for (int i = 0; i < 3; i++)
		if (strlen(pci_names[i]) == len && !strncmp(arg, pci_names[i], len))
			return i;
	return -1;
}

bool options_is_pci_device(const char *arg)
{
	return pci_kind(arg) >= 0;
}

/* QEMU's PCI address property: SLOT[.FN], hex. -1 if malformed. */
static int parse_addr(const char *v)
{
	char *end;
	const unsigned long slot = strtoul(v, &end, 16);
	if (end == v || slot >= 32)
		return -1;
	unsigned long fn = 0;
	if (*end == '.') {
		const char *f = end + 1;
		fn = strtoul(f, &end, 16);
		if (end == f || fn >= 8)
			return -1;
	}
	return *end ? -1 : (int)(slot << 3 | fn);
}

/* Who holds devfn already, among the PCI devices parsed so far. */
static const char *devfn_user(const struct options *o, int devfn)
{
	if (devfn == 0)
		return "gpex-root"; /* the host bridge */
	for (unsigned i = 0; i < o->nrefs; i++)
		if (o->refs[i].kind == BACKEND_DRIVE && o->refs[i].pci_devfn == devfn)
			return "virtio-blk-pci";
	for (unsigned i = 0; i < o->board.nrngs; i++)
		if (o->board.rngs[i].pci_devfn == devfn)
			return "virtio-rng-pci";
	for (unsigned i = 0; i < o->board.nnics; i++)
		if (o->board.nics[i].pci_devfn == devfn)
			return "virtio-net-pci";
	return NULL;
}

/* The twin's messages name the twin: say the PCI device instead. */
static void rename_in(char *err, size_t errlen, const char *from, const char *to)
{
	char *at = strstr(err, from);
	if (!at)
		return;
	char tail[512];
	snprintf(tail, sizeof(tail), "%s", at + strlen(from));
	snprintf(at, errlen - (size_t)(at - err), "%s%s", to, tail);
}

int options_pci_device(struct options *o, const char *arg, char *err, size_t errlen)
{
	static const char *const twins[] = {"virtio-blk-device", "virtio-net-device",
					    "virtio-rng-device"};
	const int kind = pci_kind(arg);
	const char *name = pci_names[kind];
	int devfn = VIRT_PCI_AUTO;
	/* The twin's argument: its name, and every key but addr= and bus=. */
	const size_t cap = strlen(arg) + 32;
	char *plain = malloc(cap);
	char *copy = strdup(arg);
	snprintf(plain, cap, "%s", twins[kind]);
	int rc = 0;
	char *save = NULL;
	strtok_r(copy, ",", &save);
	for (char *tok = strtok_r(NULL, ",", &save); tok && rc == 0;
	     tok = strtok_r(NULL, ",", &save)) {
		const char *eq = strchr(tok, '=');
		const char *val = eq ? eq + 1 : "";
		if (!strncmp(tok, "addr=", 5)) {
			devfn = parse_addr(val);
			if (devfn < 0)
				rc =
				    errmsg(err, errlen,
					   "-device %s: Property '%s.addr' doesn't take value '%s'",
					   arg, name, val);
		} else if (!strncmp(tok, "bus=", 4)) {
			if (!strncmp(val, "virtio-mmio-bus.", 16))
				rc = errmsg(
				    err, errlen,
				    "-device %s: Device '%s' can't go on virtio-mmio-bus bus", arg,
				    name);
			else if (strcmp(val, "pcie.0"))
				rc =
				    errmsg(err, errlen, "-device %s: Bus '%s' not found", arg, val);
		} else {
			strcat(plain, ",");
			strcat(plain, tok);
		}
	}
	free(copy);
	const char *user = rc == 0 && devfn >= 0 ? devfn_user(o, devfn) : NULL;
	if (user)
		rc = errmsg(err, errlen,
			    "-device %s: PCI: slot %d function %d not available for %s, in use by "
			    "%s,id=(null)",
			    arg, devfn >> 3, devfn & 7, name, user);
	const unsigned nrefs = o->nrefs, nrngs = o->board.nrngs, nnics = o->board.nnics;
	if (rc == 0)
		rc = options_device(o, plain, err, errlen);
	free(plain);
	if (rc) {
		rename_in(err, errlen, twins[kind], name);
		return rc;
	}
	/* Mark what the twin made. */
	if (o->nrefs > nrefs) {
		/* Later messages about its backend name the device as typed:
		 * a drive= reference keeps the device's name, rng= all of it. */
		free(o->refs[nrefs].device);
		o->refs[nrefs].device = strdup(o->refs[nrefs].kind == BACKEND_DRIVE ? name : arg);
		if (o->refs[nrefs].kind == BACKEND_DRIVE)
			o->refs[nrefs].pci_devfn = devfn;
	}
	if (o->board.nrngs > nrngs)
		o->board.rngs[nrngs].pci_devfn = devfn;
	if (o->board.nnics > nnics)
		o->board.nics[nnics].pci_devfn = devfn;
	return 0;
}
