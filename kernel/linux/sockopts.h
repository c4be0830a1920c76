/* sockopts.h: the options a socket remembers (struct sock_opts, kept with its file as
 * f->sock_opts), the option numbers of Linux's ABI they are kept by, and their effects. */
#ifndef MOTE_LINUX_SOCKOPTS_H
#define MOTE_LINUX_SOCKOPTS_H

#include "lib/types.h"

struct file;

#define SOL_IP 0
#define SOL_SOCKET 1
#define SOL_IPV6 41
#define IPV6_V6ONLY 26
#define IP_TOS 1
#define IP_TTL 2
#define IP_RECVERR 11 /* glibc's resolver sets it; no error queue here, so nothing is queued */
#define SO_DEBUG 1
#define SO_REUSEADDR 2
#define SO_TYPE 3
#define SO_ERROR 4
#define SO_DONTROUTE 5
#define SO_BROADCAST 6
#define SO_SNDBUF 7
#define SO_RCVBUF 8
#define SO_KEEPALIVE 9
#define SO_OOBINLINE 10
#define SO_LINGER 13
#define SO_REUSEPORT 15
#define SO_PASSCRED 16
#define SO_SNDBUFFORCE 32
#define SO_RCVBUFFORCE 33
#define SO_PEERCRED 17
#define SO_RCVLOWAT 18
#define SO_SNDLOWAT 19
#define SO_RCVTIMEO 20
#define SO_SNDTIMEO 21
#define SO_RCVTIMEO_NEW 66 /* the same struct on x86-64 (64-bit seconds) */
#define SO_SNDTIMEO_NEW 67
#define SO_ACCEPTCONN 30
#define SO_PROTOCOL 38
#define SO_DOMAIN 39
#define TCP_NODELAY 1
#define TCP_MAXSEG 2
#define TCP_CORK 3
#define TCP_KEEPIDLE 4
#define TCP_KEEPINTVL 5
#define TCP_KEEPCNT 6
#define TCP_DEFER_ACCEPT 9
#define TCP_INFO 11
#define TCP_QUICKACK 12
#define TCP_USER_TIMEOUT 18
#define TCP_FASTOPEN 23

#define BUF_MAX 212992 /* Linux's net.core.wmem_max and rmem_max */
#define SNDBUF_MIN 4608
#define RCVBUF_MIN 2304
#define MSS 1460 /* lwIP's (net/lwip/lwipopts.h) */

#define BIT(n) (1ull << (n))
/* the on/off options, by level: what a set stores and a get reports */
#define SOL_FLAGS                                                                    \
	(BIT(SO_DEBUG) | BIT(SO_REUSEADDR) | BIT(SO_DONTROUTE) | BIT(SO_BROADCAST) | \
	 BIT(SO_KEEPALIVE) | BIT(SO_OOBINLINE) | BIT(SO_REUSEPORT) | BIT(SO_PASSCRED))
#define TCP_FLAGS (BIT(TCP_NODELAY) | BIT(TCP_CORK) | BIT(TCP_QUICKACK))

struct sock_opts {
	uint64_t sol, tcp; /* the on/off options that are on, bit n for option n */
	int sndbuf, rcvbuf, rcvlowat;
	int linger[2]; /* struct linger: l_onoff, l_linger */
	int keepidle, keepintvl, keepcnt;
	int maxseg, defer_accept, user_timeout, fastopen;
	int tos, ttl;
	bool v6only, recverr;
	uint64_t rcvtimeo_ns, sndtimeo_ns; /* SO_RCVTIMEO, SO_SNDTIMEO; 0: none */
};

/* Linux's defaults for a new socket of kind (enum sock_kind). */
void sock_opts_default(struct sock_opts *o, int kind);
/* f's options (kind), made with the defaults when first needed; NULL: out of memory. */
struct sock_opts *sock_opts_of(struct file *f, int kind);
/* What o asks of the stack, for f of kind SK_TCP or SK_UDP: TCP_NODELAY, keep-alive,
 * SO_REUSEADDR... (AF_UNIX sockets: unix_apply_opts). */
void sock_opts_apply(struct file *f, int kind, const struct sock_opts *o);
/* How long a call on f may wait (net/socket.h's deadlines): NET_NOWAIT when nonblock, else
 * SO_SNDTIMEO's (send) or SO_RCVTIMEO's bound, else NET_FOREVER. */
uint64_t sock_deadline(struct file *f, bool send, bool nonblock);
/* An accepted socket takes the listener's options, as on Linux. */
void sock_opts_inherit(struct file *listener, struct file *accepted);

#endif /* MOTE_LINUX_SOCKOPTS_H */
