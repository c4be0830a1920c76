/* quote.h: quoting words for the Mote kernel's command line, which splits words like a shell. */
#ifndef MOTE_TOOLS_QUOTE_H
#define MOTE_TOOLS_QUOTE_H

#include <stddef.h>

/*
 * Appends word to buf (holding len bytes of a NUL-terminated string, cap bytes in all), preceded
 * by a space unless buf is empty, quoted so that a shell-style split gives back exactly word.
 * Returns the new length, or -1 if it does not fit (buf is then unchanged).
 */
long quote_append(char *buf, size_t len, size_t cap, const char *word);

#endif /* MOTE_TOOLS_QUOTE_H */
