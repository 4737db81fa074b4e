/*
 * -smp, as QEMU 7.2 reads it (see smp.h).
 *
 * Syntax (QEMU's key=value parser, util/keyval.c): items separated by
 * commas, a trailing comma allowed; a first item without '=' is the value
 * of cpus; a key starts with a letter. Values are integers as QEMU's
 * visitor reads them (decimal, 0x hex, 0 octal, a sign); QEMU then keeps
 * each in an unsigned int, so -1 becomes 4294967295, and so does it here.
 *
 * Topology (hw/core/machine-smp.c, machine_parse_smp_config): a key given
 * as 0 counts as omitted (with a deprecation warning). Dies and clusters
 * must be 1 on virt. With neither cpus nor maxcpus, the missing of
 * sockets, cores and threads are 1. Otherwise maxcpus defaults to cpus,
 * and QEMU >= 6.2 prefers cores over sockets: if cores is missing it is
 * maxcpus / (sockets * threads) with the others defaulting to 1, else a
 * missing sockets is maxcpus / (cores * threads); a missing threads comes
 * last, from what remains. Then maxcpus defaults to the product, cpus to
 * maxcpus, and the checks run in QEMU's order. The arithmetic is unsigned
 * int, as QEMU's, so the numbers in the messages are QEMU's.
 */
#include "smp.h"
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const smp_key_names[SMP_KEYS] = {
    [SMP_CPUS] = "cpus",       [SMP_MAXCPUS] = "maxcpus",   [SMP_SOCKETS] = "sockets",
    [SMP_DIES] = "dies",       [SMP_CLUSTERS] = "clusters", [SMP_CORES] = "cores",
    [SMP_THREADS] = "threads",
};

static int smp_fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}

/* keyval's key fragment: a letter, then letters, digits, '-' or '_'. */
static bool valid_key(const char *s, size_t len)
{
	if (!len || !isalpha((unsigned char)s[0]))
		return false;
	for (size_t i = 1; i < len; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '-' && s[i] != '_')
			return false;
	return true;
}

static int set_value(struct smp_config *c, const char *key, size_t klen, const char *val,
		     size_t vlen, char *err, size_t errlen)
{
	int k = 0;
	while (k < SMP_KEYS &&
	       (strlen(smp_key_names[k]) != klen || strncmp(smp_key_names[k], key, klen)))
		k++;
	if (k == SMP_KEYS)
		return smp_fail(err, errlen, "Parameter 'smp.%.*s' is unexpected", (int)klen, key);
	char text[32];
	char *end = NULL;
	long long v = 0;
	if (vlen < sizeof(text)) {
		memcpy(text, val, vlen);
		text[vlen] = 0;
		errno = 0;
		v = strtoll(text, &end, 0);
	}
	if (!end || end == text || *end || errno)
		return smp_fail(err, errlen, "Parameter 'smp.%s' expects integer",
				smp_key_names[k]);
	c->has[k] = true;
	c->val[k] = (uint64_t)v;
	return 0;
}

int smp_parse(struct smp_config *c, const char *arg, char *err, size_t errlen)
{
	for (const char *s = arg; *s;) {
		const size_t len = strcspn(s, "=,");
		const char *val;
		size_t klen = len;
		if (s == arg && len && s[len] != '=') {
			/* The implied key: "-smp 4" is cpus=4. */
			val = s;
			if (set_value(c, "cpus", 4, val, len, err, errlen))
				return -1;
			s += len;
		} else {
			if (!valid_key(s, klen))
				return smp_fail(err, errlen, "-smp %s: Invalid parameter '%.*s'",
						arg, (int)klen, s);
			if (s[klen] != '=')
				return smp_fail(err, errlen,
						"-smp %s: Expected '=' after parameter '%.*s'", arg,
						(int)klen, s);
			val = s + klen + 1;
			const size_t vlen = strcspn(val, ",");
			if (set_value(c, s, klen, val, vlen, err, errlen))
				return -1;
			s = val + vlen;
		}
		if (*s == ',')
			s++;
	}
	return 0;
}

/* QEMU's cpu_hierarchy_to_string for a machine without dies or clusters. */
static void hierarchy(const struct smp_topology *t, char *buf, size_t len)
{
	snprintf(buf, len, "sockets (%u) * cores (%u) * threads (%u)", t->sockets, t->cores,
		 t->threads);
}

/* a / b, where QEMU would divide by a product that wrapped to 0. */
static unsigned divide(unsigned a, unsigned b)
{
	return b ? a / b : 0;
}

int smp_resolve(const struct smp_config *c, unsigned max_cpus, struct smp_topology *t, char *err,
		size_t errlen)
{
	unsigned v[SMP_KEYS];
	memset(t, 0, sizeof(*t));
	for (int k = 0; k < SMP_KEYS; k++) {
		v[k] = c->has[k] ? (unsigned)c->val[k] : 0;
		if (c->has[k] && v[k] == 0)
			t->zero_given = true;
	}
	if (v[SMP_DIES] > 1)
		return smp_fail(err, errlen, "dies not supported by this machine's CPU topology");
	if (v[SMP_CLUSTERS] > 1)
		return smp_fail(err, errlen,
				"clusters not supported by this machine's CPU topology");
	unsigned cpus = v[SMP_CPUS], maxcpus = v[SMP_MAXCPUS];
	unsigned sockets = v[SMP_SOCKETS], cores = v[SMP_CORES], threads = v[SMP_THREADS];
	const unsigned dies = 1, clusters = 1;

	if (cpus == 0 && maxcpus == 0) {
		sockets = sockets ? sockets : 1;
		cores = cores ? cores : 1;
		threads = threads ? threads : 1;
	} else {
		maxcpus = maxcpus ? maxcpus : cpus;
		if (cores == 0) {
			sockets = sockets ? sockets : 1;
			threads = threads ? threads : 1;
			cores = divide(maxcpus, sockets * dies * clusters * threads);
		} else if (sockets == 0) {
			threads = threads ? threads : 1;
			sockets = divide(maxcpus, dies * clusters * cores * threads);
		}
		if (threads == 0)
			threads = divide(maxcpus, sockets * dies * clusters * cores);
	}
	maxcpus = maxcpus ? maxcpus : sockets * dies * clusters * cores * threads;
	cpus = cpus ? cpus : maxcpus;

	t->cpus = cpus;
	t->maxcpus = maxcpus;
	t->sockets = sockets;
	t->dies = dies;
	t->clusters = clusters;
	t->cores = cores;
	t->threads = threads;

	char topo[128];
	hierarchy(t, topo, sizeof(topo));
	if (sockets * dies * clusters * cores * threads != maxcpus)
		return smp_fail(err, errlen,
				"Invalid CPU topology: product of the hierarchy must match "
				"maxcpus: %s != maxcpus (%u)",
				topo, maxcpus);
	if (maxcpus < cpus)
		return smp_fail(err, errlen,
				"Invalid CPU topology: maxcpus must be equal to or greater than "
				"smp: %s == maxcpus (%u) < smp_cpus (%u)",
				topo, maxcpus, cpus);
	/* QEMU prints these with %d. */
	if (cpus < 1)
		return smp_fail(
		    err, errlen,
		    "Invalid SMP CPUs %d. The min CPUs supported by machine 'virt' is 1",
		    (int)cpus);
	if (maxcpus > max_cpus)
		return smp_fail(
		    err, errlen,
		    "Invalid SMP CPUs %d. The max CPUs supported by machine 'virt' is %d",
		    (int)maxcpus, (int)max_cpus);
	return 0;
}
