/*
 * From option text to a chardev description (see chardev.h): -chardev's
 * key=value form and the legacy -serial/-monitor forms QEMU turns into an
 * implicit chardev (qemu_chr_parse_compat). Messages are QEMU's words.
 */
#include "chardev.h"
#include "core/errmsg.h"
#include "qemu_syntax.h"
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void set(char **dst, const char *v)
{
	free(*dst);
	*dst = strdup(v);
}

/* One key=value of a chardev (-chardev's, or the options after a legacy
 * tcp:/unix: address). 0, or -1 with err. */
static int set_key(struct chardev_spec *s, const char *key, const char *val, char *err,
		   size_t errlen)
{
	bool *flag = NULL;
	const bool sock = s->backend == CHARDEV_SOCKET;
	if (!strcmp(key, "mux"))
		flag = &s->mux;
	else if (!strcmp(key, "signal") && s->backend == CHARDEV_STDIO)
		flag = &s->signal;
	else if (!strcmp(key, "append") && s->backend == CHARDEV_FILE)
		flag = &s->append;
	else if (!strcmp(key, "server") && sock)
		flag = &s->server;
	else if (!strcmp(key, "wait") && sock)
		flag = &s->wait;
	else if (!strcmp(key, "telnet") && sock)
		flag = &s->telnet;
	if (flag) {
		if (!qemu_bool_parse(val, flag))
			return errmsg(err, errlen, "Parameter '%s' expects 'on' or 'off'", key);
		return 0;
	}
	if (!strcmp(key, "nowait") && sock && !val) {
		s->wait = false;
		return 0;
	}
	/* Accepted and without effect here: TCP_NODELAY is always set, and
	 * the address family follows the host name. */
	if ((!strcmp(key, "nodelay") || !strcmp(key, "ipv4") || !strcmp(key, "ipv6")) && sock)
		return 0;
	char **str = NULL;
	if (!strcmp(key, "id"))
		str = &s->id;
	else if (!strcmp(key, "path") && (s->backend == CHARDEV_FILE || sock))
		str = &s->path;
	else if (!strcmp(key, "host") && sock)
		str = &s->host;
	else if (!strcmp(key, "port") && sock)
		str = &s->port;
	if (!str)
		return errmsg(err, errlen, "Invalid parameter '%s'", key);
	if (!val)
		return errmsg(err, errlen, "Parameter '%s' expects a value", key);
	set(str, val);
	return 0;
}

/* Apply "k=v,k,..." (modified in place). */
static int set_keys(struct chardev_spec *s, char *list, char *err, size_t errlen)
{
	for (char *save, *tok = strtok_r(list, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(tok, '=');
		if (eq)
			*eq = '\0';
		if (set_key(s, tok, eq ? eq + 1 : NULL, err, errlen))
			return -1;
	}
	return 0;
}

static const char *const backend_names[] = {
    [CHARDEV_NULL] = "null",	 [CHARDEV_STDIO] = "stdio", [CHARDEV_FILE] = "file",
    [CHARDEV_SOCKET] = "socket", [CHARDEV_PTY] = "pty",
};

static bool backend_by_name(const char *name, enum chardev_backend *out)
{
	for (size_t i = 0; i < sizeof(backend_names) / sizeof(backend_names[0]); i++)
		if (!strcmp(name, backend_names[i])) {
			*out = (enum chardev_backend)i;
			return true;
		}
	return false;
}

static void spec_init(struct chardev_spec *s, const char *origin)
{
	memset(s, 0, sizeof(*s));
	s->signal = true; /* QEMU's default for stdio */
	s->wait = true;	  /* QEMU's default for a server */
	s->origin = strdup(origin);
}

/* What each backend needs, once every key is known. */
static int check_spec(struct chardev_spec *s, char *err, size_t errlen)
{
	if (s->backend == CHARDEV_FILE && !s->path)
		return errmsg(err, errlen, "chardev: file: no filename given");
	if (s->backend == CHARDEV_SOCKET) {
		if (s->path && (s->host || s->port))
			return errmsg(err, errlen,
				      "chardev: socket: give path= (unix) or host= and port= "
				      "(TCP), not both");
		if (!s->path && !s->port)
			return errmsg(err, errlen,
				      "chardev: socket: give port= (TCP) or path= (unix socket)");
		if (!s->server && !s->path && (!s->host || !*s->host))
			set(&s->host, "localhost"); /* a client connects somewhere */
	}
	return 0;
}

int chardev_parse(struct chardev_spec *s, const char *arg, char *err, size_t errlen)
{
	char origin[512];
	snprintf(origin, sizeof(origin), "-chardev %s", arg);
	spec_init(s, origin);
	char *copy = strdup(arg);
	char *rest = strchr(copy, ',');
	if (rest)
		*rest++ = '\0';
	int rc = 0;
	if (!backend_by_name(copy, &s->backend))
		rc = errmsg(err, errlen, "'%s' is not a valid char driver name", copy);
	else if (rest && set_keys(s, rest, err, errlen))
		rc = -1;
	else if (!s->id)
		rc = errmsg(err, errlen, "chardev: no id specified");
	else if (!qemu_id_valid(s->id))
		rc = errmsg(err, errlen,
			    "Parameter 'id' expects an identifier (letters, digits, '-', '.', "
			    "'_', starting with a letter)");
	else
		rc = check_spec(s, err, errlen);
	free(copy);
	return rc;
}

/* "[HOST]:PORT" of tcp: and telnet:. */
static int split_host_port(struct chardev_spec *s, const char *addr, char *err, size_t errlen)
{
	const char *colon = strrchr(addr, ':');
	if (!colon || !colon[1])
		return errmsg(err, errlen, "'%s' is not [HOST]:PORT", addr);
	free(s->host);
	s->host = strndup(addr, (size_t)(colon - addr));
	set(&s->port, colon + 1);
	return 0;
}

int chardev_parse_legacy(struct chardev_spec *s, const char *opt, const char *arg, const char *id,
			 bool *monitor, char *err, size_t errlen)
{
	char origin[512];
	snprintf(origin, sizeof(origin), "%s %s", opt, arg);
	spec_init(s, origin);
	set(&s->id, id);
	*monitor = false;
	if (!strncmp(arg, "mon:", 4)) {
		/* The monitor shares it, behind Ctrl-a c. */
		*monitor = true;
		s->mux = true;
		arg += 4;
	}
	char *copy = strdup(arg);
	char *colon = strchr(copy, ':');
	char *value = NULL;
	if (colon) {
		*colon = '\0';
		value = colon + 1;
	}
	enum chardev_backend b;
	int rc = 0;
	if (!strcmp(copy, "tcp") || !strcmp(copy, "telnet") || !strcmp(copy, "unix")) {
		s->backend = CHARDEV_SOCKET;
		s->telnet = !strcmp(copy, "telnet");
		char *opts = value ? strchr(value, ',') : NULL;
		if (opts)
			*opts++ = '\0';
		/* Without server the legacy forms connect (QEMU's default). */
		if (!value || !*value)
			rc = errmsg(err, errlen, "'%s' needs an address", copy);
		else if (!strcmp(copy, "unix"))
			set(&s->path, value);
		else
			rc = split_host_port(s, value, err, errlen);
		if (!rc && opts)
			rc = set_keys(s, opts, err, errlen);
	} else if (!strcmp(copy, "file") && value) {
		s->backend = CHARDEV_FILE;
		set(&s->path, value);
	} else if (!value && backend_by_name(copy, &b) && b != CHARDEV_SOCKET &&
		   b != CHARDEV_FILE) {
		s->backend = b;	   /* null, stdio, pty */
		s->signal = false; /* QEMU's legacy stdio (-nographic) passes Ctrl-C on */
	} else {
		rc = errmsg(err, errlen, "'%s' is not a valid char driver", arg);
	}
	if (!rc)
		rc = check_spec(s, err, errlen);
	free(copy);
	return rc;
}

void chardev_spec_free(struct chardev_spec *s)
{
	free(s->id);
	free(s->origin);
	free(s->path);
	free(s->host);
	free(s->port);
	memset(s, 0, sizeof(*s));
}
