/* unixsock.c: named AF_UNIX stream sockets (unixsock.h). A bound socket is found through a
 * registry: by its socket node's inode for a path, by the bytes of an abstract name. A
 * connection is made at once in connect: a socketpair, one end kept, the other queued for the
 * listener's accept. */
#include "fs/unixsock.h"
#include "core/mm/heap.h"
#include "core/sched/sync.h"
#include "core/sched/wait.h"
#include "fs/file.h"
#include "fs/open.h"
#include "fs/path.h"
#include "fs/pollq.h"
#include "fs/sockpair.h"
#include "fs/vfs.h"
#include "lib/errno.h"
#include "lib/list.h"
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
	struct unix_name name, peer;
	struct inode *node; /* the socket node bound to (a reference), or NULL */
	struct pending *queue;
	int head, n, backlog; /* listening when backlog > 0 */
	struct list reg;      /* in the registry while bound */
	bool registered;
};

static struct list registry = LIST_INIT(registry);
static struct mutex reg_lock = MUTEX_INIT(reg_lock);
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

	mutex_lock(&reg_lock);
	if (u->registered)
		list_del(&u->reg);
	mutex_unlock(&reg_lock);
	for (int i = 0; i < u->n; i++) /* refused: their peers read the end of data */
		file_put(u->queue[(u->head + i) % u->backlog].end);
	if (u->conn)
		file_put(u->conn);
	if (u->node)
		vfs_inode_put(u->node);
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

static struct file *usock_new(uint32_t flags, struct usock **out)
{
	struct usock *u = kzalloc(sizeof(*u));
	struct inode *ino = u ? vfs_anon_inode(S_IFSOCK | 0777, &usock_fops) : NULL;
	struct file *f =
		ino ? file_alloc(ino, NULL, &usock_fops, O_RDWR | (flags & O_NONBLOCK)) : NULL;

	if (ino)
		vfs_inode_put(ino);
	if (!f) {
		kfree(u);
		return NULL;
	}
	spin_init(&u->lock);
	waitq_init(&u->wq);
	pollq_init(&u->pq);
	f->priv = u;
	*out = u;
	return f;
}

int usock_create(uint32_t flags, struct file **out)
{
	struct usock *u;

	*out = usock_new(flags, &u);
	return *out ? 0 : -ENOMEM;
}

static bool abstract(const struct unix_name *n)
{
	return n->len && n->name[0] == 0;
}

/* Under reg_lock: the bound socket with node (a path's) or n's abstract name. */
static struct usock *find(const struct inode *node, const struct unix_name *n)
{
	struct list *it;

	list_for_each (it, &registry) {
		struct usock *u = list_entry(it, struct usock, reg);

		if (node ? u->node == node
			 : abstract(&u->name) && u->name.len == n->len &&
				    !memcmp(u->name.name, n->name, n->len))
			return u;
	}
	return NULL;
}

int usock_bind(struct file *f, struct dentry *start, const struct unix_name *n, uint32_t mode)
{
	struct usock *u = f->priv;
	struct dentry *d = NULL;
	int r = 0;

	mutex_lock(&reg_lock);
	if (u->name.len || u->conn)
		r = -EINVAL;
	else if (abstract(n))
		r = find(NULL, n) ? -EADDRINUSE : 0;
	else if ((r = vfs_create(start, n->name, S_IFSOCK | (mode & 07777), 0, NULL, &d)))
		r = r == -EEXIST ? -EADDRINUSE : r;
	if (!r) {
		if (d) {
			u->node = d->inode;
			vfs_inode_get(u->node);
			vfs_dentry_put(d);
		}
		u->name = *n;
		list_add_tail(&registry, &u->reg);
		u->registered = true;
	}
	mutex_unlock(&reg_lock);
	return r;
}

int usock_listen(struct file *f, int backlog)
{
	struct usock *u = f->priv;
	struct pending *q;
	uint64_t fl;

	if (!u->name.len || u->conn)
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
	return 0;
}

int usock_connect(struct file *f, struct dentry *start, const struct unix_name *n)
{
	struct usock *u = f->priv, *l;
	struct inode *node = NULL;
	struct file *mine, *theirs;
	uint64_t fl;
	int r;

	if (u->conn)
		return -EISCONN;
	if (u->backlog)
		return -EINVAL;
	if (!abstract(n)) {
		struct dentry *d;

		r = path_lookup_at(start, n->name, LOOKUP_FOLLOW, &d);
		if (r)
			return r;
		node = d->inode;
		vfs_inode_get(node);
		vfs_dentry_put(d);
		if ((node->mode & S_IFMT) != S_IFSOCK) {
			vfs_inode_put(node);
			return -ECONNREFUSED;
		}
	}
	if (sockpair_create(0, &mine, &theirs)) {
		if (node)
			vfs_inode_put(node);
		return -ENOMEM;
	}
	mutex_lock(&reg_lock);
	l = find(node, n);
	r = !l || !l->backlog ? -ECONNREFUSED : 0;
	if (!r) {
		fl = spin_lock(&l->lock);
		if (l->n == l->backlog) {
			r = -EAGAIN;
		} else {
			l->queue[(l->head + l->n) % l->backlog] =
				(struct pending){ .end = theirs, .peer = u->name };
			l->n++;
			waitq_wake_all(&l->wq);
		}
		spin_unlock(&l->lock, fl);
		if (!r) {
			pollq_wake(&l->pq, POLLIN);
			u->peer = l->name;
			WRITE_ONCE(u->conn, mine);
		}
	}
	mutex_unlock(&reg_lock);
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
	*out = usock_new(0, &a);
	if (!*out) {
		file_put(p.end); /* the peer reads the end of data */
		return -ENOMEM;
	}
	a->conn = p.end;
	a->name = u->name;
	a->peer = p.peer;
	return 0;
}

int usock_name(struct file *f, bool peer, struct unix_name *n)
{
	struct usock *u = f->priv;

	if (peer && !u->conn)
		return -ENOTCONN;
	*n = peer ? u->peer : u->name;
	return 0;
}

struct file *usock_conn(struct file *f)
{
	return conn_of(f);
}

int usock_shutdown(struct file *f, int how)
{
	struct file *c = conn_of(f);

	return c ? sockpair_shutdown(c, how) : -ENOTCONN;
}
