/* jail.h: `mote run --jail`: motevm started through mote-jailer (docs/motevm.md), in a chroot
 * of its own under $MOTE_JAIL_DIR (default /srv/jailer), in new mount and PID namespaces, as
 * an unprivileged user. The jail holds no host file: mote opens the kernel, the image and the
 * volumes itself, with its own rights, and passes them as descriptors ("/dev/fd/N", which
 * motevm resolves without /proc), as it does the configuration and passt's socket. */
#ifndef MOTE_TOOLS_JAIL_H
#define MOTE_TOOLS_JAIL_H

#include "launch.h"

#include <limits.h>
#include <stdbool.h>
#include <sys/types.h>

#define JAIL_DEFAULT_DIR "/srv/jailer"
#define JAIL_DEFAULT_ID 65534	       /* nobody, nogroup */
#define JAIL_MAX_FDS (MAX_VOLUMES + 4) /* kernel, image or root, volumes, config, network */

struct jail {
	char id[48];		  /* the jailer's --id: mote-<pid>-<time> */
	char base[PATH_MAX];	  /* --chroot-base-dir */
	char vmm[PATH_MAX];	  /* motevm's binary, the jailer's --exec-file */
	char vmm_name[256];	  /* its file name */
	char dir[PATH_MAX + 320]; /* <base>/<vmm_name>/<id> */
	char kernel[24];	  /* "/dev/fd/N" of the kernel */
	struct launch l;	  /* the caller's, its files as "/dev/fd/N" */
	int fds[JAIL_MAX_FDS];	  /* what the jail is given (--keep-fd), n_fds */
	int n_fds;
	char image[24], root[24];
	char volumes[MAX_VOLUMES][4200]; /* -v's with "/dev/fd/N" for HOSTFILE */
	const char *volume_ptrs[MAX_VOLUMES];
	char uid[16], gid[16];
	char keep_args[JAIL_MAX_FDS][16];
};

/* Whether --jail can work here: root, not --qemu. 0, or -1 after saying why. */
int jail_check(const struct launch *l);

/* The jail of motevm VMM. Opens l's kernel (KERNEL), image or root drive and volumes into j, with j->l the launch
 * naming them as "/dev/fd/N". 0, or -1 after saying why (nothing left open). */
int jail_open(struct jail *j, const struct launch *l, const char *vmm, const char *kernel);

/* Another descriptor for the jail (the configuration's pipe, passt's socket). */
void jail_keep(struct jail *j, int fd);

/* The mote-jailer command line up to its "--" (motevm's arguments follow), in argv from
 * index 0; returns how many words, or -1 after saying why (the jailer not found). */
int jail_argv(struct jail *j, char **argv, size_t max);

/* The host path of PATH inside the jail's root (e.g. motevm's API socket). */
void jail_host_path(const struct jail *j, const char *path, char *out, size_t len);

/* motevm's pid as the jailer wrote it (the PID namespace's pid 1, seen from here), or -1. */
pid_t jail_vmm_pid(const struct jail *j);

/* Closes the descriptors and removes the jail's directory, with what motevm left there. */
void jail_remove(struct jail *j);

#endif /* MOTE_TOOLS_JAIL_H */
