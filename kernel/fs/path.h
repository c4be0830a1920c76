/* path.h: path resolution (the walk), with symlinks, "..", and mount crossings. */
#ifndef MOTE_FS_PATH_H
#define MOTE_FS_PATH_H

#include "lib/types.h"

struct dentry;

#define LOOKUP_FOLLOW 1	   /* follow a symlink in the last component */
#define LOOKUP_DIRECTORY 2 /* the result must be a directory */
#define LOOKUP_EMPTY 4	   /* an empty path names the start itself (AT_EMPTY_PATH) */
#define SYMLINK_MAX_DEPTH 40

#define AT_FDCWD (-100)
#define AT_SYMLINK_NOFOLLOW 0x100
#define AT_REMOVEDIR 0x200
#define AT_SYMLINK_FOLLOW 0x400
#define AT_NO_AUTOMOUNT 0x800
#define AT_EMPTY_PATH 0x1000
#define AT_EACCESS 0x200

/*
 * Resolve path (kernel memory) from start (used when path is relative). On success *out is
 * a reference to the dentry found (positive). Errors: -ENOENT, -ENOTDIR, -ELOOP,
 * -ENAMETOOLONG, -ENOMEM.
 */
int path_lookup_at(struct dentry *start, const char *path, int flags,
		   struct dentry **out) __must_check;
/*
 * Resolve all but the last component: *parent (a reference, a directory) and the last
 * component in last/len (pointing into path). A path ending in "/" is flagged *trailing.
 * The last component may be "." or ".." (callers reject those where Linux does).
 */
int path_parent_at(struct dentry *start, const char *path, struct dentry **parent,
		   const char **last, size_t *len, bool *trailing) __must_check;
/* Look name up in directory dir (vfs_lock held): a reference to the (positive) child. */
int path_lookup_child(struct dentry *dir, const char *name, size_t len,
		      struct dentry **out) __must_check;
/* The start dentry for dirfd (AT_FDCWD: the working directory): a reference. */
int path_start(int dirfd, const char *path, struct dentry **out) __must_check;
/* dirfd + user path -> a reference (path_start + path_lookup_at). */
int path_lookup_user(int dirfd, const char *upath, int flags, struct dentry **out) __must_check;

/* A path from the application, copied into a new kmalloc'd buffer (PATH_MAX): *out must be
 * kfree'd. Its length, or -EFAULT, -ENAMETOOLONG, -ENOMEM. */
long user_path_dup(const char *upath, char **out) __must_check;

#endif /* MOTE_FS_PATH_H */
