/* errmsg.h: the one-line error messages mote's functions hand back to their callers. */
#ifndef MOTE_TOOLS_ERRMSG_H
#define MOTE_TOOLS_ERRMSG_H

#include <stdarg.h>
#include <stddef.h>

/* Formats the message into err (errlen bytes) and returns ret (a -errno), for `return errmsg(...)`. */
int errmsg(char *err, size_t errlen, int ret, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
int verrmsg(char *err, size_t errlen, int ret, const char *fmt, va_list ap)
	__attribute__((format(printf, 4, 0)));

#endif /* MOTE_TOOLS_ERRMSG_H */
