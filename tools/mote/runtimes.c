/* runtimes.c: the recipes for the language runtimes of the host, one table: how to recognise
 * each runtime and where its own files are, asked of the runtime itself (see runtimes.h). */
#include "runtimes.h"
#include "errmsg.h"

#include "cache.h"
#include "elf.h"
#include "fileset.h"
#include "hosttool.h"
#include "hosttree.h"
#include "version.h"

#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define XXH_INLINE_ALL
#include <xxhash.h>

/* Third-party package directories go in whole when together at most this big (or with
 * --runtime-site): Debian's dist-packages can hold hundreds of MiB a program never loads. */
#define SITE_MAX_BYTES (16ull << 20)
#define SITE_MAX_ENTRIES 20000
#define ANSWER_MAX 65536	/* a runtime's answer (a list of directories) */
#define ANSWER_TIMEOUT_MS 20000 /* node answers in ~150 ms; a cold disk, a loaded host */
#define MAX_ARGS 8

#define LIST(...) ((const char *const[]){ __VA_ARGS__, NULL })

/*
 * One runtime. Its paths come as lines, from the runtime's answer to `exe query...` (run with
 * a bare environment: PATH, LC_ALL=C; no PYTHONPATH, PERL5LIB, NODE_PATH, LUA_PATH, HOME, so
 * the answer is the runtime's own, as the guest will see it) and from `paths`:
 *   /dir      a directory (or file) it loads from: added whole
 *   +/dir     a third-party package directory: added when small, or with --runtime-site
 *   -/dir     never loaded at run time: left out of the others
 * and in `paths`, a relative path is under the runtime's home (home_up).
 */
struct runtime {
	const char *name;
	const char *const *exe_names; /* fnmatch patterns for its executable's name, as found or
					 its real path's */
	/* ... or for a library it needs (DT_NEEDED): only where no question is asked, since a
	 * program that embeds a runtime (vim and gdb link libpython) is not its interpreter */
	const char *const *needed;
	const char *const *query; /* the arguments that make it print its paths */
	int home_up;		  /* home: its real path this many directories up */
	const char *home_check;	  /* ... if it holds this */
	const char *const *paths;
	unsigned mem_mib, cpus; /* defaults for the machine: the image's size counts too */
};

/* Python: sysconfig's stdlib and platstdlib, sys.path under -I -S (lib-dynload), zoneinfo's
 * TZPATH; not the static library and Makefile for embedding (LIBPL, 25 MiB on Debian) nor
 * the regression tests; site.getsitepackages() (dist-packages) as third-party. */
#define PYTHON_QUERY                                                                          \
	"import sys, sysconfig\n"                                                             \
	"std = sysconfig.get_path('stdlib')\n"                                                \
	"for p in [std, sysconfig.get_path('platstdlib')] + sys.path: print(p)\n"             \
	"for p in (sysconfig.get_config_var('TZPATH') or '').split(':'): print(p)\n"          \
	"for p in [sysconfig.get_config_var('LIBPL'), std + '/test']: p and print('-' + p)\n" \
	"import site\n"                                                                       \
	"for p in getattr(site, 'getsitepackages', list)(): print('+' + p)\n"

/* Perl: @INC, the vendor and site directories (Debian's /usr/share/perl5...) as third-party. */
#define PERL_QUERY                                                         \
	"use Config; my %s = map { $_ => 1 } grep { $_ } "                 \
	"@Config{qw(vendorlibexp vendorarchexp sitelibexp sitearchexp)}; " \
	"print $s{$_} ? \"+$_\\n\" : \"$_\\n\" for @INC;"

/* Node: its built-in modules are in the binary; the global module directories it searches. */
#define NODE_QUERY "for (const p of require('module').globalPaths) console.log('+' + p)"

/* Lua: the directories of package.path's and package.cpath's templates (the language's own
 * library is in the interpreter). */
#define LUA_QUERY                                                             \
	"for t in (package.path .. ';' .. package.cpath):gmatch('[^;]+') do " \
	"local d = t:match('^(/.-)/[^/]*%?') or t:match('^/[^?]*$') "         \
	"if d then print('+' .. d) end end"

/* Ruby: its library and architecture directories, and the default gems' (which rubygems
 * reads at start); the rest of $LOAD_PATH and Gem.path as third-party. */
#define RUBY_QUERY                                                                           \
	"require 'rbconfig'; c = RbConfig::CONFIG; core = [c['rubylibdir'], c['archdir']]\n" \
	"$LOAD_PATH.each { |p| puts(core.include?(p) ? p : '+' + p) }\n"                     \
	"if defined?(Gem) then puts Gem.default_dir; Gem.path.each { |p| puts '+' + p } end\n"

static const struct runtime runtimes[] = {
	{
		.name = "python3",
		.exe_names = LIST("python3", "python3.*"),
		.query = LIST("-I", "-S", "-c", PYTHON_QUERY),
	},
	{
		.name = "perl",
		.exe_names = LIST("perl", "perl5*"),
		.query = LIST("-e", PERL_QUERY),
	},
	{
		/* every JDK launcher (java, javac, jar, jshell) is libjli's; JAVA_HOME less the
		 * link-time modules, headers, manuals and sources, and the X11 libraries that
		 * would bring the X client libraries */
		.name = "java",
		.exe_names = LIST("java"),
		.needed = LIST("libjli.so"),
		.home_up = 2,
		.home_check = "lib/modules",
		.paths = LIST(".", "-jmods", "-include", "-man", "-docs", "-demo", "-lib/src.zip",
			      "-lib/libawt_xawt.so", "-lib/libsplashscreen.so",
			      "-lib/libatk-wrapper.so", "-lib/libjawt.so"),
		/* JDK 17's image is 200 MiB; Hello runs in 256 MiB (lib/modules, 123 MiB, is
		 * mapped in place from the image), the rest is the JVM's heap */
		.mem_mib = 512,
	},
	{
		.name = "node",
		.exe_names = LIST("node", "nodejs"),
		.query = LIST("-e", NODE_QUERY),
		.mem_mib = 256,
	},
	{
		.name = "lua",
		.exe_names = LIST("lua", "lua5.*", "luajit*"),
		.query = LIST("-e", LUA_QUERY),
	},
	{
		.name = "ruby",
		.exe_names = LIST("ruby", "ruby[0-9]*"),
		.query = LIST("-e", RUBY_QUERY),
	},
};

/* Every runtime shows local time as the host does: the zone glibc reads (and Java's
 * /etc/timezone on Debian). */
static const char *const common_files[] = { "/etc/localtime", "/etc/timezone" };

/* What a recipe found, before anything is added. */
struct plan {
	struct lines core, site, out;
};

static bool match_any(const char *const *pats, const char *s)
{
	for (; pats && *pats; pats++)
		if (!fnmatch(*pats, s, 0))
			return true;
	return false;
}

/* The recipe for exe (real: its real path), or NULL. */
static const struct runtime *recognise(const char *exe, const char *real)
{
	const char *base = strrchr(exe, '/') + 1, *rbase = strrchr(real, '/') + 1;
	const struct runtime *found = NULL;
	struct elf_info info;
	char why[256];
	bool elf = elf_read(real, &info, why, sizeof(why)) == 0;

	for (size_t i = 0; !found && i < sizeof(runtimes) / sizeof(runtimes[0]); i++) {
		const struct runtime *rt = &runtimes[i];

		if (match_any(rt->exe_names, base) || match_any(rt->exe_names, rbase))
			found = rt;
		for (size_t k = 0; elf && !found && k < info.n_needed; k++)
			if (match_any(rt->needed, info.needed[k]))
				found = rt;
	}
	if (elf)
		elf_free(&info);
	return found;
}

/* <cache>/runtimes/<hash of the runtime's identity and the question>, or "" without a cache. */
static void answer_path(const struct runtime *rt, const char *real, char *const argv[], char *out,
			size_t len)
{
	static const char tag[] = "mote-runtime-answer " MOTE_VERSION;
	char dir[PATH_MAX], err[256];
	XXH3_state_t *h;
	XXH128_hash_t d;
	struct stat st;
	uint64_t id[5];

	out[0] = '\0';
	if (stat(real, &st) < 0 || cache_dir(dir, sizeof(dir), err, sizeof(err)) < 0 ||
	    !(h = XXH3_createState()))
		return;
	id[0] = st.st_dev;
	id[1] = st.st_ino;
	id[2] = (uint64_t)st.st_size;
	id[3] = (uint64_t)(st.st_mtim.tv_sec * 1000000000ll + st.st_mtim.tv_nsec);
	id[4] = (uint64_t)(st.st_ctim.tv_sec * 1000000000ll + st.st_ctim.tv_nsec);
	XXH3_128bits_reset(h);
	XXH3_128bits_update(h, tag, sizeof(tag));
	XXH3_128bits_update(h, rt->name, strlen(rt->name) + 1);
	XXH3_128bits_update(h, real, strlen(real) + 1);
	XXH3_128bits_update(h, id, sizeof(id));
	for (size_t i = 0; argv[i]; i++)
		XXH3_128bits_update(h, argv[i], strlen(argv[i]) + 1);
	d = XXH3_128bits_digest(h);
	XXH3_freeState(h);
	if (snprintf(out, len, "%s/runtimes", dir) >= (int)len ||
	    (mkdir(out, 0755) < 0 && errno != EEXIST)) {
		out[0] = '\0';
		return;
	}
	snprintf(out + strlen(out), len - strlen(out), "/%016llx%016llx",
		 (unsigned long long)d.high64, (unsigned long long)d.low64);
}

/* A file's contents (at most ANSWER_MAX - 1 bytes, NUL-ended) into buf: its length, or -1. */
static long read_answer(const char *path, char *buf)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	long n = 0;
	ssize_t r = 1;

	if (fd < 0)
		return -1;
	while (r > 0 && n < ANSWER_MAX - 1) {
		r = read(fd, buf + n, (size_t)(ANSWER_MAX - 1 - n));
		if (r > 0)
			n += r;
	}
	close(fd);
	if (r < 0)
		return -1;
	buf[n] = '\0';
	return n;
}

/* Kept for the next run (a runtime takes 10-150 ms to answer; mote run's cached start is
 * not much more): written aside and renamed, so a reader never sees half of it. */
static void keep_answer(const char *path, const char *buf, size_t len)
{
	char tmp[PATH_MAX + 32];
	int fd;

	snprintf(tmp, sizeof(tmp), "%s.%d.new", path, (int)getpid());
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return;
	if (write(fd, buf, len) != (ssize_t)len || close(fd) < 0 || rename(tmp, path) < 0)
		unlink(tmp);
}

/* The runtime's answer to its query (cached), into buf: 0, or -1 said in res->warnings. */
static int ask(const struct runtime *rt, const char *exe, const char *real, char *buf,
	       struct runtimes_result *res)
{
	static char *const envp[] = { "PATH=/usr/local/bin:/usr/bin:/bin", "LC_ALL=C", NULL };
	char *argv[MAX_ARGS + 2], cached[PATH_MAX + 64];
	size_t n = 0;
	long len;

	argv[n++] = (char *)exe;
	for (size_t i = 0; rt->query[i] && n <= MAX_ARGS; i++)
		argv[n++] = (char *)rt->query[i];
	argv[n] = NULL;
	answer_path(rt, real, argv, cached, sizeof(cached));
	if (cached[0] && read_answer(cached, buf) >= 0) {
		lines_add(&res->notes, "its answer to `%s %s ...` from the cache", exe, argv[1]);
		return 0;
	}
	len = hosttool_output_env(argv, envp, ANSWER_TIMEOUT_MS, buf, ANSWER_MAX);
	if (len < 0) {
		lines_add(&res->warnings,
			  "runtime %s: `%s %s ...` failed: only the files that come with %s are in "
			  "the image",
			  rt->name, exe, argv[1], exe);
		return -1;
	}
	lines_add(&res->notes, "asked `%s %s ...`", exe, argv[1]);
	if (cached[0])
		keep_answer(cached, buf, (size_t)len);
	return 0;
}

/* One line of an answer or of rt->paths into the plan; a relative one is under home (none:
 * the line names nothing of the runtime's, e.g. Python's "" for the current directory). */
static int take(struct plan *p, const char *line, const char *home)
{
	struct lines *to = &p->core;
	char path[PATH_MAX];

	if (*line == '+' || *line == '-')
		to = *line++ == '+' ? &p->site : &p->out;
	if (*line == '/')
		snprintf(path, sizeof(path), "%s", line);
	else if (home && *line)
		snprintf(path, sizeof(path), "%s/%s", home, line);
	else
		return 0;
	path_normalise(path);
	return lines_has(to, path) ? 0 : lines_add(to, "%s", path);
}

static int take_answer(struct plan *p, char *buf)
{
	int ret = 0;

	for (char *save, *line = strtok_r(buf, "\n", &save); line && ret == 0;
	     line = strtok_r(NULL, "\n", &save)) {
		line[strcspn(line, "\r")] = '\0';
		ret = take(p, line, NULL);
	}
	return ret;
}

/* home: real (the executable's real path) up rt->home_up directories, if it holds
 * rt->home_check; "" otherwise. */
static void find_home(const struct runtime *rt, const char *real, char *home, size_t len)
{
	char check[PATH_MAX * 2];
	struct stat st;

	snprintf(home, len, "%s", real);
	for (int i = 0; i < rt->home_up; i++) {
		char *slash = strrchr(home, '/');

		if (!slash || slash == home) {
			home[0] = '\0';
			return;
		}
		*slash = '\0';
	}
	snprintf(check, sizeof(check), "%s/%s", home, rt->home_check);
	if (stat(check, &st) < 0)
		home[0] = '\0';
}

/* Is path under one of l's lines other than itself? */
static bool under_other(const struct lines *l, const char *path)
{
	for (size_t i = 0; i < l->n; i++)
		if (strcmp(l->v[i], path) && hosttree_under(path, l->v[i]))
			return true;
	return false;
}

/* Drops the lines for which drop() says so, deciding for all before any goes. */
static void drop_if(struct lines *l, bool (*drop)(const struct lines *, const char *))
{
	size_t kept = 0;
	bool gone[l->n + 1];

	for (size_t i = 0; i < l->n; i++)
		gone[i] = drop(l, l->v[i]);
	for (size_t i = 0; i < l->n; i++) {
		if (gone[i])
			free(l->v[i]);
		else
			l->v[kept++] = l->v[i];
	}
	l->n = kept;
}

static bool missing(const struct lines *l, const char *path)
{
	struct stat st;

	(void)l;
	return stat(path, &st) < 0;
}

/* Drops the lines the host lacks, then those another line covers. */
static void prune(struct lines *l)
{
	drop_if(l, missing);
	drop_if(l, under_other);
}

/*
 * Third-party directories: inside a standard tree (a pyenv Python's site-packages under its
 * lib/python3.x) they come with it, or are left out of it when not taken; the others are
 * taken when small or asked for. Returns whether they are, noting why not.
 */
static bool settle_site(struct plan *p, const struct runtimes_opts *o, struct runtimes_result *res)
{
	struct hosttree_size sz, all = { 0 };
	size_t kept = 0;
	bool small = true;

	for (size_t i = 0; i < p->site.n; i++) {
		if (under_other(&p->core, p->site.v[i]) || lines_has(&p->core, p->site.v[i])) {
			if (!o->site && !lines_has(&p->core, p->site.v[i]) &&
			    lines_add(&p->out, "%s", p->site.v[i]) < 0)
				return false;
			free(p->site.v[i]);
			continue;
		}
		p->site.v[kept++] = p->site.v[i];
	}
	p->site.n = kept;
	for (size_t i = 0; !o->site && small && i < p->site.n; i++) {
		small = hosttree_measure(p->site.v[i], &p->out, SITE_MAX_BYTES - all.bytes,
					 SITE_MAX_ENTRIES - all.entries, &sz);
		all.bytes += sz.bytes;
		all.entries += sz.entries;
	}
	if (!small)
		lines_add(
			&res->notes,
			"third-party packages left out: over %llu MiB or %d files (--runtime-site "
			"adds them)",
			SITE_MAX_BYTES >> 20, SITE_MAX_ENTRIES);
	for (size_t i = 0; i < p->site.n; i++)
		lines_add(&res->notes, "%s %s",
			  small ? "third-party:" : "  left out:", p->site.v[i]);
	return small;
}

/* Adds one tree; what the host refuses (a file it cannot read) is a warning. */
static int add_tree(struct fileset *fs, const char *path, const struct lines *out,
		    struct runtimes_result *res, char *err, size_t errlen)
{
	int ret = hosttree_add(fs, path, out);

	if (ret == -ENOMEM)
		return errmsg(err, errlen, ret, "out of memory");
	if (ret < 0)
		lines_add(&res->warnings, "runtime %s: %s", res->name, fs->err);
	return 0;
}

static int add_plan(struct fileset *fs, struct plan *p, bool site, struct runtimes_result *res,
		    char *err, size_t errlen)
{
	size_t first = fs->n;
	long links;
	int ret = 0;

	for (size_t i = 0; ret == 0 && i < p->core.n; i++) {
		lines_add(&res->notes, "from %s", p->core.v[i]);
		ret = add_tree(fs, p->core.v[i], &p->out, res, err, errlen);
	}
	for (size_t i = 0; ret == 0 && site && i < p->site.n; i++)
		ret = add_tree(fs, p->site.v[i], &p->out, res, err, errlen);
	for (size_t i = 0; i < p->out.n; i++)
		lines_add(&res->notes, "left out: %s", p->out.v[i]);
	for (size_t i = 0; ret == 0 && i < sizeof(common_files) / sizeof(common_files[0]); i++)
		if (access(common_files[i], R_OK) == 0)
			ret = add_tree(fs, common_files[i], NULL, res, err, errlen);
	if (ret < 0)
		return ret;
	links = hosttree_follow_links(fs, first, &p->out);
	if (links < 0)
		lines_add(&res->warnings, "runtime %s: %s", res->name, fs->err);
	else if (links > 0)
		lines_add(&res->notes, "%ld paths its symlinks point to outside those", links);
	return 0;
}

int runtimes_add(struct fileset *fs, const char *exe, const struct runtimes_opts *o,
		 struct runtimes_result *res, char *err, size_t errlen)
{
	char real[PATH_MAX], home[PATH_MAX] = "";
	const struct runtime *rt;
	struct plan p = { 0 };
	size_t first = fs->n;
	char *answer = NULL;
	int ret = 0;

	memset(res, 0, sizeof(*res));
	if (!exe[0] || !realpath(exe, real) || !(rt = recognise(exe, real)))
		return 0;
	res->name = rt->name;
	res->mem_mib = rt->mem_mib;
	res->cpus = rt->cpus;
	if (rt->home_up) {
		find_home(rt, real, home, sizeof(home));
		if (!home[0])
			lines_add(&res->warnings,
				  "runtime %s: %s is not in a %s home (no %s %d levels up): only "
				  "its own libraries are in the image",
				  rt->name, real, rt->name, rt->home_check, rt->home_up);
		else
			lines_add(&res->notes, "home %s (%s, %d levels up)", home, real,
				  rt->home_up);
	}
	for (size_t i = 0; home[0] && rt->paths && rt->paths[i] && ret == 0; i++)
		ret = take(&p, rt->paths[i], home);
	if (ret == 0 && rt->query) {
		answer = malloc(ANSWER_MAX);
		if (!answer)
			ret = -ENOMEM;
		else if (ask(rt, exe, real, answer, res) == 0)
			ret = take_answer(&p, answer);
		free(answer);
	}
	if (ret < 0) {
		ret = errmsg(err, errlen, ret, "out of memory");
		goto done;
	}
	prune(&p.core);
	prune(&p.site);
	ret = add_plan(fs, &p, settle_site(&p, o, res), res, err, errlen);
	res->n_entries = fs->n - first;
	for (size_t i = first; i < fs->n; i++)
		res->bytes += fs->v[i].type == FS_FILE ? fs->v[i].size : 0;
done:
	lines_free(&p.core);
	lines_free(&p.site);
	lines_free(&p.out);
	return ret;
}

void runtimes_result_free(struct runtimes_result *res)
{
	lines_free(&res->notes);
	lines_free(&res->warnings);
}

void runtimes_print(const struct runtimes_result *res, FILE *f)
{
	if (!res->name)
		return;
	fprintf(f, "mote: runtime %s: %zu entries, %.1f MiB\n", res->name, res->n_entries,
		res->bytes / 1048576.0);
	lines_print(&res->notes, f, "mote:   ");
}
