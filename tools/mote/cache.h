/* cache.h: the image cache — images named by content hash, found by the file set's key. */
#ifndef MOTE_TOOLS_CACHE_H
#define MOTE_TOOLS_CACHE_H

#include <stdbool.h>
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
 * Sets *built to 1 if it had to build. A hit marks the image used (its mtime); a build then
 * prunes the cache to cache_limit() (saying so on stderr with o->verbose). Returns
 * 0 or -errno with the reason in err.
 */
int cache_get(const struct recipe *r, const struct mote_opts *o, char *image, size_t len,
	      int *built, char *err, size_t errlen) __attribute__((warn_unused_result));

/* One image in the cache. */
struct cache_entry {
	char hash[33];	 /* its content hash: images/<hash>.img */
	char path[4200]; /* <cache dir>/images/<hash>.img */
	uint64_t bytes;	 /* on disk */
	long long used;	 /* its last use, seconds since the epoch (the image's mtime) */
	int keys;	 /* file sets (keys/) that name it */
};

/* The images in the cache, least recently used first, into *out (free it): their count, or
 * -errno with the reason in err. */
long cache_list(struct cache_entry **out, char *err, size_t errlen)
	__attribute__((warn_unused_result));
/*
 * Remove least recently used images until those left total at most max_bytes, sparing the
 * ones used in the last grace seconds (a run may be about to open one); then the keys that
 * point at nothing and what crashed builds left. removed (if not NULL) hears of each image;
 * *left (if not NULL) is what the images left take. Returns the bytes freed, or -errno with
 * the reason in err.
 */
long long cache_prune(uint64_t max_bytes, long long grace,
		      void (*removed)(const struct cache_entry *, void *), void *arg,
		      uint64_t *left, char *err, size_t errlen) __attribute__((warn_unused_result));
/* The cache's size limit: $MOTE_CACHE_MAX (bytes, or a number with K, M, G or T; 0: none),
 * else 4 GiB. cache_get keeps to it after each build. */
uint64_t cache_limit(void);
/* "4G", "500M", "1024" into bytes: 0, or -EINVAL. */
int cache_parse_size(const char *s, uint64_t *out);

#endif /* MOTE_TOOLS_CACHE_H */
