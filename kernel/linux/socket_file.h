/* socket_file.h: what the socket system calls share (sys_socket.c, sys_sockopt.c,
 * sys_sockmsg.c): which kind of socket a descriptor is, and sending and receiving on one with
 * the addresses and flags of sendto/recvfrom. */
#ifndef MOTE_LINUX_SOCKET_FILE_H
#define MOTE_LINUX_SOCKET_FILE_H

#include "lib/types.h"

struct file;
struct net_addr;
struct unix_name;
struct udgram_meta;

#define AF_UNSPEC 0
#define AF_UNIX 1
#define AF_INET 2
#define AF_INET6 10
#define SOCK_STREAM 1
#define SOCK_DGRAM 2
#define SOCK_SEQPACKET 5
#define IPPROTO_TCP 6
#define IPPROTO_UDP 17
#define MSG_PEEK 0x2
#define MSG_TRUNC 0x20
#define MSG_DONTWAIT 0x40
#define MSG_WAITALL 0x100
#define MSG_NOSIGNAL 0x4000
#define MSG_CMSG_CLOEXEC 0x40000000

/* What a socket descriptor refers to. */
enum sock_kind {
	SK_TCP = 1,
	SK_UDP,
	SK_UNIX,   /* an AF_UNIX socket: a stream pair's end, a named stream or seqpacket socket
		  * (fs/unixsock.c), a datagram socket or message pair's end (fs/unixdgram.c) */
	SK_NETLINK /* an AF_NETLINK socket (nlsock.c) */
};

/* What fd is, an enum sock_kind (*fp its file, a reference), or -EBADF, -ENOTSOCK. */
int sock_kind_of(int fd, struct file **fp);

/* Send n bytes from ubuf on f (of kind), to (uaddr, alen) when uaddr: bytes sent or -errno
 * (SIGPIPE raised for -EPIPE unless MSG_NOSIGNAL). */
ssize_t sock_send(struct file *f, int kind, const void *ubuf, size_t n, int flags,
		  const void *uaddr, uint32_t alen);
/* Receive up to n bytes into ubuf from f (of kind), the source into (uaddr, *ulen) when
 * uaddr. A datagram longer than n is cut, and *full (if full) says its length. */
ssize_t sock_recv(struct file *f, int kind, void *ubuf, size_t n, int flags, void *uaddr,
		  uint32_t *ulen, size_t *full);

/* Is f (of kind) an AF_INET6 socket? */
bool sock_is_v6(struct file *f, int kind);
/* A struct sockaddr_in (or sockaddr_in6 for v6: an IPv4-mapped one gives an IPv4 address)
 * from the caller: 0, -EINVAL (too short), -EFAULT, -EAFNOSUPPORT (another family). */
int sock_get_addr(const void *uaddr, uint32_t len, bool v6, struct net_addr *a);
/* a to the caller as a sockaddr_in, or for v6 a sockaddr_in6 (IPv4 mapped), cut to *ulen,
 * which is set to the full size. Nothing when !uaddr. */
int sock_put_addr(void *uaddr, uint32_t *ulen, bool v6, const struct net_addr *a);

/* A struct sockaddr_un from the caller (a path or an abstract name; n->len 0 when it has just
 * the family): 0, -EINVAL, -EFAULT. */
int sock_get_unix(const void *uaddr, uint32_t len, struct unix_name *n);
/* n to the caller as a sockaddr_un, cut to *ulen, which is set to Linux's length for it. */
int sock_put_unix(void *uaddr, uint32_t *ulen, const struct unix_name *n);

/* AF_UNIX sockets (sys_unix.c): the calls' SK_UNIX parts. */
long unix_socket(int type, int flags);
/* socketpair's two ends of type (flags: O_NONBLOCK): 0, -ENOMEM, -EOPNOTSUPP. */
int unix_pair(int type, uint32_t flags, struct file **a, struct file **b);
/* SO_TYPE's answer. */
int unix_type(struct file *f);
/* Does f keep message boundaries (datagram, seqpacket)? Its message end (itself, or a named
 * seqpacket socket's connection), NULL before a connection. */
bool unix_is_msg(struct file *f);
struct file *unix_msg_end(struct file *f);
/* Has f SO_PASSCRED set? This process's credentials. */
bool unix_passcred(struct file *f);
struct unix_cred unix_own_cred(void);
/* send/sendto and recv/recvfrom: bytes moved (recv with MSG_TRUNC on a message socket: the
 * message's length), *full the message's length. */
ssize_t unix_send(struct file *f, const void *ubuf, size_t n, int flags, const void *uaddr,
		  uint32_t alen);
ssize_t unix_recv(struct file *f, void *ubuf, size_t n, int flags, void *uaddr, uint32_t *ulen,
		  size_t *full);
/* A message to (uaddr, alen) or the peer with m's credentials and files (taken over), from
 * buf; the next message into buf with m filled (udgram_send, udgram_recv). */
ssize_t unix_msg_send(struct file *f, const void *buf, size_t n, int flags, const void *uaddr,
		      uint32_t alen, struct udgram_meta *m);
ssize_t unix_msg_recv(struct file *f, void *buf, size_t n, int flags, struct udgram_meta *m);
/* A received message's sender to the caller: nothing (length 0) when it was unnamed. */
int unix_put_from(void *uaddr, uint32_t *ulen, const struct udgram_meta *m);
/* SO_RCVTIMEO and SO_SNDTIMEO to a message socket. */
void unix_apply_opts(struct file *f, uint64_t rcvtimeo_ns, uint64_t sndtimeo_ns);
long unix_bind(struct file *f, const void *uaddr, uint32_t len);
long unix_connect(struct file *f, const void *uaddr, uint32_t len);
long unix_listen(struct file *f, int backlog);
long unix_accept(struct file *f, void *uaddr, uint32_t *ulen, int flags);
long unix_name(struct file *f, bool peer, void *uaddr, uint32_t *ulen);
long unix_shutdown(struct file *f, int how);

#endif /* MOTE_LINUX_SOCKET_FILE_H */
