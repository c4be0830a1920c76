/* autoadd.c: the host files a command line names, and the current directory (see autoadd.h). */
#include "autoadd.h"
#include "errmsg.h"

#include "fileset.h"
#include "hosttree.h"

#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The system's own trees: a directory in them is never added whole (a program's `ls /usr/lib`
 * lists the image's), a file in them is. */
static const char *const system_trees[] = { "/bin",   "/boot",	 "/etc",  "/lib", "/lib32",
					    "/lib64", "/libx32", "/sbin", "/usr", "/var" };

struct walk {
	struct fileset *fs;
	const char *cwd;
	struct lines seen; /* absolute paths looked at already */
	bool relative;	   /* a relative word named a host path */
	struct autoadd_result *res;
};

static bool in_system_tree(const char *path)
{
	for (size_t i = 0; i < sizeof(system_trees) / sizeof(system_trees[0]); i++)
		if (hosttree_under(path, system_trees[i]))
			return true;
	return false;
}

/* Adds what abs (a host path that exists) names; a failure to add is a warning, not the run's
 * end: the program may not need it. */
static int add_path(struct walk *w, const char *abs, const char *word)
{
	struct hosttree_size sz;
	size_t first = w->fs->n;
	struct stat st;
	int ret;

	if (!strcmp(abs, "/") || hosttree_pseudo(abs) || stat(abs, &st) < 0 ||
	    !(S_ISDIR(st.st_mode) || S_ISREG(st.st_mode))) {
		lines_add(&w->res->notes, "passed over %s: the guest has its own", word);
		return 0;
	}
	if (S_ISDIR(st.st_mode) && in_system_tree(abs)) {
		lines_add(&w->res->notes, "passed over %s: a directory of the system's (--add it)",
			  word);
		return 0;
	}
	if (!hosttree_measure(abs, NULL, AUTOADD_MAX_BYTES, AUTOADD_MAX_ENTRIES, &sz)) {
		lines_add(&w->res->warnings,
			  "%s not added to the image: over %llu MiB or %d files (--add it, with "
			  "--mem to match)",
			  word, AUTOADD_MAX_BYTES >> 20, AUTOADD_MAX_ENTRIES);
		return 0;
	}
	ret = hosttree_add(w->fs, abs, NULL);
	if (ret == -ENOMEM)
		return ret;
	if (ret < 0) {
		lines_add(&w->res->warnings, "%s not added to the image: %s", word, w->fs->err);
		return 0;
	}
	w->res->n_paths++;
	lines_add(&w->res->notes, "added %s (%zu entries)", abs, w->fs->n - first);
	return 0;
}

/* One candidate (len bytes of s): a host path? */
static int candidate(struct walk *w, const char *s, size_t len)
{
	char word[PATH_MAX], abs[PATH_MAX * 2];
	struct stat st;

	if (!len || len >= sizeof(word))
		return 0;
	memcpy(word, s, len);
	word[len] = '\0';
	if (lstat(word, &st) < 0)
		return 0;
	if (word[0] == '/') {
		snprintf(abs, sizeof(abs), "%s", word);
	} else {
		snprintf(abs, sizeof(abs), "%s/%s", w->cwd, word);
		w->relative = true;
	}
	path_normalise(abs);
	if (strlen(abs) >= PATH_MAX || lines_has(&w->seen, abs))
		return 0;
	if (lines_add(&w->seen, "%s", abs) < 0)
		return -ENOMEM;
	return add_path(w, abs, word);
}

/* s, and each ':'-separated part of it when it has more than one. */
static int candidates(struct walk *w, const char *s)
{
	int ret = candidate(w, s, strlen(s));
	size_t len;

	if (!strchr(s, ':'))
		return ret;
	for (const char *p = s; ret == 0; p += len + 1) {
		len = strcspn(p, ":");
		ret = candidate(w, p, len);
		if (!p[len])
			break;
	}
	return ret;
}

int autoadd_add(struct fileset *fs, char *const *args, int n, struct autoadd_result *res, char *err,
		size_t errlen)
{
	char cwd[PATH_MAX];
	struct walk w = { .fs = fs, .cwd = cwd, .res = res };
	size_t first = fs->n;
	int ret = 0;

	memset(res, 0, sizeof(*res));
	if (!getcwd(cwd, sizeof(cwd)))
		return 0; /* a removed directory: no relative path means anything */
	for (int i = 0; i < n && ret == 0; i++) {
		const char *eq = strchr(args[i], '=');

		ret = candidates(&w, args[i]);
		if (ret == 0 && eq)
			ret = candidates(&w, eq + 1);
	}
	/* the current directory's path, so that a program that goes back to it (or is started
	 * there) finds it */
	if (ret == 0 && strcmp(cwd, "/") && !hosttree_pseudo(cwd)) {
		ret = fileset_add_mirror(fs, cwd, 0);
		if (ret < 0 && ret != -ENOMEM) {
			lines_add(&res->warnings, "the current directory: %s", fs->err);
			ret = 0;
		}
		if (ret == 0 && w.relative) {
			snprintf(res->start_dir, sizeof(res->start_dir), "%s", cwd);
			lines_add(
				&res->notes,
				"the program starts in %s: an argument names a path relative to it",
				cwd);
		}
	}
	lines_free(&w.seen);
	if (ret < 0)
		return errmsg(err, errlen, ret, "out of memory");
	res->n_entries = fs->n - first;
	for (size_t i = first; i < fs->n; i++)
		res->bytes += fs->v[i].type == FS_FILE ? fs->v[i].size : 0;
	return 0;
}

void autoadd_result_free(struct autoadd_result *res)
{
	lines_free(&res->notes);
	lines_free(&res->warnings);
}

void autoadd_print(const struct autoadd_result *res, FILE *f)
{
	if (!res->notes.n && !res->n_entries)
		return;
	fprintf(f, "mote: from the command line: %zu paths, %zu entries, %.1f MiB\n", res->n_paths,
		res->n_entries, res->bytes / 1048576.0);
	lines_print(&res->notes, f, "mote:   ");
}
