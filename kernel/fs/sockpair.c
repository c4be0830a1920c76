/* sockpair.c: socketpair ends over two pipes (sockpair.h). An end's poll queue is its own;
 * the two pipes' queues forward their wake-ups to it. */
#include "fs/sockpair.h"
#include "fs/file.h"
#include "fs/pipe.h"
#include "fs/pollq.h"
#include "fs/vfs.h"
#include "core/mm/heap.h"
#include "lib/errno.h"

static const struct file_ops end_fops;

struct end {
	struct file *rd, *wr; /* the pipe this end reads, the one it writes */
	struct pollq pq;
	struct pollq_entry on_rd, on_wr;
};

/* The end's own O_NONBLOCK onto the pipe file it is about to use. */
static struct file *inner(struct file *f, struct file *p)
{
	p->flags = (p->flags & ~(uint32_t)O_NONBLOCK) | (f->flags & O_NONBLOCK);
	return p;
}

static ssize_t end_read(struct file *f, void *ubuf, size_t n, uint64_t *pos)
{
	struct end *e = f->priv;

	if (!e->rd) /* shut down for reading */
		return 0;
	return e->rd->ops->read(inner(f, e->rd), ubuf, n, pos);
}

static ssize_t end_write(struct file *f, const void *ubuf, size_t n, uint64_t *pos)
{
	struct end *e = f->priv;

	if (!e->wr) /* shut down for writing: as a pipe without readers */
		return -EPIPE;
	return e->wr->ops->write(inner(f, e->wr), ubuf, n, pos);
}

static uint32_t end_poll(struct file *f, struct pollq **pq)
{
	struct end *e = f->priv;

	if (pq)
		*pq = &e->pq;
	return (e->rd ? e->rd->ops->poll(e->rd, NULL) : POLLIN | POLLRDHUP) |
	       (e->wr ? e->wr->ops->poll(e->wr, NULL) : POLLOUT);
}

bool sockpair_is(const struct file *f)
{
	return f->ops == &end_fops;
}

int sockpair_shutdown(struct file *f, int how)
{
	struct end *e = f->priv;

	if (how < 0 || how > 2)
		return -EINVAL;
	/* closing our pipe end: the peer's read sees the end of data, or its write EPIPE */
	if (how != 1 && e->rd) {
		pollq_del(&e->on_rd);
		file_put(e->rd);
		e->rd = NULL;
	}
	if (how != 0 && e->wr) {
		pollq_del(&e->on_wr);
		file_put(e->wr);
		e->wr = NULL;
	}
	pollq_wake(&e->pq, POLLIN | POLLOUT);
	return 0;
}

static void forward(struct pollq_entry *pe, uint32_t events)
{
	struct end *e = pe->priv;

	pollq_wake(&e->pq, events);
}

static int end_release(struct file *f)
{
	struct end *e = f->priv;

	if (e->rd) {
		pollq_del(&e->on_rd);
		file_put(e->rd);
	}
	if (e->wr) {
		pollq_del(&e->on_wr);
		file_put(e->wr);
	}
	kfree(e);
	return 0;
}

static const struct file_ops end_fops = {
	.read = end_read,
	.write = end_write,
	.poll = end_poll,
	.release = end_release,
	.anon_name = "socket:[0]",
};

/* An end over rd and wr (their references taken over), or NULL (they are put then). */
static struct file *end_new(struct file *rd, struct file *wr, uint32_t flags)
{
	struct end *e = kzalloc(sizeof(*e));
	struct inode *ino = e ? vfs_anon_inode(S_IFSOCK | 0777, &end_fops) : NULL;
	struct file *f =
		ino ? file_alloc(ino, NULL, &end_fops, O_RDWR | (flags & O_NONBLOCK)) : NULL;
	struct pollq *q;

	if (ino)
		vfs_inode_put(ino);
	if (!f) {
		kfree(e);
		file_put(rd);
		file_put(wr);
		return NULL;
	}
	e->rd = rd;
	e->wr = wr;
	pollq_init(&e->pq);
	e->on_rd = (struct pollq_entry){ .wake = forward, .priv = e };
	e->on_wr = (struct pollq_entry){ .wake = forward, .priv = e };
	(void)rd->ops->poll(rd, &q);
	pollq_add(q, &e->on_rd);
	(void)wr->ops->poll(wr, &q);
	pollq_add(q, &e->on_wr);
	f->priv = e;
	return f;
}

int sockpair_create(uint32_t flags, struct file **a, struct file **b)
{
	struct file *r1, *w1, *r2, *w2;

	if (pipe_create(0, &r1, &w1))
		return -ENOMEM;
	if (pipe_create(0, &r2, &w2)) {
		file_put(r1);
		file_put(w1);
		return -ENOMEM;
	}
	*a = end_new(r1, w2, flags); /* a reads pipe 1, writes pipe 2; b the other way */
	*b = end_new(r2, w1, flags);
	if (!*a || !*b) {
		if (*a)
			file_put(*a);
		if (*b)
			file_put(*b);
		return -ENOMEM;
	}
	return 0;
}
