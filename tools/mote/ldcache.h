/* ldcache.h: lookups in glibc's /etc/ld.so.cache (the "glibc-ld.so.cache1.1" format). */
#ifndef MOTE_TOOLS_LDCACHE_H
#define MOTE_TOOLS_LDCACHE_H

#include <stddef.h>

struct ldcache;

/* Opens the cache at path; returns NULL if it is missing or not in the 1.1 format. */
struct ldcache *ldcache_open(const char *path);

/*
 * Calls fn(path, arg) for each x86-64 entry whose name is soname, in cache order (the
 * first is what ld.so would pick on a CPU without glibc-hwcaps). Returns how many matched.
 */
size_t ldcache_lookup(const struct ldcache *c, const char *soname,
		      void (*fn)(const char *path, void *arg), void *arg);

void ldcache_close(struct ldcache *c);

#endif /* MOTE_TOOLS_LDCACHE_H */
