/*
 * -chardev, -serial, -monitor and -mon (options.h): which host end the
 * serial line and the monitor get, as QEMU 7.2's vl.c decides it.
 *
 * - A legacy -serial/-monitor form (file:, tcp:, pty, null...) becomes an
 *   implicit chardev, "serial0" or "compat_monitorN" as QEMU labels them.
 * - stdio (the default, -serial stdio, mon:stdio, -monitor stdio) is one
 *   shared mux, as rvjit has always had it: the serial line and the
 *   monitor meet behind Ctrl-a c. (QEMU refuses `-serial stdio -monitor
 *   stdio`; rvjit keeps accepting it.)
 * - `mon:X` puts the monitor on X too, unless -monitor or -mon says where.
 * - References (chardev:ID, -mon chardev=ID) are resolved after the whole
 *   line is parsed, so their order does not matter; a chardev without
 *   mux=on takes one front end only.
 */
#include "chardev.h"
#include "core/errmsg.h"
#include "options.h"
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define STDIO_MUX_ID "compat_stdio" /* the shared stdio chardev */

/* "OPT ARG: " in front of what a parser wrote into err. */
static int prefix_error(char *err, size_t errlen, const char *opt, const char *arg)
{
	char msg[512];
	snprintf(msg, sizeof(msg), "%s", err);
	return errmsg(err, errlen, "%s %s: %s", opt, arg, msg);
}

/* u is chardev ref (NULL: stdio), as "OPT ARG" says (opt NULL: arg is
 * the whole origin). */
static void set_use(struct chardev_use *u, const char *ref, const char *opt, const char *arg)
{
	char *old_ref = u->ref, *old_origin = u->origin; /* ref and arg may be them */
	u->ref = ref ? strdup(ref) : NULL;
	const size_t len = (opt ? strlen(opt) + 1 : 0) + strlen(arg) + 1;
	u->origin = malloc(len);
	snprintf(u->origin, len, "%s%s%s", opt ? opt : "", opt ? " " : "", arg);
	free(old_ref);
	free(old_origin);
}

static struct chardev_spec *find_chardev(struct options *o, const char *id)
{
	for (unsigned i = 0; i < o->nchardevs; i++)
		if (!strcmp(o->chardevs[i].id, id))
			return &o->chardevs[i];
	return NULL;
}

/* Take *s into the list (or free it with an error). */
static int add_chardev(struct options *o, struct chardev_spec *s, const char *opt, const char *arg,
		       char *err, size_t errlen)
{
	int rc = 0;
	if (find_chardev(o, s->id))
		rc = errmsg(err, errlen, "%s %s: Duplicate ID '%s' for chardev", opt, arg, s->id);
	else if (o->nchardevs == MAX_CHARDEVS)
		rc = errmsg(err, errlen, "%s %s: more than %d chardevs", opt, arg, MAX_CHARDEVS);
	if (rc) {
		chardev_spec_free(s);
		return rc;
	}
	o->chardevs[o->nchardevs++] = *s;
	return 0;
}

int options_chardev(struct options *o, const char *arg, char *err, size_t errlen)
{
	struct chardev_spec s;
	if (chardev_parse(&s, arg, err, errlen)) {
		chardev_spec_free(&s);
		return prefix_error(err, errlen, "-chardev", arg);
	}
	return add_chardev(o, &s, "-chardev", arg, err, errlen);
}

/* A -serial or -monitor value: none, chardev:ID, or a legacy form. */
static int use_value(struct options *o, struct chardev_use *u, bool *none, const char *opt,
		     const char *arg, const char *id, char *err, size_t errlen)
{
	*none = !strcmp(arg, "none");
	if (*none)
		return 0;
	if (!strncmp(arg, "chardev:", 8)) {
		set_use(u, arg + 8, opt, arg);
		return 0;
	}
	struct chardev_spec s;
	bool monitor;
	if (chardev_parse_legacy(&s, opt, arg, id, &monitor, err, errlen)) {
		chardev_spec_free(&s);
		return prefix_error(err, errlen, opt, arg);
	}
	if (monitor && u == &o->serial_use)
		o->monitor_on_serial = true;
	if (s.backend == CHARDEV_STDIO) {
		chardev_spec_free(&s);
		set_use(u, NULL, opt, arg);
		return 0;
	}
	set_use(u, id, opt, arg);
	return add_chardev(o, &s, opt, arg, err, errlen);
}

int options_serial(struct options *o, const char *arg, char *err, size_t errlen)
{
	if (o->serial_given) {
		/* virt has one UART: QEMU ignores serial1 and later. */
		return 0;
	}
	o->serial_given = true;
	return use_value(o, &o->serial_use, &o->no_serial, "-serial", arg, "serial0", err, errlen);
}

int options_monitor(struct options *o, const char *arg, char *err, size_t errlen)
{
	/* One monitor: the last -monitor or -mon says where. */
	char id[32];
	snprintf(id, sizeof(id), "compat_monitor%u", o->nmonitors++);
	o->monitor_given = true;
	return use_value(o, &o->monitor_use, &o->no_monitor, "-monitor", arg, id, err, errlen);
}

/* -mon [chardev=]ID[,mode=readline][,pretty=on|off] */
int options_mon(struct options *o, const char *arg, char *err, size_t errlen)
{
	char *copy = strdup(arg);
	char *id = NULL;
	int rc = 0;
	for (char *save, *tok = strtok_r(copy, ",", &save); tok && !rc;
	     tok = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(tok, '=');
		if (!eq && tok == copy)
			id = tok; /* chardev is the implied key, as in QEMU */
		else if (eq && !strncmp(tok, "chardev=", 8))
			id = eq + 1;
		else if (eq && !strcmp(tok, "mode=control"))
			rc = errmsg(err, errlen, "-mon %s: mode=control (QMP) is not supported",
				    arg);
		else if (!(eq && (!strcmp(tok, "mode=readline") || !strncmp(tok, "pretty=", 7))))
			rc = errmsg(err, errlen, "-mon %s: Invalid parameter '%.*s'", arg,
				    (int)(eq ? (size_t)(eq - tok) : strlen(tok)), tok);
	}
	if (!rc && !id)
		rc = errmsg(err, errlen, "-mon %s: Parameter 'chardev' is missing", arg);
	if (!rc) {
		o->monitor_given = true;
		o->no_monitor = false;
		set_use(&o->monitor_use, id, "-mon", arg);
	}
	free(copy);
	return rc;
}

/* Whether use u is on stdio (for -daemonize, which has none). */
static bool on_stdio(struct options *o, const struct chardev_use *u)
{
	if (!u->ref)
		return true;
	const struct chardev_spec *s = find_chardev(o, u->ref);
	return s && s->backend == CHARDEV_STDIO;
}

/* The chardev index use u resolves to, or -1 with err. */
static int resolve(struct options *o, const struct chardev_use *u, char *err, size_t errlen)
{
	struct chardev_spec *s;
	if (!u->ref) {
		if (!(s = find_chardev(o, STDIO_MUX_ID))) {
			struct chardev_spec stdio;
			bool monitor;
			char e[256];
			if (chardev_parse_legacy(&stdio, "-serial", "stdio", STDIO_MUX_ID, &monitor,
						 e, sizeof(e))) {
				chardev_spec_free(&stdio);
				errmsg(err, errlen, "%s", e);
				return -1;
			}
			if (add_chardev(o, &stdio, "-serial", "stdio", err, errlen))
				return -1;
			s = &o->chardevs[o->nchardevs - 1];
			s->mux = true; /* the serial line and the monitor share it */
		}
	} else if (!(s = find_chardev(o, u->ref))) {
		errmsg(err, errlen, "%s: chardev \"%s\" not found", u->origin, u->ref);
		return -1;
	}
	if (s->users && !s->mux) {
		errmsg(err, errlen, "%s: Device '%s' is in use", u->origin, s->id);
		return -1;
	}
	s->users++;
	return (int)(s - o->chardevs);
}

int options_chardev_complete(struct options *o, char *err, size_t errlen)
{
	if (o->nodefaults) {
		o->no_serial = !o->serial_given;
		o->no_monitor |= !o->monitor_given;
	}
	if (o->monitor_on_serial && !o->monitor_given && !o->no_serial) {
		o->no_monitor = false;
		set_use(&o->monitor_use, o->serial_use.ref, NULL, o->serial_use.origin);
	}
	if (o->daemonize) {
		/* QEMU's checks; without them, rvjit's default console is
		 * stdio, which a daemon has not: no serial, no monitor. */
		if (o->nographic)
			return errmsg(err, errlen, "-nographic cannot be used with -daemonize");
		if (o->serial_given && !o->no_serial && on_stdio(o, &o->serial_use))
			return errmsg(err, errlen,
				      "-serial stdio: cannot use stdio with -daemonize");
		if (o->monitor_given && !o->no_monitor && on_stdio(o, &o->monitor_use))
			return errmsg(err, errlen,
				      "-monitor stdio: cannot use stdio with -daemonize");
		o->no_serial |= !o->serial_given;
		o->no_monitor |= !o->monitor_given;
	}
	o->serial_chardev = o->monitor_chardev = -1;
	if (!o->no_serial && (o->serial_chardev = resolve(o, &o->serial_use, err, errlen)) < 0)
		return -1;
	if (!o->no_monitor && (o->monitor_chardev = resolve(o, &o->monitor_use, err, errlen)) < 0)
		return -1;
	/* One terminal, one reader: QEMU's rule. */
	bool stdio = false;
	for (unsigned i = 0; i < o->nchardevs; i++) {
		if (o->chardevs[i].backend != CHARDEV_STDIO)
			continue;
		if (stdio)
			return errmsg(err, errlen,
				      "cannot use stdio by multiple character devices");
		stdio = true;
	}
	return 0;
}

void options_chardev_free(struct options *o)
{
	for (unsigned i = 0; i < o->nchardevs; i++)
		chardev_spec_free(&o->chardevs[i]);
	free(o->serial_use.ref);
	free(o->serial_use.origin);
	free(o->monitor_use.ref);
	free(o->monitor_use.origin);
}
