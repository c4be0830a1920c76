/* elfdeps.c: resolving a program's interpreter and shared libraries, recursively. */
#include "elfdeps.h"
#include "errmsg.h"

#include "elf.h"
#include "fileset.h"
#include "ldcache.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_SCRIPT_DEPTH 4 /* like the kernel's limit on nested #! interpreters */

/* Default directories of Debian's x86-64 glibc, searched after the cache. */
const char *const elfdeps_default_dirs[ELFDEPS_N_DEFAULT_DIRS] = {
	"/lib/x86_64-linux-gnu",
	"/usr/lib/x86_64-linux-gnu",
	"/lib",
	"/usr/lib",
};

/* One loaded object, as ld.so would keep it. */
struct object {
	char path[PATH_MAX];   /* where it was found */
	char origin[PATH_MAX]; /* directory for $ORIGIN */
	struct elf_info info;
};

struct resolver {
	struct fileset *fs;
	struct ldcache *cache;
	const struct elfdeps_opts *opts;
	struct object *objs; /* objs[0] is the executable; the rest in load order */
	size_t n, cap;
	char *err;
	size_t errlen;
	char found[PATH_MAX]; /* scratch: the result of the last search */
};

static int fail(struct resolver *r, int ret, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(struct resolver *r, int ret, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	verrmsg(r->err, r->errlen, ret, fmt, ap);
	va_end(ap);
	return ret;
}

int elfdeps_find_in_path(const char *name, char *out, size_t outlen)
{
	const char *path = getenv("PATH");

	if (strchr(name, '/')) {
		if (name[0] == '/') {
			snprintf(out, outlen, "%s", name);
		} else {
			char cwd[PATH_MAX];

			if (!getcwd(cwd, sizeof(cwd)))
				return -errno;
			snprintf(out, outlen, "%s/%s", cwd, name);
		}
		path_normalise(out);
		return access(out, F_OK) == 0 ? 0 : -errno;
	}
	if (!path)
		path = "/usr/local/bin:/usr/bin:/bin";
	while (*path) {
		size_t len = strcspn(path, ":");

		snprintf(out, outlen, "%.*s/%s", (int)len, path, name);
		if (out[0] == '/' && access(out, X_OK) == 0) {
			path_normalise(out);
			return 0;
		}
		path += len + (path[len] == ':');
	}
	return -ENOENT;
}

void elfdeps_expand(const char *in, size_t len, const char *origin, char *out, size_t outlen)
{
	static const struct {
		const char *name;
		const char *value;
	} vars[] = { { "ORIGIN", NULL },
		     { "LIB", "lib/x86_64-linux-gnu" },
		     { "PLATFORM", "x86_64" } };
	size_t o = 0;

	for (size_t i = 0; i < len && o + 1 < outlen;) {
		size_t k;

		if (in[i] != '$') {
			out[o++] = in[i++];
			continue;
		}
		for (k = 0; k < sizeof(vars) / sizeof(vars[0]); k++) {
			size_t n = strlen(vars[k].name);
			const char *v = vars[k].value ? vars[k].value : origin;
			int braced = in[i + 1] == '{';

			if (i + 1 + braced + n > len ||
			    strncmp(in + i + 1 + braced, vars[k].name, n))
				continue;
			if (braced && (i + 2 + n >= len || in[i + 2 + n] != '}'))
				continue;
			o += snprintf(out + o, outlen - o, "%s", v);
			if (o >= outlen)
				o = outlen - 1;
			i += 1 + n + 2 * braced;
			break;
		}
		if (k == sizeof(vars) / sizeof(vars[0]))
			out[o++] = in[i++];
	}
	out[o] = '\0';
}

static bool try_dir(struct resolver *r, const char *dir, const char *name)
{
	if (snprintf(r->found, sizeof(r->found), "%s/%s", dir, name) >= (int)sizeof(r->found))
		return false; /* longer than a path can be: ld.so cannot open it either */
	return elf_is_x86_64(r->found);
}

/* Searches a colon-separated list (RPATH/RUNPATH) for name. */
static bool search_list(struct resolver *r, const char *list, const char *origin, const char *name)
{
	while (list && *list) {
		size_t len = strcspn(list, ":");
		char dir[PATH_MAX];

		elfdeps_expand(list, len, origin, dir, sizeof(dir));
		if (len == 0)
			snprintf(dir, sizeof(dir), "."); /* an empty element means the cwd */
		if (try_dir(r, dir, name))
			return true;
		list += len + (list[len] == ':');
	}
	return false;
}

struct cache_hits {
	struct resolver *r;
	bool any;
	int ret;
};

static void on_cache_hit(const char *path, void *arg)
{
	struct cache_hits *h = arg;

	if (h->ret < 0 || !elf_is_x86_64(path))
		return;
	if (!h->any) {
		snprintf(h->r->found, sizeof(h->r->found), "%s", path);
		h->any = true;
	} else {
		/* a glibc-hwcaps variant ld.so may prefer on this CPU: bring it along */
		h->ret = fileset_add_mirror(h->r->fs, path, 0);
	}
}

/* Finds name for object `who` as ld.so would; the path lands in r->found. */
static int search(struct resolver *r, const struct object *who, const char *name)
{
	const struct object *exe = &r->objs[0];
	struct cache_hits hits = { .r = r };

	if (strchr(name, '/')) {
		snprintf(r->found, sizeof(r->found), "%s", name);
		return access(name, F_OK) == 0 ? 0 : -ENOENT;
	}
	if (!who->info.runpath) {
		if (search_list(r, who->info.rpath, who->origin, name))
			return 0;
		if (who != exe && !exe->info.runpath &&
		    search_list(r, exe->info.rpath, exe->origin, name))
			return 0;
	}
	if (search_list(r, who->info.runpath, who->origin, name))
		return 0;
	if (who->info.nodeflib)
		return -ENOENT;
	if (r->cache) {
		ldcache_lookup(r->cache, name, on_cache_hit, &hits);
		if (hits.ret < 0)
			return hits.ret;
		if (hits.any)
			return 0;
	}
	for (size_t i = 0; i < ELFDEPS_N_DEFAULT_DIRS; i++)
		if (try_dir(r, elfdeps_default_dirs[i], name))
			return 0;
	return -ENOENT;
}

static bool loaded(const struct resolver *r, const char *name, const char *path)
{
	for (size_t i = 0; i < r->n; i++) {
		const char *base = strrchr(r->objs[i].path, '/');

		if (!strcmp(r->objs[i].path, path))
			return true;
		if (r->objs[i].info.soname && !strcmp(r->objs[i].info.soname, name))
			return true;
		if (base && !strcmp(base + 1, name) && !strchr(name, '/'))
			return true;
	}
	return false;
}

/* Reads the ELF at path and appends it to the list of loaded objects. */
static int load(struct resolver *r, const char *path, const char *origin_of)
{
	struct object *o;
	char real[PATH_MAX];
	int ret;

	if (r->n == r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 16;
		struct object *v = realloc(r->objs, cap * sizeof(*v));

		if (!v)
			return fail(r, -ENOMEM, "out of memory");
		r->objs = v;
		r->cap = cap;
	}
	o = &r->objs[r->n];
	memset(o, 0, sizeof(*o));
	snprintf(o->path, sizeof(o->path), "%s", path);
	snprintf(real, sizeof(real), "%s", origin_of);
	*strrchr(real, '/') = '\0';
	snprintf(o->origin, sizeof(o->origin), "%s", real[0] ? real : "/");
	ret = elf_read(path, &o->info, r->err, r->errlen);
	if (ret < 0)
		return ret;
	r->n++;
	ret = fileset_add_mirror(r->fs, path, 0);
	if (ret < 0)
		return fail(r, ret, "%s", r->fs->err);
	if (r->opts->verbose)
		fprintf(stderr, "mote: + %s\n", path);
	return 0;
}

static int resolve_libraries(struct resolver *r)
{
	/* Breadth-first, like ld.so's load order; r->objs grows as we go. */
	for (size_t i = 0; i < r->n; i++) {
		for (size_t k = 0; k < r->objs[i].info.n_needed; k++) {
			const char *name = r->objs[i].info.needed[k];
			char path[PATH_MAX];
			int ret = search(r, &r->objs[i], name);

			if (ret == -ENOENT)
				return fail(r, -ENOENT, "missing library %s (needed by %s)", name,
					    r->objs[i].path);
			if (ret < 0)
				return fail(r, ret, "%s", r->fs->err);
			snprintf(path, sizeof(path), "%s", r->found);
			if (loaded(r, name, path))
				continue;
			ret = load(r, path, path);
			if (ret < 0)
				return ret;
		}
	}
	return 0;
}

/*
 * glibc dlopens libgcc_s.so.1 to unwind the stack in pthread_exit and pthread_cancel (it aborts,
 * "libgcc_s.so.1 must be installed for pthread_exit to work", without it): bring it along with
 * libc.so.6, found as ld.so would find it for libc; a host without it is no error.
 */
static int add_dlopened(struct resolver *r)
{
	static const char name[] = "libgcc_s.so.1";

	for (size_t i = 0; i < r->n; i++) {
		const char *soname = r->objs[i].info.soname;
		char path[PATH_MAX];
		int ret;

		if (!soname || strcmp(soname, "libc.so.6"))
			continue;
		ret = search(r, &r->objs[i], name);
		if (ret == -ENOENT)
			return 0;
		if (ret < 0)
			return fail(r, ret, "%s", r->fs->err);
		snprintf(path, sizeof(path), "%s", r->found);
		if (loaded(r, name, path))
			return 0;
		ret = load(r, path, path);
		return ret < 0 ? ret : resolve_libraries(r);
	}
	return 0;
}

/* If path starts with "#!", returns its interpreter (and optional argument) via out params. */
static int read_shebang(const char *path, char *interp, size_t ilen, char *arg, size_t alen)
{
	char buf[256];
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	char *p, *end;

	if (fd < 0)
		return -errno;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n < 2 || buf[0] != '#' || buf[1] != '!')
		return 0;
	buf[n] = '\0';
	end = strchr(buf, '\n');
	if (!end)
		return -ENOEXEC; /* the kernel's limit on a #! line */
	*end = '\0';
	p = buf + 2 + strspn(buf + 2, " \t");
	n = strcspn(p, " \t");
	snprintf(interp, ilen, "%.*s", (int)n, p);
	p += n;
	p += strspn(p, " \t");
	for (end = p + strlen(p); end > p && (end[-1] == ' ' || end[-1] == '\t');)
		*--end = '\0';
	snprintf(arg, alen, "%s", p);
	return 1;
}

static int add_executable(struct resolver *r, const char *path, struct elfdeps_result *res,
			  int depth)
{
	char interp[PATH_MAX], arg[PATH_MAX], real[PATH_MAX];
	struct object *exe;
	int ret = read_shebang(path, interp, sizeof(interp), arg, sizeof(arg));

	if (ret < 0 && ret != -ENOEXEC)
		return fail(r, ret, "%s: %s", path, strerror(-ret));
	if (ret == -ENOEXEC)
		return fail(r, ret, "%s: #! line longer than 255 bytes", path);
	if (ret == 1) {
		char found[PATH_MAX];

		if (depth >= MAX_SCRIPT_DEPTH)
			return fail(r, -ELOOP, "%s: too many nested #! interpreters", path);
		ret = fileset_add_mirror(r->fs, path, 0);
		if (ret < 0)
			return fail(r, ret, "%s", r->fs->err);
		if (!interp[0] || interp[0] != '/')
			return fail(r, -ENOEXEC, "%s: #! interpreter '%s' is not an absolute path",
				    path, interp);
		if (access(interp, X_OK) < 0)
			return fail(r, -ENOENT, "%s: missing #! interpreter %s", path, interp);
		/* #!/usr/bin/env NAME: bring NAME too, found in $PATH as env will find it */
		if (!strcmp(strrchr(interp, '/'), "/env") && arg[0] && arg[0] != '-') {
			ret = elfdeps_find_in_path(arg, found, sizeof(found));
			if (ret < 0)
				return fail(r, ret, "%s: missing program '%s' named by #!%s", path,
					    arg, interp);
			ret = add_executable(r, found, res, depth + 1);
			if (ret < 0)
				return ret;
		}
		return add_executable(r, interp, res, depth + 1);
	}

	if (!realpath(path, real))
		return fail(r, -errno, "%s: %s", path, strerror(errno));
	r->n = 0;
	ret = load(r, path, real);
	if (ret < 0)
		return ret;
	exe = &r->objs[0];
	if (exe->info.interp) {
		if (access(exe->info.interp, F_OK) < 0)
			return fail(r, -ENOENT, "%s: missing ELF interpreter %s", path,
				    exe->info.interp);
		if (!elf_is_x86_64(exe->info.interp))
			return fail(r, -ENOEXEC, "%s: ELF interpreter %s is not x86-64", path,
				    exe->info.interp);
		ret = fileset_add_mirror(r->fs, exe->info.interp, 0);
		if (ret < 0)
			return fail(r, ret, "%s", r->fs->err);
		res->dynamic = true;
	} else if (exe->info.n_needed) {
		return fail(r, -ENOEXEC, "%s: has shared libraries but no ELF interpreter", path);
	}
	/*
	 * The first ELF file met is the one that runs the code (for #!/usr/bin/env NAME it is
	 * NAME, added before env): ld.so searches its DT_RPATH for everything it loads.
	 */
	if (!res->rpath_set) {
		res->rpath_set = true;
		snprintf(res->exe, sizeof(res->exe), "%s", path);
		if (exe->info.rpath && !exe->info.runpath)
			elfdeps_expand(exe->info.rpath, strlen(exe->info.rpath), exe->origin,
				       res->rpath, sizeof(res->rpath));
	}
	ret = resolve_libraries(r);
	if (ret == 0)
		ret = add_dlopened(r);
	res->n_libs += r->n - 1;
	for (size_t i = 0; i < r->n; i++)
		elf_free(&r->objs[i].info);
	r->n = 0;
	return ret;
}

int elfdeps_add_program(struct fileset *fs, const char *program, const struct elfdeps_opts *opts,
			struct elfdeps_result *res, char *err, size_t errlen)
{
	struct resolver r = { .fs = fs, .opts = opts, .err = err, .errlen = errlen };
	int ret;

	memset(res, 0, sizeof(*res));
	ret = elfdeps_find_in_path(program, res->program, sizeof(res->program));
	if (ret < 0) {
		snprintf(err, errlen, "%s: %s", program,
			 ret == -ENOENT ? "no such program (not a path, not in $PATH)"
					: strerror(-ret));
		return ret;
	}
	r.cache = ldcache_open(opts->ldcache ? opts->ldcache : "/etc/ld.so.cache");
	ret = add_executable(&r, res->program, res, 0);
	ldcache_close(r.cache);
	free(r.objs);
	return ret;
}
