/* closure.c: resolving the dependencies of every ELF file in an image, as ld.so would there. */
#include "closure.h"
#include "errmsg.h"

#include "elf.h"
#include "elfdeps.h"
#include "fileset.h"
#include "ldcache.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_LINKS 40	   /* like the kernel's ELOOP limit */
#define SEARCH_MAX 8192	   /* longest search path kept (the DT_RPATHs of a chain of loaders) */
#define ELF_HEADER_SIZE 64 /* sizeof(Elf64_Ehdr): a shorter file is no ELF file */

/* A string-keyed hash table (open addressing); values are never NULL and belong to the caller. */
struct table {
	char **keys;
	void **vals;
	size_t n, cap;
};

/* One ELF file as elf_read found it, shared by every path and search path it is met with. */
struct parsed {
	bool loadable; /* an x86-64 executable or shared object: ld.so would load it */
	struct elf_info info;
};

/* A resolution of a name in a search path: where ld.so finds it. */
struct hit {
	bool closed; /* elfdeps brought it, with its own libraries */
	char path[]; /* the path it is opened by (its $ORIGIN) */
};

/* A library found for an object, to resolve in turn. */
struct item {
	char *path;	 /* where ld.so finds it */
	char *inherited; /* the expanded DT_RPATHs of its loaders, which ld.so searches too */
};

struct walk {
	struct fileset *fs;
	size_t first; /* entries before it are closed already */
	struct ldcache *cache;
	const struct closure_opts *opts;
	struct closure_result *res;
	struct table parsed; /* "dev:ino" -> struct parsed */
	struct table done;   /* "dev:ino\nsearch path\ninherited": resolved already */
	struct table found;  /* "name\nsearch path" -> struct hit, or &not_found */
	struct table warned; /* warnings given */
	char **missing;	     /* for each warning, the library not found (NULL: an interpreter) */
	size_t n_missing;
	struct item *queue;
	size_t head, n, cap;
	char *err;
	size_t errlen;
};

static struct hit not_found;
static char marker; /* the value of the sets' keys */

static int fail(struct walk *w, int ret, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(struct walk *w, int ret, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	verrmsg(w->err, w->errlen, ret, fmt, ap);
	va_end(ap);
	return ret;
}

static uint64_t hash_str(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ull;

	while (*s)
		h = (h ^ (unsigned char)*s++) * 0x100000001b3ull;
	return h;
}

static size_t slot_of(const struct table *t, const char *key)
{
	size_t mask = t->cap - 1, i = hash_str(key) & mask;

	while (t->keys[i] && strcmp(t->keys[i], key) != 0)
		i = (i + 1) & mask;
	return i;
}

static void *table_get(const struct table *t, const char *key)
{
	size_t i;

	if (!t->cap)
		return NULL;
	i = slot_of(t, key);
	return t->keys[i] ? t->vals[i] : NULL;
}

/* Stores val under key, which is not there yet. Returns 0 or -ENOMEM. */
static int table_put(struct table *t, const char *key, void *val)
{
	size_t i;

	if ((t->n + 1) * 2 > t->cap) {
		struct table big = { .n = t->n, .cap = t->cap ? t->cap * 2 : 64 };

		big.keys = calloc(big.cap, sizeof(*big.keys));
		big.vals = calloc(big.cap, sizeof(*big.vals));
		if (!big.keys || !big.vals) {
			free(big.keys);
			free(big.vals);
			return -ENOMEM;
		}
		for (size_t k = 0; k < t->cap; k++) {
			if (!t->keys[k])
				continue;
			i = slot_of(&big, t->keys[k]);
			big.keys[i] = t->keys[k];
			big.vals[i] = t->vals[k];
		}
		free(t->keys);
		free(t->vals);
		*t = big;
	}
	i = slot_of(t, key);
	t->keys[i] = strdup(key);
	if (!t->keys[i])
		return -ENOMEM;
	t->vals[i] = val;
	t->n++;
	return 0;
}

static void table_free(struct table *t, void (*free_val)(void *))
{
	for (size_t i = 0; i < t->cap; i++) {
		if (!t->keys[i])
			continue;
		free(t->keys[i]);
		if (free_val)
			free_val(t->vals[i]);
	}
	free(t->keys);
	free(t->vals);
	memset(t, 0, sizeof(*t));
}

static void free_parsed(void *v)
{
	struct parsed *p = v;

	if (p->loadable)
		elf_free(&p->info);
	free(p);
}

static void free_hit(void *v)
{
	if (v != &not_found)
		free(v);
}

enum where { IN_IMAGE, ON_HOST, NOWHERE };

/*
 * Follows guest path p through the image, with the image's own symlinks (an --add HOST:GUEST
 * tree may bring some the host does not have). IN_IMAGE: *e is the file it names. ON_HOST:
 * the image has no such path yet; host is the path as far as the image resolved it, which is
 * where a file added from the host would have to go. NOWHERE: a directory, a loop, a file in
 * the way.
 */
static enum where locate(const struct fileset *fs, const char *p, const struct fs_entry **e,
			 char *host, size_t hostlen)
{
	char path[PATH_MAX], cur[PATH_MAX];
	const char *rest = path;
	size_t clen = 0;
	int links = 0;

	snprintf(path, sizeof(path), "%s", p);
	path_normalise(path);
	for (;;) {
		const struct fs_entry *f;
		size_t len;

		rest += strspn(rest, "/");
		len = strcspn(rest, "/");
		if (len == 0 || clen + 1 + len >= sizeof(cur))
			return NOWHERE;
		cur[clen++] = '/';
		memcpy(cur + clen, rest, len);
		clen += len;
		cur[clen] = '\0';
		rest += len;
		f = fileset_find(fs, cur);
		if (!f) {
			snprintf(host, hostlen, "%s%s", cur, rest);
			return ON_HOST;
		}
		if (f->type == FS_FILE) {
			if (rest[strspn(rest, "/")])
				return NOWHERE;
			*e = f;
			return IN_IMAGE;
		}
		if (f->type == FS_SYMLINK) {
			char next[PATH_MAX * 2];

			if (++links > MAX_LINKS)
				return NOWHERE;
			if (f->target[0] == '/')
				snprintf(next, sizeof(next), "%s%s", f->target, rest);
			else
				snprintf(next, sizeof(next), "%.*s/%s%s",
					 (int)(strrchr(cur, '/') - cur), cur, f->target, rest);
			path_normalise(next);
			if (strlen(next) >= sizeof(path))
				return NOWHERE;
			memcpy(path, next, strlen(next) + 1);
			rest = path;
			clen = 0;
		}
	}
}

/*
 * Is there an x86-64 ELF file at guest path p: in the image, or else on the host, from where
 * it is added (with the symlinks on its way)? 1 if so (*closed: elfdeps brought it, with its
 * libraries), 0 if not, or -errno.
 */
static int try_path(struct walk *w, const char *p, const char *who, bool *closed)
{
	const struct fs_entry *e;
	char host[PATH_MAX];
	int ret;

	switch (locate(w->fs, p, &e, host, sizeof(host))) {
	case IN_IMAGE:
		if (!e->source || !elf_is_x86_64(e->source))
			return 0;
		*closed = (size_t)(e - w->fs->v) < w->first;
		return 1;
	case ON_HOST:
		if (!elf_is_x86_64(host))
			return 0;
		ret = fileset_add_mirror(w->fs, host, 0);
		if (ret < 0)
			return fail(w, ret, "%s", w->fs->err);
		w->res->n_libs++;
		if (w->opts->verbose)
			fprintf(stderr, "mote: + %s (for %s)\n", p, who);
		*closed = false;
		return 1;
	case NOWHERE:
		break;
	}
	return 0;
}

struct cache_hits {
	struct walk *w;
	const char *who;
	bool any, closed;
	char found[PATH_MAX];
	int ret;
};

static void on_cache_hit(const char *path, void *arg)
{
	struct cache_hits *h = arg;
	bool closed;
	int ret;

	if (h->ret < 0)
		return;
	/* after the first, a glibc-hwcaps variant ld.so may prefer on this CPU: brought along */
	ret = try_path(h->w, path, h->who, &closed);
	if (ret < 0) {
		h->ret = ret;
	} else if (ret > 0 && !h->any) {
		h->any = true;
		h->closed = closed;
		snprintf(h->found, sizeof(h->found), "%s", path);
	}
}

/* Finds name as ld.so would, in dirs, then (unless nodeflib) the cache and default dirs. */
static int search(struct walk *w, const char *name, const char *dirs, bool nodeflib,
		  const char *who, char *found, size_t flen, bool *closed)
{
	struct cache_hits hits = { .w = w, .who = who };
	int ret;

	if (strchr(name, '/')) {
		/* a relative one is relative to the program's working directory: unknown here */
		if (name[0] != '/')
			return 0;
		snprintf(found, flen, "%s", name);
		return try_path(w, found, who, closed);
	}
	for (const char *d = dirs; *d;) {
		size_t len = strcspn(d, ":");

		/* the same goes for relative elements */
		if (d[0] == '/') {
			snprintf(found, flen, "%.*s/%s", (int)len, d, name);
			ret = try_path(w, found, who, closed);
			if (ret != 0)
				return ret;
		}
		d += len + (d[len] == ':');
	}
	if (nodeflib)
		return 0;
	if (w->cache) {
		ldcache_lookup(w->cache, name, on_cache_hit, &hits);
		if (hits.ret < 0)
			return hits.ret;
		if (hits.any) {
			snprintf(found, flen, "%s", hits.found);
			*closed = hits.closed;
			return 1;
		}
	}
	for (size_t i = 0; i < ELFDEPS_N_DEFAULT_DIRS; i++) {
		snprintf(found, flen, "%s/%s", elfdeps_default_dirs[i], name);
		ret = try_path(w, found, who, closed);
		if (ret != 0)
			return ret;
	}
	return 0;
}

/* search(), once per name and search path: many objects need libc.so.6 the same way. */
static int resolve(struct walk *w, const char *name, const char *dirs, bool nodeflib,
		   const char *who, const struct hit **out)
{
	char key[SEARCH_MAX + NAME_MAX + 4], found[PATH_MAX];
	struct hit *h;
	bool closed = false;
	int ret;

	snprintf(key, sizeof(key), "%s\n%c%s", name, nodeflib ? '!' : ' ', dirs);
	*out = table_get(&w->found, key);
	if (*out)
		return 0;
	ret = search(w, name, dirs, nodeflib, who, found, sizeof(found), &closed);
	if (ret < 0)
		return ret;
	h = &not_found;
	if (ret > 0) {
		h = malloc(sizeof(*h) + strlen(found) + 1);
		if (!h)
			return fail(w, -ENOMEM, "out of memory");
		h->closed = closed;
		strcpy(h->path, found);
	}
	if (table_put(&w->found, key, h) < 0) {
		free_hit(h);
		return fail(w, -ENOMEM, "out of memory");
	}
	*out = h;
	return 0;
}

static int warn(struct walk *w, const char *name, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Keeps a warning for the caller to print, once; name: the library not found, if one. */
static int warn(struct walk *w, const char *name, const char *fmt, ...)
{
	struct closure_result *res = w->res;
	char line[2 * PATH_MAX + 64];
	char **v, **names;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (table_get(&w->warned, line))
		return 0;
	v = realloc(res->warnings, (res->n_warnings + 1) * sizeof(*v));
	if (v)
		res->warnings = v;
	names = realloc(w->missing, (res->n_warnings + 1) * sizeof(*names));
	if (names)
		w->missing = names;
	if (!v || !names || table_put(&w->warned, line, &marker) < 0)
		return fail(w, -ENOMEM, "out of memory");
	v[res->n_warnings] = strdup(line);
	names[res->n_warnings] = name ? strdup(name) : NULL;
	if (!v[res->n_warnings] || (name && !names[res->n_warnings])) {
		free(v[res->n_warnings]);
		free(names[res->n_warnings]);
		return fail(w, -ENOMEM, "out of memory");
	}
	res->n_warnings++;
	w->n_missing = res->n_warnings;
	return 0;
}

/*
 * ld.so takes a library already loaded by the name asked for before it searches: the
 * program's own, found through its DT_RUNPATH, serves a plugin that has none. So a library
 * not on an object's search path is not reported when the image holds a file or link of that
 * name (in any directory); -v says so.
 */
static int forgive(struct walk *w)
{
	struct closure_result *res = w->res;
	struct table names = { 0 };
	bool any = false;
	size_t kept = 0;
	int ret = 0;

	for (size_t i = 0; i < res->n_warnings; i++)
		any |= w->missing[i] != NULL;
	for (size_t k = 0; any && ret == 0 && k < w->fs->n; k++) {
		const char *base = strrchr(w->fs->v[k].path, '/') + 1;

		if (w->fs->v[k].type != FS_DIR && !table_get(&names, base))
			ret = table_put(&names, base, &marker);
	}
	for (size_t i = 0; ret == 0 && i < res->n_warnings; i++) {
		if (w->missing[i] && table_get(&names, w->missing[i])) {
			if (w->opts->verbose)
				fprintf(stderr,
					"mote: ~ %s: the image has a %s, off its search path "
					"(ld.so takes it if loaded before)\n",
					res->warnings[i], w->missing[i]);
			free(res->warnings[i]);
			continue;
		}
		res->warnings[kept++] = res->warnings[i];
	}
	if (ret == 0)
		res->n_warnings = kept;
	table_free(&names, NULL);
	return ret < 0 ? fail(w, ret, "out of memory") : 0;
}

static int enqueue(struct walk *w, const char *path, const char *inherited)
{
	struct item *it;

	if (w->n == w->cap) {
		size_t cap = w->cap ? w->cap * 2 : 32;
		struct item *v = realloc(w->queue, cap * sizeof(*v));

		if (!v)
			return fail(w, -ENOMEM, "out of memory");
		w->queue = v;
		w->cap = cap;
	}
	it = &w->queue[w->n];
	it->path = strdup(path);
	it->inherited = strdup(inherited);
	if (!it->path || !it->inherited) {
		free(it->path);
		free(it->inherited);
		return fail(w, -ENOMEM, "out of memory");
	}
	w->n++;
	return 0;
}

static bool elf_magic(const char *path)
{
	char magic[4];
	bool ok;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return false;
	ok = read(fd, magic, sizeof(magic)) == (ssize_t)sizeof(magic) &&
	     memcmp(magic, "\177ELF", sizeof(magic)) == 0;
	close(fd);
	return ok;
}

/*
 * The parse of the file of entry idx, read once per host file (device and inode); *out NULL
 * when it is not an ELF file ld.so would load here. Only files that start with the ELF magic
 * are read past their first four bytes.
 */
static int parse(struct walk *w, size_t idx, const struct parsed **out)
{
	const struct fs_entry *e = &w->fs->v[idx];
	char key[48], why[512];
	struct parsed *p;

	*out = NULL;
	if (e->type != FS_FILE || !e->source || e->size < ELF_HEADER_SIZE)
		return 0;
	snprintf(key, sizeof(key), "%llx:%llx", (unsigned long long)e->dev,
		 (unsigned long long)e->ino);
	p = table_get(&w->parsed, key);
	if (!p) {
		int ret;

		if (!elf_magic(e->source))
			return 0;
		p = calloc(1, sizeof(*p));
		if (!p)
			return fail(w, -ENOMEM, "out of memory");
		/* another architecture, an object file, a damaged one: nothing ld.so loads here */
		ret = elf_read(e->source, &p->info, why, sizeof(why));
		if (ret == -ENOMEM) {
			free(p);
			return fail(w, ret, "out of memory");
		}
		p->loadable = ret == 0;
		if (table_put(&w->parsed, key, p) < 0) {
			free_parsed(p);
			return fail(w, -ENOMEM, "out of memory");
		}
	}
	*out = p->loadable ? p : NULL;
	return 0;
}

/* Appends list to the ':'-separated buf (size len), leaving out empty parts. */
static void join(char *buf, size_t len, const char *list)
{
	size_t n = strlen(buf);

	if (list && *list && n + 1 < len)
		snprintf(buf + n, len - n, "%s%s", n ? ":" : "", list);
}

/*
 * Resolves the PT_INTERP and DT_NEEDED of the file of entry idx, as ld.so opens it by guest
 * path `path`, loaded by objects whose expanded DT_RPATHs are `inherited`; queues the
 * libraries it finds that have not been resolved yet.
 */
static int process(struct walk *w, size_t idx, const char *path, const char *inherited)
{
	char self[PATH_MAX], origin[PATH_MAX], own[SEARCH_MAX], dirs[SEARCH_MAX], pass[SEARCH_MAX];
	char key[2 * SEARCH_MAX + 64];
	const struct elf_info *info;
	const struct parsed *p;
	const struct hit *h;
	int ret = parse(w, idx, &p);

	if (ret < 0 || !p)
		return ret;
	info = &p->info;
	snprintf(self, sizeof(self), "%s", path);
	snprintf(origin, sizeof(origin), "%s", path);
	*strrchr(origin, '/') = '\0';
	if (!origin[0])
		snprintf(origin, sizeof(origin), "/");
	/* with a DT_RUNPATH, ld.so ignores the object's DT_RPATH */
	own[0] = '\0';
	if (info->runpath)
		elfdeps_expand(info->runpath, strlen(info->runpath), origin, own, sizeof(own));
	else if (info->rpath)
		elfdeps_expand(info->rpath, strlen(info->rpath), origin, own, sizeof(own));
	/* the same file, searching the same places, finds the same libraries: once */
	snprintf(key, sizeof(key), "%llx:%llx\n%c%s\n%s", (unsigned long long)w->fs->v[idx].dev,
		 (unsigned long long)w->fs->v[idx].ino, info->runpath ? 'R' : 'P', own, inherited);
	if (table_get(&w->done, key))
		return 0;
	if (table_put(&w->done, key, &marker) < 0)
		return fail(w, -ENOMEM, "out of memory");
	dirs[0] = pass[0] = '\0';
	if (info->runpath) {
		join(dirs, sizeof(dirs), own);
	} else {
		/* its DT_RPATH, its loaders', the program's: ld.so's order */
		join(dirs, sizeof(dirs), own);
		join(dirs, sizeof(dirs), inherited);
		join(dirs, sizeof(dirs), w->opts->exe_rpath);
		join(pass, sizeof(pass), own);
	}
	join(pass, sizeof(pass), inherited);

	if (info->interp) {
		w->res->dynamic = true;
		ret = resolve(w, info->interp, "", true, self, &h);
		if (ret == 0 && h == &not_found)
			ret = warn(w, NULL, "%s needs the ELF interpreter %s, not found", self,
				   info->interp);
		if (ret < 0)
			return ret;
	}
	for (size_t k = 0; k < info->n_needed; k++) {
		ret = resolve(w, info->needed[k], dirs, info->nodeflib, self, &h);
		if (ret == 0 && h == &not_found)
			ret = warn(w, strchr(info->needed[k], '/') ? NULL : info->needed[k],
				   "%s needs %s, not found", self, info->needed[k]);
		else if (ret == 0 && !h->closed)
			ret = enqueue(w, h->path, pass);
		if (ret < 0)
			return ret;
	}
	/* glibc dlopens libgcc_s.so.1 for pthread_exit (elfdeps.c); a host without it is fine */
	if (info->soname && !strcmp(info->soname, "libc.so.6")) {
		ret = resolve(w, "libgcc_s.so.1", dirs, info->nodeflib, self, &h);
		if (ret == 0 && h != &not_found && !h->closed)
			ret = enqueue(w, h->path, pass);
	}
	return ret;
}

/* Resolves the queued libraries (and what they bring in turn). */
static int drain(struct walk *w)
{
	int ret = 0;

	while (ret == 0 && w->head < w->n) {
		struct item it = w->queue[w->head++];
		const struct fs_entry *e;
		char host[PATH_MAX];

		if (locate(w->fs, it.path, &e, host, sizeof(host)) == IN_IMAGE)
			ret = process(w, e - w->fs->v, it.path, it.inherited);
		free(it.path);
		free(it.inherited);
	}
	return ret;
}

int closure_add(struct fileset *fs, size_t first, const struct closure_opts *opts,
		struct closure_result *res, char *err, size_t errlen)
{
	struct walk w = {
		.fs = fs, .first = first, .opts = opts, .res = res, .err = err, .errlen = errlen
	};
	size_t roots = fs->n; /* what closure_add adds is resolved through the queue */
	int ret = 0;

	memset(res, 0, sizeof(*res));
	w.cache = ldcache_open(opts->ldcache ? opts->ldcache : "/etc/ld.so.cache");
	for (size_t i = first; ret == 0 && i < roots; i++) {
		char path[PATH_MAX];

		snprintf(path, sizeof(path), "%s", fs->v[i].path);
		ret = process(&w, i, path, "");
		if (ret == 0)
			ret = drain(&w);
	}
	if (ret == 0)
		ret = forgive(&w);
	for (size_t i = 0; i < w.n_missing; i++)
		free(w.missing[i]);
	free(w.missing);
	for (size_t i = w.head; i < w.n; i++) {
		free(w.queue[i].path);
		free(w.queue[i].inherited);
	}
	free(w.queue);
	table_free(&w.parsed, free_parsed);
	table_free(&w.done, NULL);
	table_free(&w.found, free_hit);
	table_free(&w.warned, NULL);
	ldcache_close(w.cache);
	if (ret < 0)
		closure_result_free(res);
	return ret;
}

void closure_result_free(struct closure_result *res)
{
	for (size_t i = 0; i < res->n_warnings; i++)
		free(res->warnings[i]);
	free(res->warnings);
	memset(res, 0, sizeof(*res));
}
