/* sys_unix.c: the socket calls on AF_UNIX stream sockets (SK_UNIX): named ones
 * (fs/unixsock.c: bind, listen, accept, connect by path or abstract name) and socketpair
 * ends (fs/sockpair.c: connected from birth, unnamed). Called by sys_socket.c. */
#include "fs/file.h"
#include "fs/path.h"
#include "fs/sockpair.h"
#include "fs/unixsock.h"
#include "fs/vfs.h"
#include "lib/errno.h"
#include "linux/signal.h"
#include "linux/socket_file.h"
#include "linux/task.h"

#define SOCK_NONBLOCK O_NONBLOCK
#define SOCK_CLOEXEC O_CLOEXEC

long unix_socket(int type, int flags)
{
	struct file *f;
	int fd;

	if (type != SOCK_STREAM)
		return -ESOCKTNOSUPPORT; /* datagram and seqpacket AF_UNIX sockets: not yet */
	if (usock_create((uint32_t)flags & SOCK_NONBLOCK, &f))
		return -ENOMEM;
	fd = fd_install(f, 0, flags & SOCK_CLOEXEC);
	if (fd < 0)
		file_put(f);
	return fd;
}

/* The name at (uaddr, len) and where a relative path starts (a reference in *start). */
static long name_from(const void *uaddr, uint32_t len, struct unix_name *n, struct dentry **start)
{
	long r = sock_get_unix(uaddr, len, n);

	return r ? r : path_start(AT_FDCWD, n->name, start);
}

long unix_bind(struct file *f, const void *uaddr, uint32_t len)
{
	struct unix_name n;
	struct dentry *start;
	long r;

	if (!usock_is(f))
		return -EINVAL; /* a socketpair end */
	r = name_from(uaddr, len, &n, &start);
	if (r)
		return r;
	r = usock_bind(f, start, &n, 0777 & ~init_process->umask);
	vfs_dentry_put(start);
	return r;
}

long unix_connect(struct file *f, const void *uaddr, uint32_t len)
{
	struct unix_name n;
	struct dentry *start;
	long r;

	if (!usock_is(f))
		return -EISCONN;
	r = name_from(uaddr, len, &n, &start);
	if (r)
		return r;
	r = usock_connect(f, start, &n);
	vfs_dentry_put(start);
	return r;
}

long unix_listen(struct file *f, int backlog)
{
	return usock_is(f) ? usock_listen(f, backlog) : -EINVAL;
}

long unix_accept(struct file *f, void *uaddr, uint32_t *ulen, int flags)
{
	struct unix_name peer;
	struct file *c;
	long r;
	int fd;

	if (!usock_is(f))
		return -EINVAL;
	r = usock_accept(f, f->flags & O_NONBLOCK, signal_pending, &c);
	if (r)
		return r;
	c->flags |= (uint32_t)flags & SOCK_NONBLOCK;
	if (usock_name(c, true, &peer))
		peer.len = 0;
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
	long r = usock_is(f) ? usock_name(f, peer, &n) : 0; /* a pair's ends are unnamed */

	return r ? r : sock_put_unix(uaddr, ulen, &n);
}

long unix_shutdown(struct file *f, int how)
{
	return usock_is(f) ? usock_shutdown(f, how) : sockpair_shutdown(f, how);
}
