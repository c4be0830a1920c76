/* socket.h: TCP sockets on lwIP, with kernel buffers: what linux/sys_socket.c builds the
 * Linux socket calls on. Every lwIP call is made under one mutex (net_lock), which the net
 * thread takes too (netif.c); a socket's own spin lock guards what its sleepers wait for.
 * Blocking calls sleep until ready or a deadline (NET_FOREVER, NET_NOWAIT, or a time_ns()
 * value), fail with -EAGAIN when it comes first (NET_NOWAIT: at once), and with -EINTR when
 * interrupted() (the caller's signal check, made before each sleep) says so. Addresses (addr.h)
 * and ports are in network order. */
#ifndef MOTE_NET_SOCKET_H
#define MOTE_NET_SOCKET_H

#include "lib/types.h"

#define NET_FOREVER 0 /* a deadline never reached */
#define NET_NOWAIT 1  /* a deadline already passed: non-blocking */

struct nsock;
struct pollq;
struct net_addr;

/* A new TCP socket, or NULL when out of memory (or no network). v6: an AF_INET6 socket, for
 * IPv6 and IPv4 alike (its :: is both) until nsock_v6only. */
struct nsock *nsock_tcp(bool v6);
/* Close it: a connection is closed gracefully (aborted if that fails); the object is freed. */
void nsock_close(struct nsock *s);
/* Close it with a reset (SO_LINGER on with a time of 0): what is unsent is dropped, the peer
 * gets a RST (a listener closes as nsock_close); the object is freed. */
void nsock_abort(struct nsock *s);

int nsock_bind(struct nsock *s, const struct net_addr *addr) __must_check;
int nsock_listen(struct nsock *s, int backlog) __must_check;
/* A connection from the listen queue into *out. */
int nsock_accept(struct nsock *s, struct nsock **out, uint64_t deadline,
		 bool (*interrupted)(void)) __must_check;
/* Connect; at the deadline (NET_NOWAIT: at once) -EINPROGRESS, then poll for POLLOUT and
 * nsock_error. */
int nsock_connect(struct nsock *s, const struct net_addr *addr, uint64_t deadline,
		  bool (*interrupted)(void)) __must_check;
/* Bytes sent (queued in lwIP), or -EPIPE (shut down or closed), -ECONNRESET, -EAGAIN... */
ssize_t nsock_send(struct nsock *s, const void *buf, size_t n, uint64_t deadline,
		   bool (*interrupted)(void));
/* Bytes received; 0 at the peer's end of data. peek: copied, left to read again. */
ssize_t nsock_recv(struct nsock *s, void *buf, size_t n, uint64_t deadline, bool peek,
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
/* A connection's state and estimates (TCP_INFO): state is RFC 793's, as lwIP numbers it
 * (0 closed, 1 listen, 2 SYN sent, 3 SYN received, 4 established, 5 FIN wait 1, 6 FIN wait 2,
 * 7 close wait, 8 closing, 9 last ACK, 10 time wait). Times in microseconds. */
struct nsock_info {
	int state;
	uint32_t rto_us, rtt_us, rttvar_us;
	uint32_t mss, mtu, cwnd_segs, ssthresh_segs, unacked_segs, retransmits, rcv_wnd;
};
void nsock_info(struct nsock *s, struct nsock_info *i);
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
