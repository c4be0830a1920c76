/* sockopts.c: what a socket remembers of its options (sockopts.h): Linux's defaults, the
 * structure made at the first setsockopt, the effects in the stack, an accepted connection's
 * inheritance, and the deadlines of SO_RCVTIMEO/SO_SNDTIMEO. */
#include "linux/sockopts.h"
#include "core/mm/heap.h"
#include "core/time.h"
#include "fs/file.h"
#include "linux/socket_file.h"
#include "net/socket.h"
#include "net/udp.h"

void sock_opts_default(struct sock_opts *o, int kind)
{
	*o = (struct sock_opts){ .rcvlowat = 1,
				 .keepidle = 7200,
				 .keepintvl = 75,
				 .keepcnt = 9,
				 .maxseg = MSS,
				 .ttl = 64 };
	o->sndbuf = kind == SK_TCP ? 16384 : BUF_MAX;
	o->rcvbuf = kind == SK_TCP ? 131072 : BUF_MAX;
}

struct sock_opts *sock_opts_of(struct file *f, int kind)
{
	struct sock_opts *o = READ_ONCE(f->sock_opts);

	if (o)
		return o;
	o = kmalloc(sizeof(*o));
	if (!o)
		return NULL;
	sock_opts_default(o, kind);
	if (!__atomic_compare_exchange_n(&f->sock_opts, &(void *){ NULL }, o, false,
					 __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
		kfree(o); /* another thread made them first */
		o = f->sock_opts;
	}
	return o;
}

/* The options' effects in the stack, for a TCP socket. */
static void apply_tcp(struct file *f, const struct sock_opts *o)
{
	nsock_v6only(f->priv, o->v6only);
	nsock_reuseaddr(f->priv, o->sol & BIT(SO_REUSEADDR));
	nsock_nodelay(f->priv, o->tcp & BIT(TCP_NODELAY));
	nsock_keepalive(f->priv, o->sol & BIT(SO_KEEPALIVE), (uint32_t)o->keepidle,
			(uint32_t)o->keepintvl, (uint32_t)o->keepcnt);
}

void sock_opts_apply(struct file *f, int kind, const struct sock_opts *o)
{
	if (kind == SK_TCP) {
		apply_tcp(f, o);
	} else if (kind == SK_UDP) {
		nudp_v6only(f->priv, o->v6only);
		nudp_reuseaddr(f->priv, o->sol & BIT(SO_REUSEADDR));
	}
}

void sock_opts_inherit(struct file *listener, struct file *accepted)
{
	struct sock_opts *o = READ_ONCE(listener->sock_opts), *c;

	if (!o || !(c = kmalloc(sizeof(*c))))
		return;
	*c = *o;
	accepted->sock_opts = c;
	apply_tcp(accepted, c);
}

uint64_t sock_deadline(struct file *f, bool send, bool nonblock)
{
	const struct sock_opts *o = READ_ONCE(f->sock_opts);
	uint64_t t = !o ? 0 : send ? o->sndtimeo_ns : o->rcvtimeo_ns;

	return nonblock ? NET_NOWAIT : t ? time_ns() + t : NET_FOREVER;
}
