/* nlsock.c: AF_NETLINK sockets (nlsock.h): port ids, the receive queue of datagrams, and the
 * socket as a file (read, write, poll, close; the interface ioctls are sys_file.c's). */
#include "linux/nlsock.h"
#include "core/mm/heap.h"
#include "core/sched/wait.h"
#include "core/uaccess.h"
#include "fs/file.h"
#include "fs/pollq.h"
#include "fs/vfs.h"
#include "lib/errno.h"
#include "lib/spinlock.h"
#include "lib/string.h"
#include "linux/nlmsg.h"
#include "linux/rtnl.h"
#include "linux/socket_file.h"
#include "linux/sockopts.h"
#include "linux/task.h"
#include "net/socket.h"

#define SOCK_RAW 3
#define SOCK_TYPE_MASK 0xf
#define NETLINK_ROUTE 0
#define AUTOBIND_START (-4096) /* Linux's first port id after the process's own */

enum {
	NETLINK_ADD_MEMBERSHIP = 1,
	NETLINK_DROP_MEMBERSHIP,
	NETLINK_PKTINFO,
	NETLINK_BROADCAST_ERROR,
	NETLINK_NO_ENOBUFS,
	NETLINK_LISTEN_ALL_NSID = 8,
	NETLINK_LIST_MEMBERSHIPS,
	NETLINK_CAP_ACK,
	NETLINK_EXT_ACK,
	NETLINK_GET_STRICT_CHK,
};

struct sockaddr_nl_k {
	uint16_t family, pad;
	uint32_t pid, groups;
};

struct nlsock {
	struct spinlock lock; /* the queue */
	struct nl_dgram *head, *tail;
	struct waitq rwq; /* receivers waiting for a datagram */
	struct pollq pq;
	int type;
	bool bound;		      /* pid and groups under names_lock */
	uint32_t pid, groups;	      /* groups: bit n - 1 for group n (1..32) */
	uint32_t dst_pid, dst_groups; /* connect's */
	uint32_t opts;		      /* bit n: on/off option n of SOL_NETLINK */
	struct nlsock *next_bound;
};

/* The bound sockets, by port id. */
static struct spinlock names_lock = SPINLOCK_INIT;
static struct nlsock *bound_list;
static int32_t next_autobind = AUTOBIND_START;

static const struct file_ops nl_fops;

bool nlsock_is(const struct file *f)
{
	return f->ops == &nl_fops;
}

/* Under names_lock: the socket bound to pid. */
static struct nlsock *lookup(uint32_t pid)
{
	for (struct nlsock *s = bound_list; s; s = s->next_bound)
		if (s->pid == pid)
			return s;
	return NULL;
}

/* Under names_lock: bind s to pid (0: a free one, the process's id first). */
static int bind_locked(struct nlsock *s, uint32_t pid)
{
	if (s->bound)
		return !pid || pid == s->pid ? 0 : -EINVAL;
	if (!pid) {
		pid = (uint32_t)current_process()->pid;
		while (lookup(pid))
			pid = (uint32_t)next_autobind--;
	} else if (lookup(pid)) {
		return -EADDRINUSE;
	}
	s->pid = pid;
	s->bound = true;
	s->next_bound = bound_list;
	bound_list = s;
	return 0;
}

static int autobind(struct nlsock *s)
{
	uint64_t fl = spin_lock(&names_lock);
	int r = bind_locked(s, 0);

	spin_unlock(&names_lock, fl);
	return r;
}

/* Append the datagrams d to s's queue and wake its readers. */
static void enqueue(struct nlsock *s, struct nl_dgram *d)
{
	uint64_t fl;

	if (!d)
		return;
	fl = spin_lock(&s->lock);
	if (s->tail)
		s->tail->next = d;
	else
		s->head = d;
	while (d->next)
		d = d->next;
	s->tail = d;
	waitq_wake_all(&s->rwq);
	spin_unlock(&s->lock, fl);
	pollq_wake(&s->pq, POLLIN | POLLRDNORM);
}

static int get_addr(const void *uaddr, uint32_t len, struct sockaddr_nl_k *a)
{
	if (len < sizeof(*a))
		return -EINVAL;
	if (copy_from_user(a, uaddr, sizeof(*a)))
		return -EFAULT;
	return a->family == AF_NETLINK ? 0 : -EINVAL;
}

static int put_addr(void *uaddr, uint32_t *ulen, uint32_t pid, uint32_t groups)
{
	struct sockaddr_nl_k a = { .family = AF_NETLINK, .pid = pid, .groups = groups };
	uint32_t len;

	if (!uaddr)
		return 0;
	if (get_user(len, ulen))
		return -EFAULT;
	if ((int32_t)len < 0)
		return -EINVAL;
	if (copy_to_user(uaddr, &a, MIN(len, (uint32_t)sizeof(a))))
		return -EFAULT;
	return put_user((uint32_t)sizeof(a), ulen);
}

long nlsock_bind(struct file *f, const void *uaddr, uint32_t len)
{
	struct nlsock *s = f->priv;
	struct sockaddr_nl_k a;
	uint64_t fl;
	int r = get_addr(uaddr, len, &a);

	if (r)
		return r;
	fl = spin_lock(&names_lock);
	r = bind_locked(s, a.pid);
	if (!r)
		s->groups = a.groups;
	spin_unlock(&names_lock, fl);
	return r;
}

long nlsock_connect(struct file *f, const void *uaddr, uint32_t len)
{
	struct nlsock *s = f->priv;
	struct sockaddr_nl_k a = { 0 };
	int r;

	if (len >= sizeof(a.family) && !get_user(a.family, (const uint16_t *)uaddr) &&
	    a.family == AF_UNSPEC) {
		s->dst_pid = s->dst_groups = 0;
		return 0;
	}
	if ((r = get_addr(uaddr, len, &a)) || (r = autobind(s)))
		return r;
	s->dst_pid = a.pid;
	s->dst_groups = a.groups;
	return 0;
}

long nlsock_name(struct file *f, bool peer, void *uaddr, uint32_t *ulen)
{
	struct nlsock *s = f->priv;
	uint64_t fl = spin_lock(&names_lock);
	uint32_t pid = peer ? s->dst_pid : s->bound ? s->pid : 0;
	uint32_t groups = peer ? s->dst_groups : s->groups;

	spin_unlock(&names_lock, fl);
	return put_addr(uaddr, ulen, pid, groups);
}

/* To another socket: a copy of buf into its queue, or -ECONNREFUSED without one. */
static ssize_t send_user(struct nlsock *s, uint32_t to, const void *buf, size_t n)
{
	struct nl_dgram *d = kmalloc(sizeof(*d) + MAX(n, (size_t)1));
	struct nlsock *t;
	uint64_t fl;

	if (!d)
		return -ENOMEM;
	*d = (struct nl_dgram){ .from = s->pid, .len = n };
	memcpy(d->data, buf, n);
	fl = spin_lock(&names_lock);
	t = lookup(to);
	if (t) /* under names_lock: t cannot be released meanwhile */
		enqueue(t, d);
	spin_unlock(&names_lock, fl);
	if (!t)
		kfree(d);
	return t ? (ssize_t)n : -ECONNREFUSED;
}

ssize_t nlsock_send(struct file *f, const void *ubuf, size_t n, int flags, const void *uaddr,
		    uint32_t alen)
{
	struct nlsock *s = f->priv;
	struct sockaddr_nl_k a = { .pid = s->dst_pid, .groups = s->dst_groups };
	const struct sock_opts *o = READ_ONCE(f->sock_opts);
	struct nl_out out = { 0 };
	void *buf;
	ssize_t r;

	if (uaddr && (r = get_addr(uaddr, alen, &a)))
		return r;
	if (n > (size_t)(o ? o->sndbuf : BUF_MAX) - 32)
		return -EMSGSIZE;
	if ((r = autobind(s)))
		return r;
	if (!a.pid && a.groups) /* multicast: nobody here listens to it */
		return (ssize_t)n;
	buf = kmalloc(MAX(n, (size_t)1));
	if (!buf)
		return -ENOMEM;
	if (copy_from_user(buf, ubuf, n)) {
		kfree(buf);
		return -EFAULT;
	}
	if (a.pid) {
		r = send_user(s, a.pid, buf, n);
	} else {
		struct rtnl_req req = { .pid = s->pid,
					.cap_ack = s->opts & (1u << NETLINK_CAP_ACK),
					.strict = s->opts & (1u << NETLINK_GET_STRICT_CHK) };

		rtnl_input(&req, buf, n, &out);
		enqueue(s, out.head);
		r = (ssize_t)n;
	}
	kfree(buf);
	return r;
}

ssize_t nlsock_recv(struct file *f, void *ubuf, size_t n, int flags, void *uaddr, uint32_t *ulen,
		    size_t *full)
{
	struct nlsock *s = f->priv;
	bool nonblock = (f->flags & O_NONBLOCK) || (flags & MSG_DONTWAIT);
	uint64_t until = sock_deadline(f, false, nonblock), fl = spin_lock(&s->lock);
	struct nl_dgram *d;
	ssize_t r = 0;

	while (!(d = s->head)) {
		if (until == NET_NOWAIT)
			r = -EAGAIN;
		else if (waitq_interrupted())
			r = -EINTR;
		else if (waitq_sleep(&s->rwq, &s->lock, until) == -ETIMEDOUT)
			r = -EAGAIN;
		if (r) {
			spin_unlock(&s->lock, fl);
			return r;
		}
	}
	if (flags & MSG_PEEK) { /* a copy: another reader may take it meanwhile */
		struct nl_dgram *c = kmalloc(sizeof(*c) + d->len);

		if (c)
			memcpy(c, d, sizeof(*c) + d->len);
		d = c;
	} else {
		s->head = d->next;
		if (!s->head)
			s->tail = NULL;
	}
	spin_unlock(&s->lock, fl);
	if (!d)
		return -ENOMEM;
	r = copy_to_user(ubuf, d->data, MIN(n, d->len)) ? -EFAULT : (ssize_t)MIN(n, d->len);
	if (full)
		*full = d->len;
	if (r >= 0 && put_addr(uaddr, ulen, d->from, 0))
		r = -EFAULT;
	kfree(d);
	return r;
}

/* The on/off options, kept as bits of s->opts. */
static bool flag_opt(int opt)
{
	return opt == NETLINK_PKTINFO || opt == NETLINK_BROADCAST_ERROR ||
	       opt == NETLINK_NO_ENOBUFS || opt == NETLINK_LISTEN_ALL_NSID ||
	       opt == NETLINK_CAP_ACK || opt == NETLINK_EXT_ACK || opt == NETLINK_GET_STRICT_CHK;
}

long nlsock_setsockopt(struct file *f, int opt, const void *uval, uint32_t len)
{
	struct nlsock *s = f->priv;
	uint32_t v;

	if (len < sizeof(v))
		return -EINVAL;
	if (copy_from_user(&v, uval, sizeof(v)))
		return -EFAULT;
	switch (opt) {
	case NETLINK_ADD_MEMBERSHIP:
	case NETLINK_DROP_MEMBERSHIP:
		if (autobind(s))
			return -ENOMEM;
		if (v >= 1 && v <= 32)
			s->groups = opt == NETLINK_ADD_MEMBERSHIP ? s->groups | 1u << (v - 1)
								  : s->groups & ~(1u << (v - 1));
		return 0;
	default:
		if (!flag_opt(opt))
			return -ENOPROTOOPT;
		s->opts = v ? s->opts | 1u << opt : s->opts & ~(1u << opt);
		return 0;
	}
}

long nlsock_getsockopt(struct file *f, int opt, void *uval, uint32_t *ulen)
{
	struct nlsock *s = f->priv;
	uint32_t len, v;

	if (get_user(len, ulen))
		return -EFAULT;
	if (opt == NETLINK_LIST_MEMBERSHIPS) { /* the groups' bit map, its whole size in *ulen */
		if (copy_to_user(uval, &s->groups, MIN(len, (uint32_t)sizeof(s->groups))))
			return -EFAULT;
		return put_user((uint32_t)sizeof(s->groups), ulen);
	}
	if (!flag_opt(opt))
		return -ENOPROTOOPT;
	if (len < sizeof(v))
		return -EINVAL;
	v = (s->opts >> opt) & 1;
	if (copy_to_user(uval, &v, sizeof(v)))
		return -EFAULT;
	return put_user((uint32_t)sizeof(v), ulen);
}

int nlsock_type(struct file *f)
{
	return ((struct nlsock *)f->priv)->type;
}

int nlsock_protocol(struct file *f)
{
	return NETLINK_ROUTE;
}

static ssize_t nl_read(struct file *f, void *ubuf, size_t n, uint64_t *pos)
{
	return nlsock_recv(f, ubuf, n, 0, NULL, NULL, NULL);
}

static ssize_t nl_write(struct file *f, const void *ubuf, size_t n, uint64_t *pos)
{
	return nlsock_send(f, ubuf, n, 0, NULL, 0);
}

static uint32_t nl_poll(struct file *f, struct pollq **pq)
{
	struct nlsock *s = f->priv;

	if (pq)
		*pq = &s->pq;
	return POLLOUT | POLLWRNORM | (READ_ONCE(s->head) ? POLLIN | POLLRDNORM : 0);
}

static int nl_release(struct file *f)
{
	struct nlsock *s = f->priv;
	uint64_t fl = spin_lock(&names_lock);

	for (struct nlsock **p = &bound_list; *p; p = &(*p)->next_bound)
		if (*p == s) {
			*p = s->next_bound;
			break;
		}
	spin_unlock(&names_lock, fl);
	nl_dgrams_free(s->head);
	kfree(s);
	return 0;
}

static const struct file_ops nl_fops = {
	.read = nl_read,
	.write = nl_write,
	.poll = nl_poll,
	.release = nl_release,
	.anon_name = "socket:[0]",
};

long nlsock_create(int type, int protocol)
{
	int kind = type & SOCK_TYPE_MASK;
	struct nlsock *s;
	struct file *f;
	int fd;

	if (kind != SOCK_RAW && kind != SOCK_DGRAM)
		return -ESOCKTNOSUPPORT;
	if (protocol != NETLINK_ROUTE)
		return -EPROTONOSUPPORT;
	s = kzalloc(sizeof(*s));
	if (!s)
		return -ENOMEM;
	spin_init(&s->lock);
	waitq_init(&s->rwq);
	pollq_init(&s->pq);
	s->type = kind;
	f = file_anon(S_IFSOCK | 0777, &nl_fops, O_RDWR | ((uint32_t)type & O_NONBLOCK));
	if (!f) {
		kfree(s);
		return -ENOMEM;
	}
	f->priv = s;
	fd = fd_install(f, 0, type & O_CLOEXEC);
	if (fd < 0)
		file_put(f);
	return fd;
}
