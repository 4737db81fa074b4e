/* Hosts without a translator: the interpreter is the only engine. */
#include "jit.h"
#include <stdio.h>
#include <string.h>

bool jit_available(void)
{
	return false;
}

bool jit_attach(struct machine *m, const struct jit_options *opts)
{
	fprintf(stderr, "rvjit: no translator for this host; use --interp\n");
	return false;
}

void jit_detach(struct machine *m) {}
void *jit_fork_prepare(struct machine *m, bool *ok)
{
	*ok = true;
	return NULL;
}
bool jit_fork_finish(struct machine *m, void *prepared, bool child)
{
	return true;
}

void jit_get_stats(const struct machine *m, struct jit_stats *s)
{
	memset(s, 0, sizeof(*s));
}
