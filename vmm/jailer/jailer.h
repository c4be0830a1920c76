/* jailer.h: mote-jailer, motevm's jailer with Firecracker's flags and behaviour: each microVM
 * in a chroot of its own (<base>/<exec name>/<id>/root) holding a copy of the VMM binary and
 * just the device nodes it needs, in a new mount namespace (and optionally PID namespace and
 * a given network namespace), in a cgroup of its own, with resource limits, under an
 * unprivileged uid and gid, with no inherited descriptors or environment. */
#ifndef MOTE_VMM_JAILER_H
#define MOTE_VMM_JAILER_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#define JAIL_MAX_CGROUPS 32
#define JAIL_MAX_RLIMITS 8
#define JAIL_MAX_KEEP_FDS 16
#define JAIL_DEFAULT_BASE "/srv/jailer"
#define JAIL_DEFAULT_NOFILE 2048

struct jail_opts {
	const char *id;			       /* --id: letters, digits and '-', up to 64 */
	const char *exec_file;		       /* --exec-file: the VMM binary */
	const char *exec_name;		       /* its file name */
	uid_t uid;			       /* --uid */
	gid_t gid;			       /* --gid */
	const char *base;		       /* --chroot-base-dir */
	const char *netns;		       /* --netns: a network namespace's path to join */
	bool daemonize;			       /* --daemonize */
	bool new_pid_ns;		       /* --new-pid-ns */
	int cgroup_version;		       /* --cgroup-version 1|2 */
	const char *parent_cgroup;	       /* --parent-cgroup (default: exec_name) */
	const char *cgroups[JAIL_MAX_CGROUPS]; /* --cgroup FILE=VALUE */
	int n_cgroups;
	int rlimit_res[JAIL_MAX_RLIMITS]; /* --resource-limit fsize=N, no-file=N */
	unsigned long long rlimit_val[JAIL_MAX_RLIMITS];
	int n_rlimits;
	int keep_fds[JAIL_MAX_KEEP_FDS]; /* --keep-fd N: open into the jail */
	int n_keep_fds;
	char **vmm_argv; /* after --: for the VMM */
	int vmm_argc;
	char jail_dir[4096]; /* <base>/<exec name>/<id> */
	char root[4200];     /* ... /root */
};

/* What a failed step says, once; the caller prints "mote-jailer: " and it. jail_fail sets
 * it (printf-style) and returns -1. */
extern char jail_err[1024];
int jail_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* The cgroup (cgroup.c): made under each hierarchy the --cgroup files need (v1) or the
 * unified one (v2), the files written, the calling process moved in. 0, or -1 with jail_err;
 * cgroup_undo removes what cgroup_enter made (on a later failure). */
int cgroup_enter(const struct jail_opts *o);
void cgroup_undo(void);

/* The jail (jail.c): the chroot made and the binary copied in (jail_prepare; jail_undo on a
 * failure before the pivot), then the pivot into it with its device nodes (jail_enter), then
 * the privileges dropped (jail_drop). 0, or -1 with jail_err. */
int jail_prepare(struct jail_opts *o);
void jail_undo(const struct jail_opts *o);
int jail_enter(const struct jail_opts *o);
int jail_drop(const struct jail_opts *o);

#endif /* MOTE_VMM_JAILER_H */
