/* hosttree.c: host directory trees for an image (see hosttree.h). */
#include "hosttree.h"

#include "fileset.h"
#include "lines.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

bool hosttree_under(const char *path, const char *dir)
{
	size_t n = strlen(dir);

	if (!strcmp(dir, "/"))
		return path[0] == '/';
	return !strncmp(path, dir, n) && (path[n] == '\0' || path[n] == '/');
}

bool hosttree_pseudo(const char *path)
{
	static const char *const pseudo[] = { "/proc", "/sys", "/dev", "/run" };

	for (size_t i = 0; i < sizeof(pseudo) / sizeof(pseudo[0]); i++)
		if (hosttree_under(path, pseudo[i]))
			return true;
	return false;
}

/* Is path one of out's, or below one? */
static bool left_out(const struct lines *out, const char *path)
{
	for (size_t i = 0; out && i < out->n; i++)
		if (hosttree_under(path, out->v[i]))
			return true;
	return false;
}

/* Does out name something strictly below directory path? */
static bool out_below(const struct lines *out, const char *path)
{
	for (size_t i = 0; out && i < out->n; i++)
		if (strcmp(out->v[i], path) && hosttree_under(out->v[i], path))
			return true;
	return false;
}

static bool over(const struct hosttree_size *sz, uint64_t max_bytes, size_t max_entries)
{
	return sz->bytes > max_bytes || sz->entries > max_entries;
}

static void measure(const char *path, const struct stat *st, const struct lines *out,
		    uint64_t max_bytes, size_t max_entries, struct hosttree_size *sz)
{
	struct dirent *de;
	DIR *d;

	sz->entries++;
	if (S_ISREG(st->st_mode))
		sz->bytes += (uint64_t)st->st_size;
	if (!S_ISDIR(st->st_mode) || over(sz, max_bytes, max_entries) || !(d = opendir(path)))
		return;
	while ((de = readdir(d)) != NULL && !over(sz, max_bytes, max_entries)) {
		char child[PATH_MAX];
		struct stat cst;

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (snprintf(child, sizeof(child), "%s/%s", strcmp(path, "/") ? path : "",
			     de->d_name) >= (int)sizeof(child) ||
		    left_out(out, child) || lstat(child, &cst) < 0)
			continue;
		measure(child, &cst, out, max_bytes, max_entries, sz);
	}
	closedir(d);
}

bool hosttree_measure(const char *path, const struct lines *out, uint64_t max_bytes,
		      size_t max_entries, struct hosttree_size *sz)
{
	struct stat st;

	memset(sz, 0, sizeof(*sz));
	if (stat(path, &st) < 0 || left_out(out, path))
		return true;
	measure(path, &st, out, max_bytes, max_entries, sz);
	return !over(sz, max_bytes, max_entries);
}

int hosttree_add(struct fileset *fs, const char *path, const struct lines *out)
{
	struct stat st;
	struct dirent *de;
	DIR *d;
	int ret;

	if (left_out(out, path))
		return 0;
	/* the common case: nothing to leave out below, fileset's own walk */
	if (stat(path, &st) < 0 || !S_ISDIR(st.st_mode) || !out_below(out, path))
		return fileset_add_mirror(fs, path, 1);
	ret = fileset_add_mirror(fs, path, 0);
	if (ret < 0)
		return ret;
	d = opendir(path);
	if (!d) {
		ret = -errno;
		snprintf(fs->err, sizeof(fs->err), "%s: %s", path, strerror(-ret));
		return ret;
	}
	while (ret == 0 && (de = readdir(d)) != NULL) {
		char child[PATH_MAX];

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (snprintf(child, sizeof(child), "%s/%s", path, de->d_name) >=
		    (int)sizeof(child)) {
			snprintf(fs->err, sizeof(fs->err), "%s/%s: path too long", path,
				 de->d_name);
			ret = -ENAMETOOLONG;
			break;
		}
		ret = hosttree_add(fs, child, out);
	}
	closedir(d);
	return ret;
}

long hosttree_follow_links(struct fileset *fs, size_t first, const struct lines *out)
{
	long added = 0;

	/* fs->n grows as targets come in: their own links are followed in turn */
	for (size_t i = first; i < fs->n; i++) {
		const struct fs_entry *e = &fs->v[i];
		char target[PATH_MAX * 2];
		struct stat st;
		int ret;

		if (e->type != FS_SYMLINK)
			continue;
		if (e->target[0] == '/')
			snprintf(target, sizeof(target), "%s", e->target);
		else
			snprintf(target, sizeof(target), "%.*s/%s",
				 (int)(strrchr(e->path, '/') - e->path), e->path, e->target);
		path_normalise(target);
		if (strlen(target) >= PATH_MAX || !strcmp(target, "/") || hosttree_pseudo(target) ||
		    left_out(out, target) || fileset_find(fs, target) || lstat(target, &st) < 0)
			continue;
		ret = hosttree_add(fs, target, out);
		if (ret < 0)
			return ret;
		added++;
	}
	return added;
}
