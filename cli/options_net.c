/*
 * Networking options, in QEMU's spelling and QEMU's words for errors:
 *   -netdev user,id=ID[,net=...][,hostfwd=...]    a backend
 *   -netdev tap,id=ID[,ifname=...][,script=...]   another
 *   -device virtio-net-device,netdev=ID[,mac=M]   a NIC using it
 *   -nic user[,model=virtio-net-device][,mac=M][,backend options]
 *   -net nic[,model=virtio-net-device][,macaddr=M] -net user[,...]
 * The backend's own keys (net=, hostfwd=...) are checked when it is made
 * (cli/net_user.c, cli/net_tap.c). NICs get QEMU's default MAC 52:54:00:12:34:56, the
 * last byte counting up per NIC.
 */
#include "core/errmsg.h"
#include "options.h"
#include "qemu_syntax.h"
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *joined(const char *opt, const char *arg)
{
	const size_t n = strlen(opt) + strlen(arg) + 2;
	char *s = malloc(n);
	if (s)
		snprintf(s, n, "%s %s", opt, arg);
	return s;
}

/* The value of key `key` in a k=v,k=v list, copied, or NULL. */
static char *value_of(const char *arg, const char *key)
{
	const size_t klen = strlen(key);
	for (const char *p = arg; p; p = strchr(p, ',')) {
		if (*p == ',')
			p++;
		if (!strncmp(p, key, klen) && p[klen] == '=') {
			const char *v = p + klen + 1;
			return strndup(v, strcspn(v, ","));
		}
	}
	return NULL;
}

/* arg without the items whose key is in `drop` (NULL-terminated). */
static char *without_keys(const char *arg, const char *const *drop)
{
	char *out = calloc(1, strlen(arg) + 1);
	if (!out)
		return NULL;
	const char *p = arg;
	while (*p) {
		const size_t n = strcspn(p, ",");
		const size_t klen = strcspn(p, "=,");
		bool skip = false;
		for (unsigned i = 0; drop[i]; i++)
			skip |= strlen(drop[i]) == klen && !strncmp(p, drop[i], klen);
		if (!skip) {
			if (*out)
				strcat(out, ",");
			strncat(out, p, n);
		}
		p += n;
		if (*p == ',')
			p++;
	}
	return out;
}

static bool parse_mac(const char *s, uint8_t mac[6])
{
	unsigned v[6];
	char tail;
	if (sscanf(s, "%x:%x:%x:%x:%x:%x%c", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &tail) != 6)
		return false;
	for (unsigned i = 0; i < 6; i++) {
		if (v[i] > 0xff)
			return false;
		mac[i] = (uint8_t)v[i];
	}
	return true;
}

/* A NIC: its MAC (mac_text, or QEMU's default for the n-th NIC). */
static int add_nic(struct options *o, const char *netdev_id, const char *mac_text,
		   const char *origin, char *err, size_t errlen)
{
	if (o->board.nnics == VIRT_MAX_NICS)
		return errmsg(err, errlen, "%s: at most %d network devices", origin, VIRT_MAX_NICS);
	struct virt_nic *nic = &o->board.nics[o->board.nnics];
	const uint8_t qemu_default[6] = {0x52, 0x54, 0x00, 0x12, 0x34, 0x56};
	memcpy(nic->mac, qemu_default, 6);
	nic->mac[5] = (uint8_t)(0x56 + o->board.nnics);
	if (mac_text && !parse_mac(mac_text, nic->mac))
		return errmsg(err, errlen,
			      "%s: Property 'virtio-net-device.mac' doesn't take value '%s'",
			      origin, mac_text);
	struct nic_use *use = &o->nic_use[o->board.nnics++];
	use->netdev_id = netdev_id ? strdup(netdev_id) : NULL;
	use->origin = strdup(origin);
	use->netdev = -1;
	return 0;
}

/* A backend of `type` ("user": libslirp, "tap": a host TAP interface);
 * arg is what it parses. */
static int add_netdev(struct options *o, const char *type, const char *id, const char *arg,
		      const char *origin, char *err, size_t errlen)
{
	if (strcmp(type, "user") && strcmp(type, "tap"))
		return errmsg(err, errlen, "%s: Parameter 'type' does not accept value '%s'",
			      origin, type);
	for (unsigned i = 0; i < o->nnetdevs; i++)
		if (!strcmp(o->netdevs[i].id, id))
			return errmsg(err, errlen, "%s: Duplicate ID '%s' for netdev", origin, id);
	if (o->nnetdevs == MAX_NETDEVS)
		return errmsg(err, errlen, "%s: at most %d network backends", origin, MAX_NETDEVS);
	struct netdev_spec *s = &o->netdevs[o->nnetdevs++];
	s->id = strdup(id);
	s->type = strdup(type);
	s->arg = strdup(arg);
	s->origin = strdup(origin);
	return 0;
}

int options_netdev(struct options *o, const char *arg, char *err, size_t errlen)
{
	char *origin = joined("-netdev", arg);
	char *type = strndup(arg, strcspn(arg, ","));
	char *id = value_of(arg, "id");
	int rc;
	if (!*type || strchr(type, '='))
		rc = errmsg(err, errlen, "%s: Parameter 'type' is missing", origin);
	else if (!id && (!strcmp(type, "user") || !strcmp(type, "tap")))
		rc = errmsg(err, errlen, "%s: Parameter 'id' is missing", origin);
	else if (id && !qemu_id_valid(id))
		rc = errmsg(err, errlen,
			    "%s: Parameter 'id' expects an identifier (letters, digits, '-', '.', "
			    "'_', starting with a letter)",
			    origin);
	else
		rc = add_netdev(o, type, id ? id : "", arg, origin, err, errlen);
	free(origin);
	free(type);
	free(id);
	return rc;
}

int options_nic(struct options *o, const char *arg, char *err, size_t errlen)
{
	char *origin = joined("-nic", arg);
	char *type = strndup(arg, strcspn(arg, ","));
	char *model = value_of(arg, "model");
	char *mac = value_of(arg, "mac");
	int rc = 0;
	if (!strcmp(type, "none")) {
		/* no NIC */
	} else if (model && strcmp(model, "virtio-net-device") && strcmp(model, "virtio") &&
		   strcmp(model, "virtio-net-pci")) {
		rc = errmsg(err, errlen,
			    "%s: unsupported NIC model '%s' (virtio-net-device, virtio-net-pci)",
			    origin, model);
	} else {
		static const char *const nic_keys[] = {"model", "mac", "id", NULL};
		char *backend = without_keys(arg, nic_keys);
		char id[32];
		snprintf(id, sizeof(id), "__nic%u", o->board.nnics);
		rc = add_netdev(o, type, id, backend, origin, err, errlen);
		if (rc == 0)
			rc = add_nic(o, id, mac, origin, err, errlen);
		if (rc == 0 && model && !strcmp(model, "virtio-net-pci"))
			o->board.nics[o->board.nnics - 1].pci_devfn = VIRT_PCI_AUTO;
		free(backend);
	}
	free(origin);
	free(type);
	free(model);
	free(mac);
	return rc;
}

int options_net(struct options *o, const char *arg, char *err, size_t errlen)
{
	char *origin = joined("-net", arg);
	char *type = strndup(arg, strcspn(arg, ","));
	int rc = 0;
	if (!strcmp(type, "none")) {
		/* no NIC */
	} else if (!strcmp(type, "nic")) {
		char *model = value_of(arg, "model");
		char *mac = value_of(arg, "macaddr");
		char *netdev = value_of(arg, "netdev");
		if (model && strcmp(model, "virtio-net-device") && strcmp(model, "virtio") &&
		    strcmp(model, "virtio-net-pci"))
			rc = errmsg(err, errlen,
				    "%s: unsupported NIC model '%s' (virtio-net-device, "
				    "virtio-net-pci)",
				    origin, model);
		else
			rc = add_nic(o, netdev, mac, origin, err, errlen);
		if (rc == 0 && model && !strcmp(model, "virtio-net-pci"))
			o->board.nics[o->board.nnics - 1].pci_devfn = VIRT_PCI_AUTO;
		o->net_nic = true;
		free(model);
		free(mac);
		free(netdev);
	} else {
		/* -net user: the backend of the (single) hub the -net nics join. */
		char *id = value_of(arg, "id");
		rc = add_netdev(o, type, id ? id : "__net_hub0", arg, origin, err, errlen);
		free(id);
	}
	free(origin);
	free(type);
	return rc;
}

int options_net_device(struct options *o, const char *arg, char *err, size_t errlen)
{
	char *origin = joined("-device", arg);
	char *copy = strdup(arg);
	char *netdev = NULL, *mac = NULL;
	int rc = 0;
	char *save = NULL;
	strtok_r(copy, ",", &save); /* virtio-net-device */
	for (char *tok = strtok_r(NULL, ",", &save); tok && rc == 0;
	     tok = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(tok, '=');
		if (eq)
			*eq++ = '\0';
		if (!strcmp(tok, "netdev") && eq)
			netdev = eq;
		else if (!strcmp(tok, "mac") && eq)
			mac = eq;
		else if (!strcmp(tok, "id") && eq)
			continue;
		else
			rc = errmsg(err, errlen, "%s: Property 'virtio-net-device.%s' not found",
				    origin, tok);
	}
	if (rc == 0)
		rc = add_nic(o, netdev, mac, origin, err, errlen);
	free(copy);
	free(origin);
	return rc;
}

static int find_netdev(const struct options *o, const char *id)
{
	for (unsigned i = 0; i < o->nnetdevs; i++)
		if (!strcmp(o->netdevs[i].id, id))
			return (int)i;
	return -1;
}

int options_net_complete(struct options *o, char *err, size_t errlen)
{
	for (unsigned i = 0; i < o->board.nnics; i++) {
		struct nic_use *use = &o->nic_use[i];
		if (use->netdev_id) {
			use->netdev = find_netdev(o, use->netdev_id);
			if (use->netdev < 0)
				return errmsg(err, errlen,
					      "%s: Property 'virtio-net-device.netdev' can't find "
					      "value '%s'",
					      use->origin, use->netdev_id);
		} else if (!strncmp(use->origin, "-net ", 5)) {
			/* rvjit has no hub: one -net user serves the -net nic. */
			use->netdev = find_netdev(o, "__net_hub0");
			if (use->netdev < 0)
				return errmsg(err, errlen, "%s: needs a -net user to connect to",
					      use->origin);
		} else {
			continue; /* -device without netdev=: a NIC with no link */
		}
		if (o->netdevs[use->netdev].used)
			return errmsg(
			    err, errlen,
			    "%s: Property 'virtio-net-device.netdev' can't take value '%s', "
			    "it's in use",
			    use->origin, o->netdevs[use->netdev].id);
		o->netdevs[use->netdev].used = true;
	}
	for (unsigned i = 0; i < o->nnetdevs; i++)
		if (!o->netdevs[i].used)
			fprintf(stderr, "rvjit: warning: netdev %s has no peer\n",
				o->netdevs[i].id);
	return 0;
}

void options_net_free(struct options *o)
{
	for (unsigned i = 0; i < o->nnetdevs; i++) {
		free(o->netdevs[i].id);
		free(o->netdevs[i].type);
		free(o->netdevs[i].arg);
		free(o->netdevs[i].origin);
	}
	for (unsigned i = 0; i < o->board.nnics; i++) {
		free(o->nic_use[i].netdev_id);
		free(o->nic_use[i].origin);
	}
}
