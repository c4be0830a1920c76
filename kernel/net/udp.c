/* udp.c: UDP sockets on lwIP's raw API (udp.h). */
#include "net/udp.h"
#include "core/mm/heap.h"
#include "core/sched/wait.h"
#include "fs/file.h"
#include "fs/pollq.h"
#include "lib/errno.h"
#include "lib/spinlock.h"
#include "lib/string.h"
#include "lwip/udp.h"
#include "net/addr_lwip.h"
#include "net/netif.h"

struct datagram {
	struct pbuf *p;
	struct net_addr from;
};

struct nudp {
	struct udp_pcb *pcb;
	struct spinlock lock; /* guards n (what sleepers wait on) and the wait queue */
	struct waitq wq;
	struct pollq pq;
	struct datagram q[UDP_QUEUE_MAX]; /* a ring: head, n */
	int head, n;
	bool connected;
	bool v6, v6only; /* an AF_INET6 socket; one for IPv6 alone (IPV6_V6ONLY) */
};

static void on_recv(void *arg, struct udp_pcb *pcb, struct pbuf *p, const ip_addr_t *addr,
		    u16_t port)
{
	struct nudp *u = arg;
	struct datagram *d;
	uint64_t f;

	if (u->n == UDP_QUEUE_MAX) { /* full: dropped, as Linux drops past the buffer */
		pbuf_free(p);
		return;
	}
	d = &u->q[(u->head + u->n) % UDP_QUEUE_MAX];
	d->p = p;
	net_addr_from_lwip(addr, port, &d->from);
	f = spin_lock(&u->lock);
	u->n++;
	waitq_wake_all(&u->wq);
	spin_unlock(&u->lock, f);
	pollq_wake(&u->pq, POLLIN);
}

struct nudp *nudp_new(bool v6)
{
	struct nudp *u = kzalloc(sizeof(*u));

	if (!u)
		return NULL;
	spin_init(&u->lock);
	waitq_init(&u->wq);
	pollq_init(&u->pq);
	net_init();
	mutex_lock(&net_lock);
	u->v6 = v6;
	u->pcb = udp_new_ip_type(v6 ? IPADDR_TYPE_ANY : IPADDR_TYPE_V4);
	if (u->pcb)
		udp_recv(u->pcb, on_recv, u);
	net_unlock();
	if (!u->pcb) {
		kfree(u);
		return NULL;
	}
	return u;
}

void nudp_close(struct nudp *u)
{
	mutex_lock(&net_lock);
	udp_remove(u->pcb);
	for (int i = 0; i < u->n; i++)
		pbuf_free(u->q[(u->head + i) % UDP_QUEUE_MAX].p);
	net_unlock();
	kfree(u);
}

int nudp_bind(struct nudp *u, const struct net_addr *addr)
{
	ip_addr_t a;
	err_t e;

	mutex_lock(&net_lock);
	net_addr_to_lwip(addr, u->v6 && !u->v6only, &a);
	e = udp_bind(u->pcb, &a, lwip_ntohs(addr->port));
	net_unlock();
	return e == ERR_OK ? 0 : e == ERR_USE ? -EADDRINUSE : -EINVAL;
}

int nudp_connect(struct nudp *u, const struct net_addr *addr)
{
	ip_addr_t a;
	err_t e = ERR_OK;

	mutex_lock(&net_lock);
	if (!addr) {
		udp_disconnect(u->pcb);
		u->connected = false;
	} else if (u->v6only && !addr->v6) {
		e = ERR_RTE;
	} else {
		net_addr_to_lwip(addr, false, &a);
		e = udp_connect(u->pcb, &a, lwip_ntohs(addr->port));
		u->connected = e == ERR_OK;
	}
	net_unlock();
	return e == ERR_OK ? 0 : e == ERR_RTE ? -ENETUNREACH : -EINVAL;
}

ssize_t nudp_send(struct nudp *u, const void *buf, size_t n, const struct net_addr *to)
{
	ip_addr_t a;
	struct pbuf *p;
	err_t e;

	if (n > UDP_PAYLOAD_MAX)
		return -EMSGSIZE;
	if (to && u->v6only && !to->v6)
		return -ENETUNREACH;
	mutex_lock(&net_lock);
	if (to)
		net_addr_to_lwip(to, false, &a);
	if (!to && !u->connected) {
		net_unlock();
		return -EDESTADDRREQ;
	}
	p = pbuf_alloc(PBUF_TRANSPORT, (u16_t)n, PBUF_RAM);
	if (!p) {
		net_unlock();
		return -ENOMEM;
	}
	if (n)
		memcpy(p->payload, buf, n);
	e = to ? udp_sendto(u->pcb, p, &a, lwip_ntohs(to->port)) : udp_send(u->pcb, p);
	pbuf_free(p);
	net_unlock();
	if (e == ERR_OK)
		return (ssize_t)n;
	return e == ERR_MEM ? -ENOMEM : e == ERR_RTE ? -EHOSTUNREACH : -EIO;
}

ssize_t nudp_recv(struct nudp *u, void *buf, size_t n, struct nudp_from *from, uint64_t deadline,
		  bool peek, bool (*interrupted)(void))
{
	for (;;) {
		uint64_t f;
		int r = 0;

		mutex_lock(&net_lock);
		if (u->n) {
			struct datagram d = u->q[u->head];
			size_t k = MIN(n, (size_t)d.p->tot_len);

			pbuf_copy_partial(d.p, buf, (u16_t)k, 0);
			from->addr = d.from;
			from->len = d.p->tot_len;
			if (!peek) { /* the rest of a longer datagram is dropped */
				uint64_t fl = spin_lock(&u->lock);

				u->head = (u->head + 1) % UDP_QUEUE_MAX;
				u->n--;
				spin_unlock(&u->lock, fl);
				pbuf_free(d.p);
			}
			net_unlock();
			return (ssize_t)k;
		}
		net_unlock();
		if (deadline == NET_NOWAIT)
			return -EAGAIN;
		f = spin_lock(&u->lock);
		if (interrupted && interrupted())
			r = -EINTR;
		else if (!u->n)
			r = waitq_sleep(&u->wq, &u->lock, deadline);
		spin_unlock(&u->lock, f);
		if (r)
			return r == -ETIMEDOUT ? -EAGAIN : r;
	}
}

size_t nudp_pending(struct nudp *u)
{
	size_t n;

	mutex_lock(&net_lock);
	n = u->n ? u->q[u->head].p->tot_len : 0;
	net_unlock();
	return n;
}

uint32_t nudp_poll(struct nudp *u, struct pollq **pq)
{
	if (pq)
		*pq = &u->pq;
	return (READ_ONCE(u->n) ? POLLIN | POLLRDNORM : 0) | POLLOUT | POLLWRNORM;
}

int nudp_name(struct nudp *u, bool peer, struct net_addr *addr)
{
	int r = 0;

	mutex_lock(&net_lock);
	if (peer && !u->connected)
		r = -ENOTCONN;
	else if (peer)
		net_addr_from_lwip(&u->pcb->remote_ip, u->pcb->remote_port, addr);
	else
		net_addr_from_lwip(&u->pcb->local_ip, u->pcb->local_port, addr);
	net_unlock();
	return r;
}

void nudp_reuseaddr(struct nudp *u, bool on)
{
	mutex_lock(&net_lock);
	if (on)
		ip_set_option(u->pcb, SOF_REUSEADDR);
	else
		ip_reset_option(u->pcb, SOF_REUSEADDR);
	net_unlock();
}

bool nudp_is_v6(struct nudp *u)
{
	return u->v6;
}

void nudp_v6only(struct nudp *u, bool on)
{
	mutex_lock(&net_lock);
	u->v6only = u->v6 && on;
	net_unlock();
}
