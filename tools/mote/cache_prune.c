/* cache_prune.c: what the image cache holds, and keeping it under its size limit, least
 * recently used images first (cache.h). An image's mtime is its last use: cache_get sets it
 * at every hit, and the images never change otherwise. */
#include "cache.h"
#include "errmsg.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define DEFAULT_LIMIT (4ULL << 30)

int cache_parse_size(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v;
	unsigned shift = 0;

	errno = 0;
	if (!isdigit((unsigned char)*s))
		return -EINVAL;
	v = strtoull(s, &end, 10);
	switch (toupper((unsigned char)*end)) {
	case 'K':
		shift = 10;
		break;
	case 'M':
		shift = 20;
		break;
	case 'G':
		shift = 30;
		break;
	case 'T':
		shift = 40;
		break;
	case '\0':
		break;
	default:
		return -EINVAL;
	}
	if (shift && (*++end == 'B' || *end == 'b' || (*end == 'i' && end[1] == 'B' && ++end)))
		end++;
	if (errno || *end || (shift && v > (ULLONG_MAX >> shift)))
		return -EINVAL;
	*out = (uint64_t)v << shift;
	return 0;
}

uint64_t cache_limit(void)
{
	const char *s = getenv("MOTE_CACHE_MAX");
	uint64_t v;

	if (!s || !*s || cache_parse_size(s, &v) < 0)
		return DEFAULT_LIMIT;
	return v ? v : UINT64_MAX;
}

static int by_use(const void *a, const void *b)
{
	const struct cache_entry *x = a, *y = b;

	if (x->used != y->used)
		return x->used < y->used ? -1 : 1;
	return strcmp(x->hash, y->hash);
}

/* The image keys/<name> points at ("../images/<hash>.img"), into hash; 0, or -1. */
static int key_target(const char *dir, const char *name, char hash[33])
{
	char path[PATH_MAX + 300], link[PATH_MAX];
	ssize_t n;

	snprintf(path, sizeof(path), "%s/keys/%s", dir, name);
	n = readlink(path, link, sizeof(link) - 1);
	if (n < 0)
		return -1;
	link[n] = '\0';
	if (strncmp(link, "../images/", 10) || strlen(link) != 10 + 32 + 4)
		return -1;
	snprintf(hash, 33, "%.32s", link + 10);
	return 0;
}

/* Count the keys that point at each image. */
static void count_keys(const char *dir, struct cache_entry *v, size_t n)
{
	char path[PATH_MAX + 8], hash[33];
	DIR *d;
	struct dirent *de;

	snprintf(path, sizeof(path), "%s/keys", dir);
	d = opendir(path);
	while (d && (de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.' || key_target(dir, de->d_name, hash) < 0)
			continue;
		for (size_t i = 0; i < n; i++)
			if (!strcmp(v[i].hash, hash))
				v[i].keys++;
	}
	if (d)
		closedir(d);
}

/* An image's name: 32 hex digits and ".img". */
static bool image_name(const char *s)
{
	for (int i = 0; i < 32; i++)
		if (!isxdigit((unsigned char)s[i]))
			return false;
	return !strcmp(s + 32, ".img");
}

long cache_list(struct cache_entry **out, char *err, size_t errlen)
{
	char dir[PATH_MAX], path[PATH_MAX + 8];
	struct cache_entry *v = NULL;
	size_t n = 0, cap = 0;
	struct dirent *de;
	DIR *d;
	int ret = cache_dir(dir, sizeof(dir), err, errlen);

	*out = NULL;
	if (ret < 0)
		return ret;
	snprintf(path, sizeof(path), "%s/images", dir);
	d = opendir(path);
	if (!d)
		return errno == ENOENT
			       ? 0
			       : errmsg(err, errlen, -errno, "%s: %s", path, strerror(errno));
	while ((de = readdir(d)) != NULL) {
		struct stat st;
		struct cache_entry *e;

		if (!image_name(de->d_name))
			continue;
		if (n == cap) {
			struct cache_entry *nv =
				realloc(v, (cap = cap ? 2 * cap : 16) * sizeof(*v));

			if (!nv) {
				closedir(d);
				free(v);
				return errmsg(err, errlen, -ENOMEM, "out of memory");
			}
			v = nv;
		}
		e = &v[n];
		memset(e, 0, sizeof(*e));
		snprintf(e->hash, sizeof(e->hash), "%.32s", de->d_name);
		snprintf(e->path, sizeof(e->path), "%s/images/%.36s", dir, de->d_name);
		if (stat(e->path, &st) < 0)
			continue; /* (removed meanwhile) */
		e->bytes = (uint64_t)st.st_blocks * 512;
		e->used = st.st_mtime;
		n++;
	}
	closedir(d);
	count_keys(dir, v, n);
	qsort(v, n, sizeof(*v), by_use);
	*out = v;
	return (long)n;
}

/* Keys that point at no image any more, and what crashed builds left (build-KEY-PID.img of
 * a process that is gone, keys/.KEY.new). */
static void sweep(const char *dir)
{
	char path[PATH_MAX + 300], hash[33], img[PATH_MAX + 64];
	struct dirent *de;
	DIR *d;

	snprintf(path, sizeof(path), "%s/keys", dir);
	d = opendir(path);
	while (d && (de = readdir(d)) != NULL) {
		bool stale = de->d_name[0] == '.' && strstr(de->d_name, ".new");

		if (!stale && de->d_name[0] != '.' && key_target(dir, de->d_name, hash) == 0) {
			snprintf(img, sizeof(img), "%s/images/%s.img", dir, hash);
			stale = access(img, F_OK) < 0 && errno == ENOENT;
		}
		if (stale) {
			snprintf(path, sizeof(path), "%s/keys/%s", dir, de->d_name);
			unlink(path);
		}
	}
	if (d)
		closedir(d);
	snprintf(path, sizeof(path), "%s/images", dir);
	d = opendir(path);
	while (d && (de = readdir(d)) != NULL) {
		const char *dash = strrchr(de->d_name, '-');
		long pid = dash ? strtol(dash + 1, NULL, 10) : 0;

		if (strncmp(de->d_name, "build-", 6) || pid <= 0 ||
		    (kill((pid_t)pid, 0) == 0 || errno != ESRCH))
			continue;
		snprintf(path, sizeof(path), "%s/images/%s", dir, de->d_name);
		unlink(path);
	}
	if (d)
		closedir(d);
}

long long cache_prune(uint64_t max_bytes, long long grace,
		      void (*removed)(const struct cache_entry *, void *), void *arg,
		      uint64_t *left, char *err, size_t errlen)
{
	char dir[PATH_MAX];
	struct cache_entry *v;
	uint64_t total = 0;
	long long freed = 0;
	long n = cache_list(&v, err, errlen);
	long long now = (long long)time(NULL);

	if (n < 0)
		return n;
	for (long i = 0; i < n; i++)
		total += v[i].bytes;
	for (long i = 0; i < n && total > max_bytes; i++) {
		if (now - v[i].used < grace)
			continue; /* a run may be about to open it */
		if (unlink(v[i].path) < 0)
			continue;
		total -= v[i].bytes;
		freed += (long long)v[i].bytes;
		if (removed)
			removed(&v[i], arg);
	}
	free(v);
	if (left)
		*left = total;
	if (cache_dir(dir, sizeof(dir), err, errlen) == 0)
		sweep(dir);
	return freed;
}
