/*
 * QEMU's id and boolean syntax (cli/qemu_syntax.h).
 */
#include "qemu_syntax.h"
#include <ctype.h>
#include <string.h>

bool qemu_id_valid(const char *id)
{
	if (!isalpha((unsigned char)id[0]))
		return false;
	for (const char *p = id; *p; p++)
		if (!isalnum((unsigned char)*p) && *p != '-' && *p != '.' && *p != '_')
			return false;
	return true;
}

static bool one_of(const char *v, const char *const *words)
{
	for (; *words; words++)
		if (!strcmp(v, *words))
			return true;
	return false;
}

bool qemu_bool_parse(const char *v, bool *out)
{
	static const char *const on[] = {"on", "yes", "true", "y", "1", NULL};
	static const char *const off[] = {"off", "no", "false", "n", "0", NULL};
	if (!v || one_of(v, on))
		*out = true;
	else if (one_of(v, off))
		*out = false;
	else
		return false;
	return true;
}
