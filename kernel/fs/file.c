/* file.c: open files, the descriptor table, poll queues. */
#include "fs/file.h"
#include "fs/fsctx.h"
#include "fs/lock.h"
#include "fs/epoll.h"
#include "fs/notify.h"
#include "fs/pollq.h"
#include "fs/vfs.h"
#include "core/mm/heap.h"
#include "lib/errno.h"
#include "lib/string.h"

struct file *file_alloc(struct inode *ino, struct dentry *d, const struct file_ops *ops,
			uint32_t flags)
{
	struct file *f = kzalloc(sizeof(*f));

	if (!f)
		return NULL;
	f->ops = ops;
	f->inode = ino;
	vfs_inode_get(ino);
	f->dentry = d;
	if (d)
		vfs_dentry_get(d);
	f->flags = flags;
	f->refs = 1;
	mutex_init(&f->pos_lock);
	list_init(&f->epoll_items);
	return f;
}

struct file *file_anon(uint32_t mode, const struct file_ops *ops, uint32_t flags)
{
	struct inode *ino = vfs_anon_inode(mode, ops);
	struct file *f = ino ? file_alloc(ino, NULL, ops, flags) : NULL;

	if (ino)
		vfs_inode_put(ino); /* the file's reference is the one that stays */
	return f;
}

void file_get(struct file *f)
{
	__atomic_fetch_add(&f->refs, 1, __ATOMIC_RELAXED);
}

void file_put(struct file *f)
{
	if (!f || __atomic_sub_fetch(&f->refs, 1, __ATOMIC_ACQ_REL))
		return;
	lock_release_file(f);
	epoll_file_release(f);
	if (f->ops && f->ops->release)
		(void)f->ops->release(f);
	if (f->writer)
		__atomic_fetch_sub(&f->inode->sb->writers, 1, __ATOMIC_SEQ_CST);
	vfs_inode_put(f->inode);
	vfs_dentry_put(f->dentry);
	kfree(f->sock_opts);
	kfree(f);
}

struct fdtable *fdtable_alloc(void)
{
	struct fdtable *t = kzalloc(sizeof(*t));

	if (t)
		mutex_init(&t->lock);
	return t;
}

struct fdtable *fdtable_copy(struct fdtable *src)
{
	struct fdtable *t = fdtable_alloc();

	if (!t)
		return NULL;
	mutex_lock(&src->lock);
	for (int fd = 0; fd < FD_MAX; fd++) {
		if (!src->files[fd])
			continue;
		file_get(src->files[fd]);
		t->files[fd] = src->files[fd];
		t->cloexec[fd] = src->cloexec[fd];
	}
	mutex_unlock(&src->lock);
	return t;
}

/* Descriptor of f in t is closed: what ends with a descriptor rather than with the file
 * (Linux's filp_close): the process's POSIX locks on the inode, dnotify's watch. Then the
 * descriptor's reference goes. */
static void close_file(struct fdtable *t, struct file *f)
{
	if (!f)
		return;
	notify_flush(f, t);
	lock_close_posix(f->inode);
	file_put(f);
}

void fdtable_free(struct fdtable *t)
{
	for (int fd = 0; fd < FD_MAX; fd++) {
		struct file *f = t->files[fd];

		if (!f)
			continue;
		t->files[fd] = NULL;
		close_file(t, f);
	}
	kfree(t);
}

static struct fdtable *fdt(void)
{
	return fsctx_fdtable();
}

int fd_install(struct file *f, int min, bool cloexec)
{
	struct fdtable *t = fdt();
	uint64_t lim = fsctx_nofile();

	mutex_lock(&t->lock);
	for (int fd = min; fd < FD_MAX && (uint64_t)fd < lim; fd++) {
		if (!t->files[fd]) {
			t->files[fd] = f;
			t->cloexec[fd] = cloexec;
			mutex_unlock(&t->lock);
			return fd;
		}
	}
	mutex_unlock(&t->lock);
	return -EMFILE;
}

int fd_install_at(struct file *f, int fd, bool cloexec)
{
	struct fdtable *t = fdt();
	struct file *old;

	if (fd < 0 || fd >= FD_MAX)
		return -EBADF;
	mutex_lock(&t->lock);
	old = t->files[fd];
	t->files[fd] = f;
	t->cloexec[fd] = cloexec;
	mutex_unlock(&t->lock);
	close_file(t, old);
	return fd;
}

struct file *fdtable_get(struct fdtable *t, int fd)
{
	struct file *f;

	if (fd < 0 || fd >= FD_MAX)
		return NULL;
	mutex_lock(&t->lock);
	f = t->files[fd];
	if (f)
		file_get(f);
	mutex_unlock(&t->lock);
	return f;
}

int fdtable_next(struct fdtable *t, int from)
{
	int fd;

	mutex_lock(&t->lock);
	for (fd = MAX(from, 0); fd < FD_MAX && !t->files[fd]; fd++)
		;
	mutex_unlock(&t->lock);
	return fd < FD_MAX ? fd : -1;
}

struct file *fd_get(int fd)
{
	return fdtable_get(fdt(), fd);
}

int fd_close(int fd)
{
	struct fdtable *t = fdt();
	struct file *f;

	if (fd < 0 || fd >= FD_MAX)
		return -EBADF;
	mutex_lock(&t->lock);
	f = t->files[fd];
	t->files[fd] = NULL;
	mutex_unlock(&t->lock);
	if (!f)
		return -EBADF;
	close_file(t, f);
	return 0;
}

void fd_close_on_exec(void)
{
	struct fdtable *t = fdt();

	for (int fd = 0; fd < FD_MAX; fd++) {
		struct file *f = NULL;

		mutex_lock(&t->lock);
		if (t->cloexec[fd]) {
			f = t->files[fd];
			t->files[fd] = NULL;
			t->cloexec[fd] = 0;
		}
		mutex_unlock(&t->lock);
		close_file(t, f);
	}
}

void pollq_add(struct pollq *q, struct pollq_entry *e)
{
	uint64_t f = spin_lock(&q->lock);

	e->q = q;
	list_add_tail(&q->entries, &e->node);
	spin_unlock(&q->lock, f);
}

void pollq_del(struct pollq_entry *e)
{
	struct pollq *q = e->q;
	uint64_t f;

	if (!q)
		return;
	f = spin_lock(&q->lock);
	list_del(&e->node);
	e->q = NULL;
	spin_unlock(&q->lock, f);
}

void pollq_wake(struct pollq *q, uint32_t events)
{
	uint64_t f = spin_lock(&q->lock);
	struct list *pos, *tmp;

	list_for_each_safe (pos, tmp, &q->entries) {
		struct pollq_entry *e = list_entry(pos, struct pollq_entry, node);

		e->wake(e, events);
	}
	spin_unlock(&q->lock, f);
}

bool dir_emit_dots(struct file *f, struct dir_ctx *ctx)
{
	if (ctx->pos == 0) {
		if (!ctx->emit(ctx, ".", 1, f->inode->ino, DT_DIR))
			return false;
		ctx->pos++;
	}
	if (ctx->pos == 1) {
		struct dentry *up = f->dentry;

		while (up->covered)
			up = up->covered;
		up = up->parent ? up->parent : up;
		if (!ctx->emit(ctx, "..", 2, up->inode->ino, DT_DIR))
			return false;
		ctx->pos++;
	}
	return true;
}
