/* sockpair.c: socketpair ends over two pipes (sockpair.h). An end's poll queue is its own;
 * the two pipes' queues forward their wake-ups to it. */
#include "fs/sockpair.h"
#include "fs/file.h"
#include "fs/pipe.h"
#include "fs/pollq.h"
#include "fs/scm.h"
#include "fs/vfs.h"
#include "core/mm/heap.h"
#include "lib/errno.h"

static const struct file_ops end_fops;

struct end {
	struct file *rd, *wr;	   /* the pipe this end reads, the one it writes */
	struct scm_chan *in, *out; /* their positions and the files passed along them */
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

	ssize_t r;

	if (!e->rd) /* shut down for reading */
		return 0;
	r = e->rd->ops->read(inner(f, e->rd), ubuf, n, pos);
	if (r > 0)
		scm_read(e->in, (size_t)r);
	return r;
}

static ssize_t end_write(struct file *f, const void *ubuf, size_t n, uint64_t *pos)
{
	struct end *e = f->priv;

	ssize_t r;

	if (!e->wr) /* shut down for writing: as a pipe without readers */
		return -EPIPE;
	r = e->wr->ops->write(inner(f, e->wr), ubuf, n, pos);
	if (r > 0)
		scm_wrote(e->out, (size_t)r);
	return r;
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

struct scm_chan *sockpair_chan(struct file *f, bool out)
{
	struct end *e = f->priv;

	return out ? e->out : e->in;
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
	scm_chan_put(e->in);
	scm_chan_put(e->out);
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

/* An end over rd and wr and the channels in and out (the references taken over), or NULL
 * (they are put then). */
static struct file *end_new(struct file *rd, struct file *wr, struct scm_chan *in,
			    struct scm_chan *out, uint32_t flags)
{
	struct end *e = kzalloc(sizeof(*e));
	struct file *f =
		e ? file_anon(S_IFSOCK | 0777, &end_fops, O_RDWR | (flags & O_NONBLOCK)) : NULL;
	struct pollq *q;

	if (!f) {
		kfree(e);
		file_put(rd);
		file_put(wr);
		scm_chan_put(in);
		scm_chan_put(out);
		return NULL;
	}
	e->rd = rd;
	e->wr = wr;
	e->in = in;
	e->out = out;
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
	struct scm_chan *c1 = scm_chan_new(), *c2 = scm_chan_new();

	if (!c1 || !c2 || pipe_create(0, &r1, &w1)) {
		kfree(c1);
		kfree(c2);
		return -ENOMEM;
	}
	if (pipe_create(0, &r2, &w2)) {
		file_put(r1);
		file_put(w1);
		kfree(c1);
		kfree(c2);
		return -ENOMEM;
	}
	/* a reads pipe 1 (channel 1), writes pipe 2 (channel 2); b the other way; each channel
	 * has one reference for each end */
	*a = end_new(r1, w2, c1, c2, flags);
	*b = end_new(r2, w1, c2, c1, flags);
	if (!*a || !*b) {
		if (*a)
			file_put(*a);
		if (*b)
			file_put(*b);
		return -ENOMEM;
	}
	return 0;
}
