/*
 * The monitor's expressions (see monitor_expr.h): a recursive-descent
 * parser, one function per level of the grammar. The first error wins and
 * stops the evaluation (the parse unwinds through `ok`).
 */
#include "monitor_expr.h"
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

struct expr {
	const char *p;
	expr_reg_fn reg;
	void *opaque;
	bool ok;
	char *err;
	size_t errlen;
};

static uint64_t fail(struct expr *e, const char *fmt, ...)
{
	if (e->ok) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(e->err, e->errlen, fmt, ap);
		va_end(ap);
	}
	e->ok = false;
	return 0;
}

static void skip_spaces(struct expr *e)
{
	while (isspace((unsigned char)*e->p))
		e->p++;
}

static uint64_t sum(struct expr *e);

static uint64_t unary(struct expr *e)
{
	if (!e->ok)
		return 0;
	uint64_t v;
	const char c = *e->p;
	switch (c) {
	case '+':
		e->p++;
		return unary(e);
	case '-':
		e->p++;
		return -unary(e);
	case '~':
		e->p++;
		return ~unary(e);
	case '(':
		e->p++;
		v = sum(e);
		if (e->ok && *e->p != ')')
			return fail(e, "')' expected");
		e->p++;
		break;
	case '\'':
		v = (unsigned char)e->p[1];
		if (!v)
			return fail(e, "character constant expected");
		e->p += 2;
		if (*e->p != '\'')
			return fail(e, "missing terminating ' character");
		e->p++;
		break;
	case '$': {
		char name[32];
		size_t n = 0;
		e->p++;
		while ((isalnum((unsigned char)*e->p) || *e->p == '_' || *e->p == '.') &&
		       n + 1 < sizeof(name))
			name[n++] = *e->p++;
		name[n] = '\0';
		if (!e->reg || !e->reg(e->opaque, name, &v))
			return fail(e, "unknown register");
		break;
	}
	case '\0':
		return fail(e, "unexpected end of expression");
	default: {
		char *end;
		errno = 0;
		v = strtoull(e->p, &end, 0);
		if (errno == ERANGE)
			return fail(e, "number too large");
		if (end == e->p)
			return fail(e, "invalid char '%c' in expression", c);
		e->p = end;
		break;
	}
	}
	skip_spaces(e);
	return v;
}

static uint64_t prod(struct expr *e)
{
	uint64_t v = unary(e);
	while (e->ok && (*e->p == '*' || *e->p == '/' || *e->p == '%')) {
		const char op = *e->p++;
		skip_spaces(e);
		const uint64_t r = unary(e);
		if (op == '*')
			v *= r;
		else if (!r)
			return fail(e, "division by zero");
		else
			v = op == '/' ? v / r : v % r;
	}
	return v;
}

static uint64_t logic(struct expr *e)
{
	uint64_t v = prod(e);
	while (e->ok && (*e->p == '&' || *e->p == '|' || *e->p == '^')) {
		const char op = *e->p++;
		skip_spaces(e);
		const uint64_t r = prod(e);
		v = op == '&' ? v & r : op == '|' ? v | r : v ^ r;
	}
	return v;
}

static uint64_t sum(struct expr *e)
{
	uint64_t v = logic(e);
	while (e->ok && (*e->p == '+' || *e->p == '-')) {
		const char op = *e->p++;
		skip_spaces(e);
		const uint64_t r = logic(e);
		v = op == '+' ? v + r : v - r;
	}
	return v;
}

bool expr_eval(const char **s, expr_reg_fn reg, void *opaque, uint64_t *value, char *err,
	       size_t errlen)
{
	struct expr e = {
	    .p = *s, .reg = reg, .opaque = opaque, .ok = true, .err = err, .errlen = errlen};
	skip_spaces(&e);
	*value = sum(&e);
	*s = e.p;
	return e.ok;
}
