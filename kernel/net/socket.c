/* socket.c: TCP sockets on lwIP's raw API (socket.h). lwIP's callbacks run under net_lock (in
 * the net thread, or in the caller of an lwIP function) and only move state and wake sleepers;
 * received data waits in lwIP's pbufs until read, and the window opens as it is read. */
#include "net/socket.h"
#include "core/mm/heap.h"
#include "core/sched/sync.h"
#include "core/sched/wait.h"
#include "core/time.h"
#include "fs/file.h"
#include "fs/pollq.h"
#include "lib/errno.h"
#include "lib/spinlock.h"
#include "lib/string.h"
#include "lwip/priv/tcp_priv.h"
#include "lwip/tcp.h"
#include "net/addr_lwip.h"
#include "net/netif.h"

#define ACCEPT_MAX 64 /* the longest listen queue */

struct nsock {
	struct tcp_pcb *pcb;  /* NULL once lwIP has freed it (error) or we closed it */
	struct spinlock lock; /* guards the fields sleepers wait on, and the wait queue */
	struct waitq wq;
	struct pollq pq;
	struct pbuf *rx; /* received, not yet read */
	size_t rx_off;	 /* bytes of rx's first pbuf already read */
	bool listening, connecting, connected, eof, wr_shut;
	/* a connect returned before its outcome (-EINPROGRESS, -EINTR): the next connect reports
	 * it, once (Linux's SS_CONNECTING: 0 then, and -EISCONN only after) */
	bool connect_pending;
	bool v6, v6only; /* an AF_INET6 socket; one for IPv6 alone (IPV6_V6ONLY) */
	int err;	 /* -errno from lwIP's error callback, until read */
	struct nsock *acq[ACCEPT_MAX];
	int nacq, backlog;
};

static int errno_of(err_t e)
{
	switch (e) {
	case ERR_MEM:
	case ERR_BUF:
		return -ENOMEM;
	case ERR_RTE:
		return -ENETUNREACH;
	case ERR_USE:
		return -EADDRINUSE;
	case ERR_ISCONN:
		return -EISCONN;
	case ERR_CONN:
		return -ENOTCONN;
	case ERR_RST:
		return -ECONNRESET;
	case ERR_ABRT:
		return -ECONNABORTED;
	case ERR_CLSD:
		return -EPIPE;
	case ERR_TIMEOUT:
		return -ETIMEDOUT;
	default:
		return -EIO;
	}
}

/* Something changed for s: wake its sleepers and pollers. */
static void changed(struct nsock *s, uint32_t events)
{
	uint64_t f = spin_lock(&s->lock);

	waitq_wake_all(&s->wq);
	spin_unlock(&s->lock, f);
	pollq_wake(&s->pq, events);
}

static struct nsock *alloc(void)
{
	struct nsock *s = kzalloc(sizeof(*s));

	if (!s)
		return NULL;
	spin_init(&s->lock);
	waitq_init(&s->wq);
	pollq_init(&s->pq);
	return s;
}

/* Leave pcb to lwIP: no more callbacks to its socket (lwIP finishes a close by itself). */
static void detach(struct tcp_pcb *pcb)
{
	tcp_arg(pcb, NULL);
	tcp_recv(pcb, NULL);
	tcp_sent(pcb, NULL);
	tcp_err(pcb, NULL);
}

static err_t on_recv(void *arg, struct tcp_pcb *pcb, struct pbuf *p, err_t err)
{
	struct nsock *s = arg;

	if (p && s->rx)
		pbuf_cat(s->rx, p);
	else if (p)
		s->rx = p;
	else
		s->eof = true;
	/* The peer's FIN after ours: lwIP frees the pcb after TIME_WAIT without a word, so it
	 * is lwIP's from now on (Linux: the socket is closed then, ENOTCONN) */
	if (!p && (pcb->state == TIME_WAIT || pcb->state == CLOSING)) {
		detach(pcb);
		s->pcb = NULL;
	}
	changed(s, POLLIN | (p ? 0 : POLLRDHUP));
	return ERR_OK;
}

static err_t on_sent(void *arg, struct tcp_pcb *pcb, u16_t len)
{
	changed(arg, POLLOUT);
	return ERR_OK;
}

static void on_err(void *arg, err_t err)
{
	struct nsock *s = arg;

	s->pcb = NULL; /* lwIP has freed it */
	/* a reset answering our SYN is a refusal (Linux: ECONNREFUSED); ERR_CLSD is the end
	 * of a close (our FIN acknowledged after the peer's), no error */
	s->err = s->connecting && err == ERR_RST ? -ECONNREFUSED
		 : err == ERR_CLSD		 ? 0
						 : errno_of(err);
	s->connecting = false;
	s->eof = true;
	changed(s, POLLERR | POLLHUP | POLLIN | POLLOUT);
}

static void attach(struct nsock *s, struct tcp_pcb *pcb)
{
	s->pcb = pcb;
	tcp_arg(pcb, s);
	tcp_recv(pcb, on_recv);
	tcp_sent(pcb, on_sent);
	tcp_err(pcb, on_err);
}

static err_t on_accept(void *arg, struct tcp_pcb *pcb, err_t err)
{
	struct nsock *l = arg, *c;

	if (err != ERR_OK || !pcb)
		return ERR_VAL;
	if (l->nacq >= l->backlog || !(c = alloc())) {
		tcp_abort(pcb);
		return ERR_ABRT;
	}
	attach(c, pcb);
	c->connected = true;
	c->v6 = l->v6;
	c->v6only = l->v6only;
	l->acq[l->nacq++] = c;
	changed(l, POLLIN);
	return ERR_OK;
}

static err_t on_connected(void *arg, struct tcp_pcb *pcb, err_t err)
{
	struct nsock *s = arg;

	s->connecting = false;
	s->connected = err == ERR_OK;
	if (err != ERR_OK)
		s->err = errno_of(err);
	changed(s, POLLOUT);
	return ERR_OK;
}

struct nsock *nsock_tcp(bool v6)
{
	struct nsock *s = alloc();
	struct tcp_pcb *pcb;

	if (!s)
		return NULL;
	net_init(); /* lwIP starts with the first socket where there is no network device */
	mutex_lock(&net_lock);
	s->v6 = v6;
	pcb = tcp_new_ip_type(v6 ? IPADDR_TYPE_ANY : IPADDR_TYPE_V4);
	if (pcb)
		attach(s, pcb);
	net_unlock();
	if (!pcb) {
		kfree(s);
		return NULL;
	}
	return s;
}

/* Sleep until ready(s) (checked under s->lock), or fail: -EAGAIN (NET_NOWAIT, or the
 * deadline passed), -EINTR. */
static int wait_until(struct nsock *s, bool (*ready)(struct nsock *), uint64_t deadline,
		      bool (*interrupted)(void))
{
	uint64_t f;
	int r = 0;

	if (deadline == NET_NOWAIT)
		return -EAGAIN;
	f = spin_lock(&s->lock);
	if (interrupted && interrupted())
		r = -EINTR;
	else if (!ready(s))
		r = waitq_sleep(&s->wq, &s->lock, deadline);
	spin_unlock(&s->lock, f);
	return r == -ETIMEDOUT ? -EAGAIN : r;
}

static bool can_accept(struct nsock *s)
{
	return READ_ONCE(s->nacq) || !s->pcb;
}

static bool can_recv(struct nsock *s)
{
	return READ_ONCE(s->rx) || s->eof || s->err || !s->pcb;
}

/* Room in the send buffer and in lwIP's segment queue (tcp_write fails on either). Read
 * without net_lock: a wrong answer only costs one more look. */
static bool can_send(struct nsock *s)
{
	struct tcp_pcb *pcb = READ_ONCE(s->pcb);

	return !pcb || s->err ||
	       (s->connected && tcp_sndbuf(pcb) > 0 && tcp_sndqueuelen(pcb) < TCP_SND_QUEUELEN);
}

static bool connect_done(struct nsock *s)
{
	return !s->connecting;
}

/* Under net_lock: a listener on port (network order) whose address overlaps a (the same
 * family, or one for both, and the same address or an any address). lwIP lets
 * SO_REUSEADDR sockets share a port outright; Linux refuses a second bind beside a listener. */
static bool listener_on(const ip_addr_t *a, uint16_t port)
{
	if (!port)
		return false;
	for (struct tcp_pcb_listen *l = tcp_listen_pcbs.listen_pcbs; l; l = l->next)
		if (l->local_port == lwip_ntohs(port) &&
		    (IP_IS_ANY_TYPE_VAL(l->local_ip) || IP_IS_ANY_TYPE_VAL(*a) ||
		     IP_GET_TYPE(&l->local_ip) == IP_GET_TYPE(a)) &&
		    (ip_addr_isany(&l->local_ip) || ip_addr_isany(a) ||
		     ip_addr_cmp(&l->local_ip, a)))
			return true;
	return false;
}

int nsock_bind(struct nsock *s, const struct net_addr *addr)
{
	ip_addr_t a;
	err_t e;

	mutex_lock(&net_lock);
	net_addr_to_lwip(addr, s->v6 && !s->v6only, &a);
	e = !s->pcb			  ? ERR_CLSD
	    : listener_on(&a, addr->port) ? ERR_USE
					  : tcp_bind(s->pcb, &a, lwip_ntohs(addr->port));
	net_unlock();
	return e == ERR_OK ? 0 : e == ERR_VAL ? -EINVAL : errno_of(e);
}

int nsock_listen(struct nsock *s, int backlog)
{
	struct tcp_pcb *l;
	int r = 0;

	backlog = backlog < 1 ? 1 : MIN(backlog, ACCEPT_MAX);
	mutex_lock(&net_lock);
	if (s->listening) {
		s->backlog = backlog;
	} else if (!s->pcb || s->connected || s->connecting) {
		r = -EINVAL;
	} else {
		/* lwIP hands a smaller listening pcb back and frees the first */
		l = tcp_listen_with_backlog(s->pcb, (u8_t)backlog);
		if (!l) {
			r = -ENOMEM;
		} else {
			s->pcb = l;
			s->listening = true;
			s->backlog = backlog;
			tcp_arg(l, s);
			tcp_accept(l, on_accept);
		}
	}
	net_unlock();
	return r;
}

int nsock_accept(struct nsock *s, struct nsock **out, uint64_t deadline, bool (*interrupted)(void))
{
	int r;

	if (!s->listening)
		return -EINVAL;
	for (;;) {
		mutex_lock(&net_lock);
		if (s->nacq) {
			*out = s->acq[0];
			memmove(s->acq, s->acq + 1, (size_t)--s->nacq * sizeof(s->acq[0]));
			net_unlock();
			return 0;
		}
		net_unlock();
		r = wait_until(s, can_accept, deadline, interrupted);
		if (r)
			return r;
	}
}

/* Under net_lock: s a fresh pcb after a failed connect (lwIP freed the last), as Linux lets a
 * socket whose connection failed connect again. What was bound to the old one, and the
 * options set on it, are not carried over. */
static int renew(struct nsock *s)
{
	struct tcp_pcb *pcb = tcp_new_ip_type(s->v6 ? IPADDR_TYPE_ANY : IPADDR_TYPE_V4);

	if (!pcb)
		return -ENOMEM;
	attach(s, pcb);
	s->eof = s->wr_shut = false; /* (Linux clears shutdown's marks on disconnecting too) */
	s->err = 0;
	return 0;
}

/* Under net_lock: start connecting s to addr; -errno if it cannot. */
static int start_connect(struct nsock *s, const struct net_addr *addr)
{
	ip_addr_t a;
	err_t e;
	int r;

	net_addr_to_lwip(addr, false, &a);
	if (s->connected)
		return -EISCONN;
	if (s->listening)
		return -EINVAL;
	if (s->v6only && !addr->v6)
		return -ENETUNREACH; /* an IPv4 address (mapped) from an IPv6-only socket */
	if (!s->pcb && (r = renew(s)))
		return r;
	e = tcp_connect(s->pcb, &a, lwip_ntohs(addr->port), on_connected);
	if (e != ERR_OK)
		return errno_of(e);
	s->connecting = true;
	return 0;
}

/* Under net_lock: what a connect says of the one reported as under way: 0 when it
 * connected, else its error (-ECONNABORTED when SO_ERROR or a receive took it already). */
static int connect_outcome(struct nsock *s)
{
	int r = s->connected ? 0 : s->err ? s->err : -ECONNABORTED;

	s->err = s->connected ? s->err : 0;
	s->connect_pending = false;
	return r;
}

int nsock_connect(struct nsock *s, const struct net_addr *addr, uint64_t deadline,
		  bool (*interrupted)(void))
{
	bool again;
	int r;

	mutex_lock(&net_lock);
	if (s->connect_pending && !s->connecting) {
		r = connect_outcome(s);
		net_unlock();
		return r;
	}
	again = s->connect_pending; /* still under way: a blocking connect waits for it */
	r = !again ? start_connect(s, addr) : deadline == NET_NOWAIT ? -EALREADY : 0;
	/* Linux answers a non-blocking connect so even when the handshake is over before it
	 * returns, as on the loopback (which net_unlock runs) */
	if (!r && !again && deadline == NET_NOWAIT) {
		s->connect_pending = true;
		r = -EINPROGRESS;
	}
	net_unlock();
	if (r)
		return r;
	while (!connect_done(s)) {
		r = wait_until(s, connect_done, deadline, interrupted);
		if (r) { /* it goes on: poll for POLLOUT, or connect again */
			WRITE_ONCE(s->connect_pending, true);
			return r != -EAGAIN ? r : again ? -EALREADY : -EINPROGRESS;
		}
	}
	mutex_lock(&net_lock);
	r = connect_outcome(s);
	net_unlock();
	return r == -ECONNABORTED ? -ECONNREFUSED : r; /* (SO_ERROR took the refusal) */
}

ssize_t nsock_send(struct nsock *s, const void *buf, size_t n, uint64_t deadline,
		   bool (*interrupted)(void))
{
	size_t k;
	err_t e;
	int r;

	for (;;) {
		mutex_lock(&net_lock);
		if (s->err) {
			r = s->err;
			s->err = 0;
			net_unlock();
			return r;
		}
		/* Linux: never connected (or listening) is EPIPE too, not ENOTCONN */
		if (!s->pcb || s->wr_shut || (!s->connected && !s->connecting)) {
			net_unlock();
			return -EPIPE;
		}
		k = s->connected ? MIN(n, (size_t)tcp_sndbuf(s->pcb)) : 0; /* connecting: wait */
		if (k) {
			e = tcp_write(s->pcb, buf, (u16_t)MIN(k, 0xffffu), TCP_WRITE_FLAG_COPY);
			if (e == ERR_OK)
				tcp_output(s->pcb);
			net_unlock();
			if (e == ERR_OK)
				return (ssize_t)MIN(k, 0xffffu);
			if (e != ERR_MEM)
				return errno_of(e);
			/* room in the window but not in lwIP's memory: not a wait on the peer
			 * (can_send holds, and would spin), a short sleep while memory frees */
			if (deadline == NET_NOWAIT || (deadline && time_ns() >= deadline))
				return -EAGAIN;
			sleep_ns(NSEC_PER_MSEC);
			continue;
		} else {
			net_unlock();
		}
		r = wait_until(s, can_send, deadline, interrupted);
		if (r)
			return r;
	}
}

/* Copy up to n bytes of s->rx (from its start) into buf without taking them: the count. */
static size_t peek_rx(struct nsock *s, uint8_t *buf, size_t n)
{
	size_t done = 0, off = s->rx_off;

	for (struct pbuf *p = s->rx; p && done < n; p = p->next, off = 0) {
		size_t k = MIN(n - done, (size_t)p->len - off);

		memcpy(buf + done, (uint8_t *)p->payload + off, k);
		done += k;
	}
	return done;
}

/* Take up to n bytes of s->rx into buf, opening the window by as many: the count. */
static size_t take_rx(struct nsock *s, uint8_t *buf, size_t n)
{
	size_t done = 0;

	while (s->rx && done < n) {
		struct pbuf *p = s->rx;
		size_t k = MIN(n - done, (size_t)p->len - s->rx_off);

		memcpy(buf + done, (uint8_t *)p->payload + s->rx_off, k);
		done += k;
		s->rx_off += k;
		if (s->rx_off == p->len) { /* the first pbuf of the chain is used up */
			/* keep the rest: freeing p drops the chain's hold on it (not
			 * pbuf_dechain, which frees a rest that pbuf_cat made) */
			s->rx = p->next;
			if (s->rx)
				pbuf_ref(s->rx);
			pbuf_free(p);
			s->rx_off = 0;
		}
	}
	if (done && s->pcb)
		tcp_recved(s->pcb, (u16_t)MIN(done, 0xffffu));
	return done;
}

ssize_t nsock_recv(struct nsock *s, void *buf, size_t n, uint64_t deadline, bool peek,
		   bool (*interrupted)(void))
{
	size_t done;
	int r;

	for (;;) {
		mutex_lock(&net_lock);
		done = peek ? peek_rx(s, buf, n) : take_rx(s, buf, n);
		r = done ? 0 : s->err ? s->err : (s->eof || !s->pcb) ? 1 : 0;
		if (!done && !r && !s->connected && !s->connecting)
			r = -ENOTCONN; /* never connected, or listening (Linux: not EAGAIN) */
		if (!done && s->err && !peek)
			s->err = 0;
		net_unlock();
		if (done)
			return (ssize_t)done;
		if (r < 0)
			return r;
		if (r == 1)
			return 0; /* the peer's end of data */
		r = wait_until(s, can_recv, deadline, interrupted);
		if (r)
			return r;
	}
}

size_t nsock_pending(struct nsock *s)
{
	size_t n;

	mutex_lock(&net_lock);
	n = s->rx ? s->rx->tot_len - s->rx_off : 0;
	net_unlock();
	return n;
}

int nsock_shutdown(struct nsock *s, int how)
{
	err_t e = ERR_OK;

	if (how < 0 || how > 2)
		return -EINVAL;
	mutex_lock(&net_lock);
	/* Only the sending side is lwIP's business: its receive side shut (TF_RXCLOSED) makes
	 * the pcb lwIP's to free and answers data with a reset; Linux still takes the data,
	 * and reads see the end of data once what came is read (eof below). */
	if (s->pcb && s->connected)
		e = how != 0 && !s->wr_shut ? tcp_shutdown(s->pcb, 0, 1) : ERR_OK;
	else if (!s->listening && !s->connecting)
		e = ERR_CONN; /* never connected, or the connection is gone */
	if (how != 0)
		s->wr_shut = true;
	if (how != 1 && !s->listening)
		s->eof = true; /* (Linux marks it shut even when it says ENOTCONN) */
	net_unlock();
	changed(s, POLLIN | POLLOUT);
	return e == ERR_OK ? 0 : errno_of(e);
}

uint32_t nsock_poll(struct nsock *s, struct pollq **pq)
{
	uint32_t ev = 0;

	if (pq)
		*pq = &s->pq;
	mutex_lock(&net_lock);
	if (s->listening ? s->nacq > 0 : (s->rx || s->eof))
		ev |= POLLIN | POLLRDNORM;
	/* as Linux: writable unless listening or connecting, and so once shut for writing,
	 * closed, or never connected (a send says why it cannot) */
	if (!s->listening && !s->connecting &&
	    (s->wr_shut || !s->connected || !s->pcb || can_send(s)))
		ev |= POLLOUT | POLLWRNORM;
	if (s->eof)
		ev |= POLLRDHUP;
	if (s->err)
		ev |= POLLERR;
	/* hung up: no connection (closed, failed, or never made), or shut both ways */
	if (!s->listening && !s->connecting && (!s->pcb || !s->connected || (s->eof && s->wr_shut)))
		ev |= POLLHUP;
	net_unlock();
	return ev;
}

bool nsock_listening(struct nsock *s)
{
	return READ_ONCE(s->listening);
}

int nsock_error(struct nsock *s)
{
	int e;

	mutex_lock(&net_lock);
	e = s->err;
	s->err = 0;
	net_unlock();
	return e;
}

int nsock_name(struct nsock *s, bool peer, struct net_addr *addr)
{
	int r = 0;

	mutex_lock(&net_lock);
	if (!s->pcb)
		r = -ENOTCONN;
	else if (peer && !s->connected)
		r = -ENOTCONN;
	else if (peer)
		net_addr_from_lwip(&s->pcb->remote_ip, s->pcb->remote_port, addr);
	else
		net_addr_from_lwip(&s->pcb->local_ip, s->pcb->local_port, addr);
	net_unlock();
	return r;
}

void nsock_info(struct nsock *s, struct nsock_info *i)
{
	const uint32_t tick_us = TCP_SLOW_INTERVAL * 1000;
	struct tcp_pcb *p;

	*i = (struct nsock_info){ .mss = TCP_MSS, .mtu = 1500 };
	mutex_lock(&net_lock);
	p = s->pcb;
	if (p && s->listening) {
		i->state = LISTEN;
	} else if (p) {
		i->state = p->state;
		i->rto_us = (uint32_t)MAX(p->rto, 0) * tick_us;
		i->rtt_us = (uint32_t)MAX(p->sa >> 3, 0) * tick_us; /* lwIP keeps 8 x the mean */
		i->rttvar_us = (uint32_t)MAX(p->sv >> 2, 0) * tick_us;
		i->mss = p->mss;
		i->cwnd_segs = p->cwnd / MAX(p->mss, 1);
		i->ssthresh_segs = p->ssthresh / MAX(p->mss, 1);
		for (struct tcp_seg *g = p->unacked; g; g = g->next)
			i->unacked_segs++;
		i->retransmits = p->nrtx;
		i->rcv_wnd = p->rcv_wnd;
	}
	net_unlock();
}

void nsock_reuseaddr(struct nsock *s, bool on)
{
	mutex_lock(&net_lock);
	if (s->pcb && on)
		ip_set_option(s->pcb, SOF_REUSEADDR);
	else if (s->pcb)
		ip_reset_option(s->pcb, SOF_REUSEADDR);
	net_unlock();
}

bool nsock_is_v6(struct nsock *s)
{
	return s->v6;
}

void nsock_v6only(struct nsock *s, bool on)
{
	mutex_lock(&net_lock);
	s->v6only = s->v6 && on;
	net_unlock();
}

void nsock_nodelay(struct nsock *s, bool on)
{
	mutex_lock(&net_lock);
	if (s->pcb && !s->listening) {
		if (on)
			tcp_nagle_disable(s->pcb);
		else
			tcp_nagle_enable(s->pcb);
	}
	net_unlock();
}

void nsock_keepalive(struct nsock *s, bool on, uint32_t idle_s, uint32_t intvl_s, uint32_t count)
{
	mutex_lock(&net_lock);
	if (s->pcb) { /* a listener's pass to its connections (lwIP's SOF_INHERITED) */
		if (on)
			ip_set_option(s->pcb, SOF_KEEPALIVE);
		else
			ip_reset_option(s->pcb, SOF_KEEPALIVE);
		if (!s->listening) {
			s->pcb->keep_idle = idle_s * 1000;
			s->pcb->keep_intvl = intvl_s * 1000;
			s->pcb->keep_cnt = count;
		}
	}
	net_unlock();
}

/* Under net_lock: end s's connection (and its unaccepted ones; reset: with a RST) and free it. */
static void close_locked(struct nsock *s, bool reset)
{
	for (int i = 0; i < s->nacq; i++)
		close_locked(s->acq[i], false);
	if (s->pcb) {
		tcp_arg(s->pcb, NULL);
		if (s->listening)
			tcp_accept(s->pcb, NULL);
		else /* lwIP takes what still comes in and finishes the close itself */
			detach(s->pcb);
		if ((reset && !s->listening) || tcp_close(s->pcb) != ERR_OK)
			tcp_abort(s->pcb);
	}
	if (s->rx)
		pbuf_free(s->rx);
	kfree(s);
}

void nsock_close(struct nsock *s)
{
	mutex_lock(&net_lock);
	close_locked(s, false);
	net_unlock();
}

void nsock_abort(struct nsock *s)
{
	mutex_lock(&net_lock);
	close_locked(s, true);
	net_unlock();
}
