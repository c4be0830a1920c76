/* sys_socket.c: the Linux socket calls for AF_INET stream and datagram sockets, on
 * net/socket.c (TCP) and net/udp.c (UDP) over lwIP: socket, bind, listen, accept/accept4,
 * connect, send/recv(to/from), shutdown, get/setsockopt, getsockname/getpeername, and the
 * socket as a file (read, write, poll, close). IPv6 and AF_UNIX sockets are not there yet
 * (-EAFNOSUPPORT). */
#include "fs/file.h"
#include "fs/sockpair.h"
#include "fs/vfs.h"
#include "core/mm/heap.h"
#include "lib/errno.h"
#include "lib/string.h"
#include "linux/signal.h"
#include "linux/syscall.h"
#include "linux/task.h"
#include "linux/uaccess.h"
#include "net/socket.h"
#include "net/udp.h"

#define AF_UNIX 1
#define AF_INET 2
#define SOCK_STREAM 1
#define SOCK_DGRAM 2
#define IPPROTO_UDP 17
#define AF_UNSPEC 0
#define SOCK_TYPE_MASK 0xf
#define SOCK_NONBLOCK O_NONBLOCK
#define SOCK_CLOEXEC O_CLOEXEC
#define IPPROTO_TCP 6
#define SOL_SOCKET 1
#define SO_REUSEADDR 2
#define SO_TYPE 3
#define SO_ERROR 4
#define SO_SNDBUF 7
#define SO_RCVBUF 8
#define SO_KEEPALIVE 9
#define SO_REUSEPORT 15
#define TCP_NODELAY 1
#define MSG_DONTWAIT 0x40
#define MSG_NOSIGNAL 0x4000
#define IO_CHUNK 65536 /* bytes a read or write moves through the kernel at once */

struct sockaddr_in_k {
	uint16_t family;
	uint16_t port; /* network order */
	uint32_t addr; /* network order */
	uint8_t zero[8];
};

static const struct file_ops sock_fops, dgram_fops;

/* What a socket descriptor refers to. */
enum sock_kind { SK_TCP = 1, SK_UDP, SK_PAIR /* an AF_UNIX socketpair end */ };

/* What fd is, an enum sock_kind (*fp its file, a reference), or -EBADF, -ENOTSOCK. */
static int kind_of(int fd, struct file **fp)
{
	struct file *f = fd_get(fd);

	if (!f)
		return -EBADF;
	if (f->ops == &sock_fops || f->ops == &dgram_fops || sockpair_is(f)) {
		*fp = f;
		return f->ops == &sock_fops ? SK_TCP : f->ops == &dgram_fops ? SK_UDP : SK_PAIR;
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
	r = copy_from_user(buf, ubuf, k) ? -EFAULT
					 : nsock_send(f->priv, buf, k, nonblock, signal_pending);
	kfree(buf);
	if (r == -EPIPE && !(flags & MSG_NOSIGNAL))
		(void)signal_send(current_task(), SIGPIPE, NULL);
	return r;
}

static ssize_t recv_common(struct file *f, void *ubuf, size_t n, int flags)
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
	r = nsock_recv(f->priv, buf, k, nonblock, signal_pending);
	if (r > 0 && copy_to_user(ubuf, buf, (size_t)r))
		r = -EFAULT;
	kfree(buf);
	return r;
}

static int put_addr(void *uaddr, uint32_t *ulen, uint32_t addr, uint16_t port);

/* A datagram from ubuf, to uaddr when given (else the connected peer). */
static ssize_t dgram_send(struct file *f, const void *ubuf, size_t n, const void *uaddr,
			  uint32_t len)
{
	struct sockaddr_in_k a = { 0 };
	void *buf;
	ssize_t r;

	if (uaddr) {
		if (len < sizeof(a))
			return -EINVAL;
		if (copy_from_user(&a, uaddr, sizeof(a)))
			return -EFAULT;
		if (a.family != AF_INET)
			return -EAFNOSUPPORT;
	}
	if (n > UDP_PAYLOAD_MAX)
		return -EMSGSIZE;
	buf = kmalloc(n ? n : 1);
	if (!buf)
		return -ENOMEM;
	r = copy_from_user(buf, ubuf, n)
		    ? -EFAULT
		    : nudp_send(f->priv, buf, n, uaddr != NULL, a.addr, a.port);
	kfree(buf);
	return r;
}

/* The next datagram into ubuf (cut to n), its source to (uaddr, ulen) when given. */
static ssize_t dgram_recv(struct file *f, void *ubuf, size_t n, int flags, void *uaddr,
			  uint32_t *ulen)
{
	bool nonblock = (f->flags & O_NONBLOCK) || (flags & MSG_DONTWAIT);
	size_t k = MIN(n, (size_t)UDP_PAYLOAD_MAX);
	uint32_t addr = 0;
	uint16_t port = 0;
	void *buf = kmalloc(k ? k : 1);
	ssize_t r;

	if (!buf)
		return -ENOMEM;
	r = nudp_recv(f->priv, buf, k, &addr, &port, nonblock, signal_pending);
	if (r > 0 && copy_to_user(ubuf, buf, (size_t)r))
		r = -EFAULT;
	kfree(buf);
	if (r >= 0 && uaddr && put_addr(uaddr, ulen, addr, port))
		r = -EFAULT;
	return r;
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
	nsock_close(f->priv);
	return 0;
}

static const struct file_ops sock_fops = {
	.read = sock_read,
	.write = sock_write,
	.poll = sock_poll,
	.release = sock_release,
	.anon_name = "socket:[0]",
};

static ssize_t dgram_read(struct file *f, void *ubuf, size_t n, uint64_t *pos)
{
	return dgram_recv(f, ubuf, n, 0, NULL, NULL);
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
	.release = dgram_release,
	.anon_name = "socket:[0]",
};

/* A file for obj (a TCP or UDP socket, by ops), installed: the descriptor, or -errno (the
 * socket closed then). */
static long install(void *obj, const struct file_ops *ops, int flags)
{
	struct inode *ino = vfs_anon_inode(S_IFSOCK | 0777, ops);
	struct file *f =
		ino ? file_alloc(ino, NULL, ops, O_RDWR | ((uint32_t)flags & SOCK_NONBLOCK)) : NULL;
	int fd;

	if (ino)
		vfs_inode_put(ino);
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

static int get_addr(const void *uaddr, uint32_t len, struct sockaddr_in_k *a)
{
	if (len < sizeof(*a))
		return -EINVAL;
	if (copy_from_user(a, uaddr, sizeof(*a)))
		return -EFAULT;
	return a->family == AF_INET ? 0 : -EAFNOSUPPORT;
}

/* Write an address to (uaddr, *ulen) as Linux does: cut to the buffer, *ulen the full size. */
static int put_addr(void *uaddr, uint32_t *ulen, uint32_t addr, uint16_t port)
{
	struct sockaddr_in_k a = { .family = AF_INET, .port = port, .addr = addr };
	uint32_t len;

	if (!uaddr)
		return 0;
	if (get_user(len, ulen))
		return -EFAULT;
	if ((int32_t)len < 0)
		return -EINVAL;
	if (copy_to_user(uaddr, &a, MIN(len, (uint32_t)sizeof(a))))
		return -EFAULT;
	len = sizeof(a);
	return put_user(len, ulen);
}

SYSCALL_DEFINE3(socket, int, domain, int, type, int, protocol)
{
	int kind = type & SOCK_TYPE_MASK;
	void *obj;

	if (domain != AF_INET)
		return -EAFNOSUPPORT;
	if (type & ~(SOCK_TYPE_MASK | SOCK_NONBLOCK | SOCK_CLOEXEC))
		return -EINVAL;
	if (kind == SOCK_STREAM && (!protocol || protocol == IPPROTO_TCP)) {
		obj = nsock_tcp();
		return obj ? install(obj, &sock_fops, type) : -ENOMEM;
	}
	if (kind == SOCK_DGRAM && (!protocol || protocol == IPPROTO_UDP)) {
		obj = nudp_new();
		return obj ? install(obj, &dgram_fops, type) : -ENOMEM;
	}
	return -EPROTONOSUPPORT;
}

SYSCALL_DEFINE3(bind, int, fd, const void *, uaddr, uint32_t, len)
{
	struct sockaddr_in_k a;
	struct file *f;
	int kind = kind_of(fd, &f);
	long r;

	if (kind < 0)
		return kind;
	r = kind == SK_PAIR ? -EINVAL : get_addr(uaddr, len, &a);
	if (!r)
		r = kind == SK_TCP ? nsock_bind(f->priv, a.addr, a.port)
				   : nudp_bind(f->priv, a.addr, a.port);
	file_put(f);
	return r;
}

SYSCALL_DEFINE2(listen, int, fd, int, backlog)
{
	struct file *f;
	int kind = kind_of(fd, &f);
	long r;

	if (kind < 0)
		return kind;
	r = kind == SK_TCP   ? nsock_listen(f->priv, backlog)
	    : kind == SK_UDP ? -EOPNOTSUPP
			     : -EINVAL;
	file_put(f);
	return r;
}

SYSCALL_DEFINE4(accept4, int, fd, void *, uaddr, uint32_t *, ulen, int, flags)
{
	struct nsock *c;
	struct file *f;
	int kind;
	uint32_t addr = 0;
	uint16_t port = 0;
	long r;

	if (flags & ~(SOCK_NONBLOCK | SOCK_CLOEXEC))
		return -EINVAL;
	kind = kind_of(fd, &f);
	if (kind < 0)
		return kind;
	r = kind == SK_TCP   ? nsock_accept(f->priv, &c, f->flags & O_NONBLOCK, signal_pending)
	    : kind == SK_UDP ? -EOPNOTSUPP
			     : -EINVAL;
	file_put(f);
	if (r)
		return r;
	if (nsock_name(c, true, &addr, &port)) {
		addr = 0;
		port = 0;
	}
	r = install(c, &sock_fops, flags);
	if (r >= 0 && put_addr(uaddr, ulen, addr, port))
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
	struct sockaddr_in_k a;
	struct file *f;
	int kind = kind_of(fd, &f);
	long r;

	if (kind < 0)
		return kind;
	if (kind == SK_PAIR)
		r = -EISCONN;
	else if (kind == SK_UDP && len >= sizeof(uint16_t) &&
		 !get_user(a.family, (const uint16_t *)uaddr) && a.family == AF_UNSPEC)
		r = nudp_connect(f->priv, 0, 0); /* dissolve the association */
	else if (!(r = get_addr(uaddr, len, &a)))
		r = kind == SK_TCP ? nsock_connect(f->priv, a.addr, a.port, f->flags & O_NONBLOCK,
						   signal_pending)
				   : nudp_connect(f->priv, a.addr, a.port);
	file_put(f);
	return r;
}

static long name(int fd, void *uaddr, uint32_t *ulen, bool peer)
{
	struct file *f;
	int kind = kind_of(fd, &f);
	uint32_t addr;
	uint16_t port;
	long r;

	if (kind < 0)
		return kind;
	if (kind == SK_PAIR) { /* an unnamed AF_UNIX socket: just the family */
		uint16_t family = AF_UNIX;
		uint32_t len;

		file_put(f);
		if (get_user(len, ulen))
			return -EFAULT;
		if (copy_to_user(uaddr, &family, MIN(len, (uint32_t)sizeof(family))))
			return -EFAULT;
		len = sizeof(family);
		return put_user(len, ulen);
	}
	r = kind == SK_TCP ? nsock_name(f->priv, peer, &addr, &port)
			   : nudp_name(f->priv, peer, &addr, &port);
	file_put(f);
	if (r == -ENOTCONN && !peer) /* not bound yet: 0.0.0.0:0 */
		addr = port = 0, r = 0;
	return r ? r : put_addr(uaddr, ulen, addr, port);
}

SYSCALL_DEFINE3(getsockname, int, fd, void *, uaddr, uint32_t *, ulen)
{
	return name(fd, uaddr, ulen, false);
}

SYSCALL_DEFINE3(getpeername, int, fd, void *, uaddr, uint32_t *, ulen)
{
	return name(fd, uaddr, ulen, true);
}

SYSCALL_DEFINE6(sendto, int, fd, const void *, ubuf, size_t, n, int, flags, const void *, uaddr,
		uint32_t, len)
{
	struct file *f;
	int kind = kind_of(fd, &f);
	long r;

	if (kind < 0)
		return kind;
	if (kind == SK_PAIR)
		r = uaddr ? -EISCONN : f->ops->write(f, ubuf, n, &f->pos);
	else if (kind == SK_UDP)
		r = dgram_send(f, ubuf, n, uaddr, len);
	else
		r = uaddr ? -EISCONN : send_common(f, ubuf, n, flags);
	file_put(f);
	return r;
}

SYSCALL_DEFINE6(recvfrom, int, fd, void *, ubuf, size_t, n, int, flags, void *, uaddr, uint32_t *,
		ulen)
{
	struct file *f;
	int kind = kind_of(fd, &f);
	uint32_t addr;
	uint16_t port;
	long r;

	if (kind < 0)
		return kind;
	if (flags & ~(MSG_DONTWAIT | MSG_NOSIGNAL))
		r = -EOPNOTSUPP;
	else if (kind == SK_PAIR)
		r = f->ops->read(f, ubuf, n, &f->pos);
	else if (kind == SK_UDP)
		r = dgram_recv(f, ubuf, n, flags, uaddr, ulen);
	else if ((r = recv_common(f, ubuf, n, flags)) >= 0 && uaddr &&
		 !nsock_name(f->priv, true, &addr, &port) && put_addr(uaddr, ulen, addr, port))
		r = -EFAULT;
	file_put(f);
	return r;
}

SYSCALL_DEFINE2(shutdown, int, fd, int, how)
{
	struct file *f;
	int kind = kind_of(fd, &f);
	long r;

	if (kind < 0)
		return kind;
	r = kind == SK_TCP    ? nsock_shutdown(f->priv, how)
	    : kind == SK_PAIR ? sockpair_shutdown(f, how)
			      : -ENOTCONN;
	file_put(f);
	return r;
}

SYSCALL_DEFINE5(setsockopt, int, fd, int, level, int, opt, const void *, uval, uint32_t, len)
{
	struct file *f;
	int kind = kind_of(fd, &f), v = 0;
	long r = 0;

	if (kind < 0)
		return kind;
	if (len < sizeof(v))
		r = -EINVAL;
	else if (copy_from_user(&v, uval, sizeof(v)))
		r = -EFAULT;
	else if (kind == SK_TCP && level == IPPROTO_TCP && opt == TCP_NODELAY)
		nsock_nodelay(f->priv, v != 0);
	else if (level != SOL_SOCKET ||
		 (opt != SO_REUSEADDR && opt != SO_REUSEPORT && opt != SO_KEEPALIVE &&
		  opt != SO_SNDBUF && opt != SO_RCVBUF))
		r = -ENOPROTOOPT; /* the SOL_SOCKET ones above are taken, with no effect yet */
	file_put(f);
	return r;
}

SYSCALL_DEFINE5(getsockopt, int, fd, int, level, int, opt, void *, uval, uint32_t *, ulen)
{
	struct file *f;
	int kind = kind_of(fd, &f);
	uint32_t len;
	int v;
	long r = 0;

	if (kind < 0)
		return kind;
	if (level == SOL_SOCKET && opt == SO_ERROR)
		v = kind == SK_TCP ? -nsock_error(f->priv) : 0;
	else if (level == SOL_SOCKET && opt == SO_TYPE)
		v = kind == SK_UDP ? SOCK_DGRAM : SOCK_STREAM;
	else
		r = -ENOPROTOOPT;
	file_put(f);
	if (r)
		return r;
	if (get_user(len, ulen))
		return -EFAULT;
	if ((int32_t)len < 0)
		return -EINVAL;
	if (copy_to_user(uval, &v, MIN(len, (uint32_t)sizeof(v))))
		return -EFAULT;
	len = sizeof(v);
	return put_user(len, ulen);
}

SYSCALL_DEFINE4(socketpair, int, domain, int, type, int, protocol, int *, usv)
{
	struct file *a, *b;
	int sv[2];

	if (domain != AF_UNIX)
		return -EAFNOSUPPORT;
	if (type & ~(SOCK_TYPE_MASK | SOCK_NONBLOCK | SOCK_CLOEXEC))
		return -EINVAL;
	if ((type & SOCK_TYPE_MASK) != SOCK_STREAM || protocol)
		return -EOPNOTSUPP; /* datagram and seqpacket pairs: not yet */
	if (sockpair_create((uint32_t)type & SOCK_NONBLOCK, &a, &b))
		return -ENOMEM;
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
