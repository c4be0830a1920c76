/* sys_socket.c: the Linux socket calls for AF_INET stream and datagram sockets, on
 * net/socket.c (TCP) and net/udp.c (UDP) over lwIP: socket, bind, listen, accept/accept4,
 * connect, send/recv(to/from) (MSG_PEEK, MSG_WAITALL, MSG_TRUNC), shutdown, socketpair,
 * getsockname/getpeername, and the socket as a file (read, write, poll, FIONREAD, close).
 * AF_INET6 sockets too, dual-stack as Linux's (addresses in sockaddr.c). Options are in
 * sys_sockopt.c, sendmsg/recvmsg in sys_sockmsg.c, AF_UNIX's parts in sys_unix.c, AF_NETLINK's
 * in nlsock.c. */
#include "fs/file.h"
#include "fs/sockpair.h"
#include "fs/unixdgram.h"
#include "fs/unixsock.h"
#include "fs/vfs.h"
#include "core/mm/heap.h"
#include "lib/errno.h"
#include "lib/string.h"
#include "linux/nlsock.h"
#include "linux/signal.h"
#include "linux/socket_file.h"
#include "linux/sockopts.h"
#include "linux/syscall.h"
#include "linux/task.h"
#include "core/uaccess.h"
#include "net/addr.h"
#include "net/socket.h"
#include "net/udp.h"

#define SOCK_TYPE_MASK 0xf
#define SOCK_NONBLOCK O_NONBLOCK
#define SOCK_CLOEXEC O_CLOEXEC
#define FIONREAD 0x541b
#define IO_CHUNK 65536 /* bytes a read or write moves through the kernel at once */

static const struct file_ops sock_fops, dgram_fops;

int sock_kind_of(int fd, struct file **fp)
{
	struct file *f = fd_get(fd);

	if (!f)
		return -EBADF;
	if (f->ops == &sock_fops || f->ops == &dgram_fops || sockpair_is(f) || usock_is(f) ||
	    udgram_is(f)) {
		*fp = f;
		return f->ops == &sock_fops ? SK_TCP : f->ops == &dgram_fops ? SK_UDP : SK_UNIX;
	}
	if (nlsock_is(f)) {
		*fp = f;
		return SK_NETLINK;
	}
	file_put(f);
	return -ENOTSOCK;
}

static ssize_t send_common(struct file *f, const void *ubuf, size_t n, int flags)
{
	bool nonblock = (f->flags & O_NONBLOCK) || (flags & MSG_DONTWAIT);
	size_t k = MIN(n, (size_t)IO_CHUNK);
	void *buf;
	ssize_t r;

	if (!n)
		return 0;
	buf = kmalloc(k);
	if (!buf)
		return -ENOMEM;
	r = copy_from_user(buf, ubuf, k)
		    ? -EFAULT
		    : nsock_send(f->priv, buf, k, sock_deadline(f, true, nonblock), signal_pending);
	kfree(buf);
	if (r == -EPIPE && !(flags & MSG_NOSIGNAL))
		(void)signal_send(current_task(), SIGPIPE, NULL);
	return r;
}

/* One receive of at most IO_CHUNK bytes. */
static ssize_t recv_once(struct file *f, void *ubuf, size_t n, int flags)
{
	bool nonblock = (f->flags & O_NONBLOCK) || (flags & MSG_DONTWAIT);
	size_t k = MIN(n, (size_t)IO_CHUNK);
	void *buf;
	ssize_t r;

	if (!n)
		return 0;
	buf = kmalloc(k);
	if (!buf)
		return -ENOMEM;
	r = nsock_recv(f->priv, buf, k, sock_deadline(f, false, nonblock), flags & MSG_PEEK,
		       signal_pending);
	if (r > 0 && copy_to_user(ubuf, buf, (size_t)r))
		r = -EFAULT;
	kfree(buf);
	return r;
}

/* A receive; MSG_WAITALL: until n bytes, the end of data, an error or a signal. */
static ssize_t recv_common(struct file *f, void *ubuf, size_t n, int flags)
{
	ssize_t got = 0, r;

	do {
		r = recv_once(f, (uint8_t *)ubuf + got, n - (size_t)got, flags);
		if (r <= 0)
			return got ? got : r;
		got += r;
	} while ((flags & MSG_WAITALL) && !(flags & MSG_PEEK) && (size_t)got < n);
	return got;
}

bool sock_is_v6(struct file *f, int kind)
{
	return kind == SK_TCP ? nsock_is_v6(f->priv) : kind == SK_UDP && nudp_is_v6(f->priv);
}

/* A datagram from ubuf, to uaddr when given (else the connected peer). */
static ssize_t dgram_send(struct file *f, const void *ubuf, size_t n, const void *uaddr,
			  uint32_t len)
{
	struct net_addr a;
	void *buf;
	ssize_t r;

	if (uaddr && (r = sock_get_addr(uaddr, len, nudp_is_v6(f->priv), &a)))
		return r;
	if (n > UDP_PAYLOAD_MAX)
		return -EMSGSIZE;
	buf = kmalloc(n ? n : 1);
	if (!buf)
		return -ENOMEM;
	r = copy_from_user(buf, ubuf, n) ? -EFAULT : nudp_send(f->priv, buf, n, uaddr ? &a : NULL);
	kfree(buf);
	return r;
}

/* The next datagram into ubuf (cut to n), its source to (uaddr, ulen) when given, its whole
 * length to *full. */
static ssize_t dgram_recv(struct file *f, void *ubuf, size_t n, int flags, void *uaddr,
			  uint32_t *ulen, size_t *full)
{
	bool nonblock = (f->flags & O_NONBLOCK) || (flags & MSG_DONTWAIT);
	size_t k = MIN(n, (size_t)UDP_PAYLOAD_MAX);
	struct nudp_from from = { 0 };
	void *buf = kmalloc(k ? k : 1);
	ssize_t r;

	if (!buf)
		return -ENOMEM;
	r = nudp_recv(f->priv, buf, k, &from, sock_deadline(f, false, nonblock), flags & MSG_PEEK,
		      signal_pending);
	if (r > 0 && copy_to_user(ubuf, buf, (size_t)r))
		r = -EFAULT;
	kfree(buf);
	if (r >= 0 && uaddr && sock_put_addr(uaddr, ulen, nudp_is_v6(f->priv), &from.addr))
		r = -EFAULT;
	if (r >= 0 && full)
		*full = from.len;
	return r;
}

/* FIONREAD: bytes waiting (a stream), the next datagram's length (UDP). (The interface
 * ioctls, for every socket: sys_file.c's ioctl.) */
static long sock_ioctl(struct file *f, unsigned cmd, uint64_t arg)
{
	int n;

	if (cmd != FIONREAD)
		return -ENOTTY;
	n = (int)MIN(f->ops == &sock_fops ? nsock_pending(f->priv) : nudp_pending(f->priv),
		     (size_t)INT32_MAX);
	return put_user(n, (int *)arg);
}

static ssize_t sock_read(struct file *f, void *ubuf, size_t n, uint64_t *pos)
{
	return recv_common(f, ubuf, n, 0);
}

static ssize_t sock_write(struct file *f, const void *ubuf, size_t n, uint64_t *pos)
{
	return send_common(f, ubuf, n, 0);
}

static uint32_t sock_poll(struct file *f, struct pollq **pq)
{
	return nsock_poll(f->priv, pq);
}

static int sock_release(struct file *f)
{
	const struct sock_opts *o = f->sock_opts;

	if (o && o->linger[0] && !o->linger[1])
		nsock_abort(f->priv); /* Linux: SO_LINGER {1, 0} resets the connection */
	else
		nsock_close(f->priv);
	return 0;
}

static const struct file_ops sock_fops = {
	.read = sock_read,
	.write = sock_write,
	.poll = sock_poll,
	.ioctl = sock_ioctl,
	.release = sock_release,
	.anon_name = "socket:[0]",
};

static ssize_t dgram_read(struct file *f, void *ubuf, size_t n, uint64_t *pos)
{
	return dgram_recv(f, ubuf, n, 0, NULL, NULL, NULL);
}

static ssize_t dgram_write(struct file *f, const void *ubuf, size_t n, uint64_t *pos)
{
	return dgram_send(f, ubuf, n, NULL, 0);
}

static uint32_t dgram_poll(struct file *f, struct pollq **pq)
{
	return nudp_poll(f->priv, pq);
}

static int dgram_release(struct file *f)
{
	nudp_close(f->priv);
	return 0;
}

static const struct file_ops dgram_fops = {
	.read = dgram_read,
	.write = dgram_write,
	.poll = dgram_poll,
	.ioctl = sock_ioctl,
	.release = dgram_release,
	.anon_name = "socket:[0]",
};

/* A file for obj (a TCP or UDP socket, by ops), installed: the descriptor, or -errno (the
 * socket closed then). */
static long install(void *obj, const struct file_ops *ops, int flags)
{
	struct file *f =
		file_anon(S_IFSOCK | 0777, ops, O_RDWR | ((uint32_t)flags & SOCK_NONBLOCK));
	int fd;

	if (!f) {
		if (ops == &dgram_fops)
			nudp_close(obj);
		else
			nsock_close(obj);
		return -ENOMEM;
	}
	f->priv = obj;
	fd = fd_install(f, 0, flags & SOCK_CLOEXEC);
	if (fd < 0)
		file_put(f);
	return fd;
}

SYSCALL_DEFINE3(socket, int, domain, int, type, int, protocol)
{
	int kind = type & SOCK_TYPE_MASK;
	void *obj;

	if (domain != AF_INET && domain != AF_INET6 && domain != AF_UNIX && domain != AF_NETLINK)
		return -EAFNOSUPPORT;
	if (type & ~(SOCK_TYPE_MASK | SOCK_NONBLOCK | SOCK_CLOEXEC))
		return -EINVAL;
	if (domain == AF_NETLINK)
		return nlsock_create(type, protocol);
	if (domain == AF_UNIX)
		return protocol ? -EPROTONOSUPPORT : unix_socket(kind, type & ~SOCK_TYPE_MASK);
	if (kind == SOCK_STREAM && (!protocol || protocol == IPPROTO_TCP)) {
		obj = nsock_tcp(domain == AF_INET6);
		return obj ? install(obj, &sock_fops, type) : -ENOMEM;
	}
	if (kind == SOCK_DGRAM && (!protocol || protocol == IPPROTO_UDP)) {
		obj = nudp_new(domain == AF_INET6);
		return obj ? install(obj, &dgram_fops, type) : -ENOMEM;
	}
	return -EPROTONOSUPPORT;
}

SYSCALL_DEFINE3(bind, int, fd, const void *, uaddr, uint32_t, len)
{
	struct net_addr a;
	struct file *f;
	int kind = sock_kind_of(fd, &f);
	long r;

	if (kind < 0)
		return kind;
	if (kind == SK_UNIX)
		r = unix_bind(f, uaddr, len);
	else if (kind == SK_NETLINK)
		r = nlsock_bind(f, uaddr, len);
	else if (!(r = sock_get_addr(uaddr, len, sock_is_v6(f, kind), &a)))
		r = kind == SK_TCP ? nsock_bind(f->priv, &a) : nudp_bind(f->priv, &a);
	file_put(f);
	return r;
}

SYSCALL_DEFINE2(listen, int, fd, int, backlog)
{
	struct file *f;
	int kind = sock_kind_of(fd, &f);
	long r;

	if (kind < 0)
		return kind;
	r = kind == SK_TCP    ? nsock_listen(f->priv, backlog)
	    : kind == SK_UNIX ? unix_listen(f, backlog)
			      : -EOPNOTSUPP;
	file_put(f);
	return r;
}

SYSCALL_DEFINE4(accept4, int, fd, void *, uaddr, uint32_t *, ulen, int, flags)
{
	struct net_addr peer = { 0 };
	struct nsock *c;
	struct file *f;
	int kind;
	bool v6;
	long r;

	if (flags & ~(SOCK_NONBLOCK | SOCK_CLOEXEC))
		return -EINVAL;
	kind = sock_kind_of(fd, &f);
	if (kind < 0)
		return kind;
	if (kind == SK_UNIX) {
		r = unix_accept(f, uaddr, ulen, flags);
		file_put(f);
		return r;
	}
	r = kind == SK_TCP
		    ? nsock_accept(f->priv, &c, sock_deadline(f, false, f->flags & O_NONBLOCK),
				   signal_pending)
	    : kind == SK_UDP || kind == SK_NETLINK ? -EOPNOTSUPP
						   : -EINVAL;
	if (r) {
		file_put(f);
		return r;
	}
	if (nsock_name(c, true, &peer))
		memset(&peer, 0, sizeof(peer));
	v6 = nsock_is_v6(c);
	r = install(c, &sock_fops, flags);
	if (r >= 0) {
		struct file *a = fd_get((int)r);

		if (a) {
			sock_opts_inherit(f, a);
			file_put(a);
		}
	}
	file_put(f);
	if (r >= 0 && sock_put_addr(uaddr, ulen, v6, &peer))
		return -EFAULT; /* as Linux: the connection stays with its descriptor */
	return r;
}

SYSCALL_DEFINE3(accept, int, fd, void *, uaddr, uint32_t *, ulen)
{
	uint64_t a[4] = { (uint64_t)fd, (uint64_t)uaddr, (uint64_t)ulen, 0 };

	return sys_accept4(a);
}

SYSCALL_DEFINE3(connect, int, fd, const void *, uaddr, uint32_t, len)
{
	struct net_addr a;
	struct file *f;
	int kind = sock_kind_of(fd, &f);
	uint16_t family;
	long r;

	if (kind < 0)
		return kind;
	if (kind == SK_UNIX)
		r = unix_connect(f, uaddr, len);
	else if (kind == SK_NETLINK)
		r = nlsock_connect(f, uaddr, len);
	else if (kind == SK_UDP && len >= sizeof(family) &&
		 !get_user(family, (const uint16_t *)uaddr) && family == AF_UNSPEC)
		r = nudp_connect(f->priv, NULL); /* dissolve the association */
	else if (!(r = sock_get_addr(uaddr, len, sock_is_v6(f, kind), &a)))
		r = kind == SK_TCP ? nsock_connect(f->priv, &a,
						   sock_deadline(f, true, f->flags & O_NONBLOCK),
						   signal_pending)
				   : nudp_connect(f->priv, &a);
	file_put(f);
	return r;
}

static long name(int fd, void *uaddr, uint32_t *ulen, bool peer)
{
	struct net_addr a;
	struct file *f;
	int kind = sock_kind_of(fd, &f);
	bool v6;
	long r;

	if (kind < 0)
		return kind;
	if (kind == SK_UNIX || kind == SK_NETLINK) {
		r = kind == SK_UNIX ? unix_name(f, peer, uaddr, ulen)
				    : nlsock_name(f, peer, uaddr, ulen);
		file_put(f);
		return r;
	}
	v6 = sock_is_v6(f, kind);
	r = kind == SK_TCP ? nsock_name(f->priv, peer, &a) : nudp_name(f->priv, peer, &a);
	file_put(f);
	if (r == -ENOTCONN && !peer) { /* not bound yet: the any address, port 0 */
		memset(&a, 0, sizeof(a));
		a.v6 = v6;
		r = 0;
	}
	return r ? r : sock_put_addr(uaddr, ulen, v6, &a);
}

SYSCALL_DEFINE3(getsockname, int, fd, void *, uaddr, uint32_t *, ulen)
{
	return name(fd, uaddr, ulen, false);
}

SYSCALL_DEFINE3(getpeername, int, fd, void *, uaddr, uint32_t *, ulen)
{
	return name(fd, uaddr, ulen, true);
}

ssize_t sock_send(struct file *f, int kind, const void *ubuf, size_t n, int flags,
		  const void *uaddr, uint32_t alen)
{
	if (kind == SK_UDP)
		return dgram_send(f, ubuf, n, uaddr, alen);
	if (kind == SK_UNIX)
		return unix_send(f, ubuf, n, flags, uaddr, alen);
	if (kind == SK_NETLINK)
		return nlsock_send(f, ubuf, n, flags, uaddr, alen);
	if (uaddr)
		return -EISCONN;
	return send_common(f, ubuf, n, flags);
}

ssize_t sock_recv(struct file *f, int kind, void *ubuf, size_t n, int flags, void *uaddr,
		  uint32_t *ulen, size_t *full)
{
	struct net_addr a;
	ssize_t r;

	if (flags &
	    ~(MSG_DONTWAIT | MSG_NOSIGNAL | MSG_PEEK | MSG_WAITALL | MSG_TRUNC | MSG_CMSG_CLOEXEC))
		return -EOPNOTSUPP;
	if (kind == SK_UDP)
		return dgram_recv(f, ubuf, n, flags, uaddr, ulen, full);
	if (kind == SK_UNIX)
		return unix_recv(f, ubuf, n, flags, uaddr, ulen, full);
	if (kind == SK_NETLINK)
		return nlsock_recv(f, ubuf, n, flags, uaddr, ulen, full);
	if ((r = recv_common(f, ubuf, n, flags)) >= 0 && uaddr && !nsock_name(f->priv, true, &a) &&
	    sock_put_addr(uaddr, ulen, nsock_is_v6(f->priv), &a))
		r = -EFAULT;
	if (r >= 0 && full)
		*full = (size_t)r;
	return r;
}

SYSCALL_DEFINE6(sendto, int, fd, const void *, ubuf, size_t, n, int, flags, const void *, uaddr,
		uint32_t, len)
{
	struct file *f;
	int kind = sock_kind_of(fd, &f);
	long r;

	if (kind < 0)
		return kind;
	r = sock_send(f, kind, ubuf, n, flags, uaddr, len);
	file_put(f);
	return r;
}

SYSCALL_DEFINE6(recvfrom, int, fd, void *, ubuf, size_t, n, int, flags, void *, uaddr, uint32_t *,
		ulen)
{
	struct file *f;
	int kind = sock_kind_of(fd, &f);
	size_t full = 0;
	long r;

	if (kind < 0)
		return kind;
	r = sock_recv(f, kind, ubuf, n, flags, uaddr, ulen, &full);
	file_put(f);
	if (r >= 0 && (kind == SK_UDP || kind == SK_NETLINK) && (flags & MSG_TRUNC))
		r = (long)full; /* Linux: the datagram's real length */
	return r;
}

SYSCALL_DEFINE2(shutdown, int, fd, int, how)
{
	struct file *f;
	int kind = sock_kind_of(fd, &f);
	long r;

	if (kind < 0)
		return kind;
	r = kind == SK_TCP	 ? nsock_shutdown(f->priv, how)
	    : kind == SK_UNIX	 ? unix_shutdown(f, how)
	    : kind == SK_NETLINK ? -EOPNOTSUPP
				 : -ENOTCONN;
	file_put(f);
	return r;
}

SYSCALL_DEFINE4(socketpair, int, domain, int, type, int, protocol, int *, usv)
{
	struct file *a, *b;
	int sv[2];

	if (domain != AF_UNIX)
		return -EAFNOSUPPORT;
	if (type & ~(SOCK_TYPE_MASK | SOCK_NONBLOCK | SOCK_CLOEXEC))
		return -EINVAL;
	if (protocol)
		return -EPROTONOSUPPORT;
	sv[0] = unix_pair(type & SOCK_TYPE_MASK, (uint32_t)type & SOCK_NONBLOCK, &a, &b);
	if (sv[0])
		return sv[0];
	sv[0] = fd_install(a, 0, type & SOCK_CLOEXEC);
	if (sv[0] < 0) {
		file_put(a);
		file_put(b);
		return sv[0];
	}
	sv[1] = fd_install(b, 0, type & SOCK_CLOEXEC);
	if (sv[1] < 0) {
		file_put(b);
		(void)fd_close(sv[0]);
		return sv[1];
	}
	if (copy_to_user(usv, sv, sizeof(sv))) {
		(void)fd_close(sv[0]);
		(void)fd_close(sv[1]);
		return -EFAULT;
	}
	return 0;
}
