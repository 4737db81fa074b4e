/*
 * One way to report an error to a caller that gave a buffer: format the
 * message into err and return -1, so a parser or builder can write
 * `return errmsg(err, errlen, "...", ...)` wherever it gives up.
 */
#ifndef RVJIT_ERRMSG_H
#define RVJIT_ERRMSG_H

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

__attribute__((format(printf, 3, 4))) static inline int errmsg(char *err, size_t errlen,
							       const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}

#endif
