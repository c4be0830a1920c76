/* options.h: the options `mote run` and `mote build` share, and their parser. */
#ifndef MOTE_TOOLS_OPTIONS_H
#define MOTE_TOOLS_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>

struct mote_opts {
	unsigned mem_mib; /* 0: the image's default */
	unsigned cpus;	  /* 0: the image's default */
	const char **env; /* "K=V" */
	size_t n_env;
	const char *cwd;
	const char **add; /* "HOST[:GUEST]" */
	size_t n_add;
	const char **with; /* --with PROGRAM: more programs, each with its libraries */
	size_t n_with;
	const char *image; /* run: a prebuilt image */
	const char *kernel;
	const char *output; /* build: -o */
	bool ext4;	    /* build: --format ext4 */
	bool verbose;	    /* run: a boot timeline on stderr */
	bool show_files;    /* build -v: each file resolved */
	bool qemu;
	bool no_fallback;  /* run: no usable /dev/kvm is an error, not QEMU TCG */
	bool stats;	   /* run: the kernel's and KVM's counts at exit */
	bool tty;	   /* run: -t, -it: mote's stdin and stdout must be terminals */
	bool detach;	   /* run: -d, in the background (detach.h) */
	const char *name;  /* run: --name, with -d */
	bool jail;	   /* run: --jail, motevm in mote-jailer's jail (jail.h) */
	unsigned jail_uid; /* run: --jail-user UID:GID; 0: the default */
	unsigned jail_gid;
	const char **kernel_args; /* run: --kernel-arg, before the image's own options */
	size_t n_kernel_args;
	const char **volumes; /* run: -v HOSTFILE:GUESTDIR[:ro|:rw], checked */
	size_t n_volumes;
	const char **publish; /* run: -p [HOSTIP:]HOSTPORT:GUESTPORT, checked */
	size_t n_publish;
	const char *net;   /* run: --net "user" or "none" (checked); NULL: not given */
	bool locale;	   /* add locale and gconv files */
	bool no_runtime;   /* --no-runtime: no runtime recipe (runtimes.c) */
	bool runtime_site; /* --runtime-site: the runtime's third-party packages, any size */
	bool no_auto_add;  /* --no-auto-add: not the files the arguments name, nor the cwd */
	char **argv;	   /* PROGRAM [ARGS...] */
	int argc;

	bool trace;		/* --trace: add the files a traced run on the host uses */
	unsigned trace_timeout; /* --trace-timeout SECONDS; 0: the default, 30 */
};

enum opts_for { OPTS_RUN, OPTS_BUILD };

/*
 * Parses argv (argv[0] is the command name) into o. Options come before PROGRAM; for build,
 * "-o IMG" may also be the last two words. Prints a message naming the problem and returns -1
 * on bad usage.
 */
int opts_parse(int argc, char **argv, enum opts_for which, struct mote_opts *o);
void opts_free(struct mote_opts *o);

/* The option lines of --help for run or build. */
const char *opts_help(enum opts_for which);
/* Append an --env NAME=VALUE, an --add HOST[:GUEST] (kept as given: s must outlive o).
 * 0, or -1 when out of memory (said). */
int opts_add_env(struct mote_opts *o, const char *kv);
int opts_add_file(struct mote_opts *o, const char *spec);
/* A checked -v value: is it read-only (":ro")? And its GUESTDIR's length. */
bool opts_volume_ro(const char *v);
size_t opts_volume_dir_len(const char *v);

#endif /* MOTE_TOOLS_OPTIONS_H */
