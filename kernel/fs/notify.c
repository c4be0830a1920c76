/* notify.c: file-system events delivered to the marks on inodes (notify.h). */
#include "fs/notify.h"
#include "fs/file.h"
#include "fs/vfs.h"
#include "core/sched/sync.h"

/* Every mark, in the order added. Watches are few (a directory or two per program that
 * asks), so one list and a count read without the lock for the common case: none. */
static struct list marks = LIST_INIT(marks);
static struct mutex lock = MUTEX_INIT(lock);
static int nmarks;

void notify_lock(void)
{
	mutex_lock(&lock);
}

void notify_unlock(void)
{
	mutex_unlock(&lock);
}

void notify_mark_add_locked(struct notify_mark *m)
{
	list_add_tail(&marks, &m->node);
	__atomic_store_n(&nmarks, nmarks + 1, __ATOMIC_RELEASE);
}

struct notify_mark *notify_mark_find_locked(struct inode *ino, const struct file *file,
					    const void *owner, void (*freefn)(struct notify_mark *))
{
	struct list *pos;

	list_for_each (pos, &marks) {
		struct notify_mark *m = list_entry(pos, struct notify_mark, node);

		if (m->inode == ino && m->file == file && m->owner == owner && m->free == freefn)
			return m;
	}
	return NULL;
}

/* Take m out of the list onto gone (freed once the lock is let go). Lock held. */
static void unlink_mark(struct notify_mark *m, struct list *gone)
{
	list_del(&m->node);
	list_add_tail(gone, &m->node);
	__atomic_store_n(&nmarks, nmarks - 1, __ATOMIC_RELEASE);
}

static void free_gone(struct list *gone)
{
	struct list *pos, *tmp;

	list_for_each_safe (pos, tmp, gone) {
		struct notify_mark *m = list_entry(pos, struct notify_mark, node);

		list_del(&m->node);
		m->free(m);
	}
}

void notify_flush(const struct file *f, const void *owner)
{
	struct list gone = LIST_INIT(gone), *pos, *tmp;

	if (!__atomic_load_n(&nmarks, __ATOMIC_ACQUIRE))
		return;
	mutex_lock(&lock);
	list_for_each_safe (pos, tmp, &marks) {
		struct notify_mark *m = list_entry(pos, struct notify_mark, node);

		if (m->file == f && m->owner == owner)
			unlink_mark(m, &gone);
	}
	mutex_unlock(&lock);
	free_gone(&gone);
}

/* Give the event to the marks on ino that want some of mask. Lock held. */
static void deliver(struct inode *ino, uint32_t mask, const char *name, struct list *gone)
{
	struct list *pos, *tmp;

	list_for_each_safe (pos, tmp, &marks) {
		struct notify_mark *m = list_entry(pos, struct notify_mark, node);

		if (m->inode == ino && (m->mask & mask) && !m->event(m, mask, name))
			unlink_mark(m, gone);
	}
}

void notify_dir(struct inode *dir, const char *name, uint32_t mask)
{
	struct list gone = LIST_INIT(gone);

	if (!__atomic_load_n(&nmarks, __ATOMIC_ACQUIRE))
		return;
	mutex_lock(&lock);
	deliver(dir, mask, name, &gone);
	mutex_unlock(&lock);
	free_gone(&gone);
}

/* An event on ino, named by d (NULL: an object with no name, only its own marks). */
static void child_event(struct dentry *d, struct inode *ino, uint32_t mask)
{
	struct list gone = LIST_INIT(gone);

	if (!__atomic_load_n(&nmarks, __ATOMIC_ACQUIRE))
		return;
	if (S_ISDIR(ino->mode))
		mask |= NOTIFY_ISDIR;
	/* vfs_lock keeps d's parent and name from moving (a rename) while they are used */
	mutex_lock(&vfs_lock);
	mutex_lock(&lock);
	/* the parent first, as Linux reports; a file system's root reports to nobody above */
	if (d && d->parent && d->parent->inode)
		deliver(d->parent->inode, mask, d->name, &gone);
	deliver(ino, mask, NULL, &gone);
	mutex_unlock(&lock);
	mutex_unlock(&vfs_lock);
	free_gone(&gone);
}

void notify_dentry(struct dentry *d, uint32_t mask)
{
	if (d->inode)
		child_event(d, d->inode, mask);
}

void notify_file(struct file *f, uint32_t mask)
{
	child_event(f->dentry, f->inode, mask);
}
