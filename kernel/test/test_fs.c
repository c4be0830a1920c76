/* test_fs.c: self-test of the path walk on a ramfs tree: absolute and relative paths, "." and
 * "..", symlink chains (relative and absolute), loops, dangling links, trailing slashes,
 * long names, parents of paths, a mount and ".." back across it, paths of dentries, and the
 * unmount (busy while held, then gone). */
#include "core/selftest.h"
#include "fs/path.h"
#include "fs/ramfs.h"
#include "fs/vfs.h"
#include "lib/errno.h"
#include "lib/string.h"

static struct dentry *mk(struct dentry *dir, const char *name, int kind, const char *target)
{
	int err = 0;
	size_t n = strlen(name);

	if (kind == 'd')
		return ramfs_add_dir(dir, name, n, 0755, 0, &err);
	if (kind == 'l')
		return ramfs_add_symlink(dir, name, n, target, strlen(target), 0, &err);
	return ramfs_add_file(dir, name, n, 0644, target, strlen(target), 0, &err);
}

/* Resolve path from start; returns the error, or 0 with the found dentry's name checked. */
static int look(struct dentry *start, const char *path, int flags, const char *want)
{
	struct dentry *d;
	int r = path_lookup_at(start, path, flags, &d);

	if (r)
		return r;
	r = strcmp(d->name, want) ? -EIO : 0;
	vfs_dentry_put(d);
	return r;
}

int test_fs(struct st *st)
{
	struct dentry *top, *a, *b, *m, *d, *parent;
	char buf[128], longname[300];
	const char *last;
	size_t len;
	bool trailing;
	int checks = 0;

	if (!vfs_root && vfs_mount("/", &ramfs_type, NULL))
		return st_fail(st, "cannot mount a root ramfs");
	mutex_lock(&vfs_lock);
	top = mk(vfs_root, "st_fs", 'd', NULL);
	a = top ? mk(top, "a", 'd', NULL) : NULL;
	b = a ? mk(a, "b", 'd', NULL) : NULL;
	m = top ? mk(top, "mnt", 'd', NULL) : NULL;
	if (!b || !m || !mk(b, "file", 'f', "data") || !mk(top, "rel", 'l', "a/b/file") ||
	    !mk(top, "abs", 'l', "/st_fs/a/b") || !mk(top, "chain", 'l', "rel") ||
	    !mk(a, "up", 'l', "../a/b") || !mk(top, "loop1", 'l', "loop2") ||
	    !mk(top, "loop2", 'l', "loop1") || !mk(top, "dangling", 'l', "nowhere")) {
		mutex_unlock(&vfs_lock);
		return st_fail(st, "cannot build the test tree (out of memory?)");
	}
	mutex_unlock(&vfs_lock);

#define EXPECT(expr, want)                                                            \
	do {                                                                          \
		int r_ = (expr);                                                      \
		checks++;                                                             \
		if (r_ != (want))                                                     \
			return st_fail(st, "%s: got %d, want %d", #expr, r_, (want)); \
	} while (0)
	EXPECT(look(vfs_root, "/st_fs/a/b/file", 0, "file"), 0);
	EXPECT(look(a, "b/./file", 0, "file"), 0);
	EXPECT(look(b, "../../a/b/../b/file", 0, "file"), 0);
	EXPECT(look(vfs_root, "/../../st_fs", 0, "st_fs"), 0); /* the root's parent is the root */
	EXPECT(look(vfs_root, "//st_fs///a//", 0, "a"), 0);
	EXPECT(look(top, "rel", LOOKUP_FOLLOW, "file"), 0);
	EXPECT(look(top, "rel", 0, "rel"), 0);
	EXPECT(look(top, "chain", LOOKUP_FOLLOW, "file"), 0);
	EXPECT(look(top, "abs/file", 0, "file"), 0);
	EXPECT(look(top, "a/up/file", 0, "file"), 0); /* "../a/b" from a: relative to the link */
	EXPECT(look(top, "loop1", LOOKUP_FOLLOW, NULL), -ELOOP);
	EXPECT(look(top, "loop1", 0, "loop1"), 0);
	EXPECT(look(top, "dangling", LOOKUP_FOLLOW, NULL), -ENOENT);
	EXPECT(look(top, "a/missing/x", 0, NULL), -ENOENT);
	EXPECT(look(top, "a/b/file/x", 0, NULL), -ENOTDIR);
	EXPECT(look(top, "a/b/file/", 0, NULL), -ENOTDIR);
	EXPECT(look(top, "a/b/", LOOKUP_DIRECTORY, "b"), 0);
	EXPECT(look(top, "", 0, NULL), -ENOENT);
	EXPECT(look(top, "", LOOKUP_EMPTY, "st_fs"), 0);
	memset(longname, 'x', 256);
	longname[256] = 0;
	EXPECT(look(top, longname, 0, NULL), -ENAMETOOLONG);

	EXPECT(path_parent_at(top, "a/b/newname", &parent, &last, &len, &trailing), 0);
	checks++;
	if (strcmp(parent->name, "b") || len != 7 || memcmp(last, "newname", 7) || trailing)
		return st_fail(st, "path_parent_at(a/b/newname): parent %s, last %.*s",
			       parent->name, (int)len, last);
	vfs_dentry_put(parent);
	EXPECT(path_parent_at(top, "newdir//", &parent, &last, &len, &trailing), 0);
	checks++;
	if (strcmp(parent->name, "st_fs") || len != 6 || !trailing)
		return st_fail(st, "path_parent_at(newdir//): a trailing slash is flagged");
	vfs_dentry_put(parent);

	/* A second ramfs mounted on st_fs/mnt: lookups go into it, ".." comes back out. */
	EXPECT(vfs_mount("/st_fs/mnt", &ramfs_type, NULL), 0);
	EXPECT(path_lookup_at(vfs_root, "/st_fs/mnt", 0, &d), 0);
	checks++;
	if (d->covered != m) {
		vfs_dentry_put(d);
		return st_fail(st, "lookup of a mount point does not give the mounted root");
	}
	mutex_lock(&vfs_lock);
	checks++;
	if (!mk(d, "inner", 'f', "x")) {
		mutex_unlock(&vfs_lock);
		vfs_dentry_put(d);
		return st_fail(st, "cannot create in the mounted ramfs");
	}
	mutex_unlock(&vfs_lock);
	vfs_dentry_put(d);
	EXPECT(look(top, "mnt/inner", 0, "inner"), 0);
	EXPECT(look(top, "mnt/../a/b/file", 0, "file"), 0);
	EXPECT(path_lookup_at(top, "mnt/inner", 0, &d), 0);
	checks++;
	if (vfs_path_of(d, buf, sizeof(buf)) < 0 || strcmp(buf, "/st_fs/mnt/inner")) {
		vfs_dentry_put(d);
		return st_fail(st, "vfs_path_of across a mount: %s", buf);
	}

	/* Unmounting it: busy while a dentry of it is held (d, mnt/inner), or while its root is
	 * held twice; -EINVAL for a directory that is no mount's root; then done, and the mount
	 * point shows the directory under it again. */
	EXPECT(path_lookup_at(top, "mnt", 0, &m), 0);
	EXPECT(vfs_umount(m), -EBUSY);
	vfs_dentry_put(d);
	EXPECT(path_lookup_at(top, "mnt", 0, &m), 0);
	EXPECT(path_lookup_at(top, "mnt", 0, &d), 0);
	EXPECT(vfs_umount(m), -EBUSY);
	EXPECT(path_lookup_at(top, "a", 0, &m), 0);
	EXPECT(vfs_umount(m), -EINVAL);
	EXPECT(vfs_umount(d), 0);
	EXPECT(look(top, "mnt/inner", 0, "inner"), -ENOENT);
	EXPECT(path_lookup_at(top, "mnt", 0, &d), 0);
	checks++;
	if (d->mounted || d->covered || d->parent != top) {
		vfs_dentry_put(d);
		return st_fail(st, "st_fs/mnt is still a mount after vfs_umount");
	}
	vfs_dentry_put(d);
	return st_ok(st, "%d path-walk checks", checks);
}
