/* cgroup.c: the jailed VMM's cgroup (jailer.h): <mount>/<parent>/<id> under the hierarchy of
 * each --cgroup file's controller (v1: the mount whose options name it; v2: the unified
 * mount, with the controller enabled down from its root), the values written, then the
 * process moved in (v1: tasks; v2: cgroup.procs). */
#include "jailer.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <mntent.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_MADE 64

/* Directories made here, to remove (deepest first) if the jail cannot be finished. */
static char made[MAX_MADE][PATH_MAX];
static int n_made;

void cgroup_undo(void)
{
	while (n_made > 0)
		rmdir(made[--n_made]);
}

static int write_file(const char *dir, const char *file, const char *value)
{
	char path[PATH_MAX + 256];
	int fd, r = 0;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0 || write(fd, value, strlen(value)) != (ssize_t)strlen(value))
		r = -1;
	if (fd >= 0)
		close(fd);
	return r ? jail_fail("writing %s to %s: %s", value, path, strerror(errno)) : 0;
}

static int read_file(const char *dir, const char *file, char *out, size_t n)
{
	char path[PATH_MAX + 256];
	ssize_t k;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	k = fd < 0 ? -1 : read(fd, out, n - 1);
	if (fd >= 0)
		close(fd);
	if (k < 0)
		return -1;
	while (k > 0 && (out[k - 1] == '\n' || out[k - 1] == ' '))
		k--;
	out[k] = '\0';
	return 0;
}

/* The mount point of the v1 hierarchy with controller ctrl, or (ctrl NULL) the v2 one. */
static int find_mount(const char *ctrl, char *out, size_t n)
{
	FILE *f = setmntent("/proc/mounts", "re");
	struct mntent *m;
	int r = -1;

	while (f && r && (m = getmntent(f)) != NULL) {
		if (ctrl ? strcmp(m->mnt_type, "cgroup") || !hasmntopt(m, ctrl)
			 : strcmp(m->mnt_type, "cgroup2"))
			continue;
		snprintf(out, n, "%s", m->mnt_dir);
		r = 0;
	}
	if (f)
		endmntent(f);
	return r;
}

/* mkdir each missing component of <mnt>/<rel> (noting it for cgroup_undo). For cpuset (v1),
 * a new directory gets its parent's cpus and mems, without which no task may join it. */
static int make_path(const char *mnt, const char *rel, bool cpuset)
{
	char path[PATH_MAX], parent[PATH_MAX], v[4096];
	size_t base = strlen(mnt);

	if (snprintf(path, sizeof(path), "%s/%s", mnt, rel) >= (int)sizeof(path))
		return jail_fail("cgroup path %s/%s too long", mnt, rel);
	for (char *s = path + base + 1;; s++) {
		char c = *s;

		if (c != '/' && c)
			continue;
		*s = '\0';
		if (mkdir(path, 0755) == 0) {
			if (n_made < MAX_MADE)
				snprintf(made[n_made++], PATH_MAX, "%s", path);
			snprintf(parent, sizeof(parent), "%s", path);
			*strrchr(parent, '/') = '\0';
			for (int i = 0; cpuset && i < 2; i++) {
				const char *file = i ? "cpuset.mems" : "cpuset.cpus";

				if (read_file(parent, file, v, sizeof(v)) < 0 ||
				    write_file(path, file, v) < 0)
					return jail_fail("%s/%s: cannot inherit %s", path, file,
							 parent);
			}
		} else if (errno != EEXIST) {
			return jail_fail("mkdir %s: %s", path, strerror(errno));
		}
		if (!c)
			return 0;
		*s = c;
	}
}

/* v2: the controller of `file` enabled in the subtree of every directory above <rel>. */
static int enable_v2(const char *mnt, const char *rel, const char *ctrl)
{
	char dir[PATH_MAX], plus[72];
	const char *s = rel;

	snprintf(plus, sizeof(plus), "+%s", ctrl);
	snprintf(dir, sizeof(dir), "%s", mnt);
	for (;;) {
		const char *slash = strchr(s, '/');

		if (write_file(dir, "cgroup.subtree_control", plus) < 0)
			return jail_fail("enabling the %s controller under %s: %s", ctrl, dir,
					 strerror(errno));
		if (!slash)
			return 0;
		snprintf(dir + strlen(dir), sizeof(dir) - strlen(dir), "/%.*s", (int)(slash - s),
			 s);
		s = slash + 1;
	}
}

int cgroup_enter(const struct jail_opts *o)
{
	char rel[PATH_MAX], mnt[PATH_MAX], dir[2 * PATH_MAX], pid[32];

	if (!o->n_cgroups)
		return 0;
	snprintf(rel, sizeof(rel), "%s/%s", o->parent_cgroup, o->id);
	snprintf(pid, sizeof(pid), "%d", (int)getpid());
	if (o->cgroup_version == 2 && find_mount(NULL, mnt, sizeof(mnt)) < 0)
		return jail_fail("--cgroup-version 2: no cgroup2 file system in /proc/mounts");
	for (int i = 0; i < o->n_cgroups; i++) {
		const char *eq = strchr(o->cgroups[i], '=');
		char file[256], ctrl[64];

		snprintf(file, sizeof(file), "%.*s", (int)(eq - o->cgroups[i]), o->cgroups[i]);
		snprintf(ctrl, sizeof(ctrl), "%.*s", (int)strcspn(file, "."), file);
		if (o->cgroup_version == 1 && find_mount(ctrl, mnt, sizeof(mnt)) < 0)
			return jail_fail(
				"--cgroup %s: no cgroup v1 hierarchy has the %s controller",
				o->cgroups[i], ctrl);
		if (make_path(mnt, rel, o->cgroup_version == 1 && !strcmp(ctrl, "cpuset")) < 0)
			return -1;
		/* (the core files, cgroup.*, need no controller) */
		if (o->cgroup_version == 2 && strcmp(ctrl, "cgroup") &&
		    enable_v2(mnt, o->parent_cgroup, ctrl) < 0)
			return -1;
		snprintf(dir, sizeof(dir), "%s/%s", mnt, rel);
		if (write_file(dir, file, eq + 1) < 0)
			return -1;
		if (write_file(dir, o->cgroup_version == 2 ? "cgroup.procs" : "tasks", pid) < 0)
			return -1;
	}
	return 0;
}
