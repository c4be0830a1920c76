/* options.c: parsing the options of `mote run` and `mote build`. */
#include "options.h"

#include <errno.h>
#include <getopt.h>
#include <sys/stat.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_VCPUS 32 /* motevm's limit, Firecracker's too */

enum {
	OPT_LOCALE = 256,
	OPT_NO_FALLBACK,
	OPT_KERNEL_ARG,
	OPT_STATS,
	OPT_PUBLISH,
	OPT_NET,
	OPT_VERBOSE,
	OPT_FORMAT,
	OPT_NAME,
	OPT_TRACE,
	OPT_TRACE_TIMEOUT,
	OPT_NO_RUNTIME,
	OPT_RUNTIME_SITE,
	OPT_NO_AUTO_ADD,
	OPT_JAIL,
	OPT_JAIL_USER
};

static const struct option long_opts[] = {
	{ "mem", required_argument, NULL, 'm' },
	{ "cpus", required_argument, NULL, 'c' },
	{ "env", required_argument, NULL, 'e' },
	{ "cwd", required_argument, NULL, 'C' },
	{ "add", required_argument, NULL, 'a' },
	{ "with", required_argument, NULL, 'w' },
	{ "image", required_argument, NULL, 'i' },
	{ "kernel", required_argument, NULL, 'k' },
	{ "output", required_argument, NULL, 'o' },
	{ "verbose", no_argument, NULL, OPT_VERBOSE },
	{ "volume", required_argument, NULL, 'v' },
	{ "qemu", no_argument, NULL, 'q' },
	{ "locale", no_argument, NULL, OPT_LOCALE },
	{ "no-fallback", no_argument, NULL, OPT_NO_FALLBACK },
	{ "kernel-arg", required_argument, NULL, OPT_KERNEL_ARG },
	{ "stats", no_argument, NULL, OPT_STATS },
	{ "tty", no_argument, NULL, 't' },
	{ "detach", no_argument, NULL, 'd' },
	{ "name", required_argument, NULL, OPT_NAME },
	{ "publish", required_argument, NULL, 'p' },
	{ "net", required_argument, NULL, OPT_NET },
	{ "format", required_argument, NULL, OPT_FORMAT },
	{ "trace", no_argument, NULL, OPT_TRACE },
	{ "trace-timeout", required_argument, NULL, OPT_TRACE_TIMEOUT },
	{ "no-runtime", no_argument, NULL, OPT_NO_RUNTIME },
	{ "runtime-site", no_argument, NULL, OPT_RUNTIME_SITE },
	{ "no-auto-add", no_argument, NULL, OPT_NO_AUTO_ADD },
	{ "jail", no_argument, NULL, OPT_JAIL },
	{ "jail-user", required_argument, NULL, OPT_JAIL_USER },
	{ NULL, 0, NULL, 0 },
};

/* Lines of --help that run and build share. */
#define HELP_CWD                                                                      \
	"  -C, --cwd DIR        the program's working directory (default /, or the\n" \
	"                       current directory when an argument names a path\n"    \
	"                       relative to it)\n"
#define HELP_TRACE                                                                          \
	"      --trace          first run PROGRAM here under ptrace (for real: what it\n"   \
	"                       writes is written) and add the files it opens, runs,\n"     \
	"                       stats or reads as links, and the directories it lists\n"    \
	"                       (empty), at their own paths: programs and ELF objects\n"    \
	"                       with their libraries; not /proc, /sys, /dev, nor files\n"   \
	"                       it created. Its environment is --env's values; it runs\n"   \
	"                       in --cwd if the host has it (else in mote's), stdin from\n" \
	"                       /dev/null, stdout and stderr to it (not with --verbose)\n"  \
	"      --trace-timeout SECONDS  kill the traced run, with all it started, after\n"  \
	"                       SECONDS (default 30) and add what it used until then\n"
#define HELP_RECIPES                                                                     \
	"      --no-runtime     no runtime recipe: not the standard library and other\n" \
	"                       files python3, perl, java, node, lua or ruby load\n"     \
	"      --runtime-site   the runtime's third-party package directories too,\n"    \
	"                       whatever their size (default: when under 16 MiB)\n"      \
	"      --no-auto-add    not the host files and directories the arguments\n"      \
	"                       name, nor the current directory's path\n"

const char *opts_help(enum opts_for which)
{
	if (which == OPTS_BUILD)
		return "  -o, --output IMG     write the image to IMG (required; may also come last)\n"
		       "      --format cpio|ext4  cpio (the default): booted as an initrd, its\n"
		       "                       files in memory; ext4: a root file system image\n"
		       "                       (mkfs.ext4) booted as the root drive (root=/dev/vda)\n"
		       "  -m, --mem MIB        default guest memory for the image (default 128, or\n"
		       "                       a runtime recipe's: enough for its image and heap)\n"
		       "  -c, --cpus N         default vCPU count for the image, 1-32 (default 1)\n"
		       "  -e, --env K=V        set an environment variable (repeatable)\n" HELP_CWD
		       "  -a, --add HOST[:GUEST]  add a file or directory (repeatable; GUEST\n"
		       "                       defaults to HOST's absolute path), with the\n"
		       "                       libraries of the ELF files in it\n"
		       "  -w, --with PROGRAM   add another program (a path, or a name in $PATH) at\n"
		       "                       its path, with its libraries, for PROGRAM to run\n"
		       "                       (repeatable)\n"
		       "      --locale         add the locale and gconv files glibc may load\n" HELP_RECIPES
			       HELP_TRACE
		       "  -v, --verbose        show each file resolved, and the time it took, and\n"
		       "                       what the runtime recipe and the arguments added\n"
		       "                       (with --trace: each traced file, and the traced\n"
		       "                       run's output)\n";
	return "  -m, --mem MIB        guest memory in MiB (default: the image's, 128, or a\n"
	       "                       runtime recipe's: enough for its image and heap)\n"
	       "  -c, --cpus N         vCPUs, 1-32 (default: the image's, 1)\n"
	       "  -e, --env K=V        set an environment variable (repeatable)\n" HELP_CWD
	       "  -a, --add HOST[:GUEST]  add a file or directory (repeatable), with the\n"
	       "                       libraries of the ELF files in it\n"
	       "  -w, --with PROGRAM   add another program (a path, or a name in $PATH) at\n"
	       "                       its path, with its libraries, for PROGRAM to run\n"
	       "                       (repeatable)\n"
	       "      --locale         add the locale and gconv files glibc may load\n" HELP_RECIPES
		       HELP_TRACE
	       "  -i, --image IMG      run a prebuilt image (from `mote build`) instead\n"
	       "  -k, --kernel ELF     boot this kernel instead of the one beside mote\n"
	       "      --qemu           boot under qemu-system-x86_64 -M microvm instead of motevm\n"
	       "                       (KVM if /dev/kvm is usable, else TCG)\n"
	       "      --no-fallback    without a usable /dev/kvm, fail (status 125) instead of\n"
	       "                       booting under QEMU TCG\n"
	       "      --kernel-arg ARG pass an option to the Mote kernel (repeatable), e.g.\n"
	       "                       --kernel-arg=--strace (docs/kernel.md lists them)\n"
	       "  -p, --publish [HOSTIP:]HOSTPORT:GUESTPORT[/udp]  forward a TCP (or UDP) port of\n"
	       "                       the host (all its addresses unless HOSTIP) to the program\n"
	       "                       (repeatable; through the user network)\n"
	       "      --net user|passt|none|tap:NAME  the network: user, the default, is a\n"
	       "                       user-mode network (QEMU's own, or passt beside motevm):\n"
	       "                       the program is 10.0.2.15, connections out work, 10.0.2.2\n"
	       "                       is the host's loopback, -p forwards into it (motevm\n"
	       "                       without passt installed: none is the default); passt,\n"
	       "                       the same through passt under QEMU too; none, no\n"
	       "                       network device; tap:NAME, the host's TAP device NAME\n"
	       "                       (the address by DHCP, or --kernel-arg=--ip=eth0,ADDR,MASK)\n"
	       "  -d, --detach         run in the background: print the VM's id and return; the\n"
	       "                       VM's output goes to its log (mote logs), mote ps lists\n"
	       "                       it, mote stop stops it (Ctrl-Alt-Del: SIGTERM to the\n"
	       "                       program, then a kill), mote rm removes what is left\n"
	       "      --name NAME      with -d: a name for mote ps, logs, stop and rm\n"
	       "      --jail           (as root) motevm runs in mote-jailer's jail: a chroot\n"
	       "                       of its own under $MOTE_JAIL_DIR (default /srv/jailer),\n"
	       "                       its own mount and PID namespaces, an unprivileged uid,\n"
	       "                       no capabilities, its seccomp filters; it gets the\n"
	       "                       kernel, image, volumes and network as open files, and\n"
	       "                       no other host path (not with --qemu; docs/mote.md)\n"
	       "      --jail-user UID:GID  the jail's user and group (default 65534:65534,\n"
	       "                       nobody); implies --jail\n"
	       "  -t, --tty, -it       the program is interactive: fail unless mote's stdin and\n"
	       "                       stdout are a terminal (the console is a real terminal\n"
	       "                       whenever they are: echo, line editing, ^C and ^Z to\n"
	       "                       the foreground job, the terminal's settings and window)\n"
	       "      --stats          at exit, print the kernel's counts (system calls, page\n"
	       "                       faults, interrupts...) and motevm's VM exits on stderr\n"
	       "  -v, --volume HOSTFILE:GUESTDIR[:ro]  an ext4 image (a file, e.g. from `mote\n"
	       "                       volume create`, or a block device) at GUESTDIR, read-write\n"
	       "                       (the kernel leaves it clean at exit), or read-only with\n"
	       "                       :ro (repeatable, up to 8)\n"
	       "      --verbose        print a boot timeline on stderr, and what the\n"
	       "                       runtime recipe and the arguments added (with\n"
	       "                       --trace: each traced file, and the traced run's output)\n";
}

static int parse_uint(const char *opt, const char *s, unsigned lo, unsigned hi, unsigned *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || end == s || *end || s[0] == '-' || v < lo || v > hi) {
		fprintf(stderr, "mote: %s: '%s' is not a number from %u to %u\n", opt, s, lo, hi);
		return -1;
	}
	*out = v;
	return 0;
}

static int dots(const char *s)
{
	int n = 0;

	while (*s)
		n += *s++ == '.';
	return n;
}

/* [HOSTIP:]HOSTPORT:GUESTPORT[/tcp|/udp], Docker's spelling. 0, or -1 said. */
static int check_publish(const char *arg)
{
	char host[64] = "", proto[8] = "tcp";
	unsigned hp, gp;
	int n = 0;

	if ((sscanf(arg, "%63[0-9.]:%u:%u%n", host, &hp, &gp, &n) == 3 && dots(host) == 3) ||
	    (n = 0, sscanf(arg, "%u:%u%n", &hp, &gp, &n) == 2)) {
		if (arg[n] == '/' && sscanf(arg + n + 1, "%7s", proto) != 1)
			n = -1;
		if (n > 0 && (arg[n] == 0 || arg[n] == '/') && hp && hp < 65536 && gp &&
		    gp < 65536 && (!strcmp(proto, "tcp") || !strcmp(proto, "udp")))
			return 0;
	}
	fprintf(stderr,
		"mote: -p %s: not [HOSTIP:]HOSTPORT:GUESTPORT[/tcp|/udp] with ports 1-65535\n",
		arg);
	return -1;
}

bool opts_volume_ro(const char *v)
{
	const char *c2 = strchr(strchr(v, ':') + 1, ':');

	return c2 && !strcmp(c2, ":ro");
}

size_t opts_volume_dir_len(const char *v)
{
	const char *dir = strchr(v, ':') + 1, *c2 = strchr(dir, ':');

	return c2 ? (size_t)(c2 - dir) : strlen(dir);
}

/* -v HOSTFILE:GUESTDIR[:ro|:rw]: an ext4 image (file or block device) there, a guest
 * directory. */
static int check_volume(const char *arg)
{
	const char *c1 = strchr(arg, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
	struct stat st;
	char host[4096];

	if (!c1 || c1 == arg || c1[1] != '/' || (c2 && strcmp(c2, ":ro") && strcmp(c2, ":rw")) ||
	    (size_t)(c1 - arg) >= sizeof(host)) {
		fprintf(stderr, "mote: -v %s: not HOSTFILE:GUESTDIR[:ro] (an absolute GUESTDIR)\n",
			arg);
		return -1;
	}
	memcpy(host, arg, (size_t)(c1 - arg));
	host[c1 - arg] = 0;
	if (stat(host, &st) < 0) {
		fprintf(stderr, "mote: -v %s: %s: %s\n", arg, host, strerror(errno));
		return -1;
	}
	if (!opts_volume_ro(arg) && access(host, W_OK) < 0) {
		fprintf(stderr, "mote: -v %s: %s: %s (HOSTFILE:GUESTDIR:ro mounts it read-only)\n",
			arg, host, strerror(errno));
		return -1;
	}
	if (!S_ISREG(st.st_mode) && !S_ISBLK(st.st_mode)) {
		fprintf(stderr, "mote: -v %s: %s is not a file or block device\n", arg, host);
		return -1;
	}
	return 0;
}

static int push(const char ***v, size_t *n, const char *s)
{
	const char **nv = realloc(*v, (*n + 1) * sizeof(*nv));

	if (!nv) {
		fprintf(stderr, "mote: out of memory\n");
		return -1;
	}
	nv[(*n)++] = s;
	*v = nv;
	return 0;
}

int opts_add_env(struct mote_opts *o, const char *kv)
{
	return push(&o->env, &o->n_env, kv);
}

int opts_add_file(struct mote_opts *o, const char *spec)
{
	return push(&o->add, &o->n_add, spec);
}

static int check_env(const char *kv)
{
	const char *eq = strchr(kv, '=');

	if (!eq || eq == kv) {
		fprintf(stderr, "mote: --env: '%s' is not NAME=VALUE\n", kv);
		return -1;
	}
	return 0;
}

/* --jail-user UID:GID, numbers (the jailer's --uid and --gid); not root's. */
static int parse_jail_user(const char *arg, struct mote_opts *o)
{
	unsigned long uid, gid = 0;
	char *end;

	errno = 0;
	uid = strtoul(arg, &end, 10);
	if (!errno && end != arg && *end == ':' && end[1] >= '0' && end[1] <= '9')
		gid = strtoul(end + 1, &end, 10);
	else
		end = (char *)arg;
	if (errno || *end || arg[0] < '0' || arg[0] > '9' || uid > 0xfffffffeUL ||
	    gid > 0xfffffffeUL) {
		fprintf(stderr, "mote: --jail-user %s: not UID:GID (numbers)\n", arg);
		return -1;
	}
	if (uid == 0 || gid == 0) {
		fprintf(stderr,
			"mote: --jail-user %s: the jail is for an unprivileged user, "
			"not root\n",
			arg);
		return -1;
	}
	o->jail_uid = (unsigned)uid;
	o->jail_gid = (unsigned)gid;
	return 0;
}

static int one_option(int c, const char *arg, enum opts_for which, struct mote_opts *o)
{
	switch (c) {
	case 'm':
		return parse_uint("--mem", arg, 2, 1024 * 1024, &o->mem_mib);
	case 'c':
		return parse_uint("--cpus", arg, 1, MAX_VCPUS, &o->cpus);
	case 'e':
		return check_env(arg) < 0 ? -1 : push(&o->env, &o->n_env, arg);
	case 'C':
		if (arg[0] != '/') {
			fprintf(stderr, "mote: --cwd: '%s' is not an absolute guest path\n", arg);
			return -1;
		}
		o->cwd = arg;
		return 0;
	case 'a':
		return push(&o->add, &o->n_add, arg);
	case 'w':
		return push(&o->with, &o->n_with, arg);
	case OPT_VERBOSE:
		if (which == OPTS_BUILD)
			o->show_files = true;
		else
			o->verbose = true;
		return 0;
	case 'v': /* build: -v is --verbose; run: -v is --volume (Docker's) */
		if (which == OPTS_BUILD) {
			o->show_files = true;
			return 0;
		}
		return check_volume(arg) < 0 ? -1 : push(&o->volumes, &o->n_volumes, arg);
	case OPT_LOCALE:
		o->locale = true;
		return 0;
	case OPT_TRACE:
		o->trace = true;
		return 0;
	case OPT_TRACE_TIMEOUT:
		return parse_uint("--trace-timeout", arg, 1, 24 * 3600, &o->trace_timeout);
	case OPT_NO_RUNTIME:
		o->no_runtime = true;
		return 0;
	case OPT_RUNTIME_SITE:
		o->runtime_site = true;
		return 0;
	case OPT_NO_AUTO_ADD:
		o->no_auto_add = true;
		return 0;
	}
	if (which == OPTS_RUN && c == OPT_KERNEL_ARG) {
		if (strncmp(arg, "--", 2)) {
			fprintf(stderr,
				"mote: --kernel-arg: '%s' is not a kernel option (--NAME)\n", arg);
			return -1;
		}
		return push(&o->kernel_args, &o->n_kernel_args, arg);
	}
	if (which == OPTS_RUN && c == 'p')
		return check_publish(arg) < 0 ? -1 : push(&o->publish, &o->n_publish, arg);
	if (which == OPTS_RUN && c == OPT_NET) {
		if (strcmp(arg, "user") && strcmp(arg, "passt") && strcmp(arg, "none") &&
		    (strncmp(arg, "tap:", 4) || !arg[4] || strlen(arg + 4) >= 16 ||
		     strpbrk(arg + 4, ",/ "))) {
			fprintf(stderr, "mote: --net %s: not user, passt, none or tap:NAME\n", arg);
			return -1;
		}
		o->net = arg;
		return 0;
	}
	if (which == OPTS_RUN && c == OPT_STATS) {
		o->stats = true;
		return 0;
	}
	if (which == OPTS_RUN && c == 't') {
		o->tty = true;
		return 0;
	}
	if (which == OPTS_RUN && c == 'd') {
		o->detach = true;
		return 0;
	}
	if (which == OPTS_RUN && (c == OPT_JAIL || c == OPT_JAIL_USER)) {
		o->jail = true;
		return c == OPT_JAIL ? 0 : parse_jail_user(arg, o);
	}
	if (which == OPTS_RUN && c == OPT_NAME) {
		o->name = arg;
		return 0;
	}
	if (which == OPTS_RUN && (c == 'i' || c == 'k' || c == 'q' || c == OPT_NO_FALLBACK)) {
		if (c == 'i')
			o->image = arg;
		else if (c == 'k')
			o->kernel = arg;
		else if (c == 'q')
			o->qemu = true;
		else
			o->no_fallback = true;
		return 0;
	}
	if (which == OPTS_BUILD && c == 'o') {
		o->output = arg;
		return 0;
	}
	if (which == OPTS_BUILD && c == OPT_FORMAT) {
		if (strcmp(arg, "cpio") && strcmp(arg, "ext4")) {
			fprintf(stderr, "mote build: --format: '%s' is not cpio or ext4\n", arg);
			return -1;
		}
		o->ext4 = !strcmp(arg, "ext4");
		return 0;
	}
	return -2; /* not an option of this command */
}

int opts_parse(int argc, char **argv, enum opts_for which, struct mote_opts *o)
{
	const char *name = which == OPTS_RUN ? "run" : "build";
	int c;

	memset(o, 0, sizeof(*o));
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv,
				which == OPTS_RUN ? "+m:c:e:C:a:w:i:k:o:v:qp:td"
						  : "+m:c:e:C:a:w:i:k:o:vqp:",
				long_opts, NULL)) != -1) {
		int ret;

		if (c == '?' || c == ':') {
			if (optopt && optopt < 256)
				fprintf(stderr, "mote %s: bad option -%c (or missing value)\n",
					name, optopt);
			else
				fprintf(stderr, "mote %s: bad option %s (or missing value)\n", name,
					argv[optind - 1]);
			return -1;
		}
		/* Docker's -it: here -i is --image, and the console is a terminal's stdin
		 * whenever mote's ends are terminals, so -it is -t */
		if (c == 'i' && which == OPTS_RUN && !strcmp(argv[optind - 1], "-it"))
			c = 't';
		ret = one_option(c, optarg, which, o);
		if (ret == -2) {
			fprintf(stderr, "mote %s: option %s is not one of `mote %s`'s\n", name,
				argv[optind - 1], name);
			return -1;
		}
		if (ret < 0)
			return -1;
	}
	o->argv = argv + optind;
	o->argc = argc - optind;
	if (which == OPTS_BUILD && !o->output && o->argc >= 3 &&
	    (!strcmp(o->argv[o->argc - 2], "-o") || !strcmp(o->argv[o->argc - 2], "--output"))) {
		o->output = o->argv[o->argc - 1];
		o->argc -= 2;
	}
	if (which == OPTS_BUILD && !o->output) {
		fprintf(stderr, "mote build: missing -o IMG\n");
		return -1;
	}
	if (o->image && o->argc) {
		fprintf(stderr, "mote run: --image runs the image's own command line; "
				"give no PROGRAM with it\n");
		return -1;
	}
	if (o->image && (o->n_env || o->cwd || o->n_add || o->n_with || o->locale || o->trace)) {
		fprintf(stderr,
			"mote run: --env, --cwd, --add, --with, --locale and --trace change an image; "
			"use them with `mote build`, not with --image\n");
		return -1;
	}
	if (o->trace_timeout && !o->trace) {
		fprintf(stderr,
			"mote %s: --trace-timeout is --trace's time limit: give --trace too\n",
			name);
		return -1;
	}
	if (!o->image && o->argc == 0) {
		fprintf(stderr, "mote %s: missing PROGRAM\n", name);
		return -1;
	}
	return 0;
}

void opts_free(struct mote_opts *o)
{
	free(o->env);
	free(o->add);
	free(o->with);
	free(o->kernel_args);
	free(o->publish);
	free(o->volumes);
	memset(o, 0, sizeof(*o));
}
