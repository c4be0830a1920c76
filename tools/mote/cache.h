/* cache.h: the image cache — images named by content hash, found by the file set's key. */
#ifndef MOTE_TOOLS_CACHE_H
#define MOTE_TOOLS_CACHE_H

#include <stddef.h>
#include <stdint.h>

struct recipe;
struct mote_opts;

/*
 * The cache directory: $MOTE_CACHE_DIR, else $XDG_CACHE_HOME/mote, else ~/.cache/mote; created
 * if missing. Returns 0 or -errno with the reason in err.
 */
int cache_dir(char *out, size_t len, char *err, size_t errlen) __attribute__((warn_unused_result));

/*
 * Finds the image for r->key, or builds it: written under images/<content hash>.img, then
 * keys/<key> is pointed at it (both atomically, so a crash leaves no half image behind).
 * Sets *built to 1 if it had to build. Returns 0 or -errno with the reason in err.
 */
int cache_get(const struct recipe *r, const struct mote_opts *o, char *image, size_t len,
	      int *built, char *err, size_t errlen) __attribute__((warn_unused_result));

#endif /* MOTE_TOOLS_CACHE_H */
