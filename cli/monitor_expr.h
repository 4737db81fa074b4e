/*
 * The monitor's expressions (QEMU's `print`, `x` addresses, `cpu`):
 * 64-bit unsigned arithmetic with QEMU's grammar and error messages
 * (monitor/hmp.c, get_expr):
 *
 *   sum   := logic { (+|-) logic }
 *   logic := prod { (&|||^) prod }       (tighter than + and -, as QEMU)
 *   prod  := unary { (*|/|%) unary }
 *   unary := + unary | - unary | ~ unary | ( sum ) | 'c' | $name | number
 *
 * Numbers are C's (0x hex, 0 octal, decimal). $name is looked up through
 * the caller's function (the selected hart's registers).
 */
#ifndef RVJIT_MONITOR_EXPR_H
#define RVJIT_MONITOR_EXPR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The value of register `name` (without the '$'), false when unknown. */
typedef bool (*expr_reg_fn)(void *opaque, const char *name, uint64_t *value);

/* Evaluate the expression at *s, advancing *s past it and the spaces after.
 * False with QEMU's message in err ("division by zero", "unexpected end
 * of expression", ...). */
bool expr_eval(const char **s, expr_reg_fn reg, void *opaque, uint64_t *value, char *err,
	       size_t errlen);

#endif
