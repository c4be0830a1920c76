/* main.c: mote-jailer's command line and the order of its steps (jailer.h), as Firecracker's
 * jailer takes and does them: validate, close descriptors, clear the environment, make the
 * jail and copy the VMM in, set the limits, enter the cgroup, pivot into the jail, join the
 * network namespace, daemonize, a new PID namespace, drop to the user, exec the VMM. */
#include "jailer.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define VERSION "0.2.0"
#define USAGE_ERR 2 /* a bad command line; other failures are 1 */

static void usage(FILE *f)
{
	fprintf(f,
		"usage: mote-jailer --id ID --exec-file FILE --uid UID --gid GID [options]\n"
		"                   [-- VMM-ARGS...]\n"
		"\n"
		"Runs FILE (motevm) jailed: in a copy inside <base>/<FILE's name>/<ID>/root,\n"
		"after pivot_root into it in a new mount namespace (with /dev/kvm,\n"
		"/dev/net/tun and /run only), in cgroup <parent>/<ID>, under UID:GID with no\n"
		"supplementary groups, no descriptors but 0-2 and an empty environment, as\n"
		"Firecracker's jailer does. FILE gets --id ID --start-time-us T\n"
		"--start-time-cpu-us C and VMM-ARGS; its paths are the jail's.\n"
		"\n"
		"  --id ID                 letters, digits and '-', up to 64 (required)\n"
		"  --exec-file FILE        the VMM binary (required)\n"
		"  --uid UID, --gid GID    the user and group it runs as (required)\n"
		"  --chroot-base-dir DIR   where jails go (default " JAIL_DEFAULT_BASE ")\n"
		"  --netns PATH            join this network namespace (e.g. /var/run/netns/N)\n"
		"  --daemonize             a new session, stdin/stdout/stderr /dev/null\n"
		"  --new-pid-ns            run FILE as pid 1 of a new PID namespace\n"
		"  --cgroup FILE=VALUE     write VALUE into the cgroup's FILE (repeatable)\n"
		"  --cgroup-version 1|2    the cgroup hierarchy (default 1)\n"
		"  --parent-cgroup PATH    the cgroup's parent (default FILE's name)\n"
		"  --resource-limit fsize=N|no-file=N  (repeatable; no-file defaults to %d)\n"
		"  --keep-fd N             descriptor N (3 or more, open) stays open into the\n"
		"                          jail, for FILE's \"/dev/fd/N\" paths (repeatable;\n"
		"                          mote's: not a Firecracker jailer flag)\n"
		"  --version               print the version\n",
		JAIL_DEFAULT_NOFILE);
}

static int __attribute__((format(printf, 1, 2))) bad(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fprintf(stderr, "mote-jailer: ");
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\n");
	va_end(ap);
	return -1;
}

static bool valid_id(const char *s)
{
	size_t n = strlen(s);

	if (!n || n > 64)
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || *s == '-'))
			return false;
	return true;
}

static int number(const char *s, unsigned long long max, unsigned long long *out)
{
	char *end;

	errno = 0;
	if (*s < '0' || *s > '9')
		return -1;
	*out = strtoull(s, &end, 10);
	return errno || *end || *out > max ? -1 : 0;
}

static int resource_limit(struct jail_opts *o, const char *arg)
{
	const char *eq = strchr(arg, '=');
	unsigned long long v;
	int res;

	if (!eq || number(eq + 1, RLIM_INFINITY - 1, &v) < 0)
		return bad("--resource-limit %s: not NAME=NUMBER", arg);
	if (!strncmp(arg, "fsize=", 6))
		res = RLIMIT_FSIZE;
	else if (!strncmp(arg, "no-file=", 8))
		res = RLIMIT_NOFILE;
	else
		return bad("--resource-limit %s: fsize or no-file only", arg);
	if (o->n_rlimits == JAIL_MAX_RLIMITS)
		return bad("%s: too many --resource-limit", arg);
	o->rlimit_res[o->n_rlimits] = res;
	o->rlimit_val[o->n_rlimits++] = v;
	return 0;
}

static int keep_fd(struct jail_opts *o, const char *arg)
{
	unsigned long long v;

	if (number(arg, 1 << 20, &v) < 0 || v < 3)
		return bad("--keep-fd %s: a descriptor number, 3 or more", arg);
	if (fcntl((int)v, F_GETFD) < 0)
		return bad("--keep-fd %s: not an open descriptor", arg);
	if (o->n_keep_fds == JAIL_MAX_KEEP_FDS)
		return bad("--keep-fd %s: too many (at most %d)", arg, JAIL_MAX_KEEP_FDS);
	o->keep_fds[o->n_keep_fds++] = (int)v;
	return 0;
}

static int cgroup_arg(struct jail_opts *o, const char *arg)
{
	const char *eq = strchr(arg, '=');

	if (!eq || eq == arg || !eq[1] || !memchr(arg, '.', (size_t)(eq - arg)) ||
	    memchr(arg, '/', (size_t)(eq - arg)) || arg[0] == '.')
		return bad("--cgroup %s: not FILE=VALUE (a cgroup file, e.g. cpu.shares=512)", arg);
	if (o->n_cgroups == JAIL_MAX_CGROUPS)
		return bad("%s: too many --cgroup", arg);
	o->cgroups[o->n_cgroups++] = arg;
	return 0;
}

enum {
	O_ID = 256,
	O_EXEC,
	O_UID,
	O_GID,
	O_BASE,
	O_NETNS,
	O_DAEMON,
	O_PIDNS,
	O_CG,
	O_CGV,
	O_PARENT,
	O_RLIMIT,
	O_KEEP_FD,
	O_VERSION,
	O_HELP
};

static int parse(int argc, char **argv, struct jail_opts *o)
{
	static const struct option opts[] = {
		{ "id", required_argument, NULL, O_ID },
		{ "exec-file", required_argument, NULL, O_EXEC },
		{ "uid", required_argument, NULL, O_UID },
		{ "gid", required_argument, NULL, O_GID },
		{ "chroot-base-dir", required_argument, NULL, O_BASE },
		{ "netns", required_argument, NULL, O_NETNS },
		{ "daemonize", no_argument, NULL, O_DAEMON },
		{ "new-pid-ns", no_argument, NULL, O_PIDNS },
		{ "cgroup", required_argument, NULL, O_CG },
		{ "cgroup-version", required_argument, NULL, O_CGV },
		{ "parent-cgroup", required_argument, NULL, O_PARENT },
		{ "resource-limit", required_argument, NULL, O_RLIMIT },
		{ "keep-fd", required_argument, NULL, O_KEEP_FD },
		{ "version", no_argument, NULL, O_VERSION },
		{ "help", no_argument, NULL, O_HELP },
		{ NULL, 0, NULL, 0 },
	};
	bool have_uid = false, have_gid = false;
	unsigned long long v;
	struct stat st;
	int c;

	o->base = JAIL_DEFAULT_BASE;
	o->cgroup_version = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+", opts, NULL)) != -1) {
		switch (c) {
		case O_ID:
			if (!valid_id(optarg))
				return bad("--id %s: letters, digits and '-' only, 1 to 64",
					   optarg);
			o->id = optarg;
			break;
		case O_EXEC:
			o->exec_file = optarg;
			break;
		case O_UID:
		case O_GID:
			if (number(optarg, 0xfffffffeULL, &v) < 0)
				return bad("%s: not a user or group number", optarg);
			if (c == O_UID)
				o->uid = (uid_t)v, have_uid = true;
			else
				o->gid = (gid_t)v, have_gid = true;
			break;
		case O_BASE:
			if (optarg[0] != '/')
				return bad("--chroot-base-dir %s: not an absolute path", optarg);
			o->base = optarg;
			break;
		case O_NETNS:
			o->netns = optarg;
			break;
		case O_DAEMON:
			o->daemonize = true;
			break;
		case O_PIDNS:
			o->new_pid_ns = true;
			break;
		case O_CG:
			if (cgroup_arg(o, optarg) < 0)
				return -1;
			break;
		case O_CGV:
			if (strcmp(optarg, "1") && strcmp(optarg, "2"))
				return bad("--cgroup-version %s: 1 or 2", optarg);
			o->cgroup_version = optarg[0] - '0';
			break;
		case O_PARENT:
			if (!*optarg || optarg[0] == '/' || strstr(optarg, ".."))
				return bad("--parent-cgroup %s: a relative path without ..",
					   optarg);
			o->parent_cgroup = optarg;
			break;
		case O_RLIMIT:
			if (resource_limit(o, optarg) < 0)
				return -1;
			break;
		case O_KEEP_FD:
			if (keep_fd(o, optarg) < 0)
				return -1;
			break;
		case O_VERSION:
			printf("mote-jailer %s\n", VERSION);
			exit(0);
		case O_HELP:
			usage(stdout);
			exit(0);
		default:
			return bad("bad option %s (or missing value; see --help)",
				   argv[optind - 1]);
		}
	}
	o->vmm_argv = argv + optind;
	o->vmm_argc = argc - optind;
	if (o->vmm_argc && strcmp(argv[optind - 1], "--"))
		return bad("%s: arguments for the VMM go after --", argv[optind]);
	if (!o->id || !o->exec_file || !have_uid || !have_gid)
		return bad("%s", "--id, --exec-file, --uid and --gid are required (see --help)");
	if (stat(o->exec_file, &st) < 0 || !S_ISREG(st.st_mode) || access(o->exec_file, X_OK) < 0)
		return bad("--exec-file %s: not an executable file", o->exec_file);
	o->exec_name = strrchr(o->exec_file, '/') ? strrchr(o->exec_file, '/') + 1 : o->exec_file;
	if (!o->parent_cgroup)
		o->parent_cgroup = o->exec_name;
	if (o->netns && stat(o->netns, &st) < 0)
		return bad("--netns %s: no such namespace", o->netns);
	return 0;
}

static unsigned long long now_us(clockid_t c)
{
	struct timespec t;

	clock_gettime(c, &t);
	return (unsigned long long)t.tv_sec * 1000000 + (unsigned long long)t.tv_nsec / 1000;
}

static int set_limits(const struct jail_opts *o)
{
	struct rlimit nofile = { JAIL_DEFAULT_NOFILE, JAIL_DEFAULT_NOFILE };

	if (setrlimit(RLIMIT_NOFILE, &nofile) < 0)
		return jail_fail("setrlimit: %s", strerror(errno));
	for (int i = 0; i < o->n_rlimits; i++) {
		struct rlimit r = { o->rlimit_val[i], o->rlimit_val[i] };

		if (setrlimit(o->rlimit_res[i], &r) < 0)
			return jail_fail("setrlimit: %s", strerror(errno));
	}
	return 0;
}

static void write_pid_file(const struct jail_opts *o, pid_t pid)
{
	char path[300];
	FILE *f;

	snprintf(path, sizeof(path), "/%s.pid", o->exec_name);
	f = fopen(path, "we");
	if (f) {
		fprintf(f, "%d", (int)pid);
		fclose(f);
	}
}

static int cmp_int(const void *a, const void *b)
{
	return *(const int *)a - *(const int *)b;
}

static void close_from(unsigned first, unsigned last)
{
	if (first <= last && syscall(SYS_close_range, first, last, 0) < 0)
		for (unsigned fd = first; fd <= last && fd < 65536; fd++)
			close((int)fd);
}

/* Closes every descriptor above 2 but the --keep-fd ones (left open across the exec). */
static void close_inherited(struct jail_opts *o)
{
	unsigned next = 3;

	qsort(o->keep_fds, (size_t)o->n_keep_fds, sizeof(int), cmp_int);
	for (int i = 0; i < o->n_keep_fds; i++) {
		unsigned fd = (unsigned)o->keep_fds[i];

		close_from(next, fd - 1);
		fcntl((int)fd, F_SETFD, 0);
		next = fd + 1;
	}
	close_from(next, ~0U);
}

static int die(void)
{
	fprintf(stderr, "mote-jailer: %s\n", jail_err);
	return 1;
}

int main(int argc, char **argv)
{
	static struct jail_opts o;
	unsigned long long t0 = now_us(CLOCK_REALTIME), c0 = now_us(CLOCK_PROCESS_CPUTIME_ID);
	char **args, t[32], c[32];
	int netns_fd = -1, null_fd = -1, n = 0;

	if (argc == 1) {
		usage(stderr);
		return USAGE_ERR;
	}
	if (parse(argc, argv, &o) < 0)
		return USAGE_ERR;
	if (geteuid() != 0) {
		fprintf(stderr, "mote-jailer: must run as root (it makes a chroot, namespaces, "
				"device nodes and cgroups, then drops to --uid)\n");
		return 1;
	}
	/* nothing the caller held open goes into the jail, but what --keep-fd names */
	close_inherited(&o);
	clearenv();
	/* what must be opened from the host's view, before the pivot */
	if (o.netns && (netns_fd = open(o.netns, O_RDONLY | O_CLOEXEC)) < 0)
		return jail_fail("--netns %s: %s", o.netns, strerror(errno)), die();
	if (o.daemonize && (null_fd = open("/dev/null", O_RDWR | O_CLOEXEC)) < 0)
		return jail_fail("/dev/null: %s", strerror(errno)), die();
	if (jail_prepare(&o) < 0)
		return die();
	if (set_limits(&o) < 0 || cgroup_enter(&o) < 0 || jail_enter(&o) < 0) {
		cgroup_undo();
		jail_undo(&o);
		return die();
	}
	if (netns_fd >= 0 && setns(netns_fd, CLONE_NEWNET) < 0)
		return jail_fail("setns %s: %s", o.netns, strerror(errno)), die();
	if (o.daemonize &&
	    (setsid() < 0 || dup2(null_fd, 0) < 0 || dup2(null_fd, 1) < 0 || dup2(null_fd, 2) < 0))
		return jail_fail("daemonize: %s", strerror(errno)), die();
	if (o.new_pid_ns) {
		pid_t child;

		if (unshare(CLONE_NEWPID) < 0)
			return jail_fail("unshare(CLONE_NEWPID): %s", strerror(errno)), die();
		child = fork();
		if (child < 0)
			return jail_fail("fork: %s", strerror(errno)), die();
		if (child > 0) { /* the VMM is pid 1 in there; its host pid goes in the file */
			write_pid_file(&o, child);
			return 0;
		}
	} else {
		write_pid_file(&o, getpid());
	}
	if (jail_drop(&o) < 0)
		return die();
	args = calloc((size_t)o.vmm_argc + 8, sizeof(*args));
	if (!args)
		return jail_fail("out of memory"), die();
	snprintf(t, sizeof(t), "%llu", t0);
	snprintf(c, sizeof(c), "%llu", c0);
	args[n++] = (char *)o.exec_name;
	args[n++] = "--id";
	args[n++] = (char *)o.id;
	args[n++] = "--start-time-us";
	args[n++] = t;
	args[n++] = "--start-time-cpu-us";
	args[n++] = c;
	for (int i = 0; i < o.vmm_argc; i++)
		args[n++] = o.vmm_argv[i];
	execv(o.exec_name, args);
	jail_fail("exec %s: %s", o.exec_name, strerror(errno));
	return die();
}
