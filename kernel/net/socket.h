/* socket.h: TCP sockets on lwIP, with kernel buffers: what linux/sys_socket.c builds the
 * Linux socket calls on. Every lwIP call is made under one mutex (net_lock), which the net
 * thread takes too (netif.c); a socket's own spin lock guards what its sleepers wait for.
 * Blocking calls sleep until ready, fail with -EAGAIN when nonblock, and with -EINTR when
 * interrupted() (the caller's signal check, made before each sleep) says so. Addresses (addr.h)
 * and ports are in network order. */
#ifndef MOTE_NET_SOCKET_H
#define MOTE_NET_SOCKET_H

#include "lib/types.h"

struct nsock;
struct pollq;
struct net_addr;

/* A new TCP socket, or NULL when out of memory (or no network). v6: an AF_INET6 socket, for
 * IPv6 and IPv4 alike (its :: is both) until nsock_v6only. */
struct nsock *nsock_tcp(bool v6);
/* Close it: a connection is closed gracefully (aborted if that fails); the object is freed. */
void nsock_close(struct nsock *s);

int nsock_bind(struct nsock *s, const struct net_addr *addr) __must_check;
int nsock_listen(struct nsock *s, int backlog) __must_check;
/* A connection from the listen queue into *out. */
int nsock_accept(struct nsock *s, struct nsock **out, bool nonblock,
		 bool (*interrupted)(void)) __must_check;
/* Connect; nonblock: -EINPROGRESS, then poll for POLLOUT and nsock_error. */
int nsock_connect(struct nsock *s, const struct net_addr *addr, bool nonblock,
		  bool (*interrupted)(void)) __must_check;
/* Bytes sent (queued in lwIP), or -EPIPE (shut down or closed), -ECONNRESET, -EAGAIN... */
ssize_t nsock_send(struct nsock *s, const void *buf, size_t n, bool nonblock,
		   bool (*interrupted)(void));
/* Bytes received; 0 at the peer's end of data. peek: copied, left to read again. */
ssize_t nsock_recv(struct nsock *s, void *buf, size_t n, bool nonblock, bool peek,
		   bool (*interrupted)(void));
/* Bytes received and not read yet (FIONREAD). */
size_t nsock_pending(struct nsock *s);
/* how: 0 reading, 1 writing, 2 both. */
int nsock_shutdown(struct nsock *s, int how) __must_check;
/* POLLIN/POLLOUT/POLLHUP/POLLERR now; *pq (if pq) the socket's poll queue. */
uint32_t nsock_poll(struct nsock *s, struct pollq **pq);
/* Listening (SO_ACCEPTCONN). */
bool nsock_listening(struct nsock *s);
/* The pending error (-errno, 0 if none), cleared (SO_ERROR). */
int nsock_error(struct nsock *s);
/* The local or the peer's address and port. -ENOTCONN when there is none. */
int nsock_name(struct nsock *s, bool peer, struct net_addr *addr) __must_check;
/* SO_REUSEADDR: bind beside connections in TIME_WAIT on the port (a listener still refuses). */
void nsock_reuseaddr(struct nsock *s, bool on);
/* Made as an AF_INET6 socket (or accepted from one). */
bool nsock_is_v6(struct nsock *s);
/* IPV6_V6ONLY: from the next bind on, :: means IPv6 alone, and IPv4 peers are unreachable. */
void nsock_v6only(struct nsock *s, bool on);
/* TCP_NODELAY on or off. */
void nsock_nodelay(struct nsock *s, bool on);
/* SO_KEEPALIVE on or off, with TCP_KEEPIDLE, TCP_KEEPINTVL (seconds) and TCP_KEEPCNT. */
void nsock_keepalive(struct nsock *s, bool on, uint32_t idle_s, uint32_t intvl_s, uint32_t count);

#endif /* MOTE_NET_SOCKET_H */
