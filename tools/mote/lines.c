/* lines.c: lists of strings (see lines.h). */
#include "lines.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int lines_add(struct lines *l, const char *fmt, ...)
{
	char **v = realloc(l->v, (l->n + 1) * sizeof(*v));
	va_list ap;
	int ret;

	if (!v)
		return -ENOMEM;
	l->v = v;
	va_start(ap, fmt);
	ret = vasprintf(&v[l->n], fmt, ap);
	va_end(ap);
	if (ret < 0)
		return -ENOMEM;
	l->n++;
	return 0;
}

bool lines_has(const struct lines *l, const char *s)
{
	for (size_t i = 0; i < l->n; i++)
		if (!strcmp(l->v[i], s))
			return true;
	return false;
}

void lines_print(const struct lines *l, FILE *f, const char *prefix)
{
	for (size_t i = 0; i < l->n; i++)
		fprintf(f, "%s%s\n", prefix, l->v[i]);
}

void lines_free(struct lines *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}
