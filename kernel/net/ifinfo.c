/* ifinfo.c: the interfaces as lwIP keeps them, in Linux's terms (ifinfo.h). */
#include "net/ifinfo.h"
#include "lib/errno.h"
#include "lib/string.h"
#include "lwip/dhcp.h"
#include "lwip/netif.h"
#include "lwip/priv/nd6_priv.h"
#include "net/netif.h"

#define LO_MTU 65536 /* Linux's; lwIP's loop interface has none */

static void copy_addr6(struct net_if *i, struct netif *n)
{
	for (int k = 0; k < LWIP_IPV6_NUM_ADDRESSES && i->naddr6 < NET_IF_ADDR6_MAX; k++) {
		u8_t state = netif_ip6_addr_state(n, k);
		const ip6_addr_t *a = netif_ip6_addr(n, k);
		struct net_if_addr6 *o = &i->addr6[i->naddr6];

		if (!ip6_addr_isvalid(state) && !ip6_addr_istentative(state))
			continue;
		memcpy(o->ip, a->addr, 16);
		o->prefix_len = i->loopback ? 128 : 64;
		o->tentative = ip6_addr_istentative(state);
		o->autoconf = !i->loopback && !ip6_addr_islinklocal(a);
		i->naddr6++;
	}
}

/* Under net_lock: an IPv6 default router on n, from its adverts. */
static void copy_router6(struct net_if *i, struct netif *n)
{
	for (int k = 0; k < LWIP_ND6_NUM_ROUTERS; k++) {
		struct nd6_router_list_entry *r = &default_router_list[k];

		if (r->neighbor_entry && r->neighbor_entry->netif == n &&
		    r->invalidation_timer > 0) {
			memcpy(i->router6, r->neighbor_entry->next_hop_address.addr, 16);
			i->has_router6 = true;
			return;
		}
	}
}

/* Under net_lock: lwIP's interface n as Linux shows it. */
static void describe(struct netif *n, struct net_if *i)
{
	memset(i, 0, sizeof(*i));
	i->index = netif_get_index(n);
	i->loopback = n->name[0] == 'l' && n->name[1] == 'o';
	memcpy(i->name, i->loopback ? "lo" : "eth0", i->loopback ? 3 : 5);
	i->up = netif_is_up(n);
	i->running = i->up && netif_is_link_up(n);
	i->mtu = i->loopback ? LO_MTU : n->mtu;
	if (!i->loopback)
		memcpy(i->mac, n->hwaddr, sizeof(i->mac));
	i->ip4 = ip4_addr_get_u32(netif_ip4_addr(n));
	i->mask4 = ip4_addr_get_u32(netif_ip4_netmask(n));
	i->gw4 = ip4_addr_get_u32(netif_ip4_gw(n));
	if (i->loopback) { /* lwIP's loop interface answers the whole of 127/8, as Linux's */
		i->mask4 = lwip_htonl(0xff000000);
		i->running = true;
	} else {
		i->dhcp = dhcp_supplied_address(n);
		net_counts_get(&i->rx_packets, &i->rx_bytes, &i->tx_packets, &i->tx_bytes);
	}
	i->flags = i->loopback ? IFF_LOOPBACK : IFF_BROADCAST | IFF_MULTICAST;
	if (i->up)
		i->flags |= IFF_UP;
	if (i->running)
		i->flags |= IFF_RUNNING | IFF_LOWER_UP;
	i->hwtype = i->loopback ? ARPHRD_LOOPBACK : ARPHRD_ETHER;
	copy_addr6(i, n);
	copy_router6(i, n);
}

int net_if_list(struct net_if out[NET_IF_MAX])
{
	int count = 0;

	if (!net_started())
		return 0;
	mutex_lock(&net_lock);
	for (struct netif *n = netif_list; n && count < NET_IF_MAX; n = n->next)
		describe(n, &out[count++]);
	mutex_unlock(&net_lock);
	/* lwIP lists the interfaces newest first: Linux's order is by index */
	for (int a = 0; a < count; a++)
		for (int b = a + 1; b < count; b++)
			if (out[b].index < out[a].index) {
				struct net_if t = out[a];

				out[a] = out[b];
				out[b] = t;
			}
	return count;
}

int net_if_find(int index, const char *name, struct net_if *out)
{
	struct net_if all[NET_IF_MAX];
	int count = net_if_list(all);

	for (int k = 0; k < count; k++)
		if (index ? all[k].index == index : !strcmp(all[k].name, name)) {
			*out = all[k];
			return 0;
		}
	return -ENODEV;
}
