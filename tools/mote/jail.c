/* jail.c: `mote run --jail` (jail.h). */
#include "jail.h"
#include "options.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

int jail_check(const struct launch *l)
{
	if (l->qemu) {
		fprintf(stderr, "mote: --jail jails motevm; QEMU (--qemu) is not jailed\n");
		return -1;
	}
	if (geteuid() != 0) {
		fprintf(stderr, "mote: --jail needs root (mote-jailer makes a chroot, namespaces "
				"and device nodes, then drops to --jail-user)\n");
		return -1;
	}
	return 0;
}

/* Opens PATH (FLAGS) for the jail; its "/dev/fd/N" in NAME. 0, or -1 said. */
static int give(struct jail *j, const char *what, const char *path, int flags, char *name,
		size_t len)
{
	int fd = open(path, flags); /* no O_CLOEXEC: the jailer and motevm inherit it */

	if (fd < 0) {
		fprintf(stderr, "mote: --jail: %s %s: %s\n", what, path, strerror(errno));
		return -1;
	}
	jail_keep(j, fd);
	snprintf(name, len, "/dev/fd/%d", fd);
	return 0;
}

void jail_keep(struct jail *j, int fd)
{
	if (j->n_fds < JAIL_MAX_FDS)
		j->fds[j->n_fds++] = fd;
}

int jail_open(struct jail *j, const struct launch *l, const char *vmm, const char *kernel)
{
	const char *base = getenv("MOTE_JAIL_DIR"), *name = strrchr(vmm, '/');

	memset(j, 0, sizeof(*j));
	j->l = *l;
	snprintf(j->id, sizeof(j->id), "mote-%d-%lx", (int)getpid(), (unsigned long)time(NULL));
	snprintf(j->base, sizeof(j->base), "%s", base && *base ? base : JAIL_DEFAULT_DIR);
	if (j->base[0] != '/') {
		fprintf(stderr, "mote: MOTE_JAIL_DIR %s: not an absolute path\n", j->base);
		return -1;
	}
	snprintf(j->vmm, sizeof(j->vmm), "%s", vmm);
	snprintf(j->vmm_name, sizeof(j->vmm_name), "%s", name ? name + 1 : vmm);
	snprintf(j->dir, sizeof(j->dir), "%s/%s/%s", j->base, j->vmm_name, j->id);
	snprintf(j->uid, sizeof(j->uid), "%u", l->jail_uid ? l->jail_uid : JAIL_DEFAULT_ID);
	snprintf(j->gid, sizeof(j->gid), "%u", l->jail_gid ? l->jail_gid : JAIL_DEFAULT_ID);
	if (give(j, "kernel", kernel, O_RDONLY, j->kernel, sizeof(j->kernel)) < 0)
		goto fail;
	if (l->image && give(j, "image", l->image, O_RDONLY, j->image, sizeof(j->image)) < 0)
		goto fail;
	if (l->root && give(j, "image", l->root, O_RDWR, j->root, sizeof(j->root)) < 0)
		goto fail;
	j->l.image = l->image ? j->image : NULL;
	j->l.root = l->root ? j->root : NULL;
	for (size_t i = 0; i < l->n_volumes; i++) {
		const char *v = l->volumes[i], *colon = strchr(v, ':');
		char file[4096], fdname[24];

		snprintf(file, sizeof(file), "%.*s", (int)(colon - v), v);
		if (give(j, "volume", file, opts_volume_ro(v) ? O_RDONLY : O_RDWR, fdname,
			 sizeof(fdname)) < 0)
			goto fail;
		snprintf(j->volumes[i], sizeof(j->volumes[i]), "%s%s", fdname, colon);
		j->volume_ptrs[i] = j->volumes[i];
	}
	j->l.volumes = j->volume_ptrs;
	return 0;
fail:
	for (int i = 0; i < j->n_fds; i++)
		close(j->fds[i]);
	j->n_fds = 0;
	return -1;
}

int jail_argv(struct jail *j, char **argv, size_t max)
{
	static char jailer[PATH_MAX];
	size_t n = 0;

	if (launch_locate("MOTE_JAILER", "mote-jailer", "mote-jailer", jailer, sizeof(jailer)) < 0)
		return -1;
	if (max < 14 + 2 * (size_t)j->n_fds)
		return -1;
	argv[n++] = jailer;
	argv[n++] = "--id";
	argv[n++] = j->id;
	argv[n++] = "--exec-file";
	argv[n++] = j->vmm;
	argv[n++] = "--uid";
	argv[n++] = j->uid;
	argv[n++] = "--gid";
	argv[n++] = j->gid;
	argv[n++] = "--chroot-base-dir";
	argv[n++] = j->base;
	/* mote waits for motevm as the namespace's pid 1: it is their subreaper (launch.c) */
	argv[n++] = "--new-pid-ns";
	for (int i = 0; i < j->n_fds; i++) {
		snprintf(j->keep_args[i], sizeof(j->keep_args[i]), "%d", j->fds[i]);
		argv[n++] = "--keep-fd";
		argv[n++] = j->keep_args[i];
	}
	argv[n++] = "--";
	return (int)n;
}

void jail_host_path(const struct jail *j, const char *path, char *out, size_t len)
{
	snprintf(out, len, "%s/root%s", j->dir, path);
}

pid_t jail_vmm_pid(const struct jail *j)
{
	char path[sizeof(j->dir) + 320], file[300];
	FILE *f;
	int pid = -1;

	snprintf(file, sizeof(file), "/%s.pid", j->vmm_name);
	jail_host_path(j, file, path, sizeof(path));
	f = fopen(path, "re");
	if (f) {
		if (fscanf(f, "%d", &pid) != 1)
			pid = -1;
		fclose(f);
	}
	return pid > 0 ? pid : -1;
}

/* nftw's: every entry, depth first, links not followed, not into other mounts. */
static int remove_entry(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	if (type == FTW_DP ? rmdir(path) : unlink(path))
		fprintf(stderr, "mote: removing the jail: %s: %s\n", path, strerror(errno));
	return 0;
}

void jail_remove(struct jail *j)
{
	for (int i = 0; i < j->n_fds; i++)
		close(j->fds[i]);
	j->n_fds = 0;
	if (access(j->dir, F_OK) == 0)
		nftw(j->dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS | FTW_MOUNT);
}
