/* jail.c: the chroot of mote-jailer (jailer.h): made and filled on the host side, then
 * entered by a pivot_root in a new mount namespace, its device nodes made, the privileges
 * dropped. */
#include "jailer.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

char jail_err[1024];

int jail_fail(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(jail_err, sizeof(jail_err), fmt, ap);
	va_end(ap);
	return -1;
}

/* mkdir -p of path's components after `from` bytes (which exist); 0, or -1 (errno). */
static int make_dirs(const char *path, size_t from, mode_t mode)
{
	char buf[PATH_MAX];

	snprintf(buf, sizeof(buf), "%s", path);
	for (char *s = buf + (from ? from : 1);; s++) {
		char c = *s;

		if (c != '/' && c)
			continue;
		*s = '\0';
		if (mkdir(buf, mode) < 0 && errno != EEXIST)
			return -1;
		if (!c)
			return 0;
		*s = c;
	}
}

/* Copy the binary in (a copy, not a link: no page shared with another jail's VMM). */
static int copy_file(const char *from, const char *to)
{
	char buf[1 << 16];
	int in = open(from, O_RDONLY | O_CLOEXEC), out;
	ssize_t k;

	if (in < 0)
		return -1;
	out = open(to, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0755);
	if (out < 0) {
		close(in);
		return -1;
	}
	while ((k = read(in, buf, sizeof(buf))) > 0) {
		for (ssize_t done = 0, w; done < k; done += w) {
			w = write(out, buf + done, (size_t)(k - done));
			if (w <= 0) {
				k = -1;
				break;
			}
		}
		if (k < 0)
			break;
	}
	close(in);
	if (close(out) < 0 || k < 0)
		return -1;
	return 0;
}

/* A device node the VMM opens, owned by the jail's user. */
static int node(const char *path, unsigned major, unsigned minor, const struct jail_opts *o)
{
	if (mknod(path, S_IFCHR | 0600, makedev(major, minor)) < 0 ||
	    chown(path, o->uid, o->gid) < 0)
		return jail_fail("mknod %s: %s", path, strerror(errno));
	return 0;
}

/* /dev/kvm, /dev/net/tun (Firecracker's pair) and /run (for the API socket), owned by the
 * jail's user, as is its root. */
static int populate(const struct jail_opts *o)
{
	static const char *const dirs[] = { "dev", "dev/net", "run" };
	char p[sizeof(o->root) + 32];

	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		snprintf(p, sizeof(p), "%s/%s", o->root, dirs[i]);
		if (mkdir(p, 0755) < 0)
			return jail_fail("mkdir %s: %s", p, strerror(errno));
	}
	snprintf(p, sizeof(p), "%s/run", o->root);
	if (chown(p, o->uid, o->gid) < 0 || chown(o->root, o->uid, o->gid) < 0)
		return jail_fail("chown %s: %s", p, strerror(errno));
	snprintf(p, sizeof(p), "%s/dev/kvm", o->root);
	if (node(p, 10, 232, o) < 0)
		return -1;
	snprintf(p, sizeof(p), "%s/dev/net/tun", o->root);
	return node(p, 10, 200, o);
}

int jail_prepare(struct jail_opts *o)
{
	char bin[sizeof(o->root) + 256];
	struct stat st;

	if (snprintf(o->jail_dir, sizeof(o->jail_dir), "%s/%s/%s", o->base, o->exec_name, o->id) >=
	    (int)sizeof(o->jail_dir))
		return jail_fail("--chroot-base-dir %s: path too long", o->base);
	snprintf(o->root, sizeof(o->root), "%s/root", o->jail_dir);
	if (lstat(o->jail_dir, &st) == 0)
		return jail_fail("%s exists: a jail with --id %s is there already", o->jail_dir,
				 o->id);
	if (make_dirs(o->jail_dir, 0, 0755) < 0 || mkdir(o->root, 0755) < 0)
		return jail_fail("%s: %s", o->root, strerror(errno));
	snprintf(bin, sizeof(bin), "%s/%s", o->root, o->exec_name);
	if (copy_file(o->exec_file, bin) < 0) {
		int e = errno;

		jail_undo(o);
		return jail_fail("copying %s into the jail: %s", o->exec_file, strerror(e));
	}
	/* everything the jail holds is made here, before the pivot: a failure can still be
	 * undone from the host's side */
	if (populate(o) < 0) {
		jail_undo(o);
		return -1;
	}
	return 0;
}

void jail_undo(const struct jail_opts *o)
{
	static const char *const files[] = { "dev/kvm", "dev/net/tun", "dev/net", "dev", "run" };
	char p[sizeof(o->root) + 256];

	snprintf(p, sizeof(p), "%s/%s", o->root, o->exec_name);
	unlink(p);
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(p, sizeof(p), "%s/%s", o->root, files[i]);
		if (unlink(p) < 0)
			rmdir(p);
	}
	rmdir(o->root);
	rmdir(o->jail_dir);
}

int jail_enter(const struct jail_opts *o)
{
	if (unshare(CLONE_NEWNS) < 0)
		return jail_fail("unshare(CLONE_NEWNS): %s", strerror(errno));
	/* nothing done below propagates back to the host's mounts */
	if (mount(NULL, "/", NULL, MS_PRIVATE | MS_REC, NULL) < 0)
		return jail_fail("making / private: %s", strerror(errno));
	if (mount(o->root, o->root, NULL, MS_BIND | MS_REC, NULL) < 0)
		return jail_fail("bind-mounting %s: %s", o->root, strerror(errno));
	if (chdir(o->root) < 0 || mkdir("old_root", 0700) < 0) {
		jail_fail("%s/old_root: %s", o->root, strerror(errno));
		goto undo;
	}
	if (syscall(SYS_pivot_root, ".", "old_root") < 0) {
		jail_fail("pivot_root into %s: %s", o->root, strerror(errno));
		rmdir("old_root");
		goto undo;
	}
	if (umount2("old_root", MNT_DETACH) < 0 || rmdir("old_root") < 0)
		return jail_fail("leaving the old root: %s", strerror(errno));
	if (chroot(".") < 0 || chdir("/") < 0)
		return jail_fail("chroot: %s", strerror(errno));
	return 0;
undo: /* still on the host's side: leave the jail's directory removable (jail_undo) */
	if (chdir("/") == 0)
		umount2(o->root, MNT_DETACH);
	return -1;
}

int jail_drop(const struct jail_opts *o)
{
	if (setgroups(0, NULL) < 0 || setresgid(o->gid, o->gid, o->gid) < 0 ||
	    setresuid(o->uid, o->uid, o->uid) < 0)
		return jail_fail("dropping to uid %u gid %u: %s", (unsigned)o->uid,
				 (unsigned)o->gid, strerror(errno));
	if (o->uid != 0 &&
	    setuid(0) == 0) /* (never: but a drop that did not hold must not go on) */
		return jail_fail("uid 0 could be regained after the drop");
	return 0;
}
