/* lines.h: lists of strings — paths a step collects, one-line messages it hands back. */
#ifndef MOTE_TOOLS_LINES_H
#define MOTE_TOOLS_LINES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

struct lines {
	char **v;
	size_t n;
};

/* Appends a formatted line: 0, or -ENOMEM (the list unchanged). */
int lines_add(struct lines *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Is s one of l's lines? */
bool lines_has(const struct lines *l, const char *s);

/* Prints each line on f after prefix ("mote: warning: "). */
void lines_print(const struct lines *l, FILE *f, const char *prefix);

void lines_free(struct lines *l);

#endif /* MOTE_TOOLS_LINES_H */
