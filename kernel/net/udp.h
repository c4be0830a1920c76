/* udp.h: UDP sockets on lwIP, with kernel buffers, for linux/sys_socket.c: datagrams queued on
 * arrival (up to UDP_QUEUE_MAX, then dropped, as a full socket buffer drops them), each read
 * whole or cut to the reader's buffer. Locking and the interrupted() check as in socket.h;
 * addresses and ports in network order. */
#ifndef MOTE_NET_UDP_H
#define MOTE_NET_UDP_H

#include "lib/types.h"
#include "net/addr.h"
#include "net/socket.h" /* NET_FOREVER, NET_NOWAIT */

#define UDP_QUEUE_MAX 64
#define UDP_PAYLOAD_MAX 65507

struct nudp;
struct pollq;

/* A new UDP socket, or NULL when out of memory. v6: an AF_INET6 socket (for both families
 * until nudp_v6only). */
struct nudp *nudp_new(bool v6);
void nudp_close(struct nudp *u);
int nudp_bind(struct nudp *u, const struct net_addr *addr) __must_check;
/* The default peer (send without an address, receive only from it); NULL (AF_UNSPEC)
 * dissolves it. */
int nudp_connect(struct nudp *u, const struct net_addr *addr) __must_check;
/* Send one datagram to *to, or to the connected peer when !to. Bytes sent, or
 * -EDESTADDRREQ, -EMSGSIZE, -ENOMEM, -EHOSTUNREACH... */
ssize_t nudp_send(struct nudp *u, const void *buf, size_t n, const struct net_addr *to);
/* Where a datagram came from, and its whole length. */
struct nudp_from {
	struct net_addr addr;
	size_t len;
};
/* The next datagram into buf (cut to n bytes): its bytes copied; *from its source and length.
 * peek: left in the queue. */
ssize_t nudp_recv(struct nudp *u, void *buf, size_t n, struct nudp_from *from, uint64_t deadline,
		  bool peek, bool (*interrupted)(void));
/* The length of the next datagram, 0 if none (FIONREAD). */
size_t nudp_pending(struct nudp *u);
uint32_t nudp_poll(struct nudp *u, struct pollq **pq);
/* The local address or the connected peer's; -ENOTCONN for a peer when there is none. */
int nudp_name(struct nudp *u, bool peer, struct net_addr *addr) __must_check;
/* SO_REUSEADDR: share the port with other sockets that set it too. */
void nudp_reuseaddr(struct nudp *u, bool on);
/* Made as an AF_INET6 socket. */
bool nudp_is_v6(struct nudp *u);
/* IPV6_V6ONLY: from the next bind on, :: means IPv6 alone. */
void nudp_v6only(struct nudp *u, bool on);

#endif /* MOTE_NET_UDP_H */
