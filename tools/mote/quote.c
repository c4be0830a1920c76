/* quote.c: shell-style quoting of command-line words. */
#include "quote.h"

#include <string.h>

static int is_plain(const char *w)
{
	if (!*w)
		return 0;
	for (; *w; w++) {
		char c = *w;

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      strchr("_@%+=:,./-", c)))
			return 0;
	}
	return 1;
}

long quote_append(char *buf, size_t len, size_t cap, const char *word)
{
	size_t o = len;

	/* at worst every byte becomes '\'' (4 bytes), plus quotes, a space and the NUL */
	if (o && o + 1 < cap)
		buf[o++] = ' ';
	if (is_plain(word)) {
		size_t n = strlen(word);

		if (o + n + 1 > cap)
			goto full;
		memcpy(buf + o, word, n + 1);
		return (long)(o + n);
	}
	if (o + 1 >= cap)
		goto full;
	buf[o++] = '\'';
	for (const char *p = word; *p; p++) {
		if (*p == '\'') {
			if (o + 4 >= cap)
				goto full;
			memcpy(buf + o, "'\\''", 4);
			o += 4;
		} else {
			if (o + 1 >= cap)
				goto full;
			buf[o++] = *p;
		}
	}
	if (o + 2 > cap)
		goto full;
	buf[o++] = '\'';
	buf[o] = '\0';
	return (long)o;
full:
	buf[len] = '\0';
	return -1;
}
