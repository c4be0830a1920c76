/* recipe.c: turning `mote run/build` options into a file set, a command line and a cache key. */
#include "recipe.h"
#include "errmsg.h"
#include "libdata.h"

#include "options.h"
#include "quote.h"
#include "trace.h"
#include "version.h"

#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define XXH_INLINE_ALL
#include <xxhash.h>

/* glibc's run-time files, written fresh rather than copied so no host account leaks in. */
static const struct {
	const char *path;
	const char *text;
} generated[] = {
	{ "/etc/passwd", "root:x:0:0:root:/root:/bin/sh\n"
			 "nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n" },
	{ "/etc/group", "root:x:0:\nnogroup:x:65534:\n" },
	{ "/etc/nsswitch.conf", "passwd: files\ngroup: files\nshadow: files\nhosts: files dns\n"
				"networks: files\nprotocols: files\nservices: files\n" },
	{ "/etc/hosts", "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n" },
};

/* Host files copied when present; /etc/ld.so.cache only for dynamic programs. */
static const char *const host_etc[] = { "/etc/resolv.conf" };
static const char *const locale_dirs[] = { "/usr/lib/locale", "/usr/lib/x86_64-linux-gnu/gconv" };

static double now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

/* --add HOST[:GUEST]: the whole word if it exists on the host, else split at the last ':'. */
static int add_one(struct fileset *fs, const char *spec, char *err, size_t errlen)
{
	char host[PATH_MAX], guest[PATH_MAX], abs[PATH_MAX];
	const char *colon = strrchr(spec, ':');
	struct stat st;
	int ret;

	snprintf(host, sizeof(host), "%s", spec);
	guest[0] = '\0';
	if (stat(spec, &st) < 0 && colon) {
		snprintf(host, sizeof(host), "%.*s", (int)(colon - spec), spec);
		snprintf(guest, sizeof(guest), "%s", colon + 1);
	}
	if (host[0] == '/') {
		snprintf(abs, sizeof(abs), "%s", host);
	} else {
		char cwd[PATH_MAX];

		if (!getcwd(cwd, sizeof(cwd)))
			return errmsg(err, errlen, -errno, "getcwd: %s", strerror(errno));
		if (snprintf(abs, sizeof(abs), "%s/%s", cwd, host) >= (int)sizeof(abs))
			return errmsg(err, errlen, -ENAMETOOLONG, "--add %s: path too long", spec);
	}
	path_normalise(abs);
	if (stat(abs, &st) < 0)
		return errmsg(err, errlen, -errno, "--add %s: %s: %s", spec, host, strerror(errno));
	ret = guest[0] ? fileset_add_as(fs, abs, guest) : fileset_add_mirror(fs, abs, 1);
	if (ret < 0)
		return errmsg(err, errlen, ret, "--add %s: %s", spec, fs->err);
	return 0;
}

/* Adds host path p (mirrored) if it exists; a missing one is not an error. */
static int add_if_present(struct fileset *fs, const char *p, int recursive, char *err,
			  size_t errlen)
{
	struct stat st;
	int ret;

	if (stat(p, &st) < 0)
		return 0;
	ret = fileset_add_mirror(fs, p, recursive);
	return ret < 0 ? errmsg(err, errlen, ret, "%s", fs->err) : 0;
}

/*
 * --with PROGRAM: another program the main one runs (fork and exec), added as the main one is:
 * at the path $PATH gives it, with its #! interpreters and libraries. Its result goes to a
 * scratch struct, not r->deps (the main program's); ORs whether it is dynamic into *dynamic.
 * The ELF file that runs it goes to r->with_exe[i], for its runtime recipe.
 */
static int add_with(struct recipe *r, size_t i, const char *prog, const struct elfdeps_opts *dopts,
		    bool *dynamic, char *err, size_t errlen)
{
	struct elfdeps_result res;
	size_t len = strlen(prog);
	char why[1024];
	int ret = elfdeps_add_program(&r->fs, prog, dopts, &res, why, sizeof(why));

	if (ret < 0) {
		/* elfdeps names the program first when it cannot find it: say it once */
		if (!strncmp(why, prog, len) && why[len] == ':')
			return errmsg(err, errlen, ret, "--with %s", why);
		return errmsg(err, errlen, ret, "--with %s: %s", prog, why);
	}
	*dynamic |= res.dynamic;
	r->with_exe[i] = strdup(res.exe);
	return r->with_exe[i] ? 0 : errmsg(err, errlen, -ENOMEM, "out of memory");
}

/* The runtime recipes of the --with programs (python3 run by a shell script...), each
 * runtime once and not the main program's again. */
static int add_with_runtimes(struct recipe *r, const struct mote_opts *o, char *err, size_t errlen)
{
	const struct runtimes_opts ropts = { .site = o->runtime_site };

	for (size_t i = 0; i < o->n_with && r->n_with_runtime < RECIPE_WITH_RUNTIMES; i++) {
		struct runtimes_result *res = &r->with_runtime[r->n_with_runtime];
		bool seen;
		int ret;

		memset(res, 0, sizeof(*res));
		ret = runtimes_add(&r->fs, r->with_exe[i], &ropts, res, err, errlen);
		if (ret < 0)
			return ret;
		seen = !res->name || (r->runtime.name && !strcmp(res->name, r->runtime.name));
		for (size_t k = 0; !seen && k < r->n_with_runtime; k++)
			seen = !strcmp(res->name, r->with_runtime[k].name);
		if (seen)
			runtimes_result_free(res);
		else
			r->n_with_runtime++;
	}
	return 0;
}

/* dynamic: some program added has a PT_INTERP, so ld.so will look for its cache. */
static int add_runtime_files(struct recipe *r, const struct mote_opts *o, bool dynamic, char *err,
			     size_t errlen)
{
	int ret;

	for (size_t i = 0; i < sizeof(generated) / sizeof(generated[0]); i++) {
		ret = fileset_add_data(&r->fs, generated[i].path, generated[i].text,
				       strlen(generated[i].text), 0644);
		if (ret < 0)
			return errmsg(err, errlen, ret, "%s", r->fs.err);
	}
	for (size_t i = 0; i < sizeof(host_etc) / sizeof(host_etc[0]); i++) {
		ret = add_if_present(&r->fs, host_etc[i], 0, err, errlen);
		if (ret < 0)
			return ret;
	}
	if (dynamic) {
		ret = add_if_present(&r->fs, "/etc/ld.so.cache", 0, err, errlen);
		if (ret < 0)
			return ret;
	}
	for (size_t i = 0; o->locale && i < sizeof(locale_dirs) / sizeof(locale_dirs[0]); i++) {
		ret = add_if_present(&r->fs, locale_dirs[i], 1, err, errlen);
		if (ret < 0)
			return ret;
	}
	return 0;
}

static int make_cmdline(struct recipe *r, const struct mote_opts *o, char *err, size_t errlen)
{
	/* no --cwd: where relative arguments mean what they mean on the host, if they name any */
	const char *cwd = o->cwd ? o->cwd : r->autoadd.start_dir;
	char word[RECIPE_CMDLINE_MAX + 8]; /* + "--cwd=": too long is said below */
	long len = 0;

	r->cmdline[0] = '\0';
	for (size_t i = 0; i < o->n_env && len >= 0; i++) {
		snprintf(word, sizeof(word), "--env=%s", o->env[i]);
		len = quote_append(r->cmdline, len, sizeof(r->cmdline), word);
	}
	if (cwd[0] && len >= 0) {
		snprintf(word, sizeof(word), "--cwd=%s", cwd);
		len = quote_append(r->cmdline, len, sizeof(r->cmdline), word);
	}
	if (len >= 0)
		len = quote_append(r->cmdline, len, sizeof(r->cmdline), r->deps.program);
	for (int i = 1; i < o->argc && len >= 0; i++)
		len = quote_append(r->cmdline, len, sizeof(r->cmdline), o->argv[i]);
	if (len < 0)
		return errmsg(err, errlen, -E2BIG,
			      "the program's arguments and environment exceed the %d-byte kernel "
			      "command line",
			      RECIPE_CMDLINE_MAX - 1);
	return 0;
}

/*
 * A file counts by its identity (device, inode, size, mtime, ctime): any change to its contents
 * changes one of them. A directory counts by its path and mode only, since its timestamps move
 * whenever anything beside what we take changes.
 */
static void hash_entry(XXH3_state_t *h, const struct fs_entry *e)
{
	uint64_t f[8] = { e->type, e->mode, e->size };

	if (e->type != FS_DIR) {
		f[3] = e->dev;
		f[4] = e->ino;
		f[5] = (uint64_t)e->mtime_ns;
		f[6] = (uint64_t)e->ctime_ns;
	}

	XXH3_128bits_update(h, e->path, strlen(e->path) + 1);
	XXH3_128bits_update(h, f, sizeof(f));
	if (e->target)
		XXH3_128bits_update(h, e->target, strlen(e->target) + 1);
	if (e->data)
		XXH3_128bits_update(h, e->data, e->size);
}

static int compute_key(struct recipe *r)
{
	static const char tag[] = "mote-image-key " MOTE_VERSION;
	XXH3_state_t *h = XXH3_createState();
	XXH128_hash_t d;

	if (!h)
		return -ENOMEM;
	XXH3_128bits_reset(h);
	XXH3_128bits_update(h, tag, sizeof(tag));
	for (size_t i = 0; i < r->fs.n; i++)
		hash_entry(h, &r->fs.v[i]);
	d = XXH3_128bits_digest(h);
	XXH3_freeState(h);
	r->key[0] = d.high64;
	r->key[1] = d.low64;
	return 0;
}

/*
 * The libraries of every other ELF file in the image (entries from `first` on: --add's, the
 * locale's gconv modules), and what they need in turn. They are not the programs mote runs,
 * so what cannot be found is a warning (r->closure.warnings), not an error.
 */
static int add_closure(struct recipe *r, const struct mote_opts *o, size_t first, bool dynamic,
		       char *err, size_t errlen)
{
	struct closure_opts copts = { .exe_rpath = r->deps.rpath, .verbose = o->show_files };
	double t0 = now_ms();
	int ret = closure_add(&r->fs, first, &copts, &r->closure, err, errlen);

	/* a dynamic executable among them: its ld.so will look for the cache */
	if (ret == 0 && r->closure.dynamic && !dynamic)
		ret = add_if_present(&r->fs, "/etc/ld.so.cache", 0, err, errlen);
	if (ret == 0)
		ret = libdata_add(&r->fs, &r->libdata, err, errlen);
	r->closure_ms = now_ms() - t0;
	return ret;
}

/*
 * The options' memory and vCPUs, else the runtime recipes' (the program's and the --with
 * programs'): the largest of their own figures and the image's size and 64 MiB, rounded up
 * to 64 MiB (a cpio image lives in the guest's memory, beside the runtime's heap); else
 * 128 MiB and one vCPU.
 */
static void machine_defaults(struct recipe *r, const struct mote_opts *o)
{
	unsigned fit, cpus = r->runtime.cpus, mem = r->runtime.mem_mib;
	bool any = r->runtime.name || r->n_with_runtime;
	uint64_t bytes = 0;

	for (size_t i = 0; i < r->n_with_runtime; i++) {
		cpus = r->with_runtime[i].cpus > cpus ? r->with_runtime[i].cpus : cpus;
		mem = r->with_runtime[i].mem_mib > mem ? r->with_runtime[i].mem_mib : mem;
	}
	r->cpus = o->cpus ? o->cpus : cpus ? cpus : 1;
	r->mem_mib = o->mem_mib ? o->mem_mib : 128;
	if (o->mem_mib || !any)
		return;
	for (size_t i = 0; i < r->fs.n; i++)
		bytes += r->fs.v[i].type == FS_FILE ? r->fs.v[i].size : 0;
	fit = (unsigned)(((bytes >> 20) + 64 + 63) / 64 * 64);
	if (mem > r->mem_mib)
		r->mem_mib = mem;
	if (fit > r->mem_mib)
		r->mem_mib = fit;
}

int recipe_make(const struct mote_opts *o, struct recipe *r, char *err, size_t errlen)
{
	struct elfdeps_opts dopts = { .verbose = o->show_files };
	double t0 = now_ms();
	bool dynamic = false;
	size_t closed;
	int ret;

	memset(r, 0, sizeof(*r));
	fileset_init(&r->fs);
	ret = elfdeps_add_program(&r->fs, o->argv[0], &dopts, &r->deps, err, errlen);
	if (ret == 0)
		dynamic = r->deps.dynamic;
	if (ret == 0 && o->n_with && !(r->with_exe = calloc(o->n_with, sizeof(char *))))
		ret = errmsg(err, errlen, -ENOMEM, "out of memory");
	r->n_with_exe = r->with_exe ? o->n_with : 0;
	for (size_t i = 0; ret == 0 && i < o->n_with; i++)
		ret = add_with(r, i, o->with[i], &dopts, &dynamic, err, errlen);
	/* everything so far came with its libraries; entries keep their place until the sort */
	closed = r->fs.n;
	for (size_t i = 0; ret == 0 && i < o->n_add; i++)
		ret = add_one(&r->fs, o->add[i], err, errlen);
	if (ret == 0 && !o->no_runtime)
		ret = runtimes_add(&r->fs, r->deps.exe,
				   &(struct runtimes_opts){ .site = o->runtime_site }, &r->runtime,
				   err, errlen);
	if (ret == 0 && !o->no_runtime)
		ret = add_with_runtimes(r, o, err, errlen);
	if (ret == 0)
		ret = add_runtime_files(r, o, dynamic, err, errlen);
	/* after the generated /etc files, which the host's must not replace */
	if (ret == 0 && o->trace)
		ret = trace_add(&r->fs, o, r->deps.program, err, errlen);
	/* after mote's own /etc files, which a named host file must not replace */
	if (ret == 0 && !o->no_auto_add)
		ret = autoadd_add(&r->fs, o->argv + 1, o->argc - 1, &r->autoadd, err, errlen);
	if (ret == 0)
		ret = add_closure(r, o, closed, dynamic, err, errlen);
	if (ret == 0)
		ret = make_cmdline(r, o, err, errlen);
	if (ret == 0) {
		machine_defaults(r, o);
		fileset_sort(&r->fs);
		ret = compute_key(r);
		if (ret < 0)
			errmsg(err, errlen, ret, "out of memory");
	}
	if (ret < 0) {
		recipe_free(r);
		return ret;
	}
	r->resolve_ms = now_ms() - t0;
	return 0;
}

void recipe_manifest(const struct recipe *r, const struct mote_opts *o, struct image_manifest *m)
{
	(void)o; /* its machine is in r: recipe_make weighed it against the runtime's */
	memset(m, 0, sizeof(*m));
	m->version = IMAGE_VERSION;
	m->cmdline = (char *)r->cmdline;
	m->program = (char *)r->deps.program;
	m->created_by = "mote " MOTE_VERSION;
	m->vcpu_count = r->cpus;
	m->mem_size_mib = r->mem_mib;
}

void recipe_print_warnings(const struct recipe *r)
{
	for (size_t i = 0; i < r->closure.n_warnings; i++)
		fprintf(stderr, "mote: warning: %s\n", r->closure.warnings[i]);
	lines_print(&r->runtime.warnings, stderr, "mote: warning: ");
	for (size_t i = 0; i < r->n_with_runtime; i++)
		lines_print(&r->with_runtime[i].warnings, stderr, "mote: warning: ");
	lines_print(&r->autoadd.warnings, stderr, "mote: warning: ");
}

void recipe_print_notes(const struct recipe *r)
{
	runtimes_print(&r->runtime, stderr);
	for (size_t i = 0; i < r->n_with_runtime; i++)
		runtimes_print(&r->with_runtime[i], stderr);
	autoadd_print(&r->autoadd, stderr);
	lines_print(&r->libdata, stderr, "mote: libraries' data: ");
}

void recipe_free(struct recipe *r)
{
	fileset_free(&r->fs);
	closure_result_free(&r->closure);
	runtimes_result_free(&r->runtime);
	for (size_t i = 0; i < r->n_with_runtime; i++)
		runtimes_result_free(&r->with_runtime[i]);
	for (size_t i = 0; r->with_exe && i < r->n_with_exe; i++)
		free(r->with_exe[i]);
	free(r->with_exe);
	autoadd_result_free(&r->autoadd);
	lines_free(&r->libdata);
}
