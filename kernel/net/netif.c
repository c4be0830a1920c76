/* netif.c: lwIP over the virtio-net device (netif.h). */
#include "net/netif.h"
#include "core/cmdline.h"
#include "core/sched/thread.h"
#include "core/sched/wait.h"
#include "core/time.h"
#include "drivers/virtio/net.h"
#include "lib/errno.h"
#include "lib/printf.h"
#include "lib/string.h"
#include "lwip/dhcp.h"
#include "lwip/etharp.h"
#include "lwip/ethip6.h"
#include "lwip/init.h"
#include "lwip/netif.h"
#include "lwip/pbuf.h"
#include "lwip/priv/tcp_priv.h"
#include "lwip/timeouts.h"
#include "netif/ethernet.h"

#define MAX_WAIT_MS 1000 /* the longest the net thread sleeps between looks at the timers */
#define RX_BURST 32	 /* frames into lwIP under one hold of net_lock */
#define DRAIN_POLL_NS (1 * NSEC_PER_MSEC)

struct mutex net_lock = MUTEX_INIT(net_lock);
static struct netif nif;
static bool started, has_device;
static volatile uint32_t address; /* host order; 0 until DHCP has bound */
static uint32_t dns[NET_DNS_MAX]; /* DHCP's DNS servers, host order (under net_lock) */
static int ndns;
/* the virtio-net interface's traffic (under net_lock), for /proc/net/dev and rtnetlink */
static uint64_t rx_packets, rx_bytes, tx_packets, tx_bytes;
void (*net_dns_learnt)(const uint32_t *servers, int n);

#define DHCP_OPTION_DNS 6
#define DHCP_ACK 5

void net_dhcp_option(unsigned char msg_type, unsigned char option, unsigned len, struct pbuf *p,
		     unsigned offset)
{
	uint8_t v[4 * NET_DNS_MAX];
	unsigned n = MIN(len, (unsigned)sizeof(v)) / 4;

	if (msg_type != DHCP_ACK || option != DHCP_OPTION_DNS || !n ||
	    pbuf_copy_partial(p, v, (u16_t)(4 * n), (u16_t)offset) != 4 * n)
		return;
	for (unsigned i = 0; i < n; i++)
		dns[i] = (uint32_t)v[4 * i] << 24 | (uint32_t)v[4 * i + 1] << 16 |
			 (uint32_t)v[4 * i + 2] << 8 | v[4 * i + 3];
	ndns = (int)n;
}

int net_dns_servers(uint32_t out[NET_DNS_MAX])
{
	int n;

	mutex_lock(&net_lock);
	n = ndns;
	memcpy(out, dns, sizeof(dns));
	mutex_unlock(&net_lock);
	return n;
}

static err_t linkoutput(struct netif *n, struct pbuf *p)
{
	static uint8_t frame[NET_FRAME_MAX];

	if (p->tot_len > sizeof(frame))
		return ERR_BUF;
	pbuf_copy_partial(p, frame, p->tot_len, 0);
	tx_packets++;
	tx_bytes += p->tot_len;
	return virtio_net_send(frame, p->tot_len) ? ERR_IF : ERR_OK;
}

static err_t interface_init(struct netif *n)
{
	n->name[0] = 'e';
	n->name[1] = 't';
	n->mtu = 1500;
	n->hwaddr_len = ETH_HWADDR_LEN;
	(void)virtio_net_mac(n->hwaddr);
	n->flags = NETIF_FLAG_BROADCAST | NETIF_FLAG_ETHARP | NETIF_FLAG_ETHERNET | NETIF_FLAG_MLD6;
	n->output = etharp_output;
	n->output_ip6 = ethip6_output;
	n->linkoutput = linkoutput;
	return ERR_OK;
}

static void status_changed(struct netif *n)
{
	uint32_t a = lwip_ntohl(ip4_addr_get_u32(netif_ip4_addr(n)));

	if (!dhcp_supplied_address(n) || a == address)
		return;
	printk(LOG_INFO, "net: %u.%u.%u.%u by DHCP\n", a >> 24, (a >> 16) & 0xff, (a >> 8) & 0xff,
	       a & 0xff);
	__atomic_store_n(&address, a, __ATOMIC_RELEASE);
	if (ndns && net_dns_learnt)
		net_dns_learnt(dns, ndns);
}

/* Under net_lock: frame f of n bytes into lwIP. */
static void deliver(const uint8_t *f, long n)
{
	struct pbuf *p = pbuf_alloc(PBUF_RAW, (u16_t)n, PBUF_POOL);

	rx_packets++;
	rx_bytes += (uint64_t)n;
	if (p && pbuf_take(p, f, (u16_t)n) == ERR_OK && nif.input(p, &nif) == ERR_OK)
		p = NULL;
	if (p)
		pbuf_free(p);
}

/* The net thread: frames in, lwIP's timers, for ever; lwIP under net_lock, the wait not. */
static void net_thread(void *unused)
{
	static uint8_t buf[2048];

	for (;;) {
		uint32_t wait;
		long n;

		mutex_lock(&net_lock);
		wait = MIN(sys_timeouts_sleeptime(), (uint32_t)MAX_WAIT_MS);
		mutex_unlock(&net_lock);
		if (!has_device) { /* the loop interface only: lwIP's timers */
			sleep_ns(wait * NSEC_PER_MSEC);
			n = -EAGAIN;
		} else {
			n = virtio_net_recv(buf, sizeof(buf), time_ns() + wait * NSEC_PER_MSEC);
			if (n < 0 && n != -EAGAIN) /* the device stopped answering */
				sleep_ns(MAX_WAIT_MS * NSEC_PER_MSEC);
		}
		mutex_lock(&net_lock);
		/* the frames already there too, under one hold of the lock: lwIP's answers to
		 * them go out together (net_unlock) */
		for (int k = 0; n > 0; k++) {
			deliver(buf, n);
			n = k + 1 < RX_BURST ? virtio_net_recv(buf, sizeof(buf), 0) : 0;
		}
		sys_check_timeouts();
		net_unlock();
	}
}

/* Under net_lock: the interface on the virtio-net device, DHCP started. */
static void add_interface(void)
{
	if (!netif_add(&nif, IP4_ADDR_ANY4, IP4_ADDR_ANY4, IP4_ADDR_ANY4, NULL, interface_init,
		       ethernet_input)) {
		printk(LOG_WARN, "net: lwIP refused the interface\n");
		return;
	}
	netif_set_default(&nif);
	netif_set_status_callback(&nif, status_changed);
	netif_set_up(&nif);
	netif_set_link_up(&nif);
	/* IPv6: a link-local address from the MAC, then addresses from routers' adverts */
	netif_create_ip6_linklocal_address(&nif, 1);
	nif.ip6_autoconfig_enabled =
		1;	  /* netif_set_ip6_autoconfig_enabled, without its NULL test */
	if (cmdline.ip) { /* --ip, --defaultgw: no DHCP */
		ip4_addr_t a, m, g;

		ip4_addr_set_u32(&a, lwip_htonl(cmdline.ip));
		ip4_addr_set_u32(&m, lwip_htonl(cmdline.netmask));
		ip4_addr_set_u32(&g, lwip_htonl(cmdline.gateway));
		netif_set_addr(&nif, &a, &m, &g);
		__atomic_store_n(&address, cmdline.ip, __ATOMIC_RELEASE);
		return;
	}
	if (dhcp_start(&nif) != ERR_OK)
		printk(LOG_WARN, "net: DHCP would not start\n");
}

void net_poll_loopback(void)
{
	/* a packet delivered may send another (an ACK, an echo): until none is queued */
	for (int i = 0; i < 64 && netif_list; i++) {
		bool queued = false;

		for (struct netif *n = netif_list; n; n = n->next)
			queued |= n->loop_first != NULL;
		if (!queued)
			break;
		netif_poll_all();
	}
}

void net_unlock(void)
{
	net_poll_loopback();
	virtio_net_flush(); /* the frames lwIP sent under the lock, one notification at most */
	mutex_unlock(&net_lock);
}

void net_init(void)
{
	uint8_t mac[6];
	struct thread *t;

	mutex_lock(&net_lock);
	if (started) {
		mutex_unlock(&net_lock);
		return;
	}
	started = true;
	lwip_init(); /* the loop interface too */
	has_device = virtio_net_mac(mac);
	if (has_device)
		add_interface();
	net_unlock();
	t = thread_create("net", net_thread, NULL, THREAD_ANY_CPU);
	if (!t) {
		printk(LOG_WARN, "net: out of memory for the net thread\n");
		return;
	}
	thread_detach(t);
}

/* Under net_lock: whether a TCP connection still has data (or its FIN) not acknowledged. */
static bool tcp_unacked(void)
{
	for (struct tcp_pcb *p = tcp_active_pcbs; p; p = p->next)
		if (p->unsent || p->unacked)
			return true;
	return false;
}

void net_drain(uint64_t deadline)
{
	bool busy;

	if (!started || !has_device)
		return;
	do {
		mutex_lock(&net_lock);
		busy = tcp_unacked();
		net_unlock();
		busy |= !virtio_net_sent();
		if (busy)
			sleep_ns(DRAIN_POLL_NS);
	} while (busy && time_ns() < deadline);
}

void net_counts_get(uint64_t *rxp, uint64_t *rxb, uint64_t *txp, uint64_t *txb)
{
	*rxp = rx_packets;
	*rxb = rx_bytes;
	*txp = tx_packets;
	*txb = tx_bytes;
}

bool net_started(void)
{
	return started;
}

uint32_t net_wait_address(uint64_t deadline)
{
	uint32_t a;

	while (!(a = __atomic_load_n(&address, __ATOMIC_ACQUIRE)) && time_ns() < deadline)
		sleep_ns(10 * NSEC_PER_MSEC);
	return a;
}
