/* ldcache.c: reading glibc's ld.so.cache, new format only ("glibc-ld.so.cache1.1"). */
#include "ldcache.h"

#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define CACHE_MAGIC "glibc-ld.so.cache1.1"
#define FLAG_TYPE_MASK 0x00ff
#define FLAG_ELF_LIBC6 0x0003
#define FLAG_REQUIRED_MASK 0xff00
#define FLAG_X8664_LIB64 0x0300

/* The file's layout (all little-endian); string offsets count from the start of the file. */
struct cache_header {
	char magic[20];
	uint32_t nlibs;
	uint32_t len_strings;
	uint8_t flags;
	uint8_t pad[3];
	uint32_t extension_offset;
	uint32_t unused[3];
};

struct cache_entry {
	int32_t flags;
	uint32_t key;
	uint32_t value;
	uint32_t osversion;
	uint64_t hwcap;
};

struct ldcache {
	const uint8_t *data;
	size_t size;
	const struct cache_entry *entries;
	uint32_t n;
};

struct ldcache *ldcache_open(const char *path)
{
	struct ldcache *c;
	const struct cache_header *h;
	struct stat st;
	void *map;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) < 0 || st.st_size < (off_t)sizeof(*h)) {
		close(fd);
		return NULL;
	}
	map = mmap(NULL, st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (map == MAP_FAILED)
		return NULL;
	h = map;
	if (memcmp(h->magic, CACHE_MAGIC, sizeof(h->magic)) != 0 ||
	    h->nlibs > (st.st_size - sizeof(*h)) / sizeof(struct cache_entry))
		goto err_unmap;
	c = calloc(1, sizeof(*c));
	if (!c)
		goto err_unmap;
	c->data = map;
	c->size = st.st_size;
	c->entries = (const struct cache_entry *)(h + 1);
	c->n = h->nlibs;
	return c;

err_unmap:
	munmap(map, st.st_size);
	return NULL;
}

static const char *str_at(const struct ldcache *c, uint32_t off)
{
	if (off >= c->size || !memchr(c->data + off, '\0', c->size - off))
		return NULL;
	return (const char *)c->data + off;
}

size_t ldcache_lookup(const struct ldcache *c, const char *soname,
		      void (*fn)(const char *path, void *arg), void *arg)
{
	size_t found = 0;

	for (uint32_t i = 0; i < c->n; i++) {
		const struct cache_entry *e = &c->entries[i];
		const char *key, *value;

		if ((e->flags & FLAG_TYPE_MASK) != FLAG_ELF_LIBC6 ||
		    (e->flags & FLAG_REQUIRED_MASK) != FLAG_X8664_LIB64)
			continue;
		key = str_at(c, e->key);
		value = str_at(c, e->value);
		if (!key || !value || strcmp(key, soname) != 0)
			continue;
		fn(value, arg);
		found++;
	}
	return found;
}

void ldcache_close(struct ldcache *c)
{
	if (!c)
		return;
	munmap((void *)c->data, c->size);
	free(c);
}
