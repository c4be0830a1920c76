/* procnet.c: the lines of /proc/net/tcp, tcp6, udp and udp6 (fs/procfs.h) from lwIP's
 * protocol control blocks, in Linux's columns: addresses as the hex of their 32-bit words as
 * stored, ports in hex, Linux's TCP state numbers, queue sizes. A socket for both families
 * (AF_INET6, dual stack) is listed in the IPv6 tables, as on Linux. The inode column is 0:
 * lwIP's blocks do not know their files. Also /proc/net/dev and if_inet6, the interfaces'
 * counters and IPv6 addresses (net/ifinfo.h). */
#include "net/procnet.h"
#include "fs/procfs.h"
#include "lwip/priv/tcp_priv.h"
#include "lwip/tcp.h"
#include "lwip/udp.h"
#include "net/ifinfo.h"
#include "net/netif.h"

/* lwIP's TCP states (RFC 793's order) as Linux numbers them; UDP shows 07 (closed). */
static const uint8_t linux_state[] = { 7, 10, 2, 3, 1, 4, 5, 8, 11, 9, 6 };

static void address(struct procfs_buf *b, const ip_addr_t *a, u16_t port, bool v6)
{
	if (!v6) {
		procfs_printf(b, "%08X:%04X", ip4_addr_get_u32(ip_2_ip4(a)), port);
		return;
	}
	for (int i = 0; i < 4; i++)
		procfs_printf(b, "%08X", IP_IS_V6(a) ? ip_2_ip6(a)->addr[i] : 0);
	procfs_printf(b, ":%04X", port);
}

static void line(struct procfs_buf *b, int *sl, const ip_addr_t *local, u16_t lport,
		 const ip_addr_t *remote, u16_t rport, int state, uint32_t tx, uint32_t rx, bool v6,
		 bool udp)
{
	procfs_printf(b, "%4d: ", (*sl)++);
	address(b, local, lport, v6);
	procfs_printf(b, " ");
	address(b, remote, rport, v6);
	procfs_printf(b, " %02X %08X:%08X 00:00000000 00000000 %5u %8d %lu %d", state, tx, rx, 0, 0,
		      0ul, udp ? 2 : 1);
	procfs_printf(b, udp ? " 0000000000000000 0\n" : " 0000000000000000 20 4 0 10 -1\n");
}

/* Is a pcb bound this way one for the IPv6 tables? Dual-stack and IPv6 ones are. */
static bool in_v6(const ip_addr_t *local)
{
	return !IP_IS_V4_VAL(*local);
}

static void tcp_list(struct procfs_buf *b, int *sl, struct tcp_pcb *list, bool v6)
{
	for (struct tcp_pcb *p = list; p; p = p->next)
		if (in_v6(&p->local_ip) == v6)
			line(b, sl, &p->local_ip, p->local_port, &p->remote_ip, p->remote_port,
			     linux_state[p->state], (uint32_t)(TCP_SND_BUF - p->snd_buf),
			     (uint32_t)(TCP_WND - p->rcv_wnd), v6, false);
}

/* /proc/net/dev: each interface's counters in Linux's columns (only the frames and bytes
 * are counted here). */
static void dev_lines(struct procfs_buf *b, const struct net_if *all, int count)
{
	for (int k = 0; k < count; k++) {
		const struct net_if *i = &all[k];

		procfs_printf(b, "%6s:%8lu %7lu %4u %4u %4u %5u %10u %9u ", i->name, i->rx_bytes,
			      i->rx_packets, 0, 0, 0, 0, 0, 0);
		procfs_printf(b, "%8lu %7lu %4u %4u %4u %5u %7u %10u\n", i->tx_bytes, i->tx_packets,
			      0, 0, 0, 0, 0, 0);
	}
}

/* /proc/net/if_inet6: address, index, prefix length, scope, flags (ifa_flags), name. */
static void inet6_lines(struct procfs_buf *b, const struct net_if *all, int count)
{
	for (int k = 0; k < count; k++)
		for (int n = 0; n < all[k].naddr6; n++) {
			const struct net_if_addr6 *a = &all[k].addr6[n];
			unsigned scope = all[k].loopback ? 0x10 : a->autoconf ? 0 : 0x20;
			unsigned flags = (a->autoconf ? 0 : 0x80) | (a->tentative ? 0x40 : 0);

			for (int j = 0; j < 16; j++)
				procfs_printf(b, "%02x", a->ip[j]);
			procfs_printf(b, " %02x %02x %02x %02x %8s\n", all[k].index, a->prefix_len,
				      scope, flags, all[k].name);
		}
}

static void show(struct procfs_buf *b, enum procfs_net_table which)
{
	bool v6 = which == PROCFS_NET_TCP6 || which == PROCFS_NET_UDP6;
	int sl = 0;

	if (!net_started()) /* lwIP starts with the first socket where there is no device */
		return;
	if (which == PROCFS_NET_DEV || which == PROCFS_NET_IF_INET6) {
		struct net_if all[NET_IF_MAX];
		int count = net_if_list(all);

		if (which == PROCFS_NET_DEV)
			dev_lines(b, all, count);
		else
			inet6_lines(b, all, count);
		return;
	}
	mutex_lock(&net_lock);
	if (which == PROCFS_NET_TCP || which == PROCFS_NET_TCP6) {
		for (struct tcp_pcb_listen *l = tcp_listen_pcbs.listen_pcbs; l; l = l->next)
			if (in_v6(&l->local_ip) == v6)
				line(b, &sl, &l->local_ip, l->local_port, IP_ANY_TYPE, 0,
				     linux_state[LISTEN], 0, 0, v6, false);
		tcp_list(b, &sl, tcp_active_pcbs, v6);
		tcp_list(b, &sl, tcp_tw_pcbs, v6);
	} else {
		for (struct udp_pcb *u = udp_pcbs; u; u = u->next)
			if (in_v6(&u->local_ip) == v6)
				line(b, &sl, &u->local_ip, u->local_port, &u->remote_ip,
				     u->remote_port, 7, 0, 0, v6, true);
	}
	net_unlock();
}

void procnet_init(void)
{
	procfs_net_show = show;
}
