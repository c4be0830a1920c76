/* nlsock.h: AF_NETLINK sockets (netlink(7)), SOCK_RAW or SOCK_DGRAM, protocol NETLINK_ROUTE:
 * a port id (bound, or given at the first send: the process's id, then negative ones), requests
 * to the kernel (nl_pid 0) answered at once into the receive queue by rtnl.c, datagrams to
 * another netlink socket by its port id; no multicast events (the interfaces never change
 * here), so groups are kept but nothing is sent to them. */
#ifndef MOTE_LINUX_NLSOCK_H
#define MOTE_LINUX_NLSOCK_H

#include "lib/types.h"

struct file;

#define AF_NETLINK 16
#define SOL_NETLINK 270

/* socket(AF_NETLINK, type, protocol): the descriptor or -ESOCKTNOSUPPORT, -EPROTONOSUPPORT,
 * -ENOMEM, -EMFILE (type's SOCK_NONBLOCK and SOCK_CLOEXEC taken). */
long nlsock_create(int type, int protocol);
bool nlsock_is(const struct file *f);
/* SO_TYPE's and SO_PROTOCOL's answers. */
int nlsock_type(struct file *f);
int nlsock_protocol(struct file *f);

/* bind, connect (AF_UNSPEC: back to the kernel), getsockname/getpeername (struct
 * sockaddr_nl from and to the caller): 0 or -errno. */
long nlsock_bind(struct file *f, const void *uaddr, uint32_t len);
long nlsock_connect(struct file *f, const void *uaddr, uint32_t len);
long nlsock_name(struct file *f, bool peer, void *uaddr, uint32_t *ulen);
/* One datagram of n bytes from ubuf to (uaddr, alen), else to the connected peer (the
 * kernel by default): n or -errno. */
ssize_t nlsock_send(struct file *f, const void *ubuf, size_t n, int flags, const void *uaddr,
		    uint32_t alen);
/* The next datagram into ubuf, cut to n (*full: its length), its sender to (uaddr, *ulen):
 * the bytes copied or -EAGAIN, -EINTR, -EFAULT. */
ssize_t nlsock_recv(struct file *f, void *ubuf, size_t n, int flags, void *uaddr, uint32_t *ulen,
		    size_t *full);
/* SOL_NETLINK options: 0 or -errno (-ENOPROTOOPT for one not known). */
long nlsock_setsockopt(struct file *f, int opt, const void *uval, uint32_t len);
long nlsock_getsockopt(struct file *f, int opt, void *uval, uint32_t *ulen);

#endif /* MOTE_LINUX_NLSOCK_H */
