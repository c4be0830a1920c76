/* cmd_run.c: `mote run` — build (or find in the cache) a program's image and boot it. */
#include "cmd_run.h"

#include "cache.h"
#include "detach.h"
#include "image.h"
#include "image_ext4.h"
#include "jail.h"
#include "launch.h"
#include "options.h"
#include "quote.h"
#include "recipe.h"
#include "terminal.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* mote run's own failures, told apart from the program's statuses (as docker run does). */
#define RUN_FAILED 125

void cmd_run_help(void)
{
	printf("usage: mote run [options] PROGRAM [ARGS...]\n"
	       "       mote run [options] --image IMG\n"
	       "\n"
	       "Runs PROGRAM (a path, or a name found in $PATH) with ARGS in a microVM: builds its\n"
	       "image (or finds it in the cache, ~/.cache/mote) and boots it in motevm with the\n"
	       "console attached. The program's stdout and stderr appear on mote's, stdin reaches\n"
	       "it (with its end), and its exit status is mote's: through a virtio console, a\n"
	       "whole buffer at a time (a terminal's input keeps the serial port). When stdin\n"
	       "and stdout are a terminal, the console is a real one (`mote run -it /bin/bash`\n"
	       "is an interactive shell): keys are echoed and edited by the guest, Ctrl-C and\n"
	       "Ctrl-Z go to its foreground job (a program with no handler ends, and the VM\n"
	       "with it); otherwise Ctrl-C stops the VM.\n"
	       "\n"
	       "The image holds what `mote build` puts there (`mote help build`): with a language\n"
	       "runtime's files (python3, perl, java, node, lua, ruby) and the host files ARGS name.\n"
	       "\n"
	       "motevm needs /dev/kvm. Where it cannot be opened read-write, mote says so in one\n"
	       "line on stderr and boots the same image under QEMU TCG instead (much slower).\n"
	       "--no-fallback makes a missing /dev/kvm an error.\n"
	       "\n"
	       "options:\n%s"
	       "\n"
	       "environment: MOTE_CACHE_DIR (the cache), MOTE_VMM, MOTE_KERNEL, MOTE_QEMU (the parts'\n"
	       "paths), MOTE_QEMU_ACCEL=tcg (TCG even where KVM is usable), MOTE_QEMU_CPU (QEMU's CPU\n"
	       "model under TCG, default max), MOTE_KVM_DEVICE (the KVM\n"
	       "device checked instead of /dev/kvm: a missing path forces the QEMU TCG fallback),\n"
	       "MOTE_JAIL_DIR (--jail's base, default " JAIL_DEFAULT_DIR
	       "), MOTE_JAILER (mote-jailer)\n",
	       opts_help(OPTS_RUN));
}

/* The kernel command line: --kernel-arg options (and --stats) before the image's own. A new
 * string (freed by the caller), or NULL when out of memory. */
static char *kernel_cmdline(const struct mote_opts *o, const char *image_cmdline, bool root)
{
	size_t cap = strlen(image_cmdline) + 16, len = 0;
	char *buf;
	long r = 0;

	for (size_t i = 0; i < o->n_kernel_args; i++)
		cap += 2 * strlen(o->kernel_args[i]) + 4;
	for (size_t i = 0; i < o->n_volumes; i++)
		cap += 2 * strlen(o->volumes[i]) + 32;
	buf = malloc(cap);
	if (!buf)
		return NULL;
	buf[0] = 0;
	/* -v: the kernel mounts the i-th drive (vda, vdb... in the order launch.c attaches them,
	 * after a root drive) */
	for (size_t i = 0; i < o->n_volumes && r >= 0; i++) {
		const char *guest = strchr(o->volumes[i], ':') + 1;
		char mount[4200];

		snprintf(mount, sizeof(mount), "--mount=/dev/vd%c:%.*s%s", (char)('a' + root + i),
			 (int)opts_volume_dir_len(o->volumes[i]), guest,
			 opts_volume_ro(o->volumes[i]) ? ":ro" : "");
		len = (size_t)(r = quote_append(buf, len, cap, mount));
	}
	for (size_t i = 0; i < o->n_kernel_args && r >= 0; i++)
		len = (size_t)(r = quote_append(buf, len, cap, o->kernel_args[i]));
	if (r >= 0 && o->stats)
		len = (size_t)(r = quote_append(buf, len, cap, "--stats"));
	if (r < 0) {
		free(buf);
		return NULL;
	}
	snprintf(buf + len, cap - len, "%s%s", len && *image_cmdline ? " " : "", image_cmdline);
	return buf;
}

/* Whether the user asked for the VM's own lines as they come: --verbose, --stats, or a kernel
 * option that prints (--strace, --verbose, --selftest). */
static bool vm_lines_asked(const struct mote_opts *o)
{
	static const char *const printing[] = { "--strace", "--verbose", "--selftest" };

	if (o->verbose || o->stats)
		return true;
	for (size_t i = 0; i < o->n_kernel_args; i++)
		for (size_t k = 0; k < sizeof(printing) / sizeof(printing[0]); k++)
			if (!strncmp(o->kernel_args[i], printing[k], strlen(printing[k])))
				return true;
	return false;
}

/* Boot l with the image's command line and the user's kernel options. */
static int launch_with(const struct mote_opts *o, struct launch *l, const char *image_cmdline)
{
	char *cmdline = kernel_cmdline(o, image_cmdline, l->root != NULL);
	int ret;

	if (!cmdline) {
		fprintf(stderr, "mote run: out of memory\n");
		return -1;
	}
	l->cmdline = cmdline;
	ret = o->detach ? detach_launch(l, o->name, o->image ? o->image : o->argv[0])
			: launch_vm(l);
	free(cmdline);
	return ret;
}

/* An ext4 image (mote build --format ext4): the root drive, its manifest read by debugfs. */
static int run_ext4_image(const struct mote_opts *o, struct launch *l)
{
	struct image_manifest m;
	char err[1024];
	int ret = image_ext4_manifest(o->image, &m, err, sizeof(err));

	if (ret < 0) {
		fprintf(stderr, "mote run: %s\n", err);
		return RUN_FAILED;
	}
	l->root = o->image;
	l->cpus = o->cpus ? o->cpus : m.vcpu_count;
	l->mem_mib = o->mem_mib ? o->mem_mib : m.mem_size_mib;
	ret = launch_with(o, l, m.cmdline);
	image_manifest_free(&m);
	return ret < 0 ? RUN_FAILED : ret;
}

static int run_image(const struct mote_opts *o, struct launch *l)
{
	struct image im;
	char err[1024];
	int ret;

	if (image_ext4_is(o->image))
		return run_ext4_image(o, l);
	ret = image_open(o->image, &im, err, sizeof(err));

	if (ret < 0) {
		fprintf(stderr, "mote run: %s\n", err);
		return RUN_FAILED;
	}
	l->image = o->image;
	l->cpus = o->cpus ? o->cpus : im.manifest.vcpu_count;
	l->mem_mib = o->mem_mib ? o->mem_mib : im.manifest.mem_size_mib;
	ret = launch_with(o, l, im.manifest.cmdline);
	image_close(&im);
	return ret < 0 ? RUN_FAILED : ret;
}

static int run_program(const struct mote_opts *o, struct launch *l)
{
	struct recipe r;
	char err[1024], image[PATH_MAX];
	int built, ret = recipe_make(o, &r, err, sizeof(err));

	if (ret < 0) {
		fprintf(stderr, "mote run: %s\n", err);
		return RUN_FAILED;
	}
	if (o->verbose)
		fprintf(stderr,
			"mote: %8.3f ms  resolved %s: %zu entries, %zu libraries, %zu for the "
			"other ELF files (%.3f ms)\n",
			launch_now_ms() - l->t0_ms, r.deps.program, r.fs.n, r.deps.n_libs,
			r.closure.n_libs, r.closure_ms);
	if (o->verbose)
		recipe_print_notes(&r);
	ret = cache_get(&r, o, image, sizeof(image), &built, err, sizeof(err));
	if (ret < 0) {
		fprintf(stderr, "mote run: %s\n", err);
		recipe_free(&r);
		return RUN_FAILED;
	}
	/* what a build found missing, said when the image is built, not at each run of it */
	if (built)
		recipe_print_warnings(&r);
	if (o->verbose)
		fprintf(stderr, "mote: %8.3f ms  image %s: %s\n", launch_now_ms() - l->t0_ms,
			built ? "built" : "cached", image);
	l->image = image;
	l->cpus = r.cpus;
	l->mem_mib = r.mem_mib;
	ret = launch_with(o, l, r.cmdline);
	recipe_free(&r);
	return ret < 0 ? RUN_FAILED : ret;
}

int cmd_run(int argc, char **argv)
{
	struct launch l = { .t0_ms = launch_now_ms() };
	struct mote_opts o;
	int ret;

	if (opts_parse(argc, argv, OPTS_RUN, &o) < 0) {
		fprintf(stderr, "usage: mote run [options] PROGRAM [ARGS...] "
				"(see `mote help run`)\n");
		opts_free(&o);
		return RUN_FAILED;
	}
	l.kernel = o.kernel;
	l.qemu = o.qemu;
	l.no_fallback = o.no_fallback;
	l.verbose = o.verbose;
	l.stats = o.stats;
	l.publish = o.publish;
	l.n_publish = o.n_publish;
	l.volumes = o.volumes;
	l.n_volumes = o.n_volumes;
	l.vm_lines_live = vm_lines_asked(&o);
	l.jail = o.jail;
	l.jail_uid = o.jail_uid;
	l.jail_gid = o.jail_gid;
	if (l.jail && jail_check(&l) < 0) {
		opts_free(&o);
		return RUN_FAILED;
	}
	if (o.n_volumes > MAX_VOLUMES) {
		fprintf(stderr, "mote: at most %d -v volumes\n", MAX_VOLUMES);
		opts_free(&o);
		return RUN_FAILED;
	}
	l.net = !o.net			     ? NET_DEFAULT
		: !strcmp(o.net, "none")     ? NET_NONE
		: !strcmp(o.net, "passt")    ? NET_PASST
		: !strncmp(o.net, "tap:", 4) ? NET_TAP
					     : NET_USER;
	l.tap = l.net == NET_TAP ? o.net + 4 : NULL;
	if ((l.net == NET_NONE || l.net == NET_TAP) && o.n_publish) {
		fprintf(stderr, "mote: -p forwards through the user network: not with --net %s\n",
			o.net);
		opts_free(&o);
		return RUN_FAILED;
	}
	if (o.name && !o.detach) {
		fprintf(stderr, "mote run: --name names a VM run with -d\n");
		opts_free(&o);
		return RUN_FAILED;
	}
	if (o.detach && o.tty) {
		fprintf(stderr,
			"mote run: -d runs in the background, -t at a terminal: not both\n");
		opts_free(&o);
		return RUN_FAILED;
	}
	if (o.tty && !terminal_interactive()) {
		fprintf(stderr,
			"mote: -t: %s is not a terminal (an interactive program needs "
			"mote's stdin and stdout on one)\n",
			isatty(STDIN_FILENO) ? "stdout" : "stdin");
		opts_free(&o);
		return RUN_FAILED;
	}
	if (!o.image && terminal_image_extras(&o) < 0) {
		opts_free(&o);
		return RUN_FAILED;
	}
	ret = o.image ? run_image(&o, &l) : run_program(&o, &l);
	opts_free(&o);
	return ret;
}
