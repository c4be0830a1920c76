/* lock.c: advisory locks, one list of them for all inodes (programs hold few). Two locks
 * conflict when their owners differ, their ranges overlap, one of them is a write lock and
 * both are byte-range locks or both are flocks. The process owns its POSIX locks (so they
 * never conflict with each other); an open file owns its OFD locks and flock. */
#include "fs/lock.h"
#include "fs/file.h"
#include "fs/fsctx.h"
#include "fs/vfs.h"
#include "core/mm/heap.h"
#include "core/sched/wait.h"
#include "lib/errno.h"
#include "lib/list.h"
#include "lib/spinlock.h"

#define END_MAX INT64_MAX

struct lock {
	struct list node;
	struct inode *ino;
	const void *owner;
	int kind, type;
	int64_t start, end; /* inclusive */
};

static struct spinlock lk = SPINLOCK_INIT;
static struct list locks = LIST_INIT(locks);
static struct waitq waiters = WAITQ_INIT(waiters);

static const void *owner_of(struct file *f, int kind)
{
	return kind == LOCK_POSIX ? fsctx_lock_owner() : (const void *)f;
}

static bool conflicts(const struct lock *l, const struct inode *ino, const void *owner, int kind,
		      int type, int64_t s, int64_t e)
{
	return l->ino == ino && l->owner != owner &&
	       (l->kind == LOCK_FLOCK) == (kind == LOCK_FLOCK) && l->start <= e && s <= l->end &&
	       (l->type == F_WRLCK || type == F_WRLCK);
}

static struct lock *find_conflict(const struct inode *ino, const void *owner, int kind, int type,
				  int64_t s, int64_t e)
{
	struct list *pos;

	list_for_each (pos, &locks) {
		struct lock *l = list_entry(pos, struct lock, node);

		if (conflicts(l, ino, owner, kind, type, s, e))
			return l;
	}
	return NULL;
}

/* The byte range [s, e] a flock structure names. */
static int range_of(struct file *f, const struct flock_k *fl, int64_t *s, int64_t *e)
{
	int64_t base = fl->l_whence == 0   ? 0
		       : fl->l_whence == 1 ? (int64_t)f->pos
		       : fl->l_whence == 2 ? (int64_t)f->inode->size
					   : -1;

	if (base < 0 || fl->l_whence > 2)
		return -EINVAL;
	*s = base + fl->l_start;
	if (fl->l_len > 0) {
		*e = *s + fl->l_len - 1;
	} else if (fl->l_len < 0) {
		*e = *s - 1;
		*s += fl->l_len;
	} else {
		*e = END_MAX;
	}
	return *s < 0 ? -EINVAL : 0;
}

/* Remove owner's locks of kind on ino within [s, e], splitting the ones that stick out.
 * Needs a spare lock for a split in the middle (*spare taken if used). Lock held. */
static void carve(struct inode *ino, const void *owner, int kind, int64_t s, int64_t e,
		  struct lock **spare)
{
	struct list *pos, *tmp;

	list_for_each_safe (pos, tmp, &locks) {
		struct lock *l = list_entry(pos, struct lock, node);

		if (l->ino != ino || l->owner != owner || l->kind != kind || l->end < s ||
		    l->start > e)
			continue;
		if (l->start < s && l->end > e && *spare) { /* split: keep both sides */
			struct lock *r = *spare;

			*spare = NULL;
			*r = *l;
			r->start = e + 1;
			l->end = s - 1;
			list_add(&l->node, &r->node);
		} else if (l->start < s) {
			l->end = s - 1;
		} else if (l->end > e) {
			l->start = e + 1;
		} else {
			list_del(&l->node);
			kfree(l);
		}
	}
}

static int set(struct file *f, const void *owner, int kind, int type, int64_t s, int64_t e,
	       bool wait)
{
	struct lock *n = kzalloc(sizeof(*n)), *spare = kzalloc(sizeof(*spare));
	uint64_t fl;
	int r = 0;

	if (!n || !spare) {
		kfree(n);
		kfree(spare);
		return -ENOLCK;
	}
	fl = spin_lock(&lk);
	while (type != F_UNLCK && find_conflict(f->inode, owner, kind, type, s, e)) {
		if (!wait) {
			r = -EAGAIN;
			goto out;
		}
		if (waitq_interrupted()) {
			r = -EINTR;
			goto out;
		}
		(void)waitq_sleep(&waiters, &lk, 0);
	}
	carve(f->inode, owner, kind, s, e, &spare);
	if (type != F_UNLCK) {
		*n = (struct lock){ .ino = f->inode,
				    .owner = owner,
				    .kind = kind,
				    .type = type,
				    .start = s,
				    .end = e };
		list_add_tail(&locks, &n->node);
		n = NULL;
	}
	waitq_wake_all(&waiters);
out:
	spin_unlock(&lk, fl);
	kfree(n);
	kfree(spare);
	return r;
}

int lock_get(struct file *f, int kind, struct flock_k *fl)
{
	int64_t s, e;
	struct lock *l;
	uint64_t flags;
	int r;

	if (kind == LOCK_OFD && fl->l_pid)
		return -EINVAL;
	if (fl->l_type != F_RDLCK && fl->l_type != F_WRLCK)
		return -EINVAL;
	r = range_of(f, fl, &s, &e);
	if (r)
		return r;
	flags = spin_lock(&lk);
	l = find_conflict(f->inode, owner_of(f, kind), kind, fl->l_type, s, e);
	if (l) {
		fl->l_type = (int16_t)l->type;
		fl->l_whence = 0;
		fl->l_start = l->start;
		fl->l_len = l->end == END_MAX ? 0 : l->end - l->start + 1;
		fl->l_pid = l->kind == LOCK_POSIX ? fsctx_pid() : -1;
	} else {
		fl->l_type = F_UNLCK;
	}
	spin_unlock(&lk, flags);
	return 0;
}

int lock_set(struct file *f, int kind, const struct flock_k *fl, bool wait)
{
	uint32_t acc = f->flags & O_ACCMODE;
	int64_t s, e;
	int r;

	if (kind == LOCK_OFD && fl->l_pid)
		return -EINVAL;
	if (fl->l_type != F_RDLCK && fl->l_type != F_WRLCK && fl->l_type != F_UNLCK)
		return -EINVAL;
	if ((fl->l_type == F_RDLCK && acc == O_WRONLY) ||
	    (fl->l_type == F_WRLCK && acc == O_RDONLY))
		return -EBADF;
	r = range_of(f, fl, &s, &e);
	if (r)
		return r;
	return set(f, owner_of(f, kind), kind, fl->l_type, s, e, wait);
}

int lock_flock(struct file *f, int op)
{
	int type = (op & 3) == 1 ? F_RDLCK : (op & 3) == 2 ? F_WRLCK : F_UNLCK;

	if (op & 8)
		type = F_UNLCK;
	else if ((op & 3) == 0 || (op & 3) == 3)
		return -EINVAL;
	/* Converting a flock drops the old one first (it is not atomic in Linux either). */
	if (type != F_UNLCK)
		(void)set(f, f, LOCK_FLOCK, F_UNLCK, 0, END_MAX, false);
	return set(f, f, LOCK_FLOCK, type, 0, END_MAX, !(op & 4));
}

static void drop(struct inode *ino, const void *owner)
{
	uint64_t fl = spin_lock(&lk);
	struct list *pos, *tmp;
	bool any = false;

	list_for_each_safe (pos, tmp, &locks) {
		struct lock *l = list_entry(pos, struct lock, node);

		if ((ino && l->ino != ino) || l->owner != owner)
			continue;
		list_del(&l->node);
		kfree(l);
		any = true;
	}
	if (any)
		waitq_wake_all(&waiters);
	spin_unlock(&lk, fl);
}

void lock_close_posix(struct inode *ino)
{
	drop(ino, fsctx_lock_owner());
}

void lock_release_file(struct file *f)
{
	drop(NULL, f);
}
