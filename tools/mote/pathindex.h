/* pathindex.h: a hash index from a path to the number of the entry holding it, over an array
 * its owner keeps (fileset.c's entries, trace_add.c's traced paths): open addressing, a slot
 * holding 0 (free) or 1 + the entry's number. */
#ifndef MOTE_TOOLS_PATHINDEX_H
#define MOTE_TOOLS_PATHINDEX_H

#include <stddef.h>

struct pathindex {
	size_t *slots;
	size_t cap; /* a power of two, or 0 before the first pathindex_fill */
};

/* The path of the owner's entry i. */
typedef const char *(*pathindex_key)(const void *owner, size_t i);

/* The slot of path: the one holding its entry, or the free one where it would go. cap > 0. */
size_t *pathindex_slot(const struct pathindex *x, const char *path, pathindex_key key,
		       const void *owner);
/* (Re)makes the index with cap slots (a power of two, > n) over the owner's n entries: in
 * place when cap is its size already (never fails then). 0, or -ENOMEM with the index as it
 * was. */
int pathindex_fill(struct pathindex *x, size_t cap, size_t n, pathindex_key key, const void *owner);
void pathindex_free(struct pathindex *x);

#endif /* MOTE_TOOLS_PATHINDEX_H */
