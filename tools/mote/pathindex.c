/* pathindex.c: a hash index from a path to an entry's number (pathindex.h). */
#include "pathindex.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* FNV-1a */
static uint64_t hash_str(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ull;

	while (*s)
		h = (h ^ (unsigned char)*s++) * 0x100000001b3ull;
	return h;
}

size_t *pathindex_slot(const struct pathindex *x, const char *path, pathindex_key key,
		       const void *owner)
{
	size_t mask = x->cap - 1, i = hash_str(path) & mask;

	while (x->slots[i] && strcmp(key(owner, x->slots[i] - 1), path) != 0)
		i = (i + 1) & mask;
	return &x->slots[i];
}

int pathindex_fill(struct pathindex *x, size_t cap, size_t n, pathindex_key key, const void *owner)
{
	if (cap == x->cap) { /* the same size (the entries moved): refilled in place */
		memset(x->slots, 0, cap * sizeof(*x->slots));
	} else {
		size_t *slots = calloc(cap, sizeof(*slots));

		if (!slots)
			return -ENOMEM;
		free(x->slots);
		x->slots = slots;
		x->cap = cap;
	}
	for (size_t i = 0; i < n; i++)
		*pathindex_slot(x, key(owner, i), key, owner) = i + 1;
	return 0;
}

void pathindex_free(struct pathindex *x)
{
	free(x->slots);
	x->slots = NULL;
	x->cap = 0;
}
