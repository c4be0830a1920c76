/* sys_sockopt.c: setsockopt and getsockopt. A socket remembers what was set (struct sock_opts,
 * linux/sockopts.c: made at its first setsockopt and kept with its file), so that getsockopt
 * answers as Linux does, and an accepted connection takes its listener's. Options with an
 * effect in the stack reach it: TCP_NODELAY, SO_KEEPALIVE with TCP_KEEPIDLE/KEEPINTVL/KEEPCNT,
 * SO_REUSEADDR, IPV6_V6ONLY (what the next bind to :: takes), SO_RCVTIMEO/SO_SNDTIMEO (how
 * long a blocking call waits, then -EAGAIN; connect: -EINPROGRESS). The others are kept and
 * reported only: buffer sizes (doubled within Linux's limits, as it reports them; lwIP's
 * windows are fixed when it is built), SO_LINGER, TCP_CORK, TCP_QUICKACK, IP_TOS, IP_RECVERR
 * (no error queue: MSG_ERRQUEUE finds nothing)... TCP_INFO gives lwIP's state and estimates
 * in the leading fields of Linux's struct tcp_info; SO_PEERCRED names this process for an
 * AF_UNIX peer; SO_PASSCRED asks AF_UNIX receives for SCM_CREDENTIALS (sys_unixmsg.c). An option not listed here is -ENOPROTOOPT, never silently taken. */
#include "core/time.h"
#include "fs/file.h"
#include "lib/errno.h"
#include "lib/string.h"
#include "linux/nlsock.h"
#include "linux/socket_file.h"
#include "linux/sockopts.h"
#include "linux/syscall.h"
#include "linux/task.h"
#include "core/uaccess.h"
#include "net/socket.h"

/* struct timeval as SO_RCVTIMEO and SO_SNDTIMEO take it. */
struct timeval_k {
	int64_t sec, usec;
};

static bool is_timeo(int level, int opt)
{
	return level == SOL_SOCKET && (opt == SO_RCVTIMEO || opt == SO_SNDTIMEO ||
				       opt == SO_RCVTIMEO_NEW || opt == SO_SNDTIMEO_NEW);
}

/* The size of the value an option takes. */
static uint32_t value_size(int level, int opt)
{
	return is_timeo(level, opt)			   ? sizeof(struct timeval_k)
	       : level == SOL_SOCKET && opt == SO_LINGER   ? 2 * sizeof(int)
	       : level == SOL_SOCKET && opt == SO_PEERCRED ? 3 * sizeof(int)
							   : sizeof(int);
}

/* SO_RCVTIMEO/SO_SNDTIMEO from a struct timeval: 0, or -EDOM as Linux for bad microseconds. */
static long set_timeo(struct sock_opts *o, int opt, const struct timeval_k *tv)
{
	uint64_t ns;

	if (tv->usec < 0 || tv->usec >= 1000000)
		return -EDOM;
	if (tv->sec < 0) /* Linux: no wait at all */
		ns = 1;
	else if ((uint64_t)tv->sec > UINT64_MAX / NSEC_PER_SEC / 2)
		ns = 0; /* for ever */
	else
		ns = (uint64_t)tv->sec * NSEC_PER_SEC + (uint64_t)tv->usec * 1000;
	*(opt == SO_RCVTIMEO || opt == SO_RCVTIMEO_NEW ? &o->rcvtimeo_ns : &o->sndtimeo_ns) = ns;
	return 0;
}

static bool in_range(int v, int lo, int hi)
{
	return v >= lo && v <= hi;
}

static long set_socket(struct sock_opts *o, int opt, int v, const int *linger)
{
	uint32_t u = (uint32_t)v;

	if (opt < 64 && (SOL_FLAGS & BIT(opt))) {
		o->sol = v ? o->sol | BIT(opt) : o->sol & ~BIT(opt);
		return 0;
	}
	switch (opt) {
	case SO_SNDBUF:
		o->sndbuf = (int)MAX(MIN(u, (uint32_t)BUF_MAX) * 2, (uint32_t)SNDBUF_MIN);
		return 0;
	case SO_RCVBUF:
		o->rcvbuf = (int)MAX(MIN(u, (uint32_t)BUF_MAX) * 2, (uint32_t)RCVBUF_MIN);
		return 0;
	case SO_SNDBUFFORCE: /* root's: past net.core.wmem_max */
		o->sndbuf = (int)MAX(MIN(u, (uint32_t)INT32_MAX / 2) * 2, (uint32_t)SNDBUF_MIN);
		return 0;
	case SO_RCVBUFFORCE:
		o->rcvbuf = (int)MAX(MIN(u, (uint32_t)INT32_MAX / 2) * 2, (uint32_t)RCVBUF_MIN);
		return 0;
	case SO_RCVLOWAT:
		o->rcvlowat = v < 1 ? 1 : v;
		return 0;
	case SO_LINGER:
		o->linger[0] = linger[0] != 0;
		o->linger[1] = linger[1];
		return 0;
	default: /* SO_TYPE, SO_ERROR... are read-only */
		return -ENOPROTOOPT;
	}
}

static long set_tcp(struct sock_opts *o, int opt, int v)
{
	if (opt < 64 && (TCP_FLAGS & BIT(opt))) {
		o->tcp = v ? o->tcp | BIT(opt) : o->tcp & ~BIT(opt);
		return 0;
	}
	switch (opt) {
	case TCP_KEEPIDLE:
	case TCP_KEEPINTVL:
		if (!in_range(v, 1, 32767))
			return -EINVAL;
		*(opt == TCP_KEEPIDLE ? &o->keepidle : &o->keepintvl) = v;
		return 0;
	case TCP_KEEPCNT:
		if (!in_range(v, 1, 127))
			return -EINVAL;
		o->keepcnt = v;
		return 0;
	case TCP_MAXSEG:
		if (v && !in_range(v, 88, 32767))
			return -EINVAL;
		o->maxseg = v ? MIN(v, MSS) : MSS;
		return 0;
	case TCP_DEFER_ACCEPT:
		o->defer_accept = v < 0 ? 0 : v;
		return 0;
	case TCP_USER_TIMEOUT:
		if (v < 0)
			return -EINVAL;
		o->user_timeout = v;
		return 0;
	case TCP_FASTOPEN:
		o->fastopen = v;
		return 0;
	default:
		return -ENOPROTOOPT;
	}
}

static long set_ip(struct sock_opts *o, int opt, int v)
{
	switch (opt) {
	case IP_TOS:
		o->tos = v & 0xff;
		return 0;
	case IP_TTL:
		if (v != -1 && !in_range(v, 1, 255))
			return -EINVAL;
		o->ttl = v == -1 ? 64 : v;
		return 0;
	case IP_RECVERR:
		o->recverr = v != 0;
		return 0;
	default:
		return -ENOPROTOOPT;
	}
}

SYSCALL_DEFINE5(setsockopt, int, fd, int, level, int, opt, const void *, uval, uint32_t, len)
{
	struct sock_opts *o, next;
	struct file *f;
	int kind = sock_kind_of(fd, &f);
	union {
		int v[2];
		struct timeval_k tv;
	} val = { 0 };
	long r;

	if (kind < 0)
		return kind;
	if (kind == SK_NETLINK && level == SOL_NETLINK) {
		r = nlsock_setsockopt(f, opt, uval, len);
		file_put(f);
		return r;
	}
	if (len < value_size(level, opt))
		r = -EINVAL;
	else if (copy_from_user(&val, uval, value_size(level, opt)))
		r = -EFAULT;
	else if (!(o = sock_opts_of(f, kind)))
		r = -ENOMEM;
	else {
		next = *o; /* changed whole or not at all */
		if (is_timeo(level, opt))
			r = set_timeo(&next, opt, &val.tv);
		else if (level == SOL_SOCKET)
			r = set_socket(&next, opt, val.v[0], val.v);
		else if (level == IPPROTO_TCP)
			r = kind == SK_TCP    ? set_tcp(&next, opt, val.v[0])
			    : kind == SK_UNIX ? -EOPNOTSUPP
					      : -ENOPROTOOPT;
		else if (level == SOL_IP && kind != SK_NETLINK)
			r = kind == SK_UNIX ? -EOPNOTSUPP : set_ip(&next, opt, val.v[0]);
		else if (level == SOL_IPV6 && opt == IPV6_V6ONLY && sock_is_v6(f, kind))
			next.v6only = val.v[0] != 0, r = 0;
		else
			r = kind == SK_UNIX ? -EOPNOTSUPP : -ENOPROTOOPT;
		if (!r) {
			*o = next;
			if (kind == SK_UNIX) /* sys_unix.c's sockets: their timeouts */
				unix_apply_opts(f, o->rcvtimeo_ns, o->sndtimeo_ns);
			else
				sock_opts_apply(f, kind, o);
		}
	}
	file_put(f);
	return r;
}

/* The value of a SOL_SOCKET option into v[0] (v[0..1] for SO_LINGER). */
static long get_socket(struct file *f, int kind, const struct sock_opts *o, int opt, int *v)
{
	if (opt < 64 && (SOL_FLAGS & BIT(opt))) {
		v[0] = (o->sol & BIT(opt)) != 0;
		return 0;
	}
	switch (opt) {
	case SO_TYPE:
		v[0] = kind == SK_UDP	    ? SOCK_DGRAM
		       : kind == SK_UNIX    ? unix_type(f)
		       : kind == SK_NETLINK ? nlsock_type(f)
					    : SOCK_STREAM;
		return 0;
	case SO_ERROR:
		v[0] = kind == SK_TCP ? -nsock_error(f->priv) : 0;
		return 0;
	case SO_SNDBUF:
		v[0] = o->sndbuf;
		return 0;
	case SO_RCVBUF:
		v[0] = o->rcvbuf;
		return 0;
	case SO_RCVLOWAT:
		v[0] = o->rcvlowat;
		return 0;
	case SO_SNDLOWAT:
		v[0] = 1;
		return 0;
	case SO_LINGER:
		v[0] = o->linger[0];
		v[1] = o->linger[1];
		return 0;
	case SO_PEERCRED: /* struct ucred: an AF_UNIX peer is this process (root); else none */
		v[0] = kind == SK_UNIX ? current_process()->pid : 0;
		v[1] = v[2] = kind == SK_UNIX ? 0 : 65534;
		return 0;
	case SO_ACCEPTCONN:
		v[0] = kind == SK_TCP && nsock_listening(f->priv);
		return 0;
	case SO_PROTOCOL:
		v[0] = kind == SK_TCP	    ? IPPROTO_TCP
		       : kind == SK_UDP	    ? IPPROTO_UDP
		       : kind == SK_NETLINK ? nlsock_protocol(f)
					    : 0;
		return 0;
	case SO_DOMAIN:
		v[0] = kind == SK_UNIX	     ? AF_UNIX
		       : kind == SK_NETLINK  ? AF_NETLINK
		       : sock_is_v6(f, kind) ? AF_INET6
					     : AF_INET;
		return 0;
	default:
		return -ENOPROTOOPT;
	}
}

static long get_tcp(const struct sock_opts *o, int opt, int *v)
{
	if (opt < 64 && (TCP_FLAGS & BIT(opt))) {
		v[0] = (o->tcp & BIT(opt)) != 0;
		return 0;
	}
	switch (opt) {
	case TCP_KEEPIDLE:
		v[0] = o->keepidle;
		return 0;
	case TCP_KEEPINTVL:
		v[0] = o->keepintvl;
		return 0;
	case TCP_KEEPCNT:
		v[0] = o->keepcnt;
		return 0;
	case TCP_MAXSEG:
		v[0] = o->maxseg;
		return 0;
	case TCP_DEFER_ACCEPT:
		v[0] = o->defer_accept;
		return 0;
	case TCP_USER_TIMEOUT:
		v[0] = o->user_timeout;
		return 0;
	case TCP_FASTOPEN:
		v[0] = o->fastopen;
		return 0;
	default:
		return -ENOPROTOOPT;
	}
}

/* The leading part of Linux's struct tcp_info, up to tcpi_total_retrans (older kernels'
 * size: programs read what the returned length covers). */
struct tcp_info_k {
	uint8_t state, ca_state, retransmits, probes, backoff, options, wscale, flags;
	uint32_t rto, ato, snd_mss, rcv_mss;
	uint32_t unacked, sacked, lost, retrans, fackets;
	uint32_t last_data_sent, last_ack_sent, last_data_recv, last_ack_recv;
	uint32_t pmtu, rcv_ssthresh, rtt, rttvar, snd_ssthresh, snd_cwnd, advmss, reordering;
	uint32_t rcv_rtt, rcv_space, total_retrans;
};

/* lwIP's TCP states (RFC 793's order) as Linux numbers them. */
static const uint8_t linux_tcp_state[] = { 7, 10, 2, 3, 1, 4, 5, 8, 11, 9, 6 };

static long get_tcp_info(struct file *f, void *uval, uint32_t *ulen)
{
	struct nsock_info n;
	struct tcp_info_k t = { 0 };
	uint32_t len;

	nsock_info(f->priv, &n);
	t.state = n.state >= 0 && n.state < (int)sizeof(linux_tcp_state) ? linux_tcp_state[n.state]
									 : 7;
	t.retransmits = (uint8_t)MIN(n.retransmits, 255u);
	t.rto = n.rto_us;
	t.snd_mss = t.rcv_mss = t.advmss = n.mss;
	t.unacked = n.unacked_segs;
	t.pmtu = n.mtu;
	t.rcv_ssthresh = t.rcv_space = n.rcv_wnd;
	t.rtt = n.rtt_us;
	t.rttvar = n.rttvar_us;
	t.snd_ssthresh = n.ssthresh_segs;
	t.snd_cwnd = n.cwnd_segs;
	t.reordering = 3;
	if (get_user(len, ulen))
		return -EFAULT;
	if ((int32_t)len < 0)
		return -EINVAL;
	len = MIN(len, (uint32_t)sizeof(t));
	if (copy_to_user(uval, &t, len))
		return -EFAULT;
	return put_user(len, ulen);
}

SYSCALL_DEFINE5(getsockopt, int, fd, int, level, int, opt, void *, uval, uint32_t *, ulen)
{
	struct sock_opts dflt;
	const struct sock_opts *o;
	struct file *f;
	int kind = sock_kind_of(fd, &f), v[4] = { 0 };
	uint32_t len, size = value_size(level, opt);
	long r;

	if (kind < 0)
		return kind;
	if ((kind == SK_TCP && level == IPPROTO_TCP && opt == TCP_INFO) ||
	    (kind == SK_NETLINK && level == SOL_NETLINK)) {
		r = kind == SK_TCP ? get_tcp_info(f, uval, ulen)
				   : nlsock_getsockopt(f, opt, uval, ulen);
		file_put(f);
		return r;
	}
	o = READ_ONCE(f->sock_opts);
	if (!o) {
		sock_opts_default(&dflt, kind);
		o = &dflt;
	}
	if (is_timeo(level, opt)) {
		uint64_t ns = opt == SO_RCVTIMEO || opt == SO_RCVTIMEO_NEW ? o->rcvtimeo_ns
									   : o->sndtimeo_ns;
		struct timeval_k tv = { (int64_t)(ns / NSEC_PER_SEC),
					(int64_t)(ns % NSEC_PER_SEC / 1000) };

		memcpy(v, &tv, sizeof(tv));
		r = 0;
	} else if (level == SOL_SOCKET)
		r = get_socket(f, kind, o, opt, v);
	else if (level == IPPROTO_TCP)
		r = kind == SK_TCP    ? get_tcp(o, opt, v)
		    : kind == SK_UNIX ? -EOPNOTSUPP
				      : -ENOPROTOOPT;
	else if (level == SOL_IP && kind != SK_UNIX && kind != SK_NETLINK)
		r = opt == IP_TOS	? (v[0] = o->tos, 0)
		    : opt == IP_TTL	? (v[0] = o->ttl, 0)
		    : opt == IP_RECVERR ? (v[0] = o->recverr, 0)
					: -ENOPROTOOPT;
	else if (level == SOL_IPV6 && opt == IPV6_V6ONLY && sock_is_v6(f, kind))
		r = (v[0] = o->v6only, 0);
	else
		r = kind == SK_UNIX ? -EOPNOTSUPP : -ENOPROTOOPT;
	file_put(f);
	if (r)
		return r;
	if (get_user(len, ulen))
		return -EFAULT;
	if ((int32_t)len < 0)
		return -EINVAL;
	len = MIN(len, size); /* as Linux: cut to the caller's buffer, the length written back */
	if (copy_to_user(uval, v, len))
		return -EFAULT;
	return put_user(len, ulen);
}
