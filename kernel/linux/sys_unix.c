/* sys_unix.c: the socket calls on AF_UNIX sockets (SK_UNIX): named stream and seqpacket ones
 * (fs/unixsock.c: bind, listen, accept, connect by path or abstract name), socketpair ends
 * (fs/sockpair.c for streams: connected from birth, unnamed), and message sockets
 * (fs/unixdgram.c: datagram sockets, and the ends of seqpacket connections and pairs).
 * Called by sys_socket.c, sys_sockmsg.c and sys_sockopt.c. As on Linux, a socket with
 * SO_PASSCRED that connects or sends unnamed is first autobound. */
#include "fs/file.h"
#include "fs/path.h"
#include "fs/sockpair.h"
#include "fs/unixdgram.h"
#include "fs/unixsock.h"
#include "fs/vfs.h"
#include "lib/errno.h"
#include "linux/signal.h"
#include "linux/socket_file.h"
#include "linux/sockopts.h"
#include "linux/task.h"
#include "core/uaccess.h"

#define SOCK_NONBLOCK O_NONBLOCK
#define SOCK_CLOEXEC O_CLOEXEC

long unix_socket(int type, int flags)
{
	struct file *f;
	long r;
	int fd;

	if (type == SOCK_STREAM || type == SOCK_SEQPACKET)
		r = usock_create(type, (uint32_t)flags & SOCK_NONBLOCK, &f);
	else if (type == SOCK_DGRAM)
		r = udgram_create(UNIX_DGRAM, (uint32_t)flags & SOCK_NONBLOCK, &f);
	else
		return -ESOCKTNOSUPPORT;
	if (r)
		return r;
	fd = fd_install(f, 0, flags & SOCK_CLOEXEC);
	if (fd < 0)
		file_put(f);
	return fd;
}

int unix_pair(int type, uint32_t flags, struct file **a, struct file **b)
{
	if (type == SOCK_STREAM)
		return sockpair_create(flags, a, b);
	if (type == SOCK_DGRAM || type == SOCK_SEQPACKET)
		return udgram_pair(type, flags, a, b);
	return -EOPNOTSUPP;
}

int unix_type(struct file *f)
{
	return usock_is(f) ? (int)usock_type(f) : udgram_is(f) ? (int)udgram_type(f) : SOCK_STREAM;
}

struct file *unix_msg_end(struct file *f)
{
	struct file *c = usock_is(f) ? usock_conn(f) : f;

	return c && udgram_is(c) ? c : NULL;
}

bool unix_is_msg(struct file *f)
{
	return udgram_is(f) || (usock_is(f) && usock_type(f) == UNIX_SEQPACKET);
}

bool unix_passcred(struct file *f)
{
	const struct sock_opts *o = READ_ONCE(f->sock_opts);

	return o && (o->sol & BIT(SO_PASSCRED));
}

struct unix_cred unix_own_cred(void)
{
	return (struct unix_cred){ .pid = current_process()->pid, .uid = 0, .gid = 0 };
}

/* The name at (uaddr, len) and where a relative path starts (a reference in *start). */
static long name_from(const void *uaddr, uint32_t len, struct unix_name *n, struct dentry **start)
{
	long r = sock_get_unix(uaddr, len, n);

	return r ? r : path_start(AT_FDCWD, n->name, start);
}

/* An autobind before f connects or sends, if it asks for credentials (a bound socket keeps
 * its name). 0, -ENOSPC. */
static int autobind_for_cred(struct file *f)
{
	static const struct unix_name none = { .len = 0 };

	if (!unix_passcred(f))
		return 0;
	return usock_is(f)    ? usock_bind(f, NULL, &none, 0)
	       : udgram_is(f) ? udgram_bind(f, NULL, &none, 0)
			      : 0;
}

long unix_bind(struct file *f, const void *uaddr, uint32_t len)
{
	struct unix_name n;
	struct dentry *start;
	long r;

	if (!usock_is(f) && !udgram_is(f))
		return -EINVAL; /* a socketpair end */
	r = name_from(uaddr, len, &n, &start);
	if (r)
		return r;
	r = usock_is(f) ? usock_bind(f, start, &n, 0777 & ~current_process()->umask)
			: udgram_bind(f, start, &n, 0777 & ~current_process()->umask);
	vfs_dentry_put(start);
	return r;
}

long unix_connect(struct file *f, const void *uaddr, uint32_t len)
{
	struct unix_name n;
	struct dentry *start;
	uint16_t family;
	long r;

	if (!usock_is(f) && !udgram_is(f))
		return -EISCONN;
	if (udgram_is(f) && len >= sizeof(family) && !get_user(family, (const uint16_t *)uaddr) &&
	    family == AF_UNSPEC)
		return udgram_connect(f, NULL, NULL); /* dissolve the association */
	r = name_from(uaddr, len, &n, &start);
	if (r)
		return r;
	if (!n.len) {
		vfs_dentry_put(start);
		return -EINVAL; /* just the family: no name */
	}
	r = autobind_for_cred(f);
	if (!r)
		r = usock_is(f) ? usock_connect(f, start, &n) : udgram_connect(f, start, &n);
	vfs_dentry_put(start);
	return r;
}

long unix_listen(struct file *f, int backlog)
{
	return usock_is(f) ? usock_listen(f, backlog) : udgram_is(f) ? -EOPNOTSUPP : -EINVAL;
}

long unix_accept(struct file *f, void *uaddr, uint32_t *ulen, int flags)
{
	struct unix_name peer;
	struct file *c;
	long r;
	int fd;

	if (!usock_is(f))
		return udgram_is(f) ? -EOPNOTSUPP : -EINVAL;
	r = usock_accept(f, f->flags & O_NONBLOCK, signal_pending, &c);
	if (r)
		return r;
	c->flags |= (uint32_t)flags & SOCK_NONBLOCK;
	if (usock_name(c, true, &peer))
		peer.len = 0;
	if (unix_passcred(f)) { /* as Linux: the accepted socket asks too */
		struct sock_opts *o = sock_opts_of(c, SK_UNIX);

		if (o)
			o->sol |= BIT(SO_PASSCRED);
	}
	fd = fd_install(c, 0, flags & SOCK_CLOEXEC);
	if (fd < 0) {
		file_put(c);
		return fd;
	}
	if (sock_put_unix(uaddr, ulen, &peer))
		return -EFAULT; /* as Linux: the connection stays with its descriptor */
	return fd;
}

long unix_name(struct file *f, bool peer, void *uaddr, uint32_t *ulen)
{
	struct unix_name n = { .len = 0 };
	long r = usock_is(f)	? usock_name(f, peer, &n)
		 : udgram_is(f) ? udgram_name(f, peer, &n)
				: 0; /* a stream pair's ends are unnamed */

	return r ? r : sock_put_unix(uaddr, ulen, &n);
}

long unix_shutdown(struct file *f, int how)
{
	return usock_is(f)    ? usock_shutdown(f, how)
	       : udgram_is(f) ? udgram_shutdown(f, how)
			      : sockpair_shutdown(f, how);
}

ssize_t unix_msg_send(struct file *f, const void *buf, size_t n, int flags, const void *uaddr,
		      uint32_t alen, struct udgram_meta *m)
{
	struct file *e = unix_msg_end(f);
	struct dentry *start = NULL;
	struct unix_name to;
	ssize_t r = e ? 0 : -ENOTCONN;

	if (!r && uaddr && udgram_type(e) == UNIX_DGRAM) {
		r = name_from(uaddr, alen, &to, &start);
		if (!r && !to.len)
			r = -EINVAL;
	}
	if (!r)
		r = autobind_for_cred(f);
	if (r) {
		for (int i = 0; i < m->nfiles; i++)
			file_put(m->files[i]);
		if (start)
			vfs_dentry_put(start);
		return r;
	}
	r = udgram_send(e, start, start ? &to : NULL, buf, n, m,
			(f->flags & O_NONBLOCK) || (flags & MSG_DONTWAIT));
	if (start)
		vfs_dentry_put(start);
	return r;
}

ssize_t unix_msg_recv(struct file *f, void *buf, size_t n, int flags, struct udgram_meta *m)
{
	struct file *e = unix_msg_end(f);

	if (!e)
		return -ENOTCONN;
	return udgram_recv(e, buf, n, flags & MSG_PEEK,
			   (f->flags & O_NONBLOCK) || (flags & MSG_DONTWAIT), m);
}

int unix_put_from(void *uaddr, uint32_t *ulen, const struct udgram_meta *m)
{
	if (!m->got || !m->from.len) /* as Linux: an unnamed sender, no address at all */
		return put_user(0u, ulen);
	return sock_put_unix(uaddr, ulen, &m->from);
}

ssize_t unix_send(struct file *f, const void *ubuf, size_t n, int flags, const void *uaddr,
		  uint32_t alen)
{
	struct udgram_meta m = { .cred = unix_own_cred() };

	if (unix_is_msg(f))
		return unix_msg_send(f, ubuf, n, flags, uaddr, alen, &m);
	if (uaddr)
		return -EISCONN;
	return f->ops->write(f, ubuf, n, &f->pos);
}

ssize_t unix_recv(struct file *f, void *ubuf, size_t n, int flags, void *uaddr, uint32_t *ulen,
		  size_t *full)
{
	struct udgram_meta m = { .files = NULL }; /* files passed with a plain receive: closed */
	ssize_t r;

	if (!unix_is_msg(f)) {
		r = (flags & MSG_PEEK) ? -EOPNOTSUPP : f->ops->read(f, ubuf, n, &f->pos);
		if (r >= 0 && full)
			*full = (size_t)r;
		return r;
	}
	r = unix_msg_recv(f, ubuf, n, flags, &m);
	if (r < 0)
		return r;
	if (uaddr && unix_put_from(uaddr, ulen, &m))
		return -EFAULT;
	if (full)
		*full = m.got ? m.full : (size_t)r;
	return (flags & MSG_TRUNC) && m.got ? (ssize_t)m.full : r;
}

void unix_apply_opts(struct file *f, uint64_t rcvtimeo_ns, uint64_t sndtimeo_ns)
{
	struct file *e = unix_msg_end(f);

	if (e)
		udgram_timeouts(e, rcvtimeo_ns, sndtimeo_ns);
}
