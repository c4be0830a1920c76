/* errmsg.c: formatting error messages for callers (see errmsg.h). */
#include "errmsg.h"

#include <stdio.h>

int verrmsg(char *err, size_t errlen, int ret, const char *fmt, va_list ap)
{
	vsnprintf(err, errlen, fmt, ap);
	return ret;
}

int errmsg(char *err, size_t errlen, int ret, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	verrmsg(err, errlen, ret, fmt, ap);
	va_end(ap);
	return ret;
}
