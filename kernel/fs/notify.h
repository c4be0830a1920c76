/* notify.h: file-system events (Linux's fsnotify, in small): the VFS paths report what
 * happened to an inode, and marks placed on inodes hear about it.
 *
 * The VFS calls (none with a spin lock held):
 * - notify_dentry(d, mask): something happened to the file d names (read: NOTIFY_ACCESS,
 *   written or truncated: NOTIFY_MODIFY, chmod/chown/utimes/xattr: NOTIFY_ATTRIB). The marks
 *   on d's inode hear it, and so do those on its parent directory, with d's name (Linux
 *   reports a child's events to a watching parent). Without vfs_lock held.
 * - notify_file(f, mask): the same for an open file (its dentry, or only its inode).
 * - notify_dir(dir, name, mask): an entry of directory dir changed: NOTIFY_CREATE,
 *   NOTIFY_DELETE, NOTIFY_MOVED_FROM / NOTIFY_MOVED_TO, and before those NOTIFY_RENAME when
 *   the name moved within dir; with NOTIFY_ISDIR for a directory. vfs_lock may be held.
 * - notify_flush(f, owner): descriptor of f in descriptor table owner is being closed: the
 *   marks tied to that pair go (dnotify's watches end with the descriptor, as on Linux).
 *
 * A user of events (dnotify in linux/dnotify.c; an inotify later) embeds a struct notify_mark,
 * fills mask, event and free, and adds it with notify_mark_add_locked. event runs with the marks' lock
 * held (it may send signals, not sleep on the VFS) and returns false to have the mark removed
 * at once (dnotify's one-shot watches); the removed mark is given to free after the lock is
 * let go. The mask bits are inotify's (IN_ACCESS...), so that an inotify can pass them on.
 */
#ifndef MOTE_FS_NOTIFY_H
#define MOTE_FS_NOTIFY_H

#include "lib/types.h"
#include "lib/list.h"

struct dentry;
struct file;
struct inode;

#define NOTIFY_ACCESS 0x00000001
#define NOTIFY_MODIFY 0x00000002
#define NOTIFY_ATTRIB 0x00000004
#define NOTIFY_MOVED_FROM 0x00000040
#define NOTIFY_MOVED_TO 0x00000080
#define NOTIFY_CREATE 0x00000100
#define NOTIFY_DELETE 0x00000200
#define NOTIFY_RENAME 0x10000000 /* an entry renamed within the directory (then MOVED_*) */
#define NOTIFY_ISDIR 0x40000000	 /* the entry is a directory */

struct notify_mark {
	struct list node;    /* in the marks list (notify.c) */
	struct inode *inode; /* watched (no reference: the watcher keeps it alive) */
	uint32_t mask;	     /* the NOTIFY_* events it wants */
	/* A dnotify-style tie to one descriptor: the open file and its descriptor table (both
	 * only compared, never followed); NULL when the mark is not tied to a descriptor. */
	const struct file *file;
	const void *owner;
	/* An event of mask (an entry's name, or NULL for the inode itself) hit the mark: false
	 * to remove it now. Marks' lock held. */
	bool (*event)(struct notify_mark *m, uint32_t mask, const char *name);
	/* The mark is removed (notify_flush, notify_mark_remove, event's false): free it. */
	void (*free)(struct notify_mark *m);
};

/* The marks' lock, held to add a mark, look one up, or change its mask (dnotify adding
 * events to a watch); marks are neither added nor removed under a holder but by it. */
void notify_lock(void);
void notify_unlock(void);
/* Start delivering events on m->inode to m (m's fields set). Lock held. */
void notify_mark_add_locked(struct notify_mark *m);
/* Find the mark on ino tied to (file, owner) whose free is freefn; NULL if none. Lock held. */
struct notify_mark *notify_mark_find_locked(struct inode *ino, const struct file *file,
					    const void *owner,
					    void (*freefn)(struct notify_mark *));
/* Remove the marks tied to (f, owner) (closing a descriptor); each goes to its free. */
void notify_flush(const struct file *f, const void *owner);

void notify_dentry(struct dentry *d, uint32_t mask);
void notify_file(struct file *f, uint32_t mask);
void notify_dir(struct inode *dir, const char *name, uint32_t mask);

#endif /* MOTE_FS_NOTIFY_H */
