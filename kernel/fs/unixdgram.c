/* unixdgram.c: AF_UNIX datagram sockets and seqpacket ends (unixdgram.h). A socket's state
 * lives in a struct udgram with its own reference count, held by its file, by the sockets
 * connected to it and by the messages it sent that are still queued: a closed socket stays
 * until they let go, marked closed. A message's bytes are copied in before any lock is taken
 * and out after it is taken off its queue (a peek holds a reference to it instead). */
#include "fs/unixdgram.h"
#include "core/mm/heap.h"
#include "core/sched/wait.h"
#include "core/time.h"
#include "core/uaccess.h"
#include "fs/file.h"
#include "fs/pollq.h"
#include "fs/scm.h"
#include "fs/vfs.h"
#include "lib/errno.h"
#include "lib/spinlock.h"
#include "lib/string.h"

#define SNDBUF 212992 /* Linux's default send buffer: what a sender may have queued */
#define MSG_COST 512  /* what a queued message charges beyond its bytes */
#define QLEN_MAX 10   /* Linux's net.unix.max_dgram_qlen */
#define SHUT_RCV 1
#define SHUT_SND 2
#define FIONREAD 0x541b

struct umsg {
	struct umsg *next;
	int refs;	     /* the queue's, and a peeking receiver's */
	struct udgram *from; /* the sender (a reference), whose send buffer it charges */
	struct unix_name name;
	struct unix_cred cred;
	int nfiles;
	struct file **files;
	size_t len;
	uint8_t data[];
};

struct udgram {
	struct spinlock lock; /* all below but bound (the registry's lock) */
	int refs;
	enum unix_type type;
	struct waitq rwq;	    /* receivers waiting for a message */
	struct waitq swq;	    /* senders waiting for room in this queue or send buffer */
	struct pollq pq;	    /* this socket's readiness */
	struct pollq room;	    /* woken when this queue has room: for those connected to it */
	struct pollq_entry on_peer; /* on the peer's room queue while connected */
	struct umsg *head, *tail;
	int qlen;
	size_t wmem;	     /* what its messages still queued charge */
	struct udgram *peer; /* the default destination, or the other end (a reference) */
	struct unix_bound bound;
	bool closed;
	uint8_t shut; /* SHUT_RCV, SHUT_SND */
	int err;      /* an error for the next call (ECONNRESET) */
	uint64_t rcvtimeo, sndtimeo;
};

static const struct file_ops udgram_fops;

static void udgram_put(struct udgram *u)
{
	if (!__atomic_sub_fetch(&u->refs, 1, __ATOMIC_ACQ_REL))
		kfree(u);
}

static void udgram_get(struct udgram *u)
{
	__atomic_add_fetch(&u->refs, 1, __ATOMIC_RELAXED);
}

static size_t cost(const struct umsg *m)
{
	return m->len + MSG_COST;
}

/* Drop a reference to m; the last gives its sender's send buffer back. Never under a lock. */
static void umsg_put(struct umsg *m)
{
	struct udgram *from = m->from;
	uint64_t fl;

	if (__atomic_sub_fetch(&m->refs, 1, __ATOMIC_ACQ_REL))
		return;
	for (int i = 0; i < m->nfiles; i++)
		file_put(m->files[i]);
	kfree(m->files);
	if (from) {
		fl = spin_lock(&from->lock);
		from->wmem -= cost(m);
		waitq_wake_all(&from->swq);
		spin_unlock(&from->lock, fl);
		pollq_wake(&from->pq, POLLOUT | POLLWRNORM);
		udgram_put(from);
	}
	kfree(m);
}

/* Put a chain of messages taken off a queue. */
static void put_chain(struct umsg *m)
{
	while (m) {
		struct umsg *next = m->next;

		umsg_put(m);
		m = next;
	}
}

/* Under u->lock: empty the queue, for put_chain after unlocking. */
static struct umsg *take_queue(struct udgram *u)
{
	struct umsg *m = u->head;

	u->head = u->tail = NULL;
	u->qlen = 0;
	waitq_wake_all(&u->swq);
	return m;
}

static void room_forward(struct pollq_entry *pe, uint32_t events)
{
	struct udgram *u = pe->priv;

	pollq_wake(&u->pq, POLLOUT | POLLWRNORM);
}

/* Make p (a reference taken over, or NULL) u's peer; the old one's reference is dropped,
 * and u's queue emptied if the peer changes, as Linux does. */
static void set_peer(struct udgram *u, struct udgram *p)
{
	struct udgram *old;
	struct umsg *purged = NULL;
	uint64_t fl = spin_lock(&u->lock);

	old = u->peer;
	u->peer = p;
	if (old && old != p)
		purged = take_queue(u);
	spin_unlock(&u->lock, fl);
	if (old)
		pollq_del(&u->on_peer);
	if (p)
		pollq_add(&p->room, &u->on_peer);
	put_chain(purged);
	if (old)
		udgram_put(old);
}

static struct file *udgram_new(enum unix_type type, uint32_t flags)
{
	struct udgram *u = kzalloc(sizeof(*u));
	struct file *f =
		u ? file_anon(S_IFSOCK | 0777, &udgram_fops, O_RDWR | (flags & O_NONBLOCK)) : NULL;

	if (!f) {
		kfree(u);
		return NULL;
	}
	spin_init(&u->lock);
	u->refs = 1;
	u->type = type;
	u->bound.type = type;
	waitq_init(&u->rwq);
	waitq_init(&u->swq);
	pollq_init(&u->pq);
	pollq_init(&u->room);
	u->on_peer = (struct pollq_entry){ .wake = room_forward, .priv = u };
	f->priv = u;
	return f;
}

int udgram_create(enum unix_type type, uint32_t flags, struct file **out)
{
	*out = udgram_new(type, flags);
	return *out ? 0 : -ENOMEM;
}

int udgram_pair(enum unix_type type, uint32_t flags, struct file **a, struct file **b)
{
	struct udgram *ua, *ub;

	*a = udgram_new(type, flags);
	*b = *a ? udgram_new(type, flags) : NULL;
	if (!*b) {
		if (*a)
			file_put(*a);
		return -ENOMEM;
	}
	ua = (*a)->priv;
	ub = (*b)->priv;
	udgram_get(ua);
	udgram_get(ub);
	set_peer(ua, ub);
	set_peer(ub, ua);
	return 0;
}

bool udgram_is(const struct file *f)
{
	return f->ops == &udgram_fops;
}

enum unix_type udgram_type(const struct file *f)
{
	const struct udgram *u = f->priv;

	return u->type;
}

int udgram_bind(struct file *f, struct dentry *start, const struct unix_name *n, uint32_t mode)
{
	struct udgram *u = f->priv;
	int r;

	unixname_lock();
	r = unixname_bind(&u->bound, start, n, mode);
	unixname_unlock();
	return r;
}

/* The datagram socket named n, as a reference in *out. */
static int find(struct dentry *start, const struct unix_name *n, enum unix_type type,
		struct udgram **out)
{
	struct unix_bound *b;
	struct inode *node;
	int r = unixname_resolve(start, n, &node);

	if (r)
		return r;
	unixname_lock();
	r = unixname_find(node, n, type, &b);
	if (!r) {
		*out = container_of(b, struct udgram, bound);
		udgram_get(*out);
	}
	unixname_unlock();
	if (node)
		vfs_inode_put(node);
	return r;
}

int udgram_connect(struct file *f, struct dentry *start, const struct unix_name *to)
{
	struct udgram *u = f->priv, *p = NULL;
	uint64_t fl;
	int r;

	if (u->type != UNIX_DGRAM)
		return -EISCONN; /* a seqpacket end is connected for life */
	if (to) {
		r = find(start, to, u->type, &p);
		if (r)
			return r;
		fl = spin_lock(&p->lock);
		r = p->closed		      ? -ECONNREFUSED
		    : p->peer && p->peer != u ? -EPERM /* it takes datagrams from its peer only */
					      : 0;
		spin_unlock(&p->lock, fl);
		if (r) {
			udgram_put(p);
			return r;
		}
	}
	set_peer(u, p);
	return 0;
}

static uint64_t deadline(bool nonblock, uint64_t timeo)
{
	return nonblock ? 1 : timeo ? time_ns() + timeo : 0;
}

/* Sleep on wq under u->lock (held) until woken: 0, -EAGAIN at the deadline (1: at once), or
 * -EINTR for a signal. */
static int wait_on(struct waitq *wq, struct udgram *u, uint64_t until)
{
	if (until == 1)
		return -EAGAIN;
	if (waitq_interrupted())
		return -EINTR;
	return waitq_sleep(wq, &u->lock, until) == -ETIMEDOUT ? -EAGAIN : 0;
}

/* A message of n bytes from ubuf with m's credentials and files (taken over), from u. */
static struct umsg *umsg_new(struct udgram *u, const void *ubuf, size_t n, struct udgram_meta *m,
			     int *err)
{
	struct umsg *msg = kzalloc(sizeof(*msg) + MAX(n, (size_t)1));

	*err = -ENOMEM;
	if (msg && m->nfiles) {
		msg->files = kmalloc(sizeof(*msg->files) * (size_t)m->nfiles);
		if (!msg->files) {
			kfree(msg);
			msg = NULL;
		}
	}
	if (!msg) {
		for (int i = 0; i < m->nfiles; i++)
			file_put(m->files[i]);
		return NULL;
	}
	msg->refs = 1;
	msg->len = n;
	msg->cred = m->cred;
	msg->nfiles = m->nfiles;
	if (m->nfiles)
		memcpy(msg->files, m->files, sizeof(*msg->files) * (size_t)m->nfiles);
	unixname_lock();
	msg->name = u->bound.name;
	unixname_unlock();
	if (copy_from_user(msg->data, ubuf, n)) {
		umsg_put(msg);
		*err = -EFAULT;
		return NULL;
	}
	return msg;
}

/* Wait for room in u's send buffer and charge msg to it. */
static int charge(struct udgram *u, struct umsg *msg, uint64_t until)
{
	uint64_t fl = spin_lock(&u->lock);
	int r = 0;

	while (!r && u->wmem >= SNDBUF)
		r = wait_on(&u->swq, u, until);
	if (!r) {
		u->wmem += cost(msg);
		msg->from = u;
		udgram_get(u);
	}
	spin_unlock(&u->lock, fl);
	return r;
}

/* Queue msg at dst, waiting for room there if it is not connected back to u. */
static int deliver(struct udgram *u, struct udgram *dst, struct umsg *msg, uint64_t until)
{
	uint64_t fl = spin_lock(&dst->lock);
	int r = 0;

	for (;;) {
		if (dst->closed)
			r = u->type == UNIX_SEQPACKET ? -EPIPE : -ECONNREFUSED;
		else if (dst->peer && dst->peer != u)
			r = -EPERM;
		else if (dst->shut & SHUT_RCV)
			r = -EPIPE;
		else if (dst != u && dst->peer != u && dst->qlen > QLEN_MAX)
			r = wait_on(&dst->swq, dst, until);
		else
			break;
		if (r)
			goto out;
	}
	if (dst->tail)
		dst->tail->next = msg;
	else
		dst->head = msg;
	dst->tail = msg;
	dst->qlen++;
	waitq_wake_all(&dst->rwq);
out:
	spin_unlock(&dst->lock, fl);
	if (!r)
		pollq_wake(&dst->pq, POLLIN | POLLRDNORM);
	return r;
}

/* The peer as a reference, or an error for a send without a destination. */
static int peer_of(struct udgram *u, struct udgram **out)
{
	uint64_t fl = spin_lock(&u->lock);
	int r = u->err ? -u->err : !u->peer ? -ENOTCONN : 0;

	if (u->err)
		u->err = 0;
	else if (u->peer)
		udgram_get(*out = u->peer);
	spin_unlock(&u->lock, fl);
	return r;
}

ssize_t udgram_send(struct file *f, struct dentry *start, const struct unix_name *to,
		    const void *ubuf, size_t n, struct udgram_meta *m, bool nonblock)
{
	struct udgram *u = f->priv, *dst = NULL;
	uint64_t until = deadline(nonblock, u->sndtimeo);
	struct umsg *msg;
	int r;

	if (u->type == UNIX_SEQPACKET)
		to = NULL; /* as Linux: the name is ignored */
	r = to ? find(start, to, UNIX_DGRAM, &dst) : peer_of(u, &dst);
	if (!r && n > UDGRAM_MSG_MAX)
		r = -EMSGSIZE;
	if (!r && (READ_ONCE(u->shut) & SHUT_SND))
		r = -EPIPE;
	if (r) {
		for (int i = 0; i < m->nfiles; i++)
			file_put(m->files[i]);
		if (dst)
			udgram_put(dst);
		return r;
	}
	msg = umsg_new(u, ubuf, n, m, &r);
	if (msg && !(r = charge(u, msg, until)))
		r = deliver(u, dst, msg, until);
	if (r && msg)
		umsg_put(msg);
	if (r == -ECONNREFUSED && dst == READ_ONCE(u->peer))
		set_peer(u, NULL); /* the peer is gone: unconnected from now on */
	udgram_put(dst);
	return r ? r : (ssize_t)n;
}

/* The end of data: a seqpacket connection's, or a shut down datagram socket's when waiting. */
static bool at_end(const struct udgram *u, uint64_t until)
{
	return (u->shut & SHUT_RCV) && (u->type == UNIX_SEQPACKET || until != 1);
}

ssize_t udgram_recv(struct file *f, void *ubuf, size_t n, bool peek, bool nonblock,
		    struct udgram_meta *m)
{
	struct udgram *u = f->priv;
	uint64_t until = deadline(nonblock, u->rcvtimeo), fl = spin_lock(&u->lock);
	struct umsg *msg = NULL;
	ssize_t r = 0;

	while (!(msg = u->head)) {
		if (u->err) {
			r = -u->err;
			u->err = 0;
		} else if (at_end(u, until)) {
			r = 0;
		} else if (!(r = wait_on(&u->rwq, u, until))) {
			continue;
		}
		spin_unlock(&u->lock, fl);
		return r;
	}
	if (peek) {
		__atomic_add_fetch(&msg->refs, 1, __ATOMIC_RELAXED);
	} else {
		u->head = msg->next;
		if (!u->head)
			u->tail = NULL;
		msg->next = NULL;
		if (u->qlen-- > QLEN_MAX)
			waitq_wake_all(&u->swq);
	}
	spin_unlock(&u->lock, fl);
	if (!peek)
		pollq_wake(&u->room, POLLOUT);
	r = copy_to_user(ubuf, msg->data, MIN(n, msg->len)) ? -EFAULT : (ssize_t)MIN(n, msg->len);
	if (m) {
		m->got = true;
		m->from = msg->name;
		m->cred = msg->cred;
		m->full = msg->len;
		m->nfiles = 0;
		for (int i = 0; m->files && i < msg->nfiles; i++) {
			if (peek)
				file_get(msg->files[i]);
			m->files[m->nfiles++] = msg->files[i];
		}
		if (m->files && !peek)
			msg->nfiles = 0; /* the caller's now */
	}
	umsg_put(msg);
	return r;
}

int udgram_name(struct file *f, bool peer, struct unix_name *n)
{
	struct udgram *u = f->priv, *of = u;
	uint64_t fl;

	if (peer) {
		fl = spin_lock(&u->lock);
		of = u->peer;
		if (of)
			udgram_get(of);
		spin_unlock(&u->lock, fl);
		if (!of)
			return -ENOTCONN;
	}
	unixname_lock();
	*n = of->bound.name;
	unixname_unlock();
	if (peer)
		udgram_put(of);
	return 0;
}

int udgram_shutdown(struct file *f, int how)
{
	struct udgram *u = f->priv, *p = NULL;
	uint8_t mine, theirs;
	uint64_t fl;

	if (how < 0 || how > 2)
		return -EINVAL;
	mine = (uint8_t)(how + 1); /* SHUT_RD: SHUT_RCV, SHUT_WR: SHUT_SND, SHUT_RDWR: both */
	theirs = (uint8_t)((mine & SHUT_RCV ? SHUT_SND : 0) | (mine & SHUT_SND ? SHUT_RCV : 0));
	fl = spin_lock(&u->lock);
	u->shut |= mine;
	if (u->type == UNIX_SEQPACKET && u->peer)
		udgram_get(p = u->peer);
	waitq_wake_all(&u->rwq);
	waitq_wake_all(&u->swq);
	spin_unlock(&u->lock, fl);
	pollq_wake(&u->pq, POLLIN | POLLOUT | POLLRDHUP);
	if (p) { /* a connection: the peer sees it from its side */
		fl = spin_lock(&p->lock);
		p->shut |= theirs;
		waitq_wake_all(&p->rwq);
		waitq_wake_all(&p->swq);
		spin_unlock(&p->lock, fl);
		pollq_wake(&p->pq, POLLIN | POLLOUT | POLLRDHUP | POLLHUP);
		udgram_put(p);
	}
	return 0;
}

void udgram_label(struct file *f, const struct unix_name *n)
{
	struct udgram *u = f->priv;

	u->bound.name = *n;
}

void udgram_timeouts(struct file *f, uint64_t rcv_ns, uint64_t snd_ns)
{
	struct udgram *u = f->priv;

	u->rcvtimeo = rcv_ns;
	u->sndtimeo = snd_ns;
}

static ssize_t udgram_read(struct file *f, void *ubuf, size_t n, uint64_t *pos)
{
	return udgram_recv(f, ubuf, n, false, f->flags & O_NONBLOCK, NULL);
}

static ssize_t udgram_write(struct file *f, const void *ubuf, size_t n, uint64_t *pos)
{
	struct udgram_meta m = { .nfiles = 0 };

	return udgram_send(f, NULL, NULL, ubuf, n, &m, f->flags & O_NONBLOCK);
}

static uint32_t udgram_poll(struct file *f, struct pollq **pq)
{
	struct udgram *u = f->priv, *p;
	uint64_t fl = spin_lock(&u->lock);
	uint32_t ev = 0;

	if (pq)
		*pq = &u->pq;
	if (u->err)
		ev |= POLLERR;
	if (u->shut & SHUT_RCV)
		ev |= POLLRDHUP | POLLIN | POLLRDNORM;
	if (u->shut == (SHUT_RCV | SHUT_SND))
		ev |= POLLHUP;
	if (u->head)
		ev |= POLLIN | POLLRDNORM;
	p = u->peer;
	/* writable: room in its send buffer (a quarter free, as Linux), and in the queue of a
	 * peer that is not connected back */
	if (u->wmem * 4 <= SNDBUF &&
	    !(p && READ_ONCE(p->peer) != u && READ_ONCE(p->qlen) > QLEN_MAX))
		ev |= POLLOUT | POLLWRNORM;
	spin_unlock(&u->lock, fl);
	return ev;
}

static long udgram_ioctl(struct file *f, unsigned cmd, uint64_t arg)
{
	struct udgram *u = f->priv;
	uint64_t fl;
	int n;

	if (cmd != FIONREAD)
		return -ENOTTY;
	fl = spin_lock(&u->lock);
	n = u->head ? (int)u->head->len : 0; /* as Linux: the next message's length */
	spin_unlock(&u->lock, fl);
	return put_user(n, (int *)arg);
}

static int udgram_release(struct file *f)
{
	struct udgram *u = f->priv, *p;
	struct umsg *queued;
	bool unread;
	uint64_t fl;

	unixname_unbind(&u->bound);
	fl = spin_lock(&u->lock);
	u->closed = true;
	unread = u->head != NULL;
	queued = take_queue(u);
	p = u->peer;
	u->peer = NULL;
	waitq_wake_all(&u->rwq);
	spin_unlock(&u->lock, fl);
	pollq_wake(&u->room, POLLOUT); /* senders waiting for room find it closed */
	put_chain(queued);
	if (p) {
		pollq_del(&u->on_peer);
		if (u->type == UNIX_SEQPACKET) { /* the other end reads its end of data */
			fl = spin_lock(&p->lock);
			p->shut = SHUT_RCV | SHUT_SND;
			if (unread)
				p->err = ECONNRESET;
			waitq_wake_all(&p->rwq);
			waitq_wake_all(&p->swq);
			spin_unlock(&p->lock, fl);
			pollq_wake(&p->pq, POLLIN | POLLHUP | POLLRDHUP);
		}
		udgram_put(p);
	}
	udgram_put(u);
	return 0;
}

static const struct file_ops udgram_fops = {
	.read = udgram_read,
	.write = udgram_write,
	.poll = udgram_poll,
	.ioctl = udgram_ioctl,
	.release = udgram_release,
	.anon_name = "socket:[0]",
};
