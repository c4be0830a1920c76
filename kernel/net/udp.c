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
#include "net/netif.h"

struct datagram {
	struct pbuf *p;
	uint32_t addr; /* network order */
	uint16_t port; /* network order */
};

struct nudp {
	struct udp_pcb *pcb;
	struct spinlock lock; /* guards n (what sleepers wait on) and the wait queue */
	struct waitq wq;
	struct pollq pq;
	struct datagram q[UDP_QUEUE_MAX]; /* a ring: head, n */
	int head, n;
	bool connected;
};

static void on_recv(void *arg, struct udp_pcb *pcb, struct pbuf *p, const ip_addr_t *addr,
		    u16_t port)
{
	struct nudp *u = arg;
	uint64_t f;

	if (u->n == UDP_QUEUE_MAX) { /* full: dropped, as Linux drops past the buffer */
		pbuf_free(p);
		return;
	}
	u->q[(u->head + u->n) % UDP_QUEUE_MAX] = (struct datagram){
		.p = p, .addr = ip4_addr_get_u32(ip_2_ip4(addr)), .port = lwip_htons(port)
	};
	f = spin_lock(&u->lock);
	u->n++;
	waitq_wake_all(&u->wq);
	spin_unlock(&u->lock, f);
	pollq_wake(&u->pq, POLLIN);
}

struct nudp *nudp_new(void)
{
	struct nudp *u = kzalloc(sizeof(*u));

	if (!u)
		return NULL;
	spin_init(&u->lock);
	waitq_init(&u->wq);
	pollq_init(&u->pq);
	net_init();
	mutex_lock(&net_lock);
	u->pcb = udp_new_ip_type(IPADDR_TYPE_V4);
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

int nudp_bind(struct nudp *u, uint32_t addr, uint16_t port)
{
	ip_addr_t a = IPADDR4_INIT(addr);
	err_t e;

	mutex_lock(&net_lock);
	e = udp_bind(u->pcb, &a, lwip_ntohs(port));
	net_unlock();
	return e == ERR_OK ? 0 : e == ERR_USE ? -EADDRINUSE : -EINVAL;
}

int nudp_connect(struct nudp *u, uint32_t addr, uint16_t port)
{
	ip_addr_t a = IPADDR4_INIT(addr);
	err_t e = ERR_OK;

	mutex_lock(&net_lock);
	if (!addr && !port) {
		udp_disconnect(u->pcb);
		u->connected = false;
	} else {
		e = udp_connect(u->pcb, &a, lwip_ntohs(port));
		u->connected = e == ERR_OK;
	}
	net_unlock();
	return e == ERR_OK ? 0 : -EINVAL;
}

ssize_t nudp_send(struct nudp *u, const void *buf, size_t n, bool to, uint32_t addr, uint16_t port)
{
	ip_addr_t a = IPADDR4_INIT(addr);
	struct pbuf *p;
	err_t e;

	if (n > UDP_PAYLOAD_MAX)
		return -EMSGSIZE;
	mutex_lock(&net_lock);
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
	e = to ? udp_sendto(u->pcb, p, &a, lwip_ntohs(port)) : udp_send(u->pcb, p);
	pbuf_free(p);
	net_unlock();
	if (e == ERR_OK)
		return (ssize_t)n;
	return e == ERR_MEM ? -ENOMEM : e == ERR_RTE ? -EHOSTUNREACH : -EIO;
}

ssize_t nudp_recv(struct nudp *u, void *buf, size_t n, struct nudp_from *from, bool nonblock,
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
			from->addr = d.addr;
			from->port = d.port;
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
		if (nonblock)
			return -EAGAIN;
		f = spin_lock(&u->lock);
		if (interrupted && interrupted())
			r = -EINTR;
		else if (!u->n)
			r = waitq_sleep(&u->wq, &u->lock, 0) == -EINTR ? -EINTR : 0;
		spin_unlock(&u->lock, f);
		if (r)
			return r;
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

int nudp_name(struct nudp *u, bool peer, uint32_t *addr, uint16_t *port)
{
	int r = 0;

	mutex_lock(&net_lock);
	if (peer && !u->connected) {
		r = -ENOTCONN;
	} else if (peer) {
		*addr = ip4_addr_get_u32(ip_2_ip4(&u->pcb->remote_ip));
		*port = lwip_htons(u->pcb->remote_port);
	} else {
		*addr = ip4_addr_get_u32(ip_2_ip4(&u->pcb->local_ip));
		*port = lwip_htons(u->pcb->local_port);
	}
	net_unlock();
	return r;
}
