/* cache.c: the on-disk image cache (~/.cache/mote/{images,keys}). */
#include "cache.h"
#include "errmsg.h"

#include "image.h"
#include "options.h"
#include "recipe.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* mkdir -p */
static int make_dirs(const char *path)
{
	char buf[PATH_MAX];

	snprintf(buf, sizeof(buf), "%s", path);
	for (char *s = buf + 1;; s++) {
		if (*s != '/' && *s)
			continue;
		char c = *s;

		*s = '\0';
		if (mkdir(buf, 0755) < 0 && errno != EEXIST)
			return -errno;
		if (!c)
			return 0;
		*s = c;
	}
}

int cache_dir(char *out, size_t len, char *err, size_t errlen)
{
	const char *env = getenv("MOTE_CACHE_DIR");
	const char *xdg = getenv("XDG_CACHE_HOME");
	const char *home = getenv("HOME");
	int ret;

	if (env && *env)
		snprintf(out, len, "%s", env);
	else if (xdg && *xdg == '/')
		snprintf(out, len, "%s/mote", xdg);
	else if (home && *home)
		snprintf(out, len, "%s/.cache/mote", home);
	else
		return errmsg(err, errlen, -ENOENT,
			      "no cache directory: set MOTE_CACHE_DIR or HOME");
	ret = make_dirs(out);
	if (ret < 0)
		return errmsg(err, errlen, ret, "%s: %s", out, strerror(-ret));
	return 0;
}

static void hex128(const uint64_t h[2], char out[33])
{
	snprintf(out, 33, "%016llx%016llx", (unsigned long long)h[0], (unsigned long long)h[1]);
}

static void note_removed(const struct cache_entry *e, void *count)
{
	(*(int *)count)++;
}

/* After a build: the least recently used images go while the cache is over its limit (the
 * new one, just used, stays); said on stderr with --verbose only, as mote's stderr is the
 * program's too. */
static void keep_to_limit(bool verbose)
{
	char err[256];
	int count = 0;
	long long freed =
		cache_prune(cache_limit(), 60, note_removed, &count, NULL, err, sizeof(err));

	if (freed > 0 && verbose)
		fprintf(stderr,
			"mote: cache: removed %d least recently used image%s (%.1f MiB) to stay "
			"within %s (mote cache prune, MOTE_CACHE_MAX)\n",
			count, count == 1 ? "" : "s", freed / 1048576.0,
			getenv("MOTE_CACHE_MAX") ? "MOTE_CACHE_MAX" : "the 4 GiB default");
}

int cache_get(const struct recipe *r, const struct mote_opts *o, char *image, size_t len,
	      int *built, char *err, size_t errlen)
{
	char dir[PATH_MAX], key_path[PATH_MAX + 64], tmp[PATH_MAX + 64], key[33], hash[33];
	struct image_manifest m;
	struct stat st;
	uint64_t content[2];
	int ret = cache_dir(dir, sizeof(dir), err, errlen);

	*built = 0;
	if (ret < 0)
		return ret;
	hex128(r->key, key);
	snprintf(key_path, sizeof(key_path), "%s/keys/%s", dir, key);
	if (stat(key_path, &st) == 0 && S_ISREG(st.st_mode)) {
		/* keys/<key> is a symlink into images/; return the resolved image path, the
		 * image marked used (pruning goes by it) */
		if (realpath(key_path, image)) {
			utimensat(AT_FDCWD, image, NULL, 0);
			return 0;
		}
	}

	snprintf(tmp, sizeof(tmp), "%s/images", dir);
	if (make_dirs(tmp) < 0 || (snprintf(tmp, sizeof(tmp), "%s/keys", dir), make_dirs(tmp) < 0))
		return errmsg(err, errlen, -errno, "%s: %s", tmp, strerror(errno));
	snprintf(tmp, sizeof(tmp), "%s/images/build-%s-%d.img", dir, key, (int)getpid());
	recipe_manifest(r, o, &m);
	ret = image_write(&r->fs, &m, tmp, false, content, err, errlen);
	if (ret < 0)
		return ret;
	hex128(content, hash);
	snprintf(image, len, "%s/images/%s.img", dir, hash);
	if (rename(tmp, image) < 0) {
		unlink(tmp);
		return errmsg(err, errlen, -errno, "%s: %s", image, strerror(errno));
	}
	snprintf(tmp, sizeof(tmp), "%s/keys/.%s.new", dir, key);
	unlink(tmp);
	snprintf(dir, sizeof(dir), "../images/%s.img", hash);
	if (symlink(dir, tmp) < 0 || rename(tmp, key_path) < 0) {
		unlink(tmp);
		return errmsg(err, errlen, -errno, "%s: %s", key_path, strerror(errno));
	}
	*built = 1;
	keep_to_limit(o->verbose || o->show_files);
	return 0;
}
