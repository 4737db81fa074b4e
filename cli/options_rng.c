/*
 * The random-number options, in QEMU's spelling and with QEMU 7.2's
 * messages (the option as typed, then QEMU's words):
 *   -object rng-random,id=ID[,filename=F]   F defaults to /dev/urandom
 *   -object rng-builtin,id=ID               the host's getrandom()
 *   -device virtio-rng-device[,rng=ID][,max-bytes=N][,period=MS]
 *           [,bus=virtio-mmio-bus.N][,id=NAME]
 * A device's rng= is resolved once every option is read (the -object may
 * come after it); without rng= the board gives the device an rng-builtin
 * of its own, as QEMU does. The backend's file is opened by the board.
 */
#include "core/errmsg.h"
#include "devices/virtio_rng.h"
#include "options.h"
#include "qemu_syntax.h"
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

/* One key=value of a comma-separated list, split in place. A key without
 * "=" (*bare) is QEMU's short form for key=on. */
static char *next_kv(char **s, char **val, bool *bare)
{
	char *tok = strsep(s, ",");
	if (!tok)
		return NULL;
	char *eq = strchr(tok, '=');
	*bare = !eq;
	*val = "on";
	if (eq) {
		*eq = '\0';
		*val = eq + 1;
	}
	return tok;
}

static int find_backend(const struct options *o, const char *id)
{
	for (unsigned i = 0; i < o->board.nrng_backends; i++)
		if (!strcmp(o->board.rng_backends[i].id, id))
			return (int)i;
	return -1;
}

int options_object(struct options *o, const char *arg, char *err, size_t errlen)
{
	char *copy = strdup(arg);
	char *rest = copy, *val;
	char *type = NULL, *id = NULL, *filename = NULL;
	bool bare;
	int rc = 0;
	for (char *key; rc == 0 && (key = next_kv(&rest, &val, &bare));) {
		if (key == copy && bare) {
			type = key; /* the leading TYPE of -object TYPE,... */
		} else if (!strcmp(key, "qom-type")) {
			type = val;
		} else if (!strcmp(key, "id")) {
			id = val;
		} else if (!strcmp(key, "filename") && type && !strcmp(type, "rng-random")) {
			filename = val;
		} else if (type && (!strcmp(type, "rng-random") || !strcmp(type, "rng-builtin"))) {
			rc = errmsg(err, errlen, "-object %s: Invalid parameter '%s'", arg, key);
		}
	}
	if (rc == 0 && !type)
		rc = errmsg(err, errlen, "-object %s: Parameter 'qom-type' is missing", arg);
	else if (rc == 0 && !strcmp(type, "rng-egd"))
		rc = errmsg(err, errlen,
			    "-object %s: rng-egd is not supported (rvjit has rng-random and "
			    "rng-builtin)",
			    arg);
	else if (rc == 0 && strcmp(type, "rng-random") && strcmp(type, "rng-builtin"))
		rc = errmsg(err, errlen,
			    "-object %s: Parameter 'qom-type' does not accept value '%s'", arg,
			    type);
	else if (rc == 0 && !id)
		rc = errmsg(err, errlen, "-object %s: Parameter 'id' is missing", arg);
	else if (rc == 0 && !qemu_id_valid(id))
		rc = errmsg(err, errlen, "-object %s: Parameter 'id' expects an identifier", arg);
	else if (rc == 0 && find_backend(o, id) >= 0)
		rc = errmsg(err, errlen, "-object %s: Duplicate ID '%s' for object", arg, id);
	else if (rc == 0 && o->board.nrng_backends == VIRT_MAX_RNG_BACKENDS)
		rc = errmsg(err, errlen, "-object %s: at most %d rng backends", arg,
			    VIRT_MAX_RNG_BACKENDS);
	if (rc == 0) {
		struct virt_rng_backend *b = &o->board.rng_backends[o->board.nrng_backends++];
		b->id = strdup(id);
		/* rng-random's default file, as QEMU 7.2's */
		b->filename = strcmp(type, "rng-random")
				  ? NULL
				  : strdup(filename ? filename : "/dev/urandom");
	}
	free(copy);
	return rc;
}

/* QEMU's integer properties: decimal, or 0x hex; "-1" wraps as QEMU's. */
static bool parse_u64(const char *s, uint64_t *out)
{
	char *end;
	if (!*s || isspace((unsigned char)*s))
		return false;
	errno = 0;
	const unsigned long long v = strtoull(s, &end, 0);
	if (*end || errno)
		return false;
	*out = v;
	return true;
}

static int rng_key(struct options *o, struct virt_rng *r, const char **rng, const char *arg,
		   const char *key, const char *val, char *err, size_t errlen)
{
	uint64_t v;
	if (!strcmp(key, "rng")) {
		*rng = *val ? val : NULL; /* rng= empty: none, as QEMU */
	} else if (!strcmp(key, "max-bytes")) {
		if (!parse_u64(val, &v))
			return errmsg(err, errlen,
				      "-device %s: Parameter 'max-bytes' expects integer", arg);
		if (v > INT64_MAX)
			return errmsg(err, errlen,
				      "-device %s: 'max-bytes' parameter must be non-negative, and "
				      "less than 2^63",
				      arg);
		r->max_bytes = v;
	} else if (!strcmp(key, "period")) {
		if (!parse_u64(val, &v))
			return errmsg(err, errlen, "-device %s: Parameter 'period' expects integer",
				      arg);
		if (v > UINT32_MAX)
			return errmsg(err, errlen,
				      "-device %s: Parameter 'period' expects uint32_t", arg);
		if (v == 0)
			return errmsg(err, errlen,
				      "-device %s: 'period' parameter expects a positive integer",
				      arg);
		r->period_ms = (uint32_t)v;
	} else if (!strcmp(key, "bus") && !strcmp(val, "pcie.0")) {
		return errmsg(err, errlen,
			      "-device %s: Device 'virtio-rng-device' can't go on PCIE bus", arg);
	} else if (!strcmp(key, "bus")) {
		char *end;
		const long s =
		    strncmp(val, "virtio-mmio-bus.", 16) ? -1 : strtol(val + 16, &end, 10);
		if (s < 0 || s >= VIRT_VIRTIO_COUNT || !val[16] || *end)
			return errmsg(err, errlen, "-device %s: Bus '%s' not found", arg, val);
		r->slot = (int)s;
	} else if (strcmp(key, "id")) {
		return errmsg(err, errlen, "-device %s: Property 'virtio-rng-device.%s' not found",
			      arg, key);
	}
	(void)o;
	return 0;
}

int options_rng_device(struct options *o, const char *arg, char *err, size_t errlen)
{
	if (o->board.nrngs == VIRT_VIRTIO_COUNT)
		return errmsg(err, errlen, "-device %s: at most %d virtio devices", arg,
			      VIRT_VIRTIO_COUNT);
	struct virt_rng r = {
	    .backend = -1,
	    .max_bytes = VIRTIO_RNG_MAX_BYTES_DEFAULT,
	    .period_ms = VIRTIO_RNG_PERIOD_MS_DEFAULT,
	    .slot = -1,
	};
	char *copy = strdup(arg);
	char *rest = copy, *val;
	const char *rng = NULL;
	bool bare;
	int rc = 0;
	(void)next_kv(&rest, &val, &bare); /* the driver name */
	for (char *key; rc == 0 && (key = next_kv(&rest, &val, &bare));)
		rc = rng_key(o, &r, &rng, arg, key, val, err, errlen);
	if (rc == 0 && rng) {
		struct backend_ref *ref =
		    options_add_backend_ref(o, BACKEND_RNG, arg, rng, r.slot, err, errlen);
		if (!ref)
			rc = -1;
		else
			ref->index = o->board.nrngs;
	}
	free(copy);
	if (rc)
		return rc;
	r.order = o->virtio_order++;
	o->board.rngs[o->board.nrngs++] = r;
	return 0;
}

int options_rng_attach(struct options *o, const struct backend_ref *r, char *err, size_t errlen)
{
	const int b = find_backend(o, r->id);
	if (b < 0)
		return errmsg(err, errlen, "-device %s: Device '%s' not found", r->device, r->id);
	o->board.rngs[r->index].backend = b;
	return 0;
}

void options_rng_free(struct options *o)
{
	for (unsigned i = 0; i < o->board.nrng_backends; i++) {
		free(o->board.rng_backends[i].id);
		free(o->board.rng_backends[i].filename);
	}
}
