/* unixsock.c: named AF_UNIX stream and seqpacket sockets (unixsock.h). A bound socket is
 * found through the registry of names (unixname.h). A connection is made at once in connect:
 * a socketpair (a stream) or a pair of seqpacket ends (unixdgram.h), one end kept, the other
 * queued for the listener's accept. */
#include "fs/unixsock.h"
#include "core/mm/heap.h"
#include "core/sched/wait.h"
#include "fs/file.h"
#include "fs/pollq.h"
#include "fs/sockpair.h"
#include "fs/unixdgram.h"
#include "fs/vfs.h"
#include "lib/errno.h"
#include "lib/spinlock.h"
#include "lib/string.h"

#define BACKLOG_MAX 128

struct pending {
	struct file *end;      /* the accepted side's end of the connection */
	struct unix_name peer; /* the connecting socket's name */
};

struct usock {
	struct spinlock lock; /* the queue and the wait queue */
	struct waitq wq;
	struct pollq pq;
	struct file *conn; /* this side's end, once connected */
	struct unix_bound bound;
	struct unix_name peer;
	struct pending *queue;
	int head, n, backlog; /* listening when backlog > 0 */
};

static const struct file_ops usock_fops;

bool usock_is(const struct file *f)
{
	return f->ops == &usock_fops;
}

/* The end's O_NONBLOCK from the socket's, as the caller is about to use it. */
static struct file *conn_of(struct file *f)
{
	struct usock *u = f->priv;
	struct file *c = READ_ONCE(u->conn);

	if (c)
		c->flags = (c->flags & ~(uint32_t)O_NONBLOCK) | (f->flags & O_NONBLOCK);
	return c;
}

static ssize_t usock_read(struct file *f, void *ubuf, size_t n, uint64_t *pos)
{
	struct file *c = conn_of(f);

	return c ? c->ops->read(c, ubuf, n, pos) : -ENOTCONN;
}

static ssize_t usock_write(struct file *f, const void *ubuf, size_t n, uint64_t *pos)
{
	struct file *c = conn_of(f);

	return c ? c->ops->write(c, ubuf, n, pos) : -ENOTCONN;
}

static uint32_t usock_poll(struct file *f, struct pollq **pq)
{
	struct usock *u = f->priv;
	struct file *c = conn_of(f);

	if (c)
		return c->ops->poll(c, pq);
	if (pq)
		*pq = &u->pq;
	if (u->backlog)
		return READ_ONCE(u->n) ? POLLIN | POLLRDNORM : 0;
	return POLLOUT | POLLHUP; /* as Linux: not connected */
}

static int usock_release(struct file *f)
{
	struct usock *u = f->priv;

	unixname_unbind(&u->bound);
	for (int i = 0; i < u->n; i++) /* refused: their peers read the end of data */
		file_put(u->queue[(u->head + i) % u->backlog].end);
	if (u->conn)
		file_put(u->conn);
	kfree(u->queue);
	kfree(u);
	return 0;
}

static const struct file_ops usock_fops = {
	.read = usock_read,
	.write = usock_write,
	.poll = usock_poll,
	.release = usock_release,
	.anon_name = "socket:[0]",
};

static struct file *usock_new(enum unix_type type, uint32_t flags, struct usock **out)
{
	struct usock *u = kzalloc(sizeof(*u));
	struct file *f =
		u ? file_anon(S_IFSOCK | 0777, &usock_fops, O_RDWR | (flags & O_NONBLOCK)) : NULL;

	if (!f) {
		kfree(u);
		return NULL;
	}
	spin_init(&u->lock);
	u->bound.type = type;
	waitq_init(&u->wq);
	pollq_init(&u->pq);
	f->priv = u;
	*out = u;
	return f;
}

int usock_create(enum unix_type type, uint32_t flags, struct file **out)
{
	struct usock *u;

	*out = usock_new(type, flags, &u);
	return *out ? 0 : -ENOMEM;
}

enum unix_type usock_type(const struct file *f)
{
	const struct usock *u = f->priv;

	return u->bound.type;
}

int usock_bind(struct file *f, struct dentry *start, const struct unix_name *n, uint32_t mode)
{
	struct usock *u = f->priv;
	int r;

	unixname_lock();
	r = u->conn && n->len ? -EINVAL : unixname_bind(&u->bound, start, n, mode);
	unixname_unlock();
	return r;
}

int usock_listen(struct file *f, int backlog)
{
	struct usock *u = f->priv;
	struct pending *q;
	uint64_t fl;

	if (!u->bound.registered || u->conn)
		return -EINVAL;
	backlog = backlog < 1 ? 1 : MIN(backlog, BACKLOG_MAX);
	if (u->backlog) /* listening already: Linux changes the length; here it stays */
		return 0;
	q = kzalloc(sizeof(*q) * (size_t)backlog);
	if (!q)
		return -ENOMEM;
	fl = spin_lock(&u->lock);
	u->queue = q;
	u->backlog = backlog;
	spin_unlock(&u->lock, fl);
	u->bound.listening = true;
	return 0;
}

/* The two ends of a new connection of type. */
static int conn_pair(enum unix_type type, struct file **mine, struct file **theirs)
{
	return type == UNIX_SEQPACKET ? udgram_pair(type, 0, mine, theirs)
				      : sockpair_create(0, mine, theirs);
}

int usock_connect(struct file *f, struct dentry *start, const struct unix_name *n)
{
	struct usock *u = f->priv, *l;
	struct unix_bound *b;
	struct inode *node;
	struct file *mine, *theirs;
	uint64_t fl;
	int r;

	if (u->conn)
		return -EISCONN;
	if (u->backlog)
		return -EINVAL;
	r = unixname_resolve(start, n, &node);
	if (r)
		return r;
	if (conn_pair(u->bound.type, &mine, &theirs)) {
		if (node)
			vfs_inode_put(node);
		return -ENOMEM;
	}
	unixname_lock();
	r = unixname_find(node, n, u->bound.type, &b);
	l = r ? NULL : container_of(b, struct usock, bound);
	if (l && !l->backlog)
		r = -ECONNREFUSED;
	if (!r) {
		fl = spin_lock(&l->lock);
		if (l->n == l->backlog) {
			r = -EAGAIN;
		} else {
			l->queue[(l->head + l->n) % l->backlog] =
				(struct pending){ .end = theirs, .peer = u->bound.name };
			l->n++;
			waitq_wake_all(&l->wq);
		}
		spin_unlock(&l->lock, fl);
		if (!r) {
			pollq_wake(&l->pq, POLLIN);
			u->peer = l->bound.name;
			if (udgram_is(mine)) { /* the names its messages carry */
				udgram_label(mine, &u->bound.name);
				udgram_label(theirs, &l->bound.name);
			}
			WRITE_ONCE(u->conn, mine);
		}
	}
	unixname_unlock();
	if (node)
		vfs_inode_put(node);
	if (r) {
		file_put(mine);
		file_put(theirs);
	}
	return r;
}

int usock_accept(struct file *f, bool nonblock, bool (*interrupted)(void), struct file **out)
{
	struct usock *u = f->priv, *a;
	struct pending p;
	uint64_t fl;
	int r;

	if (!u->backlog)
		return -EINVAL;
	for (;;) {
		fl = spin_lock(&u->lock);
		if (u->n) {
			p = u->queue[u->head];
			u->head = (u->head + 1) % u->backlog;
			u->n--;
			spin_unlock(&u->lock, fl);
			break;
		}
		r = nonblock			   ? -EAGAIN
		    : interrupted && interrupted() ? -EINTR
						   : waitq_sleep(&u->wq, &u->lock, 0);
		spin_unlock(&u->lock, fl);
		if (r)
			return r;
	}
	*out = usock_new(u->bound.type, 0, &a);
	if (!*out) {
		file_put(p.end); /* the peer reads the end of data */
		return -ENOMEM;
	}
	a->conn = p.end;
	a->bound.name = u->bound.name; /* named as the listener, not bound */
	a->peer = p.peer;
	return 0;
}

int usock_name(struct file *f, bool peer, struct unix_name *n)
{
	struct usock *u = f->priv;

	if (peer && !u->conn)
		return -ENOTCONN;
	unixname_lock();
	*n = peer ? u->peer : u->bound.name;
	unixname_unlock();
	return 0;
}

struct file *usock_conn(struct file *f)
{
	return conn_of(f);
}

int usock_shutdown(struct file *f, int how)
{
	struct file *c = conn_of(f);

	if (!c)
		return -ENOTCONN;
	return udgram_is(c) ? udgram_shutdown(c, how) : sockpair_shutdown(c, how);
}
