/* trace_add.c: --trace's paths, kept once each, and put into the image after the run. */
#include "trace.h"
#include "errmsg.h"

#include "elfdeps.h"
#include "fileset.h"
#include "options.h"

#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>

#define TRACE_DEFAULT_TIMEOUT 30 /* seconds: a server would otherwise be traced for ever */

static const char *path_of(const void *t, size_t i)
{
	return ((const struct trace_paths *)t)->v[i].path;
}

/* Room for twice the entries, the index (first: never fuller than half) twice that. */
static int grow(struct trace_paths *t)
{
	size_t cap = t->cap ? t->cap * 2 : 256;
	struct trace_path *v;

	if (pathindex_fill(&t->index, cap * 2, t->n, path_of, t) < 0)
		return -ENOMEM;
	v = realloc(t->v, cap * sizeof(*v));
	if (!v)
		return -ENOMEM;
	t->v = v;
	t->cap = cap;
	return 0;
}

int trace_paths_mark(struct trace_paths *t, const char *path, unsigned flag)
{
	size_t *slot;

	if (t->n == t->cap && grow(t) < 0)
		return -ENOMEM;
	slot = pathindex_slot(&t->index, path, path_of, t);
	if (*slot) {
		struct trace_path *p = &t->v[*slot - 1];

		if (!(p->flags & TRACE_CREATED) || flag == TRACE_CREATED)
			p->flags |= flag;
		return 0;
	}
	t->v[t->n].path = strdup(path);
	if (!t->v[t->n].path)
		return -ENOMEM;
	t->v[t->n].flags = flag;
	*slot = ++t->n;
	return 0;
}

void trace_paths_free(struct trace_paths *t)
{
	for (size_t i = 0; i < t->n; i++)
		free(t->v[i].path);
	free(t->v);
	pathindex_free(&t->index);
	memset(t, 0, sizeof(*t));
}

static int by_path(const void *a, const void *b)
{
	return strcmp(((const struct trace_path *)a)->path, ((const struct trace_path *)b)->path);
}

struct counts {
	size_t files, dirs, skipped;
};

/* Adds one recorded path to fs at its own path. A path that cannot be added is skipped, with
 * its reason under -v: the run may have left behind what the guest does not need. */
static int add_path(struct fileset *fs, const struct trace_path *p,
		    const struct elfdeps_opts *dopts, bool verbose, struct counts *c)
{
	const struct fs_entry *had = fileset_find(fs, p->path);
	char real[PATH_MAX], why[1024] = "";
	struct stat st;
	int ret;

	if (p->flags == TRACE_CREATED)
		return 0; /* made by the program itself: not the host's */
	if (!realpath(p->path, real) || stat(real, &st) < 0) {
		snprintf(why, sizeof(why), "%s", strerror(errno));
		goto skip;
	}
	if (trace_ignored(real))
		return 0; /* a link into /proc, /sys or /dev (/etc/mtab) */
	if (!S_ISDIR(st.st_mode) && !S_ISREG(st.st_mode)) {
		snprintf(why, sizeof(why), "not a file or directory");
		goto skip;
	}
	if (S_ISREG(st.st_mode) && (p->flags & TRACE_EXECED)) {
		struct elfdeps_result res;

		/* a program it ran, as PROGRAM is added: a script's #! interpreters are exec'd by
		 * the kernel, unseen by the trace. Every other ELF file it used gets its libraries
		 * from the recipe's closure, which runs after this. */
		ret = elfdeps_add_program(fs, p->path, dopts, &res, why, sizeof(why));
		if (ret == -ENOMEM)
			return ret;
		if (ret < 0 && verbose)
			fprintf(stderr, "mote: --trace: %s: %s (adding the file alone)\n", p->path,
				why);
	}
	ret = fileset_add_mirror(fs, p->path, 0);
	if (ret == -ENOMEM)
		return ret;
	if (ret < 0) {
		snprintf(why, sizeof(why), "%s", fs->err);
		goto skip;
	}
	if (S_ISDIR(st.st_mode))
		c->dirs++;
	else
		c->files++;
	if (verbose)
		fprintf(stderr, "mote: --trace: %s%s%s\n", p->path,
			S_ISDIR(st.st_mode) && strcmp(p->path, "/") ? "/" : "",
			had && had->type == FS_FILE && !had->source ? " (mote's own kept)" : "");
	return 0;
skip:
	c->skipped++;
	if (verbose)
		fprintf(stderr, "mote: --trace: skipped %s: %s\n", p->path, why);
	return 0;
}

/* "exited with status 3", "killed by signal 11": how the run ended, when not with status 0. */
static void describe_end(const struct trace_outcome *res, char *out, size_t len)
{
	out[0] = 0;
	if (res->timed_out)
		snprintf(out, len, " (killed at the time limit)");
	else if (WIFEXITED(res->status) && WEXITSTATUS(res->status))
		snprintf(out, len, " (it exited with status %d)", WEXITSTATUS(res->status));
	else if (WIFSIGNALED(res->status))
		snprintf(out, len, " (it was killed by signal %d)", WTERMSIG(res->status));
}

int trace_add(struct fileset *fs, const struct mote_opts *o, const char *program, char *err,
	      size_t errlen)
{
	struct elfdeps_opts dopts = { .verbose = o->show_files };
	bool verbose = o->verbose || o->show_files;
	struct trace_paths paths = { 0 };
	struct trace_outcome res;
	struct counts c = { 0 };
	struct stat st;
	char **argv = calloc((size_t)o->argc + 1, sizeof(*argv));
	char **envp = calloc(o->n_env + 1, sizeof(*envp));
	char end[64];
	struct trace_spec s = {
		.program = program,
		.argv = argv,
		.envp = envp,
		.timeout_s = o->trace_timeout ? o->trace_timeout : TRACE_DEFAULT_TIMEOUT,
		.show_output = verbose,
	};
	int ret = 0;

	if (!argv || !envp) {
		ret = errmsg(err, errlen, -ENOMEM, "out of memory");
		goto out;
	}
	/* as the guest runs it: argv[0] the path found, the environment only --env's values
	 * (the Mote kernel gives pid 1 nothing else), in --cwd when the host has it */
	argv[0] = (char *)program;
	for (int i = 1; i < o->argc; i++)
		argv[i] = o->argv[i];
	for (size_t i = 0; i < o->n_env; i++)
		envp[i] = (char *)o->env[i];
	if (o->cwd && stat(o->cwd, &st) == 0 && S_ISDIR(st.st_mode)) {
		s.cwd = o->cwd;
		/* the guest kernel refuses a --cwd the image lacks */
		ret = trace_paths_mark(&paths, o->cwd, TRACE_DIR);
	}
	if (ret == 0)
		ret = trace_run(&s, &paths, &res, err, errlen);
	if (ret < 0)
		goto out;
	if (res.timed_out && res.ended)
		fprintf(stderr,
			"mote: --trace: %s ended, but processes it started were still running "
			"after %u s: killed; adding the files they used until then\n",
			program, s.timeout_s);
	else if (res.timed_out)
		fprintf(stderr,
			"mote: --trace: %s still running after %u s: killed; adding the files it "
			"used until then\n",
			program, s.timeout_s);
	qsort(paths.v, paths.n, sizeof(*paths.v), by_path); /* the table is not looked up again */
	for (size_t i = 0; i < paths.n && ret == 0; i++)
		ret = add_path(fs, &paths.v[i], &dopts, verbose, &c);
	if (ret < 0) {
		ret = errmsg(err, errlen, ret, "out of memory");
		goto out;
	}
	describe_end(&res, end, sizeof(end));
	fprintf(stderr, "mote: --trace: %zu file%s, %zu director%s from 1 run of %.1f s%s", c.files,
		c.files == 1 ? "" : "s", c.dirs, c.dirs == 1 ? "y" : "ies", res.secs, end);
	if (c.skipped)
		fprintf(stderr, "; %zu paths gone or not files, skipped%s", c.skipped,
			verbose ? "" : " (--verbose names them)");
	fprintf(stderr, "\n");
out:
	trace_paths_free(&paths);
	free(argv);
	free(envp);
	return ret;
}
