/* fileset.c: collecting the image's files, with parents and symlinks reproduced as on the host. */
#include "fileset.h"
#include "errmsg.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_LINKS 40 /* like the kernel's ELOOP limit */

static int fail(struct fileset *fs, int ret, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(struct fileset *fs, int ret, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	verrmsg(fs->err, sizeof(fs->err), ret, fmt, ap);
	va_end(ap);
	return ret;
}

void fileset_init(struct fileset *fs)
{
	memset(fs, 0, sizeof(*fs));
}

void fileset_free(struct fileset *fs)
{
	for (size_t i = 0; i < fs->n; i++) {
		free(fs->v[i].path);
		free(fs->v[i].source);
		free(fs->v[i].target);
		free(fs->v[i].data);
	}
	free(fs->v);
	pathindex_free(&fs->index);
	memset(fs, 0, sizeof(*fs));
}

void path_normalise(char *p)
{
	char *out = p, *in = p;

	while (*in) {
		while (*in == '/')
			in++;
		if (!*in)
			break;
		size_t len = strcspn(in, "/");

		if (len == 1 && in[0] == '.') {
			in += len;
			continue;
		}
		if (len == 2 && in[0] == '.' && in[1] == '.') {
			while (out > p && *--out != '/')
				;
			in += len;
			continue;
		}
		*out++ = '/';
		memmove(out, in, len);
		out += len;
		in += len;
	}
	if (out == p)
		*out++ = '/';
	*out = '\0';
}

static const char *entry_path(const void *fs, size_t i)
{
	return ((const struct fileset *)fs)->v[i].path;
}

static size_t *slot_of(const struct fileset *fs, const char *path)
{
	return pathindex_slot(&fs->index, path, entry_path, fs);
}

const struct fs_entry *fileset_find(const struct fileset *fs, const char *guest)
{
	size_t *slot;

	if (!fs->index.cap)
		return NULL;
	slot = slot_of(fs, guest);
	return *slot ? &fs->v[*slot - 1] : NULL;
}

static const char *type_name(enum fs_type t)
{
	return t == FS_DIR ? "directory" : t == FS_FILE ? "file" : "symlink";
}

/* Adds e (taking its strings), or keeps the entry already there if it has the same type. */
static int put(struct fileset *fs, struct fs_entry *e)
{
	const struct fs_entry *old = fileset_find(fs, e->path);

	if (old) {
		int same = old->type == e->type;

		if (!same)
			fail(fs, -EEXIST, "%s: added both as a %s and as a %s", e->path,
			     type_name(old->type), type_name(e->type));
		free(e->path);
		free(e->source);
		free(e->target);
		free(e->data);
		return same ? 0 : -EEXIST;
	}
	if ((fs->n + 1) * 2 > fs->index.cap &&
	    pathindex_fill(&fs->index, fs->index.cap ? fs->index.cap * 2 : 256, fs->n, entry_path,
			   fs) < 0)
		return fail(fs, -ENOMEM, "out of memory");
	if (fs->n == fs->cap) {
		size_t cap = fs->cap ? fs->cap * 2 : 64;
		struct fs_entry *v = realloc(fs->v, cap * sizeof(*v));

		if (!v)
			return fail(fs, -ENOMEM, "out of memory");
		fs->v = v;
		fs->cap = cap;
	}
	fs->v[fs->n] = *e;
	*slot_of(fs, e->path) = ++fs->n;
	return 0;
}

/* Fills an entry for guest path from the host object described by st. */
static int put_stat(struct fileset *fs, const char *guest, const char *host, const struct stat *st)
{
	struct fs_entry e = {
		.mode = st->st_mode & 07777,
		.mtime = st->st_mtim.tv_sec,
		.dev = st->st_dev,
		.ino = st->st_ino,
		.mtime_ns = st->st_mtim.tv_sec * 1000000000ll + st->st_mtim.tv_nsec,
		.ctime_ns = st->st_ctim.tv_sec * 1000000000ll + st->st_ctim.tv_nsec,
	};

	e.path = strdup(guest);
	if (!e.path)
		return fail(fs, -ENOMEM, "out of memory");
	if (S_ISDIR(st->st_mode)) {
		e.type = FS_DIR;
	} else if (S_ISREG(st->st_mode)) {
		e.type = FS_FILE;
		e.size = st->st_size;
		e.source = strdup(host);
	} else if (S_ISLNK(st->st_mode)) {
		char buf[PATH_MAX];
		ssize_t n = readlink(host, buf, sizeof(buf) - 1);

		if (n < 0) {
			free(e.path);
			return fail(fs, -errno, "%s: readlink: %s", host, strerror(errno));
		}
		buf[n] = '\0';
		e.type = FS_SYMLINK;
		e.size = n;
		e.target = strdup(buf);
	} else {
		free(e.path);
		return fail(fs, -EINVAL, "%s: not a file, directory or symlink", host);
	}
	if ((e.type == FS_FILE && !e.source) || (e.type == FS_SYMLINK && !e.target)) {
		free(e.path);
		return fail(fs, -ENOMEM, "out of memory");
	}
	return put(fs, &e);
}

/* Creates guest directories for every proper prefix of path that is not there yet. */
static int ensure_parents(struct fileset *fs, const char *path)
{
	char buf[PATH_MAX];
	struct stat st = { .st_mode = S_IFDIR | 0755 };

	snprintf(buf, sizeof(buf), "%s", path);
	for (char *s = buf; (s = strchr(s + 1, '/')) != NULL;) {
		*s = '\0';
		if (!fileset_find(fs, buf)) {
			int ret = put_stat(fs, buf, buf, &st);

			if (ret < 0)
				return ret;
		}
		*s = '/';
	}
	if (!fileset_find(fs, "/"))
		return put_stat(fs, "/", "/", &st);
	return 0;
}

static int add_tree(struct fileset *fs, const char *host, const char *guest);

/* Adds the contents of host directory `host` under guest directory `guest`. */
static int add_children(struct fileset *fs, const char *host, const char *guest)
{
	DIR *d = opendir(host);
	struct dirent *de;
	int ret = 0;

	if (!d)
		return fail(fs, -errno, "%s: %s", host, strerror(errno));
	while ((de = readdir(d)) != NULL && ret == 0) {
		char h[PATH_MAX], g[PATH_MAX];

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (snprintf(h, sizeof(h), "%s/%s", host, de->d_name) >= (int)sizeof(h) ||
		    snprintf(g, sizeof(g), "%s/%s", strcmp(guest, "/") ? guest : "", de->d_name) >=
			    (int)sizeof(g)) {
			ret = fail(fs, -ENAMETOOLONG, "%s/%s: path too long", host, de->d_name);
			break;
		}
		ret = add_tree(fs, h, g);
	}
	closedir(d);
	return ret;
}

/* Adds host object `host` at `guest`; directories with everything below them. */
static int add_tree(struct fileset *fs, const char *host, const char *guest)
{
	struct stat st;
	int ret;

	if (lstat(host, &st) < 0)
		return fail(fs, -errno, "%s: %s", host, strerror(errno));
	if (!S_ISDIR(st.st_mode) && !S_ISREG(st.st_mode) && !S_ISLNK(st.st_mode))
		return 0; /* sockets, fifos and devices have no place in an image */
	ret = put_stat(fs, guest, host, &st);
	if (ret < 0 || !S_ISDIR(st.st_mode))
		return ret;
	return add_children(fs, host, guest);
}

static int mirror(struct fileset *fs, const char *path, int recursive, int links)
{
	char cur[PATH_MAX] = "";
	const char *p = path;
	int ret = ensure_parents(fs, "/");

	if (ret < 0)
		return ret;
	while (*p) {
		struct stat st;
		size_t len;

		while (*p == '/')
			p++;
		len = strcspn(p, "/");
		if (len == 0)
			break;
		if (strlen(cur) + 1 + len >= sizeof(cur))
			return fail(fs, -ENAMETOOLONG, "%s: path too long", path);
		strcat(cur, "/");
		strncat(cur, p, len);
		p += len;
		if (lstat(cur, &st) < 0)
			return fail(fs, -errno, "%s: %s", cur, strerror(errno));
		if (S_ISLNK(st.st_mode)) {
			char next[PATH_MAX * 2];
			const struct fs_entry *e;

			if (links >= MAX_LINKS)
				return fail(fs, -ELOOP, "%s: too many levels of symbolic links",
					    path);
			ret = put_stat(fs, cur, cur, &st);
			if (ret < 0)
				return ret;
			e = fileset_find(fs, cur);
			if (e->target[0] == '/')
				snprintf(next, sizeof(next), "%s%s", e->target, p);
			else
				snprintf(next, sizeof(next), "%.*s/%s%s",
					 (int)(strrchr(cur, '/') - cur), cur, e->target, p);
			path_normalise(next);
			return mirror(fs, next, recursive, links + 1);
		}
		if (*p && !S_ISDIR(st.st_mode))
			return fail(fs, -ENOTDIR, "%s: not a directory", cur);
		if (*p || !recursive || !S_ISDIR(st.st_mode))
			ret = put_stat(fs, cur, cur, &st);
		else
			ret = add_tree(fs, cur, cur);
		if (ret < 0)
			return ret;
	}
	return 0;
}

int fileset_add_mirror(struct fileset *fs, const char *path, int recursive)
{
	char norm[PATH_MAX];

	if (path[0] != '/')
		return fail(fs, -EINVAL, "%s: not an absolute path", path);
	snprintf(norm, sizeof(norm), "%s", path);
	path_normalise(norm);
	return mirror(fs, norm, recursive, 0);
}

int fileset_add_as(struct fileset *fs, const char *host, const char *guest)
{
	char g[PATH_MAX];
	struct stat st;
	int ret;

	if (guest[0] != '/')
		return fail(fs, -EINVAL, "%s: the guest path must be absolute", guest);
	snprintf(g, sizeof(g), "%s", guest);
	path_normalise(g);
	if (stat(host, &st) < 0)
		return fail(fs, -errno, "%s: %s", host, strerror(errno));
	ret = ensure_parents(fs, g);
	if (ret < 0)
		return ret;
	if (!S_ISDIR(st.st_mode))
		return put_stat(fs, g, host, &st); /* a top-level symlink is followed */
	ret = put_stat(fs, g, host, &st);
	return ret < 0 ? ret : add_children(fs, host, g);
}

int fileset_add_file(struct fileset *fs, const char *guest, const char *source)
{
	struct stat st;
	int ret;

	if (stat(source, &st) < 0)
		return fail(fs, -errno, "%s: %s", source, strerror(errno));
	if (!S_ISREG(st.st_mode))
		return fail(fs, -EINVAL, "%s: not a regular file", source);
	ret = ensure_parents(fs, guest);
	return ret < 0 ? ret : put_stat(fs, guest, source, &st);
}

int fileset_add_data(struct fileset *fs, const char *guest, const void *data, size_t len,
		     mode_t mode)
{
	struct fs_entry e = { .type = FS_FILE, .mode = mode & 07777, .size = len };
	int ret = ensure_parents(fs, guest);

	if (ret < 0)
		return ret;
	e.path = strdup(guest);
	e.data = malloc(len ? len : 1);
	if (!e.path || !e.data) {
		free(e.path);
		free(e.data);
		return fail(fs, -ENOMEM, "out of memory");
	}
	memcpy(e.data, data, len);
	return put(fs, &e);
}

static int by_path(const void *a, const void *b)
{
	return strcmp(((const struct fs_entry *)a)->path, ((const struct fs_entry *)b)->path);
}

void fileset_sort(struct fileset *fs)
{
	qsort(fs->v, fs->n, sizeof(*fs->v), by_path);
	if (fs->index.cap) /* the entries moved: the same size, refilled in place */
		(void)pathindex_fill(&fs->index, fs->index.cap, fs->n, entry_path, fs);
}
